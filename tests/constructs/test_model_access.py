"""ModelAccess: invocation of named models only, through a guardrail; opt-out; compliance."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.data import ModelAccess
from aisec_rules.engine import evaluate
from aisec_rules.model import Phase
from aisec_rules.registry import BY_ID
from aisec_rules.read.template import Template as RuleTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
PROFILE = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
GUARDRAIL = "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123"


def arn(*parts):
    return {"Fn::Join": ["", list(parts)]}


PARTITION, REGION, ACCOUNT = {"Ref": "AWS::Partition"}, {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}


def build(stack):
    role = iam.Role(stack, "App", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    ModelAccess(stack, "Models", foundation_models=[HAIKU], inference_profiles=[PROFILE],
                guardrail_arn=GUARDRAIL, guardrail_version="3").grant_invoke(role)
    return role


@pytest.fixture(scope="module")
def stack():
    stack = cdk.Stack(cdk.App(), "Access")
    build(stack)
    return stack


@pytest.fixture(scope="module")
def template(stack):
    return Template.from_stack(stack)


def test_invocation_names_models_and_requires_the_guardrail(template):
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [
        {"Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], "Effect": "Allow",
         "Condition": {"StringEquals": {"bedrock:GuardrailIdentifier": f"{GUARDRAIL}:3"}},
         "Resource": [arn("arn:", PARTITION, ":bedrock:", REGION, f"::foundation-model/{HAIKU}"),
                      arn("arn:", PARTITION, ":bedrock:", REGION, ":", ACCOUNT, f":inference-profile/{PROFILE}"),
                      arn("arn:", PARTITION, ":bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0")]},
        {"Action": "bedrock:ApplyGuardrail", "Effect": "Allow", "Resource": GUARDRAIL}], "Version": "2012-10-17"}})


def test_no_wildcard_action_or_resource(template):
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any(a.endswith(":*") or a == "*" for a in actions)
            assert statement["Resource"] != "*"


def test_without_streaming_and_with_an_application_inference_profile():
    stack = cdk.Stack(cdk.App(), "NoStream")
    role = iam.Role(stack, "App", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    profile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"
    ModelAccess(stack, "M", application_inference_profile_arns=[profile], guardrail_arn=GUARDRAIL,
                guardrail_version="1", streaming=False).grant_invoke(role)
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        {"Action": "bedrock:InvokeModel", "Effect": "Allow", "Resource": profile,
         "Condition": {"StringEquals": {"bedrock:GuardrailIdentifier": f"{GUARDRAIL}:1"}}}])}})
    assert lint_errors(template.to_json()) == []


def test_statements_can_be_used_elsewhere():
    stack = cdk.Stack(cdk.App(), "Statements")
    access = ModelAccess(stack, "M", foundation_models=[HAIKU], guardrail_arn=GUARDRAIL, guardrail_version="1")
    assert [stack.resolve(s.to_statement_json())["Sid"] for s in access.statements()] == ["InvokeNamedModels", "ApplyGuardrail"]


def test_invalid_requests_are_refused():
    stack = cdk.Stack(cdk.App(), "Invalid")
    with pytest.raises(ValueError, match="guardrail_arn"):
        ModelAccess(stack, "A", foundation_models=[HAIKU])
    with pytest.raises(ValueError, match="not DRAFT"):
        ModelAccess(stack, "B", foundation_models=[HAIKU], guardrail_arn=GUARDRAIL, guardrail_version="DRAFT")
    with pytest.raises(ValueError, match="not a model id"):
        ModelAccess(stack, "C", foundation_models=["*"], guardrail_arn=GUARDRAIL, guardrail_version="1")
    with pytest.raises(ValueError, match="at least one model"):
        ModelAccess(stack, "D", guardrail_arn=GUARDRAIL, guardrail_version="1")


def test_opting_out_of_the_guardrail_is_recorded_and_still_reported():
    stack = cdk.Stack(cdk.App(), "NoGuardrail")
    role = iam.Role(stack, "App", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    ModelAccess(stack, "M", foundation_models=[HAIKU], allow_without_guardrail=True).grant_invoke(role)
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [
        {"Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], "Effect": "Allow",
         "Resource": arn("arn:", PARTITION, ":bedrock:", REGION, f"::foundation-model/{HAIKU}")}]}})
    Annotations.from_stack(stack).has_warning("/NoGuardrail/M", Match.string_like_regexp("allow_without_guardrail=True"))
    findings = evaluate(RuleTemplate(template.to_json()), Phase.ADVANCED, rules=[BY_ID["AISEC-DATA-08"]])
    assert [(f.id, f.resource) for f in findings] == [("AISEC-DATA-08", "AppDefaultPolicy9F9D1518")]


def test_passes_the_pack_at_advanced_and_cfn_lint(stack, template):
    assert stack_findings(stack, Phase.ADVANCED) == []
    assert lint_errors(template.to_json()) == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    build(cdk.Stack(app, "Access"))
    assert aws_solutions_errors(app) == []
