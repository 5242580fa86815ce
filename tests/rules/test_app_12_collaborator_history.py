from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-12"
ALIAS = "arn:aws:bedrock:us-east-1:111111111111:agent-alias/ABCDEFGHIJ/KLMNOPQRST"


def collaborator(name, relay=None):
    item = {"AgentDescriptor": {"AliasArn": ALIAS}, "CollaborationInstruction": "help", "CollaboratorName": name}
    if relay is not None:
        item["RelayConversationHistory"] = relay
    return item


def supervisor(*collaborators):
    return {"Sup": {"Type": "AWS::Bedrock::Agent", "Properties": {
        "AgentName": "s", "AgentCollaboration": "SUPERVISOR", "AgentCollaborators": list(collaborators)}}}


def test_disabled_relay_passes():
    assert findings(RULE, supervisor(collaborator("billing", "DISABLED"))) == []
    assert findings(RULE, supervisor(collaborator("billing", "TO_COLLABORATOR")), Phase.ENHANCED) == []


def test_relay_and_absent_fail_per_collaborator():
    resources = supervisor(collaborator("billing", "TO_COLLABORATOR"), collaborator("search"),
                           collaborator("ok", "DISABLED"))
    assert findings(RULE, resources) == [(f"{RULE}[Collaborator::billing]", "Sup"), (f"{RULE}[Collaborator::search]", "Sup")]


def test_parameter_default_and_unknown_intrinsic():
    params = {"Parameters": {"Relay": {"Type": "String", "Default": "TO_COLLABORATOR"}}}
    resources = supervisor(collaborator("billing", {"Ref": "Relay"}))
    assert findings(RULE, resources, **params) == [(f"{RULE}[Collaborator::billing]", "Sup")]
    assert "from the default of parameter Relay" in messages(RULE, resources, **params)[0]
    unknown = supervisor(collaborator("x", {"Fn::ImportValue": "relay"}))
    assert "cannot be verified" in messages(RULE, unknown)[0]


def test_odd_shapes_do_not_crash():
    odd = {"Sup": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "s", "AgentCollaborators": {"a": 1}}}}
    assert findings(RULE, odd) == []
    assert findings(RULE, supervisor("junk", collaborator({"Ref": "Name"}, "TO_COLLABORATOR"))) == [
        (f"{RULE}[Collaborator::#1]", "Sup")]
