"""AISEC-INF-12: every VPC that hosts AI compute or AI endpoints records all its traffic in flow
logs.

Which VPCs: see ``_network`` (VPCs of in-VPC Lambda functions, AgentCore runtimes / tools,
SageMaker notebooks / models / domains, and of Bedrock / AgentCore / SageMaker interface
endpoints). Each needs an ``AWS::EC2::FlowLog`` with ``ResourceType: VPC``, ``ResourceId`` naming
that VPC (a ``Ref`` to the ``AWS::EC2::VPC``, or the same literal / import / parameter for a VPC
outside the template) and ``TrafficType: ALL`` (``ACCEPT`` or ``REJECT`` alone loses half of what
an investigation needs; the schema does not give a default, so an absent value fails). Subnet- or
interface-level flow logs do not count: they miss resources added later.

For compute in subnets from outside the template, the VPC cannot be identified: a VPC flow log on
an external VPC in the template counts; otherwise the finding says the flow logs cannot be
verified here, and acknowledging it with the reason (the networking stack logs the VPC) is the
way out. The log destination's encryption and retention are data-layer controls.
"""
from typing import Dict, Iterator, Optional, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from . import _network as net


def _logged(ctx: Context) -> Dict[Optional[str], Set[str]]:
    """VPC key -> traffic types of its VPC-level flow logs ("?" when unknown)."""
    result: Dict[Optional[str], Set[str]] = {}
    for log in ctx.template.of_type("AWS::EC2::FlowLog"):
        kinds = [v.raw for v in ctx.template.resolve(log.prop("ResourceType")) if v.known]
        if not any(isinstance(k, str) and k.upper() == "VPC" for k in kinds):
            continue
        key = net.vpc_key(ctx.template, log.prop("ResourceId"))
        for value in ctx.template.resolve(log.prop("TrafficType")):
            traffic = "?" if not value.known else ("not set" if value.missing else str(value.raw).upper())
            result.setdefault(key, set()).add(traffic)
    return result


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    logged = _logged(ctx)
    vpcs = net.ai_vpcs(template)
    for key in sorted(vpcs, key=lambda k: (k is None, k or "")):
        residents = vpcs[key]
        if key is None:
            if any(k is not None and k.startswith("external:") and "ALL" in t for k, t in logged.items()):
                continue
            for resident in residents:
                yield Violation(resident,
                                f"{resident} runs in {net.describe(None)}; the template has no VPC flow log for it, so "
                                f"flow logging cannot be verified.{net.outside_note(None)}")
            continue
        traffic = logged.get(key, set())
        if "ALL" in traffic:
            continue
        partial = ""
        if "?" in traffic:
            partial = " (the TrafficType of its flow log cannot be verified at synth time)"
        elif traffic:
            partial = f" (its flow logs record only {', '.join(sorted(traffic))})"
        yield Violation(net.anchor(template, key, residents),
                        f"{net.describe(key)} hosts AI resources ({', '.join(residents[:3])}) but has no AWS::EC2::FlowLog "
                        f"with ResourceType VPC and TrafficType ALL{partial}.{net.outside_note(key)}")


RULE = Rule(
    id="AISEC-INF-12",
    prowler_aisf=("AISF-INFRA-08: VPC flow logs",),
    title="VPC flow logs",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T8",),
    passes="Every VPC hosting AI compute or AI endpoints has an `AWS::EC2::FlowLog` with `ResourceType: VPC` and "
           "`TrafficType: ALL`.",
    remediation="Add a VPC flow log of all traffic to an encrypted log group with retention (the `IsolatedNetwork` "
                "construct does); if the VPC is logged by a shared networking stack, acknowledge the finding with "
                "that reason.",
    construct="aisec_constructs.infrastructure.IsolatedNetwork",
    check=check,
    judges=(net.VPC,),
    reads=(*net.PLACEMENT, "AWS::EC2::FlowLog"),
)
