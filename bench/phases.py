#!/usr/bin/env python3
"""Where one synth of the bench app spends its time, phase by phase: a diagnostic next to run.py.

    .venv/bin/python bench/phases.py aisec 4000                 # one synth, phases as one JSON line
    .venv/bin/python bench/phases.py aisec 4000 --shape ai-dense   # the AI-dense app (bench/ai_dense.py)
    .venv/bin/python bench/phases.py aisec 4000 --node-profile bench/out/prof   # + Node CPU profile summary

Variants as in run.py (plain, aisec, awssolutions). aws-cdk-lib's built-in
CloudFormation Validate plugin is off (CDK_VALIDATION=false) unless --cdk-validation is given: it runs
after the packs' plugins and its seconds of noise would land in "after". Phases, wall and CPU:

* pre: app.synth() until the pack's validate() is called (aspects, template writing);
* validate: inside the pack's validate(); for aisec split into engine (evaluate_system) and the rest;
* after: from validate() returning to app.synth() returning: jsii serializes the report in Python,
  the kernel deserializes it, CDK infers construct paths, collects stack traces and acknowledgements,
  formats and writes validation-report.json (and the text report);
* *_cpu: user + system CPU of Python and its Node.js children; *_pycpu: the Python process alone.

With --node-profile DIR, the jsii kernel runs under `node --cpu-prof` and the summary lists the
Node-side milliseconds of CDK's per-violation steps after validate().
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
#: CDK functions (core/lib/private/synthesis-validation.js and friends) that run per violation after
#: validate(), and the jsii kernel's deserialization of the returned report
NODE_STEPS = ("deserialize", "inferConstructPathsFromLogicalIds", "collectViolationStackTraces", "collectSuppressions",
              "formatJson", "formatReports", "writeFileSync", "ConstructTree")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variant", choices=("plain", "aisec", "awssolutions"))
    parser.add_argument("size", type=int)
    parser.add_argument("--shape", choices=("mixed", "ai-dense"), default="mixed", help="the app, as in run.py")
    parser.add_argument("--cdk-validation", action="store_true", help="leave aws-cdk-lib's CloudFormation Validate plugin on")
    parser.add_argument("--node-profile", metavar="DIR", type=Path, help="run the jsii kernel under node --cpu-prof into DIR")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.child:  # synthesize in a child: the kernel writes its profile only when it exits
        env = dict(os.environ)
        env.pop("CDK_VALIDATION", None)
        if not args.cdk_validation:
            env["CDK_VALIDATION"] = "false"
        env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
        if args.node_profile:
            args.node_profile.mkdir(parents=True, exist_ok=True)
            for old in args.node_profile.glob("*.cpuprofile"):
                old.unlink()
            wrapper = args.node_profile / "node-cpu-prof.sh"
            wrapper.write_text(f'#!/bin/sh\nexec node --cpu-prof --cpu-prof-dir="{args.node_profile.resolve()}" "$@"\n')
            wrapper.chmod(0o755)
            env["JSII_NODE"] = str(wrapper)  # jsii starts its kernel with $JSII_NODE
        done = subprocess.run([sys.executable, __file__, *sys.argv[1:], "--child"], env=env, capture_output=True, text=True)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode or not lines:
            sys.exit(f"synth failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
        result = json.loads(lines[-1])
        if args.node_profile:
            result["node_ms_in_validateTemplates"] = summarize_profile(args.node_profile)
        print(json.dumps(result))
        return 0
    sys.path.insert(0, str(BENCH))
    import run as bench  # the bench app and its variants

    import aws_cdk as cdk  # noqa: F401
    if args.variant != "plain":
        import cdk_nag  # noqa: F401
    if args.variant.startswith("aisec"):
        import aisec_rules.cdk.pack  # noqa: F401
        import aisec_rules.registry  # noqa: F401

    marks = {}

    def mark(name):
        marks[name] = (time.perf_counter(), bench.tree_cpu_seconds() or 0.0, time.process_time())

    real_register = bench._register

    def register(app, variant):  # run.py's registration, with validate() wrapped in marks
        timed = bench._timed

        def marking(pack_class):
            class Marked(timed(pack_class)):
                def validate(self, context):
                    mark("v0")
                    try:
                        return super().validate(context)
                    finally:
                        mark("v1")
            return Marked

        bench._timed = marking
        try:
            real_register(app, variant)
        finally:
            bench._timed = timed

    bench._register = register
    outdir = tempfile.mkdtemp(prefix=f"phases-{args.variant}-")
    app = bench.build_app(args.size, args.variant, outdir, args.shape)
    mark("s0")
    app.synth()
    mark("s1")

    def span(a, b):
        return {"": round(marks[b][0] - marks[a][0], 3), "_cpu": round(marks[b][1] - marks[a][1], 3),
                "_pycpu": round(marks[b][2] - marks[a][2], 3)}

    result = {"variant": args.variant, "size": args.size, "cdk_validation": args.cdk_validation}
    for name, (a, b) in {"synth": ("s0", "s1"), "pre": ("s0", "v0"), "validate": ("v0", "v1"),
                         "after": ("v1", "s1")}.items():
        if a in marks and b in marks:
            result.update({name + k: v for k, v in span(a, b).items()})
    if bench.ENGINE_SECONDS:
        result["engine"] = round(sum(bench.ENGINE_SECONDS), 3)
    report = Path(outdir) / "validation-report.json"
    if report.exists():
        plugins = json.loads(report.read_text()).get("pluginReports", [])
        result["report"] = {p["pluginName"]: [len(p["violations"]), sum(len(v["violatingConstructs"]) for v in p["violations"])]
                            for p in plugins}
        result["report_bytes"] = report.stat().st_size
    print(json.dumps(result), flush=True)
    return 0


def summarize_profile(directory: Path) -> dict:
    """Node-side milliseconds (inclusive) of NODE_STEPS in the largest .cpuprofile of `directory` (the
    kernel process), counted only inside CDK's doInvokeValidationPlugins/validateTemplates."""
    profiles = sorted(directory.glob("*.cpuprofile"), key=lambda p: p.stat().st_size)
    if not profiles:
        return {}
    data = json.loads(profiles[-1].read_text())
    nodes = {n["id"]: n for n in data["nodes"]}
    parent = {child: n["id"] for n in data["nodes"] for child in n.get("children", ())}
    totals = dict.fromkeys(NODE_STEPS, 0)
    for sample, delta in zip(data["samples"], data["timeDeltas"], strict=False):
        names, nid = set(), sample
        while nid is not None:
            names.add(nodes[nid]["callFrame"]["functionName"])
            nid = parent.get(nid)
        if "validateTemplates" not in names:
            continue
        for step in NODE_STEPS:
            if step in names:
                totals[step] += delta
    return {step: round(us / 1000, 1) for step, us in totals.items()}


if __name__ == "__main__":
    sys.exit(main())
