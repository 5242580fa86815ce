from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-16"
FN = {"Fn::GetAtt": ["Interceptor", "Arn"]}


def gateway(interceptors=None, waf=None, level=None):
    props = {"Name": "gw", "AuthorizerType": "AWS_IAM", "RoleArn": "arn:aws:iam::1:role/r", "ProtocolType": "MCP"}
    if interceptors is not None:
        props["InterceptorConfigurations"] = interceptors
    if waf is not None:
        props["WafConfiguration"] = waf
    if level is not None:
        props["ExceptionLevel"] = level
    return {"Gw": {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": props}}


BOTH = [{"Interceptor": {"Lambda": {"Arn": FN}}, "InterceptionPoints": ["REQUEST", "RESPONSE"]}]
SPLIT = [{"Interceptor": {"Lambda": {"Arn": FN}}, "InterceptionPoints": ["REQUEST"]},
         {"Interceptor": {"Lambda": {"Arn": FN}}, "InterceptionPoints": ["RESPONSE"]}]


def test_hardened_gateway_passes():
    assert findings(RULE, gateway(BOTH, {"FailureMode": "FAIL_CLOSE"})) == []
    assert findings(RULE, gateway(SPLIT)) == []


def test_only_at_advanced():
    assert findings(RULE, gateway(None, None, "DEBUG"), Phase.ENHANCED) == []


def test_each_weakness_is_its_own_finding():
    resources = gateway(BOTH[:0] + [dict(BOTH[0], InterceptionPoints=["REQUEST"])], {"FailureMode": "FAIL_OPEN"}, "DEBUG")
    assert findings(RULE, resources) == [(f"{RULE}[ExceptionLevel]", "Gw"), (f"{RULE}[Interceptors]", "Gw"),
                                         (f"{RULE}[WafFailureMode]", "Gw")]
    assert "do not cover RESPONSE" in messages(RULE, resources)[1]


def test_no_interceptors_and_waf_without_failure_mode():
    assert findings(RULE, gateway(None, {})) == [(f"{RULE}[Interceptors]", "Gw"), (f"{RULE}[WafFailureMode]", "Gw")]


def test_parameter_and_unknown_values():
    params = {"Parameters": {"Fail": {"Type": "String", "Default": "FAIL_OPEN"}, "Level": {"Type": "String"}}}
    resources = gateway(BOTH, {"FailureMode": {"Ref": "Fail"}}, {"Ref": "Level"})
    assert findings(RULE, resources, **params) == [(f"{RULE}[ExceptionLevel]", "Gw"), (f"{RULE}[WafFailureMode]", "Gw")]
    text = messages(RULE, resources, **params)
    assert "cannot be verified" in text[0] and "from the default of parameter Fail" in text[1]
    imported = gateway([{"Interceptor": {"Lambda": {"Arn": FN}}, "InterceptionPoints": {"Fn::ImportValue": "p"}}])
    assert "cannot be verified" in messages(RULE, imported)[0]


def test_level_absent_in_one_branch_only():
    resources = gateway(BOTH, None, {"Fn::If": ["Dev", "DEBUG", {"Ref": "AWS::NoValue"}]})
    assert findings(RULE, resources) == [(f"{RULE}[ExceptionLevel]", "Gw")]


def test_odd_shapes_do_not_crash():
    assert findings(RULE, gateway("x", "y")) == [(f"{RULE}[Interceptors]", "Gw"), (f"{RULE}[WafFailureMode]", "Gw")]
    assert findings(RULE, gateway(["x", {"InterceptionPoints": "REQUEST"}])) == [(f"{RULE}[Interceptors]", "Gw")]
