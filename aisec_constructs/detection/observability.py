"""Observability for knowledge bases and agents: vended log delivery and searchable traces.

Guarantees (AISEC-APP-21):

* ``ResourceLogDelivery`` delivers the vended logs of one resource (a Bedrock knowledge base, an
  AgentCore runtime, gateway or memory) with an ``AWS::Logs::DeliverySource`` (``LogType``
  ``APPLICATION_LOGS`` by default: the value the CloudWatch Logs API documents for Bedrock and the
  AgentCore observability API lists), an ``AWS::Logs::DeliveryDestination`` and an
  ``AWS::Logs::Delivery`` into a log group encrypted with a customer managed key, retained one year
  and masking personal data (``SecureLogGroup``; retrievals and agent logs quote prompts and
  documents). Its name starts with ``/aws/vendedlogs/``, the prefix AWS recommends for vended
  logs (CloudWatch Logs adds the delivery permission to its shared resource policy when the
  delivery is created). ``traces=True`` also delivers the resource's ``TRACES`` to X-Ray (AgentCore).
  At the Advanced phase ``archive=EvidenceArchive(...)`` (AISEC-APP-31) delivers the same logs a second time
  to the archive's write-once bucket (a second ``DeliveryDestination`` of type S3 and ``Delivery``); the
  archive lets ``delivery.logs.amazonaws.com`` put objects (with the ``bucket-owner-full-control`` ACL
  header the service sends), read the bucket ACL and list the bucket for this account's delivery sources,
  and use its key, as the CloudWatch Logs guide "Logs sent to Amazon S3" asks. The object prefix is the
  whole bucket: the service chooses the path (``AWSLogs/...``), and the source condition already limits
  the writer to this account's deliveries.
* ``AgentObservability`` enables CloudWatch Transaction Search (``AWS::XRay::TransactionSearchConfig``)
  with the CloudWatch Logs resource policy that lets X-Ray write spans to ``aws/spans`` and
  ``/aws/application-signals/data`` for this account only. It is an account singleton:
  ``existing_transaction_search="<where>"`` creates nothing and acknowledges
  ``AISEC-APP-21[TransactionSearch]`` on the stack. The service-created ``aws/spans`` group is not
  in the template, so its key and retention cannot be set here.
"""
from __future__ import annotations

from typing import Optional

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_xray as xray
from constructs import Construct

from ..data import EncryptionKey, EvidenceArchive, SecureLogGroup

LOG_TYPES = ("APPLICATION_LOGS", "USAGE_LOGS")


def _name(scope: Construct, suffix: str = "") -> str:
    base = cdk.Names.unique_resource_name(scope, max_length=60 - len(suffix), separator="-")
    return f"{base}{suffix}"


class ResourceLogDelivery(Construct):
    """Deliver one AI resource's vended logs to an encrypted, retained, PII-masking log group.

    :param resource_arn: ARN of the knowledge base, AgentCore runtime, gateway or memory
        (``kb.attr_knowledge_base_arn``, ``runtime.attr_agent_runtime_arn``, ...).
    :param log_type: ``APPLICATION_LOGS`` (default) or ``USAGE_LOGS``.
    :param log_group: an existing destination group (it should be KMS-encrypted); default: a new one.
    :param traces: also deliver ``TRACES`` to X-Ray (AgentCore resources).
    :param archive: also deliver the logs to this :class:`EvidenceArchive` (Advanced).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        resource_arn: str,
        log_type: str = "APPLICATION_LOGS",
        log_group: Optional[logs.ILogGroup] = None,
        encryption_key: Optional[EncryptionKey] = None,
        retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        traces: bool = False,
        archive: Optional[EvidenceArchive] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if log_type not in LOG_TYPES:
            raise ValueError(f"ResourceLogDelivery: log_type {log_type!r} must be one of {', '.join(LOG_TYPES)}")
        stack = cdk.Stack.of(self)
        if log_group is None:
            log_group = SecureLogGroup(self, "Logs", encryption_key=encryption_key, retention=retention, mask_pii=True,
                                       log_group_name=f"/aws/vendedlogs/aisec/{_name(self)}").log_group
        self.log_group = log_group
        self.source = logs.CfnDeliverySource(self, "Source", name=_name(self, "-src"), resource_arn=resource_arn,
                                             log_type=log_type)
        group_arn = stack.format_arn(service="logs", resource="log-group", resource_name=log_group.log_group_name,
                                     arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
        self.destination = logs.CfnDeliveryDestination(self, "Destination", name=_name(self, "-dst"),
                                                       destination_resource_arn=group_arn)
        self.delivery = logs.CfnDelivery(self, "Delivery", delivery_source_name=self.source.ref,
                                         delivery_destination_arn=self.destination.attr_arn)
        self.archive_delivery: Optional[logs.CfnDelivery] = None
        if archive is not None:
            archive.allow_delivery(
                "delivery.logs.amazonaws.com", prefix="", acl_check=True,
                source_arn=f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:delivery-source:*",
                conditions={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}})
            archive_destination = logs.CfnDeliveryDestination(self, "ArchiveDestination", name=_name(self, "-arc"),
                                                              destination_resource_arn=archive.bucket_arn)
            self.archive_delivery = logs.CfnDelivery(self, "ArchiveDelivery", delivery_source_name=self.source.ref,
                                                     delivery_destination_arn=archive_destination.attr_arn)
            if archive.bucket.policy is not None:
                self.archive_delivery.node.add_dependency(archive.bucket.policy)
            self.archive_delivery.node.add_dependency(self.delivery)  # one delivery of a source at a time
        self.trace_delivery: Optional[logs.CfnDelivery] = None
        if traces:
            trace_source = logs.CfnDeliverySource(self, "TraceSource", name=_name(self, "-trc"),
                                                  resource_arn=resource_arn, log_type="TRACES")
            xray_destination = logs.CfnDeliveryDestination(self, "TraceDestination", name=_name(self, "-xry"),
                                                           delivery_destination_type="XRAY")
            self.trace_delivery = logs.CfnDelivery(self, "TraceDelivery", delivery_source_name=trace_source.ref,
                                                   delivery_destination_arn=xray_destination.attr_arn)


class AgentObservability(Construct):
    """CloudWatch Transaction Search for agent spans (an account singleton).

    :param indexing_percentage: share of spans indexed as trace summaries (1 is free-tier friendly).
    :param existing_transaction_search: where Transaction Search is already enabled; nothing is created.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        indexing_percentage: int = 1,
        existing_transaction_search: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.transaction_search: Optional[xray.CfnTransactionSearchConfig] = None
        if existing_transaction_search is not None:
            if not existing_transaction_search.strip():
                raise ValueError("AgentObservability: say where Transaction Search is enabled")
            Validations.of(cdk.Stack.of(self)).acknowledge(Acknowledgment(
                id="AISEC-APP-21[TransactionSearch]",
                reason=f"CloudWatch Transaction Search enabled outside this stack: {existing_transaction_search}"))
            return
        if not 0 <= indexing_percentage <= 100:
            raise ValueError("AgentObservability: indexing_percentage must be between 0 and 100")
        stack = cdk.Stack.of(self)
        group = f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:"
        document = {"Version": "2012-10-17", "Statement": [{
            "Sid": "TransactionSearchXRayAccess", "Effect": "Allow", "Principal": {"Service": "xray.amazonaws.com"},
            "Action": "logs:PutLogEvents",
            "Resource": [f"{group}aws/spans:*", f"{group}/aws/application-signals/data:*"],
            "Condition": {"ArnLike": {"aws:SourceArn": f"arn:{stack.partition}:xray:{stack.region}:{stack.account}:*"},
                          "StringEquals": {"aws:SourceAccount": stack.account}}}]}
        self.resource_policy = logs.CfnResourcePolicy(self, "SpansPolicy", policy_name=_name(self, "-spans"),
                                                      policy_document=stack.to_json_string(document))
        self.transaction_search = xray.CfnTransactionSearchConfig(self, "TransactionSearch",
                                                                  indexing_percentage=indexing_percentage)
        self.transaction_search.node.add_dependency(self.resource_policy)
