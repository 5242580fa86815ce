from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-24"
AGENT = {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a"}}


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
    assert findings(RULE, {"Agent": AGENT, "Tokens": alarm()}) == []
    assert findings(RULE, {"Agent": AGENT, "Calls": alarm("AWS/Bedrock/Agents", "InvocationCount")}) == []
    assert findings(RULE, {"Agent": AGENT, "Math": math_alarm("AWS/Bedrock", "Invocations")}) == []


def test_enforced_from_enhanced_and_missing_is_workload_finding():
    assert findings(RULE, {"Agent": AGENT}, Phase.FOUNDATIONAL) == []
    assert findings(RULE, {"Agent": AGENT}, Phase.ENHANCED) == [(RULE, "Agent")]
    assert "acknowledge this finding naming it" in messages(RULE, {"Agent": AGENT})[0]


def test_throttle_or_guardrail_alarms_do_not_replace_usage_alarms():
    resources = {"Agent": AGENT, "Throttles": alarm(metric="InvocationThrottles"),
                 "Intervened": alarm("AWS/Bedrock/Guardrails", "InvocationsIntervened")}
    assert findings(RULE, resources) == [(RULE, "Agent")]


def test_ai_alarms_without_actions_fail():
    resources = {"Agent": AGENT, "Tokens": alarm(actions=False), "Off": alarm(metric="Invocations", ActionsEnabled="false"),
                 "Guard": alarm("AWS/Bedrock/Guardrails", "InvocationsIntervened", actions=False),
                 "Cpu": alarm("AWS/EC2", "CPUUtilization", actions=False)}
    assert findings(RULE, resources) == [(f"{RULE}[AlarmActions]", "Guard"), (f"{RULE}[AlarmActions]", "Off"),
                                         (f"{RULE}[AlarmActions]", "Tokens")]


def test_parameter_default_and_unresolvable_metric_name():
    params = {"Parameters": {"Metric": {"Type": "String", "Default": "OutputTokenCount"}, "Unknown": {"Type": "String"}}}
    assert findings(RULE, {"Agent": AGENT, "A": alarm(metric={"Ref": "Metric"})}, **params) == []
    resources = {"Agent": AGENT, "A": alarm(metric={"Ref": "Unknown"})}
    assert findings(RULE, resources, **params) == [(RULE, "Agent")]
    assert "cannot be resolved at synth time" in messages(RULE, resources, **params)[0]
    assert findings(RULE, {"Agent": AGENT, "A": alarm(AlarmActions={"Fn::If": ["C", [{"Ref": "T"}], []]})}) == []


def test_odd_shapes_do_not_crash():
    resources = {"Agent": AGENT, "A": alarm(Metrics="x"), "B": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "Metrics": [1, {"MetricStat": "x"}, {"MetricStat": {"Metric": ["y"]}}]}}}
    assert findings(RULE, resources) == []
