from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-13"


def alias(routing=None):
    props = {"AgentAliasName": "prod", "AgentId": {"Fn::GetAtt": ["Agent", "AgentId"]}}
    if routing is not None:
        props["RoutingConfiguration"] = routing
    return {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a"}},
            "Alias": {"Type": "AWS::Bedrock::AgentAlias", "Properties": props}}


def test_alias_without_routing_or_numbered_passes():
    assert findings(RULE, alias()) == []
    assert findings(RULE, alias([{"AgentVersion": "3"}]), Phase.ENHANCED) == []


def test_draft_fails_not_at_foundational():
    assert findings(RULE, alias([{"AgentVersion": "DRAFT"}])) == [(RULE, "Alias")]
    assert findings(RULE, alias([{"AgentVersion": "DRAFT"}]), Phase.FOUNDATIONAL) == []


def test_agent_version_attribute_is_the_draft():
    resources = alias([{"AgentVersion": {"Fn::GetAtt": ["Agent", "AgentVersion"]}}])
    assert findings(RULE, resources) == [(RULE, "Alias")]
    assert "always DRAFT" in messages(RULE, resources)[0]


def test_parameter_default_is_judged():
    params = {"Parameters": {"V": {"Type": "String", "Default": "DRAFT"}}}
    assert findings(RULE, alias([{"AgentVersion": {"Ref": "V"}}]), **params) == [(RULE, "Alias")]
    assert findings(RULE, alias([{"AgentVersion": {"Ref": "V"}}]), Parameters={"V": {"Type": "String"}}) == []


def test_flow_alias_on_draft_fails_and_on_flow_version_passes():
    flow = {"Type": "AWS::Bedrock::FlowAlias", "Properties": {"Name": "prod", "FlowArn": {"Ref": "Flow"},
                                                               "RoutingConfiguration": [{"FlowVersion": "DRAFT"}]}}
    pinned = {"Type": "AWS::Bedrock::FlowAlias", "Properties": {
        "Name": "prod", "FlowArn": {"Ref": "Flow"}, "RoutingConfiguration": [{"FlowVersion": {"Fn::GetAtt": ["FlowV", "Version"]}}]}}
    assert findings(RULE, {"FA": flow, "FB": pinned}) == [(RULE, "FA")]


def test_odd_shapes_do_not_crash():
    assert findings(RULE, alias("DRAFT")) == []
    assert findings(RULE, alias(["DRAFT", {"AgentVersion": {"a": 1}}])) == [(RULE, "Alias")]
