"""AISEC-DATA-32: the buckets behind knowledge base data sources send object-created and -deleted events on."""
from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-32"
FINDING = [("AISEC-DATA-32", "Corpus")]


def source(eventbridge=None, notifications=None, bucket_arn=None):
    notification = {}
    if eventbridge is not None:
        notification["EventBridgeConfiguration"] = {"EventBridgeEnabled": eventbridge}
    notification.update(notifications or {})
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "corpus"}}
    if notification:
        bucket["Properties"]["NotificationConfiguration"] = notification
    return {
        "Corpus": bucket,
        "Source": {"Type": "AWS::Bedrock::DataSource", "Properties": {
            "KnowledgeBaseId": "KB", "Name": "s", "DataSourceConfiguration": {"Type": "S3", "S3Configuration": {
                "BucketArn": bucket_arn or {"Fn::GetAtt": ["Corpus", "Arn"]}}}}},
    }


def rule(detail_types=("Object Created", "Object Deleted"), bucket=None, targets=True, **extra):
    pattern = {"source": ["aws.s3"], "detail": {"bucket": {"name": [bucket or {"Ref": "Corpus"}]}}}
    if detail_types is not None:
        pattern["detail-type"] = list(detail_types)
    props = {"EventPattern": pattern, "State": "ENABLED", **extra}
    if targets:
        props["Targets"] = [{"Arn": "arn:aws:sns:us-east-1:111111111111:alerts", "Id": "t"}]
    return {"Type": "AWS::Events::Rule", "Properties": props}


def test_eventbridge_with_a_rule_that_has_a_target_passes():
    assert findings(RULE, {**source(True), "Changes": rule()}) == []
    split = {**source(True), "Created": rule(["Object Created"]), "Deleted": rule(["Object Deleted"], bucket="corpus")}
    assert findings(RULE, split) == []
    assert findings(RULE, {**source(True), "Everything": rule(None)}) == []


def test_notification_configurations_pass():
    topics = {"TopicConfigurations": [{"Event": "s3:ObjectCreated:*", "Topic": "arn:aws:sns:us-east-1:1:t"}],
              "QueueConfigurations": [{"Event": "s3:ObjectRemoved:Delete", "Queue": "arn:aws:sqs:us-east-1:1:q"}]}
    assert findings(RULE, source(notifications=topics)) == []
    created_only = {"LambdaConfigurations": [{"Event": "s3:ObjectCreated:Put", "Function": "arn:aws:lambda:f"}]}
    assert findings(RULE, source(notifications=created_only)) == FINDING
    assert "Object Deleted events" in messages(RULE, source(notifications=created_only))[0]


def test_missing_or_incomplete_routing_fails():
    assert findings(RULE, source()) == FINDING
    assert "EventBridge is not enabled" in messages(RULE, source())[0]
    assert findings(RULE, source(True)) == FINDING
    assert "no enabled rule with a target" in messages(RULE, source(True))[0]
    assert findings(RULE, {**source(True), "Changes": rule(["Object Created"])}) == FINDING
    assert findings(RULE, {**source(True), "Changes": rule(targets=False)}) == FINDING
    assert findings(RULE, {**source(True), "Changes": rule(State="DISABLED")}) == FINDING
    assert findings(RULE, {**source(True), "Changes": rule(EventBusName="custom")}) == FINDING
    assert findings(RULE, {**source(True), "Changes": rule(bucket="another-bucket")}) == FINDING
    assert findings(RULE, {**source(False), "Changes": rule()}) == FINDING


def test_intrinsics_parameter_default_fn_if_and_outside_buckets():
    parameters = {"Alerts": {"Type": "String", "Default": "true"}}
    assert findings(RULE, {**source({"Ref": "Alerts"}), "Changes": rule()}, Parameters=parameters) == []
    assert findings(RULE, {**source({"Ref": "Alerts"}), "Changes": rule()},
                    Parameters={"Alerts": {"Type": "String"}}) == FINDING
    branch = source({"Fn::If": ["Prod", True, False]})
    assert findings(RULE, {**branch, "Changes": rule()}) == FINDING  # one branch sends nothing
    outside = source(bucket_arn={"Fn::ImportValue": "CorpusArn"})
    assert findings(RULE, outside) == [("AISEC-DATA-32[Unverifiable::BucketArn]", "Source")]


def test_only_knowledge_base_sources_and_from_enhanced_on():
    bucket_only = {"Corpus": source()["Corpus"]}
    assert findings(RULE, bucket_only) == []
    assert findings(RULE, source(), Phase.FOUNDATIONAL) == []
    assert findings(RULE, source(), Phase.ENHANCED, capabilities={Capability.ANSWERS}) == []
