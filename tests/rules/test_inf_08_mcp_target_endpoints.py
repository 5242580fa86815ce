from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-08"


def target(endpoint, private=False, kind="mcp"):
    if kind == "mcp":
        config = {"Mcp": {"McpServer": {"Endpoint": endpoint}}}
    else:
        config = {"Http": {"Passthrough": {"Endpoint": endpoint, "ProtocolType": "MCP"}}}
    props = {"Name": "tools", "GatewayIdentifier": "gw-0123456789", "TargetConfiguration": config}
    if private:
        props["PrivateEndpoint"] = {"ManagedVpcResource": {"VpcIdentifier": "vpc-0123456789abcdef0",
                                                           "SubnetIds": ["subnet-0123456789abcdef0"],
                                                           "EndpointIpAddressType": "IPV4"}}
    return {"Type": "AWS::BedrockAgentCore::GatewayTarget", "Properties": props}


def balancer(scheme=None):
    props = {"Subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}
    if scheme:
        props["Scheme"] = scheme
    return {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": props}


ALB_URL = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": ["Alb", "DNSName"]}, "/mcp"]]}


def test_public_https_server_passes():
    assert findings(RULE, {"T": target("https://mcp.example.com/mcp")}) == []
    assert findings(RULE, {"T": target("https://mcp.example.com/mcp", kind="http")}) == []


def test_plain_http_fails():
    assert findings(RULE, {"T": target("http://mcp.example.com/mcp")}) == [("AISEC-INF-08[Endpoint]", "T")]
    assert findings(RULE, {"T": target({"Fn::Sub": "http://${Alb.DNSName}/mcp"}, kind="http"), "Alb": balancer("internal")}) == [
        ("AISEC-INF-08[Endpoint]", "T"), ("AISEC-INF-08[PrivateEndpoint]", "T")]


def test_internal_load_balancer_needs_private_endpoint():
    assert findings(RULE, {"T": target(ALB_URL), "Alb": balancer("internal")}) == [("AISEC-INF-08[PrivateEndpoint]", "T")]
    assert findings(RULE, {"T": target(ALB_URL, private=True), "Alb": balancer("internal")}) == []


def test_internet_facing_load_balancer_fails_even_with_private_endpoint():
    resources = {"T": target(ALB_URL, private=True), "Alb": balancer()}
    assert findings(RULE, resources) == [("AISEC-INF-08[PrivateEndpoint]", "T")]
    assert "internet-facing" in messages(RULE, resources)[0]


def test_private_hosts_need_private_endpoint():
    assert findings(RULE, {"T": target("https://10.0.1.20/mcp")}) == [("AISEC-INF-08[PrivateEndpoint]", "T")]
    assert findings(RULE, {"T": target("https://tools.corp.internal/mcp")}) == [("AISEC-INF-08[PrivateEndpoint]", "T")]
    assert findings(RULE, {"T": target("https://tools.corp.internal/mcp", private=True)}) == []


def test_parameter_default_and_unverifiable_reference():
    params = {"Parameters": {"Url": {"Type": "String", "Default": "http://tools.example.com"}}}
    assert findings(RULE, {"T": target({"Ref": "Url"})}, **params) == [("AISEC-INF-08[Endpoint]", "T")]
    assert "from the default of parameter Url" in messages(RULE, {"T": target({"Ref": "Url"})}, **params)[0]
    assert "cannot be verified" in messages(RULE, {"T": target({"Fn::ImportValue": "ToolUrl"})})[0]


def test_phase_and_odd_shapes():
    assert findings(RULE, {"T": target("http://x.example.com")}, Phase.FOUNDATIONAL) == []
    odd = {"T": {"Type": "AWS::BedrockAgentCore::GatewayTarget", "Properties": {"TargetConfiguration": {"Mcp": "x"}}},
           "U": target(["not", "a", "string"])}
    assert findings(RULE, odd) == [("AISEC-INF-08[Endpoint]", "U")]
