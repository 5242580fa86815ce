"""The command line: exit codes, JSON shape, YAML short-form tags, acknowledgements from
template metadata, and a one-line error for every kind of bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from aisec_rules.cli import main
from aisec_rules.registry import RULES

FIXTURES = Path(__file__).parent / "fixtures" / "cli"
PUBLIC = FIXTURES / "public_interpreter.yaml"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def clean_template(tmp_path, name="clean.json"):
    """A template with no AI resource: no rule applies, so it is clean at every phase."""
    path = tmp_path / name
    path.write_text(json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}}}))
    return path


def sandboxed_interpreter(tmp_path):
    path = tmp_path / "sandboxed.json"
    path.write_text(json.dumps({"Resources": {"CI": {
        "Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
        "Properties": {"Name": "ci", "NetworkConfiguration": {"NetworkMode": "SANDBOX"}}}}}))
    return path


def rule_findings(capsys, rule_id, *argv):
    code, out, _ = run(capsys, "check", *argv, "--format", "json")
    return [(f["id"], f["resource"]) for f in json.loads(out)["findings"] if f["rule_id"] == rule_id]


def test_findings_exit_1_with_json_shape(capsys):
    code, out, _ = run(capsys, "check", str(PUBLIC), "--format", "json", "--capabilities", "acts")
    assert code == 1
    report = json.loads(out)
    inf06 = [f for f in report["findings"] if f["rule_id"] == "AISEC-INF-06"]
    assert [(f["resource"], f["acknowledged"]) for f in inf06] == [("Acknowledged", True), ("Interpreter", False)]
    first = inf06[1]
    assert {"rule_id", "resource", "template", "message", "acknowledged"} <= set(first)
    assert first["template"] == str(PUBLIC)
    assert "from the default of parameter Mode" in first["message"]
    assert inf06[0]["reason"] == "isolated lab account"


def test_warn_mode_reports_every_finding_and_exits_0(capsys):
    code, out, _ = run(capsys, "check", str(PUBLIC), "--capabilities", "acts", "--warn")
    assert code == 0
    assert "Interpreter: AISEC-INF-06 HIGH:" in out and "warn mode: findings are reported, none fails" in out
    code, out, _ = run(capsys, "check", str(PUBLIC), "--capabilities", "acts", "--warn", "--format", "json")
    assert code == 0 and json.loads(out)["mode"] == "warn" and json.loads(out)["summary"]["findings"] > 0


def test_warn_mode_from_the_policy(capsys, tmp_path):
    policy = tmp_path / "aisec.toml"
    policy.write_text('mode = "warn"\n')
    assert run(capsys, "check", str(PUBLIC), "--capabilities", "acts", "--policy", str(policy))[0] == 0
    code, out, _ = run(capsys, "report", str(PUBLIC), "--policy", str(policy), "--format", "json")
    assert code == 0 and json.loads(out)["mode"] == "warn"
    code, out, _ = run(capsys, "report", str(PUBLIC), "--policy", str(policy), "--format", "markdown")
    assert code == 0 and "> ⚠ Produced in **warn mode**: every finding is reported, none failed." in out


def test_short_form_tags_are_long_form_intrinsics():
    from aisec_rules.read.loader import load_file

    template = load_file(PUBLIC)
    assert template.resources["Interpreter"].prop("NetworkConfiguration", "NetworkMode") == {"Ref": "Mode"}
    assert template.resources["Acknowledged"].prop("ExecutionRoleArn") == {"Fn::GetAtt": ["Role", "Arn"]}
    assert template.resources["Interpreter"].prop("Name") == {"Fn::Sub": "${AWS::StackName}_ci"}
    assert template.resources["Acknowledged"].prop("NetworkConfiguration", "NetworkMode") == {"Fn::If": ["IsProd", "VPC", "PUBLIC"]}


def test_clean_template_exits_0(capsys, tmp_path):
    code, out, _ = run(capsys, "check", str(clean_template(tmp_path)))
    assert code == 0
    assert out.strip().endswith("0 finding(s), 0 acknowledged in 1 stack(s), 1 environment(s)")


def test_cdk_out_folder_reads_only_templates(capsys, tmp_path):
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "tree.json").write_text("{not json")  # not a template file in cdk.out: never read
    clean_template(tmp_path, "S.template.json")
    code, out, _ = run(capsys, "check", str(tmp_path), "--format", "json")
    assert code == 0
    assert json.loads(out)["templates"] == [str(tmp_path / "S.template.json")]


def test_phase_changes_the_verdict(capsys, tmp_path):
    path = str(sandboxed_interpreter(tmp_path))
    assert rule_findings(capsys, "AISEC-INF-06", path, "--phase", "foundational") == []
    assert rule_findings(capsys, "AISEC-INF-06", path, "--phase", "enhanced") == [("AISEC-INF-06", "CI")]
    assert run(capsys, "check", path, "--phase", "enhanced")[0] == 1


@pytest.mark.parametrize("content, problem", [
    ("{not json", "malformed JSON"),
    ("a: [unclosed", "malformed YAML"),
    ("[1, 2]", "must be a JSON/YAML object"),
    ('{"AWSTemplateFormatVersion": "2010-09-09"}', "no Resources section"),
    ('{"Resources": []}', "Resources must be an object"),
    ('{"Resources": {"A": "x"}}', "resource A must be an object"),
    ('{"Resources": {"A": {"Properties": {}}}}', "resource A has no Type string"),
    ('{"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": []}}}', "Properties of resource A must be an object"),
])
def test_bad_input_is_one_line_exit_2(capsys, tmp_path, content, problem):
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, out, err = run(capsys, "check", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(path) in err and problem in err


def test_missing_path_and_empty_folder_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(tmp_path / "nope.json"))
    assert code == 2 and "no such file or directory" in err
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "no CloudFormation templates found" in err


def test_usage_errors_exit_2(capsys):
    for argv in (["check"], ["check", "x", "--phase", "prod"], ["check", "x", "--capabilities", "chat"], ["frobnicate"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "unknown phase 'prod'" in err and "unknown capability 'chat'" in err


def test_rules_listing_formats(capsys):
    code, out, _ = run(capsys, "rules", "--format", "json")
    assert code == 0
    assert [r["id"] for r in json.loads(out)["rules"]] == [r.id for r in RULES]
    code, out, _ = run(capsys, "rules", "--format", "markdown")
    assert code == 0 and out.startswith("# aisec rules")


def test_sarif_marks_acknowledged_findings_suppressed(capsys):
    code, out, _ = run(capsys, "check", str(PUBLIC), "--format", "sarif", "--capabilities", "acts")
    results = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "AISEC-INF-06"]
    suppressed = {r["locations"][0]["logicalLocations"][0]["name"]: "suppressions" in r for r in results}
    assert code == 1 and suppressed == {"Acknowledged": True, "Interpreter": False}


def test_scanning_does_not_import_aws_cdk(tmp_path):
    path = clean_template(tmp_path)
    code = ("import sys; from aisec_rules.cli import main; rc = main(['check', %r]); "
            "assert 'aws_cdk' not in sys.modules and 'jsii' not in sys.modules, 'jsii loaded'; sys.exit(rc)") % str(path)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_template_level_metadata_acknowledges_every_resource(capsys, tmp_path):
    path = tmp_path / "acked.json"
    path.write_text(json.dumps({
        "Metadata": {"cdk_nag": {"rules_to_suppress": [{"id": "AISEC::AISEC-INF-06", "reason": "lab stack, torn down nightly"}]}},
        "Resources": {"CI": {"Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
                             "Properties": {"Name": "ci", "NetworkConfiguration": {"NetworkMode": "PUBLIC"}}}}}))
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    inf06 = [f for f in json.loads(out)["findings"] if f["rule_id"] == "AISEC-INF-06"]
    assert [(f["resource"], f["acknowledged"], f["reason"]) for f in inf06] == [("CI", True, "lab stack, torn down nightly")]


def test_sam_template_is_expanded_before_evaluation(capsys):
    code, out, _ = run(capsys, "check", str(FIXTURES.parent / "sam" / "agent_tool.yaml"), "--format", "json")
    found = {(f["id"], f["resource"]) for f in json.loads(out)["findings"]}
    assert code == 1
    assert ("AISEC-DATA-01[Action::bedrock:*]", "ToolFunctionRole") in found
    assert ("AISEC-DATA-17[Env::API_TOKEN]", "ToolFunction") in found


def test_invalid_sam_template_is_a_one_line_error(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"
                    "    Properties:\n      Runtime: 7\n      Events: not-a-map\n")
    code, out, err = run(capsys, "check", str(path))
    assert code == 2 and out == "" and err.count("\n") == 1 and "invalid SAM template" in err
