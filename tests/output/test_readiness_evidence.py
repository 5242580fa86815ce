"""Every "met" has evidence: the readiness of an app shaped like the public Bedrock agent samples (an agent, an
action-group Lambda function, a knowledge base on OpenSearch Serverless over an S3 bucket, one stack) that has no
guardrail, no VPC, no AgentCore and no SageMaker (tests/fixtures/readiness/agent_app.json).

Before controls declared what they judge, 28 controls of such an app read "met" because there was nothing to judge
(the prompt-attack filter with no guardrail, flow logs with no VPC, AgentCore network modes with no AgentCore).
"""
import datetime as dt
import json
from pathlib import Path

import pytest

from aisec_rules.model import RISKS, Phase
from aisec_rules.output import readiness_html, readiness_markdown
from aisec_rules.output.readiness import STATES, assess
from aisec_rules.read.loader import load_stacks
from aisec_rules.read.stack import Stack
from aisec_rules.read.template import Template
from aisec_rules.registry import BY_ID, RULES
from tests.browser import WIDTH, widths

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "readiness" / "agent_app.json"
TODAY = dt.date(2026, 11, 29)


def ids(*short: str) -> set:
    return {f"AISEC-{s}" for s in short}


#: the state of every control of the app, each at the phase it belongs to (issue 22: INF-11 asks the tool function
#: for a reserved concurrency, so it moved from nothing to judge to missing)
EXPECTED = {
    "met": ids("INF-13", "DATA-01", "DATA-02", "DATA-03", "DATA-04", "DATA-05", "DATA-06", "DATA-08", "DATA-17",
               "DATA-20", "DATA-29", "DATA-30", "APP-11", "APP-12"),
    "missing": ids("INF-04", "INF-09", "INF-11", "DATA-07", "DATA-09", "DATA-10", "DATA-11", "DATA-12", "DATA-14",
                   "DATA-15", "DATA-24", "DATA-25", "DATA-32", "APP-01", "APP-04", "APP-09", "APP-18", "APP-19",
                   "APP-20", "APP-21", "APP-23", "APP-24", "APP-27", "APP-32", "APP-33"),
    "acknowledged": set(),
    "baselined": set(),
    "nothing_to_judge": ids("INF-01", "INF-02", "INF-03", "INF-05", "INF-06", "INF-07", "INF-08", "INF-10",
                            "INF-12", "INF-20", "DATA-13", "DATA-16", "DATA-18", "DATA-19", "DATA-21", "DATA-22",
                            "DATA-23", "DATA-31", "APP-34",
                            "APP-02", "APP-03", "APP-05", "APP-06", "APP-07", "APP-08", "APP-10", "APP-13", "APP-14",
                            "APP-15", "APP-16", "APP-17", "APP-22", "APP-26", "APP-28", "APP-30", "APP-31"),
    "not_applicable": ids("INF-14", "INF-15", "INF-16", "INF-17", "INF-18", "INF-19", "DATA-26", "DATA-27", "DATA-28",
                          "APP-25", "APP-29"),
}

#: what the issue saw reported as met in such an app, although it has none of what they judge
NOT_MET = {
    "no guardrail": ids("APP-02", "APP-03", "APP-05", "APP-06", "APP-10", "APP-30"),
    "no VPC": ids("INF-12", "INF-01", "INF-02"),
    "no AgentCore": ids("INF-05", "INF-06", "INF-07", "APP-14", "APP-15", "APP-22"),
    "no SageMaker": {r.id for r in RULES if "SageMaker" in r.title},
}


@pytest.fixture(scope="module")
def readiness():
    return assess(load_stacks([str(FIXTURE)]), today=TODAY)


@pytest.fixture(scope="module")
def env(readiness):
    [env] = readiness.to_dict()["environments"]
    return env


def controls(env) -> dict:
    return {c["id"]: c for cell in env["matrix"] for c in cell["controls"]}


def test_each_control_is_in_exactly_one_state(env):
    assert env["capabilities"] == ["acts", "answers", "connects"] and env["services"] == ["bedrock"]
    found = {state: {i for cell in env["matrix"] for i in cell[state]} for state in STATES}
    assert found == EXPECTED
    assert sum(len(v) for v in found.values()) == len(RULES) == 86


def test_no_control_is_met_without_resources_to_judge(env):
    by_id = controls(env)
    for why, rule_ids in NOT_MET.items():
        assert {i: by_id[i]["state"] for i in rule_ids if by_id[i]["state"] == "met"} == {}, why
    assert NOT_MET["no SageMaker"] == EXPECTED["not_applicable"]  # the service decides, before the evidence
    prompt_attack = by_id["AISEC-APP-02"]
    assert prompt_attack["judges"] == ["AWS::Bedrock::Guardrail"] and prompt_attack["judged"] == {"count": 0,
                                                                                                   "resources": []}


def test_every_met_control_names_what_it_judged(env):
    by_id = controls(env)
    assert [(r["stack"], r["resource"], r["type"]) for r in by_id["AISEC-APP-11"]["judged"]["resources"]] == [
        ("agent_app", "Agent", "AWS::Bedrock::Agent")]
    assert [r["resource"] for r in by_id["AISEC-DATA-06"]["judged"]["resources"]] == [
        "AgentRole", "KnowledgeBaseRole", "ToolRole"]
    assert [r["resource"] for r in by_id["AISEC-DATA-05"]["judged"]["resources"]] == ["Agent", "KnowledgeBase"]


def test_the_findings_are_exact(readiness):
    [env] = readiness.environments
    assert sorted((f.id, f.resource) for f in env.findings[Phase.ADVANCED]) == [
        ("AISEC-APP-01", "Agent"), ("AISEC-APP-04", "Agent"), ("AISEC-APP-09", "Agent"), ("AISEC-APP-18", "Agent"),
        ("AISEC-APP-19", "Agent"), ("AISEC-APP-20", "Agent"), ("AISEC-APP-21", "KnowledgeBase"),
        ("AISEC-APP-23", "Agent"), ("AISEC-APP-23[Response]", "Agent"), ("AISEC-APP-24", "Agent"),
        ("AISEC-APP-24[CostGuardrail]", "Agent"),  # issue 22
        ("AISEC-APP-27[AiStandard]", "Agent"), ("AISEC-APP-27[ConfigRecorder]", "Agent"),
        ("AISEC-APP-27[Forensics]", "Agent"), ("AISEC-APP-27[SecurityHub]", "Agent"), ("AISEC-APP-32", "Agent"),
        *((f"AISEC-APP-33[{part}]", "Agent") for part in (
            "AiServicesOptOut", "BedrockPolicy", "BrowserOutsideVpc", "CodeInterpreterOutsideVpc", "GuardrailChanges",
            "InvocationLoggingChanges", "RuntimeOutsideVpc", "TrailChanges")),
        ("AISEC-DATA-07", "AgentRole"),
        ("AISEC-DATA-09", "Agent"), ("AISEC-DATA-10", "DataSource"), ("AISEC-DATA-11", "EncryptionPolicy"),
        ("AISEC-DATA-12[Permission::aoss:*]", "AccessPolicy"), ("AISEC-DATA-14[SecureTransport]", "Documents"),
        ("AISEC-DATA-15", "Documents"), ("AISEC-DATA-24", "Collection"), ("AISEC-DATA-25[Transformation]", "DataSource"),
        ("AISEC-DATA-25[Versioning]", "Documents"), ("AISEC-DATA-32", "Documents"), ("AISEC-INF-04", "ToolFunction"),
        ("AISEC-INF-09", "NetworkPolicy"), ("AISEC-INF-11[ToolConcurrency]", "ToolFunction"),  # issue 22
        ("AISEC-INF-13[CodeSigningConfigArn]", "ToolFunction")]  # INF-13 tightens at Advanced: met at Enhanced
    assert env.highest_met is None
    phases = {(f["id"], f["resource"]): f["phases"] for f in readiness.to_dict()["environments"][0]["findings"]}
    assert len(phases) == len(env.findings[Phase.ADVANCED])  # every finding here is reported at Advanced, once
    assert phases[("AISEC-INF-13[CodeSigningConfigArn]", "ToolFunction")] == ["advanced"]  # INF-13 tightens
    assert phases[("AISEC-APP-04", "Agent")] == ["foundational", "enhanced", "advanced"]
    assert phases[("AISEC-DATA-09", "Agent")] == ["enhanced", "advanced"]
    assert [g.rule.id for g in env.gaps] == ["AISEC-APP-04", "AISEC-DATA-12", "AISEC-DATA-14", "AISEC-APP-01",
                                             "AISEC-APP-18", "AISEC-APP-19"]


def test_nothing_to_judge_does_not_block_the_verdict():
    rules = [BY_ID["AISEC-APP-02"], BY_ID["AISEC-INF-06"], BY_ID["AISEC-DATA-01"]]  # no guardrail, no interpreter
    [env] = assess(load_stacks([str(FIXTURE)]), today=TODAY, rules=rules).environments
    assert env.highest_met is Phase.ADVANCED and env.gaps == []
    states = {c.rule.id: c.state for cell in env.matrix for c in cell.controls}
    assert states == {"AISEC-APP-02": "nothing_to_judge", "AISEC-INF-06": "nothing_to_judge", "AISEC-DATA-01": "met"}


def test_the_reports_read_without_a_legend(readiness):
    text = readiness_markdown.render(readiness)
    assert "⚪ APP-02 Prompt-attack filter at HIGH" in text
    assert "✅ DATA-06 Confused-deputy guard on AI service roles (3 judged)" in text
    assert "❌ APP-01 Guardrail with harmful-content filters" in text
    assert "LLM08 Vector and Embedding Weaknesses × 7" in text and "T8 Repudiation and Untraceability × 12" in text
    html = readiness_html.render(readiness)
    assert "<span class=\"id\">APP-02</span> Prompt-attack filter at HIGH" in html
    assert "32 nothing to judge" not in html  # counted per cell, never in one lump with met
    assert "nothing to judge: no AWS::Bedrock::Guardrail in this environment" in html
    assert "judged 3: AgentRole (agent_app), KnowledgeBaseRole (agent_app), ToolRole (agent_app)" in html
    assert "<td>LLM08 Vector and Embedding Weaknesses</td>" in html
    assert json.loads(json.dumps(readiness.to_dict()))["schema_version"] == 2


def test_the_html_report_fits_a_1280_px_window(readiness, tmp_path):
    """Long unbreakable text (a logical id of 200 characters, a granular finding id) wraps instead of widening the
    page."""
    long_id = "VeryLongLogicalId" + "X" * 183
    hostile = Template({"Resources": {long_id: {
        "Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
        "Properties": {"Name": "x", "NetworkConfiguration": {"NetworkMode": "PUBLIC"}}}}}, "t.json")
    for name, result in (("agent", readiness), ("hostile", assess([Stack(hostile)], today=TODAY))):
        page = tmp_path / f"{name}.html"
        page.write_text(readiness_html.render(result), encoding="utf-8")
        scroll, inner = widths(page, tmp_path)
        assert inner == WIDTH and scroll <= inner, name


def test_every_threat_id_a_rule_carries_has_its_name():
    assert {risk for rule in RULES for risk in rule.risks} <= set(RISKS)
    assert len([r for r in RISKS if r.startswith("LLM")]) == 10 and len([r for r in RISKS if r.startswith("T")]) == 15
