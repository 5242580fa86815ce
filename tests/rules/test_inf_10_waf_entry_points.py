from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-10"
RATE_RULE = {"Name": "rate", "Priority": 0, "Action": {"Block": {}}, "VisibilityConfig": {
    "SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "rate"},
    "Statement": {"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "IP"}}}
MANAGED_RULE = {"Name": "common", "Priority": 1, "OverrideAction": {"None": {}}, "VisibilityConfig": {
    "SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "common"},
    "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}}}


def web_acl(rules):
    return {"Type": "AWS::WAFv2::WebACL", "Properties": {"Scope": "REGIONAL", "DefaultAction": {"Allow": {}}, "Rules": rules,
                                                         "VisibilityConfig": {"SampledRequestsEnabled": True,
                                                                              "CloudWatchMetricsEnabled": True, "MetricName": "acl"}}}


def rest_api(private=False):
    api = {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "chat"}}
    if private:
        api["Properties"]["EndpointConfiguration"] = {"Types": ["PRIVATE"]}
    return {"Api": api, "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {
        "RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deploy"}, "StageName": "prod"}}}


STAGE_ARN = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"}, "::/restapis/",
                               {"Ref": "Api"}, "/stages/", {"Ref": "Stage"}]]}


def association(resource_arn, acl=None):
    acl = acl if acl is not None else {"Fn::GetAtt": ["Acl", "Arn"]}
    return {"Type": "AWS::WAFv2::WebACLAssociation", "Properties": {"ResourceArn": resource_arn, "WebACLArn": acl}}


def test_stage_behind_rate_limited_acl_passes():
    resources = {**rest_api(), "Acl": web_acl([RATE_RULE, MANAGED_RULE]), "Assoc": association(STAGE_ARN)}
    assert findings(RULE, resources) == []


def test_stage_named_by_literal_stage_path_is_covered():
    arn = {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod"}
    resources = {**rest_api(), "Acl": web_acl([RATE_RULE]), "Assoc": association(arn)}
    assert findings(RULE, resources) == []


def test_unprotected_entry_points_fail():
    assert findings(RULE, rest_api()) == [(RULE, "Stage")]
    alb = {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": ["subnet-1", "subnet-2"]}}
    pool = {"Type": "AWS::Cognito::UserPool", "Properties": {}}
    graphql = {"Type": "AWS::AppSync::GraphQLApi", "Properties": {"Name": "g", "AuthenticationType": "AWS_IAM"}}
    cdn = {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {"Enabled": True}}}
    assert findings(RULE, {"Alb": alb, "Pool": pool, "Gql": graphql, "Cdn": cdn}) == [
        (RULE, "Alb"), (RULE, "Cdn"), (RULE, "Gql"), (RULE, "Pool")]
    assert "Firewall Manager" in messages(RULE, {"Pool": pool})[0]


def test_private_entry_points_are_skipped():
    internal = {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": "internal", "Subnets": ["s-1", "s-2"]}}
    private_gql = {"Type": "AWS::AppSync::GraphQLApi", "Properties": {"Name": "g", "AuthenticationType": "AWS_IAM", "Visibility": "PRIVATE"}}
    assert findings(RULE, {**rest_api(private=True), "Alb": internal, "Gql": private_gql}) == []


def test_acl_without_rate_rule_fails_on_the_acl():
    pool = {"Type": "AWS::Cognito::UserPool", "Properties": {}}
    resources = {"Pool": pool, "Acl": web_acl([MANAGED_RULE]), "Assoc": association({"Fn::GetAtt": ["Pool", "Arn"]})}
    assert findings(RULE, resources) == [(RULE, "Acl")]
    resources["Acl"] = web_acl([])
    assert findings(RULE, resources) == [(RULE, "Acl")]
    assert "Rules is empty" in messages(RULE, resources)[0]


def test_rate_rule_inside_a_rule_group_of_the_template_counts():
    group = {"Type": "AWS::WAFv2::RuleGroup", "Properties": {"Scope": "REGIONAL", "Capacity": 10, "Rules": [RATE_RULE],
                                                             "VisibilityConfig": RATE_RULE["VisibilityConfig"]}}
    ref_rule = {"Name": "g", "Priority": 0, "OverrideAction": {"None": {}}, "VisibilityConfig": RATE_RULE["VisibilityConfig"],
                "Statement": {"RuleGroupReferenceStatement": {"Arn": {"Fn::GetAtt": ["Group", "Arn"]}}}}
    cdn = {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
        "Enabled": True, "WebACLId": {"Fn::GetAtt": ["Acl", "Arn"]}}}}
    assert findings(RULE, {"Cdn": cdn, "Acl": web_acl([ref_rule]), "Group": group}) == []


def test_external_acl_cannot_be_verified():
    resources = {**rest_api(), "Assoc": association(STAGE_ARN, acl={"Fn::ImportValue": "Security-WebAclArn"})}
    assert findings(RULE, resources) == [(RULE, "Stage")]
    assert "outside this template" in messages(RULE, resources)[0]


def test_phase():
    assert findings(RULE, rest_api(), Phase.FOUNDATIONAL) == []


GATEWAY = {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": {
    "Name": "tools", "ProtocolType": "MCP", "AuthorizerType": "AWS_IAM", "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}}}


def test_agentcore_gateway_behind_a_rate_limited_acl_passes():
    resources = {"Gateway": GATEWAY, "Acl": web_acl([RATE_RULE]),
                 "Assoc": association({"Fn::GetAtt": ["Gateway", "GatewayArn"]})}
    assert findings(RULE, resources) == []


def test_agentcore_gateway_without_a_web_acl_fails_with_its_own_detail():
    assert findings(RULE, {"Gateway": GATEWAY}) == [(f"{RULE}[AgentCoreGateway]", "Gateway")]
    assert "AWS::BedrockAgentCore::Gateway Gateway is a public entry point" in messages(RULE, {"Gateway": GATEWAY})[0]


def test_agentcore_gateway_acl_without_rate_rule_or_outside_the_template():
    resources = {"Gateway": GATEWAY, "Acl": web_acl([MANAGED_RULE]),
                 "Assoc": association({"Fn::GetAtt": ["Gateway", "GatewayArn"]})}
    assert findings(RULE, resources) == [(RULE, "Acl")]
    external = {"Gateway": GATEWAY, "Assoc": association({"Fn::GetAtt": ["Gateway", "GatewayArn"]},
                                                         acl={"Ref": "SharedAclArn"})}
    assert findings(RULE, external, Parameters={"SharedAclArn": {"Type": "String"}}) == [
        (f"{RULE}[AgentCoreGateway]", "Gateway")]
