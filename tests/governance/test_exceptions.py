"""Governed exceptions: expiry, validity, the policy file, and what the pack and the CLI make of them."""
import datetime as dt
import json

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam

from aisec_rules import AiSecurityChecks, Phase
from aisec_rules.cli import main
from aisec_rules.engine import evaluate
from aisec_rules.governance.exceptions import Acknowledgement, expiring, parse, reason_with_expiry
from aisec_rules.governance.policy import Policy, discover, load
from aisec_rules.read.template import Template, TemplateError

TODAY = dt.date(2026, 11, 29)
REASON = "break-glass role, reviewed by security"


def test_the_expiry_is_read_from_the_reason_or_the_entry():
    assert parse({"id": "AISEC::AISEC-DATA-01", "reason": f"{REASON} [expires 2027-01-31]"}) == \
        Acknowledgement("AISEC-DATA-01", REASON, dt.date(2027, 1, 31))
    assert parse({"id": "AISEC-DATA-01", "reason": REASON, "expires": "2027-02-01"}).expires == dt.date(2027, 2, 1)
    assert parse({"id": "AISEC-DATA-01", "reason": REASON}).expires is None
    assert parse({"reason": REASON}) is None
    broken = parse({"id": "AISEC-DATA-01", "reason": REASON, "expires": "next year"})
    assert broken.state(TODAY) == "invalid" and "is not a date" in broken.invalid_because(TODAY)
    assert reason_with_expiry(REASON + " ", "2027-01-31") == f"{REASON} [expires 2027-01-31]"
    assert expiring("AISEC-DATA-01", REASON, dt.date(2027, 1, 31)).reason == f"{REASON} [expires 2027-01-31]"


@pytest.mark.parametrize("expires, state", [(None, "in force"), (dt.date(2027, 6, 1), "in force"),
                                            (dt.date(2026, 12, 29), "expiring"), (TODAY, "expiring"),
                                            (dt.date(2026, 11, 28), "expired")])
def test_states_by_expiry(expires, state):
    assert Acknowledgement("AISEC-DATA-01", REASON, expires).state(TODAY) == state


@pytest.mark.parametrize("ack_id, reason, problem", [
    ("AISEC-DATA-01", "", "is empty or too short"),
    ("AISEC-DATA-01", "ok", "is empty or too short"),
    ("AISEC-DATA-01", "  -- n/a --  ", "is empty or too short"),
    ("AISEC-*", REASON, "holds a wildcard"),
    ("*", REASON, "holds a wildcard"),
    ("AISEC-DATA-0?", REASON, "holds a wildcard"),
])
def test_invalid_acknowledgements(ack_id, reason, problem):
    ack = Acknowledgement(ack_id, reason)
    assert ack.state(TODAY) == "invalid" and problem in ack.invalid_because(TODAY)


def test_a_granular_detail_may_hold_a_star():
    assert Acknowledgement("AISEC-DATA-01[Action::bedrock:*]", REASON).state(TODAY) == "in force"


def test_policy_rules():
    policy = Policy(forbid_acknowledging=frozenset({"AISEC-APP-01"}), max_exception_days=90, require_expiry=True,
                    source="aisec.toml")
    assert "may not be acknowledged" in Acknowledgement("AISEC-APP-01[HATE]", REASON, TODAY).invalid_because(TODAY, policy)
    assert "has no expiry" in Acknowledgement("AISEC-DATA-01", REASON).invalid_because(TODAY, policy)
    far = Acknowledgement("AISEC-DATA-01", REASON, TODAY + dt.timedelta(days=91))
    assert "more than max_exception_days = 90 days away (policy aisec.toml)" in far.invalid_because(TODAY, policy)
    assert Acknowledgement("AISEC-DATA-01", REASON, TODAY + dt.timedelta(days=90)).state(TODAY, policy) == "in force"


def test_policy_files(tmp_path):
    (tmp_path / "aisec.toml").write_text('phase = "enhanced"\nforbid_acknowledging = ["AISEC-DATA-01"]\n'
                                         "max_exception_days = 30\nrequire_expiry = true\n")
    policy = load(tmp_path / "aisec.toml")
    assert (policy.phase, policy.forbid_acknowledging, policy.max_exception_days, policy.require_expiry) == (
        Phase.ENHANCED, frozenset({"AISEC-DATA-01"}), 30, True)
    nested = tmp_path / "app" / "src"
    nested.mkdir(parents=True)
    assert discover(nested).source == str(tmp_path / "aisec.toml")
    project = tmp_path / "other"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.aisec]\nphase = "advanced"\n')
    assert discover(project).phase is Phase.ADVANCED
    assert discover(project).source.endswith("pyproject.toml [tool.aisec]")


def test_the_rollout_keys_of_the_policy(tmp_path):
    (tmp_path / "aisec.toml").write_text('mode = "warn"\nforbid_baselining = ["AISEC-APP-01"]\nmax_baseline_days = 90\n'
                                         "fail_on_unused_acknowledgements = true\n")
    policy = load(tmp_path / "aisec.toml")
    assert (policy.mode, policy.forbid_baselining, policy.max_baseline_days, policy.fail_on_unused_acknowledgements) \
        == ("warn", frozenset({"AISEC-APP-01"}), 90, True)
    assert Policy().mode == "enforce" and not Policy().fail_on_unused_acknowledgements
    assert policy.to_dict()["mode"] == "warn" and policy.to_dict()["forbid_baselining"] == ["AISEC-APP-01"]
    assert "may not be baselined: forbid_baselining" in policy.baseline_violation("AISEC-APP-01[HATE]", TODAY, TODAY)
    old = TODAY - dt.timedelta(days=91)
    assert "more than max_baseline_days = 90 days old" in policy.baseline_violation("AISEC-DATA-01", old, TODAY)
    assert policy.baseline_violation("AISEC-DATA-01", TODAY - dt.timedelta(days=90), TODAY) == ""


def test_evidence_retention_days_defaults_to_a_year_and_can_be_raised(tmp_path):
    assert Policy().evidence_retention_days == 365
    (tmp_path / "aisec.toml").write_text("evidence_retention_days = 2555\n")
    policy = load(tmp_path / "aisec.toml")
    assert policy.evidence_retention_days == 2555
    assert policy.to_dict()["evidence_retention_days"] == 2555


@pytest.mark.parametrize("text, message", [
    ('phase = "production"', "phase: unknown phase 'production'"),
    ("max_exception_days = 0", "max_exception_days must be a whole number of days"),
    ('forbid_acknowledging = "AISEC-DATA-01"', "forbid_acknowledging must be a list of rule ids"),
    ('require_expiry = "yes"', "require_expiry must be true or false"),
    ("expiry_days = 3", "unknown policy key(s) expiry_days"),
    ("evidence_retention_days = 0", "evidence_retention_days must be a whole number of days, at least 1"),
    ('evidence_retention_days = "1y"', "evidence_retention_days must be a whole number of days, at least 1"),
    ("phase = ", "cannot read the policy"),
    ('mode = "loud"', "mode must be one of enforce, warn"),
    ('forbid_baselining = "AISEC-APP-01"', "forbid_baselining must be a list of rule ids"),
    ("max_baseline_days = -1", "max_baseline_days must be a whole number of days"),
    ('fail_on_unused_acknowledgements = "yes"', "fail_on_unused_acknowledgements must be true or false"),
])
def test_bad_policy_files_are_clear_errors(tmp_path, text, message):
    (tmp_path / "aisec.toml").write_text(text + "\n")
    with pytest.raises(TemplateError, match=None) as error:
        load(tmp_path / "aisec.toml")
    assert message in str(error.value) and "aisec.toml" in str(error.value)


ROLE = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["r"], "PolicyDocument": {
    "Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "arn:aws:bedrock:us-east-1::foundation-model/m"}]}}}


def with_ack(reason):
    resource = dict(ROLE, Metadata={"cdk_nag": {"rules_to_suppress": [{"id": "AISEC-DATA-01[Action::bedrock:*]",
                                                                         "reason": reason}]}})
    return Template({"Resources": {"Policy": resource}}, "t.json")


def test_the_engine_reopens_an_expired_finding_and_says_why():
    [finding] = [f for f in evaluate(with_ack(f"{REASON} [expires 2026-11-01]"), today=TODAY) if f.rule.id == "AISEC-DATA-01"]
    assert not finding.acknowledged and finding.exception_state == "expired"
    assert finding.message.endswith("(the acknowledgement does not apply: it expired on 2026-11-01)")
    [finding] = [f for f in evaluate(with_ack(f"{REASON} [expires 2027-11-01]"), today=TODAY) if f.rule.id == "AISEC-DATA-01"]
    assert finding.acknowledged and finding.reason == f"{REASON} [expires 2027-11-01]"


def data01(capsys, *args):
    code = main(["check", *args, "--format", "json", "--capabilities", "answers"])
    [finding] = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule_id"] == "AISEC-DATA-01"]
    return code, finding


def test_the_cli_reads_the_policy_file(tmp_path, capsys, monkeypatch):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(with_ack(REASON).data))
    _, finding = data01(capsys, str(path))
    assert finding["acknowledged"] and finding["exception"]["state"] == "in force"
    (tmp_path / "aisec.toml").write_text('forbid_acknowledging = ["AISEC-DATA-01"]\n')
    _, finding = data01(capsys, str(path), "--policy", str(tmp_path / "aisec.toml"))
    assert not finding["acknowledged"] and finding["exception"]["state"] == "invalid"
    assert f"forbid_acknowledging (policy {tmp_path / 'aisec.toml'})" in finding["message"]
    monkeypatch.chdir(tmp_path)  # discovered from the working directory
    _, finding = data01(capsys, str(path))
    assert finding["exception"]["state"] == "invalid"
    assert main(["check", str(path), "--policy", str(tmp_path / "missing.toml")]) == 2
    assert "no such policy file" in capsys.readouterr().err


def synth(tmp_path, acknowledgement, **context):
    app = cdk.App(outdir=str(tmp_path / "out"), context=context)
    stack = Stack(app, "Lab")
    role = iam.Role(stack, "Agent", assumed_by=iam.ServicePrincipal("bedrock.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["bedrock:*"],
                                           resources=["arn:aws:bedrock:us-east-1::foundation-model/m"]))
    Validations.of(role).acknowledge(acknowledgement)
    Validations.of(app).acknowledge(*[Acknowledgment(id=i, reason="provided by the platform team's landing zone")
                                      for i in ("AISEC-APP-01", "AISEC-APP-18", "AISEC-APP-19")])
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase="foundational", report=False))
    return app


@pytest.mark.compat
def test_an_expired_acknowledgement_fails_the_synth(tmp_path):
    app = synth(tmp_path, expiring("AISEC-DATA-01[Action::bedrock:*]", REASON, "2026-01-01"))
    with pytest.raises(Exception, match="it expired on 2026-01-01"):
        app.synth()
    report = json.loads((tmp_path / "out" / "validation-report.json").read_text())
    severities = {v["ruleName"]: v["severity"] for p in report["pluginReports"] if p["pluginName"] == "AISEC"
                  for v in p["violations"]}
    assert severities["AISEC-DATA-01[Action::bedrock:*]"] == "fatal"


@pytest.mark.compat
def test_a_forbidden_acknowledgement_fails_the_synth_naming_the_policy(tmp_path):
    (tmp_path / "aisec.toml").write_text('forbid_acknowledging = ["AISEC-DATA-01"]\n')
    ack = Acknowledgment(id="AISEC-DATA-01[Action::bedrock:*]", reason=REASON)
    app = synth(tmp_path, ack, **{"aisec:policy": str(tmp_path / "aisec.toml")})
    with pytest.raises(Exception, match=r"may not be acknowledged: forbid_acknowledging \(policy .*aisec.toml\)"):
        app.synth()
    assert synth(tmp_path / "allowed", ack).synth() is not None  # without the policy it passes
