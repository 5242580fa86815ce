"""AgentCore constructs: each secure default, each opt-out, compliance."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.application import (AgentCoreBrowser, AgentCoreCodeInterpreter, AgentCoreGateway,
                                          AgentCoreGatewayTarget, AgentCoreMemory, AgentCoreOnlineEvaluation,
                                          AgentCoreRuntime, DeniedTopic, GatewayAuthorizer, Guardrail,
                                          RuntimeAuthorizer, ToolSpec, VpcPlacement)
from aisec_rules.model import Phase
from tests.cfn_lint import lint_errors
from tests.constructs._application import (AR_POLICY, SECURITY_GROUP, SUBNETS, nag_errors, own_findings, pack_app,
                                           probed, tool_function)

DISCOVERY = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefghi/.well-known/openid-configuration"
MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
OAUTH = "arn:aws:bedrock-agentcore:us-east-1:111111111111:token-vault/default/oauth2credentialprovider/crm"
CEDAR = 'permit(principal, action == AgentCore::Action::"orders___get_order", resource);'
WEB_ACL = "arn:aws:wafv2:us-east-1:111111111111:regional/webacl/agents/0123abcd-0123-0123-0123-0123456789ab"
PREFIXES = ["Runtime", "Gateway", "Target", "Mcp", "Memory", "Interpreter", "Browser", "Evaluation", "Guard", "Caller"]
#: Controls of the network that hosts AgentCore compute (VPC endpoints, flow logs, private subnets): they belong
#: to the infrastructure layer's IsolatedNetwork, which these tests replace by literal subnet ids (whose routes
#: AISEC-INF-04 therefore cannot verify).
NETWORK_CONTROLS = ("AISEC-INF-01", "AISEC-INF-12", "AISEC-INF-04[Unverifiable::Subnet]")


def build(stack):
    network = VpcPlacement(SUBNETS, [SECURITY_GROUP])
    repository = ecr.Repository(stack, "Repo", image_scan_on_push=True, image_tag_mutability=ecr.TagMutability.IMMUTABLE)
    guard = probed(Guardrail(stack, "Guard", denied_topics=[DeniedTopic("Investment", "Advice on securities")],
                             automated_reasoning_policies=[AR_POLICY]))
    runtime = AgentCoreRuntime(stack, "Runtime", repository=repository, tag="v1", network=network,
                               authorizer=RuntimeAuthorizer.jwt(DISCOVERY, allowed_clients=["app-client"]),
                               models=[MODEL], guardrail=guard)
    tool = tool_function(stack)
    gateway = AgentCoreGateway(stack, "Gateway", authorizer=GatewayAuthorizer.iam(), cedar_policies=[CEDAR],
                               request_interceptor=tool, response_interceptor=tool)
    AgentCoreGatewayTarget(stack, "Target", gateway=gateway, function=tool,
                           tools=[ToolSpec("get_order", "Look up an order", {"orderId": "string"}, ["orderId"])])
    AgentCoreGatewayTarget(stack, "Mcp", gateway=gateway, mcp_endpoint="https://crm.example.com/mcp",
                           oauth_provider_arn=OAUTH, scopes=["crm.read"])
    memory = AgentCoreMemory(stack, "Memory")
    caller = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    memory.grant_read_write(caller)
    memory.grant_read_write(runtime.role)  # a grant made later reaches the mirrored boundary too
    runtime.grant_invoke(caller)
    gateway.grant_invoke(caller)
    AgentCoreCodeInterpreter(stack, "Interpreter", network=network)
    AgentCoreBrowser(stack, "Browser", network=network)
    AgentCoreOnlineEvaluation(stack, "Evaluation", runtime=runtime)
    return runtime


@pytest.fixture(scope="module")
def stack():
    stack = cdk.Stack(pack_app(), "AgentCore")
    build(stack)
    return stack


@pytest.fixture(scope="module")
def template(stack):
    return Template.from_stack(stack)


def one(template, rtype):
    found = template.find_resources(rtype)
    assert len(found) == 1, found.keys()
    return next(iter(found.values()))["Properties"]


# -- runtime --------------------------------------------------------------------------------------------

def test_runtime_is_private_authenticated_and_bounded(template):
    props = one(template, "AWS::BedrockAgentCore::Runtime")
    assert props["NetworkConfiguration"] == {"NetworkMode": "VPC", "NetworkModeConfig": {
        "Subnets": SUBNETS, "SecurityGroups": [SECURITY_GROUP]}}
    assert props["AuthorizerConfiguration"] == {"CustomJWTAuthorizer": {"DiscoveryUrl": DISCOVERY,
                                                                        "AllowedClients": ["app-client"]}}
    assert props["LifecycleConfiguration"] == {"IdleRuntimeSessionTimeout": 900, "MaxLifetime": 28800}
    assert props["ProtocolConfiguration"] == "HTTP"
    assert "ServerProtocol" not in props and "SessionConfiguration" not in props


def test_runtime_role_trust_boundary_and_guarded_model_access(template):
    template.has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Statement": [{
            "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                          "ArnLike": {"aws:SourceArn": Match.any_value()}}}]},
        "Description": Match.string_like_regexp("AgentCore runtime"),
        "PermissionsBoundary": {"Ref": Match.string_like_regexp("RuntimeExecutionRoleBoundary")}})
    policies = {k: v for k, v in template.find_resources("AWS::IAM::Policy").items() if k.startswith("RuntimeExecutionRole")}
    boundaries = {k: v for k, v in template.find_resources("AWS::IAM::ManagedPolicy").items()
                  if k.startswith("RuntimeExecutionRole")}
    policy, boundary = next(iter(policies.values())), next(iter(boundaries.values()))
    assert policy["Properties"]["PolicyDocument"] == boundary["Properties"]["PolicyDocument"]
    statement = next(s for s in policy["Properties"]["PolicyDocument"]["Statement"]
                     if s.get("Sid") == "InvokeModelsThroughGuardrail")
    assert statement["Resource"] == MODEL
    boundary_actions = [a for st in boundary["Properties"]["PolicyDocument"]["Statement"]
                        for a in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])]
    assert "bedrock-agentcore:CreateEvent" in boundary_actions
    assert "bedrock:GuardrailIdentifier" in statement["Condition"]["StringEquals"]


def test_runtime_application_logs_are_delivered_to_a_secure_log_group(template):
    template.has_resource_properties("AWS::Logs::DeliverySource", {
        "LogType": "APPLICATION_LOGS", "ResourceArn": {"Fn::GetAtt": [Match.string_like_regexp("^Runtime[0-9A-F]{8}$"),
                                                                      "AgentRuntimeArn"]}})
    template.has_resource_properties("AWS::Logs::LogGroup", {
        "KmsKeyId": Match.any_value(), "RetentionInDays": 365, "DataProtectionPolicy": Match.any_value()})


def test_runtime_iam_authorizer_has_no_jwt_configuration():
    stack = cdk.Stack(cdk.App(), "Iam")
    AgentCoreRuntime(stack, "Runtime", repository=ecr.Repository(stack, "Repo"), tag="v1",
                     authorizer=RuntimeAuthorizer.iam(), network=VpcPlacement(SUBNETS, [SECURITY_GROUP]))
    Template.from_stack(stack).has_resource_properties("AWS::BedrockAgentCore::Runtime", {
        "AuthorizerConfiguration": Match.absent()})
    assert lint_errors(Template.from_stack(stack).to_json()) == []


def test_runtime_refusals():
    stack = cdk.Stack(cdk.App(), "Bad")
    repo = ecr.Repository(stack, "Repo")
    with pytest.raises(ValueError, match="allow_public_network=True is the explicit opt-out"):
        AgentCoreRuntime(stack, "A", repository=repo, tag="v1", authorizer=RuntimeAuthorizer.iam())
    with pytest.raises(ValueError, match="https"):
        RuntimeAuthorizer.jwt("http://idp.example.com/.well-known/openid-configuration", allowed_clients=["x"])
    with pytest.raises(ValueError, match="allowed_clients or allowed_audience"):
        RuntimeAuthorizer.jwt(DISCOVERY)
    with pytest.raises(ValueError, match="wildcards"):
        RuntimeAuthorizer.jwt(DISCOVERY, allowed_audience=["*"])
    with pytest.raises(ValueError, match="through a guardrail"):
        AgentCoreRuntime(stack, "B", repository=repo, tag="v1", authorizer=RuntimeAuthorizer.iam(),
                         network=VpcPlacement(SUBNETS, [SECURITY_GROUP]), models=[MODEL])


# -- gateway --------------------------------------------------------------------------------------------

def test_gateway_defaults(template):
    props = one(template, "AWS::BedrockAgentCore::Gateway")
    assert props["AuthorizerType"] == "AWS_IAM"
    assert props["KmsKeyArn"]["Fn::GetAtt"][1] == "Arn"
    assert props["KmsKeyArn"]["Fn::GetAtt"][0].startswith("GatewayKey")
    assert props["PolicyEngineConfiguration"]["Mode"] == "ENFORCE"
    assert props["PolicyEngineConfiguration"]["Arn"]["Fn::GetAtt"][1] == "PolicyEngineArn"
    assert props["InterceptorConfigurations"][0]["InterceptionPoints"] == ["REQUEST", "RESPONSE"]
    assert props["WafConfiguration"] == {"FailureMode": "FAIL_CLOSE"}
    assert "ExceptionLevel" not in props
    template.has_resource_properties("AWS::BedrockAgentCore::PolicyEngine", {
        "EncryptionKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("GatewayKey"), "Arn"]}})
    template.has_resource_properties("AWS::BedrockAgentCore::Policy", {
        "Definition": {"Cedar": {"Statement": CEDAR}}, "EnforcementMode": "ACTIVE",
        "ValidationMode": "FAIL_ON_ANY_FINDINGS"})
    template.has_resource_properties("AWS::WAFv2::WebACLAssociation", {
        "WebACLArn": {"Fn::GetAtt": [Match.string_like_regexp("^GatewayDefaultWebAcl"), "Arn"]}})
    template.has_resource_properties("AWS::BedrockAgentCore::GatewayRateLimit", {
        "DimensionKeys": ["toolName"], "Entries": [{"Dimensions": {"toolName": "*"},
                                                    "Requests": [{"Period": "minute", "Rate": 600}]}]})


def test_gateway_jwt_authorizer():
    stack = cdk.Stack(cdk.App(), "Jwt")
    AgentCoreGateway(stack, "Gateway", authorizer=GatewayAuthorizer.jwt(DISCOVERY, allowed_audience=["tools"]),
                     allow_no_interceptors=True)
    assert lint_errors(Template.from_stack(stack).to_json()) == []
    # without web_acl_arn the gateway gets its own rate-limited web ACL, fail-closed (AISEC-INF-10)
    template = Template.from_stack(stack)
    [acl] = template.find_resources("AWS::WAFv2::WebACL")
    template.has_resource_properties("AWS::WAFv2::WebACL", {"Scope": "REGIONAL", "Rules": Match.array_with([
        Match.object_like({"Name": "RateLimit", "Statement": {"RateBasedStatement": {"Limit": 1000,
                                                                                     "AggregateKeyType": "IP"}}})])})
    [gateway] = template.find_resources("AWS::BedrockAgentCore::Gateway")
    template.has_resource_properties("AWS::WAFv2::WebACLAssociation", {
        "ResourceArn": {"Fn::GetAtt": [gateway, "GatewayArn"]}, "WebACLArn": {"Fn::GetAtt": [acl, "Arn"]}})
    template.has_resource_properties("AWS::BedrockAgentCore::Gateway", {"WafConfiguration": {"FailureMode": "FAIL_CLOSE"}})
    assert not [f for f in own_findings(stack, ["Gateway"], Phase.ENHANCED) if f.startswith("AISEC-INF-10")]
    Template.from_stack(stack).has_resource_properties("AWS::BedrockAgentCore::Gateway", {
        "AuthorizerType": "CUSTOM_JWT", "AuthorizerConfiguration": {"CustomJWTAuthorizer": {
            "DiscoveryUrl": DISCOVERY, "AllowedAudience": ["tools"]}}})


def test_gateway_refusals():
    stack = cdk.Stack(cdk.App(), "Bad")
    with pytest.raises(ValueError, match="allow_no_authorizer=True"):
        AgentCoreGateway(stack, "A", authorizer=GatewayAuthorizer.none(), allow_no_interceptors=True)
    with pytest.raises(ValueError, match="allow_no_interceptors=True"):
        AgentCoreGateway(stack, "B", authorizer=GatewayAuthorizer.iam())
    given = cdk.Stack(cdk.App(), "GivenAcl")
    AgentCoreGateway(given, "Gateway", authorizer=GatewayAuthorizer.iam(), allow_no_interceptors=True, web_acl_arn=WEB_ACL)
    assert Template.from_stack(given).find_resources("AWS::WAFv2::WebACL") == {}
    Template.from_stack(given).has_resource_properties("AWS::WAFv2::WebACLAssociation", {"WebACLArn": WEB_ACL})
    with pytest.raises(ValueError, match="not both"):
        AgentCoreGateway(stack, "C", authorizer=GatewayAuthorizer.iam(), allow_no_interceptors=True,
                         web_acl_arn=WEB_ACL, allow_no_web_acl=True)


def test_gateway_opt_outs_are_recorded_and_reported():
    stack = cdk.Stack(pack_app(), "WeakGateway")
    AgentCoreGateway(stack, "Gateway", authorizer=GatewayAuthorizer.none(), allow_no_authorizer=True,
                     allow_no_interceptors=True, policy_engine_log_only=True, debug_exceptions=True,
                     allow_no_web_acl=True)
    template = Template.from_stack(stack)
    assert template.find_resources("AWS::WAFv2::WebACL") == {} and "WafConfiguration" not in one(
        template, "AWS::BedrockAgentCore::Gateway")
    template.has_resource_properties("AWS::BedrockAgentCore::Gateway", {
        "AuthorizerType": "NONE", "ExceptionLevel": "DEBUG", "InterceptorConfigurations": Match.absent(),
        "PolicyEngineConfiguration": {"Arn": Match.any_value(), "Mode": "LOG_ONLY"}})
    annotations = Annotations.from_stack(stack)
    for flag in ("allow_no_authorizer", "allow_no_interceptors", "policy_engine_log_only", "debug_exceptions",
                 "allow_no_web_acl"):
        annotations.has_warning("/WeakGateway/Gateway", Match.string_like_regexp(f"{flag}=True"))
    assert lint_errors(template.to_json()) == []
    found = own_findings(stack, ["Gateway"])
    for expected in ("AISEC-APP-14[AuthorizerType]", "AISEC-APP-15[PolicyEngine]", "AISEC-APP-16[ExceptionLevel]",
                     "AISEC-APP-16[Interceptors]", "AISEC-INF-10[AgentCoreGateway]"):
        assert any(f.startswith(expected + " @ Gateway") for f in found), (expected, found)
    assert not [f for f in own_findings(stack, ["Gateway"], Phase.ENHANCED) if f.startswith("AISEC-APP-15")]


# -- targets --------------------------------------------------------------------------------------------

def test_targets_use_credential_providers(template):
    targets = [t["Properties"] for t in template.find_resources("AWS::BedrockAgentCore::GatewayTarget").values()]
    kinds = sorted(t["CredentialProviderConfigurations"][0]["CredentialProviderType"] for t in targets)
    assert kinds == ["GATEWAY_IAM_ROLE", "OAUTH"]
    mcp = next(t for t in targets if "McpServer" in t["TargetConfiguration"]["Mcp"])
    assert mcp["TargetConfiguration"]["Mcp"]["McpServer"]["Endpoint"] == "https://crm.example.com/mcp"
    assert mcp["CredentialProviderConfigurations"][0]["CredentialProvider"] == {
        "OauthCredentialProvider": {"ProviderArn": OAUTH, "Scopes": ["crm.read"]}}
    lam = next(t for t in targets if "Lambda" in t["TargetConfiguration"]["Mcp"])
    assert lam["TargetConfiguration"]["Mcp"]["Lambda"]["ToolSchema"]["InlinePayload"][0]["InputSchema"] == {
        "Type": "object", "Required": ["orderId"], "Properties": {"orderId": {"Type": "string"}}}


def test_target_refusals():
    stack = cdk.Stack(cdk.App(), "Bad")
    gateway = AgentCoreGateway(stack, "Gateway", authorizer=GatewayAuthorizer.iam(), allow_no_interceptors=True)
    with pytest.raises(ValueError, match="https"):
        AgentCoreGatewayTarget(stack, "A", gateway=gateway, mcp_endpoint="http://x", oauth_provider_arn=OAUTH, scopes=["s"])
    with pytest.raises(ValueError, match="oauth_provider_arn"):
        AgentCoreGatewayTarget(stack, "B", gateway=gateway, mcp_endpoint="https://x")
    with pytest.raises(ValueError, match="exactly one"):
        AgentCoreGatewayTarget(stack, "C", gateway=gateway)


# -- memory, tools, evaluation --------------------------------------------------------------------------

def test_memory_is_encrypted_and_expires(template):
    props = one(template, "AWS::BedrockAgentCore::Memory")
    assert props["EventExpiryDuration"] == 30
    assert props["EncryptionKeyArn"]["Fn::GetAtt"][0].startswith("MemoryKey")
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": Match.array_with(["bedrock-agentcore:CreateEvent"]),
                           "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^Memory[0-9A-F]{8}$"), "MemoryArn"]}})])}})


def test_memory_retention_limits():
    stack = cdk.Stack(pack_app(), "Retention")
    with pytest.raises(ValueError, match="long_retention=True"):
        AgentCoreMemory(stack, "Refused", event_expiry_days=90)
    AgentCoreMemory(stack, "Memory", event_expiry_days=90, long_retention=True)
    Annotations.from_stack(stack).has_warning("/Retention/Memory", Match.string_like_regexp("long_retention=True"))
    assert lint_errors(Template.from_stack(stack).to_json()) == []
    assert "AISEC-DATA-20[EventExpiryDuration] @ Memory" in " ".join(own_findings(stack, ["Memory"]))


def test_code_interpreter_and_browser_are_in_the_vpc(template):
    interpreter = one(template, "AWS::BedrockAgentCore::CodeInterpreterCustom")
    assert interpreter["NetworkConfiguration"] == {"NetworkMode": "VPC", "VpcConfig": {
        "Subnets": SUBNETS, "SecurityGroups": [SECURITY_GROUP]}}
    browser = one(template, "AWS::BedrockAgentCore::BrowserCustom")
    assert browser["NetworkConfiguration"]["NetworkMode"] == "VPC"
    assert browser["RecordingConfig"]["Enabled"] is True
    assert browser["RecordingConfig"]["S3Location"]["Prefix"] == "browser-sessions/"
    assert browser["RecordingConfig"]["S3Location"]["Bucket"]["Ref"].startswith("BrowserRecordings")


def test_tool_opt_outs_are_recorded_and_reported():
    stack = cdk.Stack(pack_app(), "WeakTools")
    AgentCoreCodeInterpreter(stack, "Sandbox", allow_sandbox_network=True)
    AgentCoreCodeInterpreter(stack, "Public", allow_public_network=True)
    AgentCoreBrowser(stack, "Browser", allow_public_network=True, no_session_recording=True)
    template = Template.from_stack(stack)
    modes = sorted(p["Properties"]["NetworkConfiguration"]["NetworkMode"]
                   for p in template.find_resources("AWS::BedrockAgentCore::CodeInterpreterCustom").values())
    assert modes == ["PUBLIC", "SANDBOX"]
    template.has_resource_properties("AWS::BedrockAgentCore::BrowserCustom", {
        "NetworkConfiguration": {"NetworkMode": "PUBLIC"}, "RecordingConfig": Match.absent()})
    annotations = Annotations.from_stack(stack)
    annotations.has_warning("/WeakTools/Sandbox", Match.string_like_regexp("allow_sandbox_network=True"))
    annotations.has_warning("/WeakTools/Public", Match.string_like_regexp("allow_public_network=True"))
    annotations.has_warning("/WeakTools/Browser", Match.string_like_regexp("no_session_recording=True"))
    assert lint_errors(template.to_json()) == []
    found = " ".join(own_findings(stack, ["Sandbox", "Public", "Browser"]))
    for rule in ("AISEC-INF-06 @ Sandbox", "AISEC-INF-06 @ Public", "AISEC-INF-07 @ Browser", "AISEC-APP-22[Enabled] @ Browser"):
        assert rule in found, (rule, found)


def test_online_evaluation_reads_the_runtime_traces(template):
    props = one(template, "AWS::BedrockAgentCore::OnlineEvaluationConfig")
    assert props["ExecutionStatus"] == "ENABLED"
    assert [e["EvaluatorId"] for e in props["Evaluators"]] == [
        "Builtin.Helpfulness", "Builtin.Correctness", "Builtin.Faithfulness"]
    logs = props["DataSourceConfig"]["CloudWatchLogs"]
    assert "/aws/bedrock-agentcore/runtimes/" in str(logs["LogGroupNames"]) and "AgentRuntimeId" in str(logs["LogGroupNames"])
    assert logs["ServiceNames"][0].endswith(".DEFAULT")
    assert props["Rule"] == {"SamplingConfig": {"SamplingPercentage": 10}}


def test_compliance_at_advanced(stack, template):
    found = [f for f in own_findings(stack, PREFIXES) if not f.startswith(NETWORK_CONTROLS)]
    assert found == []
    assert lint_errors(template.to_json()) == []


def test_aws_solutions_checks():
    app = pack_app(report_only=True)
    build(cdk.Stack(app, "Nag"))
    assert nag_errors(app, ignore=("/Tool", "/Repo")) == []


def test_runtime_opt_outs_are_recorded_and_reported():
    stack = cdk.Stack(pack_app(), "WeakRuntime")
    repository = ecr.Repository(stack, "Repo", image_scan_on_push=True, image_tag_mutability=ecr.TagMutability.IMMUTABLE)
    AgentCoreRuntime(stack, "Runtime", repository=repository, tag="v1", authorizer=RuntimeAuthorizer.iam(),
                     allow_public_network=True, no_permissions_boundary=True)
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::BedrockAgentCore::Runtime", {"NetworkConfiguration": {"NetworkMode": "PUBLIC"}})
    template.resource_count_is("AWS::IAM::ManagedPolicy", 0)
    annotations = Annotations.from_stack(stack)
    annotations.has_warning("/WeakRuntime/Runtime", Match.string_like_regexp("allow_public_network=True"))
    annotations.has_warning("/WeakRuntime/Runtime", Match.string_like_regexp("no_permissions_boundary=True"))
    assert lint_errors(template.to_json()) == []
    found = " ".join(own_findings(stack, ["Runtime"]))
    assert "AISEC-INF-05" in found and "AISEC-DATA-07" in found, found


def test_vpc_placement_from_a_vpc():
    from aws_cdk import aws_ec2 as ec2
    stack = cdk.Stack(cdk.App(), "Placement")
    vpc = ec2.Vpc.from_vpc_attributes(stack, "Vpc", vpc_id="vpc-0123456789abcdef0", availability_zones=["a", "b"],
                                      isolated_subnet_ids=SUBNETS)
    group = ec2.SecurityGroup.from_security_group_id(stack, "Sg", SECURITY_GROUP)
    placement = VpcPlacement.from_vpc(vpc, security_groups=[group])
    assert (list(placement.subnet_ids), list(placement.security_group_ids)) == (SUBNETS, [SECURITY_GROUP])
    one_subnet = VpcPlacement.from_vpc(vpc, security_groups=[group], subnets=[vpc.isolated_subnets[0]])
    assert list(one_subnet.subnet_ids) == SUBNETS[:1]
    with pytest.raises(ValueError, match="at least one subnet"):
        VpcPlacement([], [SECURITY_GROUP])


def test_generated_names_match_the_agentcore_pattern():
    import re

    from constructs import Construct

    from aisec_constructs.application._common import resource_name
    stack = cdk.Stack(cdk.App(), "AVeryLongStackNameForTestingPurposes")
    scope = Construct(Construct(stack, "SomeDeeplyNestedConstructWithALongName"), "9-Memory")
    name = resource_name(scope)
    assert re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_]{0,47}", name) and name.endswith(cdk.Names.unique_id(scope)[-8:])
