"""EvidenceArchive: a write-once bucket for audit evidence that outlives the workload that produced it.

Guarantees (AISEC-APP-31 for the bucket it creates):

* S3 Object Lock with a default retention of ``retention_days`` (365 by default, the default
  ``evidence_retention_days`` of the policy) in **COMPLIANCE** mode: nobody, the account root included,
  can shorten it or delete a locked version. ``governance_mode=True`` is the recorded opt-out (a principal
  allowed ``s3:BypassGovernanceRetention`` could then shorten it; AISEC-APP-31 reports it as
  ``GovernanceMode``).
* Versioned, noncurrent versions never expired, SSE-KMS with a customer managed key (rotation on) and
  S3 Bucket Keys, all public access blocked, server access logs to a companion bucket (a bucket with
  Object Lock cannot receive them), retained on stack deletion (:class:`SecureBucket`).
* A bucket policy that denies requests without TLS, denies ``s3:DeleteObject``,
  ``s3:DeleteObjectVersion``, ``s3:BypassGovernanceRetention`` and ``s3:DeleteBucket`` to every principal,
  and denies ``s3:PutObject`` to every principal except the named log writers: the AWS services added with
  :meth:`allow_delivery` (``aws:PrincipalServiceName``) and the roles given to :meth:`grant_write`, which
  carry the principal tag ``aisec:evidence-writer`` with this archive's id. A tag rather than the role ARN,
  because writers live in other stacks (a workload's containment function) and a bucket policy naming
  their ARNs would make the archive's stack depend on theirs. Bucket policy changes are not denied: the
  CloudFormation deployment must keep updating it; AISEC-DATA-29 keeps them away from workload roles.

The writers AuditTrail, ModelInvocationLogging, ResourceLogDelivery (and GuardrailProbe, issue 20) take an
``archive=`` and call :meth:`allow_delivery` for their service; AgentContainment calls :meth:`grant_write`.

The bucket has a physical name made of the account, the Region and a hash of the construct path
(``aisec-evidence-<account>-<region>-<hash>``), so that a writer in another stack of the same environment
names it (:attr:`bucket_name`, :meth:`objects_arn`) with pseudo parameters, without a cross-stack export:
the grants and their cdk-nag acknowledgements then read the same in every stack.
"""
from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Set, Tuple

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from aisec_rules.governance.policy import DEFAULT_EVIDENCE_RETENTION_DAYS

from ..annotations import record_opt_out
from ..nag import acknowledge_iam5
from .buckets import SecureBucket
from .keys import EncryptionKey

WRITER_TAG = "aisec:evidence-writer"
DENIED_ACTIONS = ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention")
WRITE_KEY_ACTIONS = ("kms:GenerateDataKey*", "kms:Decrypt")


@jsii.implements(cdk.IStableAnyProducer)
class _Services:
    """The writer services, known only once every writer has been added (None: the key is left out)."""

    def __init__(self, services: List[str]) -> None:
        self._services = services

    def produce(self):
        return sorted(self._services) if self._services else None


class EvidenceArchive(Construct):
    """A COMPLIANCE-mode Object Lock bucket that only named writers may put to and nobody may delete from.

    :param retention_days: default retention of every object version (at least 1).
    :param governance_mode: GOVERNANCE instead of COMPLIANCE retention (recorded as an opt-out).
    :param encryption_key: key of the bucket; default: a new key (purpose: audit evidence).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        retention_days: int = DEFAULT_EVIDENCE_RETENTION_DAYS,
        governance_mode: bool = False,
        encryption_key: Optional[EncryptionKey] = None,
        bucket_name: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if retention_days < 1:
            raise ValueError("EvidenceArchive: retention_days must be at least 1")
        self.retention_days = retention_days
        period = cdk.Duration.days(retention_days)
        if governance_mode:
            record_opt_out(self, "governance_mode", "GOVERNANCE-mode Object Lock: a principal allowed "
                                                    "s3:BypassGovernanceRetention can shorten the retention (AISEC-APP-31)")
        retention = s3.ObjectLockRetention.governance(period) if governance_mode else s3.ObjectLockRetention.compliance(period)
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="audit evidence")
        #: the bucket's name, written with pseudo parameters (usable in any stack of the environment)
        self.physical_name = bucket_name or (
            f"aisec-evidence-{cdk.Aws.ACCOUNT_ID}-{cdk.Aws.REGION}-{cdk.Names.unique_id(self)[-8:].lower()}")
        self.secure_bucket = SecureBucket(self, "Archive", encryption_key=self.encryption_key,
                                          object_lock_retention=retention, noncurrent_version_expiration=None,
                                          bucket_name=self.physical_name)
        self.bucket = self.secure_bucket.bucket
        #: the value of the principal tag ``aisec:evidence-writer`` that lets a role put objects
        self.writer_id = cdk.Names.unique_id(self)
        self._services: List[str] = []
        self._deliveries: Set[Tuple[str, str]] = set()
        self.bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="DenyEvidenceDeletion", effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()],
            actions=[*DENIED_ACTIONS, "s3:DeleteBucket"],
            resources=[self.bucket.bucket_arn, self.bucket.arn_for_objects("*")]))
        self.bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="OnlyNamedWritersPutEvidence", effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()],
            actions=["s3:PutObject"], resources=[self.bucket.arn_for_objects("*")],
            conditions={"StringNotEqualsIfExists": {
                "aws:PrincipalServiceName": cdk.Lazy.any(_Services(self._services)),
                f"aws:PrincipalTag/{WRITER_TAG}": self.writer_id}}))

    @property
    def bucket_name(self) -> str:
        """The bucket's name, without a cross-stack reference."""
        return self.physical_name

    def objects_arn(self, prefix: str = "") -> str:
        """The ARN pattern of the objects under ``prefix``, without a cross-stack reference."""
        return f"arn:{cdk.Aws.PARTITION}:s3:::{self.physical_name}/{prefix}*"

    @property
    def bucket_arn(self) -> str:
        return self.bucket.bucket_arn

    def allow_delivery(self, service: str, *, prefix: str, source_arn: str,
                       conditions: Optional[Mapping[str, Mapping[str, object]]] = None, acl_check: bool = False) -> None:
        """Let an AWS service (``cloudtrail.amazonaws.com``, ``bedrock.amazonaws.com``,
        ``delivery.logs.amazonaws.com``) put objects under ``prefix`` for this account's resources matching
        ``source_arn``, encrypting them with the archive's key; ``acl_check`` also lets it read the bucket ACL
        and list the bucket (vended-log delivery checks both). Adding the same service and prefix again
        changes nothing."""
        if (service, prefix) in self._deliveries:
            return
        self._deliveries.add((service, prefix))
        stack = cdk.Stack.of(self)
        source: Dict[str, Dict[str, object]] = {"StringEquals": {"aws:SourceAccount": stack.account},
                                                "ArnLike": {"aws:SourceArn": source_arn}}
        put = {key: {**source.get(key, {}), **dict(value)} for key, value in {**source, **dict(conditions or {})}.items()}
        principal = iam.ServicePrincipal(service)
        self.bucket.add_to_resource_policy(iam.PolicyStatement(
            principals=[principal], actions=["s3:PutObject"], resources=[self.bucket.arn_for_objects(f"{prefix}*")],
            conditions=put))
        if acl_check:
            self.bucket.add_to_resource_policy(iam.PolicyStatement(
                principals=[principal], actions=["s3:GetBucketAcl", "s3:ListBucket"], resources=[self.bucket.bucket_arn],
                conditions=source))
        if service not in self._services:
            self.encryption_key.allow_service(service, actions=WRITE_KEY_ACTIONS, conditions=source)
            self._services.append(service)

    def grant_write(self, role: iam.IRole, prefix: str = "") -> None:
        """Let ``role`` put objects under ``prefix`` (with the key to encrypt them): an identity policy plus the
        writer tag that the bucket policy asks for. The prefix is a wildcard resource: acknowledged on the role."""
        cdk.Tags.of(role).add(WRITER_TAG, self.writer_id)
        role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=[self.objects_arn(prefix)]))
        self.encryption_key.key.grant(role, "kms:GenerateDataKey", "kms:Decrypt")
        self._acknowledge(role, prefix)

    def grant_read(self, role: iam.IRole, prefix: str = "") -> None:
        """Read archived objects under ``prefix`` (investigators, the containment function's undo)."""
        role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[self.objects_arn(prefix)]))
        self.encryption_key.key.grant(role, "kms:Decrypt")
        self._acknowledge(role, prefix)

    def _acknowledge(self, role: iam.IRole, prefix: str) -> None:
        acknowledge_iam5(role, [self.objects_arn(prefix)],
                         f"The objects under {prefix or 'the root'} of the write-once evidence archive, whose keys "
                         "(one folder per incident) are only known when they are written.")
