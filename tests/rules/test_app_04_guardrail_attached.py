import json

from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-04"

# What CDK synthesizes: ids from the guardrail, versions from an AWS::Bedrock::GuardrailVersion.
GUARDRAIL_CONFIG = {"GuardrailIdentifier": {"Fn::GetAtt": ["Guardrail", "GuardrailId"]},
                    "GuardrailVersion": {"Fn::GetAtt": ["GuardrailVersion", "Version"]}}

GUARDRAIL = {
    "Guardrail": {"Type": "AWS::Bedrock::Guardrail", "Properties": {
        "Name": "app-guardrail", "BlockedInputMessaging": "Blocked.", "BlockedOutputsMessaging": "Blocked."}},
    "GuardrailVersion": {"Type": "AWS::Bedrock::GuardrailVersion", "Properties": {
        "GuardrailIdentifier": {"Fn::GetAtt": ["Guardrail", "GuardrailId"]}}},
}


def agent(config=None, name="Agent"):
    props = {"AgentName": "helper", "FoundationModel": "anthropic.claude-3-haiku-20240307-v1:0",
             "AgentResourceRoleArn": {"Fn::GetAtt": ["AgentRole", "Arn"]}, "Instruction": "Help the user. " * 3}
    if config is not None:
        props["GuardrailConfiguration"] = config
    return {name: {"Type": "AWS::Bedrock::Agent", "Properties": props}}


def prompt_node(name, guardrail=True):
    configuration = {"SourceConfiguration": {"Inline": {
        "TemplateType": "TEXT", "ModelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "TemplateConfiguration": {"Text": {"Text": "Answer: {{question}}"}}}}}
    if guardrail:
        configuration["GuardrailConfiguration"] = GUARDRAIL_CONFIG
    return {"Name": name, "Type": "Prompt", "Configuration": {"Prompt": configuration},
            "Inputs": [{"Name": "question", "Type": "String", "Expression": "$.data"}],
            "Outputs": [{"Name": "modelCompletion", "Type": "String"}]}


def kb_node(name, guardrail=True):
    configuration = {"KnowledgeBaseId": "KBID123456", "ModelId": "anthropic.claude-3-haiku-20240307-v1:0"}
    if guardrail:
        configuration["GuardrailConfiguration"] = GUARDRAIL_CONFIG
    return {"Name": name, "Type": "KnowledgeBase", "Configuration": {"KnowledgeBase": configuration}}


def io_nodes():
    return [{"Name": "FlowInput", "Type": "Input", "Configuration": {"Input": {}},
             "Outputs": [{"Name": "document", "Type": "String"}]},
            {"Name": "FlowOutput", "Type": "Output", "Configuration": {"Output": {}},
             "Inputs": [{"Name": "document", "Type": "String", "Expression": "$.data"}]}]


def flow(name="Flow", **definition_props):
    props = {"Name": "support-flow", "ExecutionRoleArn": {"Fn::GetAtt": ["FlowRole", "Arn"]}, **definition_props}
    return {name: {"Type": "AWS::Bedrock::Flow", "Properties": props}}


def test_guarded_agent_and_flow_pass():
    resources = {**GUARDRAIL, **agent(GUARDRAIL_CONFIG),
                 **flow(Definition={"Nodes": io_nodes() + [prompt_node("Answer"), kb_node("Lookup")],
                                    "Connections": []})}
    assert findings(RULE, resources) == []


def test_agent_without_guardrail_fails():
    assert findings(RULE, agent()) == [(RULE, "Agent")]
    assert "GuardrailConfiguration is not set" in messages(RULE, agent())[0]


def test_agent_guardrail_needs_identifier_and_version():
    resources = {**agent({"GuardrailIdentifier": {"Fn::GetAtt": ["Guardrail", "GuardrailId"]}}, name="NoVersion"),
                 **agent({"GuardrailVersion": "DRAFT"}, name="NoId"),
                 **agent({"GuardrailIdentifier": "", "GuardrailVersion": "1"}, name="EmptyId")}
    assert findings(RULE, resources) == [(RULE, "EmptyId"), (RULE, "NoId"), (RULE, "NoVersion")]
    assert "GuardrailConfiguration.GuardrailVersion is not set" in messages(RULE, agent(
        {"GuardrailIdentifier": "abc123def"}))[0]


def test_references_count_as_set():
    resources = {
        **agent({"GuardrailIdentifier": {"Fn::ImportValue": "shared-guardrail-id"}, "GuardrailVersion": "3"},
                name="Imported"),
        **agent({"GuardrailIdentifier": {"Ref": "GuardrailId"}, "GuardrailVersion": {"Ref": "GuardrailVer"}},
                name="FromParameters"),
        **agent({"GuardrailIdentifier": {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}:"
                                                    "${AWS::AccountId}:guardrail/abc123"},
                 "GuardrailVersion": "DRAFT"}, name="Arn"),
    }
    params = {"Parameters": {"GuardrailId": {"Type": "String"}, "GuardrailVer": {"Type": "String"}}}
    assert findings(RULE, resources, **params) == []


def test_agent_guardrail_in_one_branch_only_fails():
    resources = agent({"Fn::If": ["UseGuardrail", GUARDRAIL_CONFIG, {"Ref": "AWS::NoValue"}]})
    assert findings(RULE, resources) == [(RULE, "Agent")]
    assert "UseGuardrail is false" in messages(RULE, resources)[0]


def test_each_unguarded_flow_node_is_its_own_finding():
    definition = {"Nodes": io_nodes() + [prompt_node("Answer", False), kb_node("Lookup", False),
                                         prompt_node("Summarise")]}
    assert findings(RULE, flow(Definition=definition)) == [(f"{RULE}[Node::Answer]", "Flow"),
                                                           (f"{RULE}[Node::Lookup]", "Flow")]
    text = messages(RULE, flow(Definition={"Nodes": [kb_node("Lookup", False)]}))[0]
    assert "Configuration.KnowledgeBase.GuardrailConfiguration is not set" in text


def test_flow_node_guardrail_without_version_fails():
    node = prompt_node("Answer")
    node["Configuration"]["Prompt"]["GuardrailConfiguration"] = {"GuardrailIdentifier": "abc123def"}
    assert findings(RULE, flow(Definition={"Nodes": [node]})) == [(f"{RULE}[Node::Answer]", "Flow")]


def test_nodes_inside_a_loop_are_checked():
    loop = {"Name": "PerTicket", "Type": "Loop", "Configuration": {"Loop": {"Definition": {
        "Nodes": [prompt_node("Classify", False), prompt_node("Reply")]}}}}
    assert findings(RULE, flow(Definition={"Nodes": io_nodes() + [loop]})) == [
        (f"{RULE}[Node::PerTicket/Classify]", "Flow")]


def test_definition_under_fn_if_is_judged_per_branch():
    definition = {"Fn::If": ["Guarded", {"Nodes": [prompt_node("Answer")]}, {"Nodes": [prompt_node("Answer", False)]}]}
    assert findings(RULE, flow(Definition=definition)) == [(f"{RULE}[Node::Answer]", "Flow")]
    assert "Guarded is false" in messages(RULE, flow(Definition=definition))[0]
    both = {"Fn::If": ["Big", {"Nodes": [prompt_node("Answer", False)]}, {"Nodes": [kb_node("Answer", False)]}]}
    assert findings(RULE, flow(Definition=both)) == [(f"{RULE}[Node::Answer]", "Flow")]
    [text] = messages(RULE, flow(Definition=both))
    assert "Big is true" in text and "Big is false" in text


def test_definition_string_is_parsed_in_api_shape():
    good = {"nodes": [{"name": "Answer", "type": "Prompt", "configuration": {"prompt": {
        "sourceConfiguration": {"resource": {"promptArn": "${PromptArn}"}},
        "guardrailConfiguration": {"guardrailIdentifier": "${Guardrail.GuardrailId}", "guardrailVersion": "1"}}}},
        {"name": "Lookup", "type": "KnowledgeBase", "configuration": {"knowledgeBase": {"knowledgeBaseId": "KB1"}}}]}
    resources = flow(DefinitionString={"Fn::Sub": json.dumps(good)})
    assert findings(RULE, resources) == [(f"{RULE}[Node::Lookup]", "Flow")]
    pascal = json.dumps({"Nodes": [prompt_node("Answer")]}).replace('{"Fn::GetAtt": ["Guardrail", "GuardrailId"]}',
                                                                   '"abc123"')
    pascal = pascal.replace('{"Fn::GetAtt": ["GuardrailVersion", "Version"]}', '"2"')
    assert findings(RULE, flow(DefinitionString=pascal)) == []


def test_unparsable_definition_string_cannot_be_verified():
    joined = {"Fn::Join": ["", ['{"nodes": ', {"Ref": "NodesJson"}, "}"]]}
    assert findings(RULE, flow(DefinitionString=joined)) == [(RULE, "Flow")]
    assert "DefinitionString cannot be verified" in messages(RULE, flow(DefinitionString=joined))[0]
    assert findings(RULE, flow(DefinitionString="{not json")) == [(RULE, "Flow")]


def test_definition_in_s3_cannot_be_verified():
    resources = flow(DefinitionS3Location={"Bucket": "flow-definitions", "Key": "support.json"},
                     DefinitionSubstitutions={"GuardrailId": "abc123"})
    assert findings(RULE, resources) == [(RULE, "Flow")]
    assert "DefinitionS3Location" in messages(RULE, resources)[0]


def test_flow_without_definition_has_no_nodes_to_check():
    assert findings(RULE, flow()) == []


def test_odd_shapes_do_not_crash():
    assert findings(RULE, flow(Definition="nodes")) == [(RULE, "Flow")]
    assert findings(RULE, flow(Definition={"Nodes": {"Name": "x"}})) == [(RULE, "Flow")]
    assert findings(RULE, flow(Definition={"Nodes": ["Answer", None, {"Type": "Prompt", "Configuration": "x"}]})) == [
        (f"{RULE}[Node::#0]", "Flow"), (f"{RULE}[Node::#2]", "Flow")]
    assert findings(RULE, flow(DefinitionString=["nodes"])) == [(RULE, "Flow")]
    assert findings(RULE, agent("abc123")) == [(RULE, "Agent")]
    assert findings(RULE, agent({"GuardrailIdentifier": ["abc"], "GuardrailVersion": 1})) == []


def test_rule_concerns_rag_and_agents_only():
    assert findings(RULE, agent(), Phase.FOUNDATIONAL, capabilities={Capability.ANSWERS}) == []
    assert findings(RULE, agent(), Phase.FOUNDATIONAL, capabilities={Capability.CONNECTS}) == [(RULE, "Agent")]
