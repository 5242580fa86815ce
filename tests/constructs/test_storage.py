"""EncryptionKey, SecureBucket and SecureLogGroup: each secure default, each opt-out, compliance."""
import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.data import EncryptionKey, SecureBucket, SecureLogGroup
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings


@pytest.fixture(scope="module")
def defaults():
    stack = cdk.Stack(cdk.App(), "Storage")
    SecureBucket(stack, "Corpus")
    SecureLogGroup(stack, "Logs")
    key = EncryptionKey(stack, "AgentKey", purpose="agent data", alias="alias/agent")
    key.allow_service("bedrock.amazonaws.com")
    return stack


@pytest.fixture(scope="module")
def template(defaults):
    return Template.from_stack(defaults)


def test_keys_rotate_and_are_retained(template):
    template.resource_count_is("AWS::KMS::Key", 3)
    template.all_resources("AWS::KMS::Key", {"Properties": Match.object_like({"EnableKeyRotation": True, "PendingWindowInDays": 30}),
                                            "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/agent"})


def test_service_statement_is_scoped_to_the_account(template):
    template.has_resource_properties("AWS::KMS::Key", {"KeyPolicy": {"Statement": Match.array_with([{
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Effect": "Allow",
        "Principal": {"Service": "bedrock.amazonaws.com"}, "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}])}})


def test_bucket_is_kms_encrypted_private_versioned_and_logged(template):
    template.has_resource_properties("AWS::S3::Bucket", {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"BucketKeyEnabled": True, "ServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": [Match.string_like_regexp("CorpusKey"), "Arn"]}}}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "VersioningConfiguration": {"Status": "Enabled"},
        "LoggingConfiguration": {"DestinationBucketName": {"Ref": Match.string_like_regexp("CorpusAccessLogs")},
                                 "LogFilePrefix": Match.string_like_regexp("access-logs/")},
        "LifecycleConfiguration": {"Rules": [Match.object_like({"NoncurrentVersionExpiration": {"NoncurrentDays": 90}})]},
    })


def test_both_buckets_deny_requests_without_tls(template):
    policies = template.find_resources("AWS::S3::BucketPolicy")
    assert len(policies) == 2
    for policy in policies.values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements)


def test_access_logs_arrive_through_a_bucket_policy_not_an_acl(template):
    template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject"})])}})
    for bucket in template.find_resources("AWS::S3::Bucket").values():
        assert "AccessControl" not in bucket["Properties"]


def test_log_group_is_encrypted_retained_and_key_allows_logs(template):
    template.has_resource("AWS::Logs::LogGroup", {
        "Properties": {"KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("LogsKey"), "Arn"]}, "RetentionInDays": 365},
        "DeletionPolicy": "Retain"})
    template.has_resource_properties("AWS::KMS::Key", {"KeyPolicy": {"Statement": Match.array_with([Match.object_like({
        "Principal": {"Service": {"Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}}})])}})


def test_pii_masking_can_be_turned_off_and_the_pack_reports_it():
    stack = cdk.Stack(cdk.App(), "Clear")
    SecureLogGroup(stack, "Logs", mask_pii=False)
    group = next(iter(Template.from_stack(stack).find_resources("AWS::Logs::LogGroup").values()))
    assert "DataProtectionPolicy" not in group["Properties"]
    template = Template.from_stack(stack).to_json()
    findings = evaluate(AisecTemplate(template), Phase.ADVANCED, {Capability.ANSWERS})
    assert [(f.id, template["Resources"][f.resource]["Type"]) for f in findings if not f.workload] == [
        ("AISEC-DATA-23", "AWS::Logs::LogGroup")]


def test_pii_is_masked_by_default():
    stack = cdk.Stack(cdk.App(), "Masked")
    SecureLogGroup(stack, "Logs")
    group = next(iter(Template.from_stack(stack).find_resources("AWS::Logs::LogGroup").values()))
    statements = group["Properties"]["DataProtectionPolicy"]["Statement"]
    assert [s["Sid"] for s in statements] == ["audit-statement-cdk", "redact-statement-cdk"]
    assert {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":dataprotection::aws:data-identifier/EmailAddress"]]} \
        in statements[0]["DataIdentifier"]
    assert statements[1]["Operation"] == {"Deidentify": {"MaskConfig": {}}}


def test_infinite_retention_is_refused():
    with pytest.raises(ValueError, match="finite retention"):
        SecureLogGroup(cdk.Stack(cdk.App(), "S"), "L", retention=logs.RetentionDays.INFINITE)


def test_opting_out_of_access_logs_is_recorded():
    stack = cdk.Stack(cdk.App(), "NoLogs")
    SecureBucket(stack, "B", server_access_logs=False)
    Template.from_stack(stack).resource_count_is("AWS::S3::Bucket", 1)
    Annotations.from_stack(stack).has_warning("/NoLogs/B", Match.string_like_regexp("server_access_logs=True"))


def test_object_lock_for_forensic_buckets():
    stack = cdk.Stack(cdk.App(), "Forensics")
    SecureBucket(stack, "B", object_lock_retention=s3.ObjectLockRetention.governance(cdk.Duration.days(365)))
    Template.from_stack(stack).has_resource_properties("AWS::S3::Bucket", {
        "ObjectLockEnabled": True,
        "ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}}})


def test_shared_key_and_log_bucket_are_reused():
    stack = cdk.Stack(cdk.App(), "Shared")
    key = EncryptionKey(stack, "Key", purpose="data")
    first = SecureBucket(stack, "A", encryption_key=key)
    SecureBucket(stack, "B", encryption_key=key, access_logs_bucket=first.access_logs_bucket)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::KMS::Key", 1)
    template.resource_count_is("AWS::S3::Bucket", 3)


def test_passes_the_pack_at_advanced_and_cfn_lint(defaults):
    assert stack_findings(defaults, Phase.ADVANCED) == []
    assert lint_errors(Template.from_stack(defaults).to_json()) == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    stack = cdk.Stack(app, "Storage")
    bucket = SecureBucket(stack, "Corpus")
    SecureLogGroup(stack, "Logs")
    Validations.of(bucket.access_logs_bucket).acknowledge(Acknowledgment(
        id="AwsSolutions-S1", reason="This is the server access log target bucket; logging it to itself would loop."))
    assert aws_solutions_errors(app) == []
