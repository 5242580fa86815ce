"""AISEC-APP-24: an alarm watches model usage, and AI alarms notify someone.

Denial-of-wallet and LLMjacking show first as a jump in invocations or tokens. The rule asks for
at least one ``AWS::CloudWatch::Alarm`` on a usage metric of the workload's model calls, and for
every alarm on an AI metric to have an action.

Usage metrics (namespace, metric name), from the AWS documentation:

* ``AWS/Bedrock``: ``Invocations``, ``InputTokenCount``, ``OutputTokenCount`` (Bedrock user guide,
  "Monitor bedrock-runtime inference using CloudWatch metrics"; published per ``ModelId`` and
  across all models);
* ``AWS/Bedrock/Agents``: ``InvocationCount``, ``ModelInvocationCount``, ``InputTokenCount``,
  ``OutputTokenCount`` (Bedrock user guide, "Monitor Amazon Bedrock Agents using CloudWatch
  Metrics");
* ``AWS/SageMaker``: ``Invocations`` (SageMaker endpoint invocation metric).

Choices:

* A single-metric alarm (``Namespace`` + ``MetricName``) and a metric-math alarm
  (``Metrics[].MetricStat.Metric``) both count. The catalog asks for alarms "per model"; which
  models a workload calls is not reliably visible in a template, so one usage alarm (with or
  without a ``ModelId`` dimension) satisfies the workload requirement. Throttle
  (``InvocationThrottles``) and guardrail (``AWS/Bedrock/Guardrails`` ``InvocationsIntervened``)
  alarms are good practice and are judged for actions, but do not replace a usage alarm.
* No usage alarm: one workload finding (resource None). An alarm whose namespace or metric name
  cannot be resolved does not count; the message then says so.
* Every alarm on an ``AWS/Bedrock``, ``AWS/Bedrock/Agents``, ``AWS/Bedrock/Guardrails`` or
  ``AWS/SageMaker`` metric needs a non-empty ``AlarmActions`` and ``ActionsEnabled`` not false
  (detail ``AlarmActions``): an alarm that notifies nobody is not a control.

Cost guardrail (issue 22; the rule is Enhanced, so it applies from Enhanced on): beside the usage alarms the
environment holds a guardrail on what the AI services cost, detail ``CostGuardrail`` (a workload finding):

* an ``AWS::Budgets::Budget`` of ``BudgetType`` ``COST`` whose ``Budget.CostFilters`` (legacy: a ``Service``
  key) or ``Budget.FilterExpression`` (``Dimensions`` with ``Key`` ``SERVICE``, also inside ``And`` / ``Or``)
  selects a service whose Cost Explorer name contains ``Bedrock`` or ``SageMaker`` (``Amazon Bedrock``,
  ``Amazon SageMaker``, and marketplace models billed as ``... (Amazon Bedrock Edition)``), with at least one
  ``NotificationsWithSubscribers`` item that has a subscriber; a budget of the whole account is not a guardrail
  on the AI services (their spend drowns in it), or
* an ``AWS::CE::AnomalyMonitor`` (a ``DIMENSIONAL`` monitor of ``SERVICE``, which watches every service, or a
  ``CUSTOM`` one whose ``MonitorSpecification`` names Bedrock or SageMaker) that an ``AWS::CE::AnomalySubscription``
  with ``Subscribers`` names in ``MonitorArnList``.

A filter or specification that is an intrinsic the template cannot show counts as selecting (the house rule
for presence); names are matched case-insensitively. Property names and values from the cfn-lint schemas of
``AWS::Budgets::Budget``, ``AWS::CE::AnomalyMonitor`` and ``AWS::CE::AnomalySubscription``.
"""
from __future__ import annotations

import json
from typing import Any, Iterator, List, Set, Tuple

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Severity, Violation
from ...read.template import MISSING, Resource, as_list, is_false, is_intrinsic

USAGE_METRICS: Set[Tuple[str, str]] = {
    ("AWS/Bedrock", "Invocations"), ("AWS/Bedrock", "InputTokenCount"), ("AWS/Bedrock", "OutputTokenCount"),
    ("AWS/Bedrock/Agents", "InvocationCount"), ("AWS/Bedrock/Agents", "ModelInvocationCount"),
    ("AWS/Bedrock/Agents", "InputTokenCount"), ("AWS/Bedrock/Agents", "OutputTokenCount"),
    ("AWS/SageMaker", "Invocations"),
}
AI_NAMESPACES = ("AWS/Bedrock", "AWS/Bedrock/Agents", "AWS/Bedrock/Guardrails", "AWS/SageMaker")


def _literal(ctx: Context, value: object) -> Tuple[List[str], bool]:
    literals: List[str] = []
    unknown = False
    for option in ctx.template.resolve(value):
        if not option.known:
            unknown = True
        elif isinstance(option.raw, str):
            literals.append(option.raw)
    return literals, unknown


def alarm_metrics(ctx: Context, alarm: Resource) -> Tuple[Set[Tuple[str, str]], bool]:
    """(namespace, metric name) pairs an alarm watches, and whether one could not be resolved."""
    metrics = [(alarm.prop("Namespace"), alarm.prop("MetricName"))]
    queries = alarm.prop("Metrics")
    if isinstance(queries, list):
        for query in queries:
            metric = query.get("MetricStat", {}).get("Metric") if isinstance(query, dict) and isinstance(
                query.get("MetricStat"), dict) else None
            if isinstance(metric, dict):
                metrics.append((metric.get("Namespace"), metric.get("MetricName")))
    found: Set[Tuple[str, str]] = set()
    unknown = False
    for namespace, name in metrics:
        if namespace is None and name is None:
            continue
        namespaces, ns_unknown = _literal(ctx, namespace)
        names, name_unknown = _literal(ctx, name)
        unknown |= ns_unknown or name_unknown
        found |= {(n, m) for n in namespaces for m in names}
    return found, unknown


BUDGET = "AWS::Budgets::Budget"
MONITOR = "AWS::CE::AnomalyMonitor"
SUBSCRIPTION = "AWS::CE::AnomalySubscription"
_AI_BILLING = ("bedrock", "sagemaker")


def _bills_ai(text: Any) -> bool:
    return isinstance(text, str) and any(name in text.lower() for name in _AI_BILLING)


def _expression_selects(expression: Any, depth: int = 0) -> bool:
    if is_intrinsic(expression):
        return True
    if not isinstance(expression, dict) or depth > 8:
        return False
    dimensions = expression.get("Dimensions")
    if isinstance(dimensions, dict) and str(dimensions.get("Key", "")).upper() == "SERVICE" and (
            is_intrinsic(dimensions.get("Values")) or any(_bills_ai(v) for v in as_list(dimensions.get("Values")))):
        return True
    return any(_expression_selects(e, depth + 1) for key in ("And", "Or") for e in as_list(expression.get(key)))


def _budget_selects(ctx: Context, budget: Resource) -> bool:
    data = budget.prop("Budget")
    if not isinstance(data, dict) or not any(v.known and v.raw == "COST" for v in ctx.template.resolve(
            data.get("BudgetType", MISSING))):
        return False
    filters = data.get("CostFilters", MISSING)
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except ValueError:
            filters = MISSING
    if is_intrinsic(filters) or (isinstance(filters, dict) and any(
            str(k).lower() == "service" and (is_intrinsic(v) or any(_bills_ai(i) for i in as_list(v)))
            for k, v in filters.items())):
        return True
    return _expression_selects(data.get("FilterExpression", MISSING))


def _budget_notifies(budget: Resource) -> bool:
    items = budget.prop("NotificationsWithSubscribers")
    return is_intrinsic(items) or any(isinstance(i, dict) and i.get("Subscribers") for i in as_list(items))


def _monitor_selects(monitor: Resource) -> bool:
    kind = monitor.prop("MonitorType")
    if kind == "DIMENSIONAL":
        return monitor.prop("MonitorDimension") == "SERVICE"
    spec = monitor.prop("MonitorSpecification")
    return is_intrinsic(kind) or is_intrinsic(spec) or _bills_ai(spec)


def cost_guardrails(ctx: Context) -> List[str]:
    """The logical ids of the budgets and anomaly monitors that guard the AI services' cost."""
    found = [b.logical_id for b in ctx.template.of_type(BUDGET) if _budget_selects(ctx, b) and _budget_notifies(b)]
    watched = set()
    for subscription in ctx.template.of_type(SUBSCRIPTION):
        if subscription.prop("Subscribers"):
            watched |= {m.logical_id for m in ctx.template.references(subscription.prop("MonitorArnList"))}
    found += [m.logical_id for m in ctx.template.of_type(MONITOR)
              if m.logical_id in watched and _monitor_selects(m)]
    return found


def check(ctx: Context) -> Iterator[Violation]:
    if not cost_guardrails(ctx):
        yield Violation(None,
                        "this environment's stacks have no cost guardrail for the AI services: no AWS::Budgets::Budget "
                        "(BudgetType COST) filtered on Amazon Bedrock or Amazon SageMaker with a notification subscriber, "
                        "and no AWS::CE::AnomalyMonitor of those services with an AWS::CE::AnomalySubscription; usage "
                        "alarms count calls, a budget catches the bill (aisec_constructs.detection.AiMonitoring creates "
                        "one). If the budget lives in another app or the payer account, acknowledge this finding "
                        "naming it", "CostGuardrail")
    has_usage = False
    unknown = False
    for alarm in ctx.template.of_type("AWS::CloudWatch::Alarm"):
        metrics, maybe = alarm_metrics(ctx, alarm)
        unknown |= maybe
        if metrics & USAGE_METRICS:
            has_usage = True
        if any(namespace in AI_NAMESPACES for namespace, _ in metrics):
            actions = alarm.prop("AlarmActions")
            if not actions:  # absent, None, [] or "" (an intrinsic counts as set)
                yield Violation(alarm.logical_id, "AlarmActions is empty; an alarm on an AI metric must notify someone "
                                                  "(for example the incident response SNS topic)", "AlarmActions")
            elif is_false(alarm.prop("ActionsEnabled")):
                yield Violation(alarm.logical_id, "ActionsEnabled is false; an alarm on an AI metric must notify someone",
                                "AlarmActions")
    if not has_usage:
        hint = (" (some alarms' namespace or metric name cannot be resolved at synth time and were not counted)"
                if unknown else "")
        yield Violation(None,
                        "this environment's stacks have no CloudWatch alarm on model usage (AWS/Bedrock Invocations, InputTokenCount or "
                        "OutputTokenCount; AWS/Bedrock/Agents InvocationCount or token counts; AWS/SageMaker Invocations)"
                        f"{hint}; add one (aisec_constructs.detection.AiMonitoring). If usage alarms live in another app, "
                        "acknowledge this finding naming it")


RULE = Rule(
    id="AISEC-APP-24",
    aiml_assessment=(
        "BR-32: a usage alarm with actions; an AWS/Bedrock/Agents or AWS/SageMaker alarm also passes",
        "FS-04: a cost anomaly monitor, or a budget on Bedrock or SageMaker spend instead",
        "FS-05: a usage alarm with actions; an AWS/Bedrock/Agents or AWS/SageMaker alarm also passes",
        "FS-06: a budget on Bedrock or SageMaker spend, or a cost anomaly monitor instead",
        "FS-11: a usage alarm with actions; an Agents metric counts, none is required",
    ),
    title="Usage and cost alarms",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM10",),
    passes="At least one `AWS::CloudWatch::Alarm` watches a model usage metric (`AWS/Bedrock` `Invocations` / "
           "`InputTokenCount` / `OutputTokenCount`, the Agents or SageMaker equivalents), and every alarm on an AI "
           "namespace has `AlarmActions` with actions enabled; a cost guardrail exists for the AI services (an "
           "`AWS::Budgets::Budget` filtered on Bedrock or SageMaker with a notification subscriber, or a Cost Anomaly "
           "Detection monitor with a subscription).",
    remediation="Add invocation and token alarms wired to the incident response topic, and a monthly budget of the AI "
                "services that notifies it (CDK: `aisec_constructs.detection.AiMonitoring` builds both).",
    construct="aisec_constructs.detection.AiMonitoring",
    check=check,
    judges=("AWS::CloudWatch::Alarm", BUDGET, MONITOR),
    reads=(SUBSCRIPTION,),
    scope=Scope.ENVIRONMENT,
)
