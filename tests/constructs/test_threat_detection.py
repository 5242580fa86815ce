"""ThreatDetection: detector features, malware protection, existing detector, opt-outs, compliance."""
import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.data import SecureBucket
from aisec_constructs.detection import ThreatDetection
from aisec_rules import AiSecurityChecks
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

FEATURES = ["AI_PROTECTION", "S3_DATA_EVENTS", "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING"]


def rule_findings(stack, rule_id, capabilities=frozenset(Capability)):
    template = AisecTemplate(Template.from_stack(stack).to_json(), stack.stack_name)
    return sorted(f"{f.id} @ {f.resource}" for f in evaluate(template, Phase.ADVANCED, capabilities=capabilities)
                  if f.rule.id == rule_id and not f.acknowledged)


@pytest.fixture(scope="module")
def defaults():
    stack = cdk.Stack(cdk.App(), "Threats")
    ThreatDetection(stack, "Threats")
    return stack


@pytest.fixture(scope="module")
def template(defaults):
    return Template.from_stack(defaults)


@pytest.fixture(scope="module")
def with_malware_protection():
    stack = cdk.Stack(cdk.App(), "Malware")
    corpus = SecureBucket(stack, "Corpus")
    ThreatDetection(stack, "Threats", malware_protection_buckets=[corpus.bucket])
    return stack


def test_detector_is_enabled_with_every_ai_feature_and_no_legacy_data_sources(template):
    template.resource_count_is("AWS::GuardDuty::Detector", 1)
    template.has_resource_properties("AWS::GuardDuty::Detector", {
        "Enable": True, "FindingPublishingFrequency": "FIFTEEN_MINUTES", "DataSources": Match.absent(),
        "Features": [{"Name": name, "Status": "ENABLED", **({"AdditionalConfiguration": [
            {"Name": "ECS_FARGATE_AGENT_MANAGEMENT", "Status": "ENABLED"},
            {"Name": "EC2_AGENT_MANAGEMENT", "Status": "ENABLED"}]} if name == "RUNTIME_MONITORING" else {})}
            for name in FEATURES]})


def test_malware_protection_plan_scans_and_tags_the_bucket(with_malware_protection):
    template = Template.from_stack(with_malware_protection)
    template.has_resource_properties("AWS::GuardDuty::MalwareProtectionPlan", {
        "ProtectedResource": {"S3Bucket": {"BucketName": {"Ref": Match.string_like_regexp("CorpusBucket")}}},
        "Actions": {"Tagging": {"Status": "ENABLED"}},
        "Role": {"Fn::GetAtt": [Match.string_like_regexp("MalwareProtection0Role"), "Arn"]}})
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [Match.object_like({
        "Principal": {"Service": "malware-protection-plan.guardduty.amazonaws.com"}})]}})
    policy = next(iter(template.find_resources("AWS::IAM::Policy").values()))["Properties"]["PolicyDocument"]["Statement"]
    sids = [s["Sid"] for s in policy]
    assert sids == ["AllowManagedRuleToSendS3EventsToGuardDuty", "AllowGuardDutyToMonitorEventBridgeManagedRule",
                    "AllowPostScanTag", "AllowEnableS3EventBridgeEvents", "AllowPutValidationObject",
                    "AllowCheckBucketOwnership", "AllowMalwareScan", "AllowDecryptForMalwareScan"]
    assert policy[-1]["Condition"] == {"StringLike": {"kms:ViaService": {"Fn::Join": ["", ["s3.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}}}


def test_skipping_features_is_recorded_and_reported():
    stack = cdk.Stack(cdk.App(), "Weak")
    ThreatDetection(stack, "Threats", skip_s3_data_events=True, skip_lambda_network_logs=True, skip_runtime_monitoring=True,
                    extra_features=["EKS_AUDIT_LOGS"])
    Template.from_stack(stack).has_resource_properties("AWS::GuardDuty::Detector", {"Features": [
        {"Name": "AI_PROTECTION", "Status": "ENABLED"}, {"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"}]})
    assert lint_errors(Template.from_stack(stack).to_json()) == []
    annotations = Annotations.from_stack(stack)
    for flag in ("skip_s3_data_events", "skip_lambda_network_logs", "skip_runtime_monitoring"):
        annotations.has_warning("/Weak/Threats", Match.string_like_regexp(f"{flag}=True"))
    assert rule_findings(stack, "AISEC-APP-23") == [
        "AISEC-APP-23[LAMBDA_NETWORK_LOGS] @ ThreatsDetector05847B97", "AISEC-APP-23[RUNTIME_MONITORING] @ ThreatsDetector05847B97",
        "AISEC-APP-23[Response] @ ThreatsDetector05847B97", "AISEC-APP-23[S3_DATA_EVENTS] @ ThreatsDetector05847B97"]


def test_invalid_options_are_refused():
    with pytest.raises(ValueError, match="unknown extra feature NOPE"):
        ThreatDetection(cdk.Stack(cdk.App(), "A"), "T", extra_features=["NOPE"])
    with pytest.raises(ValueError, match="must say where the detector lives"):
        ThreatDetection(cdk.Stack(cdk.App(), "B"), "T", existing_detector=" ")


def test_existing_detector_creates_none_and_acknowledges_the_workload_finding(tmp_path):
    app = cdk.App(outdir=str(tmp_path), context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    stack = cdk.Stack(app, "Existing")
    ThreatDetection(stack, "Threats", existing_detector="delegated administrator account 111122223333")
    cdk.CfnResource(stack, "Agent", type="AWS::Bedrock::Agent", properties={"AgentName": "a"})
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ENHANCED))
    assembly = app.synth()
    template = json.loads((Path(assembly.directory) / "Existing.template.json").read_text())
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::GuardDuty::Detector"]
    assert lint_errors(template) == []
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    app23 = {v["ruleName"]: v["severity"] for p in report["pluginReports"] if p["pluginName"] == "AISEC"
             for v in p["violations"] if v["ruleName"].startswith("AISEC-APP-23")}
    assert app23 == {"AISEC-APP-23": "info", "AISEC-APP-23[Response]": "error"}


def test_passes_the_pack_at_advanced_and_cfn_lint(defaults, with_malware_protection):
    for stack in (defaults, with_malware_protection):
        assert stack_findings(stack, Phase.ADVANCED) == []
        # only the response wiring is missing: it is IncidentResponse's job
        assert [f.split(" @ ")[0] for f in rule_findings(stack, "AISEC-APP-23")] == ["AISEC-APP-23[Response]"]
        template = AisecTemplate(Template.from_stack(stack).to_json(), "t")
        assert [f.id for f in evaluate(template, Phase.ADVANCED, capabilities=set(Capability))
                if not f.workload and not f.acknowledged] == []
        assert lint_errors(Template.from_stack(stack).to_json()) == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    stack = cdk.Stack(app, "Threats")
    corpus = SecureBucket(stack, "Corpus", server_access_logs=False)
    ThreatDetection(stack, "Threats", malware_protection_buckets=[corpus.bucket])
    Validations.of(corpus.bucket).acknowledge(Acknowledgment(
        id="AwsSolutions-S1", reason="Test fixture bucket standing in for a knowledge-base source bucket."))
    assert aws_solutions_errors(app) == []
