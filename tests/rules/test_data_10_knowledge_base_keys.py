from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-10"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


def data_source(key=None):
    props = {"Name": "docs", "KnowledgeBaseId": {"Ref": "KB"},
             "DataSourceConfiguration": {"Type": "S3", "S3Configuration": {"BucketArn": "arn:aws:s3:::corpus"}}}
    if key is not None:
        props["ServerSideEncryptionConfiguration"] = {"KmsKeyArn": key}
    return {"Source": {"Type": "AWS::Bedrock::DataSource", "Properties": props}}


def knowledge_base(kind="VECTOR", key=None):
    config = {"Type": kind}
    if kind == "MANAGED":
        config["ManagedKnowledgeBaseConfiguration"] = {} if key is None else {"ServerSideEncryptionConfiguration": {"KmsKeyArn": key}}
    return {"KB": {"Type": "AWS::Bedrock::KnowledgeBase",
                   "Properties": {"Name": "kb", "RoleArn": "arn:aws:iam::1:role/kb", "KnowledgeBaseConfiguration": config}}}


def test_data_source_and_managed_kb_with_cmk_pass():
    assert findings(RULE, {**data_source({"Fn::GetAtt": ["Key", "Arn"]}), **knowledge_base()}) == []
    assert findings(RULE, knowledge_base("MANAGED", KEY)) == []


def test_data_source_without_key_fails():
    assert findings(RULE, {**data_source(), **knowledge_base()}) == [(RULE, "Source")]
    assert "Security Hub Bedrock.1" in messages(RULE, data_source())[0]


def test_managed_kb_without_key_fails_vector_kb_is_not_judged():
    assert findings(RULE, knowledge_base("MANAGED")) == [(RULE, "KB")]
    assert findings(RULE, knowledge_base("VECTOR")) == []


def test_intrinsics():
    params = {"Parameters": {"Kind": {"Type": "String", "Default": "MANAGED"}}}
    assert findings(RULE, knowledge_base({"Ref": "Kind"}), **params) == [(RULE, "KB")]
    assert findings(RULE, data_source({"Fn::Sub": "arn:aws:kms:${AWS::Region}:123456789012:key/${KeyId}"})) == []
    assert findings(RULE, data_source("alias/aws/bedrock")) == [(RULE, "Source")]


def test_phase_and_odd_shapes():
    assert findings(RULE, data_source(), Phase.FOUNDATIONAL) == []
    odd = {"Source": {"Type": "AWS::Bedrock::DataSource", "Properties": {"ServerSideEncryptionConfiguration": "x"}}}
    assert findings(RULE, odd) == [(RULE, "Source")]
