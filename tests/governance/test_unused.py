"""Acknowledgements that match no finding are reported: in JSON, as notices in text, in the exception register
(state "unused"), and they fail the run when the policy says so. Only aisec ids count, an acknowledgement copied
onto many resources is one acknowledgement, and a run judges only the acknowledgements of the rules it ran."""
import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from aisec_rules.cli import main
from aisec_rules.engine import evaluate_system
from aisec_rules.governance.exceptions import Acknowledgement
from aisec_rules.governance.unused import Location, unused
from aisec_rules.model import Phase
from aisec_rules.output.readiness import assess
from aisec_rules.read.stack import Stack
from aisec_rules.read.template import Template
from aisec_rules.registry import RULES

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "readiness" / "agent_app.json"
TRAIL = {"id": "AISEC-APP-19", "reason": "organization trail o-abc123 in the log archive account"}


def acks(*entries) -> dict:
    return {"cdk_nag": {"rules_to_suppress": list(entries)}}


def agent_app() -> dict:
    """The agent app with acknowledgements: some used, some not, one of another pack, one written on the app
    (copied onto every resource, as the pack's aspect does)."""
    data = json.loads(FIXTURE.read_text())
    data["Metadata"] = acks({"id": "AISEC-INF-12", "reason": "flow logs are on in the shared network account"})
    for resource in data["Resources"].values():
        resource["Metadata"] = acks(dict(TRAIL))
    data["Resources"]["Agent"]["Metadata"] = acks(
        dict(TRAIL),
        {"id": "AISEC-APP-04", "reason": "the calling service applies the guardrail"},           # used
        {"id": "AISEC-APP-11", "reason": "confirmation happens in the client application"},     # Enhanced: met
        {"id": "AwsSolutions-IAM5", "reason": "cdk-nag's own pack: not aisec's to judge"},
        {"id": "AISEC-DATA-99", "reason": "a rule id that does not exist (a typo)"})
    data["Resources"]["ToolFunction"]["Metadata"] = acks(  # APP-01's finding is on the agent, not here
        dict(TRAIL), {"id": "AISEC-APP-01", "reason": "the guardrail is managed by the platform team"})
    return data


@pytest.fixture
def stacks():
    return [Stack(Template(agent_app(), "agent_app.json"), "AgentApp")]


def unused_ids(stacks, phase):
    findings = evaluate_system(stacks, phase, today=dt.date(2026, 11, 29))
    return [(u.acknowledgement.id, u.first.resource, len(u.locations)) for u in unused(stacks, findings, RULES, [phase])]


def test_unused_acknowledgements_of_the_rules_that_ran(stacks):
    assert unused_ids(stacks, Phase.FOUNDATIONAL) == [("AISEC-APP-01", "ToolFunction", 1),
                                                      ("AISEC-DATA-99", "Agent", 1)]
    # at Enhanced, APP-11 and INF-12 ran: the agent's confirmation is fine and there is no VPC to log
    assert unused_ids(stacks, Phase.ENHANCED) == [("AISEC-APP-01", "ToolFunction", 1), ("AISEC-APP-11", "Agent", 1),
                                                  ("AISEC-DATA-99", "Agent", 1), ("AISEC-INF-12", None, 1)]


def test_the_locations_of_an_unused_acknowledgement(stacks):
    findings = evaluate_system(stacks, Phase.ADVANCED)
    by_id = {u.acknowledgement.id: u for u in unused(stacks, findings, RULES, [Phase.ADVANCED])}
    assert by_id["AISEC-INF-12"].locations == (Location("agent_app.json", "AgentApp", None),)
    assert by_id["AISEC-INF-12"].describe() == (
        "acknowledgement AISEC-INF-12 ('flow logs are on in the shared network account') on stack AgentApp (template "
        "metadata) matches no finding: remove it")
    # the trail acknowledgement written on the app reaches every resource; the agent's copy silences APP-19
    stacks[0].template.resources["Agent"].metadata["cdk_nag"]["rules_to_suppress"].pop(0)
    findings = evaluate_system(stacks, Phase.ADVANCED)
    trail = {u.acknowledgement.id: u for u in unused(stacks, findings, RULES, [Phase.ADVANCED])}["AISEC-APP-19"]
    assert trail.acknowledgement == Acknowledgement("AISEC-APP-19", TRAIL["reason"])
    assert len(trail.locations) == 12 and trail.first == Location("agent_app.json", "AgentApp", "AccessPolicy")
    assert trail.describe().endswith("on AgentApp/AccessPolicy and 11 more place(s) matches no finding: remove it")


def test_check_reports_them_in_json_and_text(tmp_path, capsys):
    path = tmp_path / "agent_app.json"
    path.write_text(json.dumps(agent_app()))
    assert main(["check", str(path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["unused_acknowledgements"] == [
        {"id": "AISEC-APP-01", "reason": "the guardrail is managed by the platform team", "expires": None,
         "template": str(path), "stack": "agent_app", "resource": "ToolFunction",
         "locations": [{"template": str(path), "stack": "agent_app", "resource": "ToolFunction"}]},
        {"id": "AISEC-DATA-99", "reason": "a rule id that does not exist (a typo)", "expires": None,
         "template": str(path), "stack": "agent_app", "resource": "Agent",
         "locations": [{"template": str(path), "stack": "agent_app", "resource": "Agent"}]}]
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert ("notice: acknowledgement AISEC-APP-01 ('the guardrail is managed by the platform team') on "
            "agent_app/ToolFunction matches no finding: remove it") in out


def clean_interpreter(tmp_path) -> Path:
    """No open finding (the environment controls live elsewhere), and an acknowledgement that silences nothing."""
    elsewhere = [{"id": i, "reason": "provided by the platform account's baseline stack"}
                 for i in ("AISEC-APP-01", "AISEC-APP-18", "AISEC-APP-19")]
    path = tmp_path / "sandboxed.json"
    path.write_text(json.dumps({"Metadata": acks(*elsewhere), "Resources": {"CI": {
        "Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
        "Metadata": acks({"id": "AISEC-INF-06", "reason": "lab account, reviewed by security"}),
        "Properties": {"Name": "ci", "NetworkConfiguration": {"NetworkMode": "SANDBOX"}}}}}))
    return path


def test_the_policy_can_fail_the_run_on_them(tmp_path, capsys):
    path = clean_interpreter(tmp_path)
    policy = tmp_path / "aisec.toml"
    policy.write_text("")
    assert main(["check", str(path), "--policy", str(policy)]) == 0
    assert "notice: acknowledgement AISEC-INF-06" in capsys.readouterr().out
    policy.write_text("fail_on_unused_acknowledgements = true\n")
    assert main(["check", str(path), "--policy", str(policy)]) == 1
    assert ("aisec: error: 1 acknowledgement(s) match no finding and the policy sets "
            "fail_on_unused_acknowledgements = true: remove them") in capsys.readouterr().err
    assert main(["check", str(path), "--policy", str(policy), "--warn"]) == 0


def test_the_exception_register_lists_them_as_unused():
    data = agent_app()
    readiness = assess([Stack(Template(copy.deepcopy(data), "agent_app.json"), "AgentApp")],
                       today=dt.date(2026, 11, 29))
    register = readiness.to_dict()["environments"][0]["exceptions"]
    assert [(x["acknowledged_id"], x["resource"], x["state"], x["in_force"]) for x in register] == [
        ("AISEC-APP-04", "Agent", "in force", True), ("AISEC-APP-19", "Agent", "in force", True),
        ("AISEC-APP-01", "ToolFunction", "unused", False), ("AISEC-APP-11", "Agent", "unused", False),
        ("AISEC-DATA-99", "Agent", "unused", False), ("AISEC-INF-12", None, "unused", False)]
    assert register[-1]["problem"] == "it matches no finding: remove it"
    assert [u["id"] for u in readiness.to_dict()["unused_acknowledgements"]] == [
        "AISEC-APP-01", "AISEC-APP-11", "AISEC-DATA-99", "AISEC-INF-12"]
    from aisec_rules.output import readiness_html, readiness_markdown

    assert "∅ unused<br>it matches no finding: remove it" in readiness_html.render(readiness)
    assert "| `AISEC-INF-12` | (the whole stack) | AgentApp |" in readiness_markdown.render(readiness)
