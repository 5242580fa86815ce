"""AISEC-INF-15, DATA-26, DATA-27 on SageMaker processing jobs and pipeline steps (issue 22)."""
import json

from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

INF15, DATA26, DATA27 = "AISEC-INF-15", "AISEC-DATA-26", "AISEC-DATA-27"
KEY = {"Fn::GetAtt": ["Key", "Arn"]}
NETWORK = {"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True,
           "VpcConfig": {"Subnets": [{"Ref": "Subnet"}], "SecurityGroupIds": [{"Ref": "Sg"}]}}


def processing_job(network=NETWORK, volume_key=KEY, output_key=KEY):
    cluster = {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30}
    if volume_key is not None:
        cluster["VolumeKmsKeyId"] = volume_key
    props = {"AppSpecification": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/p:1"},
             "RoleArn": "arn:aws:iam::123456789012:role/r", "ProcessingResources": {"ClusterConfig": cluster},
             "ProcessingOutputConfig": {"Outputs": []}}
    if output_key is not None:
        props["ProcessingOutputConfig"]["KmsKeyId"] = output_key
    if network is not None:
        props["NetworkConfig"] = network
    return {"Job": {"Type": "AWS::SageMaker::ProcessingJob", "Properties": props}}


def test_processing_job_with_isolation_vpc_encryption_and_keys_passes():
    for rule in (INF15, DATA26, DATA27):
        assert findings(rule, processing_job()) == []


def test_processing_job_without_network_config_or_keys_fails_per_setting():
    bare = processing_job(network=None, volume_key=None, output_key=None)
    assert findings(INF15, bare) == [(f"{INF15}[EnableNetworkIsolation]", "Job"), (f"{INF15}[VpcConfig]", "Job")]
    assert findings(DATA27, bare) == [(f"{DATA27}[EnableInterContainerTrafficEncryption]", "Job")]
    assert findings(DATA26, bare) == [(f"{DATA26}[ProcessingOutputConfig.KmsKeyId]", "Job"),
                                      (f"{DATA26}[VolumeKmsKeyId]", "Job")]
    assert findings(INF15, bare, Phase.FOUNDATIONAL) == []


def test_processing_job_intrinsics_are_judged_per_branch():
    network = {"Fn::If": ["Isolated", NETWORK, dict(NETWORK, EnableNetworkIsolation={"Ref": "Isolate"})]}
    params = {"Parameters": {"Isolate": {"Type": "String", "Default": "false"}}}
    assert findings(INF15, processing_job(network), **params) == [(f"{INF15}[EnableNetworkIsolation]", "Job")]
    text = messages(INF15, processing_job(network), **params)[0]
    assert "when condition Isolated is false" in text and "parameter Isolate" in text
    unknown = processing_job(network={"Fn::ImportValue": "net"})
    assert findings(DATA27, unknown) == [(f"{DATA27}[EnableInterContainerTrafficEncryption]", "Job")]
    assert "cannot be verified" in messages(DATA27, unknown)[0]


TRAIN_OK = {"Name": "Train", "Type": "Training", "Arguments": {
    "EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True,
    "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
    "ResourceConfig": {"InstanceCount": 1, "VolumeKmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k"},
    "OutputDataConfig": {"S3OutputPath": "s3://b/o", "KmsKeyId": {"Get": "Parameters.OutputKey"}}}}
PROCESS_BAD = {"Name": "Prepare data", "Type": "Processing", "Arguments": {
    "NetworkConfig": {"EnableNetworkIsolation": False},
    "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1}},
    "ProcessingOutputConfig": {"KmsKeyId": "alias/aws/s3"}}}
TRANSFORM_BAD = {"Name": "Score", "Type": "Transform", "Arguments": {"TransformOutput": {"S3OutputPath": "s3://b"}}}
TUNE_BAD = {"Name": "Tune", "Type": "Tuning", "Arguments": {"TrainingJobDefinition": {
    "EnableNetworkIsolation": {"Get": "Parameters.Isolate"}}}}


def pipeline(*steps, body=None):
    definition = body if body is not None else {"PipelineDefinitionBody": json.dumps(
        {"Version": "2020-12-01", "Steps": list(steps)})}
    return {"Pipeline": {"Type": "AWS::SageMaker::Pipeline", "Properties": {
        "PipelineName": "train", "RoleArn": "arn:aws:iam::123456789012:role/r", "PipelineDefinition": definition}}}


def test_pipeline_steps_that_isolate_encrypt_and_use_keys_pass():
    for rule in (INF15, DATA26, DATA27):
        assert findings(rule, pipeline(TRAIN_OK, {"Name": "Register", "Type": "RegisterModel", "Arguments": {}})) == []


def test_each_step_is_its_own_finding_condition_branches_included():
    condition = {"Name": "Check", "Type": "Condition", "Arguments": {"Conditions": [], "IfSteps": [TUNE_BAD],
                                                                     "ElseSteps": [TRANSFORM_BAD]}}
    resources = pipeline(TRAIN_OK, PROCESS_BAD, condition)
    assert findings(INF15, resources) == [(f"{INF15}[Step::Prepare_data]", "Pipeline"),
                                          (f"{INF15}[Step::Tune]", "Pipeline")]
    assert findings(DATA27, resources) == [(f"{DATA27}[Step::Prepare_data]", "Pipeline"),
                                           (f"{DATA27}[Step::Tune]", "Pipeline")]
    assert findings(DATA26, resources) == [(f"{DATA26}[Step::Prepare_data]", "Pipeline"),
                                           (f"{DATA26}[Step::Score]", "Pipeline"), (f"{DATA26}[Step::Tune]", "Pipeline")]
    text = " ".join(messages(INF15, resources))
    assert "NetworkConfig.EnableNetworkIsolation is False" in text and "pipeline expression" in text
    assert "AWS managed key alias/aws/s3" in " ".join(messages(DATA26, resources))


def test_a_definition_the_template_cannot_show_is_never_passed():
    in_s3 = pipeline(body={"PipelineDefinitionS3Location": {"Bucket": "b", "Key": "k"}})
    not_json = pipeline(body={"PipelineDefinitionBody": {"Fn::Join": ["", ["{\"Steps\": ", {"Ref": "Steps"}, "}"]]}})
    for rule in (INF15, DATA26, DATA27):
        assert findings(rule, in_s3) == [(f"{rule}[PipelineDefinition]", "Pipeline")]
        assert findings(rule, not_json) == [(f"{rule}[PipelineDefinition]", "Pipeline")]
    assert "PipelineDefinitionS3Location" in messages(INF15, in_s3)[0]


def test_a_sub_built_body_with_placeholders_in_strings_is_read():
    body = json.dumps({"Steps": [dict(TRAIN_OK, Arguments=dict(TRAIN_OK["Arguments"],
                                                               RoleArn="${Role.Arn}"))]})
    assert findings(INF15, pipeline(body={"PipelineDefinitionBody": {"Fn::Sub": body}})) == []
