from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages
from tests.rules.test_inf_01_private_endpoints import endpoint, network, tool

RULE = "AISEC-INF-12"


def flow_log(resource_id=None, traffic="ALL", kind="VPC"):
    props = {"ResourceType": kind, "ResourceId": resource_id or {"Ref": "Vpc"},
             "LogDestinationType": "cloud-watch-logs", "LogGroupName": "flow",
             "DeliverLogsPermissionArn": "arn:aws:iam::123456789012:role/flow"}
    if traffic is not None:
        props["TrafficType"] = traffic
    return {"Type": "AWS::EC2::FlowLog", "Properties": props}


def test_vpc_with_all_traffic_flow_log_passes():
    assert findings(RULE, {**network(), "Tool": tool(), "Log": flow_log()}) == []


def test_missing_flow_log_fails_on_the_vpc():
    assert findings(RULE, {**network(), "Tool": tool()}) == [(RULE, "Vpc")]
    assert findings(RULE, {**network(), "Ep": endpoint("bedrock-runtime")}) == [(RULE, "Vpc")]


def test_partial_traffic_or_subnet_logs_fail():
    resources = {**network(), "Tool": tool(), "Log": flow_log(traffic="REJECT")}
    assert findings(RULE, resources) == [(RULE, "Vpc")]
    assert "only REJECT" in messages(RULE, resources)[0]
    assert findings(RULE, {**network(), "Tool": tool(), "Log": flow_log(traffic=None)}) == [(RULE, "Vpc")]
    subnet_log = flow_log(resource_id={"Ref": "Subnet"}, kind="Subnet")
    assert findings(RULE, {**network(), "Tool": tool(), "Log": subnet_log}) == [(RULE, "Vpc")]


def test_vpc_without_ai_is_not_checked():
    assert findings(RULE, network()) == []
    assert findings(RULE, {**network(), "Ep": endpoint("kms")}) == []


def test_traffic_type_from_parameter_default():
    resources = {**network(), "Tool": tool(), "Log": flow_log(traffic={"Ref": "Traffic"})}
    params = {"Parameters": {"Traffic": {"Type": "String", "Default": "ACCEPT"}}}
    assert findings(RULE, resources, **params) == [(RULE, "Vpc")]
    params = {"Parameters": {"Traffic": {"Type": "String"}}}
    assert findings(RULE, resources, **params) == [(RULE, "Vpc")]
    assert "cannot be verified" in messages(RULE, resources, **params)[0]


def test_external_vpc_matches_by_import_and_unknown_subnets_need_acknowledgement():
    imported = {"Fn::ImportValue": "Net-VpcId"}
    resources = {"Ep": endpoint("bedrock-runtime", vpc=imported)}
    assert findings(RULE, resources) == [(RULE, "Ep")]
    assert "acknowledge this finding" in messages(RULE, resources)[0]
    resources["Log"] = flow_log(resource_id=imported)
    assert findings(RULE, resources) == []
    resources = {"Tool": tool(subnets=["subnet-0123456789abcdef0"])}
    assert findings(RULE, resources) == [(RULE, "Tool")]
    resources["Log"] = flow_log(resource_id="vpc-0123456789abcdef0")
    assert findings(RULE, resources) == []


def test_phase():
    assert findings(RULE, {**network(), "Tool": tool()}, Phase.FOUNDATIONAL) == []
