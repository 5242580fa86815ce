"""AISEC-APP-21: knowledge bases and AgentCore resources deliver their logs, and agent traces are searchable.

To reconstruct prompt -> retrieval -> tool call -> action, each knowledge base and each AgentCore
runtime, gateway and memory must send its vended logs somewhere, and the spans AgentCore emits
must be indexed (CloudWatch Transaction Search).

* Each ``AWS::Bedrock::KnowledgeBase``, ``AWS::BedrockAgentCore::Runtime``, ``Gateway`` and
  ``Memory`` needs an ``AWS::Logs::DeliverySource`` whose ``ResourceArn`` (or ``ResourceArns``)
  references it (``Ref``/``Fn::GetAtt``/``Fn::Sub``) with ``LogType`` ``APPLICATION_LOGS`` (the
  value the CloudWatch Logs API documents for Amazon Bedrock and that the AgentCore observability
  API lists; ``LogType`` absent or not resolvable at synth time is accepted, since the schema makes
  it optional when the resource has one log type), and an ``AWS::Logs::Delivery`` whose
  ``DeliverySourceName`` names that source (``Ref`` to it, or a literal equal to its ``Name``).
  A ``TRACES`` or ``USAGE_LOGS`` source alone does not count: those are not the application log.
  One finding per resource, without detail. Classic Bedrock agents have no vended logs (their
  audit is model invocation logging and CloudTrail, AISEC-APP-18/20) and are not judged.
* A template with AgentCore runtimes, gateways or memories needs an
  ``AWS::XRay::TransactionSearchConfig`` (the one-time account setup AgentCore observability
  requires). It is an account singleton, usually enabled once by a platform stack: the finding is
  workload-level with detail ``TransactionSearch`` (so it never collides with a resource finding on
  the same anchor) and says how to acknowledge it.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Severity, Violation
from ...read.template import Resource, as_list

OBSERVED = ("AWS::Bedrock::KnowledgeBase", "AWS::BedrockAgentCore::Gateway", "AWS::BedrockAgentCore::Memory",
            "AWS::BedrockAgentCore::Runtime")
AGENTCORE = OBSERVED[1:]
APPLICATION_LOGS = "APPLICATION_LOGS"


def _is_application_log_source(ctx: Context, source: Resource) -> bool:
    for value in ctx.template.resolve(source.prop("LogType")):
        if not value.known or value.missing or value.raw == APPLICATION_LOGS:
            return True
    return False


def _delivered_sources(ctx: Context) -> Set[str]:
    """Logical ids of delivery sources that some AWS::Logs::Delivery names."""
    by_name: Dict[str, str] = {}
    for source in ctx.template.of_type("AWS::Logs::DeliverySource"):
        name = source.prop("Name")
        if isinstance(name, str):
            by_name[name] = source.logical_id
    delivered: Set[str] = set()
    for delivery in ctx.template.of_type("AWS::Logs::Delivery"):
        raw = delivery.prop("DeliverySourceName")
        target = ctx.template.target(raw)
        if target is not None and target.type == "AWS::Logs::DeliverySource":
            delivered.add(target.logical_id)
        elif isinstance(raw, str) and raw in by_name:
            delivered.add(by_name[raw])
    return delivered


def check(ctx: Context) -> Iterator[Violation]:
    resources: List[Resource] = ctx.template.of_type(*OBSERVED)
    if not resources:
        return
    delivered = _delivered_sources(ctx)
    sourced: Dict[str, List[str]] = {}  # observed resource id -> application-log delivery sources
    for source in ctx.template.of_type("AWS::Logs::DeliverySource"):
        if not _is_application_log_source(ctx, source):
            continue
        arns = [source.prop("ResourceArn")] + as_list(source.prop("ResourceArns"))
        for target in ctx.template.references(arns):
            sourced.setdefault(target.logical_id, []).append(source.logical_id)
    for resource in resources:
        kind = resource.type.split("::")[-1]
        sources = sourced.get(resource.logical_id, [])
        if not sources:
            yield Violation(resource.logical_id,
                            f"{kind} {resource.logical_id} has no AWS::Logs::DeliverySource with LogType {APPLICATION_LOGS} "
                            "whose ResourceArn references it; deliver its logs to an encrypted log group "
                            "(aisec_constructs.detection.ResourceLogDelivery)")
        elif not any(s in delivered for s in sources):
            yield Violation(resource.logical_id,
                            f"the delivery source {', '.join(sorted(sources))} of {kind} {resource.logical_id} has no "
                            "AWS::Logs::Delivery (DeliverySourceName) to a destination, so no log is delivered")
    if any(r.type in AGENTCORE for r in resources) and not ctx.template.of_type("AWS::XRay::TransactionSearchConfig"):
        yield Violation(None,
                        "the template has AgentCore resources but no AWS::XRay::TransactionSearchConfig, so agent spans are "
                        "not searchable; enable CloudWatch Transaction Search (aisec_constructs.detection.AgentObservability). "
                        "If it is enabled for the account elsewhere, acknowledge AISEC-APP-21[TransactionSearch] naming "
                        "that stack", "TransactionSearch")


RULE = Rule(
    id="AISEC-APP-21",
    prowler_aisf=("AISF-AGENT-03: logs and traces of knowledge bases and AgentCore",),
    aiml_assessment=("AC-04: log delivery and X-Ray transaction search", "FS-08: AgentCore observability"),
    title="Knowledge base and agent observability",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T8",),
    passes="Every knowledge base and AgentCore runtime, gateway and memory has an `AWS::Logs::DeliverySource` "
           "(`APPLICATION_LOGS`) with an `AWS::Logs::Delivery`; templates with AgentCore resources enable "
           "`AWS::XRay::TransactionSearchConfig`.",
    remediation="Deliver the resources' vended logs to an encrypted log group and enable CloudWatch Transaction Search "
                "(CDK: `aisec_constructs.detection.ResourceLogDelivery` and `AgentObservability`), or acknowledge the "
                "transaction-search finding naming the stack that enables it for the account.",
    construct="aisec_constructs.detection.ResourceLogDelivery, AgentObservability",
    check=check,
    judges=OBSERVED,
    reads=("AWS::Logs::DeliverySource", "AWS::Logs::Delivery", "AWS::XRay::TransactionSearchConfig"),
    scope=Scope.ENVIRONMENT,
)
