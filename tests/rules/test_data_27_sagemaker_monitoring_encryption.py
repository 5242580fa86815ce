from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from tests.rules.helpers import findings, messages
from tests.rules.test_inf_16_sagemaker_monitoring_isolation import ISOLATED, definition, schedule

RULE = "AISEC-DATA-27"
KINDS = ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")


def test_encrypted_definitions_and_inline_schedule_pass():
    resources = {k: v for kind in KINDS for k, v in definition(kind, kind, network=ISOLATED).items()}
    assert findings(RULE, {**resources, **schedule(network=ISOLATED)}) == []


def test_each_job_type_fails_without_the_flag():
    resources = {k: v for kind in KINDS for k, v in definition(kind, kind).items()}
    assert findings(RULE, resources) == sorted((RULE, kind) for kind in KINDS)
    assert "NetworkConfig.EnableInterContainerTrafficEncryption defaults to false" in messages(RULE, resources)[0]


def test_false_flag_fails_and_single_instance_is_not_exempt():
    resources = definition("Bias", "ModelBias", network={"EnableInterContainerTrafficEncryption": False})
    resources["Bias"]["Properties"]["JobResources"] = {"ClusterConfig": {"InstanceCount": 1}}
    assert findings(RULE, resources) == [(RULE, "Bias")]
    assert "EnableInterContainerTrafficEncryption is false; must be true" in messages(RULE, resources)[0]


def test_inline_schedule_definition_is_judged_and_named_one_is_not():
    assert findings(RULE, schedule(network={"EnableNetworkIsolation": True})) == [(RULE, "Schedule")]
    assert findings(RULE, schedule(inline=False)) == []


def test_intrinsics():
    params = {"Parameters": {"Encrypt": {"Type": "String", "Default": "true"}, "Free": {"Type": "String"}}}
    resources = {**definition("FromParam", network={"EnableInterContainerTrafficEncryption": {"Ref": "Encrypt"}}),
                 **definition("Unknown", network={"EnableInterContainerTrafficEncryption": {"Ref": "Free"}}),
                 **definition("Branches", network={"Fn::If": ["Prod", ISOLATED, {"Ref": "AWS::NoValue"}]})}
    assert findings(RULE, resources, **params) == [(RULE, "Branches"), (RULE, "Unknown")]
    text = " | ".join(messages(RULE, resources, **params))
    assert "cannot be verified" in text and "when condition Prod is false" in text


def test_metadata():
    rule = BY_ID[RULE]
    assert rule.security_hub == ("SageMaker.9", "SageMaker.10", "SageMaker.13", "SageMaker.15", "SageMaker.22")
    assert rule.applies(Phase.ENHANCED, frozenset({Capability.ANSWERS}))
    assert not rule.applies(Phase.FOUNDATIONAL, frozenset({Capability.ANSWERS}))
