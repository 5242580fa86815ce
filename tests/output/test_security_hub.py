"""The Security Hub AI Security Best Practices v1.0.0 mapping is complete and shown everywhere."""
import dataclasses
import json
import re

from aisec_rules import security_hub
from aisec_rules.registry import RULES
from aisec_rules.output.catalog import rules_json, rules_markdown
from aisec_rules.output.findings import findings_sarif

# the standard's 31 controls, spelled as the standard spells them (issue 15)
EXPECTED = (["Bedrock.1"] + [f"BedrockAgentCore.{n}" for n in range(1, 8)]
            + [f"SageMaker.{n}" for n in [1, 2, 3, 4, 5] + list(range(8, 26))])


def test_the_standard_has_31_controls_named_as_aws_names_them():
    assert list(security_hub.CONTROLS) == EXPECTED and len(EXPECTED) == 31
    assert all(re.fullmatch(r"(Bedrock|BedrockAgentCore|SageMaker)\.\d+", c) for c in security_hub.CONTROLS)


def test_every_control_is_mapped_exactly_once():
    assert security_hub.problems(RULES) == []
    rows = security_hub.coverage(RULES)
    assert [control for control, _, _ in rows] == EXPECTED
    for control, rules, status in rows:
        assert bool(rules) != bool(status), control
        assert not status or status.startswith(("not decidable from a template: ", "not covered: ")), control


def test_every_id_in_rule_metadata_is_a_control_of_the_standard():
    for rule in RULES:
        assert set(rule.security_hub) <= set(EXPECTED), rule.id
        assert len(set(rule.security_hub)) == len(rule.security_hub), rule.id


def test_known_mappings():
    by_control = security_hub.mapped(RULES)
    ids = {control: [r.id for r in rules] for control, rules in by_control.items()}
    assert ids["Bedrock.1"] == ["AISEC-DATA-10"]
    assert ids["SageMaker.1"] == ["AISEC-INF-14"]
    assert ids["SageMaker.9"] == ids["SageMaker.10"] == ids["SageMaker.13"] == ids["SageMaker.15"] == ["AISEC-DATA-27"]
    assert ids["SageMaker.11"] == ids["SageMaker.12"] == ids["SageMaker.14"] == ["AISEC-INF-16"]
    assert ids["SageMaker.20"] == ids["SageMaker.25"] == ["AISEC-INF-16"]
    assert ids["SageMaker.22"] == ["AISEC-DATA-27"] and ids["SageMaker.5"] == ["AISEC-INF-15"]
    assert ids["SageMaker.21"] == ["AISEC-DATA-26"]


def test_mapping_problems_are_reported():
    bogus = dataclasses.replace(RULES[0], security_hub=("SageMaker.6", "SageMaker.1"))
    text = " | ".join(security_hub.problems([*RULES, bogus]))
    assert "SageMaker.6: not a control" in text and "SageMaker.1: 2 statuses" not in text
    assert security_hub.mapped([*RULES, bogus])["SageMaker.1"][-1] is bogus


def test_shown_in_rules_json_sarif_and_docs():
    data = {r["id"]: r for r in json.loads(rules_json(RULES))["rules"]}
    assert data["AISEC-INF-16"]["security_hub"] == ["SageMaker.11", "SageMaker.12", "SageMaker.14", "SageMaker.20",
                                                    "SageMaker.25"]
    assert data["AISEC-APP-01"]["security_hub"] == []
    sarif = json.loads(findings_sarif([], RULES, "test"))
    tags = {r["id"]: r["properties"]["tags"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "security-hub/SageMaker.9" in tags["AISEC-DATA-27"]
    markdown = rules_markdown(RULES)
    assert (f"| SageMaker.9 | {security_hub.TITLES['SageMaker.9']} | [AISEC-DATA-27](#aisec-data-27) | Enhanced |"
            in markdown)
    for control, reason in {**security_hub.NOT_DECIDABLE, **security_hub.NOT_COVERED}.items():
        assert f"| {control} | {security_hub.TITLES[control]} | none | " in markdown and reason in markdown
    for control in EXPECTED:
        assert f"\n| {control} | " in markdown
    assert "| [AISEC-INF-06](#aisec-inf-06) | Foundational (Foundational forbids PUBLIC; from Enhanced" in markdown


def test_findings_json_names_the_security_hub_controls():
    from aisec_rules.engine import evaluate
    from aisec_rules.model import Capability, Phase
    from aisec_rules.read.template import Template
    template = Template({"Resources": {"Job": {"Type": "AWS::SageMaker::DataQualityJobDefinition",
                                                 "Properties": {"RoleArn": "arn:aws:iam::111122223333:role/r"}}}}, "t.json")
    found = {f.rule.id: f.to_dict() for f in evaluate(template, Phase.ENHANCED, {Capability.ANSWERS})}
    assert found["AISEC-DATA-27"]["security_hub"] == ["SageMaker.9", "SageMaker.10", "SageMaker.13", "SageMaker.15",
                                                      "SageMaker.22"]
