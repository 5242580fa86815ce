from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-05"


def runtime(mode, vpc=True):
    network = {"NetworkMode": mode} if mode is not None else {}
    if vpc:
        network["NetworkModeConfig"] = {"Subnets": [{"Ref": "Subnet"}], "SecurityGroups": [{"Fn::GetAtt": ["Sg", "GroupId"]}]}
    return {"Agent": {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {
        "AgentRuntimeName": "agent", "RoleArn": "arn:aws:iam::123456789012:role/r",
        "AgentRuntimeArtifact": {"ContainerConfiguration": {"ContainerUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1"}},
        "NetworkConfiguration": network}}}


def test_vpc_mode_with_subnets_passes():
    assert findings(RULE, runtime("VPC")) == []


def test_public_or_missing_mode_fails():
    assert findings(RULE, runtime("PUBLIC", vpc=False)) == [(RULE, "Agent")]
    assert findings(RULE, runtime(None, vpc=False)) == [(RULE, "Agent")]
    assert "is not set" in messages(RULE, runtime(None, vpc=False))[0]


def test_vpc_mode_without_subnets_fails():
    assert findings(RULE, runtime("VPC", vpc=False)) == [(RULE, "Agent")]


def test_parameter_and_fn_if():
    resources = runtime({"Ref": "Mode"})
    params = {"Parameters": {"Mode": {"Type": "String", "Default": "PUBLIC"}}}
    assert findings(RULE, resources, **params) == [(RULE, "Agent")]
    assert "from the default of parameter Mode" in messages(RULE, resources, **params)[0]
    assert findings(RULE, runtime({"Fn::If": ["Prod", "VPC", "PUBLIC"]})) == [(RULE, "Agent")]
    assert "cannot be verified" in messages(RULE, runtime({"Fn::GetAtt": ["X", "Mode"]}))[0]


def test_phase_and_capability():
    assert findings(RULE, runtime("PUBLIC"), Phase.FOUNDATIONAL) == []
    assert findings(RULE, runtime("PUBLIC"), capabilities={Capability.ANSWERS}) == []


def test_odd_network_configuration_shape():
    resources = runtime("VPC")
    resources["Agent"]["Properties"]["NetworkConfiguration"] = "VPC"
    assert findings(RULE, resources) == [(RULE, "Agent")]
