"""AISEC-APP-19's management-events check (added with the detection constructs; the original tests
stay in test_app_19_cloudtrail_baseline.py)."""
from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-19"
FINDING = f"{RULE}[ManagementEvents]"


def trail(**selectors):
    props = {"S3BucketName": "logs", "IsLogging": True, "IsMultiRegionTrail": True, "EnableLogFileValidation": True,
             "KMSKeyId": "alias/trail", **selectors}
    return {"Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": props}}


def advanced(*categories, read_only=None):
    selectors = []
    for category in categories:
        fields = [{"Field": "eventCategory", "Equals": [category]}]
        if category == "Data":
            fields.append({"Field": "resources.type", "Equals": ["AWS::Bedrock::KnowledgeBase"]})
        if read_only is not None:
            fields.append({"Field": "readOnly", "Equals": [read_only]})
        selectors.append({"FieldSelectors": fields})
    return selectors


def test_default_and_management_selectors_pass_at_foundational():
    assert findings(RULE, trail(), Phase.FOUNDATIONAL) == []
    assert findings(RULE, trail(AdvancedEventSelectors=advanced("Management", "Data")), Phase.FOUNDATIONAL) == []
    assert findings(RULE, trail(AdvancedEventSelectors=advanced("Management", read_only="false"))) == []
    assert findings(RULE, trail(EventSelectors=[{"IncludeManagementEvents": True, "ReadWriteType": "WriteOnly"}])) == []


def test_data_only_advanced_selectors_fail():
    resources = trail(AdvancedEventSelectors=advanced("Data"))
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == [(FINDING, "Trail")]
    assert "DeleteGuardrail" in messages(RULE, resources, Phase.FOUNDATIONAL)[0]


def test_read_only_management_selector_fails():
    assert findings(RULE, trail(AdvancedEventSelectors=advanced("Management", read_only="true"))) == [(FINDING, "Trail")]


def test_basic_selectors_without_write_management_events_fail():
    assert findings(RULE, trail(EventSelectors=[{"IncludeManagementEvents": "false"}])) == [(FINDING, "Trail")]
    assert findings(RULE, trail(EventSelectors=[{"ReadWriteType": "ReadOnly"}])) == [(FINDING, "Trail")]


def test_intrinsic_selectors():
    assert findings(RULE, trail(AdvancedEventSelectors={"Fn::If": ["C", [], []]})) == [(FINDING, "Trail")]
    assert "cannot be verified" in messages(RULE, trail(AdvancedEventSelectors={"Ref": "X"}))[0]
    assert findings(RULE, trail(EventSelectors=[{"IncludeManagementEvents": {"Ref": "Mgmt"}}]),
                    Parameters={"Mgmt": {"Type": "String"}}) == []


def test_odd_shapes_do_not_crash():
    assert findings(RULE, trail(AdvancedEventSelectors=["x", {"FieldSelectors": "y"}, {"FieldSelectors": [1]}])) == [
        (FINDING, "Trail")]
    assert findings(RULE, trail(EventSelectors=["x"])) == []
    assert findings(RULE, trail(AdvancedEventSelectors=[{"FieldSelectors": [{"Field": ["eventCategory"]}]}])) == [
        (FINDING, "Trail")]
