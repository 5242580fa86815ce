"""OrganizationGuardrails: each denial of the service control policy, the Bedrock policy, the AI services opt-out
policy, the opt-outs, the prop checks, and compliance: the management stack satisfies AISEC-APP-33 and
AISEC-APP-09 in a member account's environment of the same system."""
import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.organization import OrganizationGuardrails
from aisec_rules.engine import evaluate_system
from aisec_rules.model import Capability, Phase
from aisec_rules.read.stack import Stack
from aisec_rules.read.template import Template as AisecTemplate
from aisec_rules.registry import BY_ID
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_stack, stack_findings

MANAGEMENT = cdk.Environment(account="111111111111", region="us-east-1")
GUARDRAIL = "arn:aws:bedrock:eu-west-1:111111111111:guardrail/abc123"
PIPELINE = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"
TARGETS = ["ou-abcd-12345678", "222222222222"]
EXEMPT = {"ArnNotLike": {"aws:PrincipalArn": [PIPELINE]}}


def build(stack, **extra):
    props = dict(target_ids=TARGETS, guardrail_arn=GUARDRAIL, guardrail_version="3", pipeline_role_arns=[PIPELINE])
    props.update(extra)
    return OrganizationGuardrails(stack, "Org", **props)


@pytest.fixture(scope="module")
def defaults():
    app = cdk.App()
    stack = cdk.Stack(app, "OrganizationBaseline", env=MANAGEMENT)
    build(stack)
    return stack


@pytest.fixture(scope="module")
def template(defaults):
    return Template.from_stack(defaults)


def content(template, kind):
    [policy] = [p for p in template.find_resources("AWS::Organizations::Policy").values()
                if p["Properties"]["Type"] == kind]
    assert policy["Properties"]["TargetIds"] == TARGETS
    return policy["Properties"]["Content"]


def statement(template, sid):
    [found] = [s for s in content(template, "SERVICE_CONTROL_POLICY")["Statement"] if s["Sid"] == sid]
    return found


def test_scp_denies_guardrail_changes_except_to_pipeline_roles(template):
    assert statement(template, "DenyGuardrailChanges") == {
        "Sid": "DenyGuardrailChanges", "Effect": "Deny", "Resource": "*", "Condition": EXEMPT,
        "Action": ["bedrock:DeleteGuardrail", "bedrock:UpdateGuardrail", "bedrock:PutEnforcedGuardrailConfiguration",
                   "bedrock:DeleteEnforcedGuardrailConfiguration"]}


def test_scp_denies_invocation_logging_changes_except_to_pipeline_roles(template):
    assert statement(template, "DenyInvocationLoggingChanges") == {
        "Sid": "DenyInvocationLoggingChanges", "Effect": "Deny", "Resource": "*", "Condition": EXEMPT,
        "Action": ["bedrock:PutModelInvocationLoggingConfiguration", "bedrock:DeleteModelInvocationLoggingConfiguration"]}


def test_scp_denies_stopping_deleting_and_repointing_trails(template):
    assert statement(template, "DenyTrailChanges") == {
        "Sid": "DenyTrailChanges", "Effect": "Deny", "Resource": "*", "Condition": EXEMPT,
        "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
                   "cloudtrail:PutEventSelectors"]}


def test_scp_denies_agentcore_outside_a_vpc_to_everyone(template):
    assert statement(template, "DenyAgentCoreOutsideVpc") == {
        "Sid": "DenyAgentCoreOutsideVpc", "Effect": "Deny", "Resource": "*",
        "Condition": {"Null": {"bedrock-agentcore:subnets": "true"}},
        "Action": ["bedrock-agentcore:CreateAgentRuntime", "bedrock-agentcore:UpdateAgentRuntime",
                   "bedrock-agentcore:CreateCodeInterpreter", "bedrock-agentcore:CreateBrowser"]}
    assert content(template, "SERVICE_CONTROL_POLICY")["Version"] == "2012-10-17"


def test_bedrock_policy_enforces_the_pinned_guardrail_on_every_message_and_model(template):
    assert content(template, "BEDROCK_POLICY") == {"bedrock": {"guardrail_inference": {"eu-west-1": {"config_1": {
        "identifier": {"@@assign": GUARDRAIL + ":3"},
        "selective_content_guarding": {"messages": {"@@assign": "comprehensive"}},
        "model_enforcement": {"included_models": {"@@assign": ["ALL"]}}}}}}}


def test_ai_services_opt_out_locks_every_service_out(template):
    assert content(template, "AISERVICES_OPT_OUT_POLICY") == {"services": {"default": {"opt_out_policy": {
        "@@operators_allowed_for_child_policies": ["@@none"], "@@assign": "optOut"}}}}


def test_without_pipeline_roles_nobody_is_exempt():
    stack = cdk.Stack(cdk.App(), "Strict", env=MANAGEMENT)
    build(stack, pipeline_role_arns=[])
    assert all("Condition" not in s for s in content(Template.from_stack(stack), "SERVICE_CONTROL_POLICY")["Statement"]
               if s["Sid"] != "DenyAgentCoreOutsideVpc")


def test_allow_agentcore_outside_vpc_drops_the_statement_and_is_recorded():
    stack = cdk.Stack(cdk.App(), "Public", env=MANAGEMENT)
    build(stack, allow_agentcore_outside_vpc=True)
    template = Template.from_stack(stack)
    assert [s["Sid"] for s in content(template, "SERVICE_CONTROL_POLICY")["Statement"]] == [
        "DenyGuardrailChanges", "DenyInvocationLoggingChanges", "DenyTrailChanges"]
    Annotations.from_stack(stack).has_warning("/Public/Org", Match.string_like_regexp("allow_agentcore_outside_vpc=True"))
    assert member_findings(stack) == ["AISEC-APP-33[BrowserOutsideVpc]", "AISEC-APP-33[CodeInterpreterOutsideVpc]",
                                      "AISEC-APP-33[RuntimeOutsideVpc]"]


def test_opt_in_services_are_opted_in_and_recorded():
    stack = cdk.Stack(cdk.App(), "OptIn", env=MANAGEMENT)
    build(stack, opt_in_services=["rekognition"])
    services = content(Template.from_stack(stack), "AISERVICES_OPT_OUT_POLICY")["services"]
    assert services["rekognition"] == {"opt_out_policy": {"@@assign": "optIn"}}
    Annotations.from_stack(stack).has_warning("/OptIn/Org", Match.string_like_regexp("opt_in_services=\\['rekognition'\\]"))
    assert member_findings(stack) == ["AISEC-APP-33[AiServicesOptOut]"]


def test_a_token_guardrail_arn_needs_its_region():
    arn = cdk.Fn.import_value("GuardrailArn")
    with pytest.raises(ValueError, match="give guardrail_region"):
        build(cdk.Stack(cdk.App(), "NoRegion", env=MANAGEMENT), guardrail_arn=arn)
    stack = cdk.Stack(cdk.App(), "Token", env=MANAGEMENT)
    build(stack, guardrail_arn=arn, guardrail_region="eu-central-1")
    bedrock = content(Template.from_stack(stack), "BEDROCK_POLICY")["bedrock"]["guardrail_inference"]
    assert bedrock["eu-central-1"]["config_1"]["identifier"] == {"@@assign": {"Fn::Join": ["", [
        {"Fn::ImportValue": "GuardrailArn"}, ":3"]]}}
    assert lint_errors(Template.from_stack(stack).to_json()) == []


@pytest.mark.parametrize("extra,error", [
    ({"target_ids": []}, "give the roots, OUs or accounts"),
    ({"target_ids": ["ou-bad"]}, "is not a root"),
    ({"guardrail_version": "DRAFT"}, "DRAFT cannot be enforced"),
    ({"guardrail_arn": "arn:aws:bedrock:eu-west-1:333333333333:guardrail/abc123"}, "not to the management account"),
    ({"guardrail_arn": "guardrail-abc"}, "is not a guardrail ARN"),
    ({"guardrail_region": "us-west-2"}, "differs from the guardrail's Region"),
    ({"pipeline_role_arns": ["arn:aws:iam::*:role/*"]}, "must name a role"),
])
def test_props_are_checked(extra, error):
    with pytest.raises(ValueError, match=error):
        build(cdk.Stack(cdk.App(), "Bad", env=MANAGEMENT), **extra)


def member_findings(management: cdk.Stack):
    """APP-33 and APP-09 findings of an AI workload in member account 222222222222, judged with the
    management stack as another environment of the same system."""
    org = Stack(AisecTemplate(Template.from_stack(management).to_json(), "org.template.json"), "Org",
                "aws://111111111111/us-east-1")
    guardrail = {"Guard": {"Type": "AWS::Bedrock::Guardrail", "Properties": {"Name": "g"}}}
    member = Stack(AisecTemplate({"Resources": guardrail}, "work.template.json"), "Work", "aws://222222222222/eu-west-1")
    rules = [BY_ID["AISEC-APP-33"], BY_ID["AISEC-APP-09"]]
    return sorted(f.id for f in evaluate_system([org, member], Phase.ADVANCED, rules=rules) if not f.acknowledged)


def test_compliance_the_member_environment_meets_app_33_and_app_09(defaults):
    assert member_findings(defaults) == []


def test_compliance_no_finding_of_its_own_cfn_lint_and_aws_solutions():
    app, stack = report_only_stack("OrganizationBaseline", build)
    assert stack_findings(stack, Phase.ADVANCED, capabilities=set(Capability)) == []
    assert lint_errors(Template.from_stack(stack).to_json()) == []
    assert aws_solutions_errors(app) == []
