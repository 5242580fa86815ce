"""The pack's rollout controls end to end, with cdk-nag 3 (make test) and cdk-nag 2 on the lower bounds
(make test-compat): warn mode reports every finding without failing the synth, a baseline silences the debt it
holds and nothing else, and acknowledgements that match no finding are reported (and fail when the policy says so).

The app: a public code interpreter (AISEC-INF-06), a role granting ``bedrock:*`` (AISEC-DATA-01), the environment
controls an agent system lacks (a guardrail, invocation logging, a trail), one interpreter acknowledged in CDK's
``AISEC::`` form (CDK then recomputes the report's success itself) and one acknowledgement that matches nothing."""
import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk import aws_iam as iam

from aisec_rules import AiSecurityChecks, Phase
from aisec_rules.cli import main
from aisec_rules.governance.policy import Policy
from tests.pack_report import synth_report

pytestmark = pytest.mark.compat  # also run against the lower bounds and cdk-nag 2 (make test-compat)

OPEN = {"AISEC-APP-01", "AISEC-APP-18", "AISEC-APP-19", "AISEC-DATA-01[Action::bedrock:*]", "AISEC-DATA-02[Resource::*]",
        "AISEC-INF-06"}
UNUSED = "AISEC-DATA-14 (unused acknowledgement)"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("AISEC_TODAY", "2026-11-29")


def build(app: cdk.App, *, extra_interpreter: bool = False, **pack) -> None:
    stack = Stack(app, "Agents")
    for name, mode in (("Public", "PUBLIC"), ("Acked", "PUBLIC")) + ((("Added", "PUBLIC"),) if extra_interpreter else ()):
        interpreter = agentcore.CfnCodeInterpreterCustom(
            stack, name, name=name.lower(),
            network_configuration=agentcore.CfnCodeInterpreterCustom.CodeInterpreterNetworkConfigurationProperty(
                network_mode=mode))
        if name == "Acked":
            Validations.of(interpreter).acknowledge(Acknowledgment(id="AISEC::AISEC-INF-06",
                                                                   reason="lab account, reviewed by security"))
    role = iam.Role(stack, "AgentRole", assumed_by=iam.ServicePrincipal("bedrock.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["bedrock:*"], resources=["*"]))
    Validations.of(role).acknowledge(Acknowledgment(id="AISEC-DATA-14", reason="left over from an old bucket"))
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.FOUNDATIONAL, policy=pack.pop("policy", Policy()),
                                                     **pack))


def aisec(report) -> dict:
    """{rule name: sorted severities} of the AISEC plugin's violations, one per construct. The interpreter
    acknowledged in CDK's ``AISEC::`` form is an ``info`` violation or, on CDK releases that list such ids apart, a
    suppressed one: either way it shows as "acknowledged"."""
    found: dict = {}
    for plugin in report["pluginReports"]:
        if plugin["pluginName"] == "AISEC":
            for v in plugin["violations"]:
                for c in v["violatingConstructs"]:
                    acked = c["constructPath"] == "Agents/Acked" and v["ruleName"] == "AISEC-INF-06"
                    found.setdefault(v["ruleName"], []).append("acknowledged" if acked else v["severity"])
            for v in plugin.get("suppressedViolations", []):
                found.setdefault(v["ruleName"].split("::")[-1], []).append("acknowledged")
    return {k: sorted(v) for k, v in found.items()}


def test_enforce_mode_fails_and_lists_the_unused_acknowledgement(tmp_path):
    app = cdk.App(outdir=str(tmp_path))
    build(app)
    failed, report = synth_report(app)
    assert failed
    found = aisec(report)
    assert found == {**{i: ["error"] for i in OPEN - {"AISEC-INF-06"}}, "AISEC-INF-06": ["acknowledged", "error"],
                     UNUSED: ["warning"]}
    written = json.loads((tmp_path / "aisec-report.json").read_text())
    assert written["mode"] == "enforce"
    assert [u["id"] for u in written["unused_acknowledgements"]] == ["AISEC-DATA-14"]


@pytest.mark.parametrize("how", ["argument", "context", "policy"])
def test_warn_mode_lists_every_finding_and_never_fails(tmp_path, how):
    context = {"aisec:mode": "warn"} if how == "context" else {}
    app = cdk.App(outdir=str(tmp_path), context=context)
    pack = {"mode": "warn"} if how == "argument" else {"policy": Policy(mode="warn")} if how == "policy" else {}
    build(app, **pack)
    failed, report = synth_report(app)
    assert not failed
    assert aisec(report) == {**{i: ["warning"] for i in OPEN - {"AISEC-INF-06"}},
                                         "AISEC-INF-06": ["acknowledged", "warning"], UNUSED: ["warning"]}
    written = json.loads((tmp_path / "aisec-report.json").read_text())
    assert written["mode"] == "warn"
    assert "Produced in <strong>warn mode</strong>" in (tmp_path / "aisec-report.html").read_text()


def test_warn_mode_does_not_fail_on_unused_acknowledgements_either(tmp_path):
    app = cdk.App(outdir=str(tmp_path), context={"aisec:mode": "warn"})
    build(app, policy=Policy(fail_on_unused_acknowledgements=True))
    failed, report = synth_report(app)
    assert not failed and aisec(report)[UNUSED] == ["warning"]


def test_the_policy_fails_the_synth_on_an_unused_acknowledgement(tmp_path, monkeypatch):
    # everything else is baselined, so the unused acknowledgement alone decides
    first = cdk.App(outdir=str(tmp_path / "first"))
    build(first)
    synth_report(first)
    baseline = tmp_path / "aisec-baseline.json"
    assert main(["baseline", str(tmp_path / "first"), "--phase", "foundational", "--output", str(baseline),
                 "--policy", str(_empty_policy(tmp_path))]) == 0
    app = cdk.App(outdir=str(tmp_path / "second"), context={"aisec:baseline": str(baseline)})
    build(app, policy=Policy(fail_on_unused_acknowledgements=True))
    failed, report = synth_report(app)
    assert failed and aisec(report)[UNUSED] == ["error"]
    plugin = next(p for p in report["pluginReports"] if p["pluginName"] == "AISEC")
    unused = next(v for v in plugin["violations"] if v["ruleName"] == UNUSED)
    assert unused["violatingConstructs"][0]["constructPath"].startswith("Agents/AgentRole")
    assert "matches no finding" in unused["description"]


def _empty_policy(folder: Path) -> Path:
    path = folder / "aisec.toml"
    path.write_text("")
    return path


def test_a_baseline_silences_its_debt_and_nothing_new(tmp_path):
    first = cdk.App(outdir=str(tmp_path / "first"))
    build(first)
    assert synth_report(first)[0]
    baseline = tmp_path / "aisec-baseline.json"
    assert main(["baseline", str(tmp_path / "first"), "--phase", "foundational", "--output", str(baseline),
                 "--policy", str(_empty_policy(tmp_path))]) == 0
    assert sorted(e["id"] for e in json.loads(baseline.read_text())["findings"]) == sorted(OPEN)
    # the same app with the baseline (as the argument): the debt is info, the synth passes
    again = cdk.App(outdir=str(tmp_path / "again"))
    build(again, baseline=str(baseline))
    failed, report = synth_report(again)
    assert not failed
    assert aisec(report) == {**{i: ["info"] for i in OPEN - {"AISEC-INF-06"}},
                                         "AISEC-INF-06": ["acknowledged", "info"], UNUSED: ["warning"]}
    plugin = next(p for p in report["pluginReports"] if p["pluginName"] == "AISEC")
    app01 = next(v for v in plugin["violations"] if v["ruleName"] == "AISEC-APP-01")
    assert app01["description"].startswith("Baselined (since 2026-11-29): ")
    written = json.loads((tmp_path / "again" / "aisec-report.json").read_text())
    assert written["baseline"]["entries"] == 6 and written["summary"]["open_findings_at_enforced_phase"] == 0
    assert written["summary"]["baselined_findings_at_enforced_phase"] == 6
    # a new public interpreter is not in the baseline (the context key names it): only it fails
    grown = cdk.App(outdir=str(tmp_path / "grown"), context={"aisec:baseline": str(baseline)})
    build(grown, extra_interpreter=True)
    failed, report = synth_report(grown)
    assert failed
    errors = {(v["ruleName"], c["constructPath"]) for p in report["pluginReports"] if p["pluginName"] == "AISEC"
              for v in p["violations"] if v["severity"] == "error" for c in v["violatingConstructs"]}
    assert errors == {("AISEC-INF-06", "Agents/Added")}


def test_bad_mode_and_baseline_are_one_line_errors(tmp_path):
    app = cdk.App(outdir=str(tmp_path), context={"aisec:mode": "loud"})
    with pytest.raises(ValueError, match="AiSecurityChecks: context key aisec:mode: mode 'loud' is not one of "
                                         "enforce, warn"):
        AiSecurityChecks(app, policy=Policy())
    with pytest.raises(ValueError, match="AiSecurityChecks: .*missing.json: no such baseline file"):
        AiSecurityChecks(cdk.App(outdir=str(tmp_path)), policy=Policy(), baseline=str(tmp_path / "missing.json"))
