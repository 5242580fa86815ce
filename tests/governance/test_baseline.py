"""Baselines: `aisec baseline` writes the unacknowledged findings, `aisec check --baseline` and the readiness
report treat them as accepted debt, resolved entries are reported and removed by `--update`, and the policy
can refuse to baseline some rules or cap an entry's age.

The system is the agent app of tests/fixtures/readiness/agent_app.json: at Foundational it has six findings."""
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from aisec_rules.cli import main
from aisec_rules.engine import evaluate_system
from aisec_rules.governance import baseline as baselines
from aisec_rules.governance.policy import Policy
from aisec_rules.model import Phase
from aisec_rules.output.readiness import assess
from aisec_rules.read.loader import load_stacks
from aisec_rules.read.template import TemplateError
from aisec_rules.registry import RULES
from aisec_rules.version import version

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "readiness" / "agent_app.json"
ENV = "aws://unknown-account/unknown-region"
FOUNDATIONAL = ["AISEC-APP-01", "AISEC-APP-04", "AISEC-APP-18", "AISEC-APP-19", "AISEC-DATA-12[Permission::aoss:*]",
                "AISEC-DATA-14[SecureTransport]"]


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("AISEC_TODAY", "2026-11-29")


@pytest.fixture
def app(tmp_path):
    """A copy of the agent app the test may edit, and an empty policy beside it (no policy of the checkout)."""
    path = tmp_path / "agent_app.json"
    shutil.copy(FIXTURE, path)
    (tmp_path / "aisec.toml").write_text("")
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_baseline(capsys, app, phase="foundational"):
    target = app.parent / "aisec-baseline.json"
    code, out, err = run(capsys, "baseline", app, "--phase", phase, "--output", target, "--policy", app.parent / "aisec.toml")
    assert code == 0, err
    return target, out


def edit(app, change) -> None:
    data = json.loads(app.read_text())
    change(data["Resources"])
    app.write_text(json.dumps(data))


def test_a_baseline_holds_the_unacknowledged_findings_by_fingerprint(capsys, app):
    target, out = write_baseline(capsys, app)
    assert out.strip() == f"wrote {target}: 6 finding(s) baselined at Foundational"
    data = json.loads(target.read_text())
    assert set(data) == {"aisec_baseline", "tool", "date", "findings"}
    assert data["aisec_baseline"] == 1 and data["tool"]["name"] == "aisec" and data["date"] == "2026-11-29"
    assert sorted(e["id"] for e in data["findings"]) == FOUNDATIONAL
    findings = evaluate_system(load_stacks([str(app)]), Phase.FOUNDATIONAL)
    assert {e["fingerprint"] for e in data["findings"]} == {f.fingerprint for f in findings}
    entry = next(e for e in data["findings"] if e["id"] == "AISEC-APP-04")
    assert entry == {"fingerprint": entry["fingerprint"], "id": "AISEC-APP-04", "environment": ENV,
                     "stack": "agent_app", "resource": "Agent", "template": str(app), "since": "2026-11-29"}


def test_the_fingerprint_is_the_sarif_one_and_ignores_lines_and_messages(capsys, app):
    target, _ = write_baseline(capsys, app)
    code, out, _ = run(capsys, "check", app, "--phase", "foundational", "--format", "sarif", "--baseline", target)
    results = json.loads(out)["runs"][0]["results"]
    entries = {e["fingerprint"] for e in json.loads(target.read_text())["findings"]}
    assert {r["partialFingerprints"]["primaryLocationLineHash"] for r in results} == {f + ":1" for f in entries}
    assert {r["baselineState"] for r in results} == {"unchanged"} and code == 0
    # the resources move in the file and a message changes (the agent gets another model): still the same debt
    edit(app, lambda resources: resources.update({"Agent": {**resources.pop("Agent")}}))
    edit(app, lambda resources: resources["Agent"]["Properties"].update(FoundationModel="amazon.nova-lite-v1:0"))
    assert run(capsys, "check", app, "--phase", "foundational", "--baseline", target)[0] == 0


def test_check_with_a_baseline_fails_only_on_new_findings(capsys, app):
    target, _ = write_baseline(capsys, app)
    code, out, _ = run(capsys, "check", app, "--phase", "foundational", "--baseline", target)
    assert code == 0
    assert "Agent: AISEC-APP-04 BASELINED (since 2026-11-29):" in out
    assert out.strip().splitlines()[-1] == "0 finding(s), 0 acknowledged, 6 baselined in 1 stack(s), 1 environment(s)"
    code, out, _ = run(capsys, "check", app, "--phase", "enhanced", "--baseline", target, "--format", "json")
    assert code == 1  # Enhanced adds findings the baseline does not hold
    report = json.loads(out)
    assert sorted(f["id"] for f in report["findings"] if f["baselined"]) == FOUNDATIONAL
    new = [f for f in report["findings"] if not f["baselined"]]
    # 15 since issues 22: DATA-32 (the corpus bucket raises no alert), APP-24[CostGuardrail] (no budget) and
    # INF-11[ToolConcurrency] (the tool reserves no concurrency)
    assert len(new) == 15 and all(f["baseline"] is None for f in new)
    assert report["summary"] == {"findings": 15, "acknowledged": 0, "baselined": 6}
    assert report["baseline_resolved"] == []
    code, out, _ = run(capsys, "check", app, "--phase", "enhanced", "--baseline", target, "--format", "sarif")
    states = [r["baselineState"] for r in json.loads(out)["runs"][0]["results"]]
    assert sorted(states) == ["new"] * 15 + ["unchanged"] * 6


def test_a_fixed_finding_resolves_its_entry_and_update_removes_it(capsys, app):
    target, _ = write_baseline(capsys, app)
    edit(app, lambda resources: resources.pop("AccessPolicy"))  # DATA-12's finding is gone
    code, out, _ = run(capsys, "check", app, "--phase", "foundational", "--baseline", target)
    assert code == 0
    assert ("notice: baseline entry AISEC-DATA-12[Permission::aoss:*] on agent_app/AccessPolicy (since 2026-11-29) "
            "matches no finding any more: fixed, remove it from the baseline (aisec baseline --update)") in out
    code, out, _ = run(capsys, "check", app, "--phase", "foundational", "--baseline", target, "--format", "json")
    assert [e["id"] for e in json.loads(out)["baseline_resolved"]] == ["AISEC-DATA-12[Permission::aoss:*]"]
    edit(app, lambda resources: resources["Documents"]["Properties"].update(VersioningConfiguration={"Status": "x"}))
    edit(app, lambda resources: resources.update(Interpreter={  # a new finding: --update does not add it
        "Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
        "Properties": {"Name": "ci", "NetworkConfiguration": {"NetworkMode": "PUBLIC"}}}))
    code, out, _ = run(capsys, "baseline", app, "--phase", "foundational", "--output", target, "--update")
    assert code == 0
    assert out.strip() == (f"wrote {target}: 5 finding(s) baselined at Foundational (1 resolved entry removed, 0 added; "
                           "1 new finding(s) not added: --add-new adds them)")
    assert sorted(e["id"] for e in json.loads(target.read_text())["findings"]) == [
        i for i in FOUNDATIONAL if not i.startswith("AISEC-DATA-12")]
    assert run(capsys, "check", app, "--phase", "foundational", "--baseline", target)[0] == 1  # INF-06 is new
    code, out, _ = run(capsys, "baseline", app, "--phase", "foundational", "--output", target, "--update", "--add-new")
    assert "(0 resolved entries removed, 1 added)" in out
    assert run(capsys, "check", app, "--phase", "foundational", "--baseline", target)[0] == 0


def test_an_entry_keeps_the_day_it_was_first_written(capsys, app, monkeypatch):
    target, _ = write_baseline(capsys, app)
    monkeypatch.setenv("AISEC_TODAY", "2027-01-15")
    edit(app, lambda resources: resources.update(Interpreter={
        "Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
        "Properties": {"Name": "ci", "NetworkConfiguration": {"NetworkMode": "PUBLIC"}}}))
    write_baseline(capsys, app)  # written afresh over the old file: the old entries keep their day
    data = json.loads(target.read_text())
    assert data["date"] == "2027-01-15"
    assert {e["id"]: e["since"] for e in data["findings"]} == {**{i: "2026-11-29" for i in FOUNDATIONAL},
                                                                "AISEC-INF-06": "2027-01-15"}


def test_a_lower_phase_run_does_not_resolve_the_entries_of_rules_it_did_not_run(capsys, app):
    target, _ = write_baseline(capsys, app, "enhanced")
    code, out, _ = run(capsys, "check", app, "--phase", "foundational", "--baseline", target, "--format", "json")
    assert code == 0 and json.loads(out)["baseline_resolved"] == []
    stacks = load_stacks([str(app)])
    baseline = baselines.load(target)
    assert len(baseline.resolved([], stacks, Phase.ENHANCED, RULES)) == 21  # nothing found: all resolved
    assert len(baseline.resolved([], stacks, Phase.FOUNDATIONAL, RULES)) == 6
    assert baseline.resolved([], [], Phase.ENHANCED, RULES) == []  # a stack that was not given


def test_the_policy_can_refuse_a_baseline_entry(capsys, app):
    target, _ = write_baseline(capsys, app)
    policy = app.parent / "aisec.toml"
    policy.write_text('forbid_baselining = ["AISEC-APP-01"]\nmax_baseline_days = 30\n')
    code, out, _ = run(capsys, "check", app, "--phase", "foundational", "--baseline", target, "--policy", policy,
                       "--format", "json")
    assert code == 1
    [refused] = [f for f in json.loads(out)["findings"] if not f["baselined"]]
    assert refused["id"] == "AISEC-APP-01"
    assert refused["baseline"] == {"since": "2026-11-29", "problem":
                                   f"AISEC-APP-01 may not be baselined: forbid_baselining (policy {policy})"}
    assert refused["message"].endswith(f"(the baseline does not apply: AISEC-APP-01 may not be baselined: "
                                       f"forbid_baselining (policy {policy}))")
    findings = evaluate_system(load_stacks([str(app)]), Phase.FOUNDATIONAL, policy=Policy(max_baseline_days=30),
                               today=dt.date(2027, 1, 15), baseline=baselines.load(target))
    assert not any(f.baselined for f in findings)
    assert findings[0].baseline_problem == "the baseline entry of 2026-11-29 is more than max_baseline_days = 30 days old (policy)"
    # aisec baseline leaves out what the policy forbids, and says so
    code, out, err = run(capsys, "baseline", app, "--phase", "foundational", "--output", target, "--policy", policy)
    assert code == 0 and "5 finding(s) baselined" in out
    assert "aisec: notice: AISEC-APP-01 on agent_app/Agent is not baselined: AISEC-APP-01 may not be baselined" in err


def test_an_acknowledged_finding_is_not_baselined(capsys, app):
    target, _ = write_baseline(capsys, app)
    edit(app, lambda resources: resources["Agent"].update(Metadata={"cdk_nag": {"rules_to_suppress": [
        {"id": "AISEC-APP-04", "reason": "the guardrail is applied by the calling service"}]}}))
    code, out, _ = run(capsys, "check", app, "--phase", "foundational", "--baseline", target, "--format", "json")
    app04 = next(f for f in json.loads(out)["findings"] if f["id"] == "AISEC-APP-04")
    assert (app04["acknowledged"], app04["baselined"], app04["baseline"]["since"]) == (True, False, "2026-11-29")
    assert json.loads(out)["baseline_resolved"] == []  # the entry still matches a finding


def test_the_readiness_report_shows_baselined_debt_as_not_met(capsys, app):
    target, _ = write_baseline(capsys, app)
    readiness = assess(load_stacks([str(app)]), baseline=baselines.load(target), today=dt.date(2026, 11, 29))
    [env] = readiness.environments
    data = readiness.to_dict()
    states = {c["id"]: c["state"] for cell in data["environments"][0]["matrix"] for c in cell["controls"]}
    assert sorted(i for i, s in states.items() if s == "baselined") == sorted({i.split("[")[0] for i in FOUNDATIONAL})
    assert env.highest_met is None  # debt is not readiness
    gap = next(g for g in data["environments"][0]["verdict"]["missing_for_next_phase"] if g["rule_id"] == "AISEC-APP-04")
    assert (gap["open_findings"], gap["baselined_findings"]) == (0, 1)
    [finding] = [f for f in data["environments"][0]["findings"] if f["fingerprint"] in gap["findings"]]
    assert (finding["stack"], finding["resource"], finding["id"], finding["baselined"], finding["baseline"]) == (
        "agent_app", "Agent", "AISEC-APP-04", True, {"since": "2026-11-29", "problem": None})
    assert data["baseline"] == {"source": str(target), "date": "2026-11-29", "version": version(),
                                "entries": 6}
    assert data["summary"]["baselined_findings_at_enforced_phase"] is None  # no enforced phase given
    from aisec_rules.output import readiness_html, readiness_markdown

    assert "◐ baselined since 2026-11-29" in readiness_html.render(readiness)
    assert "🟣 baselined since 2026-11-29" in readiness_markdown.render(readiness)
    code, out, _ = run(capsys, "report", app, "--format", "json", "--baseline", target)
    assert code == 0 and json.loads(out)["baseline"]["entries"] == 6


@pytest.mark.parametrize("content, problem", [
    ("[]", "not an aisec baseline"),
    ("{", "not JSON"),
    ('{"aisec_baseline": 1, "date": "2026-11-29", "findings": [{"fingerprint": "xyz"}]}',
     "findings[0].fingerprint must be 16 lower-case hex digits"),
    ('{"aisec_baseline": 1, "date": "someday", "findings": []}', "date must be a date (YYYY-MM-DD)"),
    ('{"aisec_baseline": 1, "date": "2026-11-29", "findings": [{"fingerprint": "0123456789abcdef", "since": 3}]}',
     "findings[0].since must be a date"),
])
def test_a_bad_baseline_is_a_one_line_error(capsys, app, content, problem):
    bad = app.parent / "bad.json"
    bad.write_text(content)
    with pytest.raises(TemplateError, match=problem.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")
                       .replace(")", r"\)")):
        baselines.load(bad)
    code, _, err = run(capsys, "check", app, "--baseline", bad)
    assert code == 2 and len(err.strip().splitlines()) == 1 and problem in err


def test_baseline_usage_errors(capsys, app):
    target = app.parent / "missing.json"
    code, _, err = run(capsys, "baseline", app, "--output", target, "--add-new")
    assert code == 2 and "--add-new needs --update" in err
    code, _, err = run(capsys, "baseline", app, "--output", target, "--update")
    assert code == 2 and "no such baseline file" in err
