"""``aisec``: scan CloudFormation templates and cdk.out folders with the rule pack, list the
rules, render the rule docs.

Exit codes: 0 no unacknowledged finding, 1 findings, 2 bad input or usage. Scanning never
imports aws_cdk, so it does not start the jsii runtime.
"""
from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path
from typing import List, NoReturn, Optional

from .model import Capability, Phase
from .template import TemplateError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
DEFAULT_DOCS = Path("docs") / "RULES.md"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # usage errors exit 2 with one line, as argparse does
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"aisec: error: {message}\n")


def _phase(text: str) -> Phase:
    try:
        return Phase.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _capabilities(text: str):
    try:
        return Capability.parse_list(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def version() -> str:
    try:
        return metadata.version("aisec-cdk")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="aisec", description="AWS AI Security Framework checks for CloudFormation and CDK.")
    parser.add_argument("--version", action="version", version=f"aisec {version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="scan templates (JSON/YAML files or cdk.out folders)")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--phase", type=_phase, default=Phase.FOUNDATIONAL,
                       help="foundational (default), enhanced or advanced; phases are cumulative")
    check.add_argument("--capabilities", type=_capabilities, default=None,
                       help="comma-separated answers,connects,acts (default: detected per template)")
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text")

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    docs = commands.add_parser("docs", help="write docs/RULES.md from the registry")
    docs.add_argument("--output", type=Path, default=DEFAULT_DOCS)
    docs.add_argument("--check", action="store_true", help="exit 1 when the file differs from the registry")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    from . import report
    from .registry import RULES

    if args.command == "rules":
        render = {"text": report.rules_text, "json": report.rules_json, "markdown": report.rules_markdown}[args.format]
        print(render(RULES))
        return EXIT_OK
    if args.command == "docs":
        return _docs(args.output, args.check, report.rules_markdown(RULES))
    return _check(args, RULES)


def _check(args: argparse.Namespace, rules) -> int:
    from . import report
    from .engine import evaluate
    from .loader import load_paths

    try:
        templates = load_paths(args.paths)
    except TemplateError as error:
        print(f"aisec: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    findings = [f for t in templates for f in evaluate(t, args.phase, args.capabilities, rules)]
    if args.format == "json":
        print(report.findings_json(findings, [t.path for t in templates], args.phase.name.lower()))
    elif args.format == "sarif":
        print(report.findings_sarif(findings, rules, version()))
    else:
        print(report.findings_text(findings))
    return EXIT_FINDINGS if any(not f.acknowledged for f in findings) else EXIT_OK


def _docs(output: Path, check_only: bool, text: str) -> int:
    if check_only:
        current = output.read_text(encoding="utf-8") if output.is_file() else ""
        if current != text:
            print(f"aisec: {output} is out of date: run `aisec docs`", file=sys.stderr)
            return EXIT_FINDINGS
        return EXIT_OK
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
