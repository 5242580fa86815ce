"""ModelInvocationLogging: Bedrock model invocation logging, which has no CloudFormation resource.

A Lambda-backed custom resource of type ``Custom::AisecModelInvocationLogging`` (the type rule
AISEC-APP-18 looks for) calls ``PutModelInvocationLoggingConfiguration`` on create and update
and ``DeleteModelInvocationLoggingConfiguration`` on delete. Its ``LoggingConfig`` property
mirrors the API's ``loggingConfig`` in PascalCase. By default it delivers text to a
CloudWatch Logs group encrypted with a customer managed key (rotation on) and kept one year;
an S3 destination, image/embedding/video/audio delivery and an existing log group or key are
options.

Personal data is masked by default (``mask_pii=True``, the control AISEC-DATA-23 asks for at
Advanced): the log groups the construct creates carry a CloudWatch Logs data protection policy that
audits and masks the identifiers of :data:`aisec_constructs.data.log_groups.DEFAULT_PII` (principals
with ``logs:Unmask`` can still read them). Data protection is billed per GB scanned; turning it off
takes ``mask_pii=False`` and is recorded as an annotation. A log group passed in is the caller's to
configure.

At the Advanced phase ``archive=EvidenceArchive(...)`` (AISEC-APP-31) adds the archive's write-once bucket as
the S3 destination (invocation records and large payloads, under ``key_prefix``): the archive lets
``bedrock.amazonaws.com`` put objects there for this account's Bedrock resources and use its key.
``bucket`` and ``archive`` exclude each other.

Least privilege: the handler may only put/delete the logging configuration (those actions
have no resource type, so ``Resource: *``), pass the logging role to Bedrock and write its own
log group (an explicit role, not ``AWSLambdaBasicExecutionRole``); the logging
role trusts only ``bedrock.amazonaws.com`` for this account's Bedrock resources and may only
write log streams of its log group.

The configuration is an account and Region singleton: a second instance for the same account
and Region in one app is a synth-time error.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, cast

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from aisec_rules.aws import INVOCATION_LOGGING_TYPE

from ..annotations import record_opt_out
from .evidence import EvidenceArchive
from .log_groups import DEFAULT_PII
from ..lambda_code import handler_code, handler_name

HANDLER = "invocation_logging"
_REGISTRY_PREFIX = "AisecModelInvocationLogging-"


class ModelInvocationLogging(Construct):
    """Turn on Bedrock model invocation logging for the account and Region of the stack.

    :param log_group: existing destination log group (it should be KMS-encrypted); default: a
        new group encrypted with ``encryption_key``, retained one year.
    :param encryption_key: key for the new log group and the handler's logs; default: a new key with rotation.
    :param bucket: optional S3 destination (also used for large image/video payloads).
    :param key_prefix: object key prefix in ``bucket``.
    :param archive: an :class:`EvidenceArchive` as the S3 destination instead of ``bucket`` (Advanced).
    :param mask_pii: mask personal data in the log groups this construct creates (default True;
        False is recorded as an opt-out).
    :param pii_identifiers: the data identifiers to mask.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        log_group: Optional[logs.ILogGroup] = None,
        encryption_key: Optional[kms.IKey] = None,
        retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        bucket: Optional[s3.IBucket] = None,
        key_prefix: str = "bedrock-invocations",
        archive: Optional[EvidenceArchive] = None,
        text: bool = True,
        image: bool = False,
        embedding: bool = False,
        video: bool = False,
        audio: bool = False,
        mask_pii: bool = True,
        pii_identifiers: Sequence[logs.DataIdentifier] = DEFAULT_PII,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        _claim_singleton(self, stack)
        partition, region, account = stack.partition, stack.region, stack.account

        if encryption_key is None:
            encryption_key = kms.Key(self, "Key", enable_key_rotation=True,
                                     description="Encrypts Bedrock model invocation logs and the handler's logs")
        encryption_key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{region}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                    f"arn:{partition}:logs:{region}:{account}:log-group:*"}},
        ))
        if not mask_pii:
            record_opt_out(self, "mask_pii", "prompts and responses are logged with personal data in clear "
                                             "(AISEC-DATA-23)")

        def protection(name: str) -> Optional[logs.DataProtectionPolicy]:
            if not mask_pii:
                return None
            return logs.DataProtectionPolicy(name=name, description="Masks personal data in Bedrock invocation logs",
                                             identifiers=list(pii_identifiers))

        if log_group is None:
            log_group = logs.LogGroup(self, "LogGroup", encryption_key=encryption_key, retention=retention,
                                      data_protection_policy=protection("aisec-invocation-logs-mask-pii"),
                                      removal_policy=cdk.RemovalPolicy.RETAIN)
        self.log_group = log_group
        self.encryption_key = encryption_key

        source_conditions = {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": f"arn:{partition}:bedrock:{region}:{account}:*"},
        }
        self.logging_role = iam.Role(
            self, "LoggingRole",
            assumed_by=iam.ServicePrincipal("bedrock.amazonaws.com", conditions=source_conditions),
            description="Lets Bedrock write model invocation logs",
        )
        # a log group's Arn ends in ":*", which already covers its log streams
        self.logging_role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group.log_group_arn],
        ))

        config: Dict[str, Any] = {
            "CloudWatchConfig": {"LogGroupName": log_group.log_group_name, "RoleArn": self.logging_role.role_arn},
            "TextDataDeliveryEnabled": text,
            "ImageDataDeliveryEnabled": image,
            "EmbeddingDataDeliveryEnabled": embedding,
            "VideoDataDeliveryEnabled": video,
            "AudioDataDeliveryEnabled": audio,
        }
        if archive is not None:
            if bucket is not None:
                raise ValueError("ModelInvocationLogging: give bucket or archive, not both")
            archive.allow_delivery("bedrock.amazonaws.com", prefix=key_prefix,
                                   source_arn=f"arn:{partition}:bedrock:{region}:{account}:*")
            bucket = archive.bucket
        if bucket is not None:
            config["S3Config"] = {"BucketName": bucket.bucket_name, "KeyPrefix": key_prefix}
            config["CloudWatchConfig"]["LargeDataDeliveryS3Config"] = {"BucketName": bucket.bucket_name,
                                                                       "KeyPrefix": f"{key_prefix}-large"}
            if archive is None:
                _allow_bedrock_to_write(bucket, key_prefix, source_conditions)

        handler_log_group = logs.LogGroup(self, "HandlerLogGroup", encryption_key=encryption_key, retention=retention,
                                          data_protection_policy=protection("aisec-logging-handler-mask-pii"))
        # an explicit role instead of AWSLambdaBasicExecutionRole: write to its own log group only
        handler_role = iam.Role(self, "HandlerRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                                description="Applies the Bedrock model invocation logging configuration")
        handler_role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[handler_log_group.log_group_arn]))
        self.handler = lambda_.Function(
            self, "Handler",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler=handler_name(HANDLER),
            role=handler_role,
            code=handler_code(HANDLER),
            timeout=cdk.Duration.minutes(1),
            description="Applies the Bedrock model invocation logging configuration",
            log_group=handler_log_group,
        )
        self.handler.add_to_role_policy(iam.PolicyStatement(
            actions=["bedrock:PutModelInvocationLoggingConfiguration",
                     "bedrock:DeleteModelInvocationLoggingConfiguration"],
            resources=["*"],  # these actions have no resource type: they act on the account's configuration
        ))
        Validations.of(handler_role).acknowledge(Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="bedrock:PutModelInvocationLoggingConfiguration and DeleteModelInvocationLoggingConfiguration have "
                   "no resource type (Service Authorization Reference): they act on the account's configuration."))
        self.handler.add_to_role_policy(iam.PolicyStatement(
            actions=["iam:PassRole"],
            resources=[self.logging_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}},
        ))

        self.resource = cdk.CustomResource(
            self, "Resource",
            service_token=self.handler.function_arn,
            resource_type=INVOCATION_LOGGING_TYPE,
            properties={"LoggingConfig": config},
        )
        self.resource.node.add_dependency(self.logging_role)


def _claim_singleton(construct: Construct, stack: cdk.Stack) -> None:
    """Raise when another ModelInvocationLogging targets the same account and Region."""
    account = "any-account" if cdk.Token.is_unresolved(stack.account) else stack.account
    region = "any-region" if cdk.Token.is_unresolved(stack.region) else stack.region
    root = construct.node.root
    marker_id = f"{_REGISTRY_PREFIX}{account}-{region}"
    existing = root.node.try_find_child(marker_id)
    if existing is not None:
        first = existing.node.metadata[0].data if existing.node.metadata else "another construct"
        raise ValueError(
            f"ModelInvocationLogging at {construct.node.path}: Bedrock model invocation logging is one "
            f"configuration per account and Region, and {first} already manages it for "
            f"{account}/{region} in this app; keep one ModelInvocationLogging per account and Region")
    marker = Construct(cast(Construct, root), marker_id)
    marker.node.add_metadata("aisec:invocation-logging", construct.node.path)


def _allow_bedrock_to_write(bucket: s3.IBucket, key_prefix: str, conditions: dict) -> None:
    bucket.add_to_resource_policy(iam.PolicyStatement(
        principals=[iam.ServicePrincipal("bedrock.amazonaws.com")],
        actions=["s3:PutObject"],
        resources=[bucket.arn_for_objects(f"{key_prefix}*")],
        conditions=conditions,
    ))
    if bucket.encryption_key is not None:
        bucket.encryption_key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal("bedrock.amazonaws.com")],
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=["*"],
            conditions=conditions,
        ))
