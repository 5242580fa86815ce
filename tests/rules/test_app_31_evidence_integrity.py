"""AISEC-APP-31: every destination of audit evidence is write-once and retained for the policy's retention."""
import copy

from aisec_rules.context import Context
from aisec_rules.engine import evaluate
from aisec_rules.governance.policy import Policy
from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from aisec_rules.rules.application.evidence_integrity import external_archives
from tests.rules.helpers import findings, messages, template

RULE = "AISEC-APP-31"


def locked_bucket(mode="COMPLIANCE", days=365, **retention):
    return {"Type": "AWS::S3::Bucket", "Properties": {
        "VersioningConfiguration": {"Status": "Enabled"}, "ObjectLockEnabled": True,
        "ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": dict(
            {"Mode": mode, "Days": days} if not retention else {"Mode": mode, **retention})}}}}


def log_group(days=365):
    return {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": days} if days else {}}


def trail(bucket=None, group=(), validation=True):
    """A trail writing to Archive and TrailLogs unless told otherwise (group None: no CloudWatch Logs copy)."""
    bucket = {"Ref": "Archive"} if bucket is None else bucket
    group = {"Fn::GetAtt": ["TrailLogs", "Arn"]} if group == () else group
    props = {"IsLogging": True, "S3BucketName": bucket, "EnableLogFileValidation": validation}
    if group is not None:
        props["CloudWatchLogsLogGroupArn"] = group
    return {"Type": "AWS::CloudTrail::Trail", "Properties": props}


def logging(bucket=None, group=None):
    bucket = {"Ref": "Archive"} if bucket is None else bucket
    group = {"Ref": "InvocationLogs"} if group is None else group
    return {"Type": "Custom::AisecModelInvocationLogging", "Properties": {"ServiceToken": "arn", "LoggingConfig": {
        "TextDataDeliveryEnabled": True, "S3Config": {"BucketName": bucket, "KeyPrefix": "inv"},
        "CloudWatchConfig": {"LogGroupName": group, "RoleArn": "arn:aws:iam::1:role/r"}}}}


def vended(destination_arn):
    return {
        "Kb": {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {"Name": "kb"}},
        "Source": {"Type": "AWS::Logs::DeliverySource", "Properties": {
            "Name": "kb-src", "LogType": "APPLICATION_LOGS", "ResourceArn": {"Fn::GetAtt": ["Kb", "KnowledgeBaseArn"]}}},
        "Destination": {"Type": "AWS::Logs::DeliveryDestination", "Properties": {
            "Name": "kb-dst", "DestinationResourceArn": destination_arn}},
        "Delivery": {"Type": "AWS::Logs::Delivery", "Properties": {
            "DeliverySourceName": {"Ref": "Source"}, "DeliveryDestinationArn": {"Fn::GetAtt": ["Destination", "Arn"]}}},
    }


def system(**overrides):
    resources = {"Archive": locked_bucket(), "TrailLogs": log_group(), "InvocationLogs": log_group(),
                 "Trail": trail(), "Logging": logging()}
    resources.update(overrides)
    return resources


def with_policy(resources, days, **sections):
    result = evaluate(template(resources, **sections), phase=Phase.ADVANCED, capabilities=set(Capability),
                      rules=[BY_ID[RULE]], policy=Policy(evidence_retention_days=days))
    return sorted((f.id, f.resource) for f in result)


def test_locked_versioned_bucket_and_retained_log_groups_pass():
    assert findings(RULE, system()) == []
    assert findings(RULE, system(Archive=locked_bucket(days=None, Years=1))) == []


def test_a_bucket_that_is_not_write_once_fails_property_by_property():
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {}}
    assert findings(RULE, system(Archive=bucket)) == [
        ("AISEC-APP-31[DefaultRetention]", "Archive"), ("AISEC-APP-31[ObjectLockEnabled]", "Archive"),
        ("AISEC-APP-31[Versioning]", "Archive")]
    text = " ".join(messages(RULE, system(Archive=bucket)))
    assert "Trail.S3BucketName, Logging.LoggingConfig.S3Config.BucketName" in text


def test_governance_mode_is_its_own_finding_and_short_retention_fails():
    assert findings(RULE, system(Archive=locked_bucket(mode="GOVERNANCE"))) == [
        ("AISEC-APP-31[GovernanceMode]", "Archive")]
    assert findings(RULE, system(Archive=locked_bucket(days=30))) == [("AISEC-APP-31[DefaultRetention]", "Archive")]
    assert "keeps objects Days 30, less than 365 days" in messages(RULE, system(Archive=locked_bucket(days=30)))[0]


def test_log_groups_must_be_kept_as_long_and_forever_passes():
    assert findings(RULE, system(TrailLogs=log_group(90))) == [("AISEC-APP-31[RetentionInDays]", "TrailLogs")]
    assert findings(RULE, system(InvocationLogs=log_group(None))) == []


def test_trails_must_validate_their_log_files():
    assert findings(RULE, system(Trail=trail(validation=False))) == [("AISEC-APP-31[EnableLogFileValidation]", "Trail")]


def test_the_policy_sets_the_retention_default_365_raised_to_730():
    assert with_policy(system(), 365) == []
    assert with_policy(system(), 730) == [
        ("AISEC-APP-31[DefaultRetention]", "Archive"), ("AISEC-APP-31[RetentionInDays]", "InvocationLogs"),
        ("AISEC-APP-31[RetentionInDays]", "TrailLogs")]
    assert with_policy(system(Archive=locked_bucket(days=None, Years=2), TrailLogs=log_group(731),
                              InvocationLogs=log_group(None)), 730) == []


def test_a_destination_outside_the_system_passes_and_is_named_as_evidence():
    resources = system(Trail=trail(bucket="org-log-archive-111111111111", group=None),
                       Logging=logging(bucket={"Ref": "ArchiveName"}))
    del resources["Archive"]
    parameters = {"ArchiveName": {"Type": "String", "Default": "arn:aws:s3:::org-log-archive-111111111111"}}
    assert findings(RULE, resources, Parameters=parameters) == []
    view = template(resources, Parameters=parameters)
    evidence = list(external_archives(Context(view, Phase.ADVANCED, frozenset(Capability))))
    assert evidence == [
        "Trail.S3BucketName: bucket org-log-archive-111111111111 (outside the system)",
        "Logging.LoggingConfig.S3Config.BucketName: bucket org-log-archive-111111111111 "
        "(from the default of parameter ArchiveName) (outside the system)"]
    assert BY_ID[RULE].evidence is external_archives


def test_a_literal_name_of_a_declared_bucket_is_judged_as_that_bucket():
    named = copy.deepcopy(locked_bucket())
    named["Properties"]["BucketName"] = "audit-archive"
    del named["Properties"]["ObjectLockEnabled"]
    assert findings(RULE, system(Archive=named, Trail=trail(bucket="audit-archive"))) == [
        ("AISEC-APP-31[ObjectLockEnabled]", "Archive")]


def test_intrinsics_parameter_without_default_import_and_fn_if():
    unknown = system(Trail=trail(bucket={"Ref": "TrailBucket"}))
    parameters = {"TrailBucket": {"Type": "String"}}
    assert findings(RULE, unknown, Parameters=parameters) == [("AISEC-APP-31[Unverifiable]", "Trail")]
    imported = system(Trail=trail(bucket={"Fn::ImportValue": "LogArchiveBucket"}))
    assert findings(RULE, imported) == [("AISEC-APP-31[Unverifiable]", "Trail")]
    branch = system(TrailLogs={"Type": "AWS::Logs::LogGroup", "Properties": {
        "RetentionInDays": {"Fn::If": ["Prod", 3653, 30]}}})
    assert findings(RULE, branch) == [("AISEC-APP-31[RetentionInDays]", "TrailLogs")]
    assert "when condition Prod is false" in messages(RULE, branch)[0]
    mode = system(Archive=locked_bucket(mode={"Ref": "LockMode"}))
    assert findings(RULE, mode, Parameters={"LockMode": {"Type": "String", "Default": "GOVERNANCE"}}) == [
        ("AISEC-APP-31[GovernanceMode]", "Archive")]


def test_vended_ai_logs_are_judged_at_their_destination():
    arn = {"Fn::Join": ["", ["arn:aws:logs:us-east-1:111111111111:log-group:", {"Ref": "KbLogs"}]]}
    assert findings(RULE, {**vended(arn), "KbLogs": log_group(30)}) == [("AISEC-APP-31[RetentionInDays]", "KbLogs")]
    to_bucket = {**vended({"Fn::GetAtt": ["KbArchive", "Arn"]}), "KbArchive": {"Type": "AWS::S3::Bucket"}}
    to_bucket["Destination"]["Properties"]["DeliveryDestinationType"] = "S3"
    assert [f for f, _ in findings(RULE, to_bucket)] == [
        "AISEC-APP-31[DefaultRetention]", "AISEC-APP-31[ObjectLockEnabled]", "AISEC-APP-31[Versioning]"]
    traces = vended(None)
    traces["Destination"]["Properties"] = {"Name": "x", "DeliveryDestinationType": "XRAY"}
    assert findings(RULE, traces) == []


def test_vended_logs_of_other_resources_are_not_evidence_and_cross_account_destinations_are_external():
    other = {**vended({"Fn::GetAtt": ["Logs", "Arn"]}), "Logs": log_group(7),
             "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {}}}
    other["Source"]["Properties"]["ResourceArn"] = {"Fn::GetAtt": ["Api", "Arn"]}
    assert findings(RULE, other) == []
    remote = vended(None)
    del remote["Destination"]
    remote["Delivery"]["Properties"]["DeliveryDestinationArn"] = \
        "arn:aws:logs:us-east-1:222222222222:delivery-destination:archive"
    assert findings(RULE, remote) == []
    view = template(remote)
    assert list(external_archives(Context(view, Phase.ADVANCED, frozenset(Capability)))) == [
        "Delivery.DeliveryDestinationArn: delivery destination "
        "arn:aws:logs:us-east-1:222222222222:delivery-destination:archive (outside the system)"]


def test_probe_results_bucket_is_evidence_by_the_issue_20_contract():
    # GuardrailProbe (issue 20) names its results bucket in AISEC_PROBE_RESULTS_BUCKET as a Ref
    probe = {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::1:role/p", "Environment": {
        "Variables": {"AISEC_PROBE_RESULTS_BUCKET": {"Ref": "ProbeResults"}}}}}
    plain = {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {"Status": "Enabled"}}}
    assert findings(RULE, {"Probe": probe, "ProbeResults": plain}) == [
        ("AISEC-APP-31[DefaultRetention]", "ProbeResults"), ("AISEC-APP-31[ObjectLockEnabled]", "ProbeResults")]
    assert findings(RULE, {"Probe": probe, "ProbeResults": locked_bucket()}) == []


def test_an_sdk_call_cannot_show_its_destinations():
    call = {"Type": "Custom::AWS", "Properties": {"ServiceToken": "arn", "Create": (
        '{"service":"Bedrock","action":"putModelInvocationLoggingConfiguration","parameters":{"loggingConfig":'
        '{"textDataDeliveryEnabled":true,"s3Config":{"bucketName":"b"}}}}')}}
    assert findings(RULE, {"Call": call}) == [("AISEC-APP-31[Unverifiable]", "Call")]


def test_only_at_advanced():
    assert findings(RULE, system(Archive={"Type": "AWS::S3::Bucket"}), Phase.ENHANCED) == []


def test_a_name_built_from_pseudo_parameters_names_the_bucket_written_the_same_way():
    name = {"Fn::Join": ["", ["aisec-evidence-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}, "-abcd1234"]]}
    archive = copy.deepcopy(locked_bucket(mode="GOVERNANCE"))
    archive["Properties"]["BucketName"] = copy.deepcopy(name)
    function = {"Type": "AWS::Lambda::Function", "Properties": {"Environment": {"Variables": {
        "AISEC_EVIDENCE_BUCKET": {"Fn::Sub": "aisec-evidence-${AWS::AccountId}-${AWS::Region}-abcd1234"}}}}}
    assert findings(RULE, {"Archive": archive, "Containment": function}) == [("AISEC-APP-31[GovernanceMode]", "Archive")]
