from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-16"


def key(rotation=None, spec=None, origin=None):
    props = {"KeyPolicy": {"Version": "2012-10-17", "Statement": []}}
    if rotation is not None:
        props["EnableKeyRotation"] = rotation
    if spec is not None:
        props["KeySpec"] = spec
    if origin is not None:
        props["Origin"] = origin
    return {"Key": {"Type": "AWS::KMS::Key", "Properties": props}}


def test_rotation_on_passes():
    assert findings(RULE, key(True)) == []
    assert findings(RULE, key("true", "SYMMETRIC_DEFAULT")) == []


def test_rotation_off_or_absent_fails():
    assert findings(RULE, key()) == [(RULE, "Key")]
    assert "defaults to false" in messages(RULE, key())[0]
    assert findings(RULE, key(False)) == [(RULE, "Key")]


def test_asymmetric_hmac_and_imported_keys_are_not_judged():
    assert findings(RULE, key(spec="RSA_2048")) == []
    assert findings(RULE, key(spec="HMAC_256")) == []
    assert findings(RULE, key(origin="EXTERNAL")) == []


def test_parameter_defaults_and_fn_if():
    params = {"Parameters": {"Rotate": {"Type": "String", "Default": "false"}}}
    assert findings(RULE, key({"Ref": "Rotate"}), **params) == [(RULE, "Key")]
    assert findings(RULE, key({"Fn::If": ["Prod", True, False]})) == [(RULE, "Key")]
    spec = {"Parameters": {"Spec": {"Type": "String", "Default": "RSA_2048"}}}
    assert findings(RULE, key(spec={"Ref": "Spec"}), **spec) == []
    assert findings(RULE, key({"Ref": "Rotate"}), Parameters={"Rotate": {"Type": "String"}}) == [(RULE, "Key")]


def test_phase_and_odd_shapes():
    assert findings(RULE, key(), Phase.FOUNDATIONAL) == []
    assert findings(RULE, key(["x"])) == [(RULE, "Key")]
