"""GuardrailProbe: security testing as infrastructure. A scheduled function runs aisec's guardrail probe suite
against guardrail versions, publishes the block rates, alarms when they fall below the thresholds, and keeps
every result.

Guarantees (AISEC-APP-30, Advanced):

* **The same suite as ``aisec probe``.** The function's asset carries the suite file and the runner of
  :mod:`aisec_rules.probe` (:func:`aisec_constructs.lambda_code.probe_code`), plus probes derived from each
  guardrail's denied topics. An EventBridge Scheduler schedule (``AWS::Scheduler::Schedule``, daily by
  default, flexible window off) invokes it with the guardrail versions, categories and thresholds.
* **Metrics and alarms.** Namespace ``aisec/GuardrailProbe`` (``namespace``): ``BlockRate`` per guardrail,
  version and category, ``BenignBlockRate`` per guardrail and version (0 to 1). One alarm per guardrail and
  category when the day's lowest block rate is below the category's minimum, one when the day's highest benign
  block rate is above the maximum, and one on the function's errors (a guardrail it could not probe, a crash);
  all notify ``alarm_topic`` (the incident-response topic). :attr:`alarms` lists them, so containment can react.
  Missing data does not alarm: a guardrail not yet probed is not a regression.
* **Results kept.** Each run's full results document is written to ``results_bucket`` under
  ``results_prefix`` (default a :class:`~aisec_constructs.data.SecureBucket`: customer managed key, versioned,
  TLS only, access logs; or the bucket you pass), or to an :class:`~aisec_constructs.data.EvidenceArchive`
  (``archive``: write-once, the probe's role one of its named writers; what :class:`AccountBaseline` and
  :class:`AiWorkload` pass at Advanced). The function's environment names the bucket in
  ``AISEC_PROBE_RESULTS_BUCKET`` (a ``Ref``, or the archive's name), which AISEC-APP-31 reads. The default bucket
  is not write-once: at Advanced AISEC-APP-31 reports it (as it does AuditTrail's default bucket); pass an
  archive there.
* **Least privilege.** The execution role may only call ``bedrock:ApplyGuardrail`` on the given guardrails
  (and ``kms:Decrypt`` on their keys, which applying a guardrail encrypted with a customer managed key needs),
  ``cloudwatch:PutMetricData`` in its namespace (condition ``cloudwatch:namespace``; the action has no resource
  type), ``s3:PutObject`` under its prefix (and encrypt with the bucket's key), write its own log group and
  send to its dead-letter queue.
* **Bounded and observable.** Logs in a :class:`~aisec_constructs.data.SecureLogGroup`; an encrypted SQS
  dead-letter queue for failed runs (no automatic retry: a rerun costs another full run of text units);
  reserved concurrency 1, so runs never overlap.

The function runs outside a VPC: it calls only bedrock-runtime, CloudWatch and S3, and carries no data but the
probes and their verdicts.

Cost: each run sends every probe once per guardrail version, metered by ApplyGuardrail in text units per
configured policy (the README gives the count for the shipped suite); ``categories`` and ``max_probes`` make a
run smaller.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Union

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from aisec_rules.aws import PROBE_RESULTS_VARIABLE
from aisec_rules.probe import suite
from aisec_rules.probe.scoring import Thresholds
from aisec_rules.version import version

from ..application.guardrail import DeniedTopic, Guardrail
from ..data import EncryptionKey, EvidenceArchive, SecureBucket, SecureLogGroup
from ..lambda_code import PROBE_HANDLER, handler_name, probe_code
from ..nag import acknowledge_iam5

NAMESPACE = "aisec/GuardrailProbe"
RUNTIME = lambda_.Runtime.PYTHON_3_14


@dataclass(frozen=True)
class ProbeTarget:
    """A guardrail version to probe that is not an aisec :class:`Guardrail` (its ARN and version, the denied
    topics to derive probes from, and its customer managed key when it has one)."""

    guardrail_arn: str
    version: str
    denied_topics: Sequence[DeniedTopic] = ()
    encryption_key: Optional[kms.IKey] = None

    @classmethod
    def of(cls, guardrail: "Guardrail | ProbeTarget") -> "ProbeTarget":
        if isinstance(guardrail, ProbeTarget):
            return guardrail
        key = guardrail.encryption_key.key if guardrail.encryption_key is not None else None
        return cls(guardrail.guardrail_arn, guardrail.guardrail_version, guardrail.denied_topics, key)


class GuardrailProbe(Construct):
    """A daily probe of guardrail versions with the aisec suite, alarms and kept results.

    :param guardrails: aisec :class:`Guardrail` constructs (their published version) or :class:`ProbeTarget` s.
    :param alarm_topic: the topic the alarms notify (``IncidentResponse.topic``).
    :param schedule: when to run (default: every day).
    :param thresholds: minimum block rate per category and maximum benign block rate (the alarms' thresholds);
        default :class:`~aisec_rules.probe.scoring.Thresholds` (0.8 and 0.1).
    :param results_bucket: where results go; default a new :class:`SecureBucket`.
    :param archive: an :class:`EvidenceArchive` to write the results to instead (write-once, AISEC-APP-31); the
        probe's role becomes one of its named writers. Give this or ``results_bucket``, not both.
    :param categories: probe categories to run (default: all).
    :param max_probes: at most this many probes per guardrail and run, taken evenly across categories.
    :param encryption_key: key for the log group, environment, queue and the default bucket; default a new one.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        guardrails: Sequence[Union[Guardrail, ProbeTarget]],
        alarm_topic: sns.ITopic,
        schedule: Optional[scheduler.ScheduleExpression] = None,
        thresholds: Optional[Thresholds] = None,
        results_bucket: Optional[s3.IBucket] = None,
        archive: Optional[EvidenceArchive] = None,
        results_prefix: str = "guardrail-probes/",
        namespace: str = NAMESPACE,
        categories: Optional[Sequence[str]] = None,
        max_probes: Optional[int] = None,
        encryption_key: Optional[EncryptionKey] = None,
        concurrency: int = 4,
    ) -> None:
        super().__init__(scope, construct_id)
        if not guardrails:
            raise ValueError("GuardrailProbe: give at least one guardrail to probe")
        if results_bucket is not None and archive is not None:
            raise ValueError("GuardrailProbe: give results_bucket or archive, not both")
        if not results_prefix or results_prefix.startswith("/") or not results_prefix.endswith("/"):
            raise ValueError("GuardrailProbe: results_prefix must be a folder such as 'guardrail-probes/'")
        probe_suite = suite.load()
        try:
            probe_suite.select(categories, max_probes)
        except suite.SuiteError as error:
            raise ValueError(f"GuardrailProbe: {error}") from None
        self.targets = [ProbeTarget.of(g) for g in guardrails]
        self.thresholds = thresholds = thresholds or Thresholds()
        self.namespace = namespace
        self.alarm_topic = alarm_topic

        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="guardrail probe results and logs")
        self.archive = archive
        self.results_bucket: s3.IBucket = archive.bucket if archive is not None else results_bucket or SecureBucket(
            self, "Results", encryption_key=self.encryption_key).bucket
        #: the results bucket's name as the function reads it (an archive's name needs no cross-stack reference)
        results_bucket_name = archive.bucket_name if archive is not None else self.results_bucket.bucket_name
        self.log_group = SecureLogGroup(self, "Logs", encryption_key=self.encryption_key)
        self.dead_letter_queue = sqs.Queue(self, "DeadLetters", encryption=sqs.QueueEncryption.KMS,
                                           encryption_master_key=self.encryption_key.key, enforce_ssl=True,
                                           retention_period=cdk.Duration.days(14))
        Validations.of(self.dead_letter_queue).acknowledge(Acknowledgment(
            id="AwsSolutions-SQS3", reason="this queue is the dead-letter queue of the probe function's failed runs"))

        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                             description="aisec: the guardrail probe function (ApplyGuardrail, its metrics, its results)")
        self.role.add_to_policy(iam.PolicyStatement(
            actions=["bedrock:ApplyGuardrail"], resources=[t.guardrail_arn for t in self.targets]))
        for target in self.targets:
            if target.encryption_key is not None:
                target.encryption_key.grant_decrypt(self.role)
        self.role.add_to_policy(iam.PolicyStatement(
            actions=["cloudwatch:PutMetricData"], resources=["*"],
            conditions={"StringEquals": {"cloudwatch:namespace": namespace}}))
        if archive is not None:  # a named writer of the archive: identity policy, writer tag, key
            archive.grant_write(self.role, results_prefix)
        else:
            self.role.add_to_policy(iam.PolicyStatement(
                actions=["s3:PutObject"], resources=[self.results_bucket.arn_for_objects(f"{results_prefix}*")]))
            if self.results_bucket.encryption_key is not None:  # SSE-KMS: a single PUT needs a data key
                self.results_bucket.encryption_key.grant(self.role, "kms:GenerateDataKey")
            acknowledge_iam5(self.role, [self.results_bucket.arn_for_objects(f"{results_prefix}*")],
                             "the probe writes one results object per run under its prefix, with names it cannot "
                             "know in advance")
        self.log_group.log_group.grant_write(self.role)
        self.encryption_key.key.grant(self.role, "kms:GenerateDataKey", "kms:Decrypt")  # the encrypted dead-letter queue
        Validations.of(self.role).acknowledge(Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="cloudwatch:PutMetricData has no resource type; the statement is limited to the probe's namespace "
                   "with the cloudwatch:namespace condition"))

        self.function = lambda_.Function(
            self, "Function",
            runtime=RUNTIME,
            handler=handler_name(PROBE_HANDLER),
            code=probe_code(),
            role=self.role,
            description="aisec: runs the guardrail probe suite on a schedule",
            timeout=cdk.Duration.minutes(15),
            memory_size=512,
            architecture=lambda_.Architecture.ARM_64,
            environment={PROBE_RESULTS_VARIABLE: results_bucket_name,
                         "AISEC_PROBE_RESULTS_PREFIX": results_prefix, "AISEC_PROBE_NAMESPACE": namespace,
                         "AISEC_PROBE_CONCURRENCY": str(concurrency), "AISEC_VERSION": version()},
            environment_encryption=self.encryption_key.key,
            log_group=self.log_group.log_group,
            dead_letter_queue=self.dead_letter_queue,
            retry_attempts=0,
            reserved_concurrent_executions=1,
            recursive_loop=lambda_.RecursiveLoop.TERMINATE,
        )

        payload = {
            "guardrails": [{"id": t.guardrail_arn, "version": t.version, "topics": [
                {"name": d.name, "definition": d.definition, "examples": list(d.examples)} for d in t.denied_topics]}
                for t in self.targets],
            "categories": list(categories) if categories is not None else None,
            "max_probes": max_probes,
            "thresholds": thresholds.to_dict(),
        }
        stack = cdk.Stack.of(self)
        self.scheduler_role = iam.Role(
            self, "SchedulerRole", description="aisec: EventBridge Scheduler invokes the guardrail probe function",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": stack.account}}))
        self.schedule = scheduler.Schedule(
            self, "Schedule", schedule=schedule or scheduler.ScheduleExpression.rate(cdk.Duration.days(1)),
            description="aisec: probe guardrails with the aisec suite",
            target=scheduler_targets.LambdaInvoke(self.function, input=scheduler.ScheduleTargetInput.from_object(payload),
                                                  retry_attempts=2, role=self.scheduler_role),
            time_window=scheduler.TimeWindow.off())
        acknowledge_iam5(self.scheduler_role, [f"{self.function.function_arn}:*"],
                         "CDK's invoke grant for a schedule also names the function's versions and aliases "
                         "(<function ARN>:*); the role may invoke this one function and nothing else")

        self.alarms: List[cloudwatch.Alarm] = []
        attack = [c for c in (categories or probe_suite.categories) if c != suite.BENIGN]
        for index, target in enumerate(self.targets):
            dimensions = {"Guardrail": target.guardrail_arn, "GuardrailVersion": target.version}
            for category in attack:
                if category == suite.DENIED_TOPIC and not target.denied_topics:
                    continue
                self._alarm(f"Guardrail{index}{_camel(category)}", "BlockRate", {**dimensions, "Category": category},
                            "Minimum", thresholds.minimum(category), cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                            f"Guardrail probe: {category} block rate below {thresholds.minimum(category):.0%}")
            if categories is None or suite.BENIGN in categories:
                self._alarm(f"Guardrail{index}Benign", "BenignBlockRate", dimensions, "Maximum",
                            thresholds.max_benign_block_rate, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                            f"Guardrail probe: benign block rate above {thresholds.max_benign_block_rate:.0%}")
        errors = self.function.metric_errors(period=cdk.Duration.days(1), statistic="Sum").create_alarm(
            self, "FunctionErrors", threshold=1, evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description="Guardrail probe: a run failed or a guardrail could not be probed")
        errors.add_alarm_action(actions.SnsAction(alarm_topic))
        self.alarms.append(errors)

    def _alarm(self, construct_id: str, metric_name: str, dimensions: dict, statistic: str, threshold: float,
               operator: cloudwatch.ComparisonOperator, description: str) -> None:
        metric = cloudwatch.Metric(namespace=self.namespace, metric_name=metric_name, dimensions_map=dimensions,
                                   statistic=statistic, period=cdk.Duration.days(1))
        alarm = metric.create_alarm(self, construct_id, threshold=threshold, evaluation_periods=1,
                                    comparison_operator=operator, alarm_description=description,
                                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)
        alarm.add_alarm_action(actions.SnsAction(self.alarm_topic))
        self.alarms.append(alarm)


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))

