from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from tests.rules.helpers import findings, messages, template

RULE = "AISEC-APP-01"
CATEGORIES = ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT")


def filters():
    """What CDK synthesizes for a CfnGuardrail with every filter on (JSON booleans, explicit actions)."""
    result = [{"Type": t, "InputStrength": "HIGH", "OutputStrength": "MEDIUM", "InputEnabled": True,
               "OutputEnabled": True, "InputAction": "BLOCK", "OutputAction": "BLOCK",
               "InputModalities": ["TEXT"], "OutputModalities": ["TEXT", "IMAGE"]} for t in CATEGORIES]
    result.append({"Type": "PROMPT_ATTACK", "InputStrength": "HIGH", "OutputStrength": "NONE"})
    return result


def guardrail(filters_config=None, content=None, name="Guardrail"):
    props = {"Name": "app-guardrail", "BlockedInputMessaging": "Sorry, I cannot help with that.",
             "BlockedOutputsMessaging": "Sorry, I cannot answer that."}
    if content is not None:
        props["ContentPolicyConfig"] = content
    elif filters_config is not None:
        props["ContentPolicyConfig"] = {"FiltersConfig": filters_config,
                                        "ContentFiltersTierConfig": {"TierName": "STANDARD"}}
    return {name: {"Type": "AWS::Bedrock::Guardrail", "Properties": props}}


def with_filter(category, **changes):
    result = filters()
    for item in result:
        if item["Type"] == category:
            item.update(changes)
    return result


def without(category):
    return [f for f in filters() if f["Type"] != category]


AGENT = {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {
    "AgentName": "helper", "FoundationModel": "anthropic.claude-3-haiku-20240307-v1:0",
    "AgentResourceRoleArn": {"Fn::GetAtt": ["AgentRole", "Arn"]}}}}


def test_complete_guardrail_passes():
    assert findings(RULE, guardrail(filters())) == []


def test_strings_for_booleans_pass():
    assert findings(RULE, guardrail(with_filter("HATE", InputEnabled="true", OutputEnabled="True"))) == []


def test_no_guardrail_is_one_workload_finding_on_the_ai_resource():
    assert findings(RULE, AGENT) == [(RULE, "Agent")]
    text = messages(RULE, AGENT)[0]
    assert "no AWS::Bedrock::Guardrail" in text
    assert "outside this app" in text and "acknowledge this finding" in text


def test_workload_finding_can_be_acknowledged_with_a_reason():
    data = template(AGENT, Metadata={"cdk_nag": {"rules_to_suppress": [
        {"id": RULE, "reason": "Guardrail gr-123 lives in the SharedGuardrails stack"}]}})
    [finding] = evaluate(data, phase=Phase.FOUNDATIONAL, capabilities=set(Capability), rules=[BY_ID[RULE]])
    assert finding.acknowledged and "SharedGuardrails" in finding.reason


def test_each_weak_category_is_its_own_finding():
    config = filters()
    for item in config:
        if item["Type"] == "HATE":
            item["InputStrength"] = "LOW"
        if item["Type"] == "INSULTS":
            item["OutputStrength"] = "NONE"
        if item["Type"] == "SEXUAL":
            item["InputEnabled"] = False
        if item["Type"] == "VIOLENCE":
            item["OutputAction"] = "NONE"
    config = [f for f in config if f["Type"] != "MISCONDUCT"]
    assert findings(RULE, guardrail(config)) == [
        (f"{RULE}[HATE]", "Guardrail"), (f"{RULE}[INSULTS]", "Guardrail"), (f"{RULE}[MISCONDUCT]", "Guardrail"),
        (f"{RULE}[SEXUAL]", "Guardrail"), (f"{RULE}[VIOLENCE]", "Guardrail")]


def test_message_lists_every_problem_of_the_category():
    [text] = messages(RULE, guardrail(with_filter("HATE", InputStrength="LOW", InputAction="NONE",
                                                  OutputEnabled=False)))
    assert "ContentPolicyConfig.FiltersConfig[HATE].InputStrength is LOW (must be MEDIUM or HIGH)" in text
    assert "FiltersConfig[HATE].InputAction is NONE" in text
    assert "FiltersConfig[HATE].OutputEnabled is false" in text


def test_missing_strength_and_string_false_fail():
    config = with_filter("VIOLENCE", OutputEnabled="false")
    del config[0]["OutputStrength"]  # HATE
    assert findings(RULE, guardrail(config)) == [(f"{RULE}[HATE]", "Guardrail"), (f"{RULE}[VIOLENCE]", "Guardrail")]


def test_image_only_modality_does_not_filter_text():
    resources = guardrail(with_filter("SEXUAL", InputModalities=["IMAGE"]))
    assert findings(RULE, resources) == [(f"{RULE}[SEXUAL]", "Guardrail")]
    assert "text prompts are not filtered" in messages(RULE, resources)[0]


def test_guardrail_without_content_policy_fails_every_category():
    assert findings(RULE, guardrail()) == sorted((f"{RULE}[{c}]", "Guardrail") for c in CATEGORIES)
    assert "ContentPolicyConfig is not set" in messages(RULE, guardrail())[0]


def test_only_the_weak_guardrail_is_reported():
    resources = {**guardrail(filters(), name="Good"), **guardrail(without("HATE"), name="Weak")}
    assert findings(RULE, resources) == [(f"{RULE}[HATE]", "Weak")]


def test_parameter_default_is_judged_and_named():
    params = {"Parameters": {"Strength": {"Type": "String", "AllowedValues": ["LOW", "MEDIUM", "HIGH"],
                                          "Default": "LOW"}}}
    resources = guardrail(with_filter("INSULTS", OutputStrength={"Ref": "Strength"}))
    assert findings(RULE, resources, **params) == [(f"{RULE}[INSULTS]", "Guardrail")]
    assert "from the default of parameter Strength" in messages(RULE, resources, **params)[0]
    params["Parameters"]["Strength"]["Default"] = "HIGH"
    assert findings(RULE, resources, **params) == []


def test_parameter_without_default_cannot_be_verified():
    params = {"Parameters": {"Strength": {"Type": "String"}}}
    resources = guardrail(with_filter("HATE", InputStrength={"Ref": "Strength"}))
    assert findings(RULE, resources, **params) == [(f"{RULE}[HATE]", "Guardrail")]
    assert "cannot be verified" in messages(RULE, resources, **params)[0]


def test_each_fn_if_branch_is_judged():
    resources = guardrail(with_filter("MISCONDUCT", InputStrength={"Fn::If": ["IsProd", "HIGH", "LOW"]}))
    assert findings(RULE, resources) == [(f"{RULE}[MISCONDUCT]", "Guardrail")]
    assert "IsProd is false" in messages(RULE, resources)[0]


def test_filter_present_only_in_one_branch_fails():
    config = without("VIOLENCE")
    config.append({"Fn::If": ["IsProd", {"Type": "VIOLENCE", "InputStrength": "HIGH", "OutputStrength": "HIGH"},
                              {"Ref": "AWS::NoValue"}]})
    assert findings(RULE, guardrail(config)) == [(f"{RULE}[VIOLENCE]", "Guardrail")]
    assert "conditional" in messages(RULE, guardrail(config))[0]


def test_whole_policy_under_fn_if_is_judged_per_branch():
    content = {"Fn::If": ["IsProd", {"FiltersConfig": filters()}, {"Ref": "AWS::NoValue"}]}
    assert findings(RULE, guardrail(content=content)) == sorted((f"{RULE}[{c}]", "Guardrail") for c in CATEGORIES)
    assert "IsProd is false" in messages(RULE, guardrail(content=content))[0]


def test_filter_type_that_cannot_be_resolved():
    config = without("HATE") + [{"Type": {"Ref": "FilterType"}, "InputStrength": "HIGH", "OutputStrength": "HIGH"}]
    params = {"Parameters": {"FilterType": {"Type": "String"}}}
    assert findings(RULE, guardrail(config), **params) == [(f"{RULE}[HATE]", "Guardrail")]
    assert "Type cannot be verified" in messages(RULE, guardrail(config), **params)[0]


def test_odd_shapes_do_not_crash():
    for content in ("strict", ["FiltersConfig"], {"FiltersConfig": "HATE"}, {"FiltersConfig": ["HATE", 3, None]},
                    {"FiltersConfig": [{"Type": "HATE", "InputStrength": ["HIGH"], "OutputStrength": 7,
                                        "InputModalities": "TEXT"}]}):
        result = findings(RULE, guardrail(content=content))
        assert result == sorted((f"{RULE}[{c}]", "Guardrail") for c in CATEGORIES), content


def test_applies_from_foundational_to_every_ai_system():
    weak = guardrail(without("HATE"))
    assert findings(RULE, weak, Phase.FOUNDATIONAL, capabilities={Capability.ANSWERS}) == [
        (f"{RULE}[HATE]", "Guardrail")]

