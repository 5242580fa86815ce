from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-03"


def entities(**overrides):
    """CDK-shaped PII entities: credentials blocked, e-mail masked; ``overrides`` replace one type's entry."""
    result = [
        {"Type": "AWS_ACCESS_KEY", "Action": "BLOCK", "InputAction": "BLOCK", "OutputAction": "BLOCK",
         "InputEnabled": True, "OutputEnabled": True},
        {"Type": "AWS_SECRET_KEY", "Action": "BLOCK"},
        {"Type": "PASSWORD", "Action": "BLOCK"},
        {"Type": "EMAIL", "Action": "ANONYMIZE"},
    ]
    for kind, entry in overrides.items():
        result = [e for e in result if e["Type"] != kind]
        if entry is not None:
            result.append({"Type": kind, **entry})
    return result


def guardrail(pii=None, policy=None, name="Guardrail"):
    props = {"Name": "app-guardrail", "BlockedInputMessaging": "Blocked.", "BlockedOutputsMessaging": "Blocked.",
             "ContentPolicyConfig": {"FiltersConfig": [
                 {"Type": "PROMPT_ATTACK", "InputStrength": "HIGH", "OutputStrength": "NONE"}]}}
    if policy is not None:
        props["SensitiveInformationPolicyConfig"] = policy
    elif pii is not None:
        props["SensitiveInformationPolicyConfig"] = {
            "PiiEntitiesConfig": pii,
            "RegexesConfig": [{"Name": "employee-id", "Pattern": "EMP-[0-9]{6}", "Action": "ANONYMIZE"}]}
    return {name: {"Type": "AWS::Bedrock::Guardrail", "Properties": props}}


def test_credentials_and_pii_blocked_or_masked_pass():
    assert findings(RULE, guardrail(entities())) == []


def test_anonymize_is_accepted_for_credentials():
    masked = {"Action": "ANONYMIZE"}
    assert findings(RULE, guardrail(entities(AWS_ACCESS_KEY=masked, AWS_SECRET_KEY=masked, PASSWORD=masked))) == []


def test_direction_overrides_replace_action():
    assert findings(RULE, guardrail(entities(EMAIL={"Action": "NONE", "InputAction": "ANONYMIZE",
                                                    "OutputAction": "BLOCK"}))) == []


def test_missing_policy_or_empty_list_fails_once():
    assert findings(RULE, guardrail()) == [(f"{RULE}[PiiEntitiesConfig]", "Guardrail")]
    assert "SensitiveInformationPolicyConfig is not set" in messages(RULE, guardrail())[0]
    assert findings(RULE, guardrail([])) == [(f"{RULE}[PiiEntitiesConfig]", "Guardrail")]
    assert findings(RULE, guardrail(policy={"RegexesConfig": [
        {"Name": "id", "Pattern": "x", "Action": "BLOCK"}]})) == [(f"{RULE}[PiiEntitiesConfig]", "Guardrail")]


def test_each_missing_credential_type_is_its_own_finding():
    assert findings(RULE, guardrail(entities(PASSWORD=None, AWS_SECRET_KEY=None))) == [
        (f"{RULE}[AWS_SECRET_KEY]", "Guardrail"), (f"{RULE}[PASSWORD]", "Guardrail")]
    assert findings(RULE, guardrail([{"Type": "EMAIL", "Action": "BLOCK"}])) == [
        (f"{RULE}[AWS_ACCESS_KEY]", "Guardrail"), (f"{RULE}[AWS_SECRET_KEY]", "Guardrail"),
        (f"{RULE}[PASSWORD]", "Guardrail")]


def test_output_override_to_none_fails():
    resources = guardrail(entities(AWS_SECRET_KEY={"Action": "BLOCK", "OutputAction": "NONE"}))
    assert findings(RULE, resources) == [(f"{RULE}[AWS_SECRET_KEY]", "Guardrail")]
    assert "PiiEntitiesConfig[AWS_SECRET_KEY].OutputAction is NONE" in messages(RULE, resources)[0]


def test_action_none_is_inherited_by_the_direction_without_override():
    resources = guardrail(entities(PASSWORD={"Action": "NONE", "InputAction": "BLOCK"}))
    assert findings(RULE, resources) == [(f"{RULE}[PASSWORD]", "Guardrail")]
    [text] = messages(RULE, resources)
    assert "PiiEntitiesConfig[PASSWORD].Action is NONE and OutputAction is not set" in text
    assert "InputAction is" not in text


def test_disabled_direction_does_not_protect():
    resources = guardrail(entities(AWS_ACCESS_KEY={"Action": "BLOCK", "OutputEnabled": False},
                                   EMAIL={"Action": "ANONYMIZE", "InputEnabled": "false"}))
    assert findings(RULE, resources) == [(f"{RULE}[AWS_ACCESS_KEY]", "Guardrail"), (f"{RULE}[EMAIL]", "Guardrail")]


def test_other_pii_entities_are_judged_too():
    assert findings(RULE, guardrail(entities(EMAIL={"Action": "NONE"}))) == [(f"{RULE}[EMAIL]", "Guardrail")]


def test_parameter_default_and_fn_if_branches():
    params = {"Parameters": {"PiiAction": {"Type": "String", "AllowedValues": ["BLOCK", "ANONYMIZE", "NONE"],
                                           "Default": "NONE"}}}
    resources = guardrail(entities(PASSWORD={"Action": {"Ref": "PiiAction"}}))
    assert findings(RULE, resources, **params) == [(f"{RULE}[PASSWORD]", "Guardrail")]
    assert "from the default of parameter PiiAction" in messages(RULE, resources, **params)[0]
    resources = guardrail(entities(PASSWORD={"Action": "BLOCK",
                                             "OutputAction": {"Fn::If": ["IsDev", "NONE", "BLOCK"]}}))
    assert findings(RULE, resources) == [(f"{RULE}[PASSWORD]", "Guardrail")]
    assert "IsDev is true" in messages(RULE, resources)[0]


def test_parameter_without_default_cannot_be_verified():
    params = {"Parameters": {"PiiAction": {"Type": "String"}}}
    resources = guardrail(entities(EMAIL={"Action": {"Ref": "PiiAction"}}))
    assert findings(RULE, resources, **params) == [(f"{RULE}[EMAIL]", "Guardrail")]
    assert "cannot be verified" in messages(RULE, resources, **params)[0]


def test_credential_entity_only_in_one_branch_fails():
    pii = entities(AWS_SECRET_KEY=None) + [
        {"Fn::If": ["IsProd", {"Type": "AWS_SECRET_KEY", "Action": "BLOCK"}, {"Ref": "AWS::NoValue"}]}]
    assert findings(RULE, guardrail(pii)) == [(f"{RULE}[AWS_SECRET_KEY]", "Guardrail")]
    assert "conditional" in messages(RULE, guardrail(pii))[0]


def test_entity_type_that_cannot_be_resolved():
    params = {"Parameters": {"ExtraType": {"Type": "String"}}}
    pii = entities() + [{"Type": {"Ref": "ExtraType"}, "Action": "BLOCK"}]
    assert findings(RULE, guardrail(pii), **params) == [(f"{RULE}[PiiEntitiesConfig]", "Guardrail")]
    assert "Type cannot be verified" in messages(RULE, guardrail(pii), **params)[0]


def test_odd_shapes_do_not_crash():
    assert findings(RULE, guardrail(policy="BLOCK")) == [(f"{RULE}[PiiEntitiesConfig]", "Guardrail")]
    assert findings(RULE, guardrail("PASSWORD")) == [(f"{RULE}[PiiEntitiesConfig]", "Guardrail")]
    assert findings(RULE, guardrail(entities() + ["EMAIL", 3])) == [(f"{RULE}[PiiEntitiesConfig]", "Guardrail")]
    assert findings(RULE, guardrail(entities(EMAIL={"Action": ["BLOCK"], "InputEnabled": {"x": 1}}))) == [
        (f"{RULE}[EMAIL]", "Guardrail")]


def test_no_guardrail_is_left_to_app_01_and_rule_applies_at_foundational():
    assert findings(RULE, {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a"}}}) == []
    assert findings(RULE, guardrail(), Phase.FOUNDATIONAL, capabilities={Capability.ANSWERS}) == [
        (f"{RULE}[PiiEntitiesConfig]", "Guardrail")]
