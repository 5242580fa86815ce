"""AISEC-DATA-11: vector stores are encrypted with a customer managed key.

Embeddings can be inverted to recover much of the source text, so the vector store needs a key the
account controls. Judged (cfn-lint schemas):

* ``AWS::OpenSearchServerless::Collection``: passes when ``EncryptionConfig`` has ``AWSOwnedKey`` false
  and ``KmsKeyArn`` set; otherwise (no ``EncryptionConfig``) an ``AWS::OpenSearchServerless::SecurityPolicy``
  of ``Type`` ``encryption`` in the template must cover the collection (a rule with ``ResourceType``
  ``collection`` and a ``Resource`` pattern such as ``collection/<name>`` or ``collection/kb-*`` matching
  the collection's ``Name``) with ``AWSOwnedKey`` false and a ``KmsARN``. ``Policy`` is a JSON string,
  usually built with ``Fn::Join`` (rendered with ``${...}`` placeholders, so ``KmsARN`` may be a
  reference). A collection that no encryption policy of the template covers fails: OpenSearch
  Serverless refuses to create a collection without one, so it lives elsewhere and cannot be verified
  (acknowledge with its name). A collection whose ``Name`` is an intrinsic is matched on its rendered
  text. All collection types are judged (a ``SEARCH`` collection in an AI stack holds corpus text).
* ``AWS::OpenSearchServerless::SecurityPolicy`` of type ``encryption`` with ``AWSOwnedKey`` true (or
  ``KmsARN`` missing) fails on the policy itself (one finding, not one per collection it covers).
* ``AWS::S3Vectors::VectorBucket``: ``EncryptionConfiguration.SseType`` ``aws:kms`` (absent means
  ``AES256``, schema default) with ``KmsKeyArn`` set.
* ``AWS::S3Vectors::Index``: an index may override the bucket's encryption; an explicit
  ``EncryptionConfiguration.SseType`` ``AES256``, or ``aws:kms`` without ``KmsKeyArn``, fails. Absent
  inherits the bucket's configuration (judged on the bucket).
* ``AWS::RDS::DBCluster`` referenced by a knowledge base's
  ``StorageConfiguration.RdsConfiguration.ResourceArn`` (Aurora PostgreSQL with pgvector):
  ``StorageEncrypted`` true and ``KmsKeyId`` set (without it RDS uses the AWS managed key ``aws/rds``).
"""
from __future__ import annotations

import json
from typing import Dict, Iterator, List, Optional, Tuple

from ...read.iam import wildcard_match
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, as_list, is_false, is_true
from ..base import expect_value
from ._keys import expect_cmk

_EXPECT = "; use a customer managed KMS key"


def _policy_documents(ctx: Context, policy: Resource) -> Iterator[Tuple[Optional[dict], str]]:
    for value in ctx.template.resolve(policy.prop("Policy")):
        if value.missing:
            continue
        raw = value.raw
        if not (value.known and isinstance(raw, dict)):
            text = raw if value.known and isinstance(raw, str) else ctx.template.text(raw)
            try:
                raw = json.loads(text) if isinstance(text, str) else None
            except ValueError:
                raw = None
        yield (raw if isinstance(raw, dict) else None), value.note()


def _encryption_policies(ctx: Context) -> List[Tuple[Resource, Optional[dict], str]]:
    cached = ctx.template.cache.get("data.aoss.encryption_policies")
    if cached is None:
        cached = []
        for policy in ctx.template.of_type("AWS::OpenSearchServerless::SecurityPolicy"):
            kinds = ctx.template.resolve(policy.prop("Type"))
            if any(k.known and k.raw == "encryption" for k in kinds):
                cached.extend((policy, document, note) for document, note in _policy_documents(ctx, policy))
        ctx.template.cache["data.aoss.encryption_policies"] = cached
    return cached


def _patterns(document: dict) -> List[str]:
    found: List[str] = []
    for rule in as_list(document.get("Rules")):
        if isinstance(rule, dict) and rule.get("ResourceType") == "collection":
            found.extend(p for p in as_list(rule.get("Resource")) if isinstance(p, str))
    return found


def _coverage(ctx: Context) -> Tuple[Dict[str, List[dict]], List[Tuple[str, dict]]]:
    """Readable encryption policies indexed by exact collection resource (``collection/name``), plus the
    wildcard patterns to match one by one (cached)."""
    cached = ctx.template.cache.get("data.aoss.encryption_coverage")
    if cached is None:
        exact: Dict[str, List[dict]] = {}
        wildcard: List[Tuple[str, dict]] = []
        for _, document, _ in _encryption_policies(ctx):
            if document is None:
                continue
            for pattern in _patterns(document):
                if any(c in pattern for c in "*?["):
                    wildcard.append((pattern, document))
                else:
                    exact.setdefault(pattern, []).append(document)
        cached = (exact, wildcard)
        ctx.template.cache["data.aoss.encryption_coverage"] = cached
    return cached


def _covering(ctx: Context, names: List[str]) -> List[dict]:
    exact, wildcard = _coverage(ctx)
    found: List[dict] = []
    for name in names:
        resource = f"collection/{name}"
        found.extend(exact.get(resource, ()))
        found.extend(d for pattern, d in wildcard if wildcard_match(pattern, resource))
    return found


def _uses_cmk(document: dict) -> bool:
    owned = document.get("AWSOwnedKey", MISSING)
    return is_false(owned) and isinstance(document.get("KmsARN"), str) and bool(document["KmsARN"].strip())


def _collection_names(ctx: Context, collection: Resource) -> List[str]:
    names = []
    for value in ctx.template.resolve(collection.prop("Name")):
        text = value.raw if value.known else ctx.template.text(value.raw)
        if isinstance(text, str):
            names.append(text)
    return names


def _collection(ctx: Context, collection: Resource) -> Iterator[Violation]:
    config = collection.prop("EncryptionConfig")
    if config is not MISSING:
        yield from expect_value(ctx, collection, ("EncryptionConfig", "AWSOwnedKey"), allowed={False},
                                why=" (create-only)" + _EXPECT)
        yield from expect_cmk(ctx, collection, ("EncryptionConfig", "KmsKeyArn"), why=" (create-only)")
        return
    names = _collection_names(ctx, collection)
    covering = _covering(ctx, names)
    if any(_uses_cmk(d) for d in covering):
        return
    if covering:
        return  # covered only by AWS-owned-key policies: reported once, on each policy
    unreadable = [p.logical_id for p, d, _ in _encryption_policies(ctx) if d is None]
    if unreadable:
        yield Violation(collection.logical_id,
                        f"no readable encryption security policy covers this collection; the Policy of "
                        f"{', '.join(unreadable)} cannot be verified at synth time{_EXPECT} (AWSOwnedKey false, KmsARN)")
        return
    yield Violation(collection.logical_id,
                    "no AWS::OpenSearchServerless::SecurityPolicy of Type encryption in the template covers this "
                    "collection and EncryptionConfig is not set, so its key cannot be verified; add an encryption "
                    "policy with AWSOwnedKey false and KmsARN of a customer managed key")


def _security_policy(ctx: Context, policy: Resource) -> Iterator[Violation]:
    for document, text_note in [(d, n) for p, d, n in _encryption_policies(ctx) if p is policy]:
        if document is None:
            continue  # reported on the collections it might cover
        if is_true(document.get("AWSOwnedKey")):
            yield Violation(policy.logical_id, f"Policy sets AWSOwnedKey true{text_note}; set AWSOwnedKey false and "
                                               "KmsARN to a customer managed key (collections cannot change keys later)")
        elif not _uses_cmk(document):
            yield Violation(policy.logical_id, f"Policy has no AWSOwnedKey false with a KmsARN{text_note}; set "
                                               "AWSOwnedKey false and KmsARN to a customer managed key")


def _index(ctx: Context, index: Resource) -> Iterator[Violation]:
    for value in ctx.template.resolve(index.prop("EncryptionConfiguration", "SseType")):
        if value.known and value.raw == "AES256":
            yield Violation(index.logical_id, f"EncryptionConfiguration.SseType is AES256{value.note()}, overriding the "
                                              "vector bucket's encryption; set aws:kms with a customer managed key")
        elif value.known and value.raw == "aws:kms":
            yield from expect_cmk(ctx, index, ("EncryptionConfiguration", "KmsKeyArn"))


def _rds_clusters(ctx: Context) -> List[Resource]:
    found = {}
    for kb in ctx.template.of_type("AWS::Bedrock::KnowledgeBase"):
        arn = kb.prop("StorageConfiguration", "RdsConfiguration", "ResourceArn")
        for target in ctx.template.references(arn):
            if target.type == "AWS::RDS::DBCluster":
                found[target.logical_id] = target
    return [found[k] for k in sorted(found)]


def check(ctx: Context) -> Iterator[Violation]:
    for collection in ctx.template.of_type("AWS::OpenSearchServerless::Collection"):
        yield from _collection(ctx, collection)
    for policy in ctx.template.of_type("AWS::OpenSearchServerless::SecurityPolicy"):
        yield from _security_policy(ctx, policy)
    for bucket in ctx.template.of_type("AWS::S3Vectors::VectorBucket"):
        yield from expect_value(ctx, bucket, ("EncryptionConfiguration", "SseType"), allowed={"aws:kms"},
                                default="AES256", why=" (create-only)" + _EXPECT)
        for sse in ctx.template.resolve(bucket.prop("EncryptionConfiguration", "SseType")):
            if sse.known and sse.raw == "aws:kms":
                yield from expect_cmk(ctx, bucket, ("EncryptionConfiguration", "KmsKeyArn"), why=" (create-only)")
                break
    for index in ctx.template.of_type("AWS::S3Vectors::Index"):
        yield from _index(ctx, index)
    for cluster in _rds_clusters(ctx):
        yield from expect_value(ctx, cluster, ("StorageEncrypted",), allowed={True}, default=False)
        yield from expect_cmk(ctx, cluster, ("KmsKeyId",), absent="RDS uses the AWS managed key aws/rds")


RULE = Rule(
    id="AISEC-DATA-11",
    aiml_assessment=("BR-09: vector stores", "BR-20: vector stores", "FS-25"),
    title="Vector stores use a customer managed key",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS},
    severity=Severity.HIGH,
    risks=("LLM08",),
    passes="OpenSearch Serverless collections are covered by an encryption policy (or `EncryptionConfig`) with "
           "`AWSOwnedKey: false` and a `KmsARN`; `AWS::S3Vectors::VectorBucket` uses `SseType: aws:kms` with "
           "`KmsKeyArn` (indexes do not override it with `AES256`); Aurora clusters behind a knowledge base set "
           "`StorageEncrypted` and `KmsKeyId`.",
    remediation="Use `aisec_constructs.data.OpenSearchVectorCollection` or `S3VectorStore`, which encrypt with a "
                "customer managed key; the key choice is create-only.",
    construct="aisec_constructs.data.OpenSearchVectorCollection, aisec_constructs.data.S3VectorStore",
    check=check,
    judges=("AWS::OpenSearchServerless::Collection", "AWS::S3Vectors::VectorBucket", "AWS::S3Vectors::Index"),
    reads=("AWS::OpenSearchServerless::SecurityPolicy", "AWS::Bedrock::KnowledgeBase", "AWS::RDS::DBCluster"),
)
