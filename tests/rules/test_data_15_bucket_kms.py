from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-15"
KEY = {"Fn::GetAtt": ["Key", "Arn"]}


def bucket(algorithm="aws:kms", key=KEY, logging_to=None, name="Bucket", extra=None):
    props = {}
    if algorithm is not None:
        default = {"SSEAlgorithm": algorithm}
        if key is not None:
            default["KMSMasterKeyID"] = key
        props["BucketEncryption"] = {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": default}]}
    if logging_to is not None:
        props["LoggingConfiguration"] = {"DestinationBucketName": logging_to, "LogFilePrefix": "logs/"}
    props.update(extra or {})
    return {name: {"Type": "AWS::S3::Bucket", "Properties": props}}


def test_sse_kms_with_cmk_passes():
    assert findings(RULE, bucket()) == []
    assert findings(RULE, bucket("aws:kms:dsse", "arn:aws:kms:us-east-1:123456789012:key/abc")) == []


def test_sse_s3_absent_and_aws_managed_key_fail():
    assert findings(RULE, bucket("AES256", None)) == [(RULE, "Bucket")]
    assert findings(RULE, bucket(None)) == [(RULE, "Bucket")]
    assert findings(RULE, bucket("aws:kms", None)) == [(RULE, "Bucket")]
    assert "aws/s3" in messages(RULE, bucket("aws:kms", None))[0]
    assert findings(RULE, bucket("aws:kms", "alias/aws/s3")) == [(RULE, "Bucket")]


def test_access_log_target_is_exempt_by_ref_or_name():
    by_ref = {**bucket(logging_to={"Ref": "Logs"}), **bucket("AES256", None, name="Logs")}
    assert findings(RULE, by_ref) == []
    by_name = {**bucket(logging_to="my-logs"), **bucket("AES256", None, name="Logs", extra={"BucketName": "my-logs"})}
    assert findings(RULE, by_name) == []
    not_target = {**bucket(), **bucket("AES256", None, name="Logs")}
    assert findings(RULE, not_target) == [(RULE, "Logs")]


def test_parameter_default_and_fn_if():
    params = {"Parameters": {"Alg": {"Type": "String", "Default": "AES256"}}}
    assert findings(RULE, bucket({"Ref": "Alg"}), **params) == [(RULE, "Bucket")]
    assert "from the default of parameter Alg" in messages(RULE, bucket({"Ref": "Alg"}), **params)[0]
    assert findings(RULE, bucket({"Fn::If": ["Enc", "aws:kms", "AES256"]})) == [(RULE, "Bucket")]
    assert findings(RULE, bucket({"Ref": "Alg"}), Parameters={"Alg": {"Type": "String"}}) == [(RULE, "Bucket")]


def test_phase_and_odd_shapes():
    assert findings(RULE, bucket("AES256"), Phase.FOUNDATIONAL) == []
    odd = {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": "x"}}},
           "C": {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
               {"ServerSideEncryptionByDefault": "x"}]}, "LoggingConfiguration": "x"}}}
    assert findings(RULE, odd) == [(RULE, "B"), (RULE, "C")]
