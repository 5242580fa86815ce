"""A SARIF log that GitHub code scanning accepts whatever the size of the system: at most 25,000 results in its run,
at most 1,000 locations in a result, at most 10 MB gzipped; when findings must be left out, the highest in severity
stay (open before acknowledged, then in their order) and the run says how many were left out."""
import gzip
import json

from aisec_rules.cli import main
from aisec_rules.model import Finding, Severity
from aisec_rules.output import findings as report
from aisec_rules.registry import RULES

from .test_sarif import PUBLIC, REPO, errors, one_run

ENVIRONMENT = "aws://unknown-account/unknown-region"
BY_SEVERITY = {s: next(r for r in RULES if r.severity is s) for s in Severity}


def generated(tmp_path, counts):
    """Findings of a generated system: ``counts`` is a list of (severity, how many, acknowledged), in the order the
    findings are given; each finding is on its own resource of one template written to ``tmp_path``."""
    template = tmp_path / "system.template.json"
    findings = []
    for severity, count, acknowledged in counts:
        for _ in range(count):
            name = f"Resource{len(findings)}"
            findings.append(Finding(BY_SEVERITY[severity], name, "generated finding", str(template),
                                    acknowledged=acknowledged, reason="lab" if acknowledged else None,
                                    stack="system", environment=ENVIRONMENT))
    resources = {f.resource: {"Type": "AWS::SNS::Topic", "Properties": {}} for f in findings}
    template.write_text(json.dumps({"Resources": resources}, indent=1), encoding="utf-8")
    return findings


def names(run):
    return [r["locations"][0]["logicalLocations"][0]["name"] for r in run["results"]]


def left_out(run):
    [invocation] = run["invocations"]
    [notification] = invocation["toolExecutionNotifications"]
    assert invocation["executionSuccessful"] is True
    assert notification["level"] == "warning" and notification["descriptor"] == {"id": "aisec/results-left-out"}
    return notification


def test_more_findings_than_a_run_may_hold_keeps_the_25000_highest_in_severity(tmp_path):
    findings = generated(tmp_path, [(Severity.LOW, 2_000, False), (Severity.HIGH, 10_000, False),
                                    (Severity.LOW, 500, True), (Severity.MEDIUM, 14_000, False),
                                    (Severity.HIGH, 100, True)])
    log = json.loads(report.findings_sarif(findings, RULES, "test", root=tmp_path))
    run = one_run(log)
    assert len(run["results"]) == report.SARIF_MAX_RESULTS == 25_000
    assert all(len(r["locations"]) <= report.SARIF_MAX_LOCATIONS for r in run["results"])
    # every high and medium finding stays (acknowledged ones too), then 900 of the 2,000 open low ones, in their
    # order; the 500 acknowledged low ones go first, then the last 1,100 open low ones
    kept = [f.resource for f in findings if f.rule.severity is not Severity.LOW] + [f"Resource{i}" for i in range(900)]
    assert sorted(names(run)) == sorted(kept)
    chosen = set(kept)
    assert names(run) == [f.resource for f in findings if f.resource in chosen]  # the order given
    notification = left_out(run)
    assert notification["properties"] == {"leftOut": 1_600, "findings": 26_600}
    assert notification["message"]["text"] == (
        "1600 of 26600 findings are left out of this log, the lowest in severity first: GitHub code scanning accepts "
        "at most 25,000 results per run and 10 MB gzipped. `aisec check --format json` lists every finding.")
    assert len(gzip.compress(json.dumps(log).encode())) <= report.SARIF_MAX_GZIP_BYTES


def test_a_cut_log_validates_against_the_sarif_schema_and_says_what_it_left_out(tmp_path):
    findings = generated(tmp_path, [(Severity.MEDIUM, 3, False), (Severity.HIGH, 2, True), (Severity.HIGH, 2, False)])
    log = json.loads(report.findings_sarif(findings, RULES, "test", root=tmp_path, max_results=3))
    assert errors(log) == []
    run = one_run(log)
    assert names(run) == ["Resource3", "Resource5", "Resource6"]  # the open high ones, then an acknowledged high one
    assert run["results"][0]["suppressions"][0]["justification"] == "lab"
    assert left_out(run)["properties"] == {"leftOut": 4, "findings": 7}


def test_a_log_too_large_once_gzipped_is_cut_until_it_fits(tmp_path):
    findings = generated(tmp_path, [(Severity.LOW, 300, False), (Severity.HIGH, 300, False)])
    whole = report.findings_sarif(findings, RULES, "test", root=tmp_path)
    assert "invocations" not in one_run(json.loads(whole))
    without_results = report.findings_sarif(findings, RULES, "test", root=tmp_path, max_results=0)
    fixed = len(gzip.compress(without_results.encode(), compresslevel=1))  # the rules of the driver, mostly
    limit = (fixed + 3 * len(gzip.compress(whole.encode(), compresslevel=1))) // 4  # room for about 450 results
    cut = report.findings_sarif(findings, RULES, "test", root=tmp_path, max_gzip_bytes=limit)
    assert len(gzip.compress(cut.encode(), compresslevel=1)) <= limit
    run = one_run(json.loads(cut))
    kept = names(run)
    assert 300 <= len(kept) < 600 and kept[-300:] == [f"Resource{i}" for i in range(300, 600)]  # every high one
    assert left_out(run)["properties"] == {"leftOut": 600 - len(kept), "findings": 600}
    assert f"at most 25,000 results per run and {limit:,} bytes gzipped" in left_out(run)["message"]["text"]


def test_a_log_within_the_limits_is_whole_and_has_no_invocation(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    main(["check", str(PUBLIC), "--capabilities", "acts", "--format", "sarif"])
    out, err = capsys.readouterr()
    assert "invocations" not in one_run(json.loads(out)) and "left out" not in err


def test_the_cli_says_on_stderr_how_many_findings_the_log_left_out(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    main(["check", str(PUBLIC), "--capabilities", "acts", "--format", "json"])
    total = len(json.loads(capsys.readouterr().out)["findings"])
    monkeypatch.setattr(report, "SARIF_MAX_RESULTS", 2)
    code = main(["check", str(PUBLIC), "--capabilities", "acts", "--format", "sarif"])
    out, err = capsys.readouterr()
    run = one_run(json.loads(out))
    assert code == 1 and len(run["results"]) == 2 and {r["level"] for r in run["results"]} == {"error"}
    assert left_out(run)["properties"] == {"leftOut": total - 2, "findings": total}
    assert (f"aisec: notice: {total - 2} of {total} findings are left out of the SARIF log (GitHub code scanning's "
            "limits), lowest severity first; --format json lists them all") in err



def test_what_the_scan_did_not_read_is_a_note_of_the_logs_invocation(capsys, monkeypatch):
    included = REPO / "tests" / "fixtures" / "sam" / "forms" / "included_resources.yaml"
    monkeypatch.chdir(REPO)
    code = main(["check", str(included), "--format", "sarif"])
    out, err = capsys.readouterr()
    log = json.loads(out)
    [invocation] = one_run(log)["invocations"]
    [notice] = err.splitlines()
    assert "resources included with Fn::Transform from s3://bucket/resources.yaml are not scanned" in notice
    assert code == 0 and errors(log) == [] and invocation["executionSuccessful"] is True
    assert invocation["toolExecutionNotifications"] == [{
        "level": "note", "message": {"text": notice.removeprefix("aisec: notice: ")},
        "descriptor": {"id": "aisec/notice"}}]


def test_notices_follow_the_note_of_what_a_cut_log_left_out(tmp_path):
    findings = generated(tmp_path, [(Severity.HIGH, 3, False)])
    log = json.loads(report.findings_sarif(findings, RULES, "test", root=tmp_path, max_results=1,
                                           notices=["a.yaml: not scanned"]))
    said = one_run(log)["invocations"][0]["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["level"]) for n in said] == [("aisec/results-left-out", "warning"),
                                                                    ("aisec/notice", "note")]
    assert said[1]["message"] == {"text": "a.yaml: not scanned"} and errors(log) == []
