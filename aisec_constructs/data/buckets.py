"""SecureBucket: S3 storage for prompts, corpora, logs and training data.

Defaults: SSE-KMS with a customer managed key and S3 Bucket Keys, all four public access blocks,
a bucket policy that denies any request without TLS, versioning, noncurrent versions expired
after 90 days (``noncurrent_version_expiration=None`` keeps them: an evidence archive), server access logs to a companion bucket, retained on stack deletion. Object Lock
(governance or compliance retention) is available for forensic buckets.

The companion access-log bucket uses SSE-S3 because S3 server access logging does not deliver to
a target bucket whose default encryption is SSE-KMS; it is private, TLS-only and versioned too.
Turning server access logs off takes ``server_access_logs=False``, which is recorded as an
annotation.
"""
from __future__ import annotations

from typing import Optional, cast

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ..annotations import record_opt_out
from .keys import EncryptionKey


class SecureBucket(Construct):
    """A private, TLS-only, KMS-encrypted, versioned bucket with access logs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: Optional[EncryptionKey] = None,
        server_access_logs: bool = True,
        access_logs_bucket: Optional[s3.IBucket] = None,
        noncurrent_version_expiration: Optional[cdk.Duration] = cdk.Duration.days(90),
        object_lock_retention: Optional[s3.ObjectLockRetention] = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        bucket_name: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="bucket encryption")
        self.access_logs_bucket: Optional[s3.IBucket] = None
        if server_access_logs:
            self.access_logs_bucket = access_logs_bucket or s3.Bucket(
                self, "AccessLogs",
                encryption=s3.BucketEncryption.S3_MANAGED,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                versioned=True,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                lifecycle_rules=[s3.LifecycleRule(
                    noncurrent_version_expiration=noncurrent_version_expiration or cdk.Duration.days(90))],
                removal_policy=removal_policy,
            )
        else:
            record_opt_out(self, "server_access_logs", "no S3 server access logs for this bucket (AwsSolutions-S1)")
        self.bucket = s3.Bucket(
            self, "Bucket",
            bucket_name=bucket_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.encryption_key.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=noncurrent_version_expiration)]
            if noncurrent_version_expiration is not None else None,
            object_lock_enabled=True if object_lock_retention else None,
            object_lock_default_retention=object_lock_retention,
            removal_policy=removal_policy,
        )
        if self.access_logs_bucket is not None:
            self._deliver_access_logs(self.access_logs_bucket)

    def _deliver_access_logs(self, target: s3.IBucket) -> None:
        """Server access logs through a bucket policy for the logging service (not the legacy
        LogDeliveryWrite ACL), whatever the app's S3 feature flags are."""
        prefix = f"access-logs/{cdk.Names.unique_id(self)}/"
        cfn_bucket = cast(s3.CfnBucket, self.bucket.node.default_child)
        cfn_bucket.logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(
            destination_bucket_name=target.bucket_name, log_file_prefix=prefix)
        target.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
            actions=["s3:PutObject"],
            resources=[target.arn_for_objects(f"{prefix}*")],
            conditions={"ArnLike": {"aws:SourceArn": self.bucket.bucket_arn},
                        "StringEquals": {"aws:SourceAccount": cdk.Stack.of(self).account}},
        ))

    @property
    def bucket_name(self) -> str:
        return self.bucket.bucket_name

    @property
    def bucket_arn(self) -> str:
        return self.bucket.bucket_arn

    def grant_read(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Read objects, including decrypting them with the bucket's key."""
        return self.bucket.grant_read(grantee, objects_key_pattern)

    def grant_write(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Write objects, including encrypting them with the bucket's key."""
        return self.bucket.grant_put(grantee, objects_key_pattern)
