from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages
from tests.rules.test_inf_01_private_endpoints import endpoint, network, tool

RULE = "AISEC-INF-02"


def s3(kind="Gateway", routes=True, vpc="Vpc"):
    props = {"ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]]},
             "VpcId": {"Ref": vpc} if isinstance(vpc, str) else vpc}
    if kind:
        props["VpcEndpointType"] = kind
    if kind == "Interface":
        props["SubnetIds"] = [{"Ref": "Subnet"}]
    elif routes is True:
        props["RouteTableIds"] = [{"Ref": "Routes"}]
    elif routes is not None:
        props["RouteTableIds"] = routes
    return {"Type": "AWS::EC2::VPCEndpoint", "Properties": props}


def base():
    return {**network(), "Tool": tool(),
            "Routes": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}}


def test_gateway_endpoint_with_route_tables_passes():
    assert findings(RULE, {**base(), "S3": s3()}) == []


def test_interface_endpoint_passes_and_default_type_is_gateway():
    assert findings(RULE, {**base(), "S3": s3(kind="Interface")}) == []
    assert findings(RULE, {**base(), "S3": s3(kind=None)}) == []


def test_missing_endpoint_is_reported_on_the_vpc():
    assert findings(RULE, base()) == [(RULE, "Vpc")]
    assert "no S3 endpoint" in messages(RULE, base())[0]


def test_gateway_without_route_tables_fails_twice():
    resources = {**base(), "S3": s3(routes=None)}
    assert findings(RULE, resources) == [(RULE, "S3"), (RULE, "Vpc")]
    resources["S3"] = s3(routes=[])
    assert findings(RULE, resources) == [(RULE, "S3"), (RULE, "Vpc")]


def test_route_tables_from_an_import_count_as_set():
    resources = {**base(), "S3": s3(routes={"Fn::Split": [",", {"Fn::ImportValue": "Net-Routes"}]})}
    assert findings(RULE, resources) == []


def test_vpc_with_only_an_ai_endpoint_is_an_ai_vpc():
    resources = {**network(), "Runtime": endpoint("bedrock-runtime")}
    assert findings(RULE, resources) == [(RULE, "Vpc")]


def test_only_for_rag_workloads_from_enhanced():
    assert findings(RULE, base(), capabilities={Capability.ANSWERS, Capability.ACTS}) == []
    assert findings(RULE, base(), Phase.FOUNDATIONAL) == []


def test_external_subnets_need_an_endpoint_somewhere():
    resources = {"Tool": tool(subnets=["subnet-0123456789abcdef0"])}
    assert findings(RULE, resources) == [(RULE, "Tool")]
    assert "shared networking stack" in messages(RULE, resources)[0]
    resources["S3"] = s3(vpc="vpc-0123456789abcdef0", routes=["rtb-0123456789abcdef0"])
    assert findings(RULE, resources) == []
