"""Agent: each secure default, each opt-out, compliance."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.application import (ActionGroup, ActionGroupFunction, Agent, Collaborator, DeniedTopic,
                                          FunctionParameter, Guardrail, GuardrailReference, KnowledgeBaseAssociation)
from tests.cfn_lint import lint_errors
from tests.constructs._application import AR_POLICY, nag_errors, own_findings, pack_app, probed, tool_function


INSTRUCTION = "You help customers track, create and cancel their orders, politely and briefly."
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
ALIAS_ARN = "arn:aws:bedrock:us-east-1:111111111111:agent-alias/ABCDEFGHIJ/KLMNOPQRST"


def build(stack, **props):
    guard = props.pop("guardrail", None) or probed(Guardrail(
        stack, "Guard", denied_topics=[DeniedTopic("Investment", "Advice on securities")],
        automated_reasoning_policies=[AR_POLICY]))
    tool = tool_function(stack)
    groups = props.pop("action_groups", [ActionGroup("orders", [
        ActionGroupFunction("getOrder", "Look up an order", {"orderId": FunctionParameter(description="id")}),
        ActionGroupFunction("cancelOrder", "Cancel an order", mutating=True),
        ActionGroupFunction("createOrder", "Create an order")], executor=tool)])
    return Agent(stack, "Agent", instruction=INSTRUCTION, foundation_model=MODEL, guardrail=guard,
                 action_groups=groups, **props)


@pytest.fixture(scope="module")
def defaults():
    stack = cdk.Stack(pack_app(), "Agents")
    agent = build(stack)
    agent.grant_invoke(iam.Role(stack, "Frontend", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")))
    return stack


@pytest.fixture(scope="module")
def template(defaults):
    return Template.from_stack(defaults)


def test_agent_uses_the_published_guardrail_version_and_a_cmk(template):
    template.has_resource_properties("AWS::Bedrock::Agent", {
        "GuardrailConfiguration": {
            "GuardrailIdentifier": {"Fn::GetAtt": [Match.string_like_regexp("GuardGuardrail"), "GuardrailId"]},
            "GuardrailVersion": {"Fn::GetAtt": [Match.string_like_regexp("GuardVersion"), "Version"]}},
        "CustomerEncryptionKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("AgentKey"), "Arn"]},
        "IdleSessionTTLInSeconds": 600, "MemoryConfiguration": Match.absent(), "AutoPrepare": True})


def test_mutating_functions_require_confirmation(template):
    agent = next(iter(template.find_resources("AWS::Bedrock::Agent").values()))
    group = agent["Properties"]["ActionGroups"][0]
    assert group["ActionGroupExecutor"]["Lambda"]["Fn::GetAtt"][0].startswith("Tool")
    confirm = {f["Name"]: f["RequireConfirmation"] for f in group["FunctionSchema"]["Functions"]}
    assert confirm == {"getOrder": "DISABLED", "cancelOrder": "ENABLED", "createOrder": "ENABLED"}


def test_executor_permission_is_scoped_to_this_agent(template):
    template.has_resource_properties("AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction", "Principal": "bedrock.amazonaws.com",
        "SourceAccount": {"Ref": "AWS::AccountId"},
        "SourceArn": {"Fn::GetAtt": [Match.string_like_regexp("AgentD78B"), "AgentArn"]}})


def test_role_trust_is_conditioned_and_bounded(template):
    template.has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Statement": [{
            "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                          "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", Match.array_with([":agent/*"])]}}}}]},
        "PermissionsBoundary": {"Ref": Match.string_like_regexp("AgentBoundary")}})


def test_role_may_invoke_only_its_model_and_apply_its_guardrail(template):
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        {"Sid": "InvokeModel", "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], "Effect": "Allow",
         "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":bedrock:", {"Ref": "AWS::Region"},
                                        f"::foundation-model/{MODEL}"]]}},
        {"Sid": "ApplyGuardrail", "Action": "bedrock:ApplyGuardrail", "Effect": "Allow",
         "Resource": {"Fn::GetAtt": [Match.string_like_regexp("GuardGuardrail"), "GuardrailArn"]}},
        {"Sid": "UseKeys", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Effect": "Allow",
         "Resource": [{"Fn::GetAtt": [Match.string_like_regexp("AgentKey"), "Arn"]},
                      {"Fn::GetAtt": [Match.string_like_regexp("GuardKey"), "Arn"]}]}])}})
    boundary = next(iter(template.find_resources("AWS::IAM::ManagedPolicy").values()))
    assert [s["Sid"] for s in boundary["Properties"]["PolicyDocument"]["Statement"]] == [
        "InvokeModel", "ApplyGuardrail", "UseKeys"]


def test_production_alias_has_no_draft_routing(template):
    template.has_resource_properties("AWS::Bedrock::AgentAlias", {
        "AgentAliasName": "production", "RoutingConfiguration": Match.absent(),
        "AgentId": {"Fn::GetAtt": [Match.string_like_regexp("AgentD78B"), "AgentId"]},
        "Description": Match.string_like_regexp("configuration [0-9a-f]{16}")})
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [
        {"Action": "bedrock:InvokeAgent", "Effect": "Allow",
         "Resource": {"Fn::GetAtt": [Match.string_like_regexp("AgentAlias"), "AgentAliasArn"]}},
        {"Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Effect": "Allow",
         "Resource": {"Fn::GetAtt": [Match.string_like_regexp("AgentKey"), "Arn"]},
         "Condition": {"StringEquals": {"kms:EncryptionContext:aws:bedrock:arn": {
             "Fn::GetAtt": [Match.string_like_regexp("AgentD78B"), "AgentArn"]}}}}]}})


def test_inference_profile_model_collaborators_memory_and_knowledge_bases():
    stack = cdk.Stack(pack_app(), "Options")
    agent = Agent(stack, "Agent", instruction=INSTRUCTION, foundation_model="us." + MODEL,
                  guardrail=GuardrailReference("abcdefgh1234", "3"), memory_storage_days=7,
                  collaborators=[Collaborator("billing", ALIAS_ARN, "Answer billing questions")],
                  knowledge_bases=[KnowledgeBaseAssociation("KBID123456", "Product manuals")],
                  action_groups=[ActionGroup("ui", [ActionGroupFunction("payInvoice", "Pay")], return_control=True)])
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Bedrock::Agent", {
        "GuardrailConfiguration": {"GuardrailIdentifier": "abcdefgh1234", "GuardrailVersion": "3"},
        "MemoryConfiguration": {"EnabledMemoryTypes": ["SESSION_SUMMARY"], "StorageDays": 7},
        "AgentCollaboration": "SUPERVISOR",
        "AgentCollaborators": [{"AgentDescriptor": {"AliasArn": ALIAS_ARN}, "CollaboratorName": "billing",
                                "CollaborationInstruction": "Answer billing questions",
                                "RelayConversationHistory": "DISABLED"}],
        "KnowledgeBases": [{"KnowledgeBaseId": "KBID123456", "Description": "Product manuals"}],
        "ActionGroups": [Match.object_like({"ActionGroupExecutor": {"CustomControl": "RETURN_CONTROL"}})]})
    statements = [s for p in template.find_resources("AWS::IAM::Policy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    invoke = next(s for s in statements if s["Action"] == ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"])
    assert ":inference-profile/us." in str(invoke["Resource"][0]) and ":bedrock:*::foundation-model/" in str(invoke["Resource"][1])
    assert own_findings(stack, ["Agent"]) == []
    assert lint_errors(template.to_json()) == []
    assert agent.alias_arn


def test_a_guardrail_is_required_and_draft_is_refused():
    stack = cdk.Stack(cdk.App(), "Bad")
    with pytest.raises(ValueError, match="a guardrail is required"):
        Agent(stack, "A", instruction=INSTRUCTION, foundation_model=MODEL)
    with pytest.raises(ValueError, match="DRAFT"):
        Agent(stack, "B", instruction=INSTRUCTION, foundation_model=MODEL, guardrail=GuardrailReference("abc", "DRAFT"))
    with pytest.raises(ValueError, match="exactly one of executor or return_control"):
        Agent(stack, "C", instruction=INSTRUCTION, foundation_model=MODEL, guardrail=GuardrailReference("abc", "1"),
              action_groups=[ActionGroup("x", [])])
    with pytest.raises(ValueError, match="memory_storage_days"):
        Agent(stack, "D", instruction=INSTRUCTION, foundation_model=MODEL, guardrail=GuardrailReference("abc", "1"),
              memory_storage_days=90)


def test_opt_outs_are_recorded_and_reported():
    stack = cdk.Stack(pack_app(), "Weak")
    tool = tool_function(stack)
    Agent(stack, "NoGuard", instruction=INSTRUCTION, foundation_model=MODEL, allow_no_guardrail=True,
          no_permissions_boundary=True,
          action_groups=[ActionGroup("ops", [ActionGroupFunction("deleteAll", "Delete", mutating=False)], executor=tool)],
          collaborators=[Collaborator("helper", ALIAS_ARN, "Help", relay_conversation_history=True)])
    Agent(stack, "Draft", instruction=INSTRUCTION, foundation_model=MODEL,
          guardrail=GuardrailReference("abc", "DRAFT"), allow_draft_guardrail=True)
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Bedrock::Agent", {"GuardrailConfiguration": Match.absent(),
                                                              "AgentCollaborators": [Match.object_like(
                                                                  {"RelayConversationHistory": "TO_COLLABORATOR"})]})
    annotations = Annotations.from_stack(stack)
    for flag in ("allow_no_guardrail", "no_permissions_boundary", "mutating_false_deleteAll", "relay_conversation_history"):
        annotations.has_warning("/Weak/NoGuard", Match.string_like_regexp(f"{flag}=True"))
    annotations.has_warning("/Weak/Draft", Match.string_like_regexp("allow_draft_guardrail=True"))
    assert lint_errors(template.to_json()) == []
    found = own_findings(stack, ["NoGuard", "Draft"])
    for rule in ("AISEC-APP-04 @ NoGuard", "AISEC-APP-11[Function::ops/deleteAll] @ NoGuard",
                 "AISEC-APP-12[Collaborator::helper] @ NoGuard", "AISEC-DATA-07 @ NoGuard", "AISEC-APP-05 @ Draft"):
        assert any(f.startswith(rule) for f in found), (rule, found)


def test_compliance_at_advanced(defaults, template):
    assert own_findings(defaults, ["Agent", "Guard", "Frontend"]) == []
    assert lint_errors(template.to_json()) == []


def test_aws_solutions_checks():
    app = pack_app(report_only=True)
    build(cdk.Stack(app, "Nag"))
    assert nag_errors(app) == []


def test_later_grants_to_the_role_reach_the_boundary():
    stack = cdk.Stack(cdk.App(), "Grants")
    agent = Agent(stack, "Agent", instruction=INSTRUCTION, foundation_model=MODEL,
                  guardrail=GuardrailReference("abcdefgh1234", "3"))
    agent.role.add_to_principal_policy(iam.PolicyStatement(
        actions=["bedrock:Retrieve"], resources=["arn:aws:bedrock:us-east-1:111111111111:knowledge-base/KBID123456"]))
    template = Template.from_stack(stack)
    boundary = next(iter(template.find_resources("AWS::IAM::ManagedPolicy").values()))["Properties"]["PolicyDocument"]
    policy = next(iter(template.find_resources("AWS::IAM::Policy").values()))["Properties"]["PolicyDocument"]
    assert boundary == policy and any(s["Action"] == "bedrock:Retrieve" for s in boundary["Statement"])


def test_model_resources_for_ids_profiles_and_arns():
    stack = cdk.Stack(cdk.App(), "Models")
    assert Agent._model_arns(stack, "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc") == [
        "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc"]
    resolved = [stack.resolve(a) for a in Agent._model_arns(stack, "eu." + MODEL)]
    assert ":inference-profile/eu." + MODEL in resolved[0]["Fn::Join"][1][-1]
    assert resolved[1]["Fn::Join"][1][-1] == f":bedrock:*::foundation-model/{MODEL}"
