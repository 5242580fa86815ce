from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-07"


def browser(mode, vpc=True):
    network = {"NetworkMode": mode} if mode is not None else {}
    if vpc:
        network["VpcConfig"] = {"Subnets": ["subnet-0123456789abcdef0"], "SecurityGroups": ["sg-0123456789abcdef0"]}
    return {"Browser": {"Type": "AWS::BedrockAgentCore::BrowserCustom", "Properties": {"Name": "browser", "NetworkConfiguration": network}}}


def test_vpc_mode_passes():
    assert findings(RULE, browser("VPC")) == []


def test_public_and_default_mode_fail():
    assert findings(RULE, browser("PUBLIC", vpc=False)) == [(RULE, "Browser")]
    assert findings(RULE, browser(None, vpc=False)) == [(RULE, "Browser")]
    assert "defaults to PUBLIC" in messages(RULE, browser(None, vpc=False))[0]


def test_vpc_without_vpc_config_fails():
    assert findings(RULE, browser("VPC", vpc=False)) == [(RULE, "Browser")]
    assert "VpcConfig.Subnets is not set" in messages(RULE, browser("VPC", vpc=False))[0]


def test_fn_if_and_parameter_without_default():
    assert findings(RULE, browser({"Fn::If": ["Prod", "VPC", "PUBLIC"]})) == [(RULE, "Browser")]
    params = {"Parameters": {"Mode": {"Type": "String"}}}
    assert "cannot be verified" in messages(RULE, browser({"Ref": "Mode"}), **params)[0]


def test_phase():
    assert findings(RULE, browser("PUBLIC"), Phase.FOUNDATIONAL) == []
