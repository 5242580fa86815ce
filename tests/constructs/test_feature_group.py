"""SecureFeatureGroup: online and offline stores encrypted with one customer managed key (AISEC-DATA-28)."""
import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from aisec_constructs.infrastructure import SecureFeatureGroup
from aisec_rules.model import Capability, Phase
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_stack, stack_findings

FEATURES = {"customer_id": "String", "event_time": "String", "spend": "Fractional"}


def build(stack, **props):
    return SecureFeatureGroup(stack, "Features", feature_group_name="customers", record_identifier="customer_id",
                              event_time="event_time", features=FEATURES, **props)


@pytest.fixture(scope="module")
def built():
    return report_only_stack("FeatureStore", build)


def key_ref(template):
    [key] = template.find_resources("AWS::KMS::Key")
    return {"Fn::GetAtt": [key, "Arn"]}


def test_both_stores_use_the_customer_managed_key(built):
    _, stack = built
    template = Template.from_stack(stack)
    key = key_ref(template)
    template.has_resource_properties("AWS::SageMaker::FeatureGroup", {
        "FeatureGroupName": "customers", "RecordIdentifierFeatureName": "customer_id", "EventTimeFeatureName": "event_time",
        "FeatureDefinitions": [{"FeatureName": "customer_id", "FeatureType": "String"},
                               {"FeatureName": "event_time", "FeatureType": "String"},
                               {"FeatureName": "spend", "FeatureType": "Fractional"}],
        "OnlineStoreConfig": {"EnableOnlineStore": True, "SecurityConfig": {"KmsKeyId": key}},
        "OfflineStoreConfig": {"S3StorageConfig": {"S3Uri": Match.any_value(), "KmsKeyId": key}},
        "RoleArn": Match.any_value()})
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [{
        "Principal": {"Service": "sagemaker.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]}})


def test_only_one_store_when_asked_and_never_none():
    stack = cdk.Stack(cdk.App(), "OnlineOnly")
    build(stack, offline_store=False)
    props = Template.from_stack(stack).find_resources("AWS::SageMaker::FeatureGroup")
    [group] = props.values()
    assert "OfflineStoreConfig" not in group["Properties"] and "OnlineStoreConfig" in group["Properties"]
    assert Template.from_stack(stack).find_resources("AWS::S3::Bucket") == {}
    with pytest.raises(ValueError, match="online store, an offline store or both"):
        build(cdk.Stack(cdk.App(), "Neither"), online_store=False, offline_store=False)


def test_compliance_at_advanced_and_cfn_lint(built):
    app, stack = built
    assert [f for f in stack_findings(stack, Phase.ADVANCED, capabilities=[Capability.ANSWERS])
            if f.split(" @ ")[1].startswith("Features")] == []
    assert [f for f in stack_findings(stack, Phase.ADVANCED, capabilities=[Capability.ANSWERS])
            if f.startswith("AISEC-DATA-28")] == []
    assert lint_errors(Template.from_stack(stack).to_json()) == []
    assert aws_solutions_errors(app) == []
