"""AuditTrail: a CloudTrail trail that records the control plane and the AI data plane, tamper-evidently.

Claim: the default configuration satisfies the trail controls up to the Enhanced phase; the Advanced phase
(AISEC-APP-31, write-once evidence) needs ``archive=EvidenceArchive(...)``. The default bucket is not
Object-Locked, because COMPLIANCE-mode Object Lock cannot be undone: the archive is a deliberate choice.

Guarantees (AISEC-APP-19, AISEC-APP-20): a multi-Region trail that is logging, validates its log
files (digest files), encrypts them with a customer managed key (rotation on), writes them to a
private, TLS-only, versioned, KMS-encrypted bucket with access logs (``SecureBucket``; Object Lock
available through ``object_lock_retention``), delivers them to a KMS-encrypted CloudWatch Logs
group (``SecureLogGroup``, retained one year, masking personal data because Bedrock data events
carry request parameters) for metric filters and alarms, and selects with advanced event
selectors all management events plus the data events of the workload's Bedrock and AgentCore
resources.

Choices:

* The CloudTrail L2 only supports basic event selectors, which cannot select Bedrock or AgentCore
  data events; the construct sets ``AdvancedEventSelectors`` on the L1 (``cfn_trail``). Advanced
  selectors replace basic ones, so one selector keeps all management events.
* ``data_event_types=None`` (default) derives the ``resources.type`` values when the app is
  synthesized, from the Bedrock/AgentCore resources (the table of AISEC-APP-20) of every stack of
  the trail's stage (app) that deploys to the trail's environment: a trail is an account/Region
  singleton, and the rule pack judges all stacks of an environment together. Resources added after
  the trail are covered too. Give the list explicitly for AI resources deployed from other apps.
* One key for the trail, its bucket and its log group (purpose: audit). The key policy lets
  CloudTrail generate data keys only for trails of this account (``aws:SourceAccount`` and an
  ``aws:SourceArn`` pattern of this account's trails; no encryption-context condition, because
  digest files are written under the bucket's default SSE-KMS whose context is the bucket, not the
  trail).
* ``archive=EvidenceArchive(...)`` (the Advanced phase, AISEC-APP-31): the log files go to the archive's
  write-once bucket (COMPLIANCE Object Lock); the archive lets CloudTrail put objects under ``AWSLogs/`` for
  this account's trails and encrypt the digest files with its key. ``bucket`` and ``archive`` exclude each other.
* Weakening takes a named flag, recorded as an annotation: ``single_region=True``,
  ``skip_cloudwatch_logs=True``, ``allow_no_data_events=True``.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, cast

import aws_cdk as cdk
import jsii
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from aisec_rules.aws import DATA_EVENT_TYPES

from ..annotations import record_opt_out
from ..data import EncryptionKey, EvidenceArchive, SecureBucket, SecureLogGroup

#: Every data-event ``resources.type`` value the construct knows (Bedrock and AgentCore).
AI_DATA_EVENT_TYPES = tuple(sorted({value for value, _ in DATA_EVENT_TYPES.values()}))


def management_selector() -> dict:
    return {"Name": "Management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}


def data_selector(resource_type: str) -> dict:
    name = resource_type.split("::", 1)[1].replace("::", " ")
    return {"Name": f"{name} data events", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": [resource_type]}]}


def detected_data_event_types(scope: Construct) -> List[str]:
    """The data-event ``resources.type`` values for the Bedrock/AgentCore resources under ``scope``."""
    found = set()
    for node in scope.node.find_all():
        if isinstance(node, cdk.CfnResource) and node.cfn_resource_type in DATA_EVENT_TYPES:
            found.add(DATA_EVENT_TYPES[node.cfn_resource_type][0])
    return sorted(found)


def environment_data_event_types(stack: cdk.Stack) -> List[str]:
    """The data-event types of every stack of ``stack``'s stage that deploys to its environment."""
    stage = cdk.Stage.of(stack) or stack.node.root
    stacks = [n for n in stage.node.find_all() if isinstance(n, cdk.Stack) and n.environment == stack.environment
              and (cdk.Stage.of(n) or n.node.root).node.path == stage.node.path]
    return sorted({t for s in stacks for t in detected_data_event_types(s)})


@jsii.implements(cdk.IStableAnyProducer)
class _Selectors:
    def __init__(self, trail: "AuditTrail") -> None:
        self._trail = trail

    def produce(self):
        return [management_selector()] + [data_selector(t) for t in self._trail.data_event_types]


class AuditTrail(Construct):
    """A multi-Region, validated, KMS-encrypted trail with AI data events.

    :param data_event_types: ``resources.type`` values to record (see ``AI_DATA_EVENT_TYPES``);
        default: derived at synth time from the stack's Bedrock and AgentCore resources.
    :param bucket: an existing bucket for the log files (it should be private and KMS-encrypted);
        default: a new ``SecureBucket``.
    :param encryption_key: key for the trail (and the new bucket and log group); default: a new key.
    :param object_lock_retention: Object Lock retention for the new bucket (write-once log files).
    :param archive: an :class:`EvidenceArchive` for the log files instead of a bucket (Advanced).
    :param log_retention: retention of the CloudWatch Logs copy.
    :param single_region: record only the stack's Region (weakens AISEC-APP-19; recorded).
    :param skip_cloudwatch_logs: no CloudWatch Logs copy (recorded).
    :param allow_no_data_events: record management events only (weakens AISEC-APP-20; recorded).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data_event_types: Optional[Sequence[str]] = None,
        bucket: Optional[s3.IBucket] = None,
        encryption_key: Optional[EncryptionKey] = None,
        object_lock_retention: Optional[s3.ObjectLockRetention] = None,
        archive: Optional[EvidenceArchive] = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        trail_name: Optional[str] = None,
        single_region: bool = False,
        skip_cloudwatch_logs: bool = False,
        allow_no_data_events: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        unknown = sorted(set(data_event_types or ()) - set(AI_DATA_EVENT_TYPES))
        if unknown:
            raise ValueError(f"AuditTrail: unknown data event resources.type {', '.join(unknown)}; "
                             f"expected some of {', '.join(AI_DATA_EVENT_TYPES)}")
        self._explicit_types = list(data_event_types) if data_event_types is not None else None
        self._allow_no_data_events = allow_no_data_events
        if allow_no_data_events:
            record_opt_out(self, "allow_no_data_events", "Bedrock and AgentCore data events (agent invocations, "
                           "retrievals, tool calls) are not recorded (AISEC-APP-20)")
        if single_region:
            record_opt_out(self, "single_region", "calls in other Regions are not recorded (AISEC-APP-19)")

        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="audit trail")
        self.encryption_key.key.add_to_resource_policy(iam.PolicyStatement(
            sid="AllowCloudTrailToEncryptLogs",
            principals=[iam.ServicePrincipal("cloudtrail.amazonaws.com")],
            actions=["kms:GenerateDataKey*", "kms:DescribeKey"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": stack.account},
                        "StringLike": {"aws:SourceArn": f"arn:{stack.partition}:cloudtrail:*:{stack.account}:trail/*"}},
        ))
        self.secure_bucket: Optional[SecureBucket] = None
        self.archive = archive
        if archive is not None:
            if bucket is not None:
                raise ValueError("AuditTrail: give bucket or archive, not both")
            archive.allow_delivery("cloudtrail.amazonaws.com", prefix="AWSLogs/",
                                   source_arn=f"arn:{stack.partition}:cloudtrail:*:{stack.account}:trail/*")
            bucket = archive.bucket
        if bucket is None:
            self.secure_bucket = SecureBucket(self, "Bucket", encryption_key=self.encryption_key,
                                              object_lock_retention=object_lock_retention)
            bucket = self.secure_bucket.bucket
        self.bucket = bucket

        self.log_group: Optional[logs.ILogGroup] = None
        if not skip_cloudwatch_logs:
            self.log_group = SecureLogGroup(self, "Logs", encryption_key=self.encryption_key,
                                            retention=log_retention, mask_pii=True).log_group
        else:
            record_opt_out(self, "skip_cloudwatch_logs", "no CloudWatch Logs copy of the trail: no metric filters or alarms "
                           "on API activity")

        self.trail = cloudtrail.Trail(
            self, "Trail",
            bucket=bucket,
            encryption_key=self.encryption_key.key,
            enable_file_validation=True,
            is_multi_region_trail=not single_region,
            include_global_service_events=True,
            send_to_cloud_watch_logs=not skip_cloudwatch_logs,
            cloud_watch_log_group=self.log_group,
            trail_name=trail_name,
        )
        self.cfn_trail = cast(cloudtrail.CfnTrail, self.trail.node.default_child)
        self.cfn_trail.add_property_override("AdvancedEventSelectors", cdk.Lazy.any(_Selectors(self)))
        self.cfn_trail.add_property_deletion_override("EventSelectors")  # never both kinds of selector
        if self.secure_bucket is not None:
            self.trail.node.add_dependency(self.secure_bucket)

    @property
    def data_event_types(self) -> List[str]:
        """The ``resources.type`` values recorded (final only once the stack is complete)."""
        if self._allow_no_data_events:
            return []
        if self._explicit_types is not None:
            return sorted(set(self._explicit_types))
        return environment_data_event_types(cdk.Stack.of(self))

    @property
    def trail_arn(self) -> str:
        return self.trail.trail_arn

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read the log files (auditors, investigations), including decrypting them with the trail's key."""
        grant = self.bucket.grant_read(grantee)
        self.encryption_key.grant_decrypt(grantee)
        if self.archive is not None:  # digest files are encrypted with the archive's key
            self.archive.encryption_key.grant_decrypt(grantee)
        return grant
