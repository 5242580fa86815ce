from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-19"
VPC = {"Image": "registry.internal:5000/model:1", "ImageConfig": {"RepositoryAccessMode": "Vpc"}}
ECR = {"Image": "111111111111.dkr.ecr.us-east-1.amazonaws.com/model:1"}


def model(name="Model", **props):
    return {name: {"Type": "AWS::SageMaker::Model",
                   "Properties": {"ExecutionRoleArn": {"Fn::GetAtt": ["Role", "Arn"]}, **props}}}


def test_private_registry_containers_pass():
    assert findings(RULE, {**model(PrimaryContainer=VPC), **model("Pipeline", Containers=[VPC, VPC])}) == []


def test_ecr_package_and_platform_containers_fail_granularly():
    resources = {**model(PrimaryContainer=ECR),
                 **model("Package", PrimaryContainer={"ModelPackageName": {"Ref": "Package"}}),
                 **model("Pipeline", Containers=[VPC, {**ECR, "ImageConfig": {"RepositoryAccessMode": "Platform"}}])}
    assert findings(RULE, resources) == [(f"{RULE}[Containers[1]]", "Pipeline"), (f"{RULE}[PrimaryContainer]", "Model"),
                                         (f"{RULE}[PrimaryContainer]", "Package")]
    text = messages(RULE, resources)
    assert any("PrimaryContainer.ImageConfig.RepositoryAccessMode not set (defaults to Platform); must be Vpc" in t
               for t in text)


def test_parameters_conditions_and_unknowns():
    params = {"Parameters": {"Mode": {"Type": "String", "Default": "Platform"}, "Free": {"Type": "String"}}}
    resources = {**model("FromParam", PrimaryContainer={"ImageConfig": {"RepositoryAccessMode": {"Ref": "Mode"}}}),
                 **model("Unknown", PrimaryContainer={"ImageConfig": {"RepositoryAccessMode": {"Ref": "Free"}}}),
                 **model("Branches", PrimaryContainer={"ImageConfig": {"RepositoryAccessMode": {
                     "Fn::If": ["Private", "Vpc", "Platform"]}}})}
    assert findings(RULE, resources, **params) == [(f"{RULE}[PrimaryContainer]", "Branches"),
                                                   (f"{RULE}[PrimaryContainer]", "FromParam"),
                                                   (f"{RULE}[PrimaryContainer]", "Unknown")]
    text = " | ".join(messages(RULE, resources, **params))
    assert "from the default of parameter Mode" in text and "cannot be verified" in text
    assert "Private is false" in text


def test_metadata():
    rule = BY_ID[RULE]
    assert rule.security_hub == ("SageMaker.16", "SageMaker.19")
    assert rule.applies(Phase.ADVANCED, frozenset({Capability.ANSWERS}))
    assert not rule.applies(Phase.ENHANCED, frozenset({Capability.ANSWERS}))
