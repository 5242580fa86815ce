"""AuditTrail: secure defaults, data-event selectors, opt-outs, compliance."""
import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.detection import AuditTrail
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

ROLE = "arn:aws:iam::123456789012:role/kb"


def all_capability_findings(stack, phase=Phase.ADVANCED):
    """Resource-level findings with every capability on (a detection stack shows none by itself)."""
    template = AisecTemplate(Template.from_stack(stack).to_json(), stack.stack_name)
    return sorted(f"{f.id} @ {f.resource}" for f in evaluate(template, phase, capabilities=set(Capability))
                  if not f.acknowledged and not f.workload)


def knowledge_base(scope):
    return bedrock.CfnKnowledgeBase(scope, "KB", name="kb", role_arn=ROLE, knowledge_base_configuration={
        "type": "VECTOR", "vectorKnowledgeBaseConfiguration": {
            "embeddingModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"}},
        storage_configuration={"type": "S3_VECTORS", "s3VectorsConfiguration": {
            "indexArn": "arn:aws:s3vectors:us-east-1:123456789012:bucket/b/index/i"}})


@pytest.fixture(scope="module")
def defaults():
    stack = cdk.Stack(cdk.App(), "Audit")
    AuditTrail(stack, "Audit")
    return stack


@pytest.fixture(scope="module")
def template(defaults):
    return Template.from_stack(defaults)


@pytest.fixture(scope="module")
def with_ai_resources():
    stack = cdk.Stack(cdk.App(), "Workload")
    AuditTrail(stack, "Audit")  # created before the resources it must cover
    knowledge_base(stack)
    agentcore.CfnGateway(stack, "Gateway", name="gw", authorizer_type="AWS_IAM", protocol_type="MCP", role_arn=ROLE)
    return Template.from_stack(stack)


def selector(resource_type):
    return {"Name": Match.any_value(), "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                          {"Field": "resources.type", "Equals": [resource_type]}]}


MANAGEMENT = {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}


def test_trail_is_multi_region_validated_encrypted_and_logging(template):
    template.has_resource_properties("AWS::CloudTrail::Trail", {
        "IsLogging": True, "IsMultiRegionTrail": True, "EnableLogFileValidation": True,
        "IncludeGlobalServiceEvents": True,
        "KMSKeyId": {"Fn::GetAtt": [Match.string_like_regexp("AuditKey"), "Arn"]},
        "S3BucketName": {"Ref": Match.string_like_regexp("AuditBucket")},
        "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": [Match.string_like_regexp("AuditLogs"), "Arn"]},
        "EventSelectors": Match.absent(),
    })


def test_management_events_are_kept_and_no_data_events_without_ai_resources(template):
    template.has_resource_properties("AWS::CloudTrail::Trail", {"AdvancedEventSelectors": [MANAGEMENT]})


def test_data_events_follow_the_stack_resources_even_when_added_later(with_ai_resources):
    with_ai_resources.has_resource_properties("AWS::CloudTrail::Trail", {"AdvancedEventSelectors": [
        MANAGEMENT, selector("AWS::Bedrock::KnowledgeBase"), selector("AWS::BedrockAgentCore::Gateway")]})


def test_key_rotates_and_lets_only_this_accounts_trails_use_it(template):
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True, "KeyPolicy": {"Statement": Match.array_with([
        Match.object_like({"Sid": "AllowCloudTrailToEncryptLogs", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                           "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
                           "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                                         "StringLike": {"aws:SourceArn": Match.any_value()}}})])}})
    template.resource_count_is("AWS::KMS::Key", 1)


def test_bucket_is_private_encrypted_versioned_and_cloudtrail_may_write(template):
    template.has_resource_properties("AWS::S3::Bucket", {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [Match.object_like({"ServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": [Match.string_like_regexp("AuditKey"), "Arn"]}}})]},
        "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": Match.object_like({"BlockPublicPolicy": True})})
    template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": "s3:PutObject", "Principal": {"Service": "cloudtrail.amazonaws.com"}})])}})


def test_log_group_is_encrypted_retained_and_masks_personal_data(template):
    template.has_resource("AWS::Logs::LogGroup", {"Properties": {
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("AuditKey"), "Arn"]}, "RetentionInDays": 365,
        "DataProtectionPolicy": Match.object_like({"Statement": Match.any_value()})},
        "DeletionPolicy": "Retain"})


def test_explicit_types_object_lock_and_existing_bucket():
    stack = cdk.Stack(cdk.App(), "Explicit")
    existing = s3.Bucket(stack, "Existing", encryption=s3.BucketEncryption.KMS)
    AuditTrail(stack, "Audit", bucket=existing, data_event_types=["AWS::BedrockAgentCore::Runtime"])
    AuditTrail(stack, "Locked", object_lock_retention=s3.ObjectLockRetention.governance(cdk.Duration.days(365)))
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::CloudTrail::Trail", {
        "S3BucketName": {"Ref": Match.string_like_regexp("Existing")},
        "AdvancedEventSelectors": [MANAGEMENT, selector("AWS::BedrockAgentCore::Runtime")]})
    assert lint_errors(template.to_json()) == []
    template.has_resource_properties("AWS::S3::Bucket", {"ObjectLockEnabled": True, "ObjectLockConfiguration": {
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}}})


def test_grant_read_includes_decrypt():
    stack = cdk.Stack(cdk.App(), "Readers")
    trail = AuditTrail(stack, "Audit")
    auditor = iam.Role(stack, "Auditor", assumed_by=iam.AccountRootPrincipal())
    trail.grant_read(auditor)
    statements = [s for p in Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {"s3:GetObject*", "kms:Decrypt"} <= actions


def test_unknown_data_event_type_is_refused():
    with pytest.raises(ValueError, match="unknown data event resources.type AWS::Bedrock::Nope"):
        AuditTrail(cdk.Stack(cdk.App(), "Bad"), "Audit", data_event_types=["AWS::Bedrock::Nope"])


def test_opt_outs_are_recorded_and_reported_by_the_rules():
    stack = cdk.Stack(cdk.App(), "Weak")
    AuditTrail(stack, "Audit", single_region=True, skip_cloudwatch_logs=True, allow_no_data_events=True)
    knowledge_base(stack)
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::CloudTrail::Trail", {
        "IsMultiRegionTrail": False, "CloudWatchLogsLogGroupArn": Match.absent(), "AdvancedEventSelectors": [MANAGEMENT]})
    template.resource_count_is("AWS::Logs::LogGroup", 0)
    assert lint_errors(template.to_json()) == []
    annotations = Annotations.from_stack(stack)
    for flag in ("single_region", "skip_cloudwatch_logs", "allow_no_data_events"):
        annotations.has_warning("/Weak/Audit", Match.string_like_regexp(f"{flag}=True"))
    found = stack_findings(stack, Phase.ENHANCED)
    assert "AISEC-APP-19[IsMultiRegionTrail] @ AuditTrail90B6CA04" in found
    assert "AISEC-APP-20[AWS::Bedrock::KnowledgeBase] @ AuditTrail90B6CA04" in found


def test_passes_the_pack_at_enhanced_and_cfn_lint_and_needs_an_archive_at_advanced(defaults, with_ai_resources):
    assert stack_findings(defaults, Phase.ADVANCED) == []
    assert all_capability_findings(defaults, Phase.ENHANCED) == []
    # the Advanced claim needs archive=EvidenceArchive(...) (tests/constructs/test_evidence_archive.py)
    assert all_capability_findings(defaults) == ["AISEC-APP-31[DefaultRetention] @ AuditBucket5C413F60",
                                                 "AISEC-APP-31[ObjectLockEnabled] @ AuditBucket5C413F60"]
    findings = all_capability_findings_template(with_ai_resources)
    assert not [f for f in findings if f.startswith(("AISEC-APP-19", "AISEC-APP-20", "AISEC-APP-31[Enable"))]
    assert lint_errors(Template.from_stack(defaults).to_json()) == []
    assert lint_errors(with_ai_resources.to_json()) == []


def all_capability_findings_template(template):
    data = AisecTemplate(template.to_json(), "t")
    return sorted(f"{f.id} @ {f.resource}" for f in evaluate(data, Phase.ADVANCED, capabilities=set(Capability))
                  if not f.acknowledged)


def test_passes_aws_solutions_checks():
    app = report_only_app()
    stack = cdk.Stack(app, "Audit")
    trail = AuditTrail(stack, "Audit")
    Validations.of(trail.secure_bucket.access_logs_bucket).acknowledge(Acknowledgment(
        id="AwsSolutions-S1", reason="This is the server access log target bucket; logging it to itself would loop."))
    assert aws_solutions_errors(app) == []
