from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-15"


def model(isolation=True, vpc=True):
    props = {"ExecutionRoleArn": "arn:aws:iam::123456789012:role/sm",
             "PrimaryContainer": {"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1"}}
    if isolation is not None:
        props["EnableNetworkIsolation"] = isolation
    if vpc is True:
        props["VpcConfig"] = {"Subnets": [{"Ref": "Subnet"}], "SecurityGroupIds": ["sg-0123456789abcdef0"]}
    elif vpc:
        props["VpcConfig"] = vpc
    return {"Type": "AWS::SageMaker::Model", "Properties": props}


def domain(access=None):
    props = {"AuthMode": "IAM", "DomainName": "studio", "DefaultUserSettings": {"ExecutionRole": "arn:aws:iam::123456789012:role/sm"},
             "VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0"]}
    if access:
        props["AppNetworkAccessType"] = access
    return {"Type": "AWS::SageMaker::Domain", "Properties": props}


def test_isolated_model_and_vpc_only_domain_pass():
    assert findings(RULE, {"Model": model(), "Studio": domain("VpcOnly")}) == []


def test_each_model_problem_is_granular():
    assert findings(RULE, {"Model": model(isolation=None, vpc=None)}) == [
        ("AISEC-INF-15[EnableNetworkIsolation]", "Model"), ("AISEC-INF-15[VpcConfig]", "Model")]
    assert findings(RULE, {"Model": model(isolation="false")}) == [("AISEC-INF-15[EnableNetworkIsolation]", "Model")]
    assert findings(RULE, {"Model": model(vpc={"Subnets": ["subnet-1"], "SecurityGroupIds": []})}) == [("AISEC-INF-15[VpcConfig]", "Model")]


def test_domain_defaults_to_public_internet():
    assert findings(RULE, {"Studio": domain()}) == [("AISEC-INF-15[AppNetworkAccessType]", "Studio")]
    assert "defaults to PublicInternetOnly" in messages(RULE, {"Studio": domain()})[0]


def test_fn_if_and_parameter():
    assert findings(RULE, {"Model": model(isolation={"Fn::If": ["Prod", True, False]})}) == [
        ("AISEC-INF-15[EnableNetworkIsolation]", "Model")]
    params = {"Parameters": {"Access": {"Type": "String", "Default": "PublicInternetOnly"}}}
    assert findings(RULE, {"Studio": domain({"Ref": "Access"})}, **params) == [("AISEC-INF-15[AppNetworkAccessType]", "Studio")]


def test_phase_and_odd_shapes():
    assert findings(RULE, {"Studio": domain()}, Phase.FOUNDATIONAL) == []
    assert findings(RULE, {"Model": model(vpc="vpc")}) == [("AISEC-INF-15[VpcConfig]", "Model")]
