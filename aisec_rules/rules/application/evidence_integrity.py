"""AISEC-APP-31: the system's audit evidence is written once and kept for the policy's retention.

Resource types judged: ``AWS::CloudTrail::Trail``, ``AWS::S3::Bucket``, ``AWS::Logs::LogGroup``,
``AWS::Logs::Delivery``, ``AWS::Logs::DeliverySource``, ``AWS::Logs::DeliveryDestination``,
``AWS::Lambda::Function``, and the model invocation logging configurations AISEC-APP-18 recognises
(``Custom::AisecModelInvocationLogging``, other custom resources with a Bedrock ``LoggingConfig``,
``Custom::AWS`` calls of ``PutModelInvocationLoggingConfiguration``).

The destinations of evidence, each followed to the bucket or log group it names:

* every trail's ``S3BucketName`` (bucket) and ``CloudWatchLogsLogGroupArn`` (log group);
* model invocation logging: ``LoggingConfig.S3Config.BucketName``,
  ``LoggingConfig.CloudWatchConfig.LargeDataDeliveryS3Config.BucketName`` (buckets) and
  ``LoggingConfig.CloudWatchConfig.LogGroupName`` (log group). The destinations of a ``Custom::AWS``
  call are buried in the call's JSON text and are reported as unverifiable (detail ``Unverifiable``):
  use aisec's ``ModelInvocationLogging``, or acknowledge the finding naming the archive;
* vended logs of Bedrock and AgentCore resources: each ``AWS::Logs::Delivery`` whose
  ``DeliverySourceName`` names an ``AWS::Logs::DeliverySource`` (a ``Ref``, or its ``Name``) whose
  ``ResourceArn`` refers to an ``AWS::Bedrock::*`` or ``AWS::BedrockAgentCore::*`` resource or is an ARN
  of the ``bedrock`` or ``bedrock-agentcore`` service (a source that cannot be read is judged too), and
  whose ``DeliveryDestinationArn`` names an ``AWS::Logs::DeliveryDestination``: its
  ``DestinationResourceArn``, a log group or bucket. ``XRAY`` destinations (traces) are not stores and
  are not judged; a Firehose destination cannot be judged write-once and is a finding
  (detail ``Unverifiable``);
* the bucket a function names in the environment variable ``AISEC_PROBE_RESULTS_BUCKET`` (guardrail
  probe results) or ``AISEC_EVIDENCE_BUCKET`` (containment snapshots), :data:`aisec_rules.aws.EVIDENCE_VARIABLES`.

A destination is followed through a ``Ref`` / ``Fn::GetAtt`` (also inside an ARN built with ``Fn::Join`` or
``Fn::Sub``), a literal name or ARN equal to the ``BucketName`` / ``LogGroupName`` of a resource of the
environment, or a name built from pseudo parameters (``aisec-evidence-${AWS::AccountId}-...``) written the
same way as such a name. A literal name that the environment does not declare is an **external archive** (a
log-archive account's bucket): it passes, and the readiness report names it (``evidence`` of the rule).
A value that cannot be identified at synth time (an import no stack of the environment exports, a
parameter without default) is a finding on the resource that names it (detail ``Unverifiable``).

Pass conditions, with *N* the policy's ``evidence_retention_days`` (default 365, read from
``ctx.policy``), each a granular finding on the destination:

* a bucket: ``VersioningConfiguration.Status`` ``Enabled`` (detail ``Versioning``), ``ObjectLockEnabled``
  true (detail ``ObjectLockEnabled``), ``ObjectLockConfiguration.Rule.DefaultRetention`` with ``Days`` or
  ``Years`` (a year counts 365 days) of at least *N* (detail ``DefaultRetention``) and ``Mode``
  ``COMPLIANCE``; ``GOVERNANCE`` (which a principal allowed ``s3:BypassGovernanceRetention`` can shorten) is
  its own finding (detail ``GovernanceMode``), to acknowledge as a deliberate opt-out;
* a log group: ``RetentionInDays`` of at least *N* (absent means kept forever and passes; detail
  ``RetentionInDays``);
* every trail: ``EnableLogFileValidation`` true (detail ``EnableLogFileValidation``; the digest files
  prove that the log files were not altered; AISEC-APP-19 asks the same from Foundational on).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ...aws import EVIDENCE_VARIABLES, INVOCATION_LOGGING_TYPE
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Severity, Violation
from ...read.template import MISSING, Resource
from ..base import expect_value
from .invocation_logging import configurations, sdk_calls

BUCKET = "AWS::S3::Bucket"
LOG_GROUP = "AWS::Logs::LogGroup"
_NAME_PROPERTY = {BUCKET: "BucketName", LOG_GROUP: "LogGroupName"}
_KIND = {BUCKET: "bucket", LOG_GROUP: "log group"}
_AI_PREFIXES = ("AWS::Bedrock::", "AWS::BedrockAgentCore::")
_AI_ARN = re.compile(r"^arn:[^:]*:bedrock(-agentcore)?:")
_LOG_GROUP_ARN = re.compile(r"^arn:[^:]*:logs:[^:]*:[^:]*:log-group:([^:]+)(:\*)?$")
_BUCKET_ARN = re.compile(r"^arn:[^:]*:s3:::([^/]+)(/.*)?$")
_YEAR_DAYS = 365


@dataclass(frozen=True)
class Destination:
    """Where one holder (a trail, a logging configuration, a delivery, a function) sends evidence."""

    holder: Resource
    where: str           # the property path on the holder, for messages
    rtype: str           # BUCKET or LOG_GROUP
    value: Any           # the name or ARN as written


@dataclass(frozen=True)
class Located:
    """One possibility of a destination: a resource of the environment, an external name, or a problem."""

    resource: Optional[Resource] = None
    external: str = ""
    problem: str = ""


@dataclass
class Destinations:
    """The evidence destinations of an environment: those to follow, the findings on holders whose
    destinations cannot be read at all, and the delivery destinations of other accounts."""

    found: List[Destination]
    problems: List[Violation]
    external: List[str]


def destinations(ctx: Context) -> Destinations:
    """Every evidence destination of the environment (cached on the view)."""
    cached = ctx.template.cache.get("evidence.destinations")
    if cached is not None:
        return cached
    found: List[Destination] = []
    problems: List[Violation] = []
    external: List[str] = []
    for trail in ctx.template.of_type("AWS::CloudTrail::Trail"):
        found.append(Destination(trail, "S3BucketName", BUCKET, trail.prop("S3BucketName")))
        found.append(Destination(trail, "CloudWatchLogsLogGroupArn", LOG_GROUP, trail.prop("CloudWatchLogsLogGroupArn")))
    for logging in configurations(ctx):
        found.append(Destination(logging, "LoggingConfig.S3Config.BucketName", BUCKET,
                                 logging.prop("LoggingConfig", "S3Config", "BucketName")))
        found.append(Destination(logging, "LoggingConfig.CloudWatchConfig.LargeDataDeliveryS3Config.BucketName", BUCKET,
                                 logging.prop("LoggingConfig", "CloudWatchConfig", "LargeDataDeliveryS3Config", "BucketName")))
        found.append(Destination(logging, "LoggingConfig.CloudWatchConfig.LogGroupName", LOG_GROUP,
                                 logging.prop("LoggingConfig", "CloudWatchConfig", "LogGroupName")))
    for custom, _ in sdk_calls(ctx):
        problems.append(Violation(custom.logical_id, "the destinations of this PutModelInvocationLoggingConfiguration "
                                  "call cannot be read from its JSON text, so whether they are write-once cannot be "
                                  "verified; use aisec's ModelInvocationLogging construct, or acknowledge this finding "
                                  "naming the Object Lock bucket or retained log group it writes to", "Unverifiable"))
    for delivery in ctx.template.of_type("AWS::Logs::Delivery"):
        _vended(ctx, delivery, found, problems, external)
    for function in ctx.template.of_type("AWS::Lambda::Function"):
        for variable in EVIDENCE_VARIABLES:
            value = function.prop("Environment", "Variables", variable)
            if value is not MISSING:
                found.append(Destination(function, f"Environment.Variables.{variable}", BUCKET, value))
    result = Destinations([d for d in found if d.value is not MISSING and d.value is not None and d.value != ""],
                          problems, external)
    ctx.template.cache["evidence.destinations"] = result
    return result


def _vended(ctx: Context, delivery: Resource, found: List[Destination], problems: List[Violation],
            external: List[str]) -> None:
    source = _named(ctx, delivery.prop("DeliverySourceName"), "AWS::Logs::DeliverySource", "Name")
    if source is not None and not _ai_source(ctx, source.prop("ResourceArn")):
        return
    arn = delivery.prop("DeliveryDestinationArn")
    destination = ctx.template.target(arn)
    if destination is None or destination.type != "AWS::Logs::DeliveryDestination":
        for possibility in ctx.template.resolve(arn):
            if possibility.known and isinstance(possibility.raw, str):
                external.append(f"{delivery.logical_id}.DeliveryDestinationArn: delivery destination "
                                f"{possibility.raw}{possibility.note()} (outside the system)")
            else:
                problems.append(Violation(delivery.logical_id, "DeliveryDestinationArn cannot be identified at synth "
                                          f"time{possibility.note()}, so whether the vended AI logs it receives are "
                                          "kept write-once cannot be verified; name a delivery destination of this "
                                          "environment, or acknowledge this finding naming the archive", "Unverifiable"))
        return
    kind = destination.prop("DeliveryDestinationType")
    arn = destination.prop("DestinationResourceArn")
    if kind == "XRAY" or (kind is MISSING and arn is MISSING):
        return
    if kind == "FH":
        problems.append(Violation(destination.logical_id, "the vended AI logs of this delivery destination go to a "
                                  "Firehose stream, whose final store cannot be judged write-once here; deliver them "
                                  "to an Object Lock bucket or a retained log group, or acknowledge naming the archive",
                                  "Unverifiable"))
        return
    rtype = BUCKET if kind == "S3" or _BUCKET_ARN.match(ctx.template.text(arn) or "") or any(
        r.type == BUCKET for r in ctx.template.references(arn)) else LOG_GROUP
    found.append(Destination(destination, "DestinationResourceArn", rtype, arn))


def _named(ctx: Context, value: Any, rtype: str, name_property: str) -> Optional[Resource]:
    target = ctx.template.target(value)
    if target is not None:
        return target if target.type == rtype else None
    for resource in ctx.template.of_type(rtype):
        if any(v.known and v.raw == value for v in ctx.template.resolve(resource.prop(name_property))):
            return resource
    return None


def _ai_source(ctx: Context, arn: Any) -> bool:
    """True when a delivery source's resource is a Bedrock or AgentCore resource, or cannot be read."""
    referenced = ctx.template.references(arn)
    if referenced:
        return any(r.type.startswith(_AI_PREFIXES) for r in referenced)
    for possibility in ctx.template.resolve(arn):
        text = possibility.raw if possibility.known else ctx.template.text(possibility.raw)
        if not isinstance(text, str) or text.startswith("${"):
            return True  # an import or a parameter without default: cannot tell, so it is judged
        if _AI_ARN.match(text.replace("${AWS::Partition}", "aws")):
            return True
    return False


def locate(ctx: Context, destination: Destination) -> List[Located]:
    """Each possibility of a destination: the bucket or log group of the environment, an external name,
    or why it cannot be identified."""
    wanted = destination.rtype
    target = ctx.template.target(destination.value)
    if target is not None:
        if target.type == wanted:
            return [Located(resource=target)]
        return [Located(problem=f"refers to {target.logical_id} ({target.type}), not an {wanted}")]
    referenced = [r for r in ctx.template.references(destination.value) if r.type == wanted]
    if len(referenced) == 1:
        return [Located(resource=referenced[0])]
    text = ctx.template.text(destination.value)
    if text is not None and "${" in text:  # a name built from pseudo parameters: the same text names the same bucket
        named = [r for r in ctx.template.of_type(wanted) if ctx.template.text(r.prop(_NAME_PROPERTY[wanted])) == _name(text, wanted)]
        if len(named) == 1:
            return [Located(resource=named[0])]
    found: List[Located] = []
    for possibility in ctx.template.resolve(destination.value):
        if not (possibility.known and isinstance(possibility.raw, str)):
            found.append(Located(problem=f"the {_KIND[wanted]} cannot be identified at synth time{possibility.note()}"))
            continue
        name = _name(possibility.raw, wanted)
        match = _by_name(ctx, wanted, name)
        found.append(Located(resource=match) if match is not None else
                     Located(external=f"{_KIND[wanted]} {name}{possibility.note()}"))
    return found


def _name(text: str, rtype: str) -> str:
    match = (_BUCKET_ARN if rtype == BUCKET else _LOG_GROUP_ARN).match(text)
    return match.group(1) if match else text


def _by_name(ctx: Context, rtype: str, name: str) -> Optional[Resource]:
    for resource in ctx.template.of_type(rtype):
        if any(v.known and v.raw == name for v in ctx.template.resolve(resource.prop(_NAME_PROPERTY[rtype]))):
            return resource
    return None


def check(ctx: Context) -> Iterator[Violation]:
    days = ctx.policy.evidence_retention_days
    every = destinations(ctx)
    yield from every.problems
    receives: Dict[str, List[str]] = {}
    judged: Dict[str, Resource] = {}
    for destination in every.found:
        for located in locate(ctx, destination):
            if located.problem:
                yield Violation(destination.holder.logical_id,
                                f"{destination.where} {located.problem}, so whether the evidence it receives is "
                                "write-once cannot be verified; name a bucket or log group of this environment, or "
                                "acknowledge this finding naming the archive", "Unverifiable")
            elif located.resource is not None:
                judged[located.resource.logical_id] = located.resource
                receives.setdefault(located.resource.logical_id, []).append(
                    f"{destination.holder.logical_id}.{destination.where}")
    for logical_id in sorted(judged):
        resource = judged[logical_id]
        what = f" (it receives audit evidence: {', '.join(dict.fromkeys(receives[logical_id]))})"
        if resource.type == BUCKET:
            yield from _bucket(ctx, resource, days, what)
        else:
            yield from _log_group(ctx, resource, days, what)
    for trail in ctx.template.of_type("AWS::CloudTrail::Trail"):
        yield from expect_value(ctx, trail, ("EnableLogFileValidation",), allowed={True}, default=False,
                                detail="EnableLogFileValidation",
                                why=" (digest files prove that the trail's log files were not altered or deleted)")


def _bucket(ctx: Context, bucket: Resource, days: int, what: str) -> Iterator[Violation]:
    yield from expect_value(ctx, bucket, ("VersioningConfiguration", "Status"), allowed={"Enabled"}, detail="Versioning",
                            why=f"{what}; Object Lock protects object versions")
    yield from expect_value(ctx, bucket, ("ObjectLockEnabled",), allowed={True}, default=False,
                            detail="ObjectLockEnabled", why=f"{what}; without Object Lock anyone allowed to delete "
                                                            "object versions can erase the evidence")
    for rule in ctx.template.resolve(bucket.prop("ObjectLockConfiguration", "Rule", "DefaultRetention")):
        problem, governance = _retention_problem(ctx, rule.raw if rule.known else rule, days)
        if problem:
            yield Violation(bucket.logical_id, f"ObjectLockConfiguration.Rule.DefaultRetention {problem}{rule.note()}"
                                               f"{what}; set Mode COMPLIANCE with Days of at least {days} "
                                               "(evidence_retention_days of the policy)", "DefaultRetention")
        if governance:
            yield Violation(bucket.logical_id, f"ObjectLockConfiguration.Rule.DefaultRetention.Mode is GOVERNANCE"
                                               f"{rule.note()}{what}: a principal allowed s3:BypassGovernanceRetention "
                                               "can shorten the retention or delete locked versions; use COMPLIANCE, "
                                               "or acknowledge this finding as a deliberate opt-out", "GovernanceMode")


def _retention_problem(ctx: Context, retention: Any, days: int) -> Tuple[str, bool]:
    """(why the default retention falls short or "", whether its mode is GOVERNANCE)."""
    if retention is MISSING or retention is None:
        return "is not set: new objects are not locked", False
    if not isinstance(retention, dict):
        return "cannot be verified at synth time", False
    modes = [m.raw for m in ctx.template.resolve(retention.get("Mode", MISSING))]
    governance = "GOVERNANCE" in modes
    if any(m not in ("COMPLIANCE", "GOVERNANCE") for m in modes):
        return f"Mode is {', '.join(str(m) for m in modes if m not in ('COMPLIANCE', 'GOVERNANCE'))}", governance
    periods = []
    for key, factor in (("Days", 1), ("Years", _YEAR_DAYS)):
        for value in ctx.template.resolve(retention.get(key, MISSING)):
            if value.missing:
                continue
            if not value.known or isinstance(value.raw, bool) or not str(value.raw).isdigit():
                return f"{key} cannot be verified at synth time{value.note()}", governance
            periods.append((int(str(value.raw)) * factor, f"{key} {value.raw}{value.note()}"))
    if not periods:
        return "has neither Days nor Years", governance
    short = [text for total, text in periods if total < days]
    if short:
        return f"keeps objects {short[0]}, less than {days} days", governance
    return "", governance


def _log_group(ctx: Context, group: Resource, days: int, what: str) -> Iterator[Violation]:
    for value in ctx.template.resolve(group.prop("RetentionInDays")):
        if value.missing:
            continue  # absent: events never expire
        if not value.known or isinstance(value.raw, bool) or not str(value.raw).isdigit():
            yield Violation(group.logical_id, f"RetentionInDays cannot be verified at synth time{value.note()}{what}; "
                                              f"it must be at least {days}", "RetentionInDays")
        elif int(str(value.raw)) < days:
            yield Violation(group.logical_id, f"RetentionInDays is {value.raw}{value.note()}{what}; it must be at least "
                                              f"{days} (evidence_retention_days of the policy)", "RetentionInDays")


def external_archives(ctx: Context) -> Iterator[str]:
    """The destinations outside the environment, as "<holder>.<property>: <bucket or log group name>": they
    pass as external archives, and the readiness report names them as this rule's evidence."""
    every = destinations(ctx)
    for destination in every.found:
        for located in locate(ctx, destination):
            if located.external:
                yield f"{destination.holder.logical_id}.{destination.where}: {located.external} (outside the system)"
    yield from every.external


RULE = Rule(
    id="AISEC-APP-31",
    title="Tamper-evident audit evidence",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T8",),
    passes="Every destination of audit evidence (trail bucket and log group, model invocation logging bucket and log "
           "group, vended-log delivery destinations of Bedrock and AgentCore resources, the buckets functions name in "
           "`AISEC_PROBE_RESULTS_BUCKET` / `AISEC_EVIDENCE_BUCKET`) is, when the environment declares it, a versioned "
           "bucket with Object Lock and a COMPLIANCE default retention of at least the policy's "
           "`evidence_retention_days` (365 unless set), or a log group retained at least as long; every trail "
           "validates its log files. A destination the environment does not declare passes as an external archive.",
    remediation="Send the evidence to an `aisec_constructs.data.EvidenceArchive` (Object Lock in COMPLIANCE mode, "
                "versioned, KMS, delete-denying bucket policy): `AuditTrail(archive=...)`, "
                "`ModelInvocationLogging(archive=...)`, `ResourceLogDelivery(archive=...)`; keep log groups at least "
                "`evidence_retention_days`; or deliver to the log-archive account's bucket.",
    construct="aisec_constructs.data.EvidenceArchive",
    check=check,
    judges=("AWS::CloudTrail::Trail", INVOCATION_LOGGING_TYPE, "Custom::AWS", "AWS::Logs::Delivery"),
    reads=("AWS::S3::Bucket", "AWS::Logs::LogGroup", "AWS::Logs::DeliverySource", "AWS::Logs::DeliveryDestination",
           "AWS::Lambda::Function", "Custom::*", "AWS::CloudFormation::CustomResource"),
    scope=Scope.ENVIRONMENT,
    evidence=external_archives,
)
