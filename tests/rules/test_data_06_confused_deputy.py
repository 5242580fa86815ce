from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-06"


def role(service, condition=None, name="Role"):
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition is not None:
        statement["Condition"] = condition
    return {name: {"Type": "AWS::IAM::Role",
                   "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}}}


ACCOUNT = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_source_account_or_arn_passes():
    assert findings(RULE, role("bedrock.amazonaws.com", ACCOUNT)) == []
    assert findings(RULE, role("sagemaker.amazonaws.com", {"ArnLike": {"AWS:SourceArn": "arn:aws:sagemaker:*:1:*"}})) == []


def test_missing_condition_fails_for_each_ai_service():
    for service in ("bedrock.amazonaws.com", "bedrock-agentcore.amazonaws.com", "sagemaker.amazonaws.com"):
        assert findings(RULE, role(service)) == [(RULE, "Role")]
    assert "bedrock-agentcore.amazonaws.com" in messages(RULE, role(["lambda.amazonaws.com",
                                                                     "bedrock-agentcore.amazonaws.com"]))[0]


def test_org_condition_is_not_enough_and_other_services_are_not_judged():
    assert findings(RULE, role("bedrock.amazonaws.com", {"StringEquals": {"aws:SourceOrgID": "o-1"}})) == [(RULE, "Role")]
    assert findings(RULE, role("lambda.amazonaws.com")) == []


def test_intrinsic_service_principal_and_json_string_document():
    sub = role({"Fn::Join": ["", ["bedrock.", {"Ref": "AWS::URLSuffix"}]]})
    assert findings(RULE, sub) == [(RULE, "Role")]
    text = {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument":
            '{"Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'}}}
    assert findings(RULE, text) == [(RULE, "Role")]


def test_each_fn_if_branch_is_judged():
    resources = {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
        {"Fn::If": ["Guarded",
                    {"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole",
                     "Condition": ACCOUNT},
                    {"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}]}]}}}}
    assert findings(RULE, resources) == [(RULE, "Role")]


def test_phase_and_odd_shapes():
    assert findings(RULE, role("bedrock.amazonaws.com"), Phase.FOUNDATIONAL) == []
    odd = {"A": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": "not json"}},
           "B": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": "x"}}},
           "C": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
               {"Effect": "Allow", "Principal": "*"}]}}}}
    assert findings(RULE, odd) == []


def test_other_service_roles_an_ai_workload_uses_need_the_condition_too():
    flow_role = role(["bedrock.amazonaws.com", "states.amazonaws.com"], name="FlowRole")
    flow = {"Flow": {"Type": "AWS::Bedrock::Flow", "Properties": {
        "Name": "f", "ExecutionRoleArn": {"Fn::GetAtt": ["FlowRole", "Arn"]}}}}
    scheduler = role("scheduler.amazonaws.com", name="ScheduleRole")
    endpoint = {"Endpoint": {"Type": "AWS::SageMaker::Model", "Properties": {
        "ExecutionRoleArn": {"Fn::If": ["Prod", {"Fn::GetAtt": ["ScheduleRole", "Arn"]}, "arn:aws:iam::1:role/x"]}}}}
    resources = {**flow_role, **flow, **scheduler, **endpoint, **role("firehose.amazonaws.com", name="Unused")}
    assert findings(RULE, resources) == [(RULE, "FlowRole"), (f"{RULE}[Service::scheduler.amazonaws.com]", "ScheduleRole"),
                                         (f"{RULE}[Service::states.amazonaws.com]", "FlowRole")]
    text = " ".join(messages(RULE, resources))
    assert "trusted by bedrock.amazonaws.com" in text and "referenced by Endpoint" in text
    guarded = {**role("scheduler.amazonaws.com", ACCOUNT, name="ScheduleRole"), **endpoint}
    assert findings(RULE, guarded) == []


def test_compute_services_that_receive_roles_through_pass_role_are_exempt():
    tool_role = role("lambda.amazonaws.com", name="ToolRole")
    tool = {"Tool": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["ToolRole", "Arn"]}}},
            "Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a", "ActionGroups": [
                {"ActionGroupName": "g", "ActionGroupExecutor": {"Lambda": {"Fn::GetAtt": ["Tool", "Arn"]}}}]}}}
    assert findings(RULE, {**tool_role, **tool}) == []
    both = role(["lambda.amazonaws.com", "events.amazonaws.com"], name="ToolRole")
    assert findings(RULE, {**both, **tool}) == [(f"{RULE}[Service::events.amazonaws.com]", "ToolRole")]
