from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-21"


def table(sse=None, kind="AWS::DynamoDB::Table", extra=None):
    props = {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
             "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}
    if sse is not None:
        props["SSESpecification"] = sse
    props.update(extra or {})
    return {"Table": {"Type": kind, "Properties": props}}


CMK = {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}}


def test_cmk_passes():
    assert findings(RULE, table(CMK)) == []
    assert findings(RULE, table(dict(CMK, SSEEnabled="true", KMSMasterKeyId="alias/chat-history"))) == []


def test_owned_and_aws_managed_keys_fail():
    assert findings(RULE, table()) == [(RULE, "Table")]
    assert findings(RULE, table({"SSEEnabled": True})) == [(RULE, "Table")]
    assert findings(RULE, table({"SSEEnabled": True, "SSEType": "KMS"})) == [(RULE, "Table")]
    assert "aws/dynamodb" in messages(RULE, table({"SSEEnabled": True, "SSEType": "KMS"}))[0]
    assert findings(RULE, table(dict(CMK, KMSMasterKeyId="alias/aws/dynamodb"))) == [(RULE, "Table")]


def test_global_table_replicas():
    replicas = [{"Region": "us-east-1", "SSESpecification": {"KMSMasterKeyId": {"Ref": "Key"}}},
                {"Region": "eu-west-1", "SSESpecification": {"KMSMasterKeyId": "arn:aws:kms:eu-west-1:1:key/k"}}]
    sse = {"SSEEnabled": True, "SSEType": "KMS"}
    assert findings(RULE, table(sse, "AWS::DynamoDB::GlobalTable", {"Replicas": replicas})) == []
    replicas[1] = {"Region": "eu-west-1"}
    assert findings(RULE, table(sse, "AWS::DynamoDB::GlobalTable", {"Replicas": replicas})) == [(RULE, "Table")]
    assert "Replicas[1]" in messages(RULE, table(sse, "AWS::DynamoDB::GlobalTable", {"Replicas": replicas}))[0]


def test_parameter_default_and_fn_if():
    params = {"Parameters": {"Enc": {"Type": "String", "Default": "false"}}}
    assert findings(RULE, table(dict(CMK, SSEEnabled={"Ref": "Enc"})), **params) == [(RULE, "Table")]
    assert findings(RULE, table({"Fn::If": ["Prod", CMK, {"Ref": "AWS::NoValue"}]})) == [(RULE, "Table")]


def test_phase_and_odd_shapes():
    assert findings(RULE, table(), Phase.FOUNDATIONAL) == []
    assert findings(RULE, table("x")) == [(RULE, "Table")]
    assert findings(RULE, table({"SSEEnabled": True, "SSEType": "KMS"}, "AWS::DynamoDB::GlobalTable", {"Replicas": "x"})) == [
        (RULE, "Table")]
