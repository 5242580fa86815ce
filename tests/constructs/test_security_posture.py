"""SecurityPosture: Security Hub + AI standard, Config recorder and AI rules, forensics, existing singletons."""
import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.detection import SecurityPosture
from aisec_constructs.detection.security_posture import DEFAULT_AI_CONFIG_RULES
from aisec_rules import AiSecurityChecks
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

FSBP = "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"


def rule_findings(stack, rule_id):
    template = AisecTemplate(Template.from_stack(stack).to_json(), stack.stack_name)
    return sorted(f.id for f in evaluate(template, Phase.ADVANCED, capabilities=set(Capability))
                  if f.rule.id == rule_id and not f.acknowledged)


@pytest.fixture(scope="module")
def defaults():
    stack = cdk.Stack(cdk.App(), "Posture")
    SecurityPosture(stack, "Posture")
    return stack


@pytest.fixture(scope="module")
def template(defaults):
    return Template.from_stack(defaults)


def test_security_hub_with_only_chosen_standards_and_the_ai_standard(template):
    template.has_resource_properties("AWS::SecurityHub::Hub", {
        "EnableDefaultStandards": False, "AutoEnableControls": True, "ControlFindingGenerator": "SECURITY_CONTROL"})
    template.has_resource("AWS::SecurityHub::Standard", {"Properties": {"StandardsArn": {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":securityhub:", {"Ref": "AWS::Region"},
        "::standards/ai-security-best-practices/v/1.0.0"]]}}, "DependsOn": [Match.string_like_regexp("PostureHub")]})


def test_config_records_everything_to_an_encrypted_bucket(template):
    template.has_resource_properties("AWS::Config::ConfigurationRecorder", {
        "RecordingGroup": {"AllSupported": True, "IncludeGlobalResourceTypes": True},
        "RoleARN": {"Fn::GetAtt": [Match.string_like_regexp("PostureRecorderRole"), "Arn"]}})
    template.has_resource("AWS::Config::DeliveryChannel", {"Properties": {
        "S3BucketName": {"Ref": Match.string_like_regexp("PostureConfigBucket")},
        "S3KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("PostureKey"), "Arn"]},
        "ConfigSnapshotDeliveryProperties": {"DeliveryFrequency": "TwentyFour_Hours"}},
        "DependsOn": Match.array_with([Match.string_like_regexp("PostureRecorder[0-9A-F]+$")])})
    template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Sid": "AWSConfigBucketDelivery", "Principal": {"Service": "config.amazonaws.com"},
                           "Condition": {"StringEquals": {"AWS:SourceAccount": {"Ref": "AWS::AccountId"},
                                                          "s3:x-amz-acl": "bucket-owner-full-control"}}})])}})
    template.has_resource_properties("AWS::IAM::Role", {"ManagedPolicyArns": [{"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWS_ConfigRole"]]}]})


def test_ai_managed_rules_are_deployed_after_the_recorder(template):
    rules = template.find_resources("AWS::Config::ConfigRule")
    identifiers = sorted(r["Properties"]["Source"]["SourceIdentifier"] for r in rules.values())
    assert identifiers == sorted(DEFAULT_AI_CONFIG_RULES)
    assert "BEDROCKAGENTCORE_RUNTIME_PRIVATE_NETWORK_REQUIRED" in identifiers
    assert all(r["Properties"]["Source"]["Owner"] == "AWS" and any("PostureRecorder" in d for d in r["DependsOn"])
               for r in rules.values())


def test_detective_graph_by_default(template):
    template.has_resource_properties("AWS::Detective::Graph", {"AutoEnableMembers": False})


def test_options_security_lake_extra_standard_and_rule_list():
    stack = cdk.Stack(cdk.App(), "Options")
    SecurityPosture(stack, "Posture", additional_standards=[FSBP], ai_config_rules=["BEDROCK_DATA_SOURCE_ENCRYPTION_ENABLED"],
                    forensics="security_lake", security_lake_meta_store_role_arn="arn:aws:iam::123456789012:role/lake")
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SecurityHub::Standard", 2)
    template.has_resource_properties("AWS::SecurityHub::Standard", {"StandardsArn": FSBP})
    template.resource_count_is("AWS::Config::ConfigRule", 1)
    template.resource_count_is("AWS::Detective::Graph", 0)
    template.has_resource_properties("AWS::SecurityLake::DataLake", {
        "MetaStoreManagerRoleArn": "arn:aws:iam::123456789012:role/lake",
        "EncryptionConfiguration": {"KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("PostureKey"), "Arn"]}}})
    assert lint_errors(template.to_json()) == []


def test_invalid_options_are_refused():
    with pytest.raises(ValueError, match="forensics 'splunk'"):
        SecurityPosture(cdk.Stack(cdk.App(), "A"), "P", forensics="splunk")
    with pytest.raises(ValueError, match="needs security_lake_meta_store_role_arn"):
        SecurityPosture(cdk.Stack(cdk.App(), "B"), "P", forensics="security_lake")
    with pytest.raises(ValueError, match="say where the existing Security Hub CSPM lives"):
        SecurityPosture(cdk.Stack(cdk.App(), "C"), "P", existing_security_hub="")


def test_skip_forensics_is_recorded_and_reported():
    stack = cdk.Stack(cdk.App(), "NoForensics")
    SecurityPosture(stack, "Posture", skip_forensics=True)
    Template.from_stack(stack).resource_count_is("AWS::Detective::Graph", 0)
    assert lint_errors(Template.from_stack(stack).to_json()) == []
    Annotations.from_stack(stack).has_warning("/NoForensics/Posture", Match.string_like_regexp("skip_forensics=True"))
    assert rule_findings(stack, "AISEC-APP-27") == ["AISEC-APP-27[Forensics]"]


def test_existing_singletons_create_nothing_and_acknowledge_their_findings(tmp_path):
    app = cdk.App(outdir=str(tmp_path), context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    stack = cdk.Stack(app, "Existing")
    SecurityPosture(stack, "Posture", existing_security_hub="delegated admin 111122223333",
                    existing_standards="central configuration policy", existing_config_recorder="Control Tower",
                    existing_forensics="Detective in the security account", ai_config_rules=())
    cdk.CfnResource(stack, "Agent", type="AWS::Bedrock::Agent", properties={"AgentName": "a"})
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ADVANCED))
    assembly = app.synth()
    template = json.loads((Path(assembly.directory) / "Existing.template.json").read_text())
    assert sorted(r["Type"] for r in template["Resources"].values()) == ["AWS::Bedrock::Agent"]
    assert lint_errors(template) == []
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    app27 = {v["ruleName"]: v["severity"] for p in report["pluginReports"] if p["pluginName"] == "AISEC"
             for v in p["violations"] if v["ruleName"].startswith("AISEC-APP-27")}
    assert app27 == {f"AISEC-APP-27[{d}]": "info" for d in ("SecurityHub", "AiStandard", "ConfigRecorder", "Forensics")}


def test_passes_the_pack_at_advanced_and_cfn_lint(defaults):
    assert stack_findings(defaults, Phase.ADVANCED) == []
    assert rule_findings(defaults, "AISEC-APP-27") == []
    template = AisecTemplate(Template.from_stack(defaults).to_json(), "t")
    assert [f.id for f in evaluate(template, Phase.ADVANCED, capabilities=set(Capability))
            if not f.workload and not f.acknowledged] == []
    assert lint_errors(Template.from_stack(defaults).to_json()) == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    stack = cdk.Stack(app, "Posture")
    posture = SecurityPosture(stack, "Posture")
    Validations.of(posture.delivery_bucket.access_logs_bucket).acknowledge(Acknowledgment(
        id="AwsSolutions-S1", reason="This is the server access log target bucket; logging it to itself would loop."))
    assert aws_solutions_errors(app) == []
