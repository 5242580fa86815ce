from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-26"
KEY = {"Fn::GetAtt": ["Key", "Arn"]}


def endpoint_config(key=None, capture_key=None, capture=False, serverless=False):
    variant = {"ModelName": "m", "VariantName": "v"}
    if serverless:
        variant["ServerlessConfig"] = {"MaxConcurrency": 5, "MemorySizeInMB": 2048}
    else:
        variant.update({"InitialInstanceCount": 1, "InstanceType": "ml.m5.large"})
    props = {"ProductionVariants": [variant]}
    if key is not None:
        props["KmsKeyId"] = key
    if capture:
        props["DataCaptureConfig"] = {"EnableCapture": True, "InitialSamplingPercentage": 100,
                                      "DestinationS3Uri": "s3://capture/", "CaptureOptions": [{"CaptureMode": "Input"}]}
        if capture_key is not None:
            props["DataCaptureConfig"]["KmsKeyId"] = capture_key
    return {"Config": {"Type": "AWS::SageMaker::EndpointConfig", "Properties": props}}


def test_endpoint_notebook_and_domain_with_cmk_pass():
    resources = {**endpoint_config(KEY, KEY, capture=True),
                 "Notebook": {"Type": "AWS::SageMaker::NotebookInstance",
                              "Properties": {"InstanceType": "ml.t3.medium", "RoleArn": "arn:aws:iam::1:role/n", "KmsKeyId": KEY}},
                 "Domain": {"Type": "AWS::SageMaker::Domain", "Properties": {"DomainName": "d", "KmsKeyId": {"Ref": "Key"}}}}
    assert findings(RULE, resources) == []


def test_missing_keys_fail_with_granular_endpoint_findings():
    assert findings(RULE, endpoint_config(capture=True)) == [(RULE + "[DataCaptureConfig.KmsKeyId]", "Config"),
                                                             (RULE + "[KmsKeyId]", "Config")]
    assert findings(RULE, endpoint_config(KEY, capture=True)) == [(RULE + "[DataCaptureConfig.KmsKeyId]", "Config")]
    resources = {"Notebook": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {"InstanceType": "ml.t3.medium"}},
                 "Domain": {"Type": "AWS::SageMaker::Domain", "Properties": {"DomainName": "d"}}}
    assert findings(RULE, resources) == [(RULE, "Domain"), (RULE, "Notebook")]
    assert "create-only" in messages(RULE, resources)[0]


def test_serverless_endpoints_need_no_volume_key():
    assert findings(RULE, endpoint_config(serverless=True)) == []


def test_parameter_default_and_fn_if():
    params = {"Parameters": {"K": {"Type": "String", "Default": "alias/aws/sagemaker"}}}
    assert findings(RULE, endpoint_config({"Ref": "K"}), **params) == [(RULE + "[KmsKeyId]", "Config")]
    assert findings(RULE, endpoint_config({"Fn::If": ["Enc", KEY, {"Ref": "AWS::NoValue"}]})) == [(RULE + "[KmsKeyId]", "Config")]


def test_phase_and_odd_shapes():
    assert findings(RULE, endpoint_config(), Phase.FOUNDATIONAL) == []
    odd = {"Config": {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"ProductionVariants": "x",
                                                                               "DataCaptureConfig": "y"}}}
    assert findings(RULE, odd) == [(RULE + "[KmsKeyId]", "Config")]
