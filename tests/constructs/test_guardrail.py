"""Guardrail and EnforcedGuardrail: each secure default, each opt-out, compliance."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.application import DeniedTopic, EnforcedGuardrail, Guardrail, RegexFilter
from aisec_constructs.data import EncryptionKey
from aisec_rules.model import Capability, Phase
from tests.cfn_lint import lint_errors
from tests.constructs._application import AR_POLICY, own_findings, pack_app, probed
from tests.constructs.compliance import aws_solutions_errors, stack_findings

TOPIC = DeniedTopic("Investment", "Advice on buying or selling securities", ["Which stock should I buy?"])


@pytest.fixture(scope="module")
def defaults():
    stack = cdk.Stack(pack_app(), "Guardrails")
    guard = Guardrail(stack, "Guard")
    role = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    guard.grant_apply(role)
    return stack


@pytest.fixture(scope="module")
def template(defaults):
    return Template.from_stack(defaults)


def filters(template):
    guardrail = next(iter(template.find_resources("AWS::Bedrock::Guardrail").values()))
    return guardrail["Properties"]


def test_harmful_content_filters_are_high_both_ways(template):
    props = filters(template)
    by_type = {f["Type"]: f for f in props["ContentPolicyConfig"]["FiltersConfig"]}
    for category in ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT"):
        assert by_type[category] == {"Type": category, "InputStrength": "HIGH", "OutputStrength": "HIGH",
                                     "InputAction": "BLOCK", "OutputAction": "BLOCK", "InputEnabled": True,
                                     "OutputEnabled": True}
    assert by_type["PROMPT_ATTACK"] == {"Type": "PROMPT_ATTACK", "InputStrength": "HIGH", "OutputStrength": "NONE",
                                        "InputAction": "BLOCK", "InputEnabled": True}


def test_standard_tier_with_region_profile(template):
    props = filters(template)
    assert props["ContentPolicyConfig"]["ContentFiltersTierConfig"] == {"TierName": "STANDARD"}
    arn = props["CrossRegionConfig"]["GuardrailProfileArn"]["Fn::Join"][1]
    assert ":guardrail-profile/" in arn and {"Fn::FindInMap": [Match.any_value(), {"Ref": "AWS::Region"}, "profile"]} != arn[-1]
    assert arn[-1]["Fn::FindInMap"][1:] == [{"Ref": "AWS::Region"}, "profile"]
    mapping = next(iter(template.to_json()["Mappings"].values()))
    assert mapping["eu-west-1"] == {"profile": "eu.guardrail.v1:0"} and mapping["us-east-1"] == {"profile": "us.guardrail.v1:0"}


def test_concrete_region_inlines_the_profile():
    stack = cdk.Stack(cdk.App(), "Eu", env=cdk.Environment(account="111111111111", region="eu-central-1"))
    Guardrail(stack, "Guard")
    arn = filters(Template.from_stack(stack))["CrossRegionConfig"]["GuardrailProfileArn"]["Fn::Join"][1]
    assert arn[-1] == ":bedrock:eu-central-1:111111111111:guardrail-profile/eu.guardrail.v1:0"
    assert "Mappings" not in Template.from_stack(stack).to_json()
    with pytest.raises(ValueError, match="no known guardrail profile"):
        Guardrail(cdk.Stack(cdk.App(), "X", env=cdk.Environment(region="me-south-1")), "Guard")


def test_credentials_blocked_personal_data_anonymized(template):
    entities = {e["Type"]: e for e in filters(template)["SensitiveInformationPolicyConfig"]["PiiEntitiesConfig"]}
    for kind in ("AWS_ACCESS_KEY", "AWS_SECRET_KEY", "PASSWORD", "CREDIT_DEBIT_CARD_NUMBER"):
        assert entities[kind]["Action"] == entities[kind]["OutputAction"] == "BLOCK"
    for kind in ("NAME", "EMAIL", "PHONE", "ADDRESS"):
        assert entities[kind]["Action"] == entities[kind]["InputAction"] == "ANONYMIZE"


def test_required_credentials_stay_blocked_whatever_is_given():
    stack = cdk.Stack(cdk.App(), "Pii")
    Guardrail(stack, "Guard", blocked_pii=[], anonymized_pii=["PASSWORD", "EMAIL"])
    entities = filters(Template.from_stack(stack))["SensitiveInformationPolicyConfig"]["PiiEntitiesConfig"]
    assert [(e["Type"], e["Action"]) for e in entities] == [
        ("AWS_ACCESS_KEY", "BLOCK"), ("AWS_SECRET_KEY", "BLOCK"), ("PASSWORD", "BLOCK"), ("EMAIL", "ANONYMIZE")]


def test_customer_managed_key_and_profanity_list(template):
    template.has_resource_properties("AWS::Bedrock::Guardrail", {
        "KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("GuardKey"), "Arn"]},
        "WordPolicyConfig": {"ManagedWordListsConfig": [{"Type": "PROFANITY"}]}})
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_published_version_references_the_guardrail(template):
    template.has_resource_properties("AWS::Bedrock::GuardrailVersion", {
        "GuardrailIdentifier": {"Fn::GetAtt": [Match.string_like_regexp("GuardGuardrail"), "GuardrailId"]},
        "Description": Match.string_like_regexp("^aisec configuration [0-9a-f]{16}$")})


def test_a_configuration_change_publishes_a_new_version():
    def description(**props):
        stack = cdk.Stack(cdk.App(), "V")
        Guardrail(stack, "Guard", **props)
        return next(iter(Template.from_stack(stack).find_resources("AWS::Bedrock::GuardrailVersion").values()))[
            "Properties"]["Description"]
    assert description() == description()
    assert description() != description(denied_topics=[TOPIC])


def test_grant_apply_includes_the_key(template):
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [
        {"Action": "bedrock:ApplyGuardrail", "Effect": "Allow",
         "Resource": {"Fn::GetAtt": [Match.string_like_regexp("GuardGuardrail"), "GuardrailArn"]}},
        {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": {"Fn::GetAtt": [Match.string_like_regexp("GuardKey"), "Arn"]}}]}})


def test_typed_additions():
    stack = cdk.Stack(cdk.App(), "Typed")
    key = EncryptionKey(stack, "Shared", purpose="guardrails")
    probed(Guardrail(stack, "Guard", denied_topics=[TOPIC], word_filters=["confidential"], managed_profanity_filter=False,
                     regexes=[RegexFilter("Ticket", r"TICKET-\d{6}", "ANONYMIZE")], contextual_grounding=True,
                     grounding_threshold=0.8, automated_reasoning_policies=[AR_POLICY], encryption_key=key,
                     guardrail_profile_id="eu.guardrail.v1:0"))
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Bedrock::Guardrail", {
        "TopicPolicyConfig": {"TopicsConfig": [Match.object_like({"Name": "Investment", "Type": "DENY",
                                                                  "Examples": ["Which stock should I buy?"]})]},
        "WordPolicyConfig": {"WordsConfig": [{"Text": "confidential"}]},
        "SensitiveInformationPolicyConfig": Match.object_like({"RegexesConfig": [
            {"Name": "Ticket", "Pattern": r"TICKET-\d{6}", "Action": "ANONYMIZE"}]}),
        "ContextualGroundingPolicyConfig": {"FiltersConfig": [
            {"Type": "GROUNDING", "Threshold": 0.8, "Action": "BLOCK", "Enabled": True},
            {"Type": "RELEVANCE", "Threshold": 0.75, "Action": "BLOCK", "Enabled": True}]},
        "AutomatedReasoningPolicyConfig": {"Policies": [AR_POLICY]},
        "KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("SharedKey"), "Arn"]},
    })
    template.resource_count_is("AWS::KMS::Key", 3)  # the shared key, the probe's and the evidence archive's
    assert lint_errors(template.to_json()) == []
    # a RAG workload (every capability on): grounding, topics and reasoning leave nothing open
    assert own_findings(stack, ["Guard", "Shared"], Phase.ADVANCED, capabilities=set(Capability)) == []
    plain = cdk.Stack(cdk.App(), "Rag")
    Guardrail(plain, "Guard", denied_topics=[TOPIC], automated_reasoning_policies=[AR_POLICY])
    assert own_findings(plain, ["Guard"], Phase.ENHANCED, capabilities=set(Capability)) == [
        "AISEC-APP-06[GROUNDING] @ GuardGuardrailD5E8BDBB", "AISEC-APP-06[RELEVANCE] @ GuardGuardrailD5E8BDBB"]


def test_invalid_props_are_refused():
    stack = cdk.Stack(cdk.App(), "Bad")
    with pytest.raises(ValueError, match="thresholds"):
        Guardrail(stack, "A", contextual_grounding=True, grounding_threshold=0.5)
    with pytest.raises(ValueError, match="BLOCK or ANONYMIZE"):
        RegexFilter("x", "y", "NONE")
    with pytest.raises(ValueError, match="at most two"):
        Guardrail(stack, "B", automated_reasoning_policies=[AR_POLICY] * 3)


def test_opt_outs_are_recorded_and_reported():
    stack = cdk.Stack(pack_app(), "Weak")
    Guardrail(stack, "Guard", use_classic_tier=True, use_aws_owned_key=True)
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Bedrock::Guardrail", {
        "KmsKeyArn": Match.absent(), "CrossRegionConfig": Match.absent(),
        "ContentPolicyConfig": {"FiltersConfig": Match.any_value(), "ContentFiltersTierConfig": Match.absent()}})
    template.resource_count_is("AWS::KMS::Key", 0)
    annotations = Annotations.from_stack(stack)
    for flag in ("use_classic_tier", "use_aws_owned_key"):
        annotations.has_warning("/Weak/Guard", Match.string_like_regexp(f"{flag}=True"))
    assert lint_errors(template.to_json()) == []
    found = stack_findings(stack, Phase.ADVANCED)
    assert any(f.startswith("AISEC-APP-08 @ GuardGuardrail") for f in found)
    assert any(f.startswith("AISEC-DATA-13") for f in found)


def test_compliance_default_at_enhanced_and_with_reasoning_at_advanced(defaults):
    # Without a denied topic only APP-07 (Enhanced) is open; without a reasoning policy only APP-10 (Advanced).
    assert own_findings(defaults, ["Guard", "Caller"], Phase.FOUNDATIONAL) == []
    assert own_findings(defaults, ["Guard"], Phase.ENHANCED) == ["AISEC-APP-07 @ GuardGuardrailD5E8BDBB"]
    stack = cdk.Stack(pack_app(), "Full")
    probed(Guardrail(stack, "Guard", denied_topics=[TOPIC], automated_reasoning_policies=[AR_POLICY]))
    assert stack_findings(stack, Phase.ADVANCED) == []
    plain = cdk.Stack(pack_app(), "Plain")
    Guardrail(plain, "Guard", denied_topics=[TOPIC])
    assert [f.split(" @ ")[0] for f in stack_findings(plain, Phase.ADVANCED)] == ["AISEC-APP-10", "AISEC-APP-30"]


def test_enforced_guardrail_pins_the_published_version_for_all_models():
    stack = cdk.Stack(pack_app(), "Enforced")
    guard = probed(Guardrail(stack, "Guard", denied_topics=[TOPIC]))
    EnforcedGuardrail(stack, "Enforced", guardrail=guard)
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::Bedrock::EnforcedGuardrailConfiguration", {
        "GuardrailIdentifier": {"Fn::GetAtt": [Match.string_like_regexp("GuardGuardrail"), "GuardrailId"]},
        "GuardrailVersion": {"Fn::GetAtt": [Match.string_like_regexp("GuardVersion"), "Version"]},
        "ModelEnforcement": {"IncludedModels": ["ALL"], "ExcludedModels": []},
        "SelectiveContentGuarding": {"Messages": "COMPREHENSIVE", "System": "COMPREHENSIVE"}})
    # the enforced guardrail is exempt from APP-10 and satisfies the workload-level APP-09 (the probe: APP-30)
    assert stack_findings(stack, Phase.ADVANCED) == []
    assert not [f for f in stack_findings(stack, Phase.ADVANCED, include_workload=True) if f.startswith("AISEC-APP-09")]
    assert lint_errors(template.to_json()) == []


def test_enforced_guardrail_opt_outs_and_refusal():
    stack = cdk.Stack(pack_app(), "EnforcedWeak")
    guard = Guardrail(stack, "Guard", denied_topics=[TOPIC])
    EnforcedGuardrail(stack, "Enforced", guardrail=guard, excluded_models=["amazon.titan-text-lite-v1"],
                      selective_messages=True)
    annotations = Annotations.from_stack(stack)
    for flag in ("excluded_models", "selective_messages"):
        annotations.has_warning("/EnforcedWeak/Enforced", Match.string_like_regexp(f"{flag}=True"))
    assert [f for f in stack_findings(stack, Phase.ADVANCED) if f.startswith("AISEC-APP-09")] == [
        "AISEC-APP-09[Messages] @ EnforcedConfiguration49476A3F", "AISEC-APP-09[ModelEnforcement] @ EnforcedConfiguration49476A3F"]
    assert lint_errors(Template.from_stack(stack).to_json()) == []
    with pytest.raises(ValueError, match="automated reasoning"):
        EnforcedGuardrail(stack, "Bad", guardrail=Guardrail(stack, "Reasoning", automated_reasoning_policies=[AR_POLICY]))


def test_cfn_lint_and_aws_solutions(template):
    assert lint_errors(template.to_json()) == []
    app = pack_app(report_only=True)
    stack = cdk.Stack(app, "Nag")
    guard = Guardrail(stack, "Guard", denied_topics=[TOPIC])
    EnforcedGuardrail(stack, "Enforced", guardrail=guard)
    assert aws_solutions_errors(app) == []
