from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-18"


def config(*variants, name="Config"):
    return {name: {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"ProductionVariants": list(variants)}}}


def variant(name="AllTraffic", **props):
    return {"VariantName": name, "ModelName": "m", "InstanceType": "ml.m5.large", **props}


def test_two_instances_and_serverless_pass():
    resources = {**config(variant(InitialInstanceCount=2), variant("Canary", InitialInstanceCount="3")),
                 **config({"VariantName": "S", "ModelName": "m",
                           "ServerlessConfig": {"MaxConcurrency": 5, "MemorySizeInMB": 2048}}, name="Serverless")}
    assert findings(RULE, resources) == []


def test_one_or_missing_instances_fail_per_variant():
    resources = config(variant(InitialInstanceCount=1), variant("Canary"), variant("Two", InitialInstanceCount=2))
    assert findings(RULE, resources) == [(f"{RULE}[AllTraffic]", "Config"), (f"{RULE}[Canary]", "Config")]
    text = messages(RULE, resources)
    assert "ProductionVariants[0].InitialInstanceCount is 1; must be above 1" in text[0]
    assert "ProductionVariants[1].InitialInstanceCount is not set" in text[1]


def test_variant_name_from_an_intrinsic_uses_the_index():
    resources = config(variant({"Ref": "VariantName"}, InitialInstanceCount=1))
    assert findings(RULE, resources) == [(f"{RULE}[0]", "Config")]


def test_parameters_conditions_and_unknowns():
    params = {"Parameters": {"Count": {"Type": "Number", "Default": 1}, "Free": {"Type": "Number"}}}
    resources = {**config(variant(InitialInstanceCount={"Ref": "Count"}), name="FromParam"),
                 **config(variant(InitialInstanceCount={"Ref": "Free"}), name="Unknown"),
                 **config(variant(InitialInstanceCount={"Fn::If": ["Prod", 2, 1]}), name="Branches"),
                 **config(variant(InitialInstanceCount={"Fn::If": ["Prod", 2, 4]}), name="BothFine")}
    assert findings(RULE, resources, **params) == [(f"{RULE}[AllTraffic]", "Branches"),
                                                   (f"{RULE}[AllTraffic]", "FromParam"),
                                                   (f"{RULE}[AllTraffic]", "Unknown")]
    text = " | ".join(messages(RULE, resources, **params))
    assert "from the default of parameter Count" in text and "cannot be verified" in text and "Prod is false" in text


def test_odd_shapes_do_not_crash():
    resources = {**config("variant", variant(InitialInstanceCount=[2])),
                 "Intrinsic": {"Type": "AWS::SageMaker::EndpointConfig",
                               "Properties": {"ProductionVariants": {"Ref": "Variants"}}}}
    assert findings(RULE, resources) == [(f"{RULE}[AllTraffic]", "Config")]


def test_metadata():
    rule = BY_ID[RULE]
    assert rule.security_hub == ("SageMaker.4",)
    assert rule.applies(Phase.ENHANCED, frozenset({Capability.ANSWERS}))
    assert not rule.applies(Phase.FOUNDATIONAL, frozenset({Capability.ANSWERS}))
