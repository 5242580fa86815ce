import json

from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-12"
ROLE_ARN = "arn:aws:iam::123456789012:role/kb-role"


def data_policy(policy, kind="data"):
    return {"Access": {"Type": "AWS::OpenSearchServerless::AccessPolicy",
                       "Properties": {"Name": "kb-access", "Type": kind,
                                      "Policy": policy if not isinstance(policy, list) else json.dumps(policy)}}}


def entry(principals, index_resource="index/kb-collection/*", permission=("aoss:ReadDocument", "aoss:DescribeIndex"),
          collection_resource="collection/kb-collection"):
    return {"Rules": [
        {"ResourceType": "index", "Resource": [index_resource], "Permission": list(permission)},
        {"ResourceType": "collection", "Resource": [collection_resource], "Permission": ["aoss:DescribeCollectionItems"]},
    ], "Principal": principals, "Description": "knowledge base access"}


def vector_bucket_policy(policy):
    return {"VectorPolicy": {"Type": "AWS::S3Vectors::VectorBucketPolicy",
                             "Properties": {"VectorBucketName": "kb-vectors", "Policy": policy}}}


def vector_statement(principal, effect="Allow"):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": effect, "Principal": principal, "Action": ["s3vectors:QueryVectors", "s3vectors:GetVectors"],
        "Resource": "arn:aws:s3vectors:us-east-1:123456789012:bucket/kb-vectors/index/*"}]}


def test_explicit_role_on_named_collection_passes():
    assert findings(RULE, data_policy([entry([ROLE_ARN])])) == []


def test_cdk_joined_policy_with_role_reference_passes():
    joined = {"Fn::Join": ["", [
        '[{"Rules":[{"ResourceType":"index","Resource":["index/', {"Ref": "CollectionName"},
        '/*"],"Permission":["aoss:ReadDocument"]}],"Principal":["', {"Fn::GetAtt": ["KbRole", "Arn"]}, '"]}]']]}
    assert findings(RULE, data_policy(joined)) == []


def test_wildcard_principal_fails_with_its_text_as_detail():
    resources = data_policy([entry([ROLE_ARN, "*"])])
    assert findings(RULE, resources) == [(f"{RULE}[Principal::*]", "Access")]


def test_principal_with_wildcard_inside_fails():
    resources = data_policy([entry(["arn:aws:iam::123456789012:role/*"])])
    assert findings(RULE, resources) == [(f"{RULE}[Principal::arn:aws:iam::123456789012:role/*]", "Access")]


def test_account_root_principal_fails():
    for root in ("arn:aws:iam::123456789012:root", "123456789012", "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"):
        resources = data_policy([entry([ROLE_ARN, root])])
        assert findings(RULE, resources) == [(f"{RULE}[Principal::{root}]", "Access")], root
    assert "admits every identity of the account" in messages(RULE, data_policy([entry(["123456789012"])]))[0]


def test_aoss_star_or_star_on_a_named_collection_fails():
    for permission in ("aoss:*", "*", "AOSS:*", "aoss:?*"):
        resources = data_policy([entry([ROLE_ARN], permission=(permission,))])
        assert findings(RULE, resources) == [(f"{RULE}[Permission::aoss:*]", "Access")], permission
    message = messages(RULE, data_policy([entry([ROLE_ARN], permission=("aoss:*",))]))[0]
    assert message.startswith("Policy[0].Rules[0] grants aoss:* on 'index/kb-collection/*' (every operation on its data)")


def test_aoss_star_on_every_collection_fails_once_per_rule():
    resources = data_policy([entry([ROLE_ARN], index_resource="index/*/*", permission=("aoss:*",))])
    assert findings(RULE, resources) == [(f"{RULE}[Permission::aoss:*]", "Access")]
    resources = data_policy([{"Rules": [{"ResourceType": "collection", "Resource": ["collection/*"],
                                         "Permission": ["aoss:*"]}], "Principal": [ROLE_ARN]}])
    assert findings(RULE, resources) == [(f"{RULE}[Permission::aoss:*]", "Access")]


def test_narrow_permission_on_every_index_or_star_on_prefix_passes():
    assert findings(RULE, data_policy([entry([ROLE_ARN], index_resource="index/*/*",
                                             permission=("aoss:ReadDocument", "aoss:DescribeIndex"))])) == []
    assert findings(RULE, data_policy([entry([ROLE_ARN], index_resource="index/kb-*/*")])) == []


def test_both_problems_are_reported_separately():
    resources = data_policy([entry(["*"], index_resource="index/*/*", permission=("aoss:*",))])
    assert findings(RULE, resources) == [(f"{RULE}[Permission::aoss:*]", "Access"), (f"{RULE}[Principal::*]", "Access")]


def test_sub_principal_built_from_parameter_default_is_judged():
    sub = {"Fn::Sub": '[{"Rules":[{"ResourceType":"index","Resource":["index/kb/*"],"Permission":["aoss:ReadDocument"]}],'
                      '"Principal":["arn:aws:iam::${AWS::AccountId}:role/${RoleName}"]}]'}
    params = {"Parameters": {"RoleName": {"Type": "String", "Default": "*"}}}
    assert findings(RULE, data_policy(sub), **params) == [
        (f"{RULE}[Principal::arn:aws:iam::${{AWS::AccountId}}:role/*]", "Access")]
    assert "from the default of parameter RoleName" in messages(RULE, data_policy(sub), **params)[0]
    params = {"Parameters": {"RoleName": {"Type": "String", "Default": "kb-role"}}}
    assert findings(RULE, data_policy(sub), **params) == []
    params = {"Parameters": {"RoleName": {"Type": "String"}}}
    result = findings(RULE, data_policy(sub), **params)
    assert result == [(f"{RULE}[Principal::arn:aws:iam::${{AWS::AccountId}}:role/${{RoleName}}]", "Access")]
    assert "cannot be verified" in messages(RULE, data_policy(sub), **params)[0]


def test_unparseable_policy_cannot_be_verified():
    resources = data_policy("not json")
    assert findings(RULE, resources) == [(RULE, "Access")]
    assert "cannot be verified" in messages(RULE, resources)[0]
    # an Fn::Join over Fn::If branches is judged on each text it may take
    resources = data_policy({"Fn::Join": ["", ['[{"Principal":["', {"Fn::If": ["C", ROLE_ARN, "*"]}, '"]}]']]})
    assert findings(RULE, resources) == [(f"{RULE}[Principal::*]", "Access")]
    assert "when condition C is false" in messages(RULE, resources)[0]


def test_fn_if_branches_are_judged():
    resources = data_policy({"Fn::If": ["IsDev", json.dumps([entry(["*"])]), json.dumps([entry([ROLE_ARN])])]})
    assert findings(RULE, resources) == [(f"{RULE}[Principal::*]", "Access")]
    assert "IsDev is true" in messages(RULE, resources)[0]


def test_odd_shapes_do_not_crash():
    assert findings(RULE, data_policy(json.dumps({"Rules": "x", "Principal": ROLE_ARN}))) == []
    assert findings(RULE, data_policy(json.dumps([42])))[0] == (RULE, "Access")
    assert findings(RULE, data_policy(json.dumps([{"Rules": [None, {"Resource": "index/*/*",
                                                                      "Permission": "aoss:*"}]}]))) == [
        (f"{RULE}[Permission::aoss:*]", "Access")]
    assert findings(RULE, {"Access": {"Type": "AWS::OpenSearchServerless::AccessPolicy", "Properties": {}}}) == []


def test_only_data_policies_are_judged():
    assert findings(RULE, data_policy([entry(["*"])], kind="other")) == []


def test_rule_needs_the_connects_capability():
    resources = data_policy([entry(["*"])])
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == []
    assert findings(RULE, resources, Phase.FOUNDATIONAL, capabilities={Capability.CONNECTS}) != []


def test_vector_bucket_policy_with_named_role_passes():
    assert findings(RULE, vector_bucket_policy(vector_statement({"AWS": ROLE_ARN}))) == []
    assert findings(RULE, vector_bucket_policy(vector_statement({"AWS": {"Fn::GetAtt": ["KbRole", "Arn"]}}))) == []
    assert findings(RULE, vector_bucket_policy(vector_statement("*", effect="Deny"))) == []


def test_vector_bucket_policy_public_principal_fails():
    for principal in ("*", {"AWS": "*"}, {"AWS": [ROLE_ARN, "*"]}):
        assert findings(RULE, vector_bucket_policy(vector_statement(principal))) == [(f"{RULE}[Principal::*]", "VectorPolicy")]


def test_vector_bucket_policy_as_json_string_and_parameter():
    policy = json.dumps(vector_statement({"AWS": "*"}))
    assert findings(RULE, vector_bucket_policy(policy)) == [(f"{RULE}[Principal::*]", "VectorPolicy")]
    params = {"Parameters": {"Who": {"Type": "String", "Default": "*"}}}
    resources = vector_bucket_policy(vector_statement({"AWS": {"Ref": "Who"}}))
    assert findings(RULE, resources, **params) == [(f"{RULE}[Principal::*]", "VectorPolicy")]
    assert "from the default of parameter Who" in messages(RULE, resources, **params)[0]


def test_vector_bucket_policy_single_statement_object_and_odd_shapes():
    policy = {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3vectors:*", "Resource": "*"}}
    assert findings(RULE, vector_bucket_policy(policy)) == [(f"{RULE}[Principal::*]", "VectorPolicy")]
    assert findings(RULE, vector_bucket_policy({"Statement": ["x", 3]})) == []
    assert findings(RULE, vector_bucket_policy(["odd"])) == []
    assert "cannot be verified" in messages(RULE, vector_bucket_policy("{broken"))[0]
