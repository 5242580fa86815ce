"""The IAM statement view: every branch of Fn::If, JSON-string documents, and clean values."""
from aisec_rules.read import iam
from aisec_rules.read.template import Template

ALLOW_ALL_BEDROCK = {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}


def statements(resources, **sections):
    return iam.statements(Template({"Resources": resources, **sections}))


def role(policies):
    return {"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}, "Policies": policies}}}


def test_policy_item_under_fn_if_yields_each_branch():
    policy = {"Fn::If": ["C", {"PolicyName": "p", "PolicyDocument": {"Statement": [ALLOW_ALL_BEDROCK]}},
                         {"Ref": "AWS::NoValue"}]}
    found = statements(role([policy]))
    assert [(s.resource, s.raw) for s in found] == [("R", ALLOW_ALL_BEDROCK)]


def test_statement_item_under_fn_if_and_document_under_fn_if():
    document = {"Fn::If": ["C", {"Statement": [{"Fn::If": ["D", ALLOW_ALL_BEDROCK, {"Ref": "AWS::NoValue"}]}]},
                           {"Statement": []}]}
    found = statements({"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": document}}})
    assert [s.raw for s in found] == [ALLOW_ALL_BEDROCK]


def test_json_string_document_built_with_fn_sub():
    document = {"Fn::Sub": '{"Statement": [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "arn:${AWS::Partition}:x"}]}'}
    found = statements({"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": document}}})
    assert [v.raw for v in found[0].actions] == ["bedrock:*"]
    assert [v.raw for v in found[0].resources] == ["arn:${AWS::Partition}:x"]


def test_no_value_branch_inside_action_list_is_dropped():
    statement = {"Effect": "Allow", "Action": ["s3:GetObject", {"Fn::If": ["C", "bedrock:*", {"Ref": "AWS::NoValue"}]}],
                 "Resource": "*"}
    found = statements(role([{"PolicyName": "p", "PolicyDocument": {"Statement": statement}}]))
    assert [v.raw for v in found[0].actions] == ["s3:GetObject", "bedrock:*"]


def test_ssm_parameter_default_is_not_taken_as_the_value():
    template = Template({"Parameters": {"M": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/app/model"}},
                         "Resources": {}})
    [value] = template.resolve({"Ref": "M"})
    assert not value.known and "read from SSM at deploy time" in value.origin
