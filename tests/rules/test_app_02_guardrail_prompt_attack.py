from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-02"


def harmful():
    return [{"Type": t, "InputStrength": "MEDIUM", "OutputStrength": "MEDIUM"}
            for t in ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT")]


def prompt_attack(**changes):
    item = {"Type": "PROMPT_ATTACK", "InputStrength": "HIGH", "OutputStrength": "NONE", "InputEnabled": True,
            "InputAction": "BLOCK", "InputModalities": ["TEXT"]}
    item.update(changes)
    return item


def guardrail(filters_config=None, content=None, name="Guardrail"):
    props = {"Name": "app-guardrail", "BlockedInputMessaging": "Blocked.", "BlockedOutputsMessaging": "Blocked."}
    if content is not None:
        props["ContentPolicyConfig"] = content
    elif filters_config is not None:
        props["ContentPolicyConfig"] = {"FiltersConfig": filters_config}
    return {name: {"Type": "AWS::Bedrock::Guardrail", "Properties": props}}


def test_high_prompt_attack_filter_passes():
    assert findings(RULE, guardrail(harmful() + [prompt_attack()])) == []


def test_minimal_cdk_shape_passes():
    minimal = {"Type": "PROMPT_ATTACK", "InputStrength": "HIGH", "OutputStrength": "NONE"}
    assert findings(RULE, guardrail([minimal])) == []


def test_output_side_is_not_judged():
    item = prompt_attack(OutputStrength="HIGH", OutputEnabled=False, OutputAction="NONE")
    assert findings(RULE, guardrail(harmful() + [item])) == []


def test_missing_prompt_attack_filter_fails():
    assert findings(RULE, guardrail(harmful())) == [(RULE, "Guardrail")]
    assert "has no PROMPT_ATTACK filter" in messages(RULE, guardrail(harmful()))[0]


def test_guardrail_without_content_policy_fails():
    assert findings(RULE, guardrail()) == [(RULE, "Guardrail")]
    assert "ContentPolicyConfig is not set" in messages(RULE, guardrail())[0]


def test_medium_is_not_enough():
    resources = guardrail(harmful() + [prompt_attack(InputStrength="MEDIUM")])
    assert findings(RULE, resources) == [(RULE, "Guardrail")]
    assert "InputStrength is MEDIUM (must be HIGH)" in messages(RULE, resources)[0]


def test_disabled_or_detect_only_input_fails_with_every_problem_listed():
    resources = guardrail([prompt_attack(InputEnabled="false", InputAction="NONE", InputModalities=["IMAGE"])])
    assert findings(RULE, resources) == [(RULE, "Guardrail")]
    text = messages(RULE, resources)[0]
    assert "InputEnabled is false" in text and "InputAction is NONE" in text and "InputModalities is [IMAGE]" in text


def test_no_guardrail_is_left_to_app_01():
    agent = {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a"}}}
    assert findings(RULE, agent) == []


def test_each_guardrail_is_judged():
    resources = {**guardrail([prompt_attack()], name="Good"), **guardrail(harmful(), name="NoAttackFilter")}
    assert findings(RULE, resources) == [(RULE, "NoAttackFilter")]


def test_parameter_default_and_fn_if_are_judged():
    params = {"Parameters": {"AttackStrength": {"Type": "String", "Default": "MEDIUM"}}}
    resources = guardrail([prompt_attack(InputStrength={"Ref": "AttackStrength"})])
    assert findings(RULE, resources, **params) == [(RULE, "Guardrail")]
    assert "from the default of parameter AttackStrength" in messages(RULE, resources, **params)[0]
    resources = guardrail([prompt_attack(InputStrength={"Fn::If": ["IsProd", "HIGH", "LOW"]})])
    assert findings(RULE, resources) == [(RULE, "Guardrail")]
    assert "IsProd is false" in messages(RULE, resources)[0]


def test_parameter_without_default_cannot_be_verified():
    params = {"Parameters": {"AttackStrength": {"Type": "String"}}}
    resources = guardrail([prompt_attack(InputStrength={"Ref": "AttackStrength"})])
    assert findings(RULE, resources, **params) == [(RULE, "Guardrail")]
    assert "cannot be verified" in messages(RULE, resources, **params)[0]


def test_filter_only_in_one_branch_fails():
    resources = guardrail(harmful() + [{"Fn::If": ["IsProd", prompt_attack(), {"Ref": "AWS::NoValue"}]}])
    assert findings(RULE, resources) == [(RULE, "Guardrail")]
    assert "conditional" in messages(RULE, resources)[0]


def test_odd_shapes_do_not_crash():
    for content in ("on", {"FiltersConfig": {"Type": "PROMPT_ATTACK"}}, {"FiltersConfig": ["PROMPT_ATTACK"]},
                    {"FiltersConfig": [{"Type": "PROMPT_ATTACK", "InputStrength": {"HIGH": True}}]}):
        assert findings(RULE, guardrail(content=content)) == [(RULE, "Guardrail")], content


def test_applies_at_foundational_for_answering_systems():
    assert findings(RULE, guardrail(harmful()), Phase.FOUNDATIONAL, capabilities={Capability.ANSWERS}) == [
        (RULE, "Guardrail")]
