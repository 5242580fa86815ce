"""AISEC-APP-34: no anonymous model access through a Cognito identity pool; MFA and threat protection from
Enhanced."""
from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-34"


def pool(allow_unauthenticated=True, actions=("bedrock:InvokeModel",), role_value=None, attach=True):
    resources = {
        "Pool": {"Type": "AWS::Cognito::IdentityPool",
                 "Properties": {"AllowUnauthenticatedIdentities": allow_unauthenticated}},
        "Guest": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{
                "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity"}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}}]}},
    }
    if attach:
        resources["Roles"] = {"Type": "AWS::Cognito::IdentityPoolRoleAttachment", "Properties": {
            "IdentityPoolId": {"Ref": "Pool"},
            "Roles": {"unauthenticated": role_value or {"Fn::GetAtt": ["Guest", "Arn"]}}}}
    return resources


def user_pool(**properties):
    return {"Users": {"Type": "AWS::Cognito::UserPool", "Properties": properties}}


def test_an_anonymous_role_that_may_call_a_model_fails():
    assert findings(RULE, pool(), Phase.FOUNDATIONAL) == [("AISEC-APP-34[Roles.unauthenticated]", "Pool")]
    text = messages(RULE, pool(), Phase.FOUNDATIONAL)[0]
    assert "unauthenticated role Guest may call bedrock:InvokeModel" in text
    wide = pool(actions=("bedrock-agentcore:*", "bedrock:*"))
    assert "and 8 more" in messages(RULE, wide, Phase.FOUNDATIONAL)[0]


def test_pools_without_anonymous_identities_or_without_model_actions_pass():
    assert findings(RULE, pool(allow_unauthenticated=False), Phase.FOUNDATIONAL) == []
    assert findings(RULE, pool(actions=("cognito-sync:*", "mobileanalytics:PutEvents")), Phase.FOUNDATIONAL) == []
    denied = pool(actions=("*",))
    denied["Guest"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].append(
        {"Effect": "Deny", "Action": ["bedrock:*", "bedrock-agentcore:*"], "Resource": "*"})
    assert findings(RULE, denied, Phase.FOUNDATIONAL) == []


def test_what_cannot_be_judged_is_unverifiable():
    outside = pool(role_value="arn:aws:iam::111111111111:role/guest")
    assert findings(RULE, outside, Phase.FOUNDATIONAL) == [("AISEC-APP-34[Unverifiable::Roles.unauthenticated]", "Pool")]
    assert "is not in this template" in messages(RULE, outside, Phase.FOUNDATIONAL)[0]
    assert findings(RULE, pool(attach=False), Phase.FOUNDATIONAL) == [
        ("AISEC-APP-34[Unverifiable::Roles.unauthenticated]", "Pool")]
    unknown = pool(allow_unauthenticated={"Ref": "Guests"})
    assert findings(RULE, unknown, Phase.FOUNDATIONAL, Parameters={"Guests": {"Type": "String"}}) == [
        ("AISEC-APP-34[Unverifiable::AllowUnauthenticatedIdentities]", "Pool")]


def test_intrinsics_parameter_default_and_fn_if():
    by_default = pool(allow_unauthenticated={"Ref": "Guests"})
    assert findings(RULE, by_default, Phase.FOUNDATIONAL, Parameters={"Guests": {"Type": "String", "Default": "true"}}) \
        == [("AISEC-APP-34[Roles.unauthenticated]", "Pool")]
    assert "(from the default of parameter Guests)" in messages(
        RULE, by_default, Phase.FOUNDATIONAL, Parameters={"Guests": {"Type": "String", "Default": "true"}})[0]
    branch = pool(allow_unauthenticated={"Fn::If": ["Demo", True, False]})
    assert findings(RULE, branch, Phase.FOUNDATIONAL) == [("AISEC-APP-34[Roles.unauthenticated]", "Pool")]


def test_user_pools_need_mfa_and_enforced_threat_protection_from_enhanced():
    weak = user_pool(MfaConfiguration="OPTIONAL", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    assert findings(RULE, weak, Phase.FOUNDATIONAL) == []
    assert findings(RULE, weak, Phase.ENHANCED) == [("AISEC-APP-34[AdvancedSecurityMode]", "Users"),
                                                    ("AISEC-APP-34[MfaConfiguration]", "Users")]
    assert findings(RULE, user_pool(), Phase.ENHANCED) == [("AISEC-APP-34[AdvancedSecurityMode]", "Users"),
                                                           ("AISEC-APP-34[MfaConfiguration]", "Users")]
    strong = user_pool(MfaConfiguration="ON", UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    assert findings(RULE, strong, Phase.ADVANCED) == []
    by_default = user_pool(MfaConfiguration={"Ref": "Mfa"}, UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    assert findings(RULE, by_default, Phase.ENHANCED, Parameters={"Mfa": {"Type": "String", "Default": "OFF"}}) == [
        ("AISEC-APP-34[MfaConfiguration]", "Users")]
