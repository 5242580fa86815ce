"""The runtime assessments (Prowler's AWS AI Security Framework, the AWS AI/ML assessment sample) are mapped
completely, each requirement or check exactly once, and shown in rules JSON, docs/RULES.md and the README."""
import dataclasses
import json
import re
import sys
from pathlib import Path

import pytest

from aisec_rules.assessments import (AIML_SAMPLE, ASSESSMENTS, FULLY, NOT_COVERED, NOT_DECIDABLE, PARTLY, PROWLER_AISF,
                                     STATUSES, Assessment, entry)
from aisec_rules.output.catalog import README_BEGIN, README_END, readme_assessments, rules_json, rules_markdown
from aisec_rules.registry import RULES

ROOT = Path(__file__).resolve().parents[2]
RULE = {r.id: r for r in RULES}

# Prowler: prowler/compliance/aws/aws_ai_security_framework_aws.json at 3e000faa (63 requirements, issue 22)
PROWLER_IDS = ([f"AISF-INFRA-{n:02}" for n in range(1, 10)] + [f"AISF-IAM-{n:02}" for n in range(1, 9)]
               + [f"AISF-DATA-{n:02}" for n in range(1, 7)] + [f"AISF-AI-{n:02}" for n in range(1, 12)]
               + [f"AISF-AGENT-{n:02}" for n in range(1, 6)] + [f"AISF-ML-{n:02}" for n in range(1, 6)]
               + [f"AISF-DETECT-{n:02}" for n in range(1, 8)] + [f"AISF-GOV-{n:02}" for n in range(1, 8)]
               + [f"AISF-RUNTIME-{n:02}" for n in range(1, 4)] + ["AISF-MODEL-01", "AISF-MODEL-02"])
# the sample at 0a5ed702: FS-17, -18, -19, -23 and -64 are merged into SM-07, SM-23, SM-22, BR-06 and BR-04
MERGED = {17, 18, 19, 23, 64}
SAMPLE_IDS = ([f"SM-{n:02}" for n in range(1, 26)] + [f"BR-{n:02}" for n in range(1, 34)]
              + [f"AC-{n:02}" for n in range(1, 14)] + [f"AG-{n:02}" for n in range(1, 28)]
              + [f"FS-{n:02}" for n in range(1, 70) if n not in MERGED] + [f"OW-{n:02}" for n in range(1, 13)])


def by_id(assessment):
    return {row.id: row for row in assessment.coverage(RULES)}


def test_the_sources_ids_and_titles():
    assert list(PROWLER_AISF.ids) == PROWLER_IDS and len(PROWLER_IDS) == 63
    assert list(AIML_SAMPLE.ids) == SAMPLE_IDS and len(SAMPLE_IDS) == 174
    assert PROWLER_AISF.titles["AISF-ML-01"] == "ML Model Network Isolation"
    assert PROWLER_AISF.titles["AISF-AGENT-05"] == "Human Approval for Critical Agent Actions"
    assert AIML_SAMPLE.titles["SM-11"] == "Model Network Isolation"
    assert AIML_SAMPLE.titles["AG-24"] == "Gateway Inbound Authorization"
    assert AIML_SAMPLE.titles["FS-68"] == "API Gateway Request Body Size Limits"
    assert AIML_SAMPLE.titles["OW-10"] == "LLM10:2025 Unbounded Consumption"
    assert all(title.strip() == title and title for a in ASSESSMENTS for title in a.titles.values())
    assert "3e000faa3109230b748e4418a13c11c9e59f5cfb" in PROWLER_AISF.source
    assert "0a5ed702282469e4b381441b3b59b6a26bdedb88" in AIML_SAMPLE.source


@pytest.mark.parametrize("assessment", ASSESSMENTS, ids=lambda a: a.field)
def test_every_requirement_or_check_has_exactly_one_status(assessment):
    assert assessment.problems(RULES) == []
    rows = assessment.coverage(RULES)
    assert [row.id for row in rows] == list(assessment.ids)
    for row in rows:
        assert row.status in STATUSES, row.id
        if row.status in (FULLY, PARTLY):
            assert row.catches, row.id
        else:
            assert row.note, row.id
            assert not row.catches or row.id in assessment.derived, row.id
        if row.id in assessment.not_decidable or row.id in assessment.not_covered:
            assert row.status == (NOT_DECIDABLE if row.id in assessment.not_decidable else NOT_COVERED)
    assert sum(assessment.counts(RULES).values()) == len(assessment.ids)


def test_the_counts_on_this_branch():
    # issue 22 counted against 76 rules: Prowler 17 / 23 / 10 / 13, the sample 66 / 43 / 39 / 26; these are what
    # reading each check against the 86 rules with issue 22's extensions gives (fully, partly, not decidable, not
    # covered); the 81 rules before them gave Prowler 12 / 29 / 12 / 10 and the sample 53 / 43 / 42 / 36
    assert PROWLER_AISF.counts(RULES) == {FULLY: 13, PARTLY: 29, NOT_DECIDABLE: 12, NOT_COVERED: 9}
    assert AIML_SAMPLE.counts(RULES) == {FULLY: 59, PARTLY: 47, NOT_DECIDABLE: 42, NOT_COVERED: 26}


def test_rule_entries_are_ids_of_the_source_with_an_optional_part():
    listed = dataclasses.replace(RULES[0], prowler_aisf=["AISF-AI-01"], aiml_assessment=["BR-05: a part"])
    assert listed.prowler_aisf == ("AISF-AI-01",) and listed.aiml_assessment == ("BR-05: a part",)
    assert entry("BR-05: a part") == ("BR-05", "a part") and entry("BR-05") == ("BR-05", "")
    for rule in RULES:
        for assessment in ASSESSMENTS:
            for text in getattr(rule, assessment.field):
                check, part = entry(text)
                assert check in assessment.titles, (rule.id, text)
                assert re.fullmatch(r"[A-Z]+(-[A-Z]+)?-\d\d", check) and (": " not in text or part), (rule.id, text)
                assert "(" not in part, (rule.id, text)  # the docs put the part in parentheses


def test_known_mappings():
    prowler, sample = by_id(PROWLER_AISF), by_id(AIML_SAMPLE)
    assert [(c.rule.id, c.part) for c in prowler["AISF-AI-02"].catches] == [("AISEC-APP-02", "")]
    assert prowler["AISF-AI-02"].status == FULLY
    # two parts that add up: internet access, VPC and root (INF-14) and the key (DATA-26)
    ml02 = prowler["AISF-ML-02"]
    assert ml02.status == FULLY and [c.rule.id for c in ml02.catches] == ["AISEC-INF-14", "AISEC-DATA-26"]
    assert all(c.part for c in ml02.catches) and "AISEC-DATA-26" in ml02.note
    assert prowler["AISF-IAM-02"].status == PARTLY
    assert {c.rule.id for c in prowler["AISF-IAM-02"].catches} == {"AISEC-DATA-01", "AISEC-DATA-03", "AISEC-DATA-30"}
    assert prowler["AISF-DATA-06"].status == PARTLY  # APP-33 does not require @@operators_allowed_for_child_policies
    assert prowler["AISF-GOV-03"].status == NOT_DECIDABLE and prowler["AISF-RUNTIME-01"].status == NOT_COVERED
    assert [c.rule.id for c in sample["SM-11"].catches] == ["AISEC-INF-15"] and sample["SM-11"].status == FULLY
    assert sample["BR-27"].status == PARTLY  # APP-06 judges guardrails of RAG workloads only
    assert sample["AC-10"].status == NOT_COVERED  # the check fails a missing policy, not an open one
    assert sample["BR-11"].status == NOT_DECIDABLE


def catches(row):
    return [(c.rule.id, bool(c.part)) for c in row.catches]


def test_issue_22_rules_and_extensions():
    prowler, sample = by_id(PROWLER_AISF), by_id(AIML_SAMPLE)
    # pipeline training steps: isolation and VPC, inter-container encryption and keys add up
    ml03 = prowler["AISF-ML-03"]
    assert ml03.status == FULLY and catches(ml03) == [("AISEC-INF-15", True), ("AISEC-DATA-26", True),
                                                      ("AISEC-DATA-27", True)]
    assert prowler["AISF-IAM-05"].status == PARTLY  # Lambda, EC2 and ECS task roles are exempt; stale access is state
    assert ("AISEC-INF-04", True) in catches(prowler["AISF-INFRA-08"])
    assert catches(prowler["AISF-IAM-07"]) == [("AISEC-INF-10", True), ("AISEC-APP-17", True), ("AISEC-APP-34", True)]
    # whole catches: processing, transform and tuning keys, the gateway's web ACL, the gateway's authorizer
    for check, rule_id in (("SM-17", "AISEC-DATA-26"), ("SM-18", "AISEC-DATA-26"), ("SM-19", "AISEC-DATA-26"),
                           ("AG-27", "AISEC-INF-10"), ("AG-24", "AISEC-APP-14"), ("FS-65", "AISEC-DATA-32")):
        assert sample[check].status == FULLY and (rule_id, False) in catches(sample[check]), check
    assert sample["SM-03"].status == FULLY and sample["SM-03"].note.startswith("AISEC-DATA-26")
    assert sample["FS-33"].status == FULLY and catches(sample["FS-33"]) == [("AISEC-DATA-25", True),
                                                                             ("AISEC-DATA-32", True)]
    # narrower than the check: an AWS-managed policy that is not a FullAccess one may still grant s3:* to an agent
    # (FS-07); FS-22 also fails scoped bedrock wildcards and any bedrock action on every resource; FS-43 reads each
    # log group's policy, AISEC-DATA-23 also accepts the account's; the body-size rule of the AWS common rule set
    # passes AISEC-INF-20, not FS-68; budget and anomaly monitor stand in for each other in AISEC-APP-24
    for check in ("FS-07", "FS-22", "FS-43", "FS-68", "FS-69", "FS-04", "FS-06", "FS-09", "FS-16", "BR-21"):
        assert sample[check].status == PARTLY, check
    assert sample["AC-10"].status == sample["AG-21"].status == NOT_COVERED
    assert "AISEC-DATA-31" in sample["AC-10"].note


def test_derived_checks_follow_their_sources():
    sample = by_id(AIML_SAMPLE)
    assert sample["AG-01"].status == FULLY and [c.rule.id for c in sample["AG-01"].catches] == ["AISEC-APP-04"]
    assert sample["AG-01"].note == "as BR-28"
    assert sample["AG-05"].status == PARTLY and sample["AG-10"].status == NOT_DECIDABLE
    assert sample["AG-21"].status == NOT_COVERED and sample["AG-21"].note == "as AC-10"
    assert sample["OW-01"].status == PARTLY
    assert sample["OW-01"].note == ("derived from BR-04, BR-23, BR-27, FS-51, FS-52, FS-53, FS-54, FS-69: fully covered "
                                    "BR-04, BR-23, FS-51; partly covered BR-27, FS-69; not decidable FS-54; not "
                                    "covered FS-52, FS-53")
    assert sample["OW-05"].status == NOT_COVERED  # FS-56 (XSS rules in the web ACL) is decidable


def tiny(**kwargs):
    base = dict(name="Tiny", unit="check", field="aiml_assessment", source="s",
                titles={"A-01": "a", "A-02": "b", "A-03": "c", "A-04": "d", "A-05": "e", "A-06": "f"},
                not_decidable={"A-03": "live"}, not_covered={"A-04": "no rule"}, together={},
                derived={"A-05": ("A-01", "A-03"), "A-06": ("A-03",)})
    return Assessment(**{**base, **kwargs})


def rule(rule_id, *entries):
    return dataclasses.replace(RULE[rule_id], aiml_assessment=entries)


def test_statuses_from_whole_and_partial_catches():
    rules = [rule("AISEC-INF-01", "A-01"), rule("AISEC-INF-05", "A-02: one half"), rule("AISEC-INF-06", "A-02: other")]
    rows = {row.id: row for row in tiny().coverage(rules)}
    assert [rows[i].status for i in ("A-01", "A-02", "A-03", "A-04", "A-05", "A-06")] == [
        FULLY, PARTLY, NOT_DECIDABLE, NOT_COVERED, PARTLY, NOT_DECIDABLE]
    assert [c.part for c in rows["A-02"].catches] == ["one half", "other"]
    assert rows["A-05"].note == "derived from A-01, A-03: fully covered A-01; not decidable A-03"
    together = {row.id: row for row in tiny(together={"A-02": "the halves"}).coverage(rules)}["A-02"]
    assert together.status == FULLY and together.note == "the halves"
    assert tiny(together={"A-02": "the halves"}).problems(rules) == []


def test_mapping_problems_are_reported():
    rules = [rule("AISEC-INF-01", "A-01", "A-03", "A-09", "A-01: again"), rule("AISEC-INF-05", "A-02")]
    text = " | ".join(tiny(together={"A-02": "x"}, derived={"A-05": ("A-06",), "A-06": ("A-08",)}).problems(rules))
    assert "A-03: 2 statuses" in text and "A-04" not in text
    assert "A-09: not a check of Tiny" in text and "AISEC-INF-01 names A-01 twice" in text
    assert "A-05: derived from A-06, which is unknown or derived itself" in text
    assert "A-06: derived from A-08, which is unknown or derived itself" in text
    assert "A-02: 'together' needs parts from two rules or more and no whole catch" in text
    assert "A-01: 0 statuses" in tiny().problems([])[0]


def test_shown_in_rules_json_and_docs():
    data = {r["id"]: r for r in json.loads(rules_json(RULES))["rules"]}
    assert data["AISEC-INF-15"]["prowler_aisf"] == [
        "AISF-ML-01", "AISF-ML-03: network isolation and VPC of pipeline training and tuning steps"]
    assert data["AISEC-INF-15"]["aiml_assessment"] == ["SM-01: domains", "SM-11"]
    assert data["AISEC-APP-12"]["prowler_aisf"] == [] == data["AISEC-APP-12"]["aiml_assessment"]
    markdown = rules_markdown(RULES)
    assert "## Runtime assessment: Prowler: AWS AI Security Framework" in markdown
    assert "63 requirements: 13 fully covered, 29 partly covered, 12 not decidable from a template, 9 not covered yet." \
        in markdown
    assert "| AISF-AI-02 | Prompt Injection Defense | fully covered | [AISEC-APP-02](#aisec-app-02) (Foundational) |" \
        in markdown
    assert ("| BR-27 | Guardrail Contextual Grounding Check | partly covered | [AISEC-APP-06](#aisec-app-06) "
            "(Enhanced; partly: guardrails of RAG workloads) |") in markdown
    assert f"| BR-11 | Custom Model Encryption | not decidable | {AIML_SAMPLE.not_decidable['BR-11']} |" in markdown
    for assessment in ASSESSMENTS:
        for check in assessment.ids:
            assert markdown.count(f"\n| {check} | ") == 1, check
    assert ("\n- Prowler: AWS AI Security Framework: AISF-ML-01, AISF-ML-03 (partly: network isolation and VPC of "
            "pipeline training and tuning steps)\n") in markdown
    assert "\n- AWS AI/ML security assessment sample: SM-01 (partly: domains), SM-11\n" in markdown
    assert ("| SM-01 | Internet Access | fully covered | [AISEC-INF-14](#aisec-inf-14) (Foundational; partly: notebooks), "
            "[AISEC-INF-15](#aisec-inf-15) (Enhanced; partly: domains); together they catch all of it |") in markdown


def test_the_readme_carries_the_generated_tables():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    generated = readme_assessments(RULES)
    assert generated.startswith(README_BEGIN) and generated.endswith(README_END)
    assert generated in readme, "README.md is stale: run `make docs`"
    assert "| AISF-ML-02 | fully | [AISEC-INF-14](docs/RULES.md#aisec-inf-14), [AISEC-DATA-26](docs/RULES.md#aisec-data-26) |" \
        in generated
    assert "| BR-27 | partly | [AISEC-APP-06](docs/RULES.md#aisec-app-06) |" in generated
    assert "\nNot decidable from a template: AISF-IAM-03, AISF-IAM-04, AISF-AI-06," in generated
    assert "| BR-11 |" not in generated  # only what the rules catch is a row


def test_the_readme_script_replaces_only_its_block():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import readme_assessments as script
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    stale = f"intro\n{README_BEGIN}\nold table\n{README_END}\noutro\n"
    assert script.updated(stale) == f"intro\n{readme_assessments(RULES)}\noutro\n"
    assert script.main(["--check"]) == 0
    with pytest.raises(SystemExit, match="markers are missing"):
        script.updated("no markers")
