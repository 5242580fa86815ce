"""The findings of a small AI-dense app (bench/ai_dense.py: 2 stacks of 50 resources), three ways:

* :func:`from_output`: what a user can recover from the synth's output: the violations CDK reports (each
  violating construct, by construct path) and the readiness report they point to (``cdk.out/aisec-report.json``);
* :func:`from_engine`: what the engine computes over the same synthesized templates, every phase;
* the recorded set, ``tests/fixtures/ai_dense_findings.json``, written before the pack's report changed
  (issue 25). Regenerate it (after adding rules) with::

      .venv/bin/python -m tests.ai_dense > tests/fixtures/ai_dense_findings.json

Each finding is ``[phase, finding id, stack, logical id]``, once per phase whose evaluation reports it.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Iterable, List, Set, Tuple

import aws_cdk as cdk
from aws_cdk import Validations

from aisec_rules import AiSecurityChecks, Phase
from aisec_rules.engine import evaluate_phases
from aisec_rules.read.loader import load_stacks
from bench import ai_dense

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ai_dense_findings.json"
STACKS, PER_STACK = 2, 50
Key = Tuple[str, str, str, str]  # phase, finding id, stack, logical id


def synth(outdir: str) -> cdk.cx_api.CloudAssembly:
    """The AI-dense app of 2 x 50 resources with ``AiSecurityChecks(phase=ADVANCED)``; findings do not fail it."""
    app = cdk.App(outdir=outdir, context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    ai_dense.build(app, STACKS * PER_STACK, PER_STACK)
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ADVANCED))
    return app.synth()


def from_engine(folder: str) -> Set[Key]:
    """Every phase's findings, as the engine computes them over the synthesized templates."""
    found = evaluate_phases(load_stacks([folder]), list(Phase))
    return {(p.name.lower(), f.id, f.stack, f.resource) for p, fs in found.items() for f in fs}


def recorded() -> Set[Key]:
    return {tuple(k) for k in json.loads(FIXTURE.read_text(encoding="utf-8"))}  # type: ignore[misc]


def dump(keys: Iterable[Key]) -> str:
    return "[\n" + ",\n".join(json.dumps(list(k)) for k in sorted(keys)) + "\n]\n"


def from_output(folder: str) -> Set[Key]:
    """Every phase's findings as the readiness report the synth wrote lists them (each once, with its phases)."""
    report = json.loads((Path(folder) / "aisec-report.json").read_text(encoding="utf-8"))
    return {(p, f["id"], f["stack"], f["resource"]) for e in report["environments"] for f in e["findings"]
            for p in f["phases"]}


def cdk_violations(folder: str) -> List[dict]:
    """The AISEC plugin's violations in CDK's validation-report.json."""
    report = json.loads((Path(folder) / "validation-report.json").read_text(encoding="utf-8"))
    return [v for p in report["pluginReports"] if p["pluginName"] == "AISEC" for v in p["violations"]]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as out:
        sys.stdout.write(dump(from_engine(synth(out).directory)))
