"""IncidentResponse: route GuardDuty and Security Hub findings to responders, and keep evidence.

Guarantees (AISEC-APP-23, response part): enabled EventBridge rules on the default bus match

* GuardDuty findings (``source`` ``aws.guardduty``, ``detail-type`` ``GuardDuty Finding``) with
  ``detail.severity`` at or above the threshold, and
* Security Hub findings (``aws.securityhub``, ``Security Hub Findings - Imported``) that are new and
  active with a severity label at or above the threshold (optional, on by default),

and send them to an SNS topic encrypted with a customer managed key (rotation on) that only
accepts TLS publishers, plus, optionally, a response function you supply (isolation, key
revocation, ticketing). The key lets EventBridge and CloudWatch alarms publish to this account's
topics only (SNS's encryption context ``aws:sns:topicArn``). A forensic bucket (``SecureBucket``
with Object Lock, governance mode, 365 days by default) holds evidence write-once;
``grant_evidence_write`` gives a responder write access.

``min_severity`` is one of LOW, MEDIUM, HIGH, CRITICAL. GuardDuty severities are numbers (LOW 1.0-3.9,
MEDIUM 4.0-6.9, HIGH 7.0-8.9, CRITICAL 9.0-10.0, GuardDuty user guide "Severity levels"), so the
threshold becomes ``{"numeric": [">=", n]}``; Security Hub uses the ``Severity.Label`` names.
"""
from __future__ import annotations

from typing import Optional, Sequence

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..data import EncryptionKey, SecureBucket

SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
GUARDDUTY_MIN = {"LOW": 1, "MEDIUM": 4, "HIGH": 7, "CRITICAL": 9}


def guardduty_pattern(min_severity: str) -> dict:
    return {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
            "detail": {"severity": [{"numeric": [">=", GUARDDUTY_MIN[min_severity]]}]}}


def security_hub_pattern(min_severity: str) -> dict:
    labels = list(SEVERITIES[SEVERITIES.index(min_severity):])
    return {"source": ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"],
            "detail": {"findings": {"Severity": {"Label": labels}, "Workflow": {"Status": ["NEW"]},
                                    "RecordState": ["ACTIVE"]}}}


class IncidentResponse(Construct):
    """Finding routes to an encrypted topic (and an optional function) plus a write-once evidence bucket.

    :param min_severity: lowest severity routed (LOW, MEDIUM, HIGH, CRITICAL).
    :param security_hub_findings: also route Security Hub findings (they include GuardDuty's when
        the integration is on, so a responder may see a GuardDuty finding twice).
    :param response_function: a function invoked with each routed finding.
    :param subscribers: e-mail addresses subscribed to the topic.
    :param forensic_retention: Object Lock retention of the evidence bucket.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        min_severity: str = "MEDIUM",
        security_hub_findings: bool = True,
        response_function: Optional[lambda_.IFunction] = None,
        subscribers: Sequence[str] = (),
        encryption_key: Optional[EncryptionKey] = None,
        forensic_retention: Optional[s3.ObjectLockRetention] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if min_severity not in SEVERITIES:
            raise ValueError(f"IncidentResponse: min_severity {min_severity!r} must be one of {', '.join(SEVERITIES)}")
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="security findings")
        stack = cdk.Stack.of(self)
        topics = f"arn:{stack.partition}:sns:{stack.region}:{stack.account}:*"
        for service in ("events.amazonaws.com", "cloudwatch.amazonaws.com", "budgets.amazonaws.com"):
            # SNS encrypts with the encryption context aws:sns:topicArn: limit the services to this account's topics
            self.encryption_key.allow_service(service, actions=["kms:Decrypt", "kms:GenerateDataKey*"], conditions={
                "StringLike": {"kms:EncryptionContext:aws:sns:topicArn": topics}})
        self.topic = sns.Topic(self, "Topic", master_key=self.encryption_key.key, enforce_ssl=True,
                               display_name="AI security findings")
        for index, address in enumerate(subscribers):
            sns.Subscription(self, f"Subscriber{index}", topic=self.topic, protocol=sns.SubscriptionProtocol.EMAIL,
                             endpoint=address)

        self.rules = [events.Rule(self, "GuardDutyFindings", description=f"GuardDuty findings of severity "
                                  f"{min_severity} or higher", event_pattern=_pattern(guardduty_pattern(min_severity)))]
        if security_hub_findings:
            self.rules.append(events.Rule(self, "SecurityHubFindings", description=f"New Security Hub findings of "
                                          f"severity {min_severity} or higher",
                                          event_pattern=_pattern(security_hub_pattern(min_severity))))
        for rule in self.rules:
            rule.add_target(targets.SnsTopic(self.topic))
            if response_function is not None:
                rule.add_target(targets.LambdaFunction(response_function))
        self.response_function = response_function

        self.forensic_bucket = SecureBucket(
            self, "Evidence",
            object_lock_retention=forensic_retention or s3.ObjectLockRetention.governance(cdk.Duration.days(365)))

    @property
    def topic_arn(self) -> str:
        return self.topic.topic_arn

    def grant_evidence_write(self, grantee: iam.IGrantable) -> iam.Grant:
        """Write evidence objects (including encrypting them with the bucket's key)."""
        return self.forensic_bucket.grant_write(grantee)


def _pattern(pattern: dict) -> events.EventPattern:
    return events.EventPattern(source=pattern["source"], detail_type=pattern["detail-type"], detail=pattern["detail"])
