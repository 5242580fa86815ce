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
"""
from __future__ import annotations

from typing import Iterator, List, Set, Tuple

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Severity, Violation
from ...read.template import Resource, is_false

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


def check(ctx: Context) -> Iterator[Violation]:
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
        "FS-05: a usage alarm with actions; an AWS/Bedrock/Agents or AWS/SageMaker alarm also passes",
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
           "namespace has `AlarmActions` with actions enabled.",
    remediation="Add invocation and token alarms wired to the incident response topic (CDK: "
                "`aisec_constructs.detection.AiMonitoring`).",
    construct="aisec_constructs.detection.AiMonitoring",
    check=check,
    judges=("AWS::CloudWatch::Alarm",),
    scope=Scope.ENVIRONMENT,
)
