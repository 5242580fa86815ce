"""ManagedPrompt: each secure default, the opt-out, compliance."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.application import ManagedPrompt
from aisec_rules.model import Phase
from tests.cfn_lint import lint_errors
from tests.constructs._application import nag_errors, own_findings, pack_app
from tests.constructs.compliance import stack_findings

MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
TEXT = "You are the support assistant for {{product}}. Answer in two sentences at most."


def build(stack, **props):
    prompt = ManagedPrompt(stack, "Prompt", text=props.pop("text", TEXT), model_id=MODEL,
                           input_variables=props.pop("input_variables", ["product"]), **props)
    prompt.grant_get(iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")))
    return prompt


@pytest.fixture(scope="module")
def template():
    stack = cdk.Stack(pack_app(), "Prompts")
    build(stack, max_tokens=512, temperature=0.2)
    return Template.from_stack(stack)


def test_prompt_is_encrypted_with_a_cmk(template):
    template.has_resource_properties("AWS::Bedrock::Prompt", {
        "CustomerEncryptionKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("PromptKey"), "Arn"]},
        "DefaultVariant": "default",
        "Variants": [{"Name": "default", "TemplateType": "TEXT", "ModelId": MODEL,
                      "InferenceConfiguration": {"Text": {"MaxTokens": 512, "Temperature": 0.2}},
                      "TemplateConfiguration": {"Text": {"Text": TEXT, "InputVariables": [{"Name": "product"}]}}}]})
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_prompt_is_published_and_consumers_get_the_version(template):
    template.has_resource_properties("AWS::Bedrock::PromptVersion", {
        "PromptArn": {"Fn::GetAtt": [Match.string_like_regexp("^Prompt[0-9A-F]{8}$"), "Arn"]},
        "Description": Match.string_like_regexp("^aisec prompt [0-9a-f]{16}$")})
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [
        {"Action": "bedrock:GetPrompt", "Effect": "Allow",
         "Resource": {"Fn::GetAtt": [Match.string_like_regexp("PromptVersion"), "Arn"]}},
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": {"Fn::GetAtt": [Match.string_like_regexp("PromptKey"), "Arn"]}}]}})


def test_a_text_change_publishes_a_new_version():
    def description(text):
        stack = cdk.Stack(cdk.App(), "V")
        ManagedPrompt(stack, "Prompt", text=text, model_id=MODEL)
        return next(iter(Template.from_stack(stack).find_resources("AWS::Bedrock::PromptVersion").values()))[
            "Properties"]["Description"]
    assert description("Be brief.") == description("Be brief.") != description("Be very brief.")


def test_unused_variables_are_refused():
    with pytest.raises(ValueError, match="not used in the text: region"):
        ManagedPrompt(cdk.Stack(cdk.App(), "Bad"), "Prompt", text=TEXT, model_id=MODEL, input_variables=["region"])


def test_aws_owned_key_opt_out_is_recorded_and_reported():
    stack = cdk.Stack(pack_app(), "Weak")
    ManagedPrompt(stack, "Prompt", text="Be brief.", model_id=MODEL, use_aws_owned_key=True)
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Bedrock::Prompt", {"CustomerEncryptionKeyArn": Match.absent()})
    Annotations.from_stack(stack).has_warning("/Weak/Prompt", Match.string_like_regexp("use_aws_owned_key=True"))
    assert lint_errors(template.to_json()) == []
    assert any(f.startswith("AISEC-DATA-13") for f in stack_findings(stack, Phase.ENHANCED))


def test_compliance_cfn_lint_and_aws_solutions(template):
    stack = cdk.Stack(pack_app(), "Compliance")
    build(stack)
    assert stack_findings(stack, Phase.ADVANCED) == []
    assert own_findings(stack, ["Prompt", "Reader"]) == []
    assert lint_errors(template.to_json()) == []
    app = pack_app(report_only=True)
    build(cdk.Stack(app, "Nag"))
    assert nag_errors(app) == []
