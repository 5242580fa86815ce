"""The pack on the AI-dense app (bench/ai_dense.py, 2 stacks of 50 resources): what a user can recover from the synth's
output is every finding, the same as before the pack handed CDK fewer violating resources (the recorded set,
tests/fixtures/ai_dense_findings.json) and the same as the engine computes over the synthesized templates."""
import gc
import json
from pathlib import Path

import pytest

from aisec_rules.cdk.report import SHOWN
from tests import ai_dense

pytestmark = pytest.mark.compat  # also run against the lower bounds (make test-compat)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return ai_dense.synth(str(tmp_path_factory.mktemp("ai-dense"))).directory


def test_the_findings_are_those_recorded_and_those_the_engine_computes(folder):
    found = ai_dense.from_output(folder)
    assert found == ai_dense.from_engine(folder)
    assert found == ai_dense.recorded()  # regenerate after adding rules: see tests/ai_dense.py


def test_every_finding_at_the_enforced_phase_is_in_cdks_report_or_in_the_report_it_points_to(folder):
    advanced = {(i, f"{stack}/{resource}") for phase, i, stack, resource in ai_dense.from_output(folder)
                if phase == "advanced"}
    violations = ai_dense.cdk_violations(folder)
    named = {(v["ruleName"], c["constructPath"]) for v in violations for c in v["violatingConstructs"]}
    assert named <= advanced  # CDK names each resource by its construct path (an L1's: stack/logical id)
    assert {v["ruleName"] for v in violations} == {i for i, _ in advanced}  # every finding id is a violation
    for v in violations:
        mine = {path for i, path in advanced if i == v["ruleName"]}
        listed = {c["constructPath"] for c in v["violatingConstructs"]}
        assert v["severity"] == "error" and len(listed) == min(len(mine), SHOWN)
        if listed != mine:
            assert f"{len(mine)} resources have this finding; the first {SHOWN} are listed here" in v["description"]
            assert v["description"].endswith(f"every one, with its own message, is in {report_path(folder)}.")
    assert len(named) < len(advanced)  # the app has more than SHOWN resources with the same finding


def test_the_json_report_is_at_most_1200_bytes_per_finding(folder):
    size = (Path(folder) / "aisec-report.json").stat().st_size
    findings = sum(len(e["findings"]) for e in json.loads((Path(folder) / "aisec-report.json").read_text())["environments"])
    assert size / findings <= 1200


def report_path(folder: str) -> str:
    """The readiness report as the pack names it: relative to the working directory when below it."""
    path, here = Path(folder, "aisec-report.json").resolve(), Path.cwd().resolve()
    return str(path.relative_to(here)) if path.is_relative_to(here) else str(path)


def test_the_cyclic_garbage_collector_pauses_while_the_pack_judges(tmp_path, monkeypatch):
    import aws_cdk as cdk
    from aws_cdk import Validations

    import aisec_rules.cdk.pack as pack
    from aisec_rules import AiSecurityChecks, Phase

    seen = []
    real = pack.judge

    def judge(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pack, "judge", judge)
    app = cdk.App(outdir=str(tmp_path), context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    ai_dense.ai_dense.build(app, 5)
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ADVANCED))
    app.synth()
    assert seen == [False] and gc.isenabled()
