"""Hostile inputs of issue 14, built in code (shared by the regression tests and the measurements
in bench/hostile.py): each is small, and each hung, crashed or passed silently before."""
import json

ROLE_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def role(document, logical_id="Role"):
    """A role with one inline policy holding ``document``."""
    return {logical_id: {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": ROLE_TRUST,
        "Policies": [{"PolicyName": "p", "PolicyDocument": document}]}}}


def allow(action="bedrock:*", effect="Allow"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": "*"}]}


def if_chain(n=16, leaf="bedrock:*"):
    """n parameters whose defaults are ``Fn::If [C, Ref next, Ref next]``: 2^n branches."""
    parameters = {f"P{i}": {"Type": "String", "Default": {"Fn::If": ["C", {"Ref": f"P{i + 1}"}, {"Ref": f"P{i + 1}"}]}}
                  for i in range(n)}
    parameters[f"P{n}"] = {"Type": "String", "Default": leaf}
    return {"Parameters": parameters, "Conditions": {"C": {"Fn::Equals": ["a", "b"]}},
            "Resources": role(allow({"Ref": "P0"}))}


def alias_bomb(levels=20):
    """A YAML billion-laughs document of a few hundred bytes, where a rule serializes it (the SDK
    call of a Custom::AWS resource)."""
    lines = ['a0: &a0 ["x", "x"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, levels)]
    lines.append("Resources:")
    lines.append("  Agent: {Type: AWS::Bedrock::Agent, Properties: {AgentName: a}}")
    lines.append(f"  R: {{Type: Custom::AWS, Properties: {{Create: *a{levels - 1}}}}}")
    return "\n".join(lines) + "\n"


def deep_nesting(depth=3000):
    return '{"Resources": {"R": {"Type": "AWS::SNS::Topic", "Properties": {"X": ' + "[" * depth + "]" * depth + "}}}}"


def backtracking_action():
    return "bedrock:" + "*?" * 16 + "Q"


def dumps(data):
    return json.dumps(data)
