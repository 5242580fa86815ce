"""GuardrailProbe: the schedule and its input, the function (asset, environment, DLQ, concurrency, logs), the
least-privilege role, the alarms into the incident-response topic, the results bucket, each option, compliance."""
import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template

from aisec_constructs.application import DeniedTopic, Guardrail
from aisec_constructs.data import EvidenceArchive
from aisec_constructs.detection import GuardrailProbe, IncidentResponse, ProbeTarget
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.probe import suite
from aisec_rules.probe.scoring import Thresholds
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

TOPIC = DeniedTopic("Investment", "Advice on buying or selling securities", ["Which stock should I buy?"])
ATTACK = [c for c in suite.load().categories if c != "benign"]
ENV = cdk.Environment(account="111111111111", region="us-east-1")


def build(stack, **options):
    guardrail = Guardrail(stack, "Guard", denied_topics=[TOPIC])
    response = IncidentResponse(stack, "Response")
    probe = GuardrailProbe(stack, "Probe", guardrails=[guardrail], alarm_topic=response.topic, **options)
    return guardrail, response, probe


@pytest.fixture(scope="module")
def built():
    app = report_only_app()
    stack = cdk.Stack(app, "Probed", env=ENV)
    guardrail, response, probe = build(stack)
    return app, stack, guardrail, response, probe


@pytest.fixture(scope="module")
def template(built):
    return Template.from_stack(built[1])


def test_a_daily_schedule_invokes_the_function_with_the_guardrail_topics_and_thresholds(template):
    schedule, = template.find_resources("AWS::Scheduler::Schedule").values()
    props = schedule["Properties"]
    assert (props["ScheduleExpression"], props["State"], props["FlexibleTimeWindow"]) == ("rate(1 day)", "ENABLED",
                                                                                         {"Mode": "OFF"})
    function = next(k for k in template.find_resources("AWS::Lambda::Function") if k.startswith("ProbeFunction"))
    assert props["Target"]["Arn"] == {"Fn::GetAtt": [function, "Arn"]}
    parts = props["Target"]["Input"]["Fn::Join"][1]
    assert parts[1] == {"Fn::GetAtt": [next(iter(template.find_resources("AWS::Bedrock::Guardrail"))), "GuardrailArn"]}
    assert parts[3] == {"Fn::GetAtt": [next(iter(template.find_resources("AWS::Bedrock::GuardrailVersion"))), "Version"]}
    rendered = json.loads("".join(p if isinstance(p, str) else "X" for p in parts))
    assert rendered == {"guardrails": [{"id": "X", "version": "X", "topics": [
        {"name": "Investment", "definition": "Advice on buying or selling securities",
         "examples": ["Which stock should I buy?"]}]}],
        "thresholds": {"min_block_rate": 0.8, "max_benign_block_rate": 0.1, "categories": {}}}


def test_the_function_runs_the_probe_asset_bounded_with_encrypted_logs_and_a_dead_letter_queue(template):
    template.has_resource_properties("AWS::Lambda::Function", {
        "Handler": "handlers.guardrail_probe.handler", "Runtime": "python3.14", "Timeout": 900,
        "ReservedConcurrentExecutions": 1, "RecursiveLoop": "Terminate",
        "DeadLetterConfig": {"TargetArn": {"Fn::GetAtt": [Match.string_like_regexp("ProbeDeadLetters"), "Arn"]}},
        "KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("ProbeKey"), "Arn"]},
        "LoggingConfig": {"LogGroup": {"Ref": Match.string_like_regexp("ProbeLogsLogGroup")}},
        "Environment": {"Variables": {
            "AISEC_PROBE_RESULTS_BUCKET": {"Ref": Match.string_like_regexp("ProbeResultsBucket")},
            "AISEC_PROBE_RESULTS_PREFIX": "guardrail-probes/", "AISEC_PROBE_NAMESPACE": "aisec/GuardrailProbe",
            "AISEC_PROBE_CONCURRENCY": "4", "AISEC_VERSION": Match.any_value()}}})
    template.has_resource_properties("AWS::Lambda::EventInvokeConfig", {"MaximumRetryAttempts": 0})
    template.has_resource_properties("AWS::SQS::Queue", {
        "KmsMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("ProbeKey"), "Arn"]}, "MessageRetentionPeriod": 1209600})
    template.has_resource_properties("AWS::Logs::LogGroup", {
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("ProbeKey"), "Arn"]}, "RetentionInDays": 365,
        "DataProtectionPolicy": Match.any_value()})
    template.has_resource_properties("AWS::S3::Bucket", {"VersioningConfiguration": {"Status": "Enabled"},
                                                         "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                                                             Match.object_like({"BucketKeyEnabled": True})]}})


def statements(template, role_prefix):
    found = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if any(r["Ref"].startswith(role_prefix) for r in policy["Properties"]["Roles"]):
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def test_the_role_may_only_apply_its_guardrails_publish_its_metrics_and_write_its_results(template):
    guardrail = next(iter(template.find_resources("AWS::Bedrock::Guardrail")))
    keys = {k for k in template.find_resources("AWS::KMS::Key")}
    granted = {(s["Action"] if isinstance(s["Action"], str) else ",".join(s["Action"]),
                json.dumps(s["Resource"], sort_keys=True), json.dumps(s.get("Condition"), sort_keys=True))
               for s in statements(template, "ProbeRole")}
    guard_key = next(k for k in keys if k.startswith("GuardKey"))
    probe_key = next(k for k in keys if k.startswith("ProbeKey"))
    bucket = next(b for b in template.find_resources("AWS::S3::Bucket") if b.startswith("ProbeResultsBucket"))
    log_group = next(iter(template.find_resources("AWS::Logs::LogGroup")))
    queue = next(iter(template.find_resources("AWS::SQS::Queue")))
    arn = lambda lid: json.dumps({"Fn::GetAtt": [lid, "Arn"]})  # noqa: E731
    assert granted == {
        ("bedrock:ApplyGuardrail", json.dumps({"Fn::GetAtt": [guardrail, "GuardrailArn"]}), "null"),
        ("kms:Decrypt", arn(guard_key), "null"),
        ("cloudwatch:PutMetricData", '"*"', json.dumps({"StringEquals": {"cloudwatch:namespace": "aisec/GuardrailProbe"}})),
        ("s3:PutObject", json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/guardrail-probes/*"]]},
                                    sort_keys=True), "null"),
        ("kms:GenerateDataKey", arn(probe_key), "null"),
        ("logs:CreateLogStream,logs:PutLogEvents", arn(log_group), "null"),
        ("kms:GenerateDataKey,kms:Decrypt", arn(probe_key), "null"),
        ("sqs:SendMessage", arn(queue), "null"),
    }
    template.has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Statement": [Match.object_like({"Principal": {"Service": "lambda.amazonaws.com"}})]},
        "ManagedPolicyArns": Match.absent(), "Policies": Match.absent()})


def test_alarms_per_category_and_benign_and_errors_notify_the_incident_topic(template, built):
    probe = built[4]
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    probe_alarms = {k: a["Properties"] for k, a in alarms.items() if k.startswith("Probe")}
    assert len(probe_alarms) == len(ATTACK) + 2 == len(probe.alarms)
    topic = {"Ref": next(k for k in template.find_resources("AWS::SNS::Topic") if k.startswith("ResponseTopic"))}
    assert all(a["AlarmActions"] == [topic] and a["TreatMissingData"] == "notBreaching" for a in probe_alarms.values())
    by_category = {next(d["Value"] for d in a["Dimensions"] if d["Name"] == "Category"): a
                   for a in probe_alarms.values() if a.get("MetricName") == "BlockRate"}
    assert sorted(by_category) == sorted(ATTACK)
    jailbreak = by_category["jailbreak"]
    assert (jailbreak["Namespace"], jailbreak["Statistic"], jailbreak["Period"], jailbreak["Threshold"],
            jailbreak["ComparisonOperator"]) == ("aisec/GuardrailProbe", "Minimum", 86400, 0.8, "LessThanThreshold")
    assert [d["Name"] for d in jailbreak["Dimensions"]] == ["Category", "Guardrail", "GuardrailVersion"]
    benign, = [a for a in probe_alarms.values() if a.get("MetricName") == "BenignBlockRate"]
    assert (benign["Statistic"], benign["Threshold"], benign["ComparisonOperator"]) == (
        "Maximum", 0.1, "GreaterThanThreshold")
    errors, = [a for a in probe_alarms.values() if a.get("MetricName") == "Errors"]
    assert (errors["Namespace"], errors["Threshold"], errors["ComparisonOperator"]) == (
        "AWS/Lambda", 1, "GreaterThanOrEqualToThreshold")


def test_options_thresholds_schedule_categories_an_existing_bucket_and_a_plain_target():
    stack = cdk.Stack(cdk.App(), "Options", env=ENV)
    topic = sns.Topic(stack, "Topic")
    archive = s3.Bucket(stack, "Archive", encryption=s3.BucketEncryption.KMS, enforce_ssl=True)
    key = kms.Key(stack, "ExternalKey")
    probe = GuardrailProbe(
        stack, "Probe", alarm_topic=topic, results_bucket=archive, results_prefix="evidence/probes/",
        guardrails=[ProbeTarget("arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123", "7", encryption_key=key)],
        schedule=scheduler.ScheduleExpression.cron(hour="6", minute="0"), categories=["jailbreak", "benign"],
        max_probes=50, thresholds=Thresholds(0.9, 0.05, {"jailbreak": 0.6}), namespace="team/Probes")
    template = Template.from_stack(stack)
    assert probe.results_bucket is archive
    template.has_resource_properties("AWS::Lambda::Function", {"Environment": {"Variables": Match.object_like({
        "AISEC_PROBE_RESULTS_BUCKET": {"Ref": Match.string_like_regexp("Archive")},
        "AISEC_PROBE_RESULTS_PREFIX": "evidence/probes/", "AISEC_PROBE_NAMESPACE": "team/Probes"})}})
    schedule, = template.find_resources("AWS::Scheduler::Schedule").values()
    assert schedule["Properties"]["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert json.loads(schedule["Properties"]["Target"]["Input"]) == {
        "guardrails": [{"id": "arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123", "version": "7", "topics": []}],
        "categories": ["jailbreak", "benign"], "max_probes": 50,
        "thresholds": {"min_block_rate": 0.9, "max_benign_block_rate": 0.05, "categories": {"jailbreak": 0.6}}}
    alarms = [a["Properties"] for a in template.find_resources("AWS::CloudWatch::Alarm").values()]
    assert sorted((a["MetricName"], a["Threshold"]) for a in alarms) == [
        ("BenignBlockRate", 0.05), ("BlockRate", 0.6), ("Errors", 1)]
    granted = [s for p in template.find_resources("AWS::IAM::Policy").values()
               for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert {"Action": "bedrock:ApplyGuardrail", "Effect": "Allow",
            "Resource": "arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123"} in granted
    assert any(s["Action"] == "kms:Decrypt" and s["Resource"] == {"Fn::GetAtt": [
        next(k for k in template.find_resources("AWS::KMS::Key") if k.startswith("ExternalKey")), "Arn"]}
        for s in granted)
    assert any(s["Action"] == "s3:PutObject" and s["Resource"]["Fn::Join"][1][1] == "/evidence/probes/*" for s in granted)
    template.resource_count_is("AWS::S3::Bucket", 1)


@pytest.mark.parametrize("options, message", [
    ({"guardrails": []}, "at least one guardrail"),
    ({"categories": ["nope"]}, "unknown probe category nope"),
    ({"results_prefix": "/abs/"}, "results_prefix must be a folder"),
    ({"results_prefix": "no-slash"}, "results_prefix must be a folder"),
])
def test_bad_options_are_refused(options, message):
    stack = cdk.Stack(cdk.App(), "Bad")
    topic = sns.Topic(stack, "Topic")
    target = ProbeTarget("arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123", "1")
    with pytest.raises(ValueError, match=message):
        GuardrailProbe(stack, "Probe", **{"alarm_topic": topic, "guardrails": [target], **options})


def test_compliance_with_an_archive_the_probe_satisfies_app_30_and_adds_no_finding():
    stack = cdk.Stack(cdk.App(), "Compliant", env=ENV)
    build(stack, archive=EvidenceArchive(stack, "Evidence"))
    template = Template.from_stack(stack)
    assert stack_findings(stack, Phase.ADVANCED, capabilities={Capability.ANSWERS}) == [
        f"AISEC-APP-10 @ {next(iter(template.find_resources('AWS::Bedrock::Guardrail')))}"]
    assert lint_errors(template.to_json()) == []
    lone = cdk.Stack(cdk.App(), "Lone", env=ENV)
    Guardrail(lone, "Guard", denied_topics=[TOPIC])
    view = AisecTemplate(Template.from_stack(lone).to_json(), "lone")
    assert [f.rule.id for f in evaluate(view, Phase.ADVANCED, {Capability.ANSWERS}) if f.rule.id == "AISEC-APP-30"] == [
        "AISEC-APP-30"]


def test_without_an_archive_the_default_results_bucket_is_not_write_once(built, template):
    """As AuditTrail's default bucket: versioned and encrypted, but AISEC-APP-31 asks for Object Lock at Advanced."""
    results = next(k for k in template.find_resources("AWS::S3::Bucket") if k.startswith("ProbeResultsBucket"))
    assert stack_findings(built[1], Phase.ADVANCED, capabilities={Capability.ANSWERS}) == sorted([
        f"AISEC-APP-10 @ {next(iter(template.find_resources('AWS::Bedrock::Guardrail')))}",
        f"AISEC-APP-31[DefaultRetention] @ {results}", f"AISEC-APP-31[ObjectLockEnabled] @ {results}"])
    assert stack_findings(built[1], Phase.ENHANCED, capabilities={Capability.ANSWERS}) == []


def test_aws_solutions():
    app = report_only_app()
    build(cdk.Stack(app, "Nag", env=ENV))
    assert aws_solutions_errors(app) == []


def test_results_go_to_an_evidence_archive_as_one_of_its_named_writers():
    stack = cdk.Stack(cdk.App(), "Archived", env=ENV)
    archive = EvidenceArchive(stack, "Evidence")
    probe = GuardrailProbe(stack, "Probe", alarm_topic=sns.Topic(stack, "Topic"), archive=archive,
                           guardrails=[ProbeTarget("arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123", "7")])
    template = Template.from_stack(stack)
    assert probe.results_bucket is archive.bucket
    function, = [f for f in template.find_resources("AWS::Lambda::Function").values()
                 if "AISEC_PROBE_RESULTS_BUCKET" in f["Properties"].get("Environment", {}).get("Variables", {})]
    assert function["Properties"]["Environment"]["Variables"]["AISEC_PROBE_RESULTS_BUCKET"] == \
        stack.resolve(archive.bucket_name)
    role, = [r for k, r in template.find_resources("AWS::IAM::Role").items() if k.startswith("ProbeRole")]
    assert {"Key": "aisec:evidence-writer", "Value": archive.writer_id} in role["Properties"]["Tags"]
    granted = [s for p in template.find_resources("AWS::IAM::Policy").values()
               for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert {"Action": "s3:PutObject", "Effect": "Allow",
            "Resource": stack.resolve(archive.objects_arn("guardrail-probes/"))} in granted
    assert all(k.startswith("Evidence") for k in template.find_resources("AWS::S3::Bucket"))  # no bucket of its own


def test_an_archive_and_a_results_bucket_together_are_refused():
    stack = cdk.Stack(cdk.App(), "Both", env=ENV)
    with pytest.raises(ValueError, match="results_bucket or archive, not both"):
        GuardrailProbe(stack, "Probe", alarm_topic=sns.Topic(stack, "Topic"), archive=EvidenceArchive(stack, "E"),
                       results_bucket=s3.Bucket(stack, "B"),
                       guardrails=[ProbeTarget("arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123", "7")])
