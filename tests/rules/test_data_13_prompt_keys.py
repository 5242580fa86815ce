from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-13"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
TYPES = {"Guardrail": ("AWS::Bedrock::Guardrail", "KmsKeyArn"),
         "Prompt": ("AWS::Bedrock::Prompt", "CustomerEncryptionKeyArn"),
         "Flow": ("AWS::Bedrock::Flow", "CustomerEncryptionKeyArn"),
         "Session": ("AWS::Bedrock::Session", "EncryptionKeyArn"),
         "Engine": ("AWS::BedrockAgentCore::PolicyEngine", "EncryptionKeyArn")}


def resources(key=None, only=None):
    result = {}
    for name, (rtype, prop) in TYPES.items():
        props = {"Name": name.lower()}
        if key is not None and (only is None or name in only):
            props[prop] = key
        result[name] = {"Type": rtype, "Properties": props}
    return result


def test_all_with_customer_managed_keys_pass():
    assert findings(RULE, resources({"Fn::GetAtt": ["Key", "Arn"]})) == []
    assert findings(RULE, resources(KEY)) == []


def test_each_missing_key_fails():
    assert findings(RULE, resources()) == sorted((RULE, name) for name in TYPES)
    assert findings(RULE, resources(KEY, only={"Guardrail", "Prompt", "Flow"})) == [(RULE, "Engine"), (RULE, "Session")]
    assert "create-only" in messages(RULE, resources(KEY, only={"Guardrail", "Prompt", "Flow", "Engine"}))[0]


def test_aws_managed_key_and_parameter_default():
    managed = resources(KEY)
    managed["Prompt"]["Properties"]["CustomerEncryptionKeyArn"] = "arn:aws:kms:us-east-1:123456789012:alias/aws/bedrock"
    assert findings(RULE, managed) == [(RULE, "Prompt")]
    assert "AWS managed key" in messages(RULE, managed)[0]
    params = {"Parameters": {"K": {"Type": "String", "Default": "alias/aws/bedrock"}}}
    result = findings(RULE, resources({"Ref": "K"}), **params)
    assert result == sorted((RULE, name) for name in TYPES)
    assert "from the default of parameter K" in messages(RULE, resources({"Ref": "K"}), **params)[0]
    assert findings(RULE, resources({"Ref": "K"}), Parameters={"K": {"Type": "String"}}) == []


def test_phase_and_odd_shapes():
    assert findings(RULE, resources(), Phase.FOUNDATIONAL) == []
    odd = resources(KEY)
    odd["Flow"]["Properties"]["CustomerEncryptionKeyArn"] = {"a": 1, "b": 2}
    odd["Session"]["Properties"]["EncryptionKeyArn"] = ["not", "a", "string"]
    assert findings(RULE, odd) == [(RULE, "Flow"), (RULE, "Session")]
