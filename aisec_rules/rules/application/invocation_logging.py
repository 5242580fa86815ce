"""AISEC-APP-18: Bedrock model invocation logging is on, logs text, and writes to encrypted destinations.

Model invocation logging has no CloudFormation resource (aws/aws-cdk#31478). The check recognises:

1. aisec's construct, a custom resource of type ``Custom::AisecModelInvocationLogging``
   (``INVOCATION_LOGGING_TYPE`` in :mod:`aisec_rules.aws`). **This is the construct's
   contract**: its ``LoggingConfig`` property mirrors the ``loggingConfig`` argument of the Bedrock
   ``PutModelInvocationLoggingConfiguration`` API (API reference, ``LoggingConfig`` data type) with
   the field names in PascalCase::

       Type: Custom::AisecModelInvocationLogging
       Properties:
         ServiceToken: ...
         LoggingConfig:
           CloudWatchConfig:                  # optional destination
             LogGroupName: {Ref: LogGroup}    # an AWS::Logs::LogGroup of the same stack
             RoleArn: {Fn::GetAtt: [Role, Arn]}
             LargeDataDeliveryS3Config: {BucketName: {Ref: Bucket}, KeyPrefix: large/}
           S3Config: {BucketName: {Ref: Bucket}, KeyPrefix: invocations/}   # optional destination
           TextDataDeliveryEnabled: true
           ImageDataDeliveryEnabled: false
           EmbeddingDataDeliveryEnabled: false
           VideoDataDeliveryEnabled: false
           AudioDataDeliveryEnabled: false    # newer API field, optional

   CloudFormation hands custom resource properties to the handler as strings (``"true"``): the
   handler converts the ``*Enabled`` values back to booleans and camelCases the keys. The logging
   configuration is an account/Region singleton: the construct guards against two in one app.

   Pass conditions (each a separate finding on the resource):

   * ``LoggingConfig.TextDataDeliveryEnabled`` is true (absent = false; detail
     ``TextDataDeliveryEnabled``): prompts and completions are what an investigation needs;
   * a destination is set: ``CloudWatchConfig.LogGroupName`` or ``S3Config.BucketName`` (detail
     ``Destination``);
   * each destination is encrypted with KMS (detail ``DestinationEncryption``): a log group that
     the name refers to (``Ref``, or a literal equal to its ``LogGroupName``) has ``KmsKeyId``; a
     bucket (``S3Config.BucketName`` and also ``CloudWatchConfig.LargeDataDeliveryS3Config.BucketName``,
     which receives the large and binary payloads) has ``SSEAlgorithm`` ``aws:kms`` or
     ``aws:kms:dsse`` (whether the key is a customer managed key is AISEC-DATA-15's concern). A
     destination outside the template (a literal name, an import) is reported as "cannot be
     verified": acknowledge it with the name of the stack that encrypts it.

2. A hand-rolled CDK ``AwsCustomResource`` (type ``Custom::AWS``) whose ``Create`` (or, without it,
   ``Update``) call text contains ``PutModelInvocationLoggingConfiguration`` (case-insensitive: SDK v3
   style ``putModelInvocationLoggingConfiguration`` too). Its call is a JSON string, so the check
   looks for ``"textDataDeliveryEnabled": true`` and a ``cloudWatchConfig`` or ``s3Config`` in the
   text. Destination encryption cannot be checked in this form (the destinations are buried in the
   call's JSON); prefer the aisec construct.

3. Any other custom resource (``Custom::*``, ``AWS::CloudFormation::CustomResource``: a third-party
   construct) with a ``LoggingConfig`` or ``loggingConfig`` property that carries Bedrock
   invocation-logging fields (``textDataDeliveryEnabled``, ``cloudWatchConfig``, ``s3Config``, ... in
   either casing): its keys are read in PascalCase and judged as in 1.

No such resource in the template is one workload finding.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, Iterator, Optional, Tuple

from ...aws import INVOCATION_LOGGING_TYPE
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Service, Severity, Violation
from ...read.template import MISSING, Resource, as_list, is_intrinsic
from ..base import expect_value

_CONFIG = "LoggingConfig"
_API_CALL = re.compile(r"putmodelinvocationloggingconfiguration", re.IGNORECASE)
_TEXT_ON = re.compile(r'"textDataDeliveryEnabled"\s*:\s*(true|"true")', re.IGNORECASE)
_DESTINATION = re.compile(r'"(cloudWatchConfig|s3Config)"\s*:\s*\{', re.IGNORECASE)


def configurations(ctx: Context) -> Iterator[Resource]:
    """Each resource that configures model invocation logging with a readable ``LoggingConfig`` (forms 1
    and 3 above), as a resource whose ``LoggingConfig`` is in the construct's PascalCase."""
    yield from ctx.template.of_type(INVOCATION_LOGGING_TYPE)
    for custom in [*ctx.template.of_family("Custom::"), *ctx.template.of_type("AWS::CloudFormation::CustomResource")]:
        if custom.type in (INVOCATION_LOGGING_TYPE, "Custom::AWS"):
            continue
        config = custom.prop(_CONFIG)
        config = custom.prop("loggingConfig") if config is MISSING else config
        if isinstance(config, dict) and _BEDROCK_FIELDS & {str(k).lower() for k in config}:
            yield replace(custom, properties={_CONFIG: _pascal(config)})


def sdk_calls(ctx: Context) -> Iterator[Tuple[Resource, str]]:
    """Each ``Custom::AWS`` whose call is ``PutModelInvocationLoggingConfiguration`` (form 2), with the call text."""
    for custom in ctx.template.of_type("Custom::AWS"):
        call = _sdk_call_text(ctx, custom)
        if call is not None and _API_CALL.search(call):
            yield custom, call


def check(ctx: Context) -> Iterator[Violation]:
    found = False
    for logging in configurations(ctx):
        found = True
        yield from _construct(ctx, logging)
    for custom, call in sdk_calls(ctx):
        found = True
        if not _TEXT_ON.search(call):
            yield Violation(custom.logical_id,
                            "the PutModelInvocationLoggingConfiguration call does not set "
                            "loggingConfig.textDataDeliveryEnabled to true; prompts and completions would not be logged",
                            "TextDataDeliveryEnabled")
        if not _DESTINATION.search(call):
            yield Violation(custom.logical_id,
                            "the PutModelInvocationLoggingConfiguration call sets neither cloudWatchConfig nor s3Config",
                            "Destination")
    if not found:
        yield Violation(None,
                        "this environment's stacks do not enable Bedrock model invocation logging (there is no CloudFormation "
                        f"resource for it): add aisec's ModelInvocationLogging construct ({INVOCATION_LOGGING_TYPE}) "
                        "with text delivery and a KMS-encrypted log group or bucket. Logging is one setting per "
                        "account and Region: if another app configures it, acknowledge this finding with a reason "
                        "naming that stack")


#: fields of the Bedrock API's LoggingConfig, lower-cased: one of them makes a LoggingConfig Bedrock's
_BEDROCK_FIELDS = {"textdatadeliveryenabled", "cloudwatchconfig", "s3config", "imagedatadeliveryenabled",
                   "embeddingdatadeliveryenabled", "videodatadeliveryenabled", "audiodatadeliveryenabled"}


def _pascal(value: Any) -> Any:
    """The API's camelCase keys (``s3Config``) in the construct's PascalCase (``S3Config``); intrinsics
    are kept as they are."""
    if isinstance(value, dict) and not is_intrinsic(value):
        return {(k[:1].upper() + k[1:] if isinstance(k, str) else k): _pascal(v) for k, v in value.items()}
    return value


def _sdk_call_text(ctx: Context, custom: Resource) -> Optional[str]:
    for name in ("Create", "Update"):
        value = custom.prop(name)
        if value is MISSING or value is None:
            continue
        if isinstance(value, (dict, list)) and not is_intrinsic(value):
            return json.dumps(value)
        return ctx.template.text(value)
    return None


def _construct(ctx: Context, logging: Resource) -> Iterator[Violation]:
    yield from expect_value(ctx, logging, (_CONFIG, "TextDataDeliveryEnabled"), allowed={True}, default=False,
                            detail="TextDataDeliveryEnabled",
                            why=" (prompts and completions are the audit trail)")
    log_group = (_CONFIG, "CloudWatchConfig", "LogGroupName")
    bucket = (_CONFIG, "S3Config", "BucketName")
    large = (_CONFIG, "CloudWatchConfig", "LargeDataDeliveryS3Config", "BucketName")
    if not (_present(logging.prop(*log_group)) or _present(logging.prop(*bucket))):
        yield Violation(logging.logical_id,
                        f"neither {_CONFIG}.CloudWatchConfig.LogGroupName nor {_CONFIG}.S3Config.BucketName is set; "
                        "invocation logs need a destination", "Destination")
        return
    for path, kind in ((log_group, "log group"), (bucket, "bucket"), (large, "bucket")):
        if _present(logging.prop(*path)):
            problem = _destination_problem(ctx, logging.prop(*path), kind)
            if problem:
                yield Violation(logging.logical_id, f"{'.'.join(path)}: {problem}", "DestinationEncryption")


def _present(value: Any) -> bool:
    return value is not MISSING and value is not None and value != ""


def _destination_problem(ctx: Context, value: Any, kind: str) -> Optional[str]:
    rtype = "AWS::Logs::LogGroup" if kind == "log group" else "AWS::S3::Bucket"
    name_property = "LogGroupName" if kind == "log group" else "BucketName"
    target = ctx.template.target(value)
    if target is not None:
        if target.type != rtype:
            return (f"refers to {target.logical_id} ({target.type}), not an {rtype}; its encryption cannot be "
                    "verified")
        return _encryption_problem(ctx, target, kind)
    for possibility in ctx.template.resolve(value):
        if not (possibility.known and isinstance(possibility.raw, str)):
            return (f"the {kind} cannot be identified at synth time{possibility.note()}, so its KMS encryption "
                    "cannot be verified")
        match = _by_name(ctx, rtype, name_property, possibility.raw)
        if match is None:
            return (f"the {kind} {possibility.raw!r}{possibility.note()} is not defined in this template, so its "
                    "KMS encryption cannot be verified")
        problem = _encryption_problem(ctx, match, kind)
        if problem:
            return problem
    return None


def _by_name(ctx: Context, rtype: str, name_property: str, name: str) -> Optional[Resource]:
    for resource in ctx.template.of_type(rtype):
        if any(v.known and v.raw == name for v in ctx.template.resolve(resource.prop(name_property))):
            return resource
    return None


def _encryption_problem(ctx: Context, resource: Resource, kind: str) -> Optional[str]:
    if kind == "log group":
        for key in ctx.template.resolve(resource.prop("KmsKeyId")):
            if key.missing or key.raw == "":
                return f"log group {resource.logical_id} has no KmsKeyId{key.note()}; invocation logs hold raw prompts"
        return None
    algorithms, note = _bucket_algorithms(ctx, resource)
    if algorithms is None:
        return f"the encryption of bucket {resource.logical_id} cannot be verified at synth time{note}"
    if not algorithms or not all(a in ("aws:kms", "aws:kms:dsse") for a in algorithms):
        shown = ", ".join(sorted(set(algorithms))) or "not set (SSE-S3)"
        return (f"bucket {resource.logical_id} default encryption is {shown}{note}; must be aws:kms or aws:kms:dsse "
                "(invocation logs hold raw prompts)")
    return None


def _bucket_algorithms(ctx: Context, bucket: Resource) -> Tuple[Optional[list], str]:
    """The literal SSEAlgorithm values of a bucket's encryption rules (None when one is unknown)."""
    found = []
    notes = []
    for rule in as_list(bucket.prop("BucketEncryption", "ServerSideEncryptionConfiguration")):
        if not isinstance(rule, dict):
            return None, ""
        default = rule.get("ServerSideEncryptionByDefault")
        if not isinstance(default, dict):
            continue
        for value in ctx.template.resolve(default.get("SSEAlgorithm", MISSING)):
            if not value.known:
                return None, value.note()
            if not value.missing:
                found.append(str(value.raw))
                if value.note():
                    notes.append(value.note())
    return found, "".join(dict.fromkeys(notes))


RULE = Rule(
    id="AISEC-APP-18",
    prowler_aisf=("AISF-INFRA-05: model invocation logs", "AISF-AI-05"),
    aiml_assessment=("BR-04", "BR-12"),
    title="Model invocation logging is on",
    layer=Layer.APPLICATION,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T8", "LLM10"),
    passes=f"The template configures Bedrock model invocation logging (`{INVOCATION_LOGGING_TYPE}`, an "
           "`AwsCustomResource` calling `PutModelInvocationLoggingConfiguration`, or any custom resource carrying a "
           "Bedrock `LoggingConfig`/`loggingConfig`) with text delivery on and a "
           "KMS-encrypted CloudWatch Logs log group or S3 bucket as destination.",
    remediation="Add aisec's ModelInvocationLogging construct with text data delivery, pointing at a log group with "
                "a KMS key and/or an SSE-KMS bucket of the same stack.",
    construct="aisec_constructs.data.ModelInvocationLogging",
    check=check,
    judges=(INVOCATION_LOGGING_TYPE, "Custom::AWS"),
    reads=("Custom::*", "AWS::CloudFormation::CustomResource", "AWS::Logs::LogGroup", "AWS::S3::Bucket"),
    scope=Scope.ENVIRONMENT,
    services={Service.BEDROCK},
)
