from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-14"


def notebook(name="Notebook", **props):
    base = {"InstanceType": "ml.t3.medium", "RoleArn": {"Fn::GetAtt": ["NotebookRole", "Arn"]},
            "KmsKeyId": {"Ref": "NotebookKey"},
            "SecurityGroupIds": [{"Fn::GetAtt": ["NotebookSecurityGroup", "GroupId"]}]}
    base.update(props)
    return {name: {"Type": "AWS::SageMaker::NotebookInstance", "Properties": base}}


ISOLATED = {"DirectInternetAccess": "Disabled", "RootAccess": "Disabled", "SubnetId": {"Ref": "PrivateSubnet"}}


def test_isolated_notebook_passes():
    assert findings(RULE, notebook(**ISOLATED)) == []


def test_defaults_fail_on_all_three_properties():
    assert findings(RULE, notebook()) == [(f"{RULE}[DirectInternetAccess]", "Notebook"),
                                          (f"{RULE}[RootAccess]", "Notebook"), (f"{RULE}[SubnetId]", "Notebook")]
    text = messages(RULE, notebook())
    assert "DirectInternetAccess not set (defaults to Enabled); must be Disabled" in text[0]
    assert "RootAccess not set (defaults to Enabled); must be Disabled" in text[1]


def test_explicitly_enabled_values_fail_granularly():
    assert findings(RULE, notebook(**{**ISOLATED, "RootAccess": "Enabled"})) == [(f"{RULE}[RootAccess]", "Notebook")]
    assert findings(RULE, notebook(**{**ISOLATED, "DirectInternetAccess": "Enabled"})) == [
        (f"{RULE}[DirectInternetAccess]", "Notebook")]


def test_subnet_from_import_or_subnet_resource_counts_as_set():
    assert findings(RULE, notebook(**{**ISOLATED, "SubnetId": {"Fn::ImportValue": "network-PrivateSubnet1"}})) == []
    assert findings(RULE, notebook(**{**ISOLATED, "SubnetId": ""})) == [(f"{RULE}[SubnetId]", "Notebook")]


def test_parameter_default_is_judged_and_named():
    params = {"Parameters": {"Internet": {"Type": "String", "AllowedValues": ["Enabled", "Disabled"],
                                          "Default": "Enabled"}}}
    resources = notebook(**{**ISOLATED, "DirectInternetAccess": {"Ref": "Internet"}})
    assert findings(RULE, resources, **params) == [(f"{RULE}[DirectInternetAccess]", "Notebook")]
    assert "from the default of parameter Internet" in messages(RULE, resources, **params)[0]


def test_parameter_without_default_cannot_be_verified():
    params = {"Parameters": {"Root": {"Type": "String"}}}
    resources = notebook(**{**ISOLATED, "RootAccess": {"Ref": "Root"}})
    assert findings(RULE, resources, **params) == [(f"{RULE}[RootAccess]", "Notebook")]
    assert "cannot be verified" in messages(RULE, resources, **params)[0]


def test_each_fn_if_branch_is_judged():
    resources = notebook(**{**ISOLATED, "RootAccess": {"Fn::If": ["IsDev", "Enabled", "Disabled"]},
                            "SubnetId": {"Fn::If": ["InVpc", {"Ref": "PrivateSubnet"}, {"Ref": "AWS::NoValue"}]}})
    assert findings(RULE, resources) == [(f"{RULE}[RootAccess]", "Notebook"), (f"{RULE}[SubnetId]", "Notebook")]
    text = messages(RULE, resources)
    assert "IsDev is true" in text[0] and "InVpc is false" in text[1]


def test_odd_shapes_do_not_crash():
    resources = notebook(DirectInternetAccess=["Disabled"], RootAccess={"Disabled": True}, SubnetId=["subnet-1"])
    assert findings(RULE, resources) == [(f"{RULE}[DirectInternetAccess]", "Notebook"),
                                         (f"{RULE}[RootAccess]", "Notebook")]


def test_applies_at_foundational_to_answering_systems():
    assert findings(RULE, notebook(), Phase.FOUNDATIONAL, capabilities={Capability.ANSWERS}) == [
        (f"{RULE}[DirectInternetAccess]", "Notebook"), (f"{RULE}[RootAccess]", "Notebook"),
        (f"{RULE}[SubnetId]", "Notebook")]
