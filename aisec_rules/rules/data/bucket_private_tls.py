"""AISEC-DATA-14: buckets of an AI workload block public access and refuse plain-HTTP requests.

Scope: EVERY ``AWS::S3::Bucket`` of a template the rule applies to (an AI workload). A template
cannot tell a knowledge-base source bucket from an access-log bucket, and storage in an AI stack
is presumed to hold prompts, corpora, invocation logs or training data; a bucket that is
deliberately public (a static website) is acknowledged with that reason.

* ``PublicAccessBlockConfiguration`` must set ``BlockPublicAcls``, ``BlockPublicPolicy``,
  ``IgnorePublicAcls`` and ``RestrictPublicBuckets`` to true: one finding per flag that is
  false or absent (detail = the flag name; schema: each flag is a boolean, absent means false),
  or one finding with detail ``PublicAccessBlockConfiguration`` when the block is absent. S3 has
  blocked public access by default on new buckets since April 2023, but the template must state
  it so that a later change (drift, a console click) shows up as a diff.
* TLS only (detail ``SecureTransport``): an ``AWS::S3::BucketPolicy`` whose ``Bucket`` refers to
  the bucket (a ``Ref`` to it, or a value equal to the bucket's ``BucketName``: the same literal,
  parameter default or intrinsic) has a ``Deny`` statement with
  ``Condition.Bool`` (or ``BoolIfExists``) ``aws:SecureTransport`` false (boolean or string),
  ``Principal`` ``*`` or ``{"AWS": "*"}``, actions covering both ``s3:GetObject`` and
  ``s3:PutObject`` (``s3:*`` is what CDK's ``enforceSSL`` writes; a ``NotAction`` that excludes
  neither also counts), and a ``Resource`` covering objects (one entry ending in ``/*``, or
  ``*``). ``PolicyDocument`` may be an object or a JSON string (schema), ``Statement`` a list
  or a single object. A policy whose document cannot be read makes the finding say "cannot be
  verified". A bucket policy kept in another app is invisible here: acknowledge with its name.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ...context import Context
from ...read.iam import action_matches
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, as_list, is_false, is_true

FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
_BLOCK = "PublicAccessBlockConfiguration"
_WHY_BLOCK = (" (S3 blocks public access on new buckets by default since April 2023, but the template must "
              "state it so drift is visible)")


def check(ctx: Context) -> Iterator[Violation]:
    buckets = ctx.template.of_type("AWS::S3::Bucket")
    if not buckets:
        return
    tls = _tls_status(ctx, buckets)
    for bucket in buckets:
        yield from _public_access_block(ctx, bucket)
        status = tls.get(bucket.logical_id, ("absent", ""))
        if status[0] == "ok":
            continue
        expected = ("a Deny statement for Principal \"*\", s3:*, the bucket and its objects, with Condition Bool "
                    "aws:SecureTransport \"false\" (CDK: enforceSSL: true)")
        if status[0] == "unreadable":
            message = (f"the PolicyDocument of bucket policy {status[1]} cannot be verified at synth time; "
                       f"it must contain {expected}")
        elif status[0] == "nodeny":
            message = (f"bucket policy {status[1]} does not deny requests with aws:SecureTransport false; "
                       f"it must contain {expected}")
        else:
            message = f"no AWS::S3::BucketPolicy in the template applies to this bucket; add one containing {expected}"
        yield Violation(bucket.logical_id, message, "SecureTransport")


# -- public access block ------------------------------------------------------------------------

def _public_access_block(ctx: Context, bucket: Resource) -> Iterator[Violation]:
    for block in ctx.template.resolve(bucket.prop(_BLOCK)):
        if block.missing:
            yield Violation(bucket.logical_id,
                            f"{_BLOCK} is not set{block.note()}; set {', '.join(FLAGS)} to true{_WHY_BLOCK}", _BLOCK)
        elif not block.known or not isinstance(block.raw, dict):
            yield Violation(bucket.logical_id,
                            f"{_BLOCK} cannot be verified at synth time{block.note()}; {', '.join(FLAGS)} must be true",
                            _BLOCK)
        else:
            for flag in FLAGS:
                for value in ctx.template.resolve(block.raw.get(flag, MISSING)):
                    note = value.note() or block.note()
                    where = f"{_BLOCK}.{flag}"
                    if not value.known:
                        yield Violation(bucket.logical_id, f"{where} cannot be verified at synth time{note}; must be true", flag)
                    elif value.missing:
                        yield Violation(bucket.logical_id, f"{where} is not set (defaults to false){note}; must be true", flag)
                    elif not is_true(value.raw):
                        yield Violation(bucket.logical_id, f"{where} is {_show(value.raw)}{note}; must be true", flag)


def _show(value: Any) -> str:
    if is_false(value):
        return "false"
    return value if isinstance(value, str) else repr(value)


# -- TLS-only bucket policy ---------------------------------------------------------------------

def _tls_status(ctx: Context, buckets: List[Resource]) -> Dict[str, Tuple[str, str]]:
    """Per bucket logical id: ("ok", policy), ("unreadable", policy) or ("nodeny", policy);
    absent when no bucket policy of the template applies to the bucket."""
    by_name: Dict[str, List[str]] = {}
    for bucket in buckets:
        for key in _name_keys(ctx, bucket.prop("BucketName")):
            by_name.setdefault(key, []).append(bucket.logical_id)
    rank = {"ok": 3, "unreadable": 2, "nodeny": 1}
    status: Dict[str, Tuple[str, str]] = {}
    for policy in ctx.template.of_type("AWS::S3::BucketPolicy"):
        targets = _policy_buckets(ctx, policy, by_name)
        if not targets:
            continue
        verdict = _denies_insecure_transport(ctx, policy.prop("PolicyDocument"))
        state = "ok" if verdict is True else ("unreadable" if verdict is None else "nodeny")
        for logical_id in targets:
            if logical_id not in status or rank[state] > rank[status[logical_id][0]]:
                status[logical_id] = (state, policy.logical_id)
    return status


def _name_keys(ctx: Context, value: Any) -> List[str]:
    """Comparable keys of a bucket name: each literal possibility, and the raw intrinsic."""
    if value is MISSING or value is None:
        return []
    keys = ["literal:" + v.raw for v in ctx.template.resolve(value) if v.known and isinstance(v.raw, str)]
    if isinstance(value, (dict, list)):
        keys.append("raw:" + json.dumps(value, sort_keys=True))
    return keys


def _policy_buckets(ctx: Context, policy: Resource, by_name: Dict[str, List[str]]) -> List[str]:
    value = policy.prop("Bucket")
    target = ctx.template.target(value)
    if target is not None and target.type == "AWS::S3::Bucket":
        return [target.logical_id]
    found: List[str] = []
    for key in _name_keys(ctx, value):
        found.extend(i for i in by_name.get(key, ()) if i not in found)
    return found


def _denies_insecure_transport(ctx: Context, document: Any) -> Optional[bool]:
    """True when every possibility of the document has the TLS Deny; None when one cannot be read."""
    verdicts: List[Optional[bool]] = []
    for value in ctx.template.resolve(document):
        if value.missing:
            verdicts.append(False)
            continue
        doc = value.raw if value.known else ctx.template.text(value.raw)
        if isinstance(doc, str):
            try:
                doc = json.loads(doc)
            except ValueError:
                doc = None
        if not isinstance(doc, dict):
            verdicts.append(None)
            continue
        statements = as_list(doc.get("Statement", MISSING))
        verdicts.append(any(isinstance(s, dict) and _is_tls_deny(ctx, s) for s in statements))
    if not verdicts or False in verdicts:
        return False
    return None if None in verdicts else True


def _literals(ctx: Context, value: Any) -> List[Any]:
    """Literal items of a value that may be a list or a single item (intrinsics resolved)."""
    items: List[Any] = []
    for possibility in ctx.template.resolve(value):
        if possibility.known:
            for item in as_list(possibility.raw):
                items.extend(v.raw for v in ctx.template.resolve(item) if v.known)
    return items


def _is_tls_deny(ctx: Context, statement: dict) -> bool:
    if "Deny" not in _literals(ctx, statement.get("Effect", MISSING)):
        return False
    principal = statement.get("Principal", MISSING)
    principals = _literals(ctx, principal)
    if isinstance(principal, dict) and "AWS" in principal:
        principals = _literals(ctx, principal["AWS"])
    if "*" not in principals:
        return False
    if not _insecure_transport_condition(statement.get("Condition")):
        return False
    if "NotAction" in statement:
        excluded = [a for a in _literals(ctx, statement["NotAction"]) if isinstance(a, str)]
        if any(action_matches(a, "s3:GetObject") or action_matches(a, "s3:PutObject") for a in excluded):
            return False
    else:
        actions = [a for a in _literals(ctx, statement.get("Action", MISSING)) if isinstance(a, str)]
        for needed in ("s3:GetObject", "s3:PutObject"):
            if not any(action_matches(a, needed) for a in actions):
                return False
    if "NotResource" in statement:
        return True
    resources = [ctx.template.text(r) for r in _resource_items(ctx, statement.get("Resource", MISSING))]
    return any(r is not None and (r.strip() == "*" or r.rstrip().endswith("/*")) for r in resources)


def _resource_items(ctx: Context, value: Any) -> List[Any]:
    items: List[Any] = []
    for possibility in ctx.template.resolve(value):
        raw = possibility.raw
        if possibility.known:
            items.extend(as_list(raw))
        else:
            items.append(raw)
    return items


def _insecure_transport_condition(condition: Any) -> bool:
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        if str(operator).lower() not in ("bool", "boolifexists") or not isinstance(block, dict):
            continue
        for key, expected in block.items():
            if str(key).lower() == "aws:securetransport" and any(is_false(v) for v in as_list(expected)):
                return True
    return False


RULE = Rule(
    id="AISEC-DATA-14",
    prowler_aisf=(
        "AISF-INFRA-06: S3 buckets deny requests without TLS",
        "AISF-DATA-04: public access block and TLS-only bucket policies",
        "AISF-DETECT-01: the trail's bucket blocks public access",
    ),
    title="AI buckets are private and TLS-only",
    layer=Layer.DATA,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM02", "LLM04"),
    passes="Every `AWS::S3::Bucket` sets all four `PublicAccessBlockConfiguration` flags to true and has an "
           "`AWS::S3::BucketPolicy` with a Deny for `Principal: \"*\"`, covering at least `s3:GetObject` and "
           "`s3:PutObject` on its objects, when `aws:SecureTransport` is false.",
    remediation="Set `blockPublicAccess: BlockPublicAccess.BLOCK_ALL` and `enforceSSL: true` on every bucket "
                "(CDK), or the equivalent `PublicAccessBlockConfiguration` and a Deny statement on "
                "`aws:SecureTransport` \"false\" in the bucket policy.",
    construct="aisec_constructs.data.SecureBucket",
    check=check,
    judges=("AWS::S3::Bucket",),
    reads=("AWS::S3::BucketPolicy",),
)
