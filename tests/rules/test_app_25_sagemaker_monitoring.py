from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-25"
CAPTURE = {"EnableCapture": True, "InitialSamplingPercentage": 20, "DestinationS3Uri": "s3://capture/ep",
           "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
VARIANT = {"ModelName": "m", "VariantName": "v", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}


def config(capture=CAPTURE, serverless=False):
    variant = {"ModelName": "m", "VariantName": "v", "ServerlessConfig": {"MaxConcurrency": 1, "MemorySizeInMB": 2048}} \
        if serverless else VARIANT
    props = {"ProductionVariants": [variant]}
    if capture is not None:
        props["DataCaptureConfig"] = capture
    return {"Type": "AWS::SageMaker::EndpointConfig", "Properties": props}


def endpoint(config_id="Config", name=None):
    props = {"EndpointConfigName": {"Fn::GetAtt": [config_id, "EndpointConfigName"]}}
    if name:
        props["EndpointName"] = name
    return {"Type": "AWS::SageMaker::Endpoint", "Properties": props}


def schedule(endpoint_name):
    return {"Type": "AWS::SageMaker::MonitoringSchedule", "Properties": {
        "MonitoringScheduleName": "s", "EndpointName": endpoint_name,
        "MonitoringScheduleConfig": {"MonitoringJobDefinitionName": "dq", "MonitoringType": "DataQuality",
                                     "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}}}}


def test_capture_and_schedule_pass():
    resources = {"Config": config(), "Endpoint": endpoint(),
                 "Schedule": schedule({"Fn::GetAtt": ["Endpoint", "EndpointName"]})}
    assert findings(RULE, resources) == []


def test_enforced_from_enhanced_for_answers():
    resources = {"Config": config(None), "Endpoint": endpoint()}
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == []
    assert findings(RULE, resources, Phase.ENHANCED) == [(RULE, "Config"), (RULE, "Endpoint")]


def test_capture_disabled_or_zero_sampling_fails():
    assert findings(RULE, {"Config": config({**CAPTURE, "EnableCapture": "false"})}) == [(RULE, "Config")]
    assert findings(RULE, {"Config": config({**CAPTURE, "InitialSamplingPercentage": 0})}) == [(RULE, "Config")]
    no_flag = {k: v for k, v in CAPTURE.items() if k != "EnableCapture"}
    assert findings(RULE, {"Config": config(no_flag)}) == []


def test_schedule_through_job_definition_or_literal_name():
    job = {"Type": "AWS::SageMaker::DataQualityJobDefinition", "Properties": {
        "JobDefinitionName": "dq", "DataQualityJobInput": {"EndpointInput": {"EndpointName": {"Fn::GetAtt": ["Endpoint", "EndpointName"]},
                                                                               "LocalPath": "/opt/ml/processing/input"}}}}
    resources = {"Config": config(), "Endpoint": endpoint(), "Job": job, "Schedule": schedule("unrelated")}
    assert findings(RULE, resources) == []
    resources = {"Config": config(), "Endpoint": endpoint(name="chat"), "Schedule": schedule("chat")}
    assert findings(RULE, resources) == []
    resources = {"Config": config(), "Endpoint": endpoint(name="chat"), "Schedule": schedule("other")}
    assert findings(RULE, resources) == [(RULE, "Endpoint")]
    assert "no AWS::SageMaker::MonitoringSchedule" in messages(RULE, resources)[0]


def test_serverless_is_skipped():
    assert findings(RULE, {"Config": config(None, serverless=True), "Endpoint": endpoint()}) == []


def test_parameter_default_and_fn_if():
    params = {"Parameters": {"Capture": {"Type": "String", "Default": "false"}}}
    resources = {"Config": config({**CAPTURE, "EnableCapture": {"Ref": "Capture"}})}
    assert findings(RULE, resources, **params) == [(RULE, "Config")]
    assert "from the default of parameter Capture" in messages(RULE, resources, **params)[0]
    resources = {"Config": config({**CAPTURE, "InitialSamplingPercentage": {"Fn::If": ["C", 10, 0]}})}
    assert findings(RULE, resources) == [(RULE, "Config")]


def test_odd_shapes_do_not_crash():
    resources = {"Config": {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {"ProductionVariants": "x",
                                                                                     "DataCaptureConfig": "on"}},
                 "Endpoint": {"Type": "AWS::SageMaker::Endpoint", "Properties": {"EndpointConfigName": ["x"]}}}
    assert findings(RULE, resources) == [(RULE, "Config"), (RULE, "Endpoint")]
