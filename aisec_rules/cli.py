"""``aisec``: scan CloudFormation templates and cdk.out folders with the rule pack, write a baseline,
report readiness, list the rules, render the rule docs, probe deployed guardrails.

Exit codes: 0 no open finding (every finding acknowledged or baselined), or warn mode; 1 an open finding, or an
acknowledgement that matches no finding when the policy sets ``fail_on_unused_acknowledgements``; 2 bad input
or usage, or a rule that could not evaluate the input. Scanning never imports aws_cdk, so it does not start the
jsii runtime. ``aisec probe``: 0 every guardrail meets the thresholds, 1 one does not, 2 bad input, no
credentials or an unreachable endpoint; it imports boto3 only when it runs.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, NoReturn, Optional

from .model import INTERNAL_ERROR, Capability, Phase
from .read.template import TemplateError
from .version import version

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


def _absolute_uri(text: str) -> str:
    scheme = text.split(":", 1)[0] if ":" in text else ""
    if not (scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)):
        raise argparse.ArgumentTypeError(f"{text!r} is not an absolute URI (https://... or file:///...)")
    return text


def _guardrail(text: str):
    from .probe.targets import parse

    try:
        return parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="aisec", description="AWS AI Security Framework checks for CloudFormation and CDK.")
    parser.add_argument("--version", action="version", version=f"aisec {version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="scan templates (JSON/YAML files or cdk.out folders)")
    check.add_argument("paths", nargs="+", metavar="PATH",
                       help="template files and folders (a cdk.out folder is read through its manifest); all paths "
                            "form one system, judged environment by environment")
    check.add_argument("--phase", type=_phase, default=None,
                       help="foundational, enhanced or advanced; phases are cumulative (default: the policy's "
                            "phase, else foundational)")
    check.add_argument("--capabilities", type=_capabilities, default=None,
                       help="comma-separated answers,connects,acts (default: detected per environment)")
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check.add_argument("--docs-uri", metavar="URI", type=_absolute_uri, default=None,
                       help="absolute URI of the rule docs (docs/RULES.md); with --format sarif each rule links its "
                            "section as helpUri")
    check.add_argument("--each", action="store_true",
                       help="judge each template alone instead of all paths as one system (environment-level "
                            "controls and cross-stack references are then judged per template)")

    check.add_argument("--policy", type=Path, default=None, metavar="FILE",
                       help="the organization's policy (aisec.toml or a pyproject.toml with [tool.aisec]); default: "
                            "the nearest one from the working directory up")
    check.add_argument("--baseline", type=Path, default=None, metavar="FILE",
                       help="a baseline written by `aisec baseline`: the findings it holds are reported as baselined "
                            "and do not fail")
    check.add_argument("--warn", action="store_true",
                       help="warn mode: report every finding, exit 0 (as the policy's mode = \"warn\")")

    baseline = commands.add_parser("baseline", help="write the current unacknowledged findings as a baseline")
    baseline.add_argument("paths", nargs="+", metavar="PATH", help="template files and folders, judged as one system")
    baseline.add_argument("--output", type=Path, required=True, metavar="FILE",
                          help="the baseline file to write (with --update: to read and rewrite)")
    baseline.add_argument("--phase", type=_phase, default=None, help="as for check")
    baseline.add_argument("--capabilities", type=_capabilities, default=None, help="as for check")
    baseline.add_argument("--policy", type=Path, default=None, metavar="FILE", help="as for check")
    baseline.add_argument("--update", action="store_true",
                          help="rewrite FILE without the entries no finding matches any more; add no new finding")
    baseline.add_argument("--add-new", action="store_true", help="with --update: add the findings FILE lacks too")

    report = commands.add_parser("report", help="readiness report: where the system stands at every phase")
    report.add_argument("paths", nargs="+", metavar="PATH", help="template files and folders, judged as one system")
    report.add_argument("--format", choices=("html", "markdown", "json"), default="html")
    report.add_argument("--output", type=Path, default=None, metavar="FILE", help="write here instead of stdout")
    report.add_argument("--phase", type=_phase, default=None,
                        help="the phase you enforce (shown in the report; default: the policy's phase)")
    report.add_argument("--capabilities", type=_capabilities, default=None,
                        help="comma-separated answers,connects,acts (default: detected per environment)")
    report.add_argument("--policy", type=Path, default=None, metavar="FILE", help="as for check")
    report.add_argument("--baseline", type=Path, default=None, metavar="FILE", help="as for check")
    report.add_argument("--docs-uri", default="docs/RULES.md", metavar="URI",
                        help="where rule links point (default: docs/RULES.md, relative to the report)")
    report.add_argument("--probe-results", type=Path, default=None, metavar="FILE",
                        help="the JSON of an `aisec probe` run, shown as the evidence of the security-testing "
                             "control (AISEC-APP-30)")

    probe = commands.add_parser("probe", help="run the guardrail probe suite against deployed guardrails "
                                              "(bedrock-runtime ApplyGuardrail)")
    probe.add_argument("paths", nargs="*", metavar="PATH",
                       help="templates or cdk.out folders whose guardrail versions to probe (with --deployed)")
    probe.add_argument("--guardrail", type=_guardrail, action="append", default=[], metavar="ID:VERSION",
                       help="a guardrail id or ARN and its version (repeatable)")
    probe.add_argument("--deployed", action="store_true",
                       help="probe every AWS::Bedrock::GuardrailVersion of PATH, found in its deployed stack with "
                            "CloudFormation DescribeStackResources")
    probe.add_argument("--region", default=None, help="default AWS Region (a stack's own Region wins)")
    probe.add_argument("--profile", default=None, help="AWS profile (default: the usual credential chain)")
    probe.add_argument("--endpoint-url", default=None, metavar="URL", help="bedrock-runtime endpoint to call")
    probe.add_argument("--categories", default=None, metavar="LIST",
                       help="comma-separated probe categories, such as prompt_injection,benign (default: all; an "
                            "unknown name is an error that lists them)")
    probe.add_argument("--max-probes", type=_positive, default=None, metavar="N",
                       help="at most N probes per guardrail, taken evenly across categories")
    probe.add_argument("--concurrency", type=_positive, default=4, metavar="N",
                       help="ApplyGuardrail calls in flight at once (default 4)")
    probe.add_argument("--format", choices=("text", "json", "sarif", "markdown"), default="text")
    probe.add_argument("--output", type=Path, default=None, metavar="FILE", help="write here instead of stdout")
    probe.add_argument("--policy", type=Path, default=None, metavar="FILE",
                       help="the policy whose [probe] table sets the thresholds (default: the nearest aisec.toml "
                            "or pyproject.toml [tool.aisec])")

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    docs = commands.add_parser("docs", help="write docs/RULES.md from the registry")
    docs.add_argument("--output", type=Path, default=DEFAULT_DOCS)
    docs.add_argument("--check", action="store_true", help="exit 1 when the file differs from the registry")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _main(args)
    except Exception as error:  # never a traceback and never exit 1 ("findings") for a bug of aisec
        print(f"aisec: internal error: {type(error).__name__}: {_one_line(str(error))}; please report this as a bug "
              "in aisec", file=sys.stderr)
        return EXIT_USAGE


def _one_line(text: str) -> str:
    from .output.findings import escape

    return escape(text)


def _main(args: argparse.Namespace) -> int:
    from .output import catalog
    from .registry import RULES

    if args.command == "rules":
        render = {"text": catalog.rules_text, "json": catalog.rules_json, "markdown": catalog.rules_markdown}[args.format]
        print(render(RULES))
        return EXIT_OK
    if args.command == "docs":
        return _docs(args.output, args.check, catalog.rules_markdown(RULES))
    if args.command == "report":
        return _report(args, RULES)
    if args.command == "baseline":
        return _baseline(args, RULES)
    if args.command == "probe":
        from .cli_probe import run

        done = run(args)
        if isinstance(done, int):
            return done
        return _write(done[0], args.output, done[1])
    return _check(args, RULES)


def _load(args: argparse.Namespace):
    """(stacks, policy, baseline or None, notices) of a check, baseline or report, each notice (a part of the
    input not scanned) printed on stderr; None once a bad input has been reported in one line."""
    from .governance import baseline as baselines
    from .governance import policy as policies
    from .read.loader import load_stacks

    notices: List[str] = []
    problem: Optional[TemplateError] = None
    try:
        policy = policies.load(args.policy) if args.policy else policies.discover()
        given = getattr(args, "baseline", None)
        loaded = (load_stacks(args.paths, notices), policy, baselines.load(given) if given else None)
    except TemplateError as error:
        problem = error
    for notice in sorted(notices):
        print(f"aisec: notice: {_one_line(notice)}", file=sys.stderr)
    if problem is not None:
        print(f"aisec: error: {_one_line(str(problem))}", file=sys.stderr)
        return None
    return (*loaded, sorted(notices))


def _report(args: argparse.Namespace, rules) -> int:
    from .output import readiness
    from .output import readiness_html
    from .output import readiness_markdown

    loaded = _load(args)
    if loaded is None:
        return EXIT_USAGE
    stacks, policy, baseline, _ = loaded
    result = readiness.assess(stacks, enforced=args.phase or policy.phase, capabilities=args.capabilities,
                              policy=policy, rules=rules, version=version(), baseline=baseline,
                              warn=policy.mode == "warn")
    if args.probe_results is not None:
        from .output import probe_results

        try:
            result.security_testing = probe_results.Evidence.of(probe_results.load(args.probe_results),
                                                                str(args.probe_results))
        except TemplateError as error:
            print(f"aisec: error: {_one_line(str(error))}", file=sys.stderr)
            return EXIT_USAGE
    if args.format == "json":
        import json

        text = json.dumps(result.to_dict(), indent=2) + "\n"
    elif args.format == "markdown":
        text = readiness_markdown.render(result, args.docs_uri)
    else:
        text = readiness_html.render(result, args.docs_uri)
    return _write(text, args.output, EXIT_OK)


def _write(text: str, output: Optional[Path], code: int, what: str = "") -> int:
    """Write ``text`` to ``output`` (stdout when None) and return ``code``, or EXIT_USAGE when it cannot be written;
    ``what`` follows the file name in the line that says it was written."""
    if output is None:
        sys.stdout.write(text)
        return code
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"aisec: error: cannot write {output}: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {output}{what}")
    return code


def _check(args: argparse.Namespace, rules) -> int:
    from .engine import collector_paused

    with collector_paused():  # reading, judging and writing keep the templates alive: see collector_paused
        return _checked(args, rules)


def _checked(args: argparse.Namespace, rules) -> int:
    from .output import findings as report
    from .engine import evaluate_system
    from .governance.unused import unused as unused_acknowledgements

    loaded = _load(args)
    if loaded is None:
        return EXIT_USAGE
    stacks, policy, baseline, not_scanned = loaded
    phase = args.phase or policy.phase or Phase.FOUNDATIONAL
    warn = args.warn or policy.mode == "warn"
    if args.each:
        findings = [f for s in stacks for f in evaluate_system([s], phase, args.capabilities, rules, policy,
                                                                baseline=baseline)]
    else:
        findings = evaluate_system(stacks, phase, args.capabilities, rules, policy, baseline=baseline)
    resolved = baseline.resolved(findings, stacks, phase, rules) if baseline else []
    unused = unused_acknowledgements(stacks, findings, rules, [phase])
    if args.format == "json":
        report.write_findings_json(sys.stdout, findings, stacks, phase.name.lower(), resolved=resolved, unused=unused,
                                   warn=warn)
    elif args.format == "sarif":
        said = report.notices(resolved, unused)
        left_out = report.write_findings_sarif(sys.stdout, findings, rules, version(), docs_uri=args.docs_uri,
                                               baseline=baseline is not None, notices=not_scanned + said)
        for line in said:  # the log's invocation holds them too
            print(f"aisec: notice: {line}", file=sys.stderr)
        if left_out:
            print(f"aisec: notice: {left_out} of {len(findings)} findings are left out of the SARIF log (GitHub code "
                  "scanning's limits), lowest severity first; --format json lists them all", file=sys.stderr)
    else:
        print(report.findings_text(findings, stacks, resolved=resolved, unused=unused, warn=warn))
    internal = [f for f in findings if f.detail == INTERNAL_ERROR]
    if internal:  # every other finding is printed, but the scan is incomplete: not a plain "findings" result
        print(f"aisec: error: {len(internal)} rule(s) could not evaluate the input (internal error); see the "
              "findings marked internal-error", file=sys.stderr)
        return EXIT_USAGE
    if warn:
        return EXIT_OK
    if unused and policy.fail_on_unused_acknowledgements:
        print(f"aisec: error: {len(unused)} acknowledgement(s) match no finding and the policy sets "
              "fail_on_unused_acknowledgements = true: remove them", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_FINDINGS if any(f.open for f in findings) else EXIT_OK


def _baseline(args: argparse.Namespace, rules) -> int:
    """Write the unacknowledged findings as a baseline, or (``--update``) rewrite one without its resolved
    entries, adding new findings only with ``--add-new``. An entry that stays keeps the day it was first
    written, also when the file is written afresh over an older one."""
    from .engine import evaluate_system
    from .governance import baseline as baselines
    from .governance.exceptions import today

    if args.add_new and not args.update:
        print("aisec: error: --add-new needs --update (without --update every finding is written)", file=sys.stderr)
        return EXIT_USAGE
    loaded = _load(args)
    if loaded is None:
        return EXIT_USAGE
    stacks, policy, _, _ = loaded
    phase = args.phase or policy.phase or Phase.FOUNDATIONAL
    day = today()
    try:
        old = baselines.load(args.output) if args.update or args.output.exists() else None
    except TemplateError as error:
        print(f"aisec: error: {_one_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    findings = evaluate_system(stacks, phase, args.capabilities, rules, policy)
    if any(f.detail == INTERNAL_ERROR for f in findings):
        print("aisec: error: a rule could not evaluate the input (internal error); run `aisec check` to see which; "
              "no baseline written", file=sys.stderr)
        return EXIT_USAGE
    candidates = []
    for f in findings:
        refused = "" if f.acknowledged else policy.baseline_violation(f.id, day, day)
        if refused:
            print(f"aisec: notice: {_one_line(f'{f.id} on {f.stack}/{f.resource} is not baselined: {refused}')}",
                  file=sys.stderr)
        elif not f.acknowledged:
            candidates.append(f)
    summary = ""
    if args.update and old is not None:
        resolved = {e.fingerprint for e in old.resolved(findings, stacks, phase, rules)}
        new = [f for f in candidates if f.fingerprint not in old.entries]
        kept = {k: e for k, e in old.entries.items() if k not in resolved}
        added = baselines.of_findings(new if args.add_new else [], day, version()).entries
        result = baselines.Baseline({**kept, **added}, day, version())
        summary = (f" ({len(resolved)} resolved entr{'y' if len(resolved) == 1 else 'ies'} removed, {len(added)} "
                   f"added" + ("" if args.add_new or not new else f"; {len(new)} new finding(s) not added: "
                                                                     "--add-new adds them") + ")")
    else:
        result = baselines.of_findings(candidates, day, version(), keep=old)
    return _write(result.to_json(), args.output, EXIT_OK,
                  f": {len(result.entries)} finding(s) baselined at {phase.label}{summary}")


def _docs(output: Path, check_only: bool, text: str) -> int:
    if output.is_dir():
        print(f"aisec: error: {output}: is a directory; --output names the Markdown file to write", file=sys.stderr)
        return EXIT_USAGE
    try:
        if check_only:
            current = output.read_text(encoding="utf-8") if output.is_file() else ""
            if current != text:
                print(f"aisec: {output} is out of date: run `aisec docs`", file=sys.stderr)
                return EXIT_FINDINGS
            return EXIT_OK
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"aisec: error: cannot write {output}: {getattr(error, 'strerror', None) or error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {output}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
