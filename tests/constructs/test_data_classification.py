"""DataClassification: Macie session, classification job custom resource, least-privilege handler, compliance."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from aisec_constructs.data import DataClassification, SecureBucket
from aisec_constructs.data.classification import JOB_TYPE
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from aisec_rules.read.template import Template as RuleTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

SLR = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"},
                         ":role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie"]]}


def build(stack):
    corpus = SecureBucket(stack, "Corpus")
    DataClassification(stack, "Classification", buckets=[corpus])
    return corpus


@pytest.fixture(scope="module")
def stack():
    stack = cdk.Stack(cdk.App(), "Macie")
    build(stack)
    return stack


@pytest.fixture(scope="module")
def template(stack):
    return Template.from_stack(stack)


def test_macie_is_enabled(template):
    template.has_resource_properties("AWS::Macie::Session", {"Status": "ENABLED", "FindingPublishingFrequency": "FIFTEEN_MINUTES"})


def test_weekly_job_over_the_corpus_bucket_after_the_session(template):
    template.has_resource(JOB_TYPE, {"Properties": {
        "ServiceToken": {"Fn::GetAtt": [Match.string_like_regexp("ClassificationHandler"), "Arn"]},
        "AccountId": {"Ref": "AWS::AccountId"}, "Buckets": [{"Ref": Match.string_like_regexp("CorpusBucket")}],
        "JobType": "SCHEDULED", "Schedule": "WEEKLY", "SamplingPercentage": "100",
        "Name": "aisec-knowledge-base-corpus", "Description": Match.any_value()},
        "DependsOn": Match.array_with([Match.string_like_regexp("ClassificationSession")])})


def test_macie_may_decrypt_the_corpus_and_the_key_waits_for_the_service_linked_role(template):
    template.has_resource("AWS::KMS::Key", {
        "Properties": Match.object_like({"KeyPolicy": {"Statement": Match.array_with([{
            "Sid": "MacieClassification", "Action": "kms:Decrypt", "Effect": "Allow", "Principal": {"AWS": SLR},
            "Resource": "*"}])}}),
        "DependsOn": [Match.string_like_regexp("ClassificationSession")]})


def test_handler_may_only_manage_classification_jobs_and_write_its_logs(template):
    jobs = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":macie2:", {"Ref": "AWS::Region"}, ":",
                              {"Ref": "AWS::AccountId"}, ":classification-job/*"]]}
    template.has_resource_properties("AWS::IAM::Policy", {
        "Roles": [{"Ref": Match.string_like_regexp("ClassificationHandlerRole")}],
        "PolicyDocument": {"Statement": [
            {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow", "Resource": Match.any_value()},
            {"Action": ["macie2:CreateClassificationJob", "macie2:DescribeClassificationJob",
                        "macie2:UpdateClassificationJob"], "Effect": "Allow", "Resource": jobs}], "Version": "2012-10-17"}})
    template.has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": Match.object_like({"Statement": [Match.object_like({
            "Principal": {"Service": "lambda.amazonaws.com"}})]}), "ManagedPolicyArns": Match.absent()})
    template.has_resource_properties("AWS::Lambda::Function", {
        "Handler": "handlers.macie_classification.handler", "Runtime": "python3.14",
        "LoggingConfig": {"LogGroup": {"Ref": Match.string_like_regexp("ClassificationHandlerLogs")}}})


def test_existing_session_one_time_job_and_plain_buckets():
    stack = cdk.Stack(cdk.App(), "Existing")
    DataClassification(stack, "C", buckets=[s3.Bucket.from_bucket_name(stack, "B", "corpus-bucket")],
                       create_session=False, schedule=None, sampling_percentage=25)
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    template.resource_count_is("AWS::Macie::Session", 0)
    template.has_resource_properties(JOB_TYPE, {"Buckets": ["corpus-bucket"], "JobType": "ONE_TIME",
                                                "Schedule": Match.absent(), "SamplingPercentage": "25"})
    # without a session in the template the rule still asks for Macie (acknowledge it where Macie is central)
    findings = evaluate(RuleTemplate(template.to_json()), Phase.ENHANCED, capabilities={Capability.CONNECTS},
                        rules=[BY_ID["AISEC-DATA-24"]])
    assert [(f.id, f.workload) for f in findings] == [("AISEC-DATA-24", True)]


def test_invalid_arguments_are_refused():
    stack = cdk.Stack(cdk.App(), "Invalid")
    with pytest.raises(ValueError, match="at least one bucket"):
        DataClassification(stack, "A", buckets=[])
    with pytest.raises(ValueError, match="schedule"):
        DataClassification(stack, "B", buckets=[s3.Bucket.from_bucket_name(stack, "X", "bucket-x")], schedule="HOURLY")
    with pytest.raises(ValueError, match="sampling_percentage"):
        DataClassification(stack, "C", buckets=[s3.Bucket.from_bucket_name(stack, "Y", "bucket-y")], sampling_percentage=0)


def test_passes_the_pack_at_advanced_and_cfn_lint(stack, template):
    assert stack_findings(stack, Phase.ADVANCED) == []
    assert lint_errors(template.to_json()) == []


def test_the_session_satisfies_the_sensitive_data_discovery_rule(template):
    findings = evaluate(RuleTemplate(template.to_json()), Phase.ENHANCED, capabilities={Capability.CONNECTS},
                        rules=[BY_ID["AISEC-DATA-24"]])
    assert findings == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    build(cdk.Stack(app, "Macie"))
    assert aws_solutions_errors(app) == []
