from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-22"


def browser(recording):
    props = {"Name": "b", "NetworkConfiguration": {"NetworkMode": "VPC"}}
    if recording is not None:
        props["RecordingConfig"] = recording
    return {"Browser": {"Type": "AWS::BedrockAgentCore::BrowserCustom", "Properties": props}}


LOCATION = {"Bucket": {"Ref": "Recordings"}, "Prefix": "sessions/"}


def test_recording_to_s3_passes():
    assert findings(RULE, browser({"Enabled": True, "S3Location": LOCATION})) == []
    assert findings(RULE, browser({"Enabled": "true", "S3Location": {"Bucket": "recordings-bucket", "Prefix": "s/"}})) == []


def test_enforced_from_enhanced():
    assert findings(RULE, browser(None), Phase.FOUNDATIONAL) == []
    assert findings(RULE, browser(None), Phase.ENHANCED) == [(f"{RULE}[Enabled]", "Browser")]
    assert "defaults to false" in messages(RULE, browser(None))[0]


def test_disabled_is_one_finding_and_enabled_without_location_another():
    assert findings(RULE, browser({"Enabled": False, "S3Location": LOCATION})) == [(f"{RULE}[Enabled]", "Browser")]
    assert findings(RULE, browser({"Enabled": False})) == [(f"{RULE}[Enabled]", "Browser")]
    assert findings(RULE, browser({"Enabled": True})) == [(f"{RULE}[S3Location]", "Browser")]


def test_parameter_default_and_import():
    params = {"Parameters": {"Record": {"Type": "String", "Default": "false"}}}
    resources = browser({"Enabled": {"Ref": "Record"}, "S3Location": LOCATION})
    assert findings(RULE, resources, **params) == [(f"{RULE}[Enabled]", "Browser")]
    assert "from the default of parameter Record" in messages(RULE, resources, **params)[0]
    resources = browser({"Enabled": {"Fn::ImportValue": "Rec"}})
    assert findings(RULE, resources) == [(f"{RULE}[Enabled]", "Browser"), (f"{RULE}[S3Location]", "Browser")]
    assert findings(RULE, browser({"Enabled": True, "S3Location": {"Bucket": {"Fn::ImportValue": "B"}, "Prefix": "p"}})) == []


def test_odd_shapes_do_not_crash():
    assert findings(RULE, browser("yes")) == [(f"{RULE}[Enabled]", "Browser")]
    assert findings(RULE, browser({"Enabled": ["true"]})) == [(f"{RULE}[Enabled]", "Browser"), (f"{RULE}[S3Location]", "Browser")]
