from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-09"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


def resources(agent_key=None, memory_key=None, gateway_key=None):
    agent = {"AgentName": "a"}
    memory = {"Name": "m", "EventExpiryDuration": 30}
    gateway = {"Name": "g", "AuthorizerType": "AWS_IAM", "ProtocolType": "MCP", "RoleArn": "arn:aws:iam::1:role/g"}
    if agent_key is not None:
        agent["CustomerEncryptionKeyArn"] = agent_key
    if memory_key is not None:
        memory["EncryptionKeyArn"] = memory_key
    if gateway_key is not None:
        gateway["KmsKeyArn"] = gateway_key
    return {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": agent},
            "Memory": {"Type": "AWS::BedrockAgentCore::Memory", "Properties": memory},
            "Gateway": {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": gateway},
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}}}


def test_customer_managed_keys_pass():
    ref = {"Fn::GetAtt": ["Key", "Arn"]}
    assert findings(RULE, resources(ref, KEY, {"Fn::ImportValue": "GatewayKey"})) == []


def test_missing_keys_fail_on_each_resource():
    assert findings(RULE, resources()) == [(RULE, "Agent"), (RULE, "Gateway"), (RULE, "Memory")]
    assert "create-only" in messages(RULE, resources())[2]


def test_aws_managed_alias_fails():
    assert findings(RULE, resources(KEY, "alias/aws/bedrock", KEY)) == [(RULE, "Memory")]


def test_parameter_default_and_fn_if_branches():
    params = {"Parameters": {"K": {"Type": "String", "Default": ""}}}
    assert findings(RULE, resources({"Ref": "K"}, KEY, KEY), **params) == [(RULE, "Agent")]
    assert "from the default of parameter K" in messages(RULE, resources({"Ref": "K"}, KEY, KEY), **params)[0]
    branch = {"Fn::If": ["Enc", KEY, {"Ref": "AWS::NoValue"}]}
    assert findings(RULE, resources(KEY, KEY, branch)) == [(RULE, "Gateway")]


def test_phase_and_odd_shapes():
    assert findings(RULE, resources(), Phase.FOUNDATIONAL) == []
    assert findings(RULE, resources(["x"], KEY, KEY)) == [(RULE, "Agent")]
