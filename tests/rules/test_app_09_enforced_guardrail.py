from aisec_rules.engine import evaluate_system
from aisec_rules.model import Phase
from aisec_rules.read.stack import Stack
from aisec_rules.read.template import Template
from aisec_rules.registry import BY_ID
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


ORG = {"Type": "AWS::Organizations::Policy", "Properties": {"Name": "b", "Type": "BEDROCK_POLICY", "Content": {},
                                                            "TargetIds": ["ou-abcd-12345678"]}}


def test_organization_policy_satisfies_presence():
    assert findings(RULE, {"Guard": GR, "Org": ORG}) == []
    scp = dict(ORG, Properties=dict(ORG["Properties"], Type="SERVICE_CONTROL_POLICY"))
    assert findings(RULE, {"Guard": GR, "Org": scp}) == [(RULE, "Guard")]
    unattached = dict(ORG, Properties={k: v for k, v in ORG["Properties"].items() if k != "TargetIds"})
    assert findings(RULE, {"Guard": GR, "Org": unattached}) == [(RULE, "Guard")]
    assert "Org of stack test (environment-agnostic) does not apply here: it is attached to nothing" in \
        messages(RULE, {"Guard": GR, "Org": unattached})[0]


def system(org_targets, member="aws://222222222222/eu-west-1"):
    org = dict(ORG, Properties=dict(ORG["Properties"], TargetIds=org_targets))
    stacks = [Stack(Template({"Resources": {"Org": org}}, "org.template.json"), "Org", "aws://111111111111/us-east-1"),
              Stack(Template({"Resources": {"Guard": GR}}, "work.template.json"), "Work", member)]
    return [(f.id, f.environment, f.resource, f.message) for f in
            evaluate_system(stacks, Phase.ADVANCED, rules=[BY_ID[RULE]])]


def test_an_organization_policy_in_another_environment_satisfies_every_environment_it_reaches():
    assert system(["ou-abcd-12345678"]) == []
    assert system(["222222222222"]) == []
    [(finding, environment, resource, message)] = system(["333333333333"])
    assert (finding, environment, resource) == (RULE, "aws://222222222222/eu-west-1", "Guard")
    assert "Org of stack org (aws://111111111111/us-east-1) does not apply here: it is attached only to " \
           "333333333333, not to account 222222222222" in message


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
