from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-28"
KEY = {"Fn::GetAtt": ["Key", "Arn"]}


def feature_group(name="Features", offline=None, online=None):
    props = {"FeatureGroupName": "f", "RecordIdentifierFeatureName": "id", "EventTimeFeatureName": "t",
             "FeatureDefinitions": [{"FeatureName": "id", "FeatureType": "String"}]}
    if offline is not None:
        props["OfflineStoreConfig"] = {"S3StorageConfig": {"S3Uri": "s3://bucket/features", **offline}}
    if online is not None:
        props["OnlineStoreConfig"] = online
    return {name: {"Type": "AWS::SageMaker::FeatureGroup", "Properties": props}}


def experiment(name="Experiment", **props):
    base = {"Name": "shadow", "Type": "ShadowMode", "RoleArn": "arn:aws:iam::111122223333:role/x",
            "EndpointName": "ep", "ModelVariants": []}
    base.update(props)
    return {name: {"Type": "AWS::SageMaker::InferenceExperiment", "Properties": base}}


def test_keys_everywhere_pass():
    resources = {**feature_group(offline={"KmsKeyId": KEY},
                                 online={"EnableOnlineStore": True, "SecurityConfig": {"KmsKeyId": {"Ref": "Key"}}}),
                 **experiment(KmsKey=KEY, DataStorageConfig={"Destination": "s3://b/capture", "KmsKey": KEY})}
    assert findings(RULE, resources) == []


def test_missing_keys_fail_granularly():
    resources = {**feature_group(offline={}, online={"EnableOnlineStore": True}),
                 **experiment(DataStorageConfig={"Destination": "s3://b/capture"})}
    assert findings(RULE, resources) == [(f"{RULE}[DataStorageConfig.KmsKey]", "Experiment"),
                                         (f"{RULE}[KmsKey]", "Experiment"),
                                         (f"{RULE}[OfflineStoreConfig]", "Features"),
                                         (f"{RULE}[OnlineStoreConfig]", "Features")]


def test_stores_and_capture_that_are_absent_or_in_memory_are_not_judged():
    resources = {**feature_group(online={"EnableOnlineStore": True, "StorageType": "InMemory"}),
                 **feature_group("Disabled", online={"EnableOnlineStore": False}),
                 **experiment(KmsKey=KEY)}
    assert findings(RULE, resources) == []


def test_aws_managed_alias_fails_and_parameter_defaults_are_judged():
    params = {"Parameters": {"StoreKey": {"Type": "String", "Default": "alias/aws/sagemaker"},
                             "Free": {"Type": "String"}}}
    resources = {**feature_group(offline={"KmsKeyId": {"Ref": "StoreKey"}}), **experiment(KmsKey={"Ref": "Free"})}
    assert findings(RULE, resources, **params) == [(f"{RULE}[OfflineStoreConfig]", "Features")]
    assert "from the default of parameter StoreKey" in messages(RULE, resources, **params)[0]


def test_fn_if_branches_are_judged():
    resources = experiment(KmsKey={"Fn::If": ["Prod", KEY, {"Ref": "AWS::NoValue"}]})
    assert findings(RULE, resources) == [(f"{RULE}[KmsKey]", "Experiment")]
    assert "Prod is false" in messages(RULE, resources)[0]


def test_metadata():
    rule = BY_ID[RULE]
    assert rule.security_hub == ("SageMaker.17", "SageMaker.18", "SageMaker.23", "SageMaker.24")
    assert rule.applies(Phase.ENHANCED, frozenset({Capability.ANSWERS}))
    assert not rule.applies(Phase.FOUNDATIONAL, frozenset({Capability.ANSWERS}))
