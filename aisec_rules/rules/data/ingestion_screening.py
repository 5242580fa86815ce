"""AISEC-DATA-25: knowledge base ingestion screens chunks, and source buckets keep versions.

Two granular findings (Advanced):

* ``Transformation`` on every ``AWS::Bedrock::DataSource``: ``VectorIngestionConfiguration.
  CustomTransformationConfiguration.Transformations`` has an item with ``StepToApply`` ``POST_CHUNKING``
  and a ``TransformationFunction.TransformationLambdaConfiguration.LambdaArn`` (schema: the only step
  value, at most one transformation). That Lambda redacts personal data and scrubs injected instructions
  from each chunk before it is embedded. All data source types are judged (web, Confluence and
  SharePoint content is at least as untrusted as S3 objects). What the function does is not
  verifiable at synth time.
* ``Versioning`` on each ``AWS::S3::Bucket`` that a data source reads
  (``DataSourceConfiguration.S3Configuration.BucketArn`` referring to it by ``Fn::GetAtt`` / ``Ref`` /
  ``Fn::Sub``): ``VersioningConfiguration.Status`` ``Enabled``, so a poisoned document can be rolled
  back. A ``BucketArn`` that does not refer to a bucket of the template (a literal ARN, an import)
  cannot be verified: the finding goes on the data source, acknowledged with the bucket's name.
"""
from __future__ import annotations

from typing import Dict, Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, as_list, dig
from ..base import expect_value

TRANSFORMATIONS = ("VectorIngestionConfiguration", "CustomTransformationConfiguration", "Transformations")


def _screens(ctx: Context, source: Resource) -> bool:
    for value in ctx.template.resolve(source.prop(*TRANSFORMATIONS)):
        if not value.known:
            return True  # built from intrinsics the template cannot show: counts as set
        for item in as_list(value.raw):
            if not isinstance(item, dict):
                continue
            steps = ctx.template.resolve(item.get("StepToApply", MISSING))
            arn = dig(item, "TransformationFunction", "TransformationLambdaConfiguration", "LambdaArn")
            if any(s.known and s.raw == "POST_CHUNKING" for s in steps) and arn not in (MISSING, None, ""):
                return True
    return False


def check(ctx: Context) -> Iterator[Violation]:
    buckets: Dict[str, Resource] = {}
    for source in ctx.template.of_type("AWS::Bedrock::DataSource"):
        if not _screens(ctx, source):
            yield Violation(source.logical_id,
                            f"{'.'.join(TRANSFORMATIONS)} has no POST_CHUNKING transformation with a LambdaArn; add a "
                            "function that redacts personal data and strips injected instructions from each chunk "
                            "before it is embedded", "Transformation")
        arn = source.prop("DataSourceConfiguration", "S3Configuration", "BucketArn")
        if arn is MISSING:
            continue
        targets = [t for t in ctx.template.references(arn) if t.type == "AWS::S3::Bucket"]
        if targets:
            buckets.update((t.logical_id, t) for t in targets)
        else:
            yield Violation(source.logical_id,
                            "DataSourceConfiguration.S3Configuration.BucketArn does not refer to a bucket of this "
                            "template, so its versioning cannot be verified; the source bucket must have "
                            "VersioningConfiguration.Status Enabled", "Versioning")
    for logical_id in sorted(buckets):
        yield from expect_value(ctx, buckets[logical_id], ("VersioningConfiguration", "Status"), allowed={"Enabled"},
                                detail="Versioning",
                                why=" (knowledge base source bucket: versions let a poisoned document be rolled back)")


RULE = Rule(
    id="AISEC-DATA-25",
    aiml_assessment=(
        "FS-33: the buckets behind knowledge bases are versioned",
        "FS-44: a transformation step screens ingested chunks",
    ),
    title="Ingestion screening and versioned sources",
    layer=Layer.DATA,
    phase=Phase.ADVANCED,
    capabilities={Capability.CONNECTS},
    severity=Severity.MEDIUM,
    risks=("LLM01", "LLM04", "LLM08"),
    passes="Every `AWS::Bedrock::DataSource` has a `POST_CHUNKING` custom transformation Lambda, and every S3 bucket a "
           "data source reads has `VersioningConfiguration.Status: Enabled`.",
    remediation="Give each data source a post-chunking transformation function that redacts PII and scrubs injected "
                "instructions (`KnowledgeBase(transformation_function=...)`), and version the source buckets "
                "(`SecureBucket` does).",
    construct="aisec_constructs.data.KnowledgeBase, aisec_constructs.data.SecureBucket",
    check=check,
    judges=("AWS::Bedrock::DataSource",),
    reads=("AWS::S3::Bucket",),
)
