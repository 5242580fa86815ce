from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-09"
GR = {"Type": "AWS::Bedrock::Guardrail", "Properties": {"Name": "g", "BlockedInputMessaging": "no",
                                                          "BlockedOutputsMessaging": "no"}}


def enforced(**extra):
    props = {"GuardrailIdentifier": {"Fn::GetAtt": ["Guard", "GuardrailId"]},
             "GuardrailVersion": {"Fn::GetAtt": ["GuardVersion", "Version"]},
             "SelectiveContentGuarding": {"Messages": "COMPREHENSIVE"}}
    props.update(extra)
    return {"Guard": GR, "Enforced": {"Type": "AWS::Bedrock::EnforcedGuardrailConfiguration", "Properties": props}}


def test_enforced_configuration_passes():
    assert findings(RULE, enforced()) == []
    assert findings(RULE, enforced(ModelEnforcement={"IncludedModels": ["ALL"], "ExcludedModels": []})) == []


def test_only_at_advanced():
    assert findings(RULE, {"Guard": GR}, Phase.ENHANCED) == []


def test_missing_configuration_is_a_workload_finding():
    assert findings(RULE, {"Guard": GR}) == [(RULE, "Guard")]


def test_organization_policy_satisfies_presence():
    org = {"Type": "AWS::Organizations::Policy", "Properties": {"Name": "b", "Type": "BEDROCK_POLICY", "Content": {}}}
    assert findings(RULE, {"Guard": GR, "Org": org}) == []
    scp = dict(org, Properties=dict(org["Properties"], Type="SERVICE_CONTROL_POLICY"))
    assert findings(RULE, {"Guard": GR, "Org": scp}) == [(RULE, "Guard")]


def test_each_weakness_is_its_own_finding():
    resources = enforced(GuardrailVersion={"Fn::GetAtt": ["Guard", "Version"]},
                         ModelEnforcement={"IncludedModels": ["anthropic.claude-v2"], "ExcludedModels": ["amazon.titan-text-lite-v1"]},
                         SelectiveContentGuarding={"Messages": "SELECTIVE"})
    assert findings(RULE, resources) == [(f"{RULE}[GuardrailVersion]", "Enforced"),
                                         (f"{RULE}[Messages]", "Enforced"), (f"{RULE}[ModelEnforcement]", "Enforced")]


def test_messages_must_be_explicit():
    resources = enforced()
    del resources["Enforced"]["Properties"]["SelectiveContentGuarding"]
    assert findings(RULE, resources) == [(f"{RULE}[Messages]", "Enforced")]


def test_parameter_defaults_are_judged():
    resources = enforced(GuardrailVersion={"Ref": "V"}, SelectiveContentGuarding={"Messages": {"Ref": "M"}})
    params = {"Parameters": {"V": {"Type": "String", "Default": "DRAFT"}, "M": {"Type": "String", "Default": "SELECTIVE"}}}
    assert findings(RULE, resources, **params) == [(f"{RULE}[GuardrailVersion]", "Enforced"),
                                                   (f"{RULE}[Messages]", "Enforced")]
    assert all("from the default of parameter" in m for m in messages(RULE, resources, **params))


def test_odd_shapes_do_not_crash():
    resources = enforced(ModelEnforcement="all", SelectiveContentGuarding=["x"])
    assert findings(RULE, resources) == [(f"{RULE}[Messages]", "Enforced"), (f"{RULE}[ModelEnforcement]", "Enforced")]
