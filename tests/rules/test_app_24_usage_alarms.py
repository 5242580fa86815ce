import json

from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-24"
AGENT = {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a"}}
NOTIFY = [{"Notification": {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80},
           "Subscribers": [{"SubscriptionType": "SNS", "Address": {"Ref": "Topic"}}]}]


def budget(data=None, notifications=NOTIFY):
    body = {"BudgetType": "COST", "TimeUnit": "MONTHLY", "BudgetLimit": {"Amount": 1000, "Unit": "USD"},
            "FilterExpression": {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Bedrock", "Amazon SageMaker"]}}}
    body.update(data or {})
    props = {"Budget": {k: v for k, v in body.items() if v is not None}}
    if notifications is not None:
        props["NotificationsWithSubscribers"] = notifications
    return {"Type": "AWS::Budgets::Budget", "Properties": props}


# the usage-alarm tests below carry a cost guardrail: issue 22 added it to the rule (before, {"Agent": AGENT, "Budget": BUDGET} alone)
BUDGET = budget()


def alarm(namespace="AWS/Bedrock", metric="InputTokenCount", actions=True, **props):
    body = {"Namespace": namespace, "MetricName": metric, "Statistic": "Sum", "Period": 3600,
            "EvaluationPeriods": 1, "Threshold": 1000000, "ComparisonOperator": "GreaterThanThreshold"}
    if actions:
        body["AlarmActions"] = [{"Ref": "Topic"}]
    body.update(props)
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": body}


def math_alarm(namespace, metric):
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold",
        "AlarmActions": [{"Ref": "Topic"}],
        "Metrics": [{"Id": "m1", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": metric,
                                                           "Dimensions": [{"Name": "ModelId", "Value": "m"}]},
                                                "Period": 300, "Stat": "Sum"}, "ReturnData": False},
                    {"Id": "e1", "Expression": "m1 * 2"}]}}


def test_usage_alarm_with_actions_passes():
    assert findings(RULE, {"Agent": AGENT, "Budget": BUDGET, "Tokens": alarm()}) == []
    assert findings(RULE, {"Agent": AGENT, "Budget": BUDGET, "Calls": alarm("AWS/Bedrock/Agents", "InvocationCount")}) == []
    assert findings(RULE, {"Agent": AGENT, "Budget": BUDGET, "Math": math_alarm("AWS/Bedrock", "Invocations")}) == []


def test_enforced_from_enhanced_and_missing_is_workload_finding():
    assert findings(RULE, {"Agent": AGENT, "Budget": BUDGET}, Phase.FOUNDATIONAL) == []
    assert findings(RULE, {"Agent": AGENT, "Budget": BUDGET}, Phase.ENHANCED) == [(RULE, "Agent")]
    assert "acknowledge this finding naming it" in messages(RULE, {"Agent": AGENT, "Budget": BUDGET})[0]


def test_throttle_or_guardrail_alarms_do_not_replace_usage_alarms():
    resources = {"Agent": AGENT, "Budget": BUDGET, "Throttles": alarm(metric="InvocationThrottles"),
                 "Intervened": alarm("AWS/Bedrock/Guardrails", "InvocationsIntervened")}
    assert findings(RULE, resources) == [(RULE, "Agent")]


def test_ai_alarms_without_actions_fail():
    resources = {"Agent": AGENT, "Budget": BUDGET, "Tokens": alarm(actions=False), "Off": alarm(metric="Invocations", ActionsEnabled="false"),
                 "Guard": alarm("AWS/Bedrock/Guardrails", "InvocationsIntervened", actions=False),
                 "Cpu": alarm("AWS/EC2", "CPUUtilization", actions=False)}
    assert findings(RULE, resources) == [(f"{RULE}[AlarmActions]", "Guard"), (f"{RULE}[AlarmActions]", "Off"),
                                         (f"{RULE}[AlarmActions]", "Tokens")]


def test_parameter_default_and_unresolvable_metric_name():
    params = {"Parameters": {"Metric": {"Type": "String", "Default": "OutputTokenCount"}, "Unknown": {"Type": "String"}}}
    assert findings(RULE, {"Agent": AGENT, "Budget": BUDGET, "A": alarm(metric={"Ref": "Metric"})}, **params) == []
    resources = {"Agent": AGENT, "Budget": BUDGET, "A": alarm(metric={"Ref": "Unknown"})}
    assert findings(RULE, resources, **params) == [(RULE, "Agent")]
    assert "cannot be resolved at synth time" in messages(RULE, resources, **params)[0]
    assert findings(RULE, {"Agent": AGENT, "Budget": BUDGET, "A": alarm(AlarmActions={"Fn::If": ["C", [{"Ref": "T"}], []]})}) == []


def test_odd_shapes_do_not_crash():
    resources = {"Agent": AGENT, "Budget": BUDGET, "A": alarm(Metrics="x"), "B": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "Metrics": [1, {"MetricStat": "x"}, {"MetricStat": {"Metric": ["y"]}}]}}}
    assert findings(RULE, resources) == []


COST = f"{RULE}[CostGuardrail]"


def test_a_budget_of_the_ai_services_with_a_subscriber_is_the_cost_guardrail():
    tokens = alarm()
    assert findings(RULE, {"Agent": AGENT, "Tokens": tokens}) == [(COST, "Agent")]
    assert "no cost guardrail for the AI services" in messages(RULE, {"Agent": AGENT, "Tokens": tokens})[0]
    legacy = budget({"FilterExpression": None, "CostFilters": {"Service": ["Amazon Bedrock"]}})
    as_string = budget({"FilterExpression": None, "CostFilters": '{"Service": ["Claude 3.5 Sonnet (Amazon Bedrock Edition)"]}'})
    nested = budget({"FilterExpression": {"And": [{"Dimensions": {"Key": "SERVICE", "Values": ["Amazon SageMaker"]}},
                                                  {"Tags": {"Key": "app", "Values": ["chat"]}}]}})
    from_param = budget({"FilterExpression": {"Dimensions": {"Key": "SERVICE", "Values": {"Ref": "Services"}}}})
    for good in (BUDGET, legacy, as_string, nested, from_param):
        assert findings(RULE, {"Agent": AGENT, "Tokens": tokens, "B": good},
                        Parameters={"Services": {"Type": "CommaDelimitedList"}}) == []


def test_a_budget_of_the_whole_account_another_service_or_without_subscribers_is_not():
    tokens = alarm()
    for bad in (budget({"FilterExpression": None}), budget({"CostFilters": {"Service": ["Amazon EC2"]},
                                                            "FilterExpression": None}),
                budget(notifications=None), budget(notifications=[{"Notification": {}, "Subscribers": []}]),
                budget({"BudgetType": "USAGE"})):
        assert findings(RULE, {"Agent": AGENT, "Tokens": tokens, "B": bad}) == [(COST, "Agent")]


def test_an_anomaly_monitor_with_a_subscription_is_a_cost_guardrail():
    tokens = alarm()
    monitor = {"Type": "AWS::CE::AnomalyMonitor", "Properties": {
        "MonitorName": "services", "MonitorType": "DIMENSIONAL", "MonitorDimension": "SERVICE"}}
    custom = {"Type": "AWS::CE::AnomalyMonitor", "Properties": {
        "MonitorName": "ai", "MonitorType": "CUSTOM", "MonitorSpecification": json.dumps(
            {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Bedrock"]}})}}

    def subscription(monitor_id, subscribers=True):
        return {"Type": "AWS::CE::AnomalySubscription", "Properties": {
            "SubscriptionName": "s", "Frequency": "IMMEDIATE", "MonitorArnList": [{"Fn::GetAtt": [monitor_id, "MonitorArn"]}],
            "Subscribers": [{"Type": "SNS", "Address": {"Ref": "Topic"}}] if subscribers else []}}

    for mon in (monitor, custom):
        assert findings(RULE, {"Agent": AGENT, "Tokens": tokens, "M": mon, "S": subscription("M")}) == []
        assert findings(RULE, {"Agent": AGENT, "Tokens": tokens, "M": mon}) == [(COST, "Agent")]
        assert findings(RULE, {"Agent": AGENT, "Tokens": tokens, "M": mon, "S": subscription("M", False)}) == [
            (COST, "Agent")]
    linked = dict(monitor, Properties=dict(monitor["Properties"], MonitorDimension="LINKED_ACCOUNT"))
    assert findings(RULE, {"Agent": AGENT, "Tokens": tokens, "M": linked, "S": subscription("M")}) == [(COST, "Agent")]
