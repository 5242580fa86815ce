from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-05"
GR = {"Type": "AWS::Bedrock::Guardrail", "Properties": {"Name": "g", "BlockedInputMessaging": "no",
                                                          "BlockedOutputsMessaging": "no"}}
VERSION = {"Type": "AWS::Bedrock::GuardrailVersion",
           "Properties": {"GuardrailIdentifier": {"Fn::GetAtt": ["Guard", "GuardrailId"]}}}


def agent(version):
    return {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a", "GuardrailConfiguration": {
        "GuardrailIdentifier": {"Fn::GetAtt": ["Guard", "GuardrailId"]}, "GuardrailVersion": version}}}


def flow(version, name="Ask"):
    return {"Type": "AWS::Bedrock::Flow", "Properties": {"Name": "f", "ExecutionRoleArn": "arn:aws:iam::1:role/r",
            "Definition": {"Nodes": [
                {"Name": "Start", "Type": "Input", "Configuration": {"Input": {}}},
                {"Name": name, "Type": "Prompt", "Configuration": {"Prompt": {
                    "SourceConfiguration": {"Resource": {"PromptArn": "arn:aws:bedrock:us-east-1:111111111111:prompt/ABCDEFGHIJ:1"}},
                    "GuardrailConfiguration": {"GuardrailIdentifier": "abc", "GuardrailVersion": version}}}}]}}}


def test_published_guardrail_and_pinned_consumers_pass():
    resources = {"Guard": GR, "GuardVersion": VERSION,
                 "Agent": agent({"Fn::GetAtt": ["GuardVersion", "Version"]}), "Flow": flow("3"),
                 "Enforced": {"Type": "AWS::Bedrock::EnforcedGuardrailConfiguration", "Properties": {
                     "GuardrailIdentifier": {"Ref": "Guard"}, "GuardrailVersion": {"Fn::GetAtt": ["GuardVersion", "Version"]}}}}
    assert findings(RULE, resources, Phase.ENHANCED) == []


def test_not_enforced_at_foundational():
    assert findings(RULE, {"Guard": GR}, Phase.FOUNDATIONAL) == []


def test_unpublished_guardrail_fails():
    other = {"Type": "AWS::Bedrock::GuardrailVersion", "Properties": {"GuardrailIdentifier": {"Ref": "Other"}}}
    assert findings(RULE, {"Guard": GR, "Other": GR, "OtherVersion": other}) == [(RULE, "Guard")]


def test_draft_literal_and_draft_attribute_fail():
    resources = {"Guard": GR, "GuardVersion": VERSION, "A1": agent("DRAFT"),
                 "A2": agent({"Fn::GetAtt": ["Guard", "Version"]}), "Flow": flow("DRAFT")}
    assert findings(RULE, resources) == [(RULE, "A1"), (RULE, "A2"), (f"{RULE}[Node::Ask]", "Flow")]
    assert any("always DRAFT" in m for m in messages(RULE, resources))


def test_parameter_default_and_fn_if_branch():
    resources = {"Guard": GR, "GuardVersion": VERSION, "Agent": agent({"Ref": "Version"}),
                 "Other": agent({"Fn::If": ["Prod", "2", "DRAFT"]})}
    params = {"Parameters": {"Version": {"Type": "String", "Default": "DRAFT"}}}
    assert findings(RULE, resources, **params) == [(RULE, "Agent"), (RULE, "Other")]
    text = messages(RULE, resources, **params)
    assert any("from the default of parameter Version" in m for m in text)
    assert any("Prod is false" in m for m in text)


def test_enforced_configuration_draft_from_parameter():
    resources = {"Guard": GR, "GuardVersion": VERSION, "Enforced": {
        "Type": "AWS::Bedrock::EnforcedGuardrailConfiguration",
        "Properties": {"GuardrailIdentifier": "abc", "GuardrailVersion": {"Ref": "V"}}}}
    params = {"Parameters": {"V": {"Type": "String", "Default": "DRAFT"}}}
    assert findings(RULE, resources, **params) == [(RULE, "Enforced")]


def test_definition_string_flow_node_in_camel_case():
    definition = ('{"nodes": [{"name": "Ask", "type": "Prompt", "configuration": {"prompt": {"guardrailConfiguration":'
                  ' {"guardrailIdentifier": "abc", "guardrailVersion": "DRAFT"}}}}]}')
    resources = {"Flow": {"Type": "AWS::Bedrock::Flow", "Properties": {
        "Name": "f", "ExecutionRoleArn": "arn:aws:iam::1:role/r", "DefinitionString": definition}}}
    assert findings(RULE, resources) == [(f"{RULE}[Node::Ask]", "Flow")]


def test_odd_shapes_do_not_crash():
    resources = {"Guard": GR, "GuardVersion": VERSION,
                 "A": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a", "GuardrailConfiguration": "x"}},
                 "B": agent(["DRAFT"]),
                 "F": {"Type": "AWS::Bedrock::Flow", "Properties": {"Name": "f", "ExecutionRoleArn": "r",
                                                                     "Definition": {"Nodes": "oops"}}}}
    assert findings(RULE, resources) == [(RULE, "B")]
