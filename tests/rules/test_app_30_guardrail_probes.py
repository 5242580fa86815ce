from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-30"
GUARDRAIL = {"Type": "AWS::Bedrock::Guardrail", "Properties": {
    "Name": "g", "BlockedInputMessaging": "no", "BlockedOutputsMessaging": "no"}}
FUNCTION = {"Type": "AWS::Lambda::Function", "Properties": {
    "Role": {"Fn::GetAtt": ["ProbeRole", "Arn"]}, "Runtime": "python3.13", "Handler": "index.handler",
    "Code": {"ZipFile": "def handler(e, c): pass"}}}


def role(resource=None, action="bedrock:ApplyGuardrail", **extra):
    statement = {"Effect": "Allow", "Action": action,
                 "Resource": resource if resource is not None else {"Fn::GetAtt": ["Guardrail", "GuardrailArn"]}}
    props = {"AssumeRolePolicyDocument": {"Statement": []}, "Policies": [
        {"PolicyName": "probe", "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}]}
    props.update(extra)
    return {"Type": "AWS::IAM::Role", "Properties": props}


def schedule(state=None, arn=None):
    props = {"ScheduleExpression": "rate(1 day)", "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": {
        "Arn": arn or {"Fn::GetAtt": ["ProbeFunction", "Arn"]}, "RoleArn": "arn:aws:iam::1:role/scheduler"}}
    if state is not None:
        props["State"] = state
    return {"Type": "AWS::Scheduler::Schedule", "Properties": props}


def system(**overrides):
    resources = {"Guardrail": GUARDRAIL, "ProbeFunction": FUNCTION, "ProbeRole": role(), "Schedule": schedule()}
    resources.update(overrides)
    return {k: v for k, v in resources.items() if v is not None}


def test_a_scheduled_function_allowed_to_apply_the_guardrail_passes():
    assert findings(RULE, system()) == []
    assert findings(RULE, system(Schedule=schedule("ENABLED"))) == []


def test_only_at_advanced():
    assert findings(RULE, {"Guardrail": GUARDRAIL}, Phase.ENHANCED) == []


def test_a_guardrail_without_a_probe_schedule_fails():
    assert findings(RULE, {"Guardrail": GUARDRAIL}) == [(RULE, "Guardrail")]
    assert findings(RULE, system(Schedule=None)) == [(RULE, "Guardrail")]
    other = dict(GUARDRAIL)
    assert findings(RULE, system(Other=other)) == [(RULE, "Other")]


def test_a_disabled_schedule_does_not_count_and_the_message_says_why():
    resources = system(Schedule=schedule("DISABLED"))
    assert findings(RULE, resources) == [(RULE, "Guardrail")]
    assert "(schedule Schedule is not enabled)" in messages(RULE, resources)[0]


def test_a_wildcard_or_another_action_does_not_name_the_guardrail():
    resources = system(ProbeRole=role("*"))
    assert findings(RULE, resources) == [(RULE, "Guardrail")]
    assert "function ProbeFunction may apply any guardrail (Resource *) but names none" in messages(RULE, resources)[0]
    assert findings(RULE, system(ProbeRole=role(action="bedrock:InvokeModel"))) == [(RULE, "Guardrail")]
    assert findings(RULE, system(ProbeRole=role(action="bedrock:*"))) == []


def test_a_scheduled_event_rule_and_an_attached_policy_qualify():
    policy = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": [{"Ref": "ProbeRole"}],
              "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["bedrock:ApplyGuardrail"], "Resource": {
                  "Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:guardrail/"
                             "${Guardrail.GuardrailId}"}}]}}}
    bare = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": []}}}
    rule = {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "cron(0 6 * * ? *)", "Targets": [
        {"Id": "probe", "Arn": {"Fn::GetAtt": ["ProbeFunction", "Arn"]}}]}}
    assert findings(RULE, system(ProbeRole=bare, Policy=policy, Schedule=None, Rule=rule)) == []
    event_driven = {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["aws.bedrock"]},
                                                                  "Targets": rule["Properties"]["Targets"]}}
    assert findings(RULE, system(ProbeRole=bare, Policy=policy, Schedule=None, Rule=event_driven)) == [
        (RULE, "Guardrail")]


def test_a_managed_policy_listed_by_the_role_and_an_alias_target_qualify():
    managed = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "bedrock:ApplyGuardrail", "Resource": {"Ref": "Guardrail"}}]}}}
    bare = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": []},
                                                     "ManagedPolicyArns": [{"Ref": "Managed"}]}}
    alias = {"Type": "AWS::Lambda::Alias", "Properties": {"Name": "live", "FunctionVersion": "1",
                                                          "FunctionName": {"Ref": "ProbeFunction"}}}
    assert findings(RULE, system(ProbeRole=bare, Managed=managed, Live=alias,
                                 Schedule=schedule(arn={"Ref": "Live"}))) == []


def test_state_from_a_parameter_default_and_either_branch_of_a_condition():
    params = {"Parameters": {"State": {"Type": "String", "Default": "DISABLED"}, "Open": {"Type": "String"}}}
    assert findings(RULE, system(Schedule=schedule({"Ref": "State"})), **params) == [(RULE, "Guardrail")]
    assert findings(RULE, system(Schedule=schedule({"Ref": "Open"})), **params) == [(RULE, "Guardrail")]
    conditional = schedule({"Fn::If": ["Prod", "ENABLED", "DISABLED"]})
    assert findings(RULE, system(Schedule=conditional), Conditions={"Prod": {"Fn::Equals": ["a", "b"]}}) == [
        (RULE, "Guardrail")]
    both = schedule({"Fn::If": ["Prod", "ENABLED", {"Ref": "AWS::NoValue"}]})
    assert findings(RULE, system(Schedule=both), Conditions={"Prod": {"Fn::Equals": ["a", "b"]}}) == []


def test_a_resource_under_fn_if_and_odd_shapes_do_not_crash():
    branches = role({"Fn::If": ["Prod", {"Fn::GetAtt": ["Guardrail", "GuardrailArn"]}, "*"]})
    assert findings(RULE, system(ProbeRole=branches), Conditions={"Prod": {"Fn::Equals": ["a", "b"]}}) == []
    odd = system(Schedule={"Type": "AWS::Scheduler::Schedule", "Properties": {"Target": "nope", "State": 3}},
                 Rule={"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "rate(1 day)", "Targets": "x"}},
                 ProbeFunction={"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::1:role/r"}})
    assert findings(RULE, odd) == [(RULE, "Guardrail")]
