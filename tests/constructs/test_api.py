"""SecureApi: every method authorized, WAF with a rate rule, stage throttling, access logs, tracing, TLS policy,
private endpoints; opt-outs recorded and still reported."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.application import SecureApi
from aisec_rules.model import Capability, Phase
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_stack, stack_findings

SCHEMA = apigw.JsonSchema(type=apigw.JsonSchemaType.OBJECT, required=["prompt"],
                          properties={"prompt": apigw.JsonSchema(type=apigw.JsonSchemaType.STRING, max_length=4000)})


def backend(stack, construct_id: str = "Backend") -> apigw.LambdaIntegration:
    function = lambda_.Function(stack, construct_id, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"))
    return apigw.LambdaIntegration(function)


def findings(stack, phase):
    """The API fronts a model: judge it as an "answers" workload (no model call in these test stacks)."""
    return stack_findings(stack, phase, capabilities=[Capability.ANSWERS])


def build(stack, **props) -> SecureApi:
    api = SecureApi(stack, "Api", **props)
    api.add_method("/chat", "POST", backend(stack), request_schema=SCHEMA)
    return api


@pytest.fixture(scope="module")
def app_and_stack():
    return report_only_stack("Front", build)


@pytest.fixture(scope="module")
def template(app_and_stack):
    return Template.from_stack(app_and_stack[1])


@pytest.fixture(scope="module")
def cognito_stack():
    stack = cdk.Stack(cdk.App(), "Users")
    pool = cognito.UserPool(stack, "Pool", mfa=cognito.Mfa.REQUIRED,
                            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
                            feature_plan=cognito.FeaturePlan.PLUS,  # threat protection (AISEC-APP-34 from Enhanced)
                            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION)
    build(stack, user_pool=pool)
    return stack


@pytest.fixture(scope="module")
def cognito_template(cognito_stack):
    return Template.from_stack(cognito_stack)


def methods(template):
    return [m["Properties"] for m in template.find_resources("AWS::ApiGateway::Method").values()
            if m["Properties"]["HttpMethod"] != "OPTIONS"]


def test_every_method_uses_iam_by_default(template):
    assert [m["AuthorizationType"] for m in methods(template)] == ["AWS_IAM"]


def test_methods_validate_their_body(template):
    template.has_resource_properties("AWS::ApiGateway::RequestValidator", {
        "ValidateRequestBody": True, "ValidateRequestParameters": True, "RestApiId": {"Ref": Match.any_value()}})
    template.has_resource_properties("AWS::ApiGateway::Method", {
        "HttpMethod": "POST", "RequestValidatorId": {"Ref": Match.string_like_regexp("ApiValidator")},
        "RequestModels": {"application/json": {"Ref": Match.string_like_regexp("ApiModel")}}})


def test_cognito_user_pool_authorizes_every_method(cognito_template):
    cognito_template.has_resource_properties("AWS::ApiGateway::Authorizer", {
        "Type": "COGNITO_USER_POOLS", "IdentitySource": "method.request.header.Authorization",
        "ProviderARNs": [{"Fn::GetAtt": [Match.string_like_regexp("Pool"), "Arn"]}]})
    assert [(m["AuthorizationType"], "AuthorizerId" in m) for m in methods(cognito_template)] == [
        ("COGNITO_USER_POOLS", True)]


def test_the_web_acl_guards_the_user_pool_too(cognito_template):
    cognito_template.has_resource_properties("AWS::WAFv2::WebACLAssociation", {
        "ResourceArn": {"Fn::GetAtt": [Match.string_like_regexp("Pool"), "Arn"]},
        "WebACLArn": {"Fn::GetAtt": [Match.string_like_regexp("ApiWebAcl"), "Arn"]}})
    cognito_template.resource_count_is("AWS::WAFv2::WebACLAssociation", 2)


def test_the_user_pool_of_the_cognito_variant_requires_mfa_and_enforces_threat_protection(cognito_template):
    cognito_template.has_resource_properties("AWS::Cognito::UserPool", {
        "MfaConfiguration": "ON", "UserPoolTier": "PLUS", "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"}})


def test_cognito_variant_passes_at_advanced(cognito_stack, cognito_template):
    assert findings(cognito_stack, Phase.ADVANCED) == []
    assert lint_errors(cognito_template.to_json()) == []


def test_regional_api_with_the_enhanced_tls_policy(template):
    template.has_resource_properties("AWS::ApiGateway::RestApi", {
        "EndpointConfiguration": {"Types": ["REGIONAL"]},
        "SecurityPolicy": "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", "EndpointAccessMode": "STRICT",
        "Description": "aisec: front door of an AI assistant"})
    template.resource_count_is("AWS::ApiGateway::Account", 0)


def test_stage_is_throttled_traced_and_access_logged(template):
    template.has_resource_properties("AWS::ApiGateway::Stage", {
        "StageName": "prod", "TracingEnabled": True,
        "MethodSettings": [{"HttpMethod": "*", "ResourcePath": "/*", "DataTraceEnabled": False,
                            "ThrottlingRateLimit": 20, "ThrottlingBurstLimit": 40}],
        "AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": [Match.string_like_regexp("ApiAccessLogsLogGroup"), "Arn"]},
                             "Format": Match.string_like_regexp(r'"requestId":"\$context.requestId"')}})
    template.has_resource_properties("AWS::Logs::LogGroup", {
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("ApiAccessLogsKey"), "Arn"]}, "RetentionInDays": 365,
        "DataProtectionPolicy": Match.any_value()})


def test_web_acl_with_managed_rules_and_a_rate_limit_guards_the_stage(template):
    acl = next(iter(template.find_resources("AWS::WAFv2::WebACL").values()))["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    assert [(r["Name"], r["Priority"]) for r in acl["Rules"]] == [
        ("AWSManagedRulesCommonRuleSet", 0), ("AWSManagedRulesKnownBadInputsRuleSet", 1),
        ("AWSManagedRulesAmazonIpReputationList", 2), ("RateLimit", 3)]
    assert acl["Rules"][0]["Statement"] == {"ManagedRuleGroupStatement": {"VendorName": "AWS",
                                                                          "Name": "AWSManagedRulesCommonRuleSet"}}
    assert acl["Rules"][3]["Statement"] == {"RateBasedStatement": {"Limit": 1000, "AggregateKeyType": "IP"}}
    assert acl["Rules"][3]["Action"] == {"Block": {}}
    template.has_resource_properties("AWS::WAFv2::WebACLAssociation", {
        "WebACLArn": {"Fn::GetAtt": [Match.string_like_regexp("ApiWebAcl"), "Arn"]},
        "ResourceArn": {"Fn::Join": ["", Match.array_with([{"Ref": Match.string_like_regexp("ApiDeploymentStageprod")}])]}})


def test_grant_invoke_names_the_stage():
    stack = cdk.Stack(cdk.App(), "Grant")
    api = build(stack)
    role = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())
    api.grant_invoke(role, "POST", "/chat")
    statement = Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    [policy] = statement.values()
    [granted] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert granted["Action"] == "execute-api:Invoke"
    parts = granted["Resource"]["Fn::Join"][1]
    assert parts[-1] == "/POST/chat" and {"Ref": next(iter(Template.from_stack(stack).find_resources(
        "AWS::ApiGateway::Stage")))} in parts


def test_private_api_admits_only_its_vpc_endpoints():
    stack = cdk.Stack(cdk.App(), "Internal")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    endpoint = vpc.add_interface_endpoint("ExecuteApi", service=ec2.InterfaceVpcEndpointAwsService.APIGATEWAY)
    build(stack, endpoint_type="PRIVATE", vpc_endpoints=[endpoint])
    template = Template.from_stack(stack)
    source = {"aws:SourceVpce": [{"Ref": Match.string_like_regexp("VpcExecuteApi")}]}
    template.has_resource_properties("AWS::ApiGateway::RestApi", {
        "EndpointConfiguration": {"Types": ["PRIVATE"], "VpcEndpointIds": [{"Ref": Match.string_like_regexp("VpcExecuteApi")}]},
        "Policy": {"Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "execute-api:/*",
             "Principal": {"AWS": Match.any_value()}, "Condition": {"StringEquals": source}},
            {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "execute-api:/*", "Principal": {"AWS": "*"},
             "Condition": {"StringNotEquals": source}}]}})
    template.resource_count_is("AWS::WAFv2::WebACL", 0)
    assert [f for f in findings(stack, Phase.ADVANCED) if " @ Api" in f] == []


def test_private_api_needs_endpoints():
    with pytest.raises(ValueError, match="vpc_endpoints"):
        SecureApi(cdk.Stack(cdk.App(), "S"), "Api", endpoint_type="PRIVATE")
    with pytest.raises(ValueError, match="REGIONAL or PRIVATE"):
        SecureApi(cdk.Stack(cdk.App(), "S"), "Api", endpoint_type="EDGE")


def test_unauthenticated_method_is_an_opt_out_still_reported():
    stack = cdk.Stack(cdk.App(), "Open")
    api = build(stack, unauthenticated_methods=["get /health"])
    api.add_method("/health", "GET", backend(stack, "Health"))
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::ApiGateway::Method", {"HttpMethod": "GET", "AuthorizationType": "NONE"})
    template.has_resource_properties("AWS::ApiGateway::Method", {"HttpMethod": "POST", "AuthorizationType": "AWS_IAM"})
    Annotations.from_stack(stack).has_warning("/Open/Api/Api/Default/health/GET",
                                              Match.string_like_regexp("unauthenticated_methods=True"))
    assert [f for f in findings(stack, Phase.FOUNDATIONAL) if f.startswith("AISEC-APP-17")] == [
        "AISEC-APP-17 @ " + next(k for k, m in template.find_resources("AWS::ApiGateway::Method").items()
                                 if m["Properties"]["HttpMethod"] == "GET")]


def test_a_method_added_without_authorization_fails_the_synth():
    app = cdk.App()
    stack = cdk.Stack(app, "Bypass")
    api = build(stack)
    api.rest_api.root.add_resource("open").add_method("GET", backend(stack, "Open"),
                                                      authorization_type=apigw.AuthorizationType.NONE)
    with pytest.raises(Exception, match="GET /open has no authorizer"):
        app.synth()


def test_without_waf_is_an_opt_out_still_reported():
    stack = cdk.Stack(cdk.App(), "NoWaf")
    build(stack, allow_without_waf=True)
    Template.from_stack(stack).resource_count_is("AWS::WAFv2::WebACL", 0)
    Annotations.from_stack(stack).has_warning("/NoWaf/Api", Match.string_like_regexp("allow_without_waf=True"))
    assert [f.split(" @ ")[0] for f in findings(stack, Phase.ENHANCED)] == ["AISEC-INF-10"]


def test_the_web_acl_blocks_oversized_prompts(template):
    """AISEC-INF-20: the managed common rule set runs with its own actions, so SizeRestrictions_BODY blocks bodies
    over 8 KB; nothing excludes or downgrades it."""
    [acl] = template.find_resources("AWS::WAFv2::WebACL").values()
    [common] = [r for r in acl["Properties"]["Rules"] if r["Name"] == "AWSManagedRulesCommonRuleSet"]
    assert common["OverrideAction"] == {"None": {}}
    assert common["Statement"] == {"ManagedRuleGroupStatement": {"VendorName": "AWS",
                                                                 "Name": "AWSManagedRulesCommonRuleSet"}}


def test_without_waf_a_request_model_with_max_length_bounds_the_prompt():
    stack = cdk.Stack(cdk.App(), "NoWafModels")
    build(stack, allow_without_waf=True)
    assert [f.split(" @ ")[0] for f in findings(stack, Phase.ENHANCED)] == ["AISEC-INF-10"]
    unbounded = cdk.Stack(cdk.App(), "NoWafFree")
    build(unbounded, allow_without_waf=True).add_method("/free", "POST", backend(unbounded, "Free"))  # no schema
    assert [f.split(" @ ")[0] for f in findings(unbounded, Phase.ENHANCED)] == ["AISEC-INF-10", "AISEC-INF-20"]


def test_defaults_record_no_opt_out(app_and_stack):
    assert Annotations.from_stack(app_and_stack[1]).find_warning("*", Match.string_like_regexp("aisec:")) == []


def test_compliance_at_advanced(app_and_stack, template):
    app, stack = app_and_stack
    assert findings(stack, Phase.ADVANCED) == []
    assert lint_errors(template.to_json()) == []
    assert [e for e in aws_solutions_errors(app) if "/Backend/" not in e] == []
