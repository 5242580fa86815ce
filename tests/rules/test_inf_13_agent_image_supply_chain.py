from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages
from tests.rules.test_inf_04_tool_functions_in_vpc import ARN, agent, function

RULE = "AISEC-INF-13"


def runtime(uri):
    return {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {
        "AgentRuntimeName": "agent", "RoleArn": "arn:aws:iam::123456789012:role/r",
        "AgentRuntimeArtifact": {"ContainerConfiguration": {"ContainerUri": uri}},
        "NetworkConfiguration": {"NetworkMode": "VPC"}}}


def repository(scan=True, mutability="IMMUTABLE", name=None):
    props = {}
    if scan is not None:
        props["ImageScanningConfiguration"] = {"ScanOnPush": scan}
    if mutability:
        props["ImageTagMutability"] = mutability
    if name:
        props["RepositoryName"] = name
    return {"Type": "AWS::ECR::Repository", "Properties": props}


URI = {"Fn::Join": ["", [{"Fn::GetAtt": ["Repo", "RepositoryUri"]}, ":v1"]]}


def test_scanned_immutable_repository_passes():
    assert findings(RULE, {"Agent": runtime(URI), "Repo": repository()}) == []
    assert findings(RULE, {"Agent": runtime({"Fn::Sub": "${Repo.RepositoryUri}:v1"}), "Repo": repository()}) == []


def test_each_repository_problem_is_its_own_finding():
    resources = {"Agent": runtime(URI), "Repo": repository(scan=None, mutability=None)}
    assert findings(RULE, resources) == [("AISEC-INF-13[ImageTagMutability]", "Repo"), ("AISEC-INF-13[ScanOnPush]", "Repo")]
    assert any("defaults to MUTABLE" in m for m in messages(RULE, resources))
    resources["Repo"] = repository(scan="false", mutability="IMMUTABLE_WITH_EXCLUSION")
    assert findings(RULE, resources) == [("AISEC-INF-13[ImageTagMutability]", "Repo"), ("AISEC-INF-13[ScanOnPush]", "Repo")]


def test_digest_pinned_image_does_not_need_immutable_tags():
    uri = {"Fn::Join": ["", [{"Fn::GetAtt": ["Repo", "RepositoryUri"]}, "@sha256:", "ab" * 32]]}
    assert findings(RULE, {"Agent": runtime(uri), "Repo": repository(mutability="MUTABLE")}) == []


def test_registry_scanning_configuration_replaces_scan_on_push():
    registry = {"Type": "AWS::ECR::RegistryScanningConfiguration", "Properties": {"ScanType": "ENHANCED", "Rules": [
        {"ScanFrequency": "CONTINUOUS_SCAN", "RepositoryFilters": [{"Filter": "agents/*", "FilterType": "WILDCARD"}]}]}}
    resources = {"Agent": runtime(URI), "Repo": repository(scan=None, name="agents/support"), "Registry": registry}
    assert findings(RULE, resources) == []
    resources["Repo"] = repository(scan=None, name="other")
    assert findings(RULE, resources) == [("AISEC-INF-13[ScanOnPush]", "Repo")]


def test_cdk_asset_image_needs_registry_scanning():
    uri = {"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}:abc123"}
    assert findings(RULE, {"Agent": runtime(uri)}) == [(RULE, "Agent")]
    assert "bootstrap container-assets" in messages(RULE, {"Agent": runtime(uri)})[0]
    registry = {"Type": "AWS::ECR::RegistryScanningConfiguration", "Properties": {"ScanType": "BASIC", "Rules": [
        {"ScanFrequency": "SCAN_ON_PUSH", "RepositoryFilters": [{"Filter": "cdk-*", "FilterType": "WILDCARD"}]}]}}
    assert findings(RULE, {"Agent": runtime(uri), "Registry": registry}) == []


def test_repository_outside_the_template_cannot_be_verified():
    resources = {"Agent": runtime("123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:v1")}
    assert findings(RULE, resources) == [(RULE, "Agent")]
    assert "acknowledge this finding" in messages(RULE, resources)[0]


def test_mutability_from_parameter_default():
    resources = {"Agent": runtime(URI), "Repo": repository(mutability={"Ref": "Mutability"})}
    params = {"Parameters": {"Mutability": {"Type": "String", "Default": "MUTABLE"}}}
    assert findings(RULE, resources, **params) == [("AISEC-INF-13[ImageTagMutability]", "Repo")]
    assert "from the default of parameter Mutability" in messages(RULE, resources, **params)[0]


def test_code_signing_of_tool_functions_at_advanced_only():
    resources = {"Tool": function(), "Agent": agent(ARN)}
    assert findings(RULE, resources, Phase.ENHANCED) == []
    assert findings(RULE, resources, Phase.ADVANCED) == [("AISEC-INF-13[CodeSigningConfigArn]", "Tool")]
    resources["Tool"]["Properties"]["CodeSigningConfigArn"] = {"Ref": "Signing"}
    assert findings(RULE, resources, Phase.ADVANCED) == []


def test_capability_phase_and_odd_shapes():
    resources = {"Agent": runtime(URI), "Repo": repository(scan=None)}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == []
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == []
    odd = {"Agent": runtime(["not", "a", "uri"]), "Code": {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {
        "AgentRuntimeArtifact": {"CodeConfiguration": {"Code": {"S3": {"Bucket": "b", "Prefix": "p"}}}}}}}
    assert findings(RULE, odd) == [(RULE, "Agent")]


def test_cdk_repository_uri_for_tag_is_followed_to_the_repository():
    # what ecr.Repository.repository_uri_for_tag renders: account and Region split out of the ARN
    arn = {"Fn::GetAtt": ["Repo", "Arn"]}
    uri = {"Fn::Join": ["", [{"Fn::Select": [4, {"Fn::Split": [":", arn]}]}, ".dkr.ecr.",
                             {"Fn::Select": [3, {"Fn::Split": [":", arn]}]}, ".", {"Ref": "AWS::URLSuffix"}, "/",
                             {"Ref": "Repo"}, ":v1"]]}
    assert findings(RULE, {"Agent": runtime(uri), "Repo": repository()}) == []
    assert findings(RULE, {"Agent": runtime(uri), "Repo": repository(scan=False)}) == [("AISEC-INF-13[ScanOnPush]", "Repo")]


def model(*images, name="Model"):
    props = {"ExecutionRoleArn": "arn:aws:iam::123456789012:role/r", "PrimaryContainer": {"Image": images[0]}}
    if len(images) > 1:
        props = {"ExecutionRoleArn": props["ExecutionRoleArn"], "Containers": [{"Image": i} for i in images]}
    return {name: {"Type": "AWS::SageMaker::Model", "Properties": props}}


def test_sagemaker_model_images_need_scanned_immutable_repositories_in_systems_that_answer():
    answers = {Capability.ANSWERS}
    assert findings(RULE, {**model(URI), "Repo": repository()}, capabilities=answers) == []
    assert findings(RULE, {**model(URI), "Repo": repository(scan=False, mutability="MUTABLE")}, capabilities=answers) == [
        (f"{RULE}[ImageTagMutability]", "Repo"), (f"{RULE}[ScanOnPush]", "Repo")]
    assert "SageMaker model Model" in messages(RULE, {**model(URI), "Repo": repository(scan=False)})[0]
    pinned = {"Fn::Join": ["", [{"Fn::GetAtt": ["Repo", "RepositoryUri"]}, "@sha256:abc"]]}
    assert findings(RULE, {**model(pinned), "Repo": repository(mutability="MUTABLE")}) == []


def test_sagemaker_model_images_outside_the_template_and_per_branch():
    dlc = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3-cpu-py311"
    assert findings(RULE, model(dlc)) == [(f"{RULE}[ModelImage]", "Model")]
    branch = {"Fn::If": ["Own", URI, {"Ref": "ImageUri"}]}
    resources = {**model(branch, URI), "Repo": repository(mutability="MUTABLE")}
    assert findings(RULE, resources, Parameters={"ImageUri": {"Type": "String", "Default": dlc}}) == [
        (f"{RULE}[ImageTagMutability]", "Repo"), (f"{RULE}[ModelImage]", "Model")]
    text = " ".join(messages(RULE, resources, Parameters={"ImageUri": {"Type": "String", "Default": dlc}}))
    assert "Containers[0].Image" in text and "parameter ImageUri" in text
    package = {"Model": {"Type": "AWS::SageMaker::Model", "Properties": {
        "PrimaryContainer": {"ModelPackageName": "arn:aws:sagemaker:us-east-1:1:model-package/p/1"}}}}
    assert findings(RULE, package) == []
