"""IncidentResponse and AiMonitoring: routes, topic encryption, alarms, evidence bucket, compliance."""
import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.detection import AiMonitoring, AlarmThresholds, IncidentResponse
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.read.template import Template as AisecTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

GUARDRAIL = "arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123"


def rule_findings(stack, *rule_ids):
    template = AisecTemplate(Template.from_stack(stack).to_json(), stack.stack_name)
    return sorted(f"{f.id} @ {f.resource}" for f in evaluate(template, Phase.ADVANCED, capabilities=set(Capability))
                  if f.rule.id in rule_ids and not f.acknowledged)


def build(stack, **monitoring):
    response = IncidentResponse(stack, "Response")
    AiMonitoring(stack, "Monitoring", topic=response.topic, **monitoring)
    return response


@pytest.fixture(scope="module")
def defaults():
    stack = cdk.Stack(cdk.App(), "Response")
    build(stack, guardrails=[(GUARDRAIL, "1")])
    return stack


@pytest.fixture(scope="module")
def template(defaults):
    return Template.from_stack(defaults)


def test_guardduty_and_security_hub_findings_go_to_the_topic(template):
    template.has_resource_properties("AWS::Events::Rule", {"State": "ENABLED", "EventPattern": {
        "source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], "detail": {"severity": [{"numeric": [">=", 4]}]}},
        "Targets": [Match.object_like({"Arn": {"Ref": Match.string_like_regexp("ResponseTopic")}})]})
    template.has_resource_properties("AWS::Events::Rule", {"EventPattern": {
        "source": ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"],
        "detail": {"findings": {"Severity": {"Label": ["MEDIUM", "HIGH", "CRITICAL"]}, "Workflow": {"Status": ["NEW"]},
                                "RecordState": ["ACTIVE"]}}}})


def test_topic_is_kms_encrypted_tls_only_and_key_admits_events_and_alarms(template):
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("ResponseKey"), "Arn"]}})
    template.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
        Match.object_like({"Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish"})])}})
    for service in ("events.amazonaws.com", "cloudwatch.amazonaws.com", "budgets.amazonaws.com"):
        template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True, "KeyPolicy": {"Statement": Match.array_with([
            Match.object_like({"Principal": {"Service": service}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                               "Condition": {"StringLike": {"kms:EncryptionContext:aws:sns:topicArn": {"Fn::Join": ["", [
                                   "arn:", {"Ref": "AWS::Partition"}, ":sns:", {"Ref": "AWS::Region"}, ":",
                                   {"Ref": "AWS::AccountId"}, ":*"]]}}}})])}})


def test_forensic_bucket_has_object_lock(template):
    template.has_resource_properties("AWS::S3::Bucket", {"ObjectLockEnabled": True, "ObjectLockConfiguration": {
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}},
        "BucketEncryption": Match.any_value()})


def test_alarms_cover_usage_throttles_and_guardrail_interventions(template):
    template.resource_count_is("AWS::CloudWatch::Alarm", 5)
    for metric in ("Invocations", "InputTokenCount", "OutputTokenCount", "InvocationThrottles"):
        template.has_resource_properties("AWS::CloudWatch::Alarm", {
            "Namespace": "AWS/Bedrock", "MetricName": metric, "Statistic": "Sum", "Dimensions": Match.absent(),
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": Match.string_like_regexp("ResponseTopic")}]})
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "Namespace": "AWS/Bedrock/Guardrails", "MetricName": "InvocationsIntervened", "Period": 3600, "Threshold": 100,
        "Dimensions": [{"Name": "GuardrailArn", "Value": GUARDRAIL}, {"Name": "GuardrailVersion", "Value": "1"}]})


def test_a_monthly_budget_of_the_ai_services_notifies_the_topic(template):
    topic = {"Ref": Match.string_like_regexp("ResponseTopic")}
    template.resource_count_is("AWS::Budgets::Budget", 1)
    template.has_resource_properties("AWS::Budgets::Budget", {
        "Budget": {"BudgetType": "COST", "TimeUnit": "MONTHLY", "BudgetLimit": {"Amount": 1000, "Unit": "USD"},
                   "FilterExpression": {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Bedrock", "Amazon SageMaker"]}}},
        "NotificationsWithSubscribers": [
            {"Notification": {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80,
                              "ThresholdType": "PERCENTAGE"}, "Subscribers": [{"SubscriptionType": "SNS", "Address": topic}]},
            {"Notification": {"NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN", "Threshold": 100,
                              "ThresholdType": "PERCENTAGE"}, "Subscribers": [{"SubscriptionType": "SNS", "Address": topic}]}]})
    template.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Sid": "BudgetsPublish", "Principal": {"Service": "budgets.amazonaws.com"},
                           "Action": "sns:Publish", "Condition": {
                               "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                               "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                                                                               ":budgets::", {"Ref": "AWS::AccountId"},
                                                                               ":*"]]}}}})])}})


def test_budget_left_to_the_baseline_or_opted_out():
    stack = cdk.Stack(cdk.App(), "NoBudget")
    response = IncidentResponse(stack, "Response")
    AiMonitoring(stack, "Workload", topic=response.topic, budget_in_baseline=True)
    assert Template.from_stack(stack).find_resources("AWS::Budgets::Budget") == {}
    with pytest.raises(ValueError, match="allow_no_cost_guardrail=True"):
        AiMonitoring(stack, "Bad", topic=response.topic, monthly_budget_usd=None)
    AiMonitoring(stack, "OptOut", topic=response.topic, monthly_budget_usd=None, allow_no_cost_guardrail=True)
    Annotations.from_stack(stack).has_warning("/NoBudget/OptOut", Match.string_like_regexp("allow_no_cost_guardrail=True"))
    assert Template.from_stack(stack).find_resources("AWS::Budgets::Budget") == {}
    assert "AISEC-APP-24[CostGuardrail]" in [f.split(" @ ")[0] for f in rule_findings(stack, "AISEC-APP-24")]


def test_per_model_alarms_thresholds_response_function_and_severity():
    stack = cdk.Stack(cdk.App(), "Custom")
    fn = lambda_.Function(stack, "Responder", runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler",
                          code=lambda_.Code.from_inline("def handler(e, c):\n    return None\n"))
    response = IncidentResponse(stack, "Response", min_severity="HIGH", security_hub_findings=False,
                                response_function=fn, subscribers=["soc@example.com"])
    AiMonitoring(stack, "Monitoring", topic=response.topic, model_ids=["anthropic.claude-3-haiku", "amazon.nova-lite-v1:0"],
                 thresholds=AlarmThresholds(invocations_per_hour=50), monthly_budget_usd=250)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Events::Rule", 1)
    template.has_resource_properties("AWS::Events::Rule", {
        "EventPattern": Match.object_like({"detail": {"severity": [{"numeric": [">=", 7]}]}}),
        "Targets": [Match.object_like({"Arn": {"Ref": Match.string_like_regexp("ResponseTopic")}}),
                    Match.object_like({"Arn": {"Fn::GetAtt": [Match.string_like_regexp("Responder"), "Arn"]}})]})
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "soc@example.com"})
    template.has_resource_properties("AWS::Budgets::Budget", {"Budget": Match.object_like({
        "BudgetLimit": {"Amount": 250, "Unit": "USD"}})})
    template.resource_count_is("AWS::CloudWatch::Alarm", 8)
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "Invocations", "Threshold": 50, "Dimensions": [{"Name": "ModelId", "Value": "amazon.nova-lite-v1:0"}]})
    assert lint_errors(template.to_json()) == []
    with pytest.raises(ValueError, match="min_severity 'SEVERE'"):
        IncidentResponse(stack, "Bad", min_severity="SEVERE")


def test_grant_evidence_write_includes_kms():
    stack = cdk.Stack(cdk.App(), "Grant")
    response = IncidentResponse(stack, "Response")
    fn = lambda_.Function(stack, "Responder", runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler",
                          code=lambda_.Code.from_inline("def handler(e, c):\n    return None\n"))
    response.grant_evidence_write(fn)
    statements = [s for p in Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {"s3:PutObject", "kms:GenerateDataKey*", "kms:Encrypt"} <= actions
    assert lint_errors(Template.from_stack(stack).to_json()) == []


def test_passes_the_pack_at_advanced_and_cfn_lint(defaults):
    assert stack_findings(defaults, Phase.ADVANCED) == []
    # only the detector is missing: it is ThreatDetection's job
    assert [f.split(" @ ")[0] for f in rule_findings(defaults, "AISEC-APP-23", "AISEC-APP-24")] == ["AISEC-APP-23"]
    template = AisecTemplate(Template.from_stack(defaults).to_json(), "t")
    assert [f.id for f in evaluate(template, Phase.ADVANCED, capabilities=set(Capability))
            if not f.workload and not f.acknowledged] == []
    assert lint_errors(Template.from_stack(defaults).to_json()) == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    stack = cdk.Stack(app, "Response")
    response = build(stack)
    Validations.of(response.forensic_bucket.access_logs_bucket).acknowledge(Acknowledgment(
        id="AwsSolutions-S1", reason="This is the server access log target bucket; logging it to itself would loop."))
    assert aws_solutions_errors(app) == []
