"""AISEC-DATA-32: a change to a knowledge base's source documents raises an alert before the next ingestion.

A poisoned document in the corpus bucket reaches every answer after the next sync; an object-created or
object-deleted event that someone receives is the chance to notice it first. Judged: every ``AWS::S3::Bucket``
that an ``AWS::Bedrock::DataSource`` reads (``DataSourceConfiguration.S3Configuration.BucketArn`` referring to
it). It must send both kinds of event somewhere that acts on them, through either

* EventBridge: ``NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled`` true, and ``AWS::Events::Rule``
  s of the template on the default event bus (``EventBusName`` absent or ``default``), not ``DISABLED``, with at least
  one ``Targets`` item, whose ``EventPattern`` has ``source`` ``aws.s3`` and matches ``Object Created`` and
  ``Object Deleted`` (``detail-type`` listing them, or absent), and names this bucket in ``detail.bucket.name`` (a
  ``Ref`` to it or its literal ``BucketName``; absent matches every bucket);
* or a notification configuration: ``TopicConfigurations`` / ``QueueConfigurations`` / ``LambdaConfigurations``
  items whose ``Event`` s cover ``s3:ObjectCreated:*`` and ``s3:ObjectRemoved:*`` (any event of each family
  counts). A destination is a consumer by itself (a queue, a function, a topic).

One finding per bucket, on the bucket, naming the data sources that read it. A ``BucketArn`` that refers to no bucket
of the template (a literal ARN, an import) is ``Unverifiable::BucketArn`` on the data source; a value the template
cannot show counts as not set.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, Template, as_list

BUCKET = "AWS::S3::Bucket"
EVENT_RULE = "AWS::Events::Rule"
#: EventBridge detail types of S3 and the notification event family each stands for
KINDS = {"Object Created": "s3:ObjectCreated:", "Object Deleted": "s3:ObjectRemoved:"}
_DESTINATIONS = ("TopicConfigurations", "QueueConfigurations", "LambdaConfigurations")


def _literals(template: Template, value: Any) -> List[Any]:
    return [v.raw for v in template.resolve(value) if v.known and not v.missing]


def _pattern(template: Template, rule: Resource) -> Dict[str, Any]:
    for raw in _literals(template, rule.prop("EventPattern")):
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                continue
        if isinstance(raw, dict):
            return raw
    return {}


def _names_bucket(template: Template, pattern: Dict[str, Any], bucket: Resource) -> bool:
    detail = pattern.get("detail")
    names = detail.get("bucket", {}).get("name", MISSING) if isinstance(detail, dict) and \
        isinstance(detail.get("bucket"), dict) else MISSING
    if names is MISSING:
        return True
    own = _literals(template, bucket.prop("BucketName"))
    for item in as_list(names):
        target = template.target(item)
        if (target is not None and target.logical_id == bucket.logical_id) or (isinstance(item, str) and item in own):
            return True
    return False


def _event_rules(template: Template, bucket: Resource) -> Set[str]:
    """The S3 detail types that enabled rules with targets route for this bucket."""
    covered: Set[str] = set()
    for rule in template.of_type(EVENT_RULE):
        buses = _literals(template, rule.prop("EventBusName"))
        states = _literals(template, rule.prop("State"))
        targets = rule.prop("Targets")
        if any(b != "default" for b in buses) or "DISABLED" in states or not (isinstance(targets, list) and targets):
            continue
        pattern = _pattern(template, rule)
        if "aws.s3" not in as_list(pattern.get("source", [])) or not _names_bucket(template, pattern, bucket):
            continue
        kinds = pattern.get("detail-type", MISSING)
        covered.update(KINDS if kinds is MISSING else (k for k in as_list(kinds) if k in KINDS))
    return covered


def _eventbridge_enabled(template: Template, bucket: Resource) -> bool:
    values = template.resolve(bucket.prop("NotificationConfiguration", "EventBridgeConfiguration", "EventBridgeEnabled"))
    return bool(values) and all(v.known and v.raw in (True, "true") for v in values)


def _notified(template: Template, bucket: Resource) -> Set[str]:
    """The S3 detail types that the bucket's topic, queue or function configurations send."""
    events = [e for key in _DESTINATIONS for item in as_list(bucket.prop("NotificationConfiguration", key))
              if isinstance(item, dict) for e in _literals(template, item.get("Event", MISSING)) if isinstance(e, str)]
    return {kind for kind, family in KINDS.items() if any(e.startswith(family) for e in events)}


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    readers: Dict[str, List[str]] = {}
    for source in template.of_type("AWS::Bedrock::DataSource"):
        arn = source.prop("DataSourceConfiguration", "S3Configuration", "BucketArn")
        if arn is MISSING:
            continue
        targets = [t for t in template.references(arn) if t.type == BUCKET]
        if not targets:
            yield Violation(source.logical_id, "DataSourceConfiguration.S3Configuration.BucketArn does not refer to a "
                                               "bucket of this template, so whether changes to the source documents "
                                               "raise alerts cannot be verified; send the bucket's object-created and "
                                               "object-deleted events to a rule with a target where the bucket is "
                                               "declared", "Unverifiable::BucketArn")
        for target in targets:
            readers.setdefault(target.logical_id, []).append(source.logical_id)
    for logical_id, sources in sorted(readers.items()):
        bucket = template.get(logical_id)
        if bucket is None:
            continue
        covered = _notified(template, bucket)
        if _eventbridge_enabled(template, bucket):
            covered |= _event_rules(template, bucket)
        missing = [kind for kind in KINDS if kind not in covered]
        if not missing:
            continue
        how = "EventBridge is enabled but no enabled rule with a target routes " if _eventbridge_enabled(
            template, bucket) else "EventBridge is not enabled and no topic, queue or function configuration sends "
        yield Violation(logical_id,
                        f"the source bucket of {', '.join(sorted(set(sources)))}: {how}its "
                        f"{' and '.join(missing)} events, so a poisoned or deleted document goes unnoticed until the "
                        "next ingestion; set NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled and "
                        "add an AWS::Events::Rule (source aws.s3, detail-type Object Created and Object Deleted, this "
                        "bucket) with a target, or configure topic / queue / function notifications for "
                        "s3:ObjectCreated:* and s3:ObjectRemoved:*")


RULE = Rule(
    id="AISEC-DATA-32",
    aiml_assessment=("FS-33: event notifications with a subscriber", "FS-65"),
    title="Knowledge base source changes raise alerts",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS},
    severity=Severity.MEDIUM,
    risks=("LLM04", "LLM08"),
    passes="Every S3 bucket behind a knowledge base data source sends its object-created and object-deleted events "
           "to a consumer: EventBridge enabled with an enabled default-bus rule (source `aws.s3`, `Object Created` and "
           "`Object Deleted`, this bucket) that has a target, or topic / queue / function notification configurations "
           "for `s3:ObjectCreated:*` and `s3:ObjectRemoved:*`.",
    remediation="Enable EventBridge on the corpus bucket (`NotificationConfiguration.EventBridgeConfiguration."
                "EventBridgeEnabled: true`) and route `Object Created` / `Object Deleted` for it to the security team's "
                "topic with an `AWS::Events::Rule`.",
    construct="aisec_constructs.data.KnowledgeBase (EventBridge on the source bucket, a rule to the alert topic)",
    check=check,
    judges=("AWS::Bedrock::DataSource",),  # the evidence: a knowledge base source exists (findings are on its bucket)
    reads=(BUCKET, EVENT_RULE),
)
