import json

from aisec_rules.aws import INVOCATION_LOGGING_TYPE
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-18"

KMS_BUCKET = {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]}}}]}}}
KMS_LOG_GROUP = {"Type": "AWS::Logs::LogGroup",
                 "Properties": {"RetentionInDays": 365, "KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}}
AGENT = {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "helper"}}


def logging(config):
    return {"Type": INVOCATION_LOGGING_TYPE,
            "Properties": {"ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]}, "LoggingConfig": config}}


def good_config(**overrides):
    config = {"CloudWatchConfig": {"LogGroupName": {"Ref": "InvocationLogs"}, "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                                   "LargeDataDeliveryS3Config": {"BucketName": {"Ref": "LogBucket"}, "KeyPrefix": "large/"}},
              "S3Config": {"BucketName": {"Ref": "LogBucket"}, "KeyPrefix": "invocations/"},
              "TextDataDeliveryEnabled": True, "ImageDataDeliveryEnabled": False,
              "EmbeddingDataDeliveryEnabled": False, "VideoDataDeliveryEnabled": False}
    config.update(overrides)
    return config


def stack(config, **more):
    return {"Agent": AGENT, "Logging": logging(config), "InvocationLogs": KMS_LOG_GROUP, "LogBucket": KMS_BUCKET, **more}


def test_construct_with_encrypted_destinations_passes():
    assert findings(RULE, stack(good_config())) == []


def test_no_logging_is_a_workload_finding_on_the_ai_resource():
    assert findings(RULE, {"Agent": AGENT}) == [(RULE, "Agent")]
    assert "acknowledge" in messages(RULE, {"Agent": AGENT})[0]


def test_text_delivery_off_or_absent_fails():
    assert findings(RULE, stack(good_config(TextDataDeliveryEnabled="false"))) == [
        (f"{RULE}[TextDataDeliveryEnabled]", "Logging")]
    config = good_config()
    del config["TextDataDeliveryEnabled"]
    assert findings(RULE, stack(config)) == [(f"{RULE}[TextDataDeliveryEnabled]", "Logging")]
    assert findings(RULE, stack(good_config(TextDataDeliveryEnabled="true"))) == []


def test_no_destination_fails():
    config = {"TextDataDeliveryEnabled": True, "CloudWatchConfig": {"RoleArn": "arn:aws:iam::123456789012:role/r"}}
    assert findings(RULE, stack(config)) == [(f"{RULE}[Destination]", "Logging")]


def test_unencrypted_log_group_fails():
    resources = stack(good_config(), InvocationLogs={"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}})
    assert findings(RULE, resources) == [(f"{RULE}[DestinationEncryption]", "Logging")]
    assert "KmsKeyId" in messages(RULE, resources)[0]


def test_sse_s3_bucket_fails():
    sse_s3 = {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}}
    resources = stack(good_config(), LogBucket=sse_s3)
    assert findings(RULE, resources) == [(f"{RULE}[DestinationEncryption]", "Logging")]
    assert "AES256" in messages(RULE, resources)[0]
    resources = stack(good_config(), LogBucket={"Type": "AWS::S3::Bucket", "Properties": {}})
    assert "SSE-S3" in messages(RULE, resources)[0]


def test_dsse_and_parameter_algorithm():
    dsse = {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": {"Ref": "Algorithm"}}}]}}}
    params = {"Parameters": {"Algorithm": {"Type": "String", "Default": "aws:kms:dsse"}}}
    assert findings(RULE, stack(good_config(), LogBucket=dsse), **params) == []
    params = {"Parameters": {"Algorithm": {"Type": "String", "Default": "AES256"}}}
    resources = stack(good_config(), LogBucket=dsse)
    assert findings(RULE, resources, **params) == [(f"{RULE}[DestinationEncryption]", "Logging")]
    assert "from the default of parameter Algorithm" in messages(RULE, resources, **params)[0]


def test_destination_by_literal_name():
    named = dict(KMS_LOG_GROUP, Properties=dict(KMS_LOG_GROUP["Properties"], LogGroupName="/aws/bedrock/invocations"))
    config = good_config(CloudWatchConfig={"LogGroupName": "/aws/bedrock/invocations", "RoleArn": "arn:aws:iam::1:role/r"},
                         S3Config={"BucketName": {"Ref": "LogBucket"}})
    assert findings(RULE, stack(config, InvocationLogs=named)) == []
    config["CloudWatchConfig"]["LogGroupName"] = "/shared/invocations"
    resources = stack(config, InvocationLogs=named)
    assert findings(RULE, resources) == [(f"{RULE}[DestinationEncryption]", "Logging")]
    assert "not defined in this template" in messages(RULE, resources)[0]


def test_imported_destination_cannot_be_verified():
    config = good_config(S3Config={"BucketName": {"Fn::ImportValue": "LogArchiveBucket"}})
    resources = stack(config)
    assert findings(RULE, resources) == [(f"{RULE}[DestinationEncryption]", "Logging")]
    assert "cannot be identified" in messages(RULE, resources)[0]


def test_text_delivery_under_fn_if():
    resources = stack(good_config(TextDataDeliveryEnabled={"Fn::If": ["IsProd", True, False]}))
    assert findings(RULE, resources) == [(f"{RULE}[TextDataDeliveryEnabled]", "Logging")]
    assert "IsProd is false" in messages(RULE, resources)[0]


def aws_custom_resource(call):
    return {"Type": "Custom::AWS", "Properties": {"ServiceToken": {"Fn::GetAtt": ["AWS679f53fac002430cb0da5b7982bd2287", "Arn"]},
                                                  "Create": call, "InstallLatestAwsSdk": False}}


def test_aws_custom_resource_form():
    call = {"Fn::Join": ["", [
        '{"service":"Bedrock","action":"putModelInvocationLoggingConfiguration","parameters":{"loggingConfig":'
        '{"cloudWatchConfig":{"logGroupName":"', {"Ref": "InvocationLogs"}, '","roleArn":"',
        {"Fn::GetAtt": ["Role", "Arn"]}, '"},"textDataDeliveryEnabled":true}},"physicalResourceId":{"id":"logging"}}']]}
    assert findings(RULE, {"Agent": AGENT, "Logging": aws_custom_resource(call)}) == []
    off = json.dumps({"service": "Bedrock", "action": "PutModelInvocationLoggingConfiguration",
                      "parameters": {"loggingConfig": {"textDataDeliveryEnabled": False}}})
    assert findings(RULE, {"Agent": AGENT, "Logging": aws_custom_resource(off)}) == [
        (f"{RULE}[Destination]", "Logging"), (f"{RULE}[TextDataDeliveryEnabled]", "Logging")]


def test_other_aws_custom_resources_do_not_count():
    other = json.dumps({"service": "S3", "action": "putBucketNotificationConfiguration", "parameters": {}})
    assert findings(RULE, {"Agent": AGENT, "Other": aws_custom_resource(other)}) == [(RULE, "Agent")]


def test_odd_shapes_do_not_crash():
    assert findings(RULE, {"Agent": AGENT, "Logging": logging("enabled")}) == [
        (f"{RULE}[Destination]", "Logging"), (f"{RULE}[TextDataDeliveryEnabled]", "Logging")]
    config = good_config(S3Config={"BucketName": {"Fn::GetAtt": ["InvocationLogs", "Arn"]}})
    assert findings(RULE, stack(config)) == [(f"{RULE}[DestinationEncryption]", "Logging")]
    odd_bucket = {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": "x"}}}
    assert findings(RULE, stack(good_config(), LogBucket=odd_bucket)) == [(f"{RULE}[DestinationEncryption]", "Logging")]
    assert findings(RULE, {"Agent": AGENT, "Logging": aws_custom_resource({"service": "Bedrock",
                                                                          "action": "PutModelInvocationLoggingConfiguration",
                                                                          "parameters": {"loggingConfig": {
                                                                              "s3Config": {"bucketName": "b"},
                                                                              "textDataDeliveryEnabled": "true"}}})}) == []


def camel(value):
    if isinstance(value, dict) and not any(k == "Ref" or k.startswith("Fn::") for k in value):
        return {k[:1].lower() + k[1:]: camel(v) for k, v in value.items()}
    return value


def test_third_party_custom_resource_with_logging_config_in_either_casing_is_recognised():
    for name, config in (("loggingConfig", camel(good_config())), ("LoggingConfig", good_config())):
        third_party = {"Type": "Custom::BedrockInvocationLogging",
                       "Properties": {"ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]}, name: config}}
        resources = {"Agent": AGENT, "Vendor": third_party, "InvocationLogs": KMS_LOG_GROUP, "LogBucket": KMS_BUCKET}
        assert findings(RULE, resources) == [], name
    # and it is judged as the construct is: text delivery off is reported on it
    off = {"Type": "AWS::CloudFormation::CustomResource",
           "Properties": {"ServiceToken": "arn", "loggingConfig": camel(good_config(TextDataDeliveryEnabled=False))}}
    resources = {"Agent": AGENT, "Vendor": off, "InvocationLogs": KMS_LOG_GROUP, "LogBucket": KMS_BUCKET}
    assert findings(RULE, resources) == [(f"{RULE}[TextDataDeliveryEnabled]", "Vendor")]


def test_a_custom_resource_with_an_unrelated_logging_config_is_not_invocation_logging():
    other = {"Type": "Custom::Other", "Properties": {"ServiceToken": "arn", "LoggingConfig": {"LogFormat": "JSON"}}}
    assert findings(RULE, {"Agent": AGENT, "Other": other}) == [(RULE, "Agent")]
