#!/usr/bin/env python3
"""Measure how close `aisec check` stays to reading its input: an `aisec check --phase advanced` series at
1,000 / 4,000 / 16,000 resources of the AI-dense templates of issue 25, against a process that only parses them.

What the table backs (see bench/README.md for a measured run):

* the corpus is the templates of the AI-dense app, synthesized by the CDK from ``bench/ai_dense.py`` (the
  manifest and asset files left out): stacks of 250 resources made of groups of five (a KMS key, rotation on every
  second; an S3 bucket, KMS-encrypted on two of every three; a Bedrock service role, ``bedrock:*`` on every fourth, one model otherwise;
  a guardrail, all six content filters on every second, HATE only otherwise; an agent, with the guardrail on every
  second and a customer managed key on two of every three). Up to 4,000 resources it is one synth; 16,000 is the
  templates of the 4,000-resource synth copied four times (64 files), as in the issue;
* every measurement is a fresh process; its CPU seconds (user + system) and peak memory (``ru_maxrss``) come from
  ``os.wait4``, so they are the process's own, start-up included. ``parse`` reads and parses every file the way the
  loader does (:func:`aisec_rules.read.files.read_text`, :func:`aisec_rules.read.loader.parse`) and nothing else;
  ``text``, ``json`` and ``sarif`` are ``aisec check --phase advanced --format F`` writing to a file;
* with ``--against REF`` the same measurements run for the code of git ref ``REF`` too (its
  ``aisec_rules/``, extracted by ``run.extract_pack``, put first on ``PYTHONPATH``), interleaved with the current code's, and the parse reference is
  the current code's for both: old against new in the same run;
* each figure is the median of ``--repeat`` runs; the ratios are what counts (the machine may be shared).

Usage::

    .venv/bin/python bench/check_series.py                          # 1000,4000,16000; 3 runs each
    .venv/bin/python bench/check_series.py --against main --repeat 3
    .venv/bin/python bench/check_series.py --sizes 1000 --repeat 1  # smoke run
    .venv/bin/python bench/check_series.py --corpus DIR 16000       # write the templates only

Output: a markdown table on stdout and in bench/out/check-series.md, the raw figures in
bench/out/check-series.json; the corpora stay in bench/out/check-corpus/<N>/.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from run import extract_pack  # bench/ is the script's folder, first on sys.path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
GROUP = 5
#: a synth larger than this is the templates of a synth of this size, copied (the issue's 16,000 resources)
SYNTH = 4000
FORMATS = ("text", "json", "sarif")
PARSE = ("import sys\nfrom pathlib import Path\nfrom aisec_rules.read.files import read_text\n"
         "from aisec_rules.read.loader import parse\n"
         "for file in sorted(Path(sys.argv[1]).rglob('*.json')):\n    parse(read_text(file), str(file))\n")

# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------

#: the child that synthesizes ``bench/ai_dense.py`` (argv: resources, output folder); JSII's Node.js deprecation
#: banner goes to its stderr, which :func:`synth` keeps only for an error message
SYNTH_APP = ("import sys\nimport aws_cdk as cdk\nfrom bench.ai_dense import build\n"
             "app = cdk.App(outdir=sys.argv[2])\nbuild(app, int(sys.argv[1]))\napp.synth()\n")


def synth(resources: int, folder: Path) -> List[Path]:
    """The templates of the AI-dense app of ``resources`` resources, synthesized by the CDK into ``folder``."""
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    done = subprocess.run([sys.executable, "-c", SYNTH_APP, str(resources), str(folder)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"synthesizing the AI-dense app of {resources} resources failed:\n{done.stderr[-3000:]}")
    return sorted(folder.glob("*.template.json"))


def write_corpus(resources: int, folder: Path) -> List[Path]:
    """The templates of ``resources`` resources in ``folder`` (written afresh): those of one synth of the AI-dense
    app (``AiDense00.template.json``, ...), or for more than :data:`SYNTH` the templates of a synth of that size copied
    into ``copy0/``, ``copy1/``, ...; returns the files."""
    if resources < GROUP or resources % GROUP or (resources > SYNTH and resources % SYNTH):
        raise ValueError(f"{resources} resources: groups of {GROUP}, and a multiple of {SYNTH} above it")
    shutil.rmtree(folder, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="aisec-synth-") as scratch:
        templates = synth(min(resources, SYNTH), Path(scratch))
        targets = [folder / f"copy{c}" for c in range(resources // SYNTH)] if resources > SYNTH else [folder]
        written = []
        for target in targets:
            target.mkdir(parents=True)
            written += [Path(shutil.copy2(template, target / template.name)) for template in templates]
    return written


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


def measure(command: Sequence[str], env: Dict[str, str], output: Path) -> dict:
    """One process: its CPU seconds (user + system), wall seconds and peak memory in MB, stdout to ``output``. It
    runs in the folder of ``output``: ``python -m`` and ``-c`` put the working directory first on ``sys.path``, so
    in the checkout it would import the checkout's code whatever ``PYTHONPATH`` says."""
    with output.open("wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=output.parent, env=env, stdout=sink, stderr=subprocess.PIPE)
        assert process.stderr is not None
        stderr = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed (exit {process.returncode}):\n{stderr.decode()[-3000:]}")
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "rss_mb": usage.ru_maxrss / 1024,
            "bytes": output.stat().st_size}


def environment(code: Path) -> Dict[str, str]:
    """The environment of a child process that imports ``aisec_rules`` from ``code`` (before the editable install of
    the checkout)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(code)
    return env


def commands(corpus: Path) -> Dict[str, List[str]]:
    check = [sys.executable, "-m", "aisec_rules.cli", "check", "--phase", "advanced", str(corpus), "--format"]
    return {"parse": [sys.executable, "-c", PARSE, str(corpus)], **{f: check + [f] for f in FORMATS},
            "which": [sys.executable, "-c", "import aisec_rules; print(aisec_rules.__file__)"]}


def series(sizes: Sequence[int], repeat: int, against: Optional[str]) -> dict:
    """Every size, ``repeat`` rounds of parse, text, JSON, SARIF (new, then old with ``against``), interleaved."""
    runs: List[dict] = []
    with tempfile.TemporaryDirectory(prefix="aisec-series-") as scratch:
        codes = {"new": ROOT, **({"old": extract_pack(against)} if against else {})}
        try:
            for size in sizes:
                corpus = OUT / "check-corpus" / str(size)
                files = write_corpus(size, corpus)
                for round_ in range(repeat):
                    for code, where in codes.items():
                        for what, command in commands(corpus).items():
                            if what == "which":
                                imported = subprocess.run(command, cwd=scratch, env=environment(where),
                                                          capture_output=True, text=True).stdout.strip()
                                if not Path(imported).is_relative_to(where):
                                    raise SystemExit(f"the {code} code imports aisec_rules from {imported}, not "
                                                     f"from {where}")
                                continue
                            if what == "parse" and code != "new":
                                continue
                            figures = measure(command, environment(where), Path(scratch) / "out")
                            runs.append({"size": size, "files": len(files), "code": code, "what": what, **figures})
                            print(f"  N={size:<6} run {round_ + 1}/{repeat} {code:<3} {what:<5} cpu {figures['cpu']:7.2f} s"
                                  f"  peak {figures['rss_mb']:6.0f} MB", file=sys.stderr)
        finally:
            if against:
                shutil.rmtree(codes["old"], ignore_errors=True)
    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {"against": against, "revision": revision.stdout.strip(), "repeat": repeat, "runs": runs}


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def report(saved: dict) -> str:
    """The ratios of a series: each format's CPU time over parse-only, JSON's and SARIF's time and peak memory over
    text's, per code (new, and old with ``--against``)."""
    runs = saved["runs"]

    def med(size: int, code: str, what: str, key: str) -> float:
        return statistics.median(r[key] for r in runs if (r["size"], r["code"], r["what"]) == (size, code, what))

    sizes = sorted({r["size"] for r in runs})
    codes = [c for c in ("old", "new") if any(r["code"] == c for r in runs)]
    lines = [f"`aisec check --phase advanced` on the AI-dense templates, medians of {saved['repeat']} run(s) "
             f"(code `{saved['revision']}`" + (f", old: `{saved['against']}`" if saved["against"] else "") + ")",
             "",
             "| N | files | code | parse-only CPU s | text CPU s | text / parse | JSON / text time | SARIF / text time "
             "| text peak MB | JSON / text memory | SARIF / text memory |",
             "|" + "---|" * 11]
    for size in sizes:
        parse = med(size, "new", "parse", "cpu")
        files = next(r["files"] for r in runs if r["size"] == size)
        for code in codes:
            text, rss = med(size, code, "text", "cpu"), med(size, code, "text", "rss_mb")
            lines.append(
                f"| {size} | {files} | {code} | {parse:.2f} | {text:.2f} | {text / parse:.1f} "
                f"| {med(size, code, 'json', 'cpu') / text:.2f} | {med(size, code, 'sarif', 'cpu') / text:.2f} "
                f"| {rss:.0f} | {med(size, code, 'json', 'rss_mb') / rss:.2f} | {med(size, code, 'sarif', 'rss_mb') / rss:.2f} |")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,4000,16000", help="comma-separated resource counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--against", metavar="REF", help="also measure the code of this git ref (old against new)")
    parser.add_argument("--corpus", nargs=2, metavar=("DIR", "N"), help="write the templates of N resources to DIR")
    parser.add_argument("--render", metavar="JSON", type=Path, help="print the table of a saved series")
    args = parser.parse_args(argv)
    if args.corpus:
        files = write_corpus(int(args.corpus[1]), Path(args.corpus[0]))
        print(f"wrote {len(files)} templates to {args.corpus[0]}")
        return 0
    if args.render:
        print(report(json.loads(args.render.read_text(encoding="utf-8"))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    saved = series(sizes, args.repeat, args.against)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "check-series.json").write_text(json.dumps(saved, indent=1), encoding="utf-8")
    text = report(saved)
    (OUT / "check-series.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
