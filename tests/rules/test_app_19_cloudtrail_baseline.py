from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-19"
AGENT = {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "helper"}}


def trail(**overrides):
    props = {"S3BucketName": {"Ref": "TrailBucket"}, "IsLogging": True, "IsMultiRegionTrail": True,
             "EnableLogFileValidation": True, "KMSKeyId": {"Fn::GetAtt": ["TrailKey", "Arn"]}}
    props.update(overrides)
    return {"Type": "AWS::CloudTrail::Trail", "Properties": {k: v for k, v in props.items() if v is not None}}


def test_well_configured_trail_passes_at_every_phase():
    for phase in Phase:
        assert findings(RULE, {"Agent": AGENT, "Trail": trail()}, phase) == []


def test_no_trail_is_a_workload_finding_with_acknowledgement_hint():
    assert findings(RULE, {"Agent": AGENT}, Phase.FOUNDATIONAL) == [(RULE, "Agent")]
    assert "organization trail" in messages(RULE, {"Agent": AGENT}, Phase.FOUNDATIONAL)[0]


def test_each_missing_setting_is_its_own_finding():
    resources = {"Trail": trail(IsLogging="false", IsMultiRegionTrail=None, EnableLogFileValidation=None)}
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == [
        (f"{RULE}[EnableLogFileValidation]", "Trail"), (f"{RULE}[IsLogging]", "Trail"),
        (f"{RULE}[IsMultiRegionTrail]", "Trail")]
    assert any("defaults to false" in m for m in messages(RULE, resources, Phase.FOUNDATIONAL))


def test_kms_key_required_from_enhanced_on():
    resources = {"Trail": trail(KMSKeyId=None)}
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == []
    assert findings(RULE, resources, Phase.ENHANCED) == [(f"{RULE}[KMSKeyId]", "Trail")]
    assert findings(RULE, {"Trail": trail(KMSKeyId="alias/cloudtrail")}, Phase.ENHANCED) == []


def test_every_trail_is_judged():
    resources = {"Good": trail(), "Weak": trail(IsMultiRegionTrail=False)}
    assert findings(RULE, resources) == [(f"{RULE}[IsMultiRegionTrail]", "Weak")]


def test_parameter_default_and_fn_if():
    params = {"Parameters": {"MultiRegion": {"Type": "String", "Default": "false"}}}
    resources = {"Trail": trail(IsMultiRegionTrail={"Ref": "MultiRegion"})}
    assert findings(RULE, resources, **params) == [(f"{RULE}[IsMultiRegionTrail]", "Trail")]
    assert "from the default of parameter MultiRegion" in messages(RULE, resources, **params)[0]
    resources = {"Trail": trail(IsLogging={"Fn::If": ["IsProd", True, False]})}
    assert findings(RULE, resources) == [(f"{RULE}[IsLogging]", "Trail")]
    resources = {"Trail": trail(EnableLogFileValidation={"Fn::ImportValue": "Validation"})}
    assert "cannot be verified" in messages(RULE, resources)[0]


def test_odd_shapes_do_not_crash():
    resources = {"Trail": trail(IsLogging=["true"], KMSKeyId="")}
    assert findings(RULE, resources) == [(f"{RULE}[IsLogging]", "Trail"), (f"{RULE}[KMSKeyId]", "Trail")]
