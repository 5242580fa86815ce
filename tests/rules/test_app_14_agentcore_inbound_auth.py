from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-14"

# The discovery URL CDK builds for a Cognito user pool, and a client id from the pool client.
COGNITO_URL = {"Fn::Join": ["", ["https://cognito-idp.", {"Ref": "AWS::Region"}, ".amazonaws.com/",
                                 {"Ref": "UserPool"}, "/.well-known/openid-configuration"]]}
COGNITO_JWT = {"DiscoveryUrl": COGNITO_URL, "AllowedClients": [{"Ref": "UserPoolClient"}]}


def gateway(authorizer_type="CUSTOM_JWT", jwt=None, name="Gateway"):
    props = {"Name": "tools-gateway", "ProtocolType": "MCP", "RoleArn": {"Fn::GetAtt": ["GatewayRole", "Arn"]}}
    if authorizer_type is not None:
        props["AuthorizerType"] = authorizer_type
    if jwt is not None:
        props["AuthorizerConfiguration"] = {"CustomJWTAuthorizer": jwt}
    return {name: {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": props}}


def runtime(jwt=None, name="Runtime", authorizer=None):
    props = {"AgentRuntimeName": "support_agent", "RoleArn": {"Fn::GetAtt": ["RuntimeRole", "Arn"]},
             "AgentRuntimeArtifact": {"ContainerConfiguration": {"ContainerUri": {"Fn::Sub": (
                 "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/agent:latest")}}},
             "NetworkConfiguration": {"NetworkMode": "PUBLIC"}}
    if jwt is not None:
        props["AuthorizerConfiguration"] = {"CustomJWTAuthorizer": jwt}
    if authorizer is not None:
        props["AuthorizerConfiguration"] = authorizer
    return {name: {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": props}}


def test_secure_gateways_and_runtimes_pass():
    resources = {**gateway("CUSTOM_JWT", COGNITO_JWT, name="JwtGateway"), **gateway("AWS_IAM", name="IamGateway"),
                 **runtime(name="IamRuntime"),
                 **runtime({"DiscoveryUrl": "https://login.example.com/.well-known/openid-configuration",
                            "AllowedAudience": ["api://support-agent"]}, name="JwtRuntime")}
    assert findings(RULE, resources) == []


def test_gateway_without_authorizer_fails():
    assert findings(RULE, gateway("NONE")) == [(f"{RULE}[AuthorizerType]", "Gateway")]
    assert "AuthorizerType is NONE" in messages(RULE, gateway("NONE"))[0]
    assert findings(RULE, gateway(None)) == [(f"{RULE}[AuthorizerType]", "Gateway")]


def test_authenticate_only_passes_at_foundational_and_fails_from_enhanced():
    assert findings(RULE, gateway("AUTHENTICATE_ONLY"), phase=Phase.FOUNDATIONAL) == []
    for phase in (Phase.ENHANCED, Phase.ADVANCED):
        assert findings(RULE, gateway("AUTHENTICATE_ONLY"), phase=phase) == [(f"{RULE}[AuthenticateOnly]", "Gateway")]
    assert "authorizes none of them" in messages(RULE, gateway("AUTHENTICATE_ONLY"))[0]


def test_authenticate_only_from_a_parameter_default_or_a_branch_is_judged():
    resources = gateway({"Fn::If": ["Prod", "AWS_IAM", {"Ref": "Auth"}]})
    params = {"Auth": {"Type": "String", "Default": "AUTHENTICATE_ONLY"}}
    assert findings(RULE, resources, phase=Phase.ENHANCED, Parameters=params) == [
        (f"{RULE}[AuthenticateOnly]", "Gateway")]
    message = messages(RULE, resources, Parameters=params)[0]
    assert "when condition Prod is false" in message and "parameter Auth" in message


def test_custom_jwt_without_jwt_configuration_fails():
    assert findings(RULE, gateway("CUSTOM_JWT")) == [(f"{RULE}[AuthorizerType]", "Gateway")]
    assert "CustomJWTAuthorizer is not set" in messages(RULE, gateway("CUSTOM_JWT"))[0]


def test_jwt_checks_are_granular():
    jwt = {"DiscoveryUrl": "http://idp.internal/.well-known/openid-configuration", "AllowedAudience": ["*"]}
    assert findings(RULE, gateway("CUSTOM_JWT", jwt)) == [(f"{RULE}[Audience]", "Gateway"),
                                                          (f"{RULE}[DiscoveryUrl]", "Gateway")]
    assert findings(RULE, runtime(jwt)) == [(f"{RULE}[Audience]", "Runtime"), (f"{RULE}[DiscoveryUrl]", "Runtime")]


def test_jwt_without_audience_or_clients_fails():
    jwt = {"DiscoveryUrl": "https://idp.example.com/.well-known/openid-configuration", "AllowedScopes": ["tools"]}
    assert findings(RULE, runtime(jwt)) == [(f"{RULE}[Audience]", "Runtime")]
    assert "any token from the issuer is accepted" in messages(RULE, runtime(jwt))[0]


def test_wildcard_client_fails_even_next_to_specific_ones():
    jwt = {"DiscoveryUrl": COGNITO_URL, "AllowedClients": [{"Ref": "UserPoolClient"}, "client-*"]}
    assert findings(RULE, gateway("CUSTOM_JWT", jwt)) == [(f"{RULE}[Audience]", "Gateway")]


def test_runtime_without_jwt_authorizer_uses_iam_and_passes():
    assert findings(RULE, runtime(authorizer={})) == []
    assert findings(RULE, runtime()) == []


def test_iam_gateway_ignores_a_leftover_jwt_block():
    jwt = {"DiscoveryUrl": "http://idp/.well-known/openid-configuration"}
    assert findings(RULE, gateway("AWS_IAM", jwt)) == []


def test_parameter_default_is_judged_and_named():
    params = {"Parameters": {"AuthType": {"Type": "String", "AllowedValues": ["NONE", "CUSTOM_JWT", "AWS_IAM"],
                                          "Default": "NONE"}}}
    resources = gateway({"Ref": "AuthType"})
    assert findings(RULE, resources, **params) == [(f"{RULE}[AuthorizerType]", "Gateway")]
    assert "from the default of parameter AuthType" in messages(RULE, resources, **params)[0]


def test_comma_delimited_parameter_default_is_split():
    params = {"Parameters": {"Audiences": {"Type": "CommaDelimitedList", "Default": "support-app,*"}}}
    jwt = {"DiscoveryUrl": COGNITO_URL, "AllowedAudience": {"Ref": "Audiences"}}
    assert findings(RULE, runtime(jwt), **params) == [(f"{RULE}[Audience]", "Runtime")]
    params["Parameters"]["Audiences"]["Default"] = "support-app,admin-app"
    assert findings(RULE, runtime(jwt), **params) == []


def test_values_that_cannot_be_resolved_are_reported():
    params = {"Parameters": {"IssuerUrl": {"Type": "String"}, "Audience": {"Type": "String"}}}
    jwt = {"DiscoveryUrl": {"Ref": "IssuerUrl"}, "AllowedAudience": [{"Ref": "Audience"}]}
    assert findings(RULE, runtime(jwt), **params) == [(f"{RULE}[Audience]", "Runtime"),
                                                      (f"{RULE}[DiscoveryUrl]", "Runtime")]
    assert all("cannot be verified" in m for m in messages(RULE, runtime(jwt), **params))
    imported = {"DiscoveryUrl": {"Fn::ImportValue": "idp-discovery-url"}, "AllowedClients": ["support-app"]}
    assert findings(RULE, runtime(imported)) == [(f"{RULE}[DiscoveryUrl]", "Runtime")]


def test_sub_with_https_literal_passes():
    jwt = {"DiscoveryUrl": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"
                                       "/.well-known/openid-configuration"},
           "AllowedClients": [{"Fn::GetAtt": ["UserPoolClient", "ClientId"]}]}
    assert findings(RULE, gateway("CUSTOM_JWT", jwt)) == []


def test_each_fn_if_branch_is_judged():
    resources = gateway({"Fn::If": ["IsDev", "NONE", "CUSTOM_JWT"]}, COGNITO_JWT)
    assert findings(RULE, resources) == [(f"{RULE}[AuthorizerType]", "Gateway")]
    assert "IsDev is true" in messages(RULE, resources)[0]
    jwt = {"DiscoveryUrl": COGNITO_URL, "AllowedClients": {"Fn::If": ["IsDev", ["*"], [{"Ref": "UserPoolClient"}]]}}
    assert findings(RULE, runtime(jwt)) == [(f"{RULE}[Audience]", "Runtime")]
    both = {"Fn::If": ["IsDev", {"DiscoveryUrl": "http://dev.example.com/.well-known/openid-configuration",
                                 "AllowedClients": ["support-app"]},
                       {"DiscoveryUrl": "ftp://idp.example.com/.well-known/openid-configuration",
                        "AllowedClients": ["support-app"]}]}
    assert findings(RULE, runtime(both)) == [(f"{RULE}[DiscoveryUrl]", "Runtime")]
    [text] = messages(RULE, runtime(both))
    assert "IsDev is true" in text and "IsDev is false" in text


def test_odd_shapes_do_not_crash():
    assert findings(RULE, runtime(authorizer="CUSTOM_JWT")) == []
    assert findings(RULE, runtime(["jwt"])) == [(f"{RULE}[DiscoveryUrl]", "Runtime")]
    assert findings(RULE, gateway("CUSTOM_JWT", {"DiscoveryUrl": ["https://x"], "AllowedAudience": "*"})) == [
        (f"{RULE}[Audience]", "Gateway"), (f"{RULE}[DiscoveryUrl]", "Gateway")]
    assert findings(RULE, gateway(["NONE"])) == [(f"{RULE}[AuthorizerType]", "Gateway")]


def test_rule_concerns_agents_only():
    assert findings(RULE, gateway("NONE"), Phase.FOUNDATIONAL, capabilities={Capability.ANSWERS}) == []
    assert findings(RULE, gateway("NONE"), Phase.FOUNDATIONAL, capabilities={Capability.ACTS}) == [
        (f"{RULE}[AuthorizerType]", "Gateway")]
