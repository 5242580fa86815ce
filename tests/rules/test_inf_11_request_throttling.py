from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages
from tests.rules.test_inf_10_waf_entry_points import RATE_RULE, STAGE_ARN, association, rest_api, web_acl

RULE = "AISEC-INF-11"


def throttled_stage(limit=100):
    resources = rest_api()
    resources["Stage"]["Properties"]["MethodSettings"] = [
        {"HttpMethod": "*", "ResourcePath": "/*", "ThrottlingRateLimit": limit, "ThrottlingBurstLimit": 50}]
    return resources


def usage_plan(stage, throttle=True, per_stage=None):
    item = {"ApiId": {"Ref": "Api"}, "Stage": stage}
    if per_stage:
        item["Throttle"] = per_stage
    props = {"ApiStages": [item]}
    if throttle:
        props["Throttle"] = {"RateLimit": 10, "BurstLimit": 20}
    return {"Type": "AWS::ApiGateway::UsagePlan", "Properties": props}


def test_stage_method_settings_pass():
    assert findings(RULE, throttled_stage()) == []


def test_unthrottled_stage_fails():
    assert findings(RULE, rest_api()) == [(RULE, "Stage")]


def test_usage_plan_for_the_stage_passes():
    assert findings(RULE, {**rest_api(), "Plan": usage_plan({"Ref": "Stage"})}) == []
    assert findings(RULE, {**rest_api(), "Plan": usage_plan("prod")}) == []
    assert findings(RULE, {**rest_api(), "Plan": usage_plan("prod", throttle=False, per_stage={"/chat/POST": {"RateLimit": 5}})}) == []


def test_usage_plan_without_throttle_or_for_another_stage_fails():
    assert findings(RULE, {**rest_api(), "Plan": usage_plan("prod", throttle=False)}) == [(RULE, "Stage")]
    assert findings(RULE, {**rest_api(), "Plan": usage_plan("dev")}) == [(RULE, "Stage")]


def test_waf_rate_rule_counts():
    assert findings(RULE, {**rest_api(), "Acl": web_acl([RATE_RULE]), "Assoc": association(STAGE_ARN)}) == []


def test_throttle_from_parameter_without_default_counts_as_set():
    resources = throttled_stage(limit={"Ref": "Limit"})
    assert findings(RULE, resources, Parameters={"Limit": {"Type": "Number"}}) == []


def test_http_api_stage_needs_default_route_throttling():
    stage = {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": "abc123", "StageName": "$default"}}
    assert findings(RULE, {"Http": stage}) == [(RULE, "Http")]
    stage["Properties"]["DefaultRouteSettings"] = {"ThrottlingRateLimit": 10, "ThrottlingBurstLimit": 20}
    assert findings(RULE, {"Http": stage}) == []


def test_agentcore_gateway_needs_a_rate_limit():
    gateway = {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": {
        "Name": "gw", "AuthorizerType": "AWS_IAM", "ProtocolType": "MCP", "RoleArn": "arn:aws:iam::123456789012:role/gw"}}
    limit = {"Type": "AWS::BedrockAgentCore::GatewayRateLimit", "Properties": {
        "GatewayIdentifier": {"Fn::GetAtt": ["Gw", "GatewayIdentifier"]}, "DimensionKeys": ["toolName"],
        "Entries": [{"Requests": [{"Rate": 10, "Period": "SECOND"}]}]}}
    assert findings(RULE, {"Gw": gateway}) == [(RULE, "Gw")]
    assert "GatewayRateLimit" in messages(RULE, {"Gw": gateway})[0]
    assert findings(RULE, {"Gw": gateway, "Limit": limit}) == []
    limit["Properties"]["Entries"] = [{"Connections": [{"Rate": 10, "Period": "SECOND"}]}]
    assert findings(RULE, {"Gw": gateway, "Limit": limit}) == [(RULE, "Gw")]


def test_phase_and_odd_shapes():
    assert findings(RULE, rest_api(), Phase.FOUNDATIONAL) == []
    odd = rest_api()
    odd["Stage"]["Properties"]["MethodSettings"] = "all"
    odd["Plan"] = {"Type": "AWS::ApiGateway::UsagePlan", "Properties": {"ApiStages": ["x"], "Throttle": "fast"}}
    assert findings(RULE, odd) == [(RULE, "Stage")]


def tool(reserved=None):
    props = {"Role": {"Fn::GetAtt": ["R", "Arn"]}, "Runtime": "python3.12", "Handler": "i.h", "Code": {"ZipFile": "x"}}
    if reserved is not None:
        props["ReservedConcurrentExecutions"] = reserved
    return {"Type": "AWS::Lambda::Function", "Properties": props}


def agent(*functions):
    return {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a", "ActionGroups": [
        {"ActionGroupName": f"g{i}", "ActionGroupExecutor": {"Lambda": fn}} for i, fn in enumerate(functions)]}}


def test_tool_functions_with_reserved_concurrency_pass():
    resources = {"Agent": agent({"Fn::GetAtt": ["Tool", "Arn"]}), "Tool": tool(10), "Other": tool()}
    assert findings(RULE, resources) == []
    assert findings(RULE, {"Agent": agent({"Fn::GetAtt": ["Tool", "Arn"]}), "Tool": tool({"Ref": "Reserved"})},
                    Parameters={"Reserved": {"Type": "Number"}}) == []


def test_tool_function_without_reserved_concurrency_fails_on_the_function():
    resources = {"Agent": agent({"Fn::GetAtt": ["Tool", "Arn"]}), "Tool": tool()}
    assert findings(RULE, resources) == [(f"{RULE}[ToolConcurrency]", "Tool")]
    assert "Agent.ActionGroups[0].ActionGroupExecutor.Lambda" in messages(RULE, resources)[0]
    branch = {"Agent": agent({"Fn::GetAtt": ["Tool", "Arn"]}),
              "Tool": tool({"Fn::If": ["Prod", 20, {"Ref": "AWS::NoValue"}]})}
    assert findings(RULE, branch) == [(f"{RULE}[ToolConcurrency]", "Tool")]
    assert "when condition Prod is false" in messages(RULE, branch)[0]


def test_tool_function_outside_the_template_cannot_be_verified():
    resources = {"Agent": agent({"Fn::ImportValue": "Tools-OrderFunctionArn"})}
    assert findings(RULE, resources) == [(f"{RULE}[ToolConcurrency]", "Agent")]
    assert "outside this template" in messages(RULE, resources)[0]
