"""ResourceLogDelivery and AgentObservability: delivery chain, encrypted log group, traces, transaction search."""
import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk.assertions import Match, Template

from aisec_constructs.data import SecureLogGroup
from aisec_constructs.detection import AgentObservability, ResourceLogDelivery
from aisec_rules import AiSecurityChecks
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app

ROLE = "arn:aws:iam::123456789012:role/agent"


def knowledge_base(scope):
    return bedrock.CfnKnowledgeBase(scope, "KB", name="kb", role_arn=ROLE, knowledge_base_configuration={
        "type": "VECTOR", "vectorKnowledgeBaseConfiguration": {
            "embeddingModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"}},
        storage_configuration={"type": "S3_VECTORS", "s3VectorsConfiguration": {
            "indexArn": "arn:aws:s3vectors:us-east-1:123456789012:bucket/b/index/i"}})


def gateway(scope):
    return agentcore.CfnGateway(scope, "Gateway", name="gw", authorizer_type="AWS_IAM", protocol_type="MCP", role_arn=ROLE)


def build(stack):
    kb = knowledge_base(stack)
    gw = gateway(stack)
    ResourceLogDelivery(stack, "KbLogs", resource_arn=kb.attr_knowledge_base_arn)
    ResourceLogDelivery(stack, "GatewayLogs", resource_arn=gw.attr_gateway_arn, traces=True)
    AgentObservability(stack, "Observability")


@pytest.fixture(scope="module")
def stack():
    stack = cdk.Stack(cdk.App(), "Observed")
    build(stack)
    return stack


@pytest.fixture(scope="module")
def template(stack):
    return Template.from_stack(stack)


def app21(stack_or_template):
    data = stack_or_template.to_json() if isinstance(stack_or_template, Template) else Template.from_stack(stack_or_template).to_json()
    return sorted(f"{f.id} @ {f.resource}" for f in evaluate(AisecTemplate(data, "t"), Phase.ADVANCED, capabilities=set(Capability))
                  if f.rule.id == "AISEC-APP-21" and not f.acknowledged)


def test_delivery_chain_source_destination_delivery(template):
    template.has_resource_properties("AWS::Logs::DeliverySource", {
        "LogType": "APPLICATION_LOGS", "ResourceArn": {"Fn::GetAtt": ["KB", "KnowledgeBaseArn"]}, "Name": Match.string_like_regexp("-src$")})
    template.has_resource_properties("AWS::Logs::DeliveryDestination", {"DestinationResourceArn": {"Fn::Join": ["", Match.array_with([
        ":log-group:", {"Ref": Match.string_like_regexp("KbLogsLogGroup")}])]}})
    template.has_resource_properties("AWS::Logs::Delivery", {
        "DeliverySourceName": {"Ref": Match.string_like_regexp("KbLogsSource")},
        "DeliveryDestinationArn": {"Fn::GetAtt": [Match.string_like_regexp("KbLogsDestination"), "Arn"]}})


def test_log_group_is_encrypted_retained_masked_and_vended(template):
    template.has_resource("AWS::Logs::LogGroup", {"Properties": {
        "LogGroupName": Match.string_like_regexp("^/aws/vendedlogs/aisec/"),
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("KbLogsKey"), "Arn"]}, "RetentionInDays": 365,
        "DataProtectionPolicy": Match.object_like({"Name": "aisec-mask-pii"})}, "DeletionPolicy": "Retain"})


def test_traces_go_to_xray_when_asked(template):
    template.resource_count_is("AWS::Logs::DeliverySource", 3)
    template.has_resource_properties("AWS::Logs::DeliverySource", {"LogType": "TRACES",
                                                                   "ResourceArn": {"Fn::GetAtt": ["Gateway", "GatewayArn"]}})
    template.has_resource_properties("AWS::Logs::DeliveryDestination", {"DeliveryDestinationType": "XRAY"})


def test_transaction_search_with_a_scoped_spans_policy(template):
    template.has_resource("AWS::XRay::TransactionSearchConfig", {"Properties": {"IndexingPercentage": 1},
                                                                 "DependsOn": [Match.string_like_regexp("ObservabilitySpansPolicy")]})
    policy = next(iter(template.find_resources("AWS::Logs::ResourcePolicy").values()))["Properties"]["PolicyDocument"]
    text = "".join(p if isinstance(p, str) else json.dumps(p) for p in policy["Fn::Join"][1])
    assert '"Principal":{"Service":"xray.amazonaws.com"}' in text and '"Action":"logs:PutLogEvents"' in text
    assert ":log-group:aws/spans:*" in text and '"aws:SourceAccount"' in text


def test_existing_log_group_log_type_and_validation():
    stack = cdk.Stack(cdk.App(), "Options")
    group = SecureLogGroup(stack, "Shared").log_group
    ResourceLogDelivery(stack, "Usage", resource_arn="arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/r-1",
                        log_type="USAGE_LOGS", log_group=group)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Logs::LogGroup", 1)
    template.has_resource_properties("AWS::Logs::DeliverySource", {"LogType": "USAGE_LOGS"})
    assert lint_errors(template.to_json()) == []
    with pytest.raises(ValueError, match="log_type 'TRACES'"):
        ResourceLogDelivery(stack, "Bad", resource_arn="arn:x", log_type="TRACES")
    with pytest.raises(ValueError, match="indexing_percentage"):
        AgentObservability(stack, "Bad2", indexing_percentage=101)


def test_missing_delivery_is_reported_and_existing_transaction_search_is_acknowledged(tmp_path):
    app = cdk.App(outdir=str(tmp_path), context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    stack = cdk.Stack(app, "Partial")
    gateway(stack)
    AgentObservability(stack, "Observability", existing_transaction_search="platform stack Observability-Prod")
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ENHANCED))
    assembly = app.synth()
    template = json.loads((Path(assembly.directory) / "Partial.template.json").read_text())
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::XRay::TransactionSearchConfig"]
    assert lint_errors(template) == []
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    app21_report = {v["ruleName"]: v["severity"] for p in report["pluginReports"] if p["pluginName"] == "AISEC"
                    for v in p["violations"] if v["ruleName"].startswith("AISEC-APP-21")}
    assert app21_report == {"AISEC-APP-21": "error", "AISEC-APP-21[TransactionSearch]": "info"}


def test_passes_the_pack_at_advanced_and_cfn_lint(stack, template):
    assert app21(template) == []
    data = AisecTemplate(template.to_json(), "t")
    # resource-level findings on the constructs' own resources (the KB and gateway fixtures are not ours)
    own = [f"{f.id} @ {f.resource}" for f in evaluate(data, Phase.ADVANCED, capabilities=set(Capability))
           if not f.workload and not f.acknowledged and f.resource not in ("KB", "Gateway")]
    assert own == []
    assert lint_errors(template.to_json()) == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    build(cdk.Stack(app, "Observed"))
    assert aws_solutions_errors(app) == []
