"""AiMonitoring: CloudWatch alarms on model usage, throttling and guardrail interventions.

Guarantees (AISEC-APP-24): alarms on the Bedrock runtime metrics that show denial-of-wallet and
LLMjacking first, each notifying the given SNS topic (typically ``IncidentResponse.topic``):

* ``AWS/Bedrock`` ``Invocations``, ``InputTokenCount``, ``OutputTokenCount`` (Sum per hour) and
  ``InvocationThrottles`` (Sum per 5 minutes), per model (dimension ``ModelId``) for each entry of
  ``model_ids``, or across all models (no dimension) when none is given;
* ``AWS/Bedrock/Guardrails`` ``InvocationsIntervened`` (Sum per hour) per guardrail (dimensions
  ``GuardrailArn`` and ``GuardrailVersion``) for each entry of ``guardrails``: a burst of
  interventions is a jailbreak or data-exfiltration campaign.

Metric names, namespaces and dimensions are those of the Bedrock user guide pages "Monitor
bedrock-runtime inference using CloudWatch metrics" (runtime metrics, ``ModelId``) and "Monitor
Amazon Bedrock Guardrails using CloudWatch metrics" (``GuardrailArn``, ``GuardrailVersion``).

Thresholds have conservative defaults for a small production workload; tune them to your traffic
(``AlarmThresholds``). Missing data is "not breaching" (no traffic is not an incident).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from constructs import Construct

BEDROCK = "AWS/Bedrock"
GUARDRAILS = "AWS/Bedrock/Guardrails"


@dataclass(frozen=True)
class AlarmThresholds:
    """Alarm when a sum exceeds these values (per hour, throttles per 5 minutes)."""

    invocations_per_hour: float = 10_000
    input_tokens_per_hour: float = 5_000_000
    output_tokens_per_hour: float = 1_000_000
    throttles_per_5_minutes: float = 50
    guardrail_interventions_per_hour: float = 100


class AiMonitoring(Construct):
    """Usage, throttle and guardrail alarms wired to a topic.

    :param topic: SNS topic the alarms notify (for example ``IncidentResponse.topic``).
    :param model_ids: Bedrock model ids (or inference profile ids) to watch one by one; default:
        all models together.
    :param guardrails: ``(guardrail ARN, version)`` pairs to watch for interventions.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic: sns.ITopic,
        model_ids: Sequence[str] = (),
        guardrails: Sequence[Tuple[str, str]] = (),
        thresholds: AlarmThresholds = AlarmThresholds(),
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = topic
        self.alarms: List[cloudwatch.Alarm] = []
        targets: List[Tuple[str, Optional[Dict[str, str]]]] = (
            [(f"Model{i}", {"ModelId": model}) for i, model in enumerate(model_ids)] or [("AllModels", None)])
        hour, five = cdk.Duration.hours(1), cdk.Duration.minutes(5)
        for prefix, dimensions in targets:
            what = dimensions["ModelId"] if dimensions else "all models"
            for name, metric, threshold, period in (
                ("Invocations", "Invocations", thresholds.invocations_per_hour, hour),
                ("InputTokens", "InputTokenCount", thresholds.input_tokens_per_hour, hour),
                ("OutputTokens", "OutputTokenCount", thresholds.output_tokens_per_hour, hour),
                ("Throttles", "InvocationThrottles", thresholds.throttles_per_5_minutes, five),
            ):
                self._alarm(f"{prefix}{name}", BEDROCK, metric, dimensions, threshold, period,
                            f"Bedrock {metric} of {what} above {threshold:g} per {period.to_human_string()}")
        for index, (arn, version) in enumerate(guardrails):
            self._alarm(f"Guardrail{index}Interventions", GUARDRAILS, "InvocationsIntervened",
                        {"GuardrailArn": arn, "GuardrailVersion": version}, thresholds.guardrail_interventions_per_hour,
                        hour, f"Guardrail interventions above {thresholds.guardrail_interventions_per_hour:g} per hour")

    def _alarm(self, construct_id: str, namespace: str, metric_name: str, dimensions: Optional[Dict[str, str]],
               threshold: float, period: cdk.Duration, description: str) -> None:
        metric = cloudwatch.Metric(namespace=namespace, metric_name=metric_name, dimensions_map=dimensions,
                                   statistic="Sum", period=period)
        alarm = metric.create_alarm(
            self, construct_id, threshold=threshold, evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING, alarm_description=description)
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
