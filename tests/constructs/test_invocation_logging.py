"""ModelInvocationLogging: secure defaults, options, the singleton guard, and compliance."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from aisec_constructs.data.invocation_logging import ModelInvocationLogging
from aisec_rules.model import Phase
from tests.constructs.compliance import stack_findings


@pytest.fixture(scope="module")
def default_stack():
    app = cdk.App()
    stack = cdk.Stack(app, "Logging")
    ModelInvocationLogging(stack, "Logging")
    return stack


@pytest.fixture(scope="module")
def template(default_stack):
    return Template.from_stack(default_stack)


def test_custom_resource_turns_on_text_logging_to_the_log_group(template):
    template.has_resource_properties("Custom::AisecModelInvocationLogging", {
        "LoggingConfig": {
            "CloudWatchConfig": {"LogGroupName": {"Ref": Match.string_like_regexp("LoggingLogGroup")},
                                 "RoleArn": {"Fn::GetAtt": [Match.string_like_regexp("LoggingLoggingRole"), "Arn"]}},
            "TextDataDeliveryEnabled": True, "ImageDataDeliveryEnabled": False,
            "EmbeddingDataDeliveryEnabled": False, "VideoDataDeliveryEnabled": False, "AudioDataDeliveryEnabled": False,
        }})
    template.resource_count_is("Custom::AisecModelInvocationLogging", 1)


def test_log_groups_are_encrypted_and_retained(template):
    template.resource_count_is("AWS::Logs::LogGroup", 2)
    template.all_resources_properties("AWS::Logs::LogGroup", {
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("LoggingKey"), "Arn"]}, "RetentionInDays": 365})
    template.has_resource("AWS::Logs::LogGroup", {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_logging_role_trusts_only_bedrock_of_this_account(template):
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [{
        "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                      "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":bedrock:",
                                                                      {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":*"]]}}},
    }]}})


def test_handler_may_only_manage_the_configuration_and_pass_the_logging_role(template):
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        {"Action": ["bedrock:PutModelInvocationLoggingConfiguration", "bedrock:DeleteModelInvocationLoggingConfiguration"],
         "Effect": "Allow", "Resource": "*"},
        {"Action": "iam:PassRole", "Effect": "Allow",
         "Condition": {"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}},
         "Resource": {"Fn::GetAtt": [Match.string_like_regexp("LoggingLoggingRole"), "Arn"]}},
    ])}})


def test_existing_log_group_and_s3_destination():
    stack = cdk.Stack(cdk.App(), "Custom")
    group = logs.LogGroup(stack, "Existing")
    bucket = s3.Bucket(stack, "Bucket", encryption=s3.BucketEncryption.KMS)
    ModelInvocationLogging(stack, "Logging", log_group=group, bucket=bucket, image=True)
    template = Template.from_stack(stack)
    template.has_resource_properties("Custom::AisecModelInvocationLogging", {"LoggingConfig": Match.object_like({
        "CloudWatchConfig": Match.object_like({"LogGroupName": {"Ref": Match.string_like_regexp("Existing")},
                                               "LargeDataDeliveryS3Config": {"BucketName": {"Ref": Match.string_like_regexp("Bucket")},
                                                                             "KeyPrefix": "bedrock-invocations-large"}}),
        "S3Config": {"BucketName": {"Ref": Match.string_like_regexp("Bucket")}, "KeyPrefix": "bedrock-invocations"},
        "ImageDataDeliveryEnabled": True})})
    template.has_resource_properties("AWS::S3::BucketPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": "s3:PutObject", "Principal": {"Service": "bedrock.amazonaws.com"}})])}})
    template.resource_count_is("AWS::Logs::LogGroup", 2)  # the existing one and the handler's


def test_second_instance_for_same_account_and_region_is_an_error():
    app = cdk.App()
    ModelInvocationLogging(cdk.Stack(app, "A"), "Logging")
    with pytest.raises(ValueError, match="one configuration per account and Region.*A/Logging"):
        ModelInvocationLogging(cdk.Stack(app, "B"), "Logging")


def test_different_regions_may_each_have_one():
    app = cdk.App()
    ModelInvocationLogging(cdk.Stack(app, "East", env=cdk.Environment(account="111111111111", region="us-east-1")), "L")
    ModelInvocationLogging(cdk.Stack(app, "West", env=cdk.Environment(account="111111111111", region="us-west-2")), "L")


def test_passes_the_pack_at_advanced(default_stack):
    assert stack_findings(default_stack, Phase.ADVANCED) == []
