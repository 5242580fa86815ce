"""EncryptionKey: a customer managed KMS key with rotation, for one purpose.

The key policy keeps CDK's default statement for the account root (which delegates access to
IAM policies, so grants stay least privilege in identity policies) and adds, per AWS service
that must use the key, a statement limited to the cryptographic actions that service needs and
conditioned on this account (``aws:SourceAccount``) or the service's encryption context. One key
per purpose (data, logs, agents) is the framework's advice: revoking one does not stop the others.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

SERVICE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey")
LOGS_ACTIONS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")


class EncryptionKey(Construct):
    """A symmetric customer managed key with automatic rotation, retained on stack deletion."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        purpose: str,
        alias: Optional[str] = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        pending_window: cdk.Duration = cdk.Duration.days(30),
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self, "Key",
            description=f"aisec: {purpose}",
            enable_key_rotation=True,
            alias=alias,
            removal_policy=removal_policy,
            pending_window=pending_window,
        )

    @property
    def key_arn(self) -> str:
        return self.key.key_arn

    def allow_service(
        self,
        service: str,
        *,
        actions: Sequence[str] = SERVICE_ACTIONS,
        conditions: Optional[Mapping[str, Mapping[str, object]]] = None,
    ) -> None:
        """Let an AWS service principal (``bedrock.amazonaws.com``) use the key for this account only.

        ``conditions`` replaces the default ``aws:SourceAccount`` condition (for example with an
        encryption-context condition, which some services use instead of source headers)."""
        account = cdk.Stack.of(self).account
        self.key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(service)],
            actions=list(actions),
            resources=["*"],
            conditions=dict(conditions) if conditions is not None else {"StringEquals": {"aws:SourceAccount": account}},
        ))

    def allow_cloudwatch_logs(self) -> None:
        """Let CloudWatch Logs encrypt this account's log groups in this Region with the key."""
        stack = cdk.Stack.of(self)
        self.allow_service(
            f"logs.{stack.region}.amazonaws.com",
            actions=LOGS_ACTIONS,
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                    f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"}},
        )

    def grant_encrypt_decrypt(self, grantee: iam.IGrantable) -> iam.Grant:
        return self.key.grant_encrypt_decrypt(grantee)

    def grant_decrypt(self, grantee: iam.IGrantable) -> iam.Grant:
        return self.key.grant_decrypt(grantee)
