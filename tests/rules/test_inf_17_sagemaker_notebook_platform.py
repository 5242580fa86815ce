from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-17"


def notebook(name="Notebook", **props):
    base = {"InstanceType": "ml.t3.medium", "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}}
    base.update(props)
    return {name: {"Type": "AWS::SageMaker::NotebookInstance", "Properties": base}}


def test_default_and_supported_platform_pass():
    assert findings(RULE, {**notebook(), **notebook("Explicit", PlatformIdentifier="notebook-al2023-v1")}) == []


def test_older_platforms_fail():
    resources = {**notebook("Al2", PlatformIdentifier="notebook-al2-v3"),
                 **notebook("Al1", PlatformIdentifier="notebook-al1-v1")}
    assert findings(RULE, resources) == [(RULE, "Al1"), (RULE, "Al2")]
    assert "PlatformIdentifier is notebook-al1-v1; must be notebook-al2023-v1" in messages(RULE, resources)[0]


def test_parameters_and_conditions():
    params = {"Parameters": {"Platform": {"Type": "String", "Default": "notebook-al2-v2"},
                             "Free": {"Type": "String"}}}
    resources = {**notebook("FromParam", PlatformIdentifier={"Ref": "Platform"}),
                 **notebook("Unknown", PlatformIdentifier={"Ref": "Free"}),
                 **notebook("Branches", PlatformIdentifier={"Fn::If": ["New", "notebook-al2023-v1",
                                                                       {"Ref": "AWS::NoValue"}]})}
    assert findings(RULE, resources, **params) == [(RULE, "FromParam"), (RULE, "Unknown")]
    text = " | ".join(messages(RULE, resources, **params))
    assert "from the default of parameter Platform" in text and "cannot be verified" in text


def test_metadata():
    rule = BY_ID[RULE]
    assert rule.security_hub == ("SageMaker.8",)
    assert rule.applies(Phase.FOUNDATIONAL, frozenset({Capability.ANSWERS}))
