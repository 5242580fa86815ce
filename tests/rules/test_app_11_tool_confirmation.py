import json

import pytest

from aisec_rules.model import Phase
from aisec_rules.rules.application.tool_confirmation import is_mutating_name
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-11"
LAMBDA = {"Lambda": {"Fn::GetAtt": ["Tool", "Arn"]}}


def agent(*groups):
    return {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a", "ActionGroups": list(groups)}}}


def functions(*fns, executor=LAMBDA, name="orders", **extra):
    return dict({"ActionGroupName": name, "ActionGroupExecutor": executor,
                 "FunctionSchema": {"Functions": list(fns)}}, **extra)


@pytest.mark.parametrize("name", ["createOrder", "create_order", "DeleteUser", "send-email", "pay", "transfer2",
                                  "WRITE_FILE", "removeItem", "putObject", "updateRecord", "PAYLOAD"])
def test_mutating_names(name):
    assert is_mutating_name(name)


@pytest.mark.parametrize("name", ["getOrder", "payload_summary", "Updates", "createorder", "list_sends", "", None, 3])
def test_non_mutating_names(name):
    assert not is_mutating_name(name)


def test_confirmed_mutating_and_read_only_functions_pass():
    group = functions({"Name": "createOrder", "RequireConfirmation": "ENABLED"}, {"Name": "getOrder"})
    assert findings(RULE, agent(group), Phase.ENHANCED) == []
    assert findings(RULE, agent(functions({"Name": "deleteOrder"})), Phase.FOUNDATIONAL) == []


def test_unconfirmed_mutating_functions_fail_one_by_one():
    group = functions({"Name": "createOrder"}, {"Name": "delete_order", "RequireConfirmation": "DISABLED"},
                      {"Name": "getOrder"})
    assert findings(RULE, agent(group)) == [(f"{RULE}[Function::orders/createOrder]", "Agent"),
                                            (f"{RULE}[Function::orders/delete_order]", "Agent")]


def test_return_control_and_disabled_groups_pass():
    returning = functions({"Name": "createOrder"}, executor={"CustomControl": "RETURN_CONTROL"})
    disabled = functions({"Name": "payInvoice"}, name="pay", ActionGroupState="DISABLED")
    assert findings(RULE, agent(returning, disabled)) == []


def test_parameter_default_and_fn_if_are_judged():
    group = functions({"Name": "sendEmail", "RequireConfirmation": {"Ref": "Confirm"}})
    params = {"Parameters": {"Confirm": {"Type": "String", "Default": "DISABLED"}}}
    assert findings(RULE, agent(group), **params) == [(f"{RULE}[Function::orders/sendEmail]", "Agent")]
    assert "from the default of parameter Confirm" in messages(RULE, agent(group), **params)[0]
    executor = {"Fn::If": ["Prod", {"CustomControl": "RETURN_CONTROL"}, LAMBDA]}
    assert findings(RULE, agent(functions({"Name": "payInvoice"}, executor=executor))) == [
        (f"{RULE}[Function::orders/payInvoice]", "Agent")]


def test_inline_openapi_operations():
    spec = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/orders": {"get": {"operationId": "listOrders"}, "post": {"operationId": "placeOrder"}},
        "/orders/{id}": {"delete": {"operationId": "cancel", "x-requireConfirmation": "ENABLED"},
                         "get": {"operationId": "updateCache"}}}}
    group = {"ActionGroupName": "api", "ActionGroupExecutor": LAMBDA, "ApiSchema": {"Payload": json.dumps(spec)}}
    assert findings(RULE, agent(group)) == [(f"{RULE}[Operation::api/GET:/orders/{{id}}]", "Agent"),
                                            (f"{RULE}[Operation::api/POST:/orders]", "Agent")]


def test_yaml_payload_through_fn_sub_and_unreadable_payload():
    yaml_spec = "openapi: 3.0.0\npaths:\n  /pay:\n    put:\n      operationId: ${Prefix}Pay\n"
    good = {"ActionGroupName": "y", "ActionGroupExecutor": LAMBDA, "ApiSchema": {"Payload": {"Fn::Sub": yaml_spec}}}
    bad = {"ActionGroupName": "z", "ActionGroupExecutor": LAMBDA, "ApiSchema": {"Payload": "{not: [valid"}}
    s3 = {"ActionGroupName": "s", "ActionGroupExecutor": LAMBDA, "ApiSchema": {"S3": {"S3BucketName": "b", "S3ObjectKey": "k"}}}
    assert findings(RULE, agent(good, bad, s3)) == [(f"{RULE}[ActionGroup::z]", "Agent"),
                                                    (f"{RULE}[Operation::y/PUT:/pay]", "Agent")]


def test_odd_shapes_do_not_crash():
    odd = {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a", "ActionGroups": "x"}}}
    assert findings(RULE, odd) == []
    group = {"ActionGroupName": "o", "ActionGroupExecutor": "lambda", "FunctionSchema": {"Functions": ["createX", {"Name": 5}]}}
    assert findings(RULE, agent(group, "junk")) == []


def test_unresolvable_action_groups_are_reported():
    resources = {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {
        "AgentName": "a", "ActionGroups": {"Ref": "Groups"}}}}
    assert findings(RULE, resources, Parameters={"Groups": {"Type": "String"}}) == [(f"{RULE}[ActionGroups]", "Agent")]
