"""Run ``aisec check`` over a corpus of real CloudFormation and SAM templates from public repositories, one
file at a time as a CI job would, and report internal errors, timeouts and refusals by kind.

Usage::

    python scripts/corpus.py [--timeout S] [--jobs N] [--aisec CMD] [--out FILE] [--limit N] SOURCE [SOURCE ...]

A SOURCE is a git URL (cloned bare, depth 1, into a temporary folder: needs the network), a local bare git
folder (``git --git-dir`` reads its ``HEAD``), or a plain folder of files. The sources used for issue 23:

* ``https://github.com/aws-cloudformation/cfn-lint``: the linter's test templates (``test/fixtures/templates``);
* ``https://github.com/aws-samples/serverless-patterns``: AWS samples, SAM and CloudFormation patterns;
* ``https://github.com/aws/serverless-application-model``: the SAM translator's test inputs
  (``tests/translator/input``) and docs examples;
* ``https://github.com/aws/aws-sam-cli``: SAM CLI test data (``tests/**/testdata``);
* ``https://github.com/bridgecrewio/checkov``: checkov's CloudFormation test templates
  (``tests/cloudformation``);
* ``https://github.com/aws/aws-cdk``: CDK integration snapshots (``*.snapshot/*.template.json``).

A file is picked when its name ends in ``.json``, ``.yaml``, ``.yml`` or ``.template``, it is at most 1 MB and
its text marks a template (``AWSTemplateFormatVersion``, the SAM transform, or a top-level ``Resources``
section). Each one is scanned with ``aisec check FILE --format sarif`` in its own process, with no AWS
credentials in its environment. Every outcome is classified (:func:`classify`):

* ``scanned``: exit 0 or 1 and the SARIF output parses as JSON;
* ``refused``: exit 2 with one ``aisec: error:`` line (the kind is the message with the file name, quoted
  text and numbers taken out, so that equal problems count together);
* ``internal-error``: a traceback, an ``aisec: internal error`` line, a rule that could not evaluate the
  input, output that is not valid JSON, or any other exit code;
* ``timeout``: still running after ``--timeout`` seconds (killed).

The report prints one line per outcome and kind with its count, and writes every file's outcome to ``--out``
(JSON, default ``corpus-results.json``). This script is not part of ``make test``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

SUFFIXES = (".json", ".yaml", ".yml", ".template")
MAX_BYTES = 1_000_000
_TEMPLATE_MARK = re.compile(r'AWSTemplateFormatVersion|AWS::Serverless-2016-10-31|"Resources"\s*:|^Resources\s*:', re.M)
#: environment variables a scan never gets: no credentials, no profile, no endpoint
_DROPPED = re.compile(r"^AWS_")


class Outcome(NamedTuple):
    """What one scan came to: ``outcome`` (scanned, refused, internal-error, timeout) and its ``kind``."""

    outcome: str
    kind: str


def classify(returncode: Optional[int], stdout: str, stderr: str) -> Outcome:
    """The outcome of one ``aisec check --format sarif`` run; ``returncode`` None means it timed out."""
    if returncode is None:
        return Outcome("timeout", "timeout")
    errors = [line for line in stderr.splitlines() if line.startswith("aisec: ")]
    if "Traceback (most recent call last)" in stderr:  # the exception line: the last unindented one of the traceback
        trace = stderr[stderr.rindex("Traceback (most recent call last)"):].splitlines()[1:]
        raised = [line for line in trace if line.strip() and not line.startswith((" ", "aisec: "))][-1:]
        return Outcome("internal-error", "traceback: " + _kind(raised[0] if raised else "", named=False))
    internal = [line for line in errors if line.startswith("aisec: internal error:")]
    if internal:
        return Outcome("internal-error", _kind(internal[0][len("aisec: internal error:"):], named=False))
    if any("could not evaluate the input" in line for line in errors):
        return Outcome("internal-error", "a rule could not evaluate the input")
    if returncode in (0, 1):
        try:
            json.loads(stdout)
        except ValueError:
            return Outcome("internal-error", "the SARIF output is not valid JSON")
        return Outcome("scanned", "findings" if returncode == 1 else "no finding")
    refusals = [line for line in errors if line.startswith("aisec: error:")]
    if returncode == 2 and len(refusals) == 1:
        return Outcome("refused", _kind(refusals[0][len("aisec: error:"):]))
    last_line = stderr.strip().splitlines()[-1] if stderr.strip() else "no message"
    return Outcome("internal-error", f"exit {returncode}: " + _kind(last_line, named=False))


def _kind(message: str, named: bool = True) -> str:
    """A message with what varies from file to file taken out: the file name it starts with (``named``), quoted
    text, numbers."""
    text = message.strip()
    if named:
        text = re.sub(r"^\S+?: ", "", text, count=1)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
    text = re.sub(r"\d+", "N", text)
    return text[:160]


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], check=True, capture_output=True).stdout


def files(source: str, workdir: Path) -> Iterator[Tuple[str, bytes]]:
    """(path inside the source, content) of every file of a source that may be a template."""
    path = Path(source)
    if path.is_dir() and not (path / "HEAD").is_file() and not (path / ".git").exists():
        for file in sorted(path.rglob("*")):
            if file.is_file() and file.name.endswith(SUFFIXES) and file.stat().st_size <= MAX_BYTES:
                yield str(file.relative_to(path)), file.read_bytes()
        return
    if path.is_dir():
        git_dir = path / ".git" if (path / ".git").exists() else path
    else:  # a URL: a bare, shallow clone
        git_dir = workdir / re.sub(r"[^A-Za-z0-9]+", "-", source).strip("-")
        if not git_dir.exists():
            subprocess.run(["git", "clone", "--quiet", "--bare", "--depth", "1", source, str(git_dir)], check=True)
    listing = _git(git_dir, "ls-tree", "-r", "-l", "-z", "HEAD").split(b"\0")
    for entry in listing:
        if not entry:
            continue
        meta, name = entry.split(b"\t", 1)
        _mode, kind, sha, size = meta.split()
        text_name = name.decode("utf-8", "replace")
        if kind == b"blob" and text_name.endswith(SUFFIXES) and size.isdigit() and int(size) <= MAX_BYTES:
            yield text_name, _git(git_dir, "cat-file", "blob", sha.decode())


def looks_like_template(content: bytes) -> bool:
    return bool(_TEMPLATE_MARK.search(content.decode("utf-8", "replace")))


def scan(aisec: List[str], file: Path, timeout: float) -> Dict[str, object]:
    """Scan one file in its own process; its outcome, kind, exit code, seconds and first error line."""
    env = {k: v for k, v in os.environ.items() if not _DROPPED.match(k)}
    start = time.monotonic()
    try:
        done = subprocess.run([*aisec, "check", str(file), "--format", "sarif"], capture_output=True, text=True,
                              errors="replace", timeout=timeout, env=env, stdin=subprocess.DEVNULL)
        returncode: Optional[int] = done.returncode
        stdout, stderr = done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        returncode, stdout, stderr = None, "", ""
    outcome = classify(returncode, stdout, stderr)
    errors = [line for line in stderr.splitlines() if line.startswith("aisec: ") and "notice" not in line]
    return {"outcome": outcome.outcome, "kind": outcome.kind, "exit": returncode,
            "seconds": round(time.monotonic() - start, 3), "message": errors[0][:500] if errors else ""}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sources", nargs="+")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--aisec", default=str(Path(sys.executable).parent / "aisec"), help="the aisec command")
    parser.add_argument("--out", type=Path, default=Path("corpus-results.json"))
    parser.add_argument("--limit", type=int, default=0, help="scan at most this many files per source (0: all)")
    args = parser.parse_args(argv)
    aisec = args.aisec.split()
    results: Dict[str, Dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="aisec-corpus-") as tmp:
        work = Path(tmp)
        jobs: List[Tuple[str, Path]] = []
        for number, source in enumerate(args.sources):
            picked = 0
            for name, content in files(source, work):
                if not looks_like_template(content) or (args.limit and picked >= args.limit):
                    continue
                picked += 1
                local = work / f"s{number}" / name
                local.parent.mkdir(parents=True, exist_ok=True)
                local.write_bytes(content)
                jobs.append((f"{source}:{name}", local))
        print(f"{len(jobs)} templates picked; scanning with {args.jobs} job(s)", file=sys.stderr)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for done, (key, result) in enumerate(zip((k for k, _ in jobs), pool.map(
                    lambda job: scan(aisec, job[1], args.timeout), jobs), strict=True), start=1):
                results[key] = result
                if done % 250 == 0:
                    print(f"{done}/{len(jobs)} scanned", file=sys.stderr)
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(report(results))
    print(f"every file's outcome: {args.out}")
    return 0


def report(results: Dict[str, Dict[str, object]]) -> str:
    """One line per outcome and kind with its count, most frequent first; the totals per outcome first."""
    outcomes = Counter(str(r["outcome"]) for r in results.values())
    kinds = Counter((str(r["outcome"]), str(r["kind"])) for r in results.values())
    lines = [f"{len(results)} files: " + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))]
    slowest = max((float(str(r["seconds"])) for r in results.values()), default=0.0)
    lines.append(f"slowest scan: {slowest:.2f} s")
    lines += [f"{count:6d}  {outcome}: {kind}" for (outcome, kind), count in
              sorted(kinds.items(), key=lambda item: (item[0][0] == "scanned", -item[1], item[0]))]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
