import json

from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-09"


def collection(name="kb-docs"):
    return {"Type": "AWS::OpenSearchServerless::Collection", "Properties": {"Name": name, "Type": "VECTORSEARCH"}}


def policy(rule_sets, kind="network"):
    body = rule_sets if isinstance(rule_sets, (str, dict)) and not isinstance(rule_sets, list) else json.dumps(rule_sets)
    return {"Type": "AWS::OpenSearchServerless::SecurityPolicy", "Properties": {"Name": "kb-net", "Type": kind, "Policy": body}}


def rule_set(pattern="collection/kb-docs", public=False, **extra):
    result = {"Rules": [{"ResourceType": "collection", "Resource": [pattern]}], "AllowFromPublic": public}
    result.update(extra)
    return result


def test_private_policy_covering_the_collection_passes():
    resources = {"Coll": collection(), "Net": policy([rule_set(SourceServices=["bedrock.amazonaws.com"])])}
    assert findings(RULE, resources) == []
    resources["Net"] = policy([rule_set("collection/kb-*", SourceVPCEs=["vpce-0123456789abcdef0"])])
    assert findings(RULE, resources) == []


def test_public_policy_fails_on_the_policy():
    resources = {"Coll": collection(), "Net": policy([rule_set(public=True)])}
    assert findings(RULE, resources) == [(RULE, "Net")]
    assert "AllowFromPublic true" in messages(RULE, resources)[0]
    dashboard = {"Rules": [{"ResourceType": "dashboard", "Resource": ["collection/kb-docs"]}], "AllowFromPublic": "true"}
    resources["Net"] = policy([rule_set(SourceVPCEs=["vpce-1"]), dashboard])
    assert findings(RULE, resources) == [(RULE, "Net")]


def test_uncovered_collection_fails_on_the_collection():
    resources = {"Coll": collection(), "Net": policy([rule_set("collection/other")])}
    assert findings(RULE, resources) == [(RULE, "Coll")]
    assert findings(RULE, {"Coll": collection()}) == [(RULE, "Coll")]
    assert "acknowledge" in messages(RULE, {"Coll": collection()})[0]


def test_encryption_policies_do_not_count():
    resources = {"Coll": collection(), "Enc": policy({"Rules": [{"ResourceType": "collection", "Resource": ["collection/kb-docs"]}],
                                                      "AWSOwnedKey": True}, kind="encryption")}
    resources["Enc"]["Properties"]["Policy"] = json.dumps(resources["Enc"]["Properties"]["Policy"])
    assert findings(RULE, resources) == [(RULE, "Coll")]


def test_policy_built_with_fn_join_is_rendered():
    joined = {"Fn::Join": ["", ['[{"Rules":[{"ResourceType":"collection","Resource":["collection/', {"Ref": "Name"},
                                '"]}],"AllowFromPublic":false,"SourceVPCEs":["', {"Ref": "Vpce"}, '"]}]']]}
    resources = {"Coll": collection({"Ref": "Name"}), "Net": policy(joined),
                 "Vpce": {"Type": "AWS::OpenSearchServerless::VpcEndpoint", "Properties": {"Name": "v", "VpcId": "vpc-1", "SubnetIds": ["subnet-1"]}}}
    params = {"Parameters": {"Name": {"Type": "String", "Default": "kb-docs"}}}
    assert findings(RULE, resources, **params) == []
    public = {"Fn::Join": ["", ['[{"Rules":[{"ResourceType":"collection","Resource":["collection/', {"Ref": "Name"},
                                '"]}],"AllowFromPublic":true}]']]}
    resources["Net"] = policy(public)
    assert findings(RULE, resources, **params) == [(RULE, "Net")]


def test_unparseable_policy_cannot_be_verified():
    resources = {"Coll": collection(), "Net": policy("not json")}
    assert findings(RULE, resources) == [(RULE, "Coll"), (RULE, "Net")]
    assert any("cannot be verified" in m for m in messages(RULE, resources))


def test_capability_and_phase():
    resources = {"Coll": collection(), "Net": policy([rule_set(public=True)])}
    assert findings(RULE, resources, capabilities={Capability.ACTS}) == []
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == []


def test_policy_from_parameter_default_and_fn_if_branches():
    public = json.dumps([rule_set(public=True)])
    private = json.dumps([rule_set(SourceServices=["bedrock.amazonaws.com"])])
    resources = {"Coll": collection(), "Net": policy({"Ref": "Doc"})}
    assert findings(RULE, resources, Parameters={"Doc": {"Type": "String", "Default": public}}) == [(RULE, "Net")]
    assert findings(RULE, resources, Parameters={"Doc": {"Type": "String", "Default": private}}) == []
    resources["Net"] = policy({"Fn::If": ["Open", public, private]})
    assert findings(RULE, resources) == [(RULE, "Net")]
