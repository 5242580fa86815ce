import pytest

from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-03"

TRUST = {"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                                 "Principal": {"Service": "bedrock.amazonaws.com"}}]}


def cdk_managed(name):
    """How CDK synthesizes iam.ManagedPolicy.fromAwsManagedPolicyName(name)."""
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::aws:policy/{name}"]]}


def role(arns, logical_id="AgentRoleA1B2C3D4", rtype="AWS::IAM::Role"):
    props = {"ManagedPolicyArns": arns}
    if rtype == "AWS::IAM::Role":
        props["AssumeRolePolicyDocument"] = TRUST
    return {logical_id: {"Type": rtype, "Properties": props}}


def test_narrow_policies_pass():
    resources = {
        **role([cdk_managed("service-role/AWSLambdaBasicExecutionRole"),
                "arn:aws:iam::aws:policy/AmazonBedrockReadOnly",
                "arn:aws:iam::123456789012:policy/AdministratorAccess",  # customer managed: not the AWS policy
                {"Ref": "InvokePolicy"},
                {"Fn::ImportValue": "shared-policy-arn"}]),
        "InvokePolicy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel",
                                                    "Resource": "arn:aws:bedrock:us-east-1::foundation-model/a.b"}]}}},
    }
    assert findings(RULE, resources) == []


def test_cdk_shape_fails_per_policy():
    resources = role([cdk_managed("AdministratorAccess"), cdk_managed("AmazonBedrockFullAccess"),
                      cdk_managed("service-role/AWSLambdaBasicExecutionRole")])
    assert findings(RULE, resources) == [("AISEC-DATA-03[AdministratorAccess]", "AgentRoleA1B2C3D4"),
                                         ("AISEC-DATA-03[AmazonBedrockFullAccess]", "AgentRoleA1B2C3D4")]


@pytest.mark.parametrize("name", ["AmazonBedrockFullAccess", "AmazonSageMakerFullAccess", "AdministratorAccess",
                                  "PowerUserAccess", "BedrockAgentCoreFullAccess"])
def test_every_listed_policy_fails(name):
    assert findings(RULE, role([f"arn:aws:iam::aws:policy/{name}"])) == [(f"AISEC-DATA-03[{name}]", "AgentRoleA1B2C3D4")]


def test_paths_partitions_and_sub_are_matched():
    resources = role(["arn:aws-us-gov:iam::aws:policy/job-function/AdministratorAccess",
                      {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonSageMakerFullAccess"}])
    assert findings(RULE, resources) == [("AISEC-DATA-03[AdministratorAccess]", "AgentRoleA1B2C3D4"),
                                         ("AISEC-DATA-03[AmazonSageMakerFullAccess]", "AgentRoleA1B2C3D4")]


def test_users_and_groups_are_checked_but_managed_policies_are_not_in_scope():
    resources = {
        **role(["arn:aws:iam::aws:policy/PowerUserAccess"], "Dev", "AWS::IAM::User"),
        **role(["arn:aws:iam::aws:policy/PowerUserAccess"], "Devs", "AWS::IAM::Group"),
        "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]},
            "Roles": ["arn:aws:iam::aws:policy/AdministratorAccess"]}},
    }
    assert findings(RULE, resources) == [("AISEC-DATA-03[PowerUserAccess]", "Dev"),
                                         ("AISEC-DATA-03[PowerUserAccess]", "Devs")]


def test_each_fn_if_branch_is_judged():
    item_level = role([{"Fn::If": ["IsDev", cdk_managed("AdministratorAccess"), {"Ref": "AWS::NoValue"}]}])
    assert findings(RULE, item_level) == [("AISEC-DATA-03[AdministratorAccess]", "AgentRoleA1B2C3D4")]
    assert "when condition IsDev is true" in messages(RULE, item_level)[0]
    list_level = role({"Fn::If": ["IsDev", ["arn:aws:iam::aws:policy/AmazonBedrockFullAccess"],
                                  ["arn:aws:iam::aws:policy/AmazonBedrockReadOnly"]]})
    assert findings(RULE, list_level) == [("AISEC-DATA-03[AmazonBedrockFullAccess]", "AgentRoleA1B2C3D4")]


def test_parameter_defaults_are_judged():
    whole = role([{"Ref": "ExtraPolicy"}])
    params = {"Parameters": {"ExtraPolicy": {"Type": "String", "Default": "arn:aws:iam::aws:policy/AdministratorAccess"}}}
    assert findings(RULE, whole, **params) == [("AISEC-DATA-03[AdministratorAccess]", "AgentRoleA1B2C3D4")]
    assert "from the default of parameter ExtraPolicy" in messages(RULE, whole, **params)[0]
    name_only = role([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/${PolicyName}"}])
    params = {"Parameters": {"PolicyName": {"Type": "String", "Default": "AmazonBedrockFullAccess"}}}
    assert findings(RULE, name_only, **params) == [("AISEC-DATA-03[AmazonBedrockFullAccess]", "AgentRoleA1B2C3D4")]


def test_parameter_without_default_is_unverifiable():
    whole = role([{"Ref": "ExtraPolicy"}])
    params = {"Parameters": {"ExtraPolicy": {"Type": "String"}}}
    assert findings(RULE, whole, **params) == [("AISEC-DATA-03", "AgentRoleA1B2C3D4")]
    assert "cannot be verified" in messages(RULE, whole, **params)[0]
    name_only = role([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/${PolicyName}"}])
    params = {"Parameters": {"PolicyName": {"Type": "String"}}}
    assert findings(RULE, name_only, **params) == [("AISEC-DATA-03", "AgentRoleA1B2C3D4")]


def test_the_same_policy_twice_is_one_finding():
    resources = role(["arn:aws:iam::aws:policy/AdministratorAccess", cdk_managed("AdministratorAccess")])
    assert len(messages(RULE, resources)) == 1


def test_odd_shapes_do_not_crash():
    single_string = role("arn:aws:iam::aws:policy/AdministratorAccess")
    assert findings(RULE, single_string) == [("AISEC-DATA-03[AdministratorAccess]", "AgentRoleA1B2C3D4")]
    junk = role([None, 3, {"Key": "v"}, ["nested"], "not-an-arn"])
    assert findings(RULE, junk) == [("AISEC-DATA-03", "AgentRoleA1B2C3D4")]
    assert findings(RULE, {"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}}}) == []


def test_other_full_access_policies_fail_on_ai_workload_roles_only():
    arns = [cdk_managed("AmazonS3FullAccess"), "arn:aws:iam::aws:policy/IAMFullAccess",
            {"Fn::If": ["Dev", cdk_managed("AWSLambda_FullAccess"), cdk_managed("AWSLambda_ReadOnlyAccess")]},
            cdk_managed("AmazonS3ReadOnlyAccess")]
    assert findings(RULE, role(arns)) == [(f"{RULE}[AWSLambda_FullAccess]", "AgentRoleA1B2C3D4"),
                                          (f"{RULE}[AmazonS3FullAccess]", "AgentRoleA1B2C3D4"),
                                          (f"{RULE}[IAMFullAccess]", "AgentRoleA1B2C3D4")]
    text = " ".join(messages(RULE, role(arns)))
    assert "trusted by bedrock.amazonaws.com" in text and "when condition Dev is true" in text
    ops = role(arns, logical_id="OpsRole")
    ops["OpsRole"]["Properties"]["AssumeRolePolicyDocument"] = {"Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}}]}
    assert findings(RULE, ops) == []
    assert findings(RULE, role(arns, logical_id="Group", rtype="AWS::IAM::Group")) == []
