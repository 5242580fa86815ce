"""SecureNotebook, ModelPackageGroup and SecureModelEndpoint: isolation, customer managed keys, data capture,
monitoring, approved packages; opt-outs recorded and still reported."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.data import SecureBucket
from aisec_constructs.infrastructure import IsolatedNetwork, ModelPackageGroup, SecureModelEndpoint, SecureNotebook
from aisec_rules.model import Capability, Phase
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_stack, stack_findings

IMAGE = "111111111111.dkr.ecr.us-east-1.amazonaws.com/model-server:1.0"
MONITOR = "111111111111.dkr.ecr.us-east-1.amazonaws.com/model-monitor-analyzer:latest"


def findings(stack, phase=Phase.ADVANCED, prefixes=("Nb", "Registry", "Ep")):
    """Findings on the SageMaker constructs' own resources (the network fixture is another construct's)."""
    return [f for f in stack_findings(stack, phase, capabilities=[Capability.ANSWERS])
            if f.split(" @ ")[1].startswith(prefixes)]


# Security Hub SageMaker.16 (AISEC-INF-19, Advanced) fails every model container without
# ImageConfig.RepositoryAccessMode Vpc, which includes the model-package container this construct deploys:
# a known gap of the construct, reported rather than acknowledged (see the rule's construct field).
REGISTRY_GAP = "AISEC-INF-19[PrimaryContainer] @ EpModel"


def without_registry_gap(found):
    """The findings other than the documented private-registry gap, which must be among them."""
    assert any(f.startswith(REGISTRY_GAP) for f in found), found
    return [f for f in found if not f.startswith(REGISTRY_GAP)]


def build(stack, **endpoint_props):
    network = IsolatedNetwork(stack, "Net", capabilities=["answers"])
    notebook = SecureNotebook(stack, "Nb", network=network)
    registry = ModelPackageGroup(stack, "Registry", name="assistant-models")
    artefacts = SecureBucket(stack, "Artefacts")
    package = registry.add_version("V1", image_uri=IMAGE, model_data_url=f"s3://{artefacts.bucket_name}/model.tar.gz",
                                   approval_description="Reviewed by the model risk board (ticket MRB-1)")
    props = dict(network=network, model_data_bucket=artefacts, monitoring_image_uri=MONITOR,
                 baseline_uri=f"s3://{artefacts.bucket_name}/baseline/")
    props.update(endpoint_props)
    endpoint = SecureModelEndpoint(stack, "Ep", model_package=package, **props)
    return notebook, registry, endpoint


@pytest.fixture(scope="module")
def app_and_stack():
    return report_only_stack("Sm", build)


@pytest.fixture(scope="module")
def template(app_and_stack):
    return Template.from_stack(app_and_stack[1])


def test_notebook_is_isolated_rootless_and_encrypted(template):
    template.has_resource_properties("AWS::SageMaker::NotebookInstance", {
        "InstanceType": "ml.t3.medium", "DirectInternetAccess": "Disabled", "RootAccess": "Disabled",
        "SubnetId": {"Ref": Match.string_like_regexp("NetVpcWorkloadSubnet1")},
        "SecurityGroupIds": [{"Fn::GetAtt": [Match.string_like_regexp("NetWorkloadSecurityGroup"), "GroupId"]}],
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("NbKey"), "Arn"]}, "VolumeSizeInGB": 20,
        "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
        "RoleArn": {"Fn::GetAtt": [Match.string_like_regexp("NbRole"), "Arn"]}})


def test_notebook_adds_the_sagemaker_endpoints(template):
    names = [e["Properties"]["ServiceName"] for e in template.find_resources("AWS::EC2::VPCEndpoint").values()]
    rendered = [str(n) for n in names]
    assert any(".sagemaker.api" in n for n in rendered) and any(".sagemaker.runtime" in n for n in rendered)


def test_roles_are_trusted_by_sagemaker_for_this_account(template):
    roles = [r for k, r in template.find_resources("AWS::IAM::Role").items() if k.startswith(("NbRole", "EpRole"))]
    assert len(roles) == 2
    for role in roles:
        assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [{
            "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]


def test_package_group_and_an_approved_version(template):
    template.has_resource_properties("AWS::SageMaker::ModelPackageGroup", {
        "ModelPackageGroupName": "assistant-models",
        "ModelPackageGroupDescription": "aisec: models are deployed only once approved"})
    template.has_resource("AWS::SageMaker::ModelPackage", {
        "Properties": Match.object_like({
            "ModelPackageGroupName": "assistant-models", "ModelApprovalStatus": "Approved",
            "ApprovalDescription": "Reviewed by the model risk board (ticket MRB-1)",
            "InferenceSpecification": {"Containers": [{"Image": IMAGE, "ModelDataUrl": Match.any_value()}],
                                       "SupportedContentTypes": ["application/json"],
                                       "SupportedResponseMIMETypes": ["application/json"]}}),
        "DependsOn": [Match.string_like_regexp("RegistryGroup")]})


def test_versions_wait_for_approval_and_unapproved_ones_cannot_be_deployed():
    stack = cdk.Stack(cdk.App(), "Pending")
    registry = ModelPackageGroup(stack, "Registry", name="models")
    package = registry.add_version("V2", image_uri=IMAGE)
    assert package.model_approval_status == "PendingManualApproval"
    with pytest.raises(ValueError, match="PendingManualApproval"):
        SecureModelEndpoint(stack, "Ep", model_package=package, allow_without_vpc=True, allow_without_monitoring=True)


def test_model_is_network_isolated_in_the_vpc_from_the_package(template):
    template.has_resource_properties("AWS::SageMaker::Model", {
        "EnableNetworkIsolation": True,
        "ExecutionRoleArn": {"Fn::GetAtt": [Match.string_like_regexp("EpRole"), "Arn"]},
        "VpcConfig": {"Subnets": [{"Ref": Match.string_like_regexp("NetVpcWorkloadSubnet1")},
                                  {"Ref": Match.string_like_regexp("NetVpcWorkloadSubnet2")}],
                      "SecurityGroupIds": [{"Fn::GetAtt": [Match.string_like_regexp("NetWorkloadSecurityGroup"), "GroupId"]}]},
        "PrimaryContainer": {"ModelPackageName": {"Fn::GetAtt": [Match.string_like_regexp("RegistryV1"), "ModelPackageArn"]}}})


def test_endpoint_config_encrypts_and_captures(template):
    key = {"Fn::GetAtt": [Match.string_like_regexp("EpKey"), "Arn"]}
    template.has_resource_properties("AWS::SageMaker::EndpointConfig", {
        "KmsKeyId": key,
        "ProductionVariants": [{"VariantName": "AllTraffic", "InstanceType": "ml.m5.large", "InitialInstanceCount": 2,
                                "InitialVariantWeight": 1,
                                "ModelName": {"Fn::GetAtt": [Match.string_like_regexp("EpModel"), "ModelName"]}}],
        "DataCaptureConfig": {"EnableCapture": True, "InitialSamplingPercentage": 100, "KmsKeyId": key,
                              "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
                              "DestinationS3Uri": {"Fn::Join": ["", ["s3://", {"Ref": Match.string_like_regexp(
                                  "EpCaptureBucket")}, "/capture"]]}}})
    template.has_resource_properties("AWS::SageMaker::Endpoint", {
        "EndpointConfigName": {"Fn::GetAtt": [Match.string_like_regexp("EpConfig"), "EndpointConfigName"]}})


def test_monitoring_schedule_watches_the_endpoint(template):
    key = {"Fn::GetAtt": [Match.string_like_regexp("EpKey"), "Arn"]}
    template.has_resource_properties("AWS::SageMaker::DataQualityJobDefinition", {
        "DataQualityAppSpecification": {"ImageUri": MONITOR},
        "DataQualityJobInput": {"EndpointInput": {"EndpointName": {"Fn::GetAtt": [Match.string_like_regexp("EpEndpoint"),
                                                                                  "EndpointName"]},
                                                  "LocalPath": "/opt/ml/processing/input"}},
        "DataQualityJobOutputConfig": {"KmsKeyId": key, "MonitoringOutputs": [{"S3Output": Match.object_like({
            "LocalPath": "/opt/ml/processing/output"})}]},
        "JobResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20,
                                           "VolumeKmsKeyId": key}},
        "NetworkConfig": {"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True,
                          "VpcConfig": Match.object_like({"Subnets": Match.any_value()})},
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
        "DataQualityBaselineConfig": {
            "ConstraintsResource": {"S3Uri": {"Fn::Join": ["", ["s3://", {"Ref": Match.string_like_regexp("ArtefactsBucket")},
                                                                 "/baseline/constraints.json"]]}},
            "StatisticsResource": {"S3Uri": {"Fn::Join": ["", ["s3://", {"Ref": Match.string_like_regexp("ArtefactsBucket")},
                                                                "/baseline/statistics.json"]]}}}})
    template.has_resource_properties("AWS::SageMaker::MonitoringSchedule", {
        "EndpointName": {"Fn::GetAtt": [Match.string_like_regexp("EpEndpoint"), "EndpointName"]},
        "MonitoringScheduleConfig": {"MonitoringJobDefinitionName": Match.string_like_regexp("-dq$"),
                                     "MonitoringType": "DataQuality",
                                     "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}}})


def test_grant_invoke_names_the_endpoint_only():
    stack = cdk.Stack(cdk.App(), "Invoke")
    _, _, endpoint = build(stack)
    role = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    endpoint.grant_invoke(role)
    [policy] = [p for k, p in Template.from_stack(stack).find_resources("AWS::IAM::Policy").items()
                if k.startswith("Caller")]
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [{
        "Action": "sagemaker:InvokeEndpoint", "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [stack.get_logical_id(endpoint.endpoint), "EndpointArn"]}}]


def test_network_and_monitoring_are_required_unless_opted_out():
    stack = cdk.Stack(cdk.App(), "Required")
    package = ModelPackageGroup(stack, "Registry", name="m").add_version("V", image_uri=IMAGE, approval_description="ok")
    with pytest.raises(ValueError, match="allow_without_vpc"):
        SecureModelEndpoint(stack, "A", model_package=package, monitoring_image_uri=MONITOR)
    with pytest.raises(ValueError, match="allow_without_monitoring"):
        SecureModelEndpoint(stack, "B", model_package=package, allow_without_vpc=True)


def test_endpoint_opt_outs_are_recorded_and_still_reported():
    stack = cdk.Stack(cdk.App(), "Weak")
    build(stack, network=None, allow_without_vpc=True, monitoring_image_uri=None, allow_without_monitoring=True)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SageMaker::MonitoringSchedule", 0)
    assert "VpcConfig" not in next(iter(template.find_resources("AWS::SageMaker::Model").values()))["Properties"]
    annotations = Annotations.from_stack(stack)
    annotations.has_warning("/Weak/Ep", Match.string_like_regexp("allow_without_vpc=True"))
    annotations.has_warning("/Weak/Ep", Match.string_like_regexp("allow_without_monitoring=True"))
    ids = sorted(f.split(" @ ")[0] for f in findings(stack, prefixes=("Ep",)))
    assert ids == ["AISEC-APP-25", "AISEC-INF-15[VpcConfig]", "AISEC-INF-19[PrimaryContainer]"]


def test_notebook_opt_outs_are_recorded_and_still_reported():
    stack = cdk.Stack(cdk.App(), "Root")
    network = IsolatedNetwork(stack, "Net", capabilities=["answers"])
    SecureNotebook(stack, "Nb", network=network, allow_root_access=True, allow_direct_internet_access=True)
    Template.from_stack(stack).has_resource_properties("AWS::SageMaker::NotebookInstance", {
        "RootAccess": "Enabled", "DirectInternetAccess": "Enabled"})
    annotations = Annotations.from_stack(stack)
    annotations.has_warning("/Root/Nb", Match.string_like_regexp("allow_root_access=True"))
    annotations.has_warning("/Root/Nb", Match.string_like_regexp("allow_direct_internet_access=True"))
    assert sorted(f.split(" @ ")[0] for f in findings(stack, Phase.FOUNDATIONAL)) == [
        "AISEC-INF-14[DirectInternetAccess]", "AISEC-INF-14[RootAccess]"]


def test_defaults_record_no_opt_out(app_and_stack):
    assert Annotations.from_stack(app_and_stack[1]).find_warning("*", Match.string_like_regexp("aisec:")) == []


def test_compliance_at_advanced(app_and_stack, template):
    app, stack = app_and_stack
    assert without_registry_gap(findings(stack)) == []
    assert lint_errors(template.to_json()) == []
    assert aws_solutions_errors(app) == []


def test_endpoint_role_has_least_privilege_on_its_buckets(template):
    statements = [s for k, p in template.find_resources("AWS::IAM::Policy").items() if k.startswith("EpRole")
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    by_sid = {s["Sid"]: s for s in statements if "Sid" in s}
    assert by_sid["CaptureObjects"]["Action"] == ["s3:PutObject", "s3:GetObject"]
    assert by_sid["CaptureBucket"]["Action"] == "s3:ListBucket"
    assert by_sid["ModelArtefacts"]["Action"] == "s3:GetObject"
    assert by_sid["PlaceContainersInVpc"]["Resource"] == "*"
    assert all(not str(a).endswith("*") for s in statements
               for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]]))


def test_a_package_approved_in_a_registry_is_deployed_by_its_arn():
    stack = cdk.Stack(cdk.App(), "Registered")
    arn = "arn:aws:sagemaker:us-east-1:111111111111:model-package/assistant-models/3"
    SecureModelEndpoint(stack, "Ep", model_package=arn, network=IsolatedNetwork(stack, "Net", capabilities=["answers"]),
                        monitoring_image_uri=MONITOR)
    Template.from_stack(stack).has_resource_properties("AWS::SageMaker::Model", {
        "PrimaryContainer": {"ModelPackageName": arn}, "EnableNetworkIsolation": True})
    assert without_registry_gap(findings(stack, prefixes=("Ep",))) == []
