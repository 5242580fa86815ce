"""AISEC-INF-20: public entry points in front of a model reject oversized prompts."""
import json

from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-20"


def api(*methods, acl_rules=None, association_config=None):
    resources = {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "a"}},
        "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod"}},
    }
    for index, method in enumerate(methods):
        resources[f"Method{index}"] = {"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ResourceId": "r", "AuthorizationType": "AWS_IAM", **method}}
    if acl_rules is not None:
        acl = {"Scope": "REGIONAL", "DefaultAction": {"Allow": {}}, "Rules": acl_rules,
               "VisibilityConfig": {"CloudWatchMetricsEnabled": True, "MetricName": "m", "SampledRequestsEnabled": True}}
        if association_config is not None:
            acl["AssociationConfig"] = association_config
        resources["Acl"] = {"Type": "AWS::WAFv2::WebACL", "Properties": acl}
        resources["Association"] = {"Type": "AWS::WAFv2::WebACLAssociation", "Properties": {
            "ResourceArn": {"Fn::Join": ["", ["arn:aws:apigateway:us-east-1::/restapis/", {"Ref": "Api"},
                                              "/stages/", {"Ref": "Stage"}]]},
            "WebACLArn": {"Fn::GetAtt": ["Acl", "Arn"]}}}
    return resources


def size_rule(size=8192, operator="GT", handling=None, action="Block", field="Body"):
    part = {} if handling is None else {"OversizeHandling": handling}
    if field == "JsonBody":
        part.update(MatchPattern={"All": {}}, MatchScope="ALL")
    return {"Name": "PromptSize", "Priority": 0, "Action": {action: {}}, "Statement": {"SizeConstraintStatement": {
        "FieldToMatch": {field: part}, "ComparisonOperator": operator, "Size": size,
        "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}, "VisibilityConfig": {}}


def common_rule_set(override="None", **group):
    return {"Name": "Common", "Priority": 1, "OverrideAction": {override: {}}, "Statement": {
        "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet", **group}},
        "VisibilityConfig": {}}


POST = {"HttpMethod": "POST"}
STAGE_FINDING = [("AISEC-INF-20", "Stage")]


def test_a_blocking_size_constraint_within_the_window_passes():
    assert findings(RULE, api(POST, acl_rules=[size_rule()])) == []
    assert findings(RULE, api(POST, acl_rules=[size_rule(16384, "GE")])) == []
    assert findings(RULE, api(POST, acl_rules=[size_rule(60000, handling="MATCH", field="JsonBody")])) == []
    bigger_window = {"RequestBody": {"API_GATEWAY": {"DefaultSizeInspectionLimit": "KB_64"}}}
    assert findings(RULE, api(POST, acl_rules=[size_rule(60000)], association_config=bigger_window)) == []


def test_a_size_constraint_that_cannot_see_oversized_bodies_fails():
    assert findings(RULE, api(POST, acl_rules=[size_rule(16384)])) == STAGE_FINDING  # GT the whole window
    assert findings(RULE, api(POST, acl_rules=[size_rule(60000)])) == STAGE_FINDING
    assert findings(RULE, api(POST, acl_rules=[size_rule(1000, handling="NO_MATCH")])) == STAGE_FINDING
    assert findings(RULE, api(POST, acl_rules=[size_rule(action="Count")])) == STAGE_FINDING
    assert findings(RULE, api(POST, acl_rules=[size_rule(operator="LT")])) == STAGE_FINDING
    text = messages(RULE, api(POST, acl_rules=[size_rule(60000)]))[0]
    assert "no blocking SizeConstraintStatement" in text and "Method0" in text


def test_the_managed_common_rule_set_counts_while_its_body_rule_blocks():
    assert findings(RULE, api(POST, acl_rules=[common_rule_set()])) == []
    assert findings(RULE, api(POST, acl_rules=[common_rule_set("Count")])) == STAGE_FINDING
    excluded = common_rule_set(ExcludedRules=[{"Name": "SizeRestrictions_BODY"}])
    assert findings(RULE, api(POST, acl_rules=[excluded])) == STAGE_FINDING
    counted = common_rule_set(RuleActionOverrides=[{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}])
    assert findings(RULE, api(POST, acl_rules=[counted])) == STAGE_FINDING
    other = common_rule_set(RuleActionOverrides=[{"Name": "NoUserAgent_HEADER", "ActionToUse": {"Count": {}}}])
    assert findings(RULE, api(POST, acl_rules=[other])) == []


def test_a_validated_request_model_with_max_length_passes_without_waf():
    resources = api(dict(POST, RequestValidatorId={"Ref": "Validator"}, RequestModels={"application/json": {
        "Ref": "Model"}}), {"HttpMethod": "GET"})
    resources["Validator"] = {"Type": "AWS::ApiGateway::RequestValidator", "Properties": {
        "RestApiId": {"Ref": "Api"}, "ValidateRequestBody": True}}
    schema = {"type": "object", "properties": {"prompt": {"type": "string", "maxLength": 4000}}}
    resources["Model"] = {"Type": "AWS::ApiGateway::Model", "Properties": {
        "RestApiId": {"Ref": "Api"}, "ContentType": "application/json", "Schema": schema}}
    assert findings(RULE, resources) == []
    resources["Model"]["Properties"]["Schema"] = json.dumps(schema)  # a JSON string is a schema too
    assert findings(RULE, resources) == []
    resources["Model"]["Properties"]["Schema"] = {"type": "object"}
    assert findings(RULE, resources) == STAGE_FINDING
    resources["Model"]["Properties"]["Schema"] = schema
    resources["Validator"]["Properties"]["ValidateRequestBody"] = False
    assert findings(RULE, resources) == STAGE_FINDING


def test_no_waf_and_no_model_fails_and_bodyless_apis_pass():
    assert findings(RULE, api(POST)) == STAGE_FINDING
    assert "no WAF web ACL is in front of it" in messages(RULE, api(POST))[0]
    assert findings(RULE, api({"HttpMethod": "GET"})) == []
    private = api(POST)
    private["Api"]["Properties"]["EndpointConfiguration"] = {"Types": ["PRIVATE"]}
    assert findings(RULE, private) == []


def test_load_balancers_have_a_fixed_8_kb_window():
    resources = {"Alb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}},
                 "Acl": {"Type": "AWS::WAFv2::WebACL", "Properties": {"Rules": [size_rule(10000)]}},
                 "Association": {"Type": "AWS::WAFv2::WebACLAssociation", "Properties": {
                     "ResourceArn": {"Ref": "Alb"}, "WebACLArn": {"Fn::GetAtt": ["Acl", "Arn"]}}}}
    assert findings(RULE, resources) == [("AISEC-INF-20", "Alb")]
    resources["Acl"]["Properties"]["Rules"] = [size_rule(8000)]
    assert findings(RULE, resources) == []


def test_intrinsics_parameter_defaults_fn_if_and_outside_acls():
    parameterized = api(POST, acl_rules=[size_rule({"Ref": "Limit"})])
    assert findings(RULE, parameterized, Parameters={"Limit": {"Type": "Number", "Default": 4096}}) == []
    assert findings(RULE, parameterized, Parameters={"Limit": {"Type": "Number"}}) == STAGE_FINDING
    branch = api(POST, acl_rules=[size_rule(handling={"Fn::If": ["Strict", "MATCH", "NO_MATCH"]})])
    assert findings(RULE, branch) == STAGE_FINDING  # one branch lets oversized bodies through
    outside = api(POST, acl_rules=[])
    outside["Association"]["Properties"]["WebACLArn"] = {"Fn::ImportValue": "SharedAcl"}
    assert "outside this template and cannot be verified" in messages(RULE, outside)[0]


def test_from_enhanced_on():
    assert findings(RULE, api(POST), Phase.FOUNDATIONAL) == []
    assert findings(RULE, api(POST), Phase.ENHANCED) == STAGE_FINDING
