from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-26"
PROMPT = {"Type": "AWS::Bedrock::Prompt", "Properties": {"Name": "p"}}
VERSION = {"Type": "AWS::Bedrock::PromptVersion", "Properties": {"PromptArn": {"Fn::GetAtt": ["Prompt", "Arn"]}}}


def flow(source, name="Ask"):
    return {"Type": "AWS::Bedrock::Flow", "Properties": {"Name": "f", "ExecutionRoleArn": "arn:aws:iam::1:role/r",
            "Definition": {"Nodes": [{"Name": name, "Type": "Prompt", "Configuration": {"Prompt": {
                "SourceConfiguration": source}}}]}}}


def resource(arn):
    return {"Resource": {"PromptArn": arn}}


def test_published_prompt_and_versioned_nodes_pass():
    resources = {"Prompt": PROMPT, "PromptV": VERSION,
                 "F1": flow(resource({"Fn::GetAtt": ["PromptV", "Arn"]})),
                 "F2": flow(resource("arn:aws:bedrock:us-east-1:111111111111:prompt/ABCDEFGHIJ:2")),
                 "F3": flow(resource({"Fn::Sub": "${Prompt.Arn}:4"})),
                 "F4": flow(resource({"Fn::ImportValue": "shared-prompt"}))}
    assert findings(RULE, resources) == []


def test_only_at_advanced():
    assert findings(RULE, {"Prompt": PROMPT}, Phase.ENHANCED) == []


def test_unpublished_prompt_fails():
    assert findings(RULE, {"Prompt": PROMPT}) == [(RULE, "Prompt")]


def test_inline_draft_and_unversioned_arn_fail():
    inline = {"Inline": {"TemplateType": "TEXT", "ModelId": "m", "TemplateConfiguration": {"Text": {"Text": "hi"}}}}
    resources = {"Prompt": PROMPT, "PromptV": VERSION,
                 "F1": flow(inline), "F2": flow(resource({"Fn::GetAtt": ["Prompt", "Arn"]})),
                 "F3": flow(resource("arn:aws:bedrock:us-east-1:111111111111:prompt/ABCDEFGHIJ"))}
    assert findings(RULE, resources) == [(f"{RULE}[Node::Ask]", "F1"), (f"{RULE}[Node::Ask]", "F2"),
                                         (f"{RULE}[Node::Ask]", "F3")]


def test_parameter_default_arn_is_judged():
    params = {"Parameters": {"Arn": {"Type": "String", "Default": "arn:aws:bedrock:us-east-1:111111111111:prompt/ABCDEFGHIJ"}}}
    resources = {"F": flow(resource({"Ref": "Arn"}))}
    assert findings(RULE, resources, **params) == [(f"{RULE}[Node::Ask]", "F")]
    assert "from the default of parameter Arn" in messages(RULE, resources, **params)[0]


def test_definition_string_and_loop_nodes():
    inner = {"name": "Inner", "type": "Prompt", "configuration": {"prompt": {"sourceConfiguration": {"inline": {}}}}}
    definition = {"nodes": [{"name": "Loop1", "type": "Loop", "configuration": {"loop": {"definition": {"nodes": [inner]}}}}]}
    import json
    resources = {"F": {"Type": "AWS::Bedrock::Flow", "Properties": {
        "Name": "f", "ExecutionRoleArn": "r", "DefinitionString": json.dumps(definition)}}}
    assert findings(RULE, resources) == [(f"{RULE}[Node::Loop1/Inner]", "F")]


def test_odd_shapes_do_not_crash():
    resources = {"F": flow("nope"), "G": flow(resource(["x"])),
                 "H": {"Type": "AWS::Bedrock::Flow", "Properties": {"Name": "h", "ExecutionRoleArn": "r",
                                                                     "DefinitionString": "{bad json"}}}
    assert findings(RULE, resources) == [(f"{RULE}[Node::Ask]", "F")]
