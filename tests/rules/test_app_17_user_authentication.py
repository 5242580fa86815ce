from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-17"


def method(http="POST", auth=None, **extra):
    props = {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
             "HttpMethod": http, **extra}
    if auth is not None:
        props["AuthorizationType"] = auth
    return {"Type": "AWS::ApiGateway::Method", "Properties": props}


def api_v2(protocol, **extra):
    props = {"Name": "chat", **extra}
    if protocol is not None:
        props["ProtocolType"] = protocol
    return {"Type": "AWS::ApiGatewayV2::Api", "Properties": props}


HTTP_API = {"Ref": "HttpApi"}  # never mutated


def route(key, auth=None, api=HTTP_API):
    props = {"ApiId": api, "RouteKey": key}
    if auth is not None:
        props["AuthorizationType"] = auth
    return {"Type": "AWS::ApiGatewayV2::Route", "Properties": props}


def test_rest_methods_with_authorizer_pass_and_cors_preflight_is_exempt():
    resources = {"Post": method(auth="COGNITO_USER_POOLS", AuthorizerId={"Ref": "Authorizer"}),
                 "Get": method("GET", auth="AWS_IAM"),
                 "Options": method("OPTIONS", auth="NONE")}
    assert findings(RULE, resources) == []


def test_rest_method_none_or_absent_fails():
    resources = {"Post": method(auth="NONE"), "Get": method("GET")}
    assert findings(RULE, resources) == [(RULE, "Get"), (RULE, "Post")]
    assert any("defaults to NONE" in m for m in messages(RULE, resources))


def test_rest_method_auth_from_parameter_and_fn_if():
    params = {"Parameters": {"Auth": {"Type": "String", "Default": "NONE"}}}
    resources = {"Post": method(auth={"Ref": "Auth"})}
    assert findings(RULE, resources, **params) == [(RULE, "Post")]
    assert "from the default of parameter Auth" in messages(RULE, resources, **params)[0]
    resources = {"Post": method(auth={"Fn::If": ["IsProd", "AWS_IAM", "NONE"]})}
    assert findings(RULE, resources) == [(RULE, "Post")]
    resources = {"Post": method(auth={"Fn::ImportValue": "AuthType"})}
    assert "cannot be verified" in messages(RULE, resources)[0]


def test_http_api_routes():
    resources = {"HttpApi": api_v2("HTTP"),
                 "Chat": route("POST /chat", auth="JWT"),
                 "Open": route("GET /health"),
                 "Default": route("$default", auth="NONE"),
                 "Preflight": route("OPTIONS /{proxy+}", auth="NONE")}
    assert findings(RULE, resources) == [(RULE, "Default"), (RULE, "Open")]


def test_websocket_only_connect_needs_authorization():
    resources = {"HttpApi": api_v2("WEBSOCKET", RouteSelectionExpression="$request.body.action"),
                 "Connect": route("$connect", auth="CUSTOM"),
                 "Disconnect": route("$disconnect"),
                 "Message": route("sendmessage", auth="NONE"),
                 "Default": route("$default")}
    assert findings(RULE, resources) == []
    resources["Connect"] = route("$connect", auth="NONE")
    assert findings(RULE, resources) == [(RULE, "Connect")]


def test_route_of_api_outside_template_is_judged_by_route_key():
    imported = {"Fn::ImportValue": "ChatApiId"}
    resources = {"Connect": route("$connect", api=imported), "Disconnect": route("$disconnect", api=imported),
                 "Action": route("sendmessage", api=imported), "Default": route("$default", api=imported),
                 "Get": route("GET /items", api=imported)}
    assert findings(RULE, resources) == [(RULE, "Connect"), (RULE, "Default"), (RULE, "Get")]
    assert any("not in this template" in m for m in messages(RULE, resources))


def test_http_api_quick_create_fails():
    resources = {"HttpApi": api_v2("HTTP", Target={"Fn::GetAtt": ["Fn", "Arn"]})}
    assert findings(RULE, resources) == [(RULE, "HttpApi")]
    assert findings(RULE, {"HttpApi": api_v2("HTTP")}) == []


def test_openapi_import_without_protocol_is_http():
    resources = {"HttpApi": api_v2(None, Body={"openapi": "3.0.1"}), "Default": route("$default")}
    assert findings(RULE, resources) == [(RULE, "Default")]


def test_lambda_url_must_use_iam():
    def url(auth):
        return {"Type": "AWS::Lambda::Url", "Properties": {"TargetFunctionArn": {"Ref": "Fn"}, "AuthType": auth}}

    assert findings(RULE, {"Url": url("AWS_IAM")}) == []
    assert findings(RULE, {"Url": url("NONE")}) == [(RULE, "Url")]
    assert findings(RULE, {"Url": {"Type": "AWS::Lambda::Url", "Properties": {"TargetFunctionArn": "x"}}}) == [(RULE, "Url")]


def test_user_pool_mfa_from_enhanced_on():
    def pool(**p):
        return {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "users", **p}}

    assert findings(RULE, {"Pool": pool()}, Phase.FOUNDATIONAL) == []
    assert findings(RULE, {"Pool": pool()}, Phase.ENHANCED) == [(f"{RULE}[MfaConfiguration]", "Pool")]
    assert findings(RULE, {"Pool": pool(MfaConfiguration="OFF")}, Phase.ADVANCED) == [(f"{RULE}[MfaConfiguration]", "Pool")]
    assert findings(RULE, {"Pool": pool(MfaConfiguration="OPTIONAL")}, Phase.ENHANCED) == []
    assert findings(RULE, {"Pool": pool(MfaConfiguration="ON")}, Phase.ENHANCED) == []


def test_odd_shapes_do_not_crash():
    resources = {"Post": method(http=["POST"], auth=["NONE"]),
                 "R": route({"Fn::Join": ["", ["GET ", "/x"]]}, auth="AWS_IAM", api="literal-api-id"),
                 "R2": route(None, api=None)}
    # a list is not a valid AuthorizationType: reported as unverifiable, never passed silently
    assert findings(RULE, resources) == [(RULE, "Post"), (RULE, "R2")]
