from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-06"


def interpreter(mode, vpc=True):
    network = {"NetworkMode": mode}
    if vpc:
        network["VpcConfig"] = {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"]}
    return {"CI": {"Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
                   "Properties": {"Name": "ci", "NetworkConfiguration": network}}}


def test_public_fails_at_foundational():
    assert findings(RULE, interpreter("PUBLIC", vpc=False), Phase.FOUNDATIONAL) == [(RULE, "CI")]


def test_sandbox_passes_at_foundational_but_fails_at_enhanced():
    assert findings(RULE, interpreter("SANDBOX", vpc=False), Phase.FOUNDATIONAL) == []
    assert findings(RULE, interpreter("SANDBOX", vpc=False), Phase.ENHANCED) == [(RULE, "CI")]


def test_vpc_with_subnets_passes_at_advanced():
    assert findings(RULE, interpreter("VPC"), Phase.ADVANCED) == []


def test_vpc_without_subnets_fails_at_enhanced():
    assert findings(RULE, interpreter("VPC", vpc=False), Phase.ENHANCED) == [(RULE, "CI")]


def test_parameter_default_is_judged_and_named():
    resources = interpreter({"Ref": "Mode"}, vpc=False)
    params = {"Parameters": {"Mode": {"Type": "String", "Default": "PUBLIC"}}}
    assert findings(RULE, resources, Phase.FOUNDATIONAL, **params) == [(RULE, "CI")]
    assert "from the default of parameter Mode" in messages(RULE, resources, Phase.FOUNDATIONAL, **params)[0]


def test_parameter_without_default_is_unverifiable():
    resources = interpreter({"Ref": "Mode"}, vpc=False)
    params = {"Parameters": {"Mode": {"Type": "String"}}}
    assert "cannot be verified" in messages(RULE, resources, Phase.FOUNDATIONAL, **params)[0]


def test_each_fn_if_branch_is_judged():
    resources = interpreter({"Fn::If": ["IsProd", "VPC", "PUBLIC"]}, vpc=True)
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == [(RULE, "CI")]
    assert "IsProd is false" in messages(RULE, resources, Phase.FOUNDATIONAL)[0]
