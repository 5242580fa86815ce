from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-29"


def package(status=None):
    props = {"ModelPackageGroupName": "g"}
    if status is not None:
        props["ModelApprovalStatus"] = status
    return {"Type": "AWS::SageMaker::ModelPackage", "Properties": props}


def model(*containers, primary=True):
    props = {"ExecutionRoleArn": "arn:aws:iam::1:role/r"}
    if primary:
        props["PrimaryContainer"] = containers[0]
    else:
        props["Containers"] = list(containers)
    return {"Type": "AWS::SageMaker::Model", "Properties": props}


def test_approved_package_and_registry_arn_pass():
    resources = {"Pkg": package("Approved"), "M": model({"ModelPackageName": {"Ref": "Pkg"}}),
                 "N": model({"ModelPackageName": "arn:aws:sagemaker:us-east-1:111111111111:model-package/g/3"}),
                 "O": model({"ModelPackageName": {"Fn::ImportValue": "pkg"}})}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == []


def test_only_at_advanced():
    assert findings(RULE, {"M": model({"Image": "img"})}, Phase.ENHANCED) == []


def test_image_without_package_and_unapproved_package_fail():
    resources = {"Pkg": package(), "Rej": package("Rejected"),
                 "M": model({"Image": "1.dkr.ecr.us-east-1.amazonaws.com/m:1", "ModelDataUrl": "s3://b/m.tar.gz"}),
                 "N": model({"ModelPackageName": {"Ref": "Pkg"}}),
                 "O": model({"ModelPackageName": {"Ref": "Rej"}}, {"ModelPackageName": "x"}, primary=False)}
    assert findings(RULE, resources) == [(RULE, "M"), (RULE, "N"), (RULE, "O")]
    assert "PendingManualApproval" in messages(RULE, resources)[1]


def test_status_from_parameter_default():
    params = {"Parameters": {"S": {"Type": "String", "Default": "PendingManualApproval"}}}
    resources = {"Pkg": package({"Ref": "S"}), "M": model({"ModelPackageName": {"Fn::GetAtt": ["Pkg", "ModelPackageArn"]}})}
    assert findings(RULE, resources, **params) == [(RULE, "M")]
    assert "from the default of parameter S" in messages(RULE, resources, **params)[0]


def test_odd_shapes_do_not_crash():
    resources = {"M": {"Type": "AWS::SageMaker::Model", "Properties": {"PrimaryContainer": "img"}},
                 "N": {"Type": "AWS::SageMaker::Model", "Properties": {"Containers": "x"}}}
    assert findings(RULE, resources) == [(RULE, "M"), (RULE, "N")]
