"""Probe results as text, Markdown and SARIF, from a results document: verdicts, rows, the probes that got
through, and escaping of what templates and the command line control."""
import json
from pathlib import Path

import jsonschema

from aisec_rules.output import probe_results
from aisec_rules.probe.runner import Outcome, Target
from aisec_rules.probe.scoring import GuardrailResult, Thresholds, document
from aisec_rules.probe.suite import load

SUITE = load()
BY_ID = {p.id: p for p in SUITE.probes}
SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text())


def doc(template=""):
    outcomes = [Outcome(BY_ID[i], "GUARDRAIL_INTERVENED" if blocked else "NONE") for i, blocked in (
        ("pi-001", True), ("pi-002", False), ("cred-001", True), ("ok-001", True), ("ok-002", False))]
    target = Target("gr1", "4", stack="Chat\x1b[2J", resource="GuardVersion", template=template)
    return document([GuardrailResult(target, outcomes)], SUITE, Thresholds(), started="s", finished="2026-05-01T00:00Z")


def test_text_lists_each_category_the_benign_rate_and_what_got_through():
    out = probe_results.text(doc())
    assert out.splitlines() == [
        "guardrail gr1 version 4 (Chat\\x1b[2J/GuardVersion): BELOW THE THRESHOLDS",
        "  category                    owasp       blocked   rate   minimum",
        "  prompt_injection            LLM01         1 / 2    50%       80%  FAIL",
        "  credential_leak             LLM02         1 / 1   100%       80%",
        "  benign (false positives)                  1 / 2    50%   max 10%  FAIL",
        "  got through: pi-002",
        "  benign probes blocked: ok-001",
        "1 guardrail version(s) probed, 5 probes, 5 text units; thresholds not met"]


def test_markdown_is_a_table_per_guardrail():
    out = probe_results.markdown(doc())
    assert "### ❌ guardrail gr1 version 4 (Chat\\x1b[2J/GuardVersion)" in out
    assert "| prompt_injection | LLM01 | 1 / 2 | 50% | 80% | ❌ |" in out
    assert "| benign (false positives) | – | 1 / 2 | 50% | max 10% | ❌ |" in out
    assert "Got through: pi-002" in out and "Benign probes blocked: ok-001" in out


def test_sarif_has_a_result_per_category_below_its_threshold_at_the_template(tmp_path):
    template = tmp_path / "chat.template.json"
    template.write_text('{\n  "Resources": {\n    "GuardVersion": {"Type": "AWS::Bedrock::GuardrailVersion"}\n  }\n}\n')
    log = json.loads(probe_results.sarif(doc(str(template)), "0.1.0", root=str(tmp_path)))
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["message"]["text"]) for r in results] == [
        ("probe/prompt_injection", "guardrail gr1 version 4 (Chat\\x1b[2J/GuardVersion): prompt_injection: 1 of 2 "
                                   "probes blocked (50%), below the minimum 80%; got through: pi-002"),
        ("probe/benign", "guardrail gr1 version 4 (Chat\\x1b[2J/GuardVersion): benign: 1 of 2 benign probes blocked "
                         "(50%), above the maximum 10%; blocked: ok-001")]
    assert results[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "chat.template.json", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 19}}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["probe/credential_leak", "probe/prompt_injection", "probe/benign"]
    assert rules[1]["properties"]["tags"] == ["security", "LLM01", "T6"]


def test_the_evidence_keeps_the_verdict_and_problems_of_each_guardrail():
    evidence = probe_results.Evidence.of(doc(), "probe.json")
    assert evidence.to_dict() == {"control": "AISEC-APP-30", "source": "probe.json", "finished": "2026-05-01T00:00Z",
                                  "passed": False, "guardrails": [{
                                      "id": "gr1", "version": "4", "stack": "Chat\x1b[2J", "resource": "GuardVersion",
                                      "passed": False, "problems": doc()["guardrails"][0]["problems"]}]}
    markdown = "\n".join(evidence.markdown("docs/RULES.md"))
    assert "| `gr1` | 4 | Chat\\x1b[2J/GuardVersion | ❌ prompt_injection: 1 of 2 blocked (50%)" in markdown
    assert '<td><code>gr1</code></td><td>4</td><td>Chat\x1b[2J/GuardVersion</td>' in "".join(evidence.html("d"))
