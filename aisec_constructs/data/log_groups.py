"""SecureLogGroup: a CloudWatch Logs group encrypted with a customer managed key and retained.

Invocation logs, tool logs and agent logs hold raw prompts and answers. The group is encrypted
with a KMS key (a new :class:`EncryptionKey` unless one is given), keeps its events for a year by
default, is retained when the stack is deleted, and masks personal data with a CloudWatch Logs
data protection policy (the control AISEC-DATA-23 asks for at Advanced). ``mask_pii=False`` turns the
masking off for logs that hold no prompts (VPC flow logs); AISEC-DATA-23 then reports the group until
it is acknowledged with that reason.
"""
from __future__ import annotations

from typing import Optional, Sequence

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from constructs import Construct

from .keys import EncryptionKey

#: What ``mask_pii`` masks by default: contact data, credentials and payment data.
DEFAULT_PII = (
    logs.DataIdentifier.EMAILADDRESS, logs.DataIdentifier.NAME, logs.DataIdentifier.ADDRESS,
    logs.DataIdentifier.IPADDRESS, logs.DataIdentifier.CREDITCARDNUMBER, logs.DataIdentifier.AWSSECRETKEY,
    logs.DataIdentifier.OPENSSHPRIVATEKEY, logs.DataIdentifier.PGPPRIVATEKEY,
)


class SecureLogGroup(Construct):
    """A KMS-encrypted, retained log group that masks personal data."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: Optional[EncryptionKey] = None,
        retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        mask_pii: bool = True,
        pii_identifiers: Sequence[logs.DataIdentifier] = DEFAULT_PII,
        log_group_name: Optional[str] = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if retention == logs.RetentionDays.INFINITE:
            raise ValueError("SecureLogGroup: give a finite retention (logs of prompts must not be kept forever)")
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="log group encryption")
        self.encryption_key.allow_cloudwatch_logs()
        policy = logs.DataProtectionPolicy(
            name="aisec-mask-pii", description="Masks personal data in AI prompts and responses",
            identifiers=list(pii_identifiers)) if mask_pii else None
        self.log_group = logs.LogGroup(
            self, "LogGroup",
            encryption_key=self.encryption_key.key,
            retention=retention,
            data_protection_policy=policy,
            log_group_name=log_group_name,
            removal_policy=removal_policy,
        )

    @property
    def log_group_name(self) -> str:
        return self.log_group.log_group_name

    @property
    def log_group_arn(self) -> str:
        return self.log_group.log_group_arn
