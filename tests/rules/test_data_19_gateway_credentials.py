from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-19"
PROVIDER = "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/tool"


def target(*configs):
    props = {"Name": "tool", "GatewayIdentifier": "gw-1",
             "TargetConfiguration": {"Mcp": {"McpServer": {"Endpoint": "https://tool.example.com/mcp"}}}}
    if configs:
        props["CredentialProviderConfigurations"] = list(configs)
    return {"Target": {"Type": "AWS::BedrockAgentCore::GatewayTarget", "Properties": props}}


def test_role_oauth_caller_and_vaulted_api_key_pass():
    assert findings(RULE, target({"CredentialProviderType": "GATEWAY_IAM_ROLE"})) == []
    assert findings(RULE, target({"CredentialProviderType": "CALLER_IAM_CREDENTIALS"})) == []
    assert findings(RULE, target({"CredentialProviderType": "OAUTH", "CredentialProvider": {"OauthCredentialProvider": {
        "ProviderArn": {"Fn::GetAtt": ["OAuth", "CredentialProviderArn"]}, "Scopes": ["read"]}}})) == []
    assert findings(RULE, target({"CredentialProviderType": "API_KEY", "CredentialProvider": {
        "ApiKeyCredentialProvider": {"ProviderArn": PROVIDER}}})) == []
    assert findings(RULE, target()) == []


def test_api_key_without_provider_and_jwt_passthrough_fail():
    assert findings(RULE, target({"CredentialProviderType": "API_KEY"})) == [(RULE + "[API_KEY]", "Target")]
    both = target({"CredentialProviderType": "JWT_PASSTHROUGH"}, {"CredentialProviderType": "API_KEY"})
    assert findings(RULE, both) == [(RULE + "[API_KEY]", "Target"), (RULE + "[JWT_PASSTHROUGH]", "Target")]
    assert "token passthrough" in messages(RULE, target({"CredentialProviderType": "JWT_PASSTHROUGH"}))[0]


def test_parameter_default_and_unknown_value():
    params = {"Parameters": {"Kind": {"Type": "String", "Default": "API_KEY"}}}
    assert findings(RULE, target({"CredentialProviderType": {"Ref": "Kind"}}), **params) == [(RULE + "[API_KEY]", "Target")]
    unknown = {"Parameters": {"Kind": {"Type": "String"}}}
    assert findings(RULE, target({"CredentialProviderType": {"Ref": "Kind"}}), **unknown) == [
        (RULE + "[CredentialProviderType]", "Target")]


def test_phase_and_odd_shapes():
    assert findings(RULE, target({"CredentialProviderType": "API_KEY"}), Phase.FOUNDATIONAL) == []
    odd = {"Target": {"Type": "AWS::BedrockAgentCore::GatewayTarget", "Properties": {
        "CredentialProviderConfigurations": ["x", {"CredentialProviderType": "NEW TYPE"}]}}}
    assert findings(RULE, odd) == [(RULE + "[NEWTYPE]", "Target")]


def test_missing_or_non_string_type_is_reported_not_crashing():
    assert findings(RULE, target({"CredentialProvider": {}}, {"CredentialProviderType": ["OAUTH"]})) == [
        (RULE + "[CredentialProviderType]", "Target")]
