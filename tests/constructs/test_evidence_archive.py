"""EvidenceArchive: write-once defaults, the governance opt-out, named writers, and its use by AuditTrail,
ModelInvocationLogging and ResourceLogDelivery at the Advanced phase."""
import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.data import EvidenceArchive, ModelInvocationLogging
from aisec_constructs.detection import AuditTrail, ResourceLogDelivery
from aisec_rules.engine import evaluate
from aisec_rules.governance.policy import Policy
from aisec_rules.model import Capability, Phase
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_stack, stack_findings
from tests.constructs.test_observability import knowledge_base

def build(stack):
    archive = EvidenceArchive(stack, "Evidence")
    AuditTrail(stack, "Audit", archive=archive)
    ModelInvocationLogging(stack, "Logging", archive=archive)
    kb = knowledge_base(stack)
    ResourceLogDelivery(stack, "KbLogs", resource_arn=kb.attr_knowledge_base_arn, archive=archive)
    writer = iam.Role(stack, "Responder", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    archive.grant_write(writer, "containment/")
    Validations.of(archive.secure_bucket.access_logs_bucket).acknowledge(Acknowledgment(
        id="AwsSolutions-S1", reason="The server access log target bucket; logging it to itself would loop."))
    return archive


@pytest.fixture(scope="module")
def built():
    return report_only_stack("Forensics", build)


@pytest.fixture(scope="module")
def template(built):
    return Template.from_stack(built[1])


def archive_bucket(template):
    return next(r for r in template.find_resources("AWS::S3::Bucket").values()
                if r["Properties"].get("ObjectLockEnabled"))


def archive_policy(template):
    return next(r["Properties"]["PolicyDocument"]["Statement"] for r in template.find_resources("AWS::S3::BucketPolicy").values()
                if any(s.get("Sid") == "DenyEvidenceDeletion" for s in r["Properties"]["PolicyDocument"]["Statement"]))


def test_the_bucket_is_compliance_locked_versioned_kms_and_never_expires_versions(template):
    bucket = archive_bucket(template)["Properties"]
    assert bucket["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled",
                                                 "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}}}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
        "SSEAlgorithm"] == "aws:kms"
    assert "LifecycleConfiguration" not in bucket
    assert archive_bucket(template)["DeletionPolicy"] == "Retain"


def test_the_bucket_policy_denies_deletes_tls_less_access_and_unnamed_writers(template):
    statements = archive_policy(template)
    by_sid = {s.get("Sid"): s for s in statements}
    assert by_sid["DenyEvidenceDeletion"]["Effect"] == "Deny"
    assert by_sid["DenyEvidenceDeletion"]["Principal"] == {"AWS": "*"}
    assert by_sid["DenyEvidenceDeletion"]["Action"] == [
        "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:DeleteBucket"]
    put = by_sid["OnlyNamedWritersPutEvidence"]
    assert (put["Effect"], put["Action"]) == ("Deny", "s3:PutObject")
    condition = put["Condition"]["StringNotEqualsIfExists"]
    assert condition["aws:PrincipalServiceName"] == [
        "bedrock.amazonaws.com", "cloudtrail.amazonaws.com", "delivery.logs.amazonaws.com"]
    assert condition["aws:PrincipalTag/aisec:evidence-writer"] == "ForensicsEvidenceB0DDE8FA"
    assert any(s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}} and s["Effect"] == "Deny"
               for s in statements)


def test_each_writer_service_may_put_only_for_this_accounts_resources(template):
    statements = archive_policy(template)
    # (CDK's Trail adds its own PutObject statement for CloudTrail besides the archive's)
    allowed = {s["Principal"]["Service"]: s for s in statements
               if s["Effect"] == "Allow" and s["Action"] == "s3:PutObject" and "ArnLike" in s.get("Condition", {})}
    assert set(allowed) == {"cloudtrail.amazonaws.com", "bedrock.amazonaws.com", "delivery.logs.amazonaws.com"}
    for statement in allowed.values():
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
        assert "aws:SourceArn" in statement["Condition"]["ArnLike"]
    assert allowed["delivery.logs.amazonaws.com"]["Condition"]["StringEquals"]["s3:x-amz-acl"] == \
        "bucket-owner-full-control"
    assert any(s["Effect"] == "Allow" and s["Action"] == ["s3:GetBucketAcl", "s3:ListBucket"]
               and s["Principal"] == {"Service": "delivery.logs.amazonaws.com"} for s in statements)


def test_the_archive_key_lets_each_writer_service_encrypt(template):
    keys = [k for k in template.find_resources("AWS::KMS::Key").values()
            if k["Properties"]["Description"] == "aisec: audit evidence"]
    assert len(keys) == 1
    services = {s["Principal"]["Service"] for s in keys[0]["Properties"]["KeyPolicy"]["Statement"]
                if "Service" in s.get("Principal", {})}
    assert services == {"cloudtrail.amazonaws.com", "bedrock.amazonaws.com", "delivery.logs.amazonaws.com"}


def test_a_named_writer_role_is_tagged_and_granted(template):
    template.has_resource_properties("AWS::IAM::Role", {
        "Tags": Match.array_with([{"Key": "aisec:evidence-writer", "Value": "ForensicsEvidenceB0DDE8FA"}])})
    statements = [s for p in template.find_resources("AWS::IAM::Policy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {"s3:PutObject", "kms:GenerateDataKey"} <= actions


def test_the_writers_send_their_evidence_to_the_archive(template):
    archive = {"Ref": Match.string_like_regexp("EvidenceArchiveBucket")}
    template.has_resource_properties("AWS::CloudTrail::Trail", {"S3BucketName": archive,
                                                                "EnableLogFileValidation": True})
    template.has_resource_properties("Custom::AisecModelInvocationLogging", {"LoggingConfig": Match.object_like({
        "S3Config": {"BucketName": archive, "KeyPrefix": "bedrock-invocations"}})})
    template.has_resource_properties("AWS::Logs::DeliveryDestination", {
        "DestinationResourceArn": {"Fn::GetAtt": [Match.string_like_regexp("EvidenceArchiveBucket"), "Arn"]}})
    template.resource_count_is("AWS::Logs::Delivery", 2)  # the log group and the archive
    template.resource_count_is("AWS::S3::Bucket", 2)      # the archive and its access-log bucket: no trail bucket


def test_passes_the_pack_at_advanced_and_cfn_lint(built, template):
    assert stack_findings(built[1], Phase.ADVANCED, capabilities=set(Capability)) == []
    assert lint_errors(template.to_json()) == []


def test_passes_aws_solutions_checks():
    app, _ = report_only_stack("ForensicsNag", build)  # a fresh app: a synthesized one would not run the plugin again
    assert aws_solutions_errors(app) == []


def test_a_policy_asking_longer_retention_than_the_archive_is_reported(template):
    result = evaluate(AisecTemplate(template.to_json(), "t"), Phase.ADVANCED, capabilities=set(Capability),
                      policy=Policy(evidence_retention_days=730))
    assert "AISEC-APP-31[DefaultRetention]" in {f.id for f in result}
    longer = cdk.Stack(cdk.App(), "Longer")
    EvidenceArchive(longer, "Evidence", retention_days=730)
    archive = archive_bucket(Template.from_stack(longer))["Properties"]
    assert archive["ObjectLockConfiguration"]["Rule"]["DefaultRetention"] == {"Mode": "COMPLIANCE", "Days": 730}


def test_governance_mode_is_a_recorded_opt_out_that_the_rule_reports():
    stack = cdk.Stack(cdk.App(), "Governed")
    archive = EvidenceArchive(stack, "Evidence", governance_mode=True)
    AuditTrail(stack, "Audit", archive=archive)
    template = Template.from_stack(stack)
    assert archive_bucket(template)["Properties"]["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Mode"] == \
        "GOVERNANCE"
    Annotations.from_stack(stack).has_warning("/Governed/Evidence", Match.string_like_regexp("governance_mode=True"))
    assert "AISEC-APP-31[GovernanceMode] @ EvidenceArchiveBucketB7C825EC" in stack_findings(
        stack, Phase.ADVANCED, capabilities=set(Capability))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="retention_days must be at least 1"):
        EvidenceArchive(cdk.Stack(cdk.App(), "Zero"), "Evidence", retention_days=0)
    stack = cdk.Stack(cdk.App(), "Both")
    archive = EvidenceArchive(stack, "Evidence")
    with pytest.raises(ValueError, match="give bucket or archive, not both"):
        AuditTrail(stack, "Audit", archive=archive, bucket=s3.Bucket(stack, "Other"))
    with pytest.raises(ValueError, match="give bucket or archive, not both"):
        ModelInvocationLogging(stack, "Logging", archive=archive, bucket=s3.Bucket(stack, "Another"))


def test_adding_a_writer_service_twice_adds_one_statement():
    stack = cdk.Stack(cdk.App(), "Twice")
    archive = EvidenceArchive(stack, "Evidence")
    for _ in range(2):
        archive.allow_delivery("cloudtrail.amazonaws.com", prefix="AWSLogs/", source_arn="arn:aws:cloudtrail:*:1:trail/*")
    statements = archive_policy(Template.from_stack(stack))
    assert len([s for s in statements if s["Effect"] == "Allow"]) == 1
