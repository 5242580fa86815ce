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

Cost guardrail (AISEC-APP-24, issue 22): a monthly ``AWS::Budgets::Budget`` of cost (``monthly_budget_usd``,
1000 USD by default) filtered on the Cost Explorer services ``Amazon Bedrock`` and ``Amazon SageMaker``
(``FilterExpression.Dimensions`` ``SERVICE``) that notifies the topic when actual spend passes 80 % and when the
forecast passes 100 % of the limit. The topic's policy lets ``budgets.amazonaws.com`` of this account publish
(``aws:SourceAccount``, ``aws:SourceArn`` of this account's budgets; added when the topic is a ``Topic`` of the
app, an imported topic must allow it itself); an encrypted topic's key must let Budgets use it
(:class:`~aisec_constructs.detection.IncidentResponse` does). One budget serves the account: ``budget_in_baseline``
(what :class:`~aisec_constructs.workload.AiWorkload` passes for its own alarms) leaves it to the baseline's
``AiMonitoring``; ``allow_no_cost_guardrail=True`` with ``monthly_budget_usd=None`` is the recorded opt-out.

Thresholds have conservative defaults for a small production workload; tune them to your traffic
(``AlarmThresholds``). Missing data is "not breaching" (no traffic is not an incident).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import aws_cdk as cdk
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..annotations import record_opt_out

BEDROCK = "AWS/Bedrock"
GUARDRAILS = "AWS/Bedrock/Guardrails"
#: the Cost Explorer service names the budget selects (the SERVICE dimension of Cost Explorer)
AI_SERVICES_BILLED = ("Amazon Bedrock", "Amazon SageMaker")


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
    :param monthly_budget_usd: the monthly cost budget of the AI services (None needs ``allow_no_cost_guardrail``).
    :param budget_in_baseline: the account baseline's ``AiMonitoring`` holds the budget; create none here.
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
        monthly_budget_usd: Optional[float] = 1000,
        budget_in_baseline: bool = False,
        allow_no_cost_guardrail: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = topic
        self.budget: Optional[budgets.CfnBudget] = None
        if monthly_budget_usd is None and not budget_in_baseline:
            if not allow_no_cost_guardrail:
                raise ValueError("AiMonitoring: monthly_budget_usd=None needs allow_no_cost_guardrail=True (without a "
                                 "budget nobody hears about the bill of a denial-of-wallet attack until it arrives)")
            record_opt_out(self, "allow_no_cost_guardrail",
                           "no budget guards the cost of the AI services (AISEC-APP-24 reports it)")
        elif not budget_in_baseline:
            self.budget = self._budget(float(monthly_budget_usd or 0))
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

    def _budget(self, limit: float) -> budgets.CfnBudget:
        stack = cdk.Stack.of(self)
        self.topic.add_to_resource_policy(iam.PolicyStatement(
            sid="BudgetsPublish", principals=[iam.ServicePrincipal("budgets.amazonaws.com")], actions=["sns:Publish"],
            resources=[self.topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": stack.account},
                        "ArnLike": {"aws:SourceArn": f"arn:{stack.partition}:budgets::{stack.account}:*"}}))
        subscriber = budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=self.topic.topic_arn)
        return budgets.CfnBudget(
            self, "AiServicesBudget",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_type="COST", time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(amount=limit, unit="USD"),
                filter_expression=budgets.CfnBudget.ExpressionProperty(
                    dimensions=budgets.CfnBudget.ExpressionDimensionValuesProperty(
                        key="SERVICE", values=list(AI_SERVICES_BILLED)))),
            notifications_with_subscribers=[
                budgets.CfnBudget.NotificationWithSubscribersProperty(
                    notification=budgets.CfnBudget.NotificationProperty(
                        notification_type=kind, comparison_operator="GREATER_THAN", threshold=threshold,
                        threshold_type="PERCENTAGE"),
                    subscribers=[subscriber])
                for kind, threshold in (("ACTUAL", 80), ("FORECASTED", 100))])

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
