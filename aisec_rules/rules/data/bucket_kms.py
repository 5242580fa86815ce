"""AISEC-DATA-15: buckets of an AI workload use SSE-KMS with a customer managed key.

Scope: every ``AWS::S3::Bucket`` of a template the rule applies to (as AISEC-DATA-14: a template
cannot tell a corpus bucket from any other, and storage in an AI stack is presumed to hold prompts,
corpora, logs or training data), EXCEPT a bucket that is the target of another bucket's
``LoggingConfiguration.DestinationBucketName`` (a ``Ref`` to it, or the same literal / intrinsic as its
``BucketName``): S3 server access logging cannot deliver to a target bucket whose default encryption
is SSE-KMS, so such a bucket must use SSE-S3. Other log targets that AWS requires to use SSE-S3 (an
Application Load Balancer's access-log bucket, CloudFront standard logs) cannot be recognized from the
bucket alone: acknowledge their finding with that reason.

Pass: ``BucketEncryption.ServerSideEncryptionConfiguration`` has a rule whose
``ServerSideEncryptionByDefault.SSEAlgorithm`` is ``aws:kms`` or ``aws:kms:dsse`` and whose
``KMSMasterKeyID`` names a customer managed key (a reference, or a literal key id / ARN / alias that is
not ``alias/aws/s3``). ``aws:kms`` without ``KMSMasterKeyID`` uses the AWS managed key ``aws/s3`` and
fails. Absent ``BucketEncryption`` means SSE-S3 (the S3 default since January 2023) and fails.
Each ``Fn::If`` branch and parameter default of ``SSEAlgorithm`` / ``KMSMasterKeyID`` is judged.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, as_list
from ._keys import is_aws_managed_alias

ALGORITHMS = ("aws:kms", "aws:kms:dsse")
_EXPECT = "; set SSEAlgorithm aws:kms (or aws:kms:dsse) with KMSMasterKeyID of a customer managed key"


def log_targets(ctx: Context) -> Set[str]:
    """Logical ids of buckets that receive another bucket's server access logs (cached)."""
    cached = ctx.template.cache.get("data.s3.log_targets")
    if cached is not None:
        return cached
    buckets = ctx.template.of_type("AWS::S3::Bucket")
    names: Dict[str, List[str]] = {}
    for bucket in buckets:
        name = bucket.prop("BucketName")
        if name is not MISSING:
            names.setdefault(json.dumps(name, sort_keys=True), []).append(bucket.logical_id)
    targets: Set[str] = set()
    for bucket in buckets:
        for config in ctx.template.resolve(bucket.prop("LoggingConfiguration")):
            if not (config.known and isinstance(config.raw, dict)):
                continue
            destination = config.raw.get("DestinationBucketName", MISSING)
            target = ctx.template.target(destination)
            if target is not None and target.type == "AWS::S3::Bucket":
                targets.add(target.logical_id)
            elif destination is not MISSING:
                targets.update(names.get(json.dumps(destination, sort_keys=True), ()))
    ctx.template.cache["data.s3.log_targets"] = targets
    return targets


def _rules(ctx: Context, bucket: Resource) -> Iterator[tuple]:
    """(rule dict or None, note) per possibility of the encryption configuration."""
    for config in ctx.template.resolve(bucket.prop("BucketEncryption", "ServerSideEncryptionConfiguration")):
        if config.missing:
            yield None, config.note()
            continue
        if not config.known:
            yield "unknown", config.note()
            continue
        items: List[Any] = []
        for item in as_list(config.raw):
            items.extend(v.raw for v in ctx.template.resolve(item) if v.known and isinstance(v.raw, dict))
        yield items, config.note()


def check(ctx: Context) -> Iterator[Violation]:
    buckets = ctx.template.of_type("AWS::S3::Bucket")
    if not buckets:
        return
    exempt = log_targets(ctx)
    for bucket in buckets:
        if bucket.logical_id in exempt:
            continue
        if bucket.prop("BucketEncryption") is MISSING:
            yield Violation(bucket.logical_id, f"BucketEncryption is not set (S3 then uses SSE-S3){_EXPECT}")
            continue
        for items, note in _rules(ctx, bucket):
            if items is None or items == []:
                yield Violation(bucket.logical_id, f"BucketEncryption.ServerSideEncryptionConfiguration is not set{note}"
                                                   f"{_EXPECT}")
            elif items == "unknown":
                yield Violation(bucket.logical_id, "BucketEncryption.ServerSideEncryptionConfiguration cannot be "
                                                   f"verified at synth time{note}{_EXPECT}")
            else:
                problem = _problem(ctx, items)
                if problem:
                    yield Violation(bucket.logical_id, f"{problem}{note}{_EXPECT}")


def _problem(ctx: Context, items: List[dict]) -> str:
    """The first problem over all possibilities of the first default-encryption rule, or ""."""
    where = "BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault"
    default = items[0].get("ServerSideEncryptionByDefault", MISSING)
    if not isinstance(default, dict):
        return f"{where} is not set"
    for algorithm in ctx.template.resolve(default.get("SSEAlgorithm", MISSING)):
        if not algorithm.known:
            return f"{where}.SSEAlgorithm cannot be verified at synth time{algorithm.note()}"
        if algorithm.raw not in ALGORITHMS:
            shown = "not set" if algorithm.missing else f"is {algorithm.raw}"
            return f"{where}.SSEAlgorithm {shown}{algorithm.note()}"
    for key in ctx.template.resolve(default.get("KMSMasterKeyID", MISSING)):
        if not key.known:
            continue
        if key.missing or key.raw == "":
            return f"{where}.KMSMasterKeyID is not set{key.note()} (aws:kms then uses the AWS managed key aws/s3)"
        if isinstance(key.raw, str) and is_aws_managed_alias(key.raw):
            return f"{where}.KMSMasterKeyID is the AWS managed key {key.raw}{key.note()}"
    return ""


RULE = Rule(
    id="AISEC-DATA-15",
    prowler_aisf=(
        "AISF-INFRA-05: S3 buckets use SSE-KMS with a customer managed key",
        "AISF-DATA-04: SSE-KMS with a customer managed key",
    ),
    aiml_assessment=(
        "BR-09: S3 data-source buckets",
        "AC-05: browser recording buckets use a customer managed key, not ECR repository encryption",
    ),
    title="AI buckets use SSE-KMS with a customer managed key",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM02",),
    passes="Every `AWS::S3::Bucket` (except server-access-log target buckets, which S3 requires to use SSE-S3) has "
           "default encryption `aws:kms` or `aws:kms:dsse` with `KMSMasterKeyID` of a customer managed key.",
    remediation="Use `aisec_constructs.data.SecureBucket` (SSE-KMS with its own rotating key), or set "
                "`encryption: BucketEncryption.KMS` with `encryptionKey` on the bucket.",
    construct="aisec_constructs.data.SecureBucket",
    check=check,
    judges=("AWS::S3::Bucket",),
)
