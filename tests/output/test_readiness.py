"""Readiness across phases and governed exceptions, on three fixture systems synthesized once:

* ``Foundational`` (account 1): an answers workload at Foundational: meets Foundational only;
* ``Exceptions`` (account 2): the same at Enhanced, plus an analyst role granting ``bedrock:*`` on one
  model (acknowledged until 2027-01-15) and the guardrail's automated-reasoning finding acknowledged
  until 2026-11-01 (expired on the fixed day of these tests): meets Enhanced;
* the ``Exceptions`` system again under a policy that forbids acknowledging AISEC-DATA-01: meets nothing.
"""
import datetime as dt
import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk import aws_iam as iam

from aisec_constructs.workload import AiWorkload
from aisec_rules import AiSecurityChecks, Phase
from aisec_rules.cli import main
from aisec_rules.read.loader import load_stacks
from aisec_rules.governance.policy import Policy
from aisec_rules.output.readiness import SCHEMA_VERSION, assess
from aisec_rules.governance.exceptions import expiring

TODAY = dt.date(2026, 11, 29)
ENV_1 = "aws://111111111111/eu-west-1"
ENV_2 = "aws://222222222222/eu-west-1"
MODEL = "amazon.nova-lite-v1:0"


def build(app: cdk.App) -> None:
    first = cdk.Stack(app, "Foundational", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    AiWorkload(first, "Workload", capabilities=["answers"], phase="foundational", model_ids=[MODEL])
    second = cdk.Stack(app, "Exceptions", env=cdk.Environment(account="222222222222", region="eu-west-1"))
    workload = AiWorkload(second, "Workload", capabilities=["answers"], phase="enhanced", model_ids=[MODEL])
    role = iam.Role(second, "Analyst", assumed_by=iam.AccountRootPrincipal())
    role.add_to_policy(iam.PolicyStatement(actions=["bedrock:*"],
                                           resources=[f"arn:aws:bedrock:eu-west-1::foundation-model/{MODEL}"]))
    Validations.of(role).acknowledge(expiring("AISEC-DATA-01[Action::bedrock:*]",
                                              "break-glass analyst role, reviewed monthly by security", "2027-01-15"))
    Validations.of(workload.guardrail).acknowledge(expiring(
        "AISEC-APP-10", "no domain rules to formalize for this assistant yet", dt.date(2026, 11, 1)))


@pytest.fixture(scope="module")
def assembly(tmp_path_factory):
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("readiness")),
                  context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    build(app)
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ENHANCED, policy=Policy()))
    return app.synth()


@pytest.fixture(scope="module")
def report(assembly):
    return assess(load_stacks([assembly.directory]), enforced=Phase.ENHANCED, policy=Policy(), today=TODAY).to_dict()


def environment(report, name):
    return next(e for e in report["environments"] if e["name"] == name)


def by_id(env):
    """The environment's findings by the id the per-phase views name them with (their fingerprint)."""
    return {f["fingerprint"]: f for f in env["findings"]}


def matrix(env, state):
    """{(layer, phase): rule ids in ``state``} of the cells that have any"""
    return {(c["layer"], c["phase"]): c[state] for c in env["matrix"] if c[state]}


#: the cells every answers-only workload here shares: not applicable for lack of acts, connects or SageMaker
#: (INF-04 and INF-13 apply to answering systems since issue 22: model-calling functions, SageMaker model images)
NOT_APPLICABLE = {
    ("INF", "foundational"): ["AISEC-INF-06", "AISEC-INF-14", "AISEC-INF-17"],
    ("INF", "enhanced"): ["AISEC-INF-02", "AISEC-INF-05", "AISEC-INF-07", "AISEC-INF-08",
                          "AISEC-INF-09", "AISEC-INF-15", "AISEC-INF-16",
                          "AISEC-INF-18"],
    ("INF", "advanced"): ["AISEC-INF-19"],
    ("DATA", "foundational"): ["AISEC-DATA-12"],  # DATA-04 (PassRole) applies to every capability
    ("DATA", "enhanced"): ["AISEC-DATA-05", "AISEC-DATA-09", "AISEC-DATA-10", "AISEC-DATA-11", "AISEC-DATA-18",
                           "AISEC-DATA-19", "AISEC-DATA-20", "AISEC-DATA-24", "AISEC-DATA-26", "AISEC-DATA-27",
                           "AISEC-DATA-28", "AISEC-DATA-32"],
    ("DATA", "advanced"): ["AISEC-DATA-07", "AISEC-DATA-25"],
    ("APP", "foundational"): ["AISEC-APP-04", "AISEC-APP-14"],
    ("APP", "enhanced"): ["AISEC-APP-06", "AISEC-APP-11", "AISEC-APP-13", "AISEC-APP-15", "AISEC-APP-21",
                          "AISEC-APP-22", "AISEC-APP-25"],
    ("APP", "advanced"): ["AISEC-APP-12", "AISEC-APP-16", "AISEC-APP-28", "AISEC-APP-29", "AISEC-APP-32"],
}


def test_a_foundational_workload_meets_foundational_only(report):
    env = environment(report, ENV_1)
    assert env["verdict"]["highest_phase_met"] == "foundational"
    assert env["verdict"]["next_phase"] == "enhanced"
    gaps = env["verdict"]["missing_for_next_phase"]
    assert [(g["rule_id"], g["severity"], g["open_findings"]) for g in gaps] == [
        ("AISEC-APP-23", "high", 2), ("AISEC-APP-24", "medium", 2)]  # detector and routing; usage alarms and (issue
    # 22) the cost guardrail
    assert gaps[0]["construct"] == "aisec_constructs.detection.ThreatDetection, IncidentResponse"
    assert gaps[0]["remediation"].startswith("Add `aisec_constructs.detection.ThreatDetection`")
    assert matrix(env, "not_applicable") == NOT_APPLICABLE
    assert matrix(env, "missing") == {
        ("APP", "enhanced"): ["AISEC-APP-23", "AISEC-APP-24"],
        # APP-31: the baseline's trail bucket is not write-once below Advanced
        ("APP", "advanced"): ["AISEC-APP-09", "AISEC-APP-10", "AISEC-APP-27", "AISEC-APP-30", "AISEC-APP-31",
                              "AISEC-APP-33"]}
    assert matrix(env, "acknowledged") == matrix(env, "baselined") == {}
    # no VPC at Foundational (IsolatedNetwork comes at Enhanced), no API, no conversation store, no prompt
    assert matrix(env, "nothing_to_judge") == {
        ("INF", "enhanced"): ["AISEC-INF-01", "AISEC-INF-10", "AISEC-INF-11", "AISEC-INF-12", "AISEC-INF-13",
                              "AISEC-INF-20"],
        ("INF", "advanced"): ["AISEC-INF-03"], ("DATA", "enhanced"): ["AISEC-DATA-21", "AISEC-DATA-31"],
        ("APP", "foundational"): ["AISEC-APP-17", "AISEC-APP-34"], ("APP", "advanced"): ["AISEC-APP-26"]}
    assert matrix(env, "met") == {
        ("INF", "enhanced"): ["AISEC-INF-04"],  # functions that call no model
        ("DATA", "foundational"): ["AISEC-DATA-01", "AISEC-DATA-02", "AISEC-DATA-03", "AISEC-DATA-04",
                                   "AISEC-DATA-14", "AISEC-DATA-17", "AISEC-DATA-30"],
        ("DATA", "enhanced"): ["AISEC-DATA-06", "AISEC-DATA-13", "AISEC-DATA-15", "AISEC-DATA-16", "AISEC-DATA-22",
                               "AISEC-DATA-29"],
        ("DATA", "advanced"): ["AISEC-DATA-08", "AISEC-DATA-23"],
        ("APP", "foundational"): ["AISEC-APP-01", "AISEC-APP-02", "AISEC-APP-03", "AISEC-APP-18", "AISEC-APP-19"],
        ("APP", "enhanced"): ["AISEC-APP-05", "AISEC-APP-07", "AISEC-APP-08", "AISEC-APP-20"]}
    assert env["exceptions"] == []


def test_an_enhanced_workload_with_two_exceptions_one_expired(report):
    env = environment(report, ENV_2)
    assert env["verdict"]["highest_phase_met"] == "enhanced"
    assert [g["rule_id"] for g in env["verdict"]["missing_for_next_phase"]] == [
        "AISEC-APP-09", "AISEC-APP-31", "AISEC-APP-27", "AISEC-APP-30", "AISEC-APP-33", "AISEC-DATA-08",
        "AISEC-APP-10"]  # by severity, phase, id
    assert matrix(env, "acknowledged") == {("DATA", "foundational"): ["AISEC-DATA-01"],
                                           ("DATA", "advanced"): ["AISEC-DATA-23"]}
    assert matrix(env, "missing") == {("DATA", "advanced"): ["AISEC-DATA-08"],
                                      ("APP", "advanced"): ["AISEC-APP-09", "AISEC-APP-10", "AISEC-APP-27",
                                                            "AISEC-APP-30", "AISEC-APP-31", "AISEC-APP-33"]}  # expired
    assert matrix(env, "met")[("INF", "enhanced")] == ["AISEC-INF-01", "AISEC-INF-04", "AISEC-INF-12"]  # IsolatedNetwork
    assert matrix(env, "nothing_to_judge")[("INF", "enhanced")] == ["AISEC-INF-10", "AISEC-INF-11", "AISEC-INF-13",
                                                                    "AISEC-INF-20"]
    register = [(x["finding_id"], x["stack"], x["expires"], x["state"], x["in_force"]) for x in env["exceptions"]]
    assert register == [
        ("AISEC-APP-10", "Exceptions", "2026-11-01", "expired", False),
        ("AISEC-DATA-01[Action::bedrock:*]", "Exceptions", "2027-01-15", "in force", True),
        ("AISEC-DATA-23", "Exceptions", None, "in force", True),  # IsolatedNetwork's flow logs, by design
    ]
    expired = env["exceptions"][0]
    assert expired["reason"] == "no domain rules to formalize for this assistant yet"
    assert expired["problem"] == "it expired on 2026-11-01"


def test_a_forbidden_acknowledgement_silences_nothing(assembly):
    policy = Policy(forbid_acknowledging=frozenset({"AISEC-DATA-01"}), source="aisec.toml")
    env = environment(assess(load_stacks([assembly.directory]), policy=policy, today=TODAY).to_dict(), ENV_2)
    assert env["verdict"]["highest_phase_met"] is None
    assert [g["rule_id"] for g in env["verdict"]["missing_for_next_phase"]] == ["AISEC-DATA-01"]
    entry = next(x for x in env["exceptions"] if x["rule_id"] == "AISEC-DATA-01")
    assert entry["state"] == "invalid"
    assert entry["problem"] == "AISEC-DATA-01 may not be acknowledged: forbid_acknowledging (policy aisec.toml)"


def test_soon_to_expire_exceptions_are_flagged(assembly):
    env = environment(assess(load_stacks([assembly.directory]), today=dt.date(2027, 1, 1)).to_dict(), ENV_2)
    states = {x["finding_id"]: x["state"] for x in env["exceptions"]}
    assert states["AISEC-DATA-01[Action::bedrock:*]"] == "expiring"


def test_risks_count_open_findings_at_advanced_by_threat(report):
    env = environment(report, ENV_1)
    risks = {r["id"]: (r["name"], r["open_findings"], r["baselined_findings"]) for r in env["risks"]}
    # APP-30: two unprobed guardrails; APP-31: the trail bucket (x2); APP-33: one per missing part; LLM10 counts the
    # cost guardrail APP-24 asks for since issue 22
    assert risks == {"LLM01": ("Prompt Injection", 11, 0), "T8": ("Repudiation and Untraceability", 10, 0),
                     "LLM10": ("Unbounded Consumption", 4, 0), "LLM09": ("Misinformation", 2, 0),
                     "LLM07": ("System Prompt Leakage", 2, 0), "LLM02": ("Sensitive Information Disclosure", 1, 0)}


def test_every_met_control_names_the_resources_it_judged(report):
    """A control is met only with evidence: the resources of the kinds it judges, named with their stack; a
    control with nothing to judge says what it looked for."""
    env = environment(report, ENV_2)
    controls = {c["id"]: c for cell in env["matrix"] for c in cell["controls"]}
    assert len(controls) == 86
    for control in controls.values():
        judged = control["judged"]
        assert judged["count"] == len(judged["resources"])
        if control["state"] == "met":
            assert judged["count"] >= 1 and {r["type"] for r in judged["resources"]} <= set(control["judges"])
        if control["state"] in ("nothing_to_judge", "not_applicable"):
            assert judged["count"] == 0 and control["findings"] == []
    trail = controls["AISEC-APP-19"]  # an environment rule: met because the trail exists
    assert [(r["stack"], r["type"]) for r in trail["judged"]["resources"]] == [("Exceptions", "AWS::CloudTrail::Trail")]
    assert [r["type"] for r in controls["AISEC-INF-12"]["judged"]["resources"]] == ["AWS::EC2::VPC"]
    assert controls["AISEC-INF-10"]["judges"] == ["AWS::ApiGateway::Stage", "AWS::ElasticLoadBalancingV2::LoadBalancer",
                                                  "AWS::AppSync::GraphQLApi", "AWS::Cognito::UserPool",
                                                  "AWS::CloudFront::Distribution", "AWS::BedrockAgentCore::Gateway"]
    acknowledged = controls["AISEC-DATA-01"]
    assert acknowledged["state"] == "acknowledged"
    findings = by_id(env)
    assert [(findings[i]["id"], findings[i]["acknowledged"], findings[i]["exception"]["state"])
            for i in acknowledged["findings"]] == [("AISEC-DATA-01[Action::bedrock:*]", True, "in force")]
    assert controls["AISEC-INF-06"]["applies_to"] == {"capabilities": ["acts"], "services": []}


def test_json_shape_is_versioned(report):
    assert report["schema_version"] == SCHEMA_VERSION == 2
    assert set(report) == {"schema_version", "tool", "date", "enforced_phase", "mode", "policy", "baseline",
                           "baseline_resolved", "unused_acknowledgements", "environments", "summary"}
    assert report["enforced_phase"] == "enhanced" and report["date"] == "2026-11-29"
    assert report["mode"] == "enforce" and report["baseline"] is None and report["unused_acknowledgements"] == []
    env = report["environments"][0]
    assert set(env) == {"name", "label", "stacks", "capabilities", "services", "verdict", "matrix", "risks",
                        "exceptions", "evidence", "findings"}
    # each finding once, with the phases that report it; the views name findings by id
    findings = by_id(env)
    assert len(findings) == len(env["findings"]) > 0
    assert all(f["phases"] and set(f["phases"]) <= {"foundational", "enhanced", "advanced"} for f in findings.values())
    assert {i for cell in env["matrix"] for c in cell["controls"] for i in c["findings"]} <= set(findings)
    assert {i for g in env["verdict"]["missing_for_next_phase"] for i in g["findings"]} <= set(findings)
    cell = env["matrix"][0]
    assert set(cell) == {"layer", "phase", "met", "missing", "acknowledged", "baselined", "nothing_to_judge",
                         "not_applicable", "controls"}
    assert set(cell["controls"][0]) >= {"id", "title", "state", "judges", "judged", "findings"}
    # each control of each environment is in exactly one state
    for env in report["environments"]:
        for cell in env["matrix"]:
            listed = [i for state in ("met", "missing", "acknowledged", "baselined", "nothing_to_judge",
                                      "not_applicable") for i in cell[state]]
            assert sorted(listed) == sorted(c["id"] for c in cell["controls"]) and len(set(listed)) == len(listed)


def test_the_pack_writes_the_reports_next_to_the_validation_report(assembly):
    folder = Path(assembly.directory)
    data = json.loads((folder / "aisec-report.json").read_text())
    assert [e["name"] for e in data["environments"]] == [ENV_1, ENV_2]
    assert data["enforced_phase"] == "enhanced"
    html = (folder / "aisec-report.html").read_text()
    assert "Environment aws://222222222222/eu-west-1" in html and "<script" not in html


def test_the_pack_fails_an_expired_acknowledgement_as_fatal(assembly):
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    aisec = next(p for p in report["pluginReports"] if p["pluginName"] == "AISEC")
    # the guardrail's APP-10 is an Advanced rule: at Enhanced the pack judges DATA-01, in force until 2027
    data01 = [v for v in aisec["violations"] if v["ruleName"] == "AISEC-DATA-01[Action::bedrock:*]"]
    assert [v["severity"] for v in data01] == ["info"]


@pytest.mark.parametrize("fmt, marker", [("markdown", "## aisec readiness report"), ("json", '"schema_version": 2'),
                                         ("html", "<!DOCTYPE html>")])
def test_aisec_report_formats(assembly, capsys, monkeypatch, fmt, marker):
    monkeypatch.setenv("AISEC_TODAY", "2026-11-29")
    assert main(["report", assembly.directory, "--format", fmt, "--phase", "enhanced"]) == 0
    out = capsys.readouterr().out
    assert marker in out
    assert "Exceptions" in out and "AISEC-APP-10" in out


def test_aisec_report_writes_a_file_and_reports_bad_paths(assembly, tmp_path, capsys):
    target = tmp_path / "nested" / "report.html"
    assert main(["report", assembly.directory, "--output", str(target)]) == 0
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_markdown_defuses_template_controlled_text():
    """Logical ids and reasons come from the template: in a pull-request comment they must not close a
    code span, split a table row, inject HTML, mention someone or hide text."""
    from aisec_rules.output import readiness_markdown
    from aisec_rules.read.stack import Stack
    from aisec_rules.read.template import Template

    hostile = "Bad`|<img src=x>\n@team\u202e"
    template = Template({"Resources": {hostile: {
        "Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
        "Properties": {"Name": "x", "NetworkConfiguration": {"NetworkMode": "PUBLIC"}}}}}, "t.json")
    text = readiness_markdown.render(assess([Stack(template)], today=TODAY))
    row = next(line for line in text.splitlines() if "AISEC-INF-06" in line and line.startswith("| high"))
    assert "`Bad'\\|&lt;img src=x>\\n@\u200bteam\\u202e`" in row
    assert "<img" not in text and "\u202e" not in text


def test_external_evidence_archives_are_named_in_the_report_without_a_finding():
    """AISEC-APP-31: a trail writing to a bucket the system does not declare (a log-archive account's) passes,
    and the report says where the evidence goes, in JSON, Markdown and HTML."""
    from aisec_rules.output import readiness_html, readiness_markdown
    from aisec_rules.read.stack import Stack
    from aisec_rules.read.template import Template

    template = Template({"Resources": {
        "Guardrail": {"Type": "AWS::Bedrock::Guardrail", "Properties": {"Name": "g"}},
        "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
            "IsLogging": True, "S3BucketName": "org-log-archive-111111111111", "EnableLogFileValidation": True}}}},
        "t.json")
    readiness = assess([Stack(template)], today=TODAY)
    env = readiness.to_dict()["environments"][0]
    assert env["evidence"] == [{"rule_id": "AISEC-APP-31", "items": [
        "Trail.S3BucketName: bucket org-log-archive-111111111111 (outside the system)"]}]
    assert not [f for f in env["findings"] if f["rule_id"] == "AISEC-APP-31"]
    assert "**Evidence of AISEC-APP-31** (no finding): Trail.S3BucketName: bucket org-log-archive-111111111111" \
        in readiness_markdown.render(readiness)
    assert "<li>Trail.S3BucketName: bucket org-log-archive-111111111111 (outside the system)</li>" in \
        readiness_html.render(readiness)
