"""AISEC-INF-02: a RAG workload's VPCs reach S3 through an S3 endpoint, not the internet.

Knowledge-base sources, prompt stores and invocation-log buckets are read and written from the
VPC; without an S3 endpoint that traffic needs a NAT path to the public S3 endpoint (the SRA for
generative AI recommends S3 gateway endpoints for exactly these buckets). Each VPC that hosts AI
compute or AI endpoints (see ``_network``) must have an ``AWS::EC2::VPCEndpoint`` whose
``ServiceName`` ends in ``.s3`` and that is either

* ``VpcEndpointType: Gateway`` (the CloudFormation default when absent) with non-empty
  ``RouteTableIds`` (a gateway endpoint without route tables routes nothing), or
* ``VpcEndpointType: Interface`` (S3 over PrivateLink also keeps the traffic private; the
  catalog row names only the gateway type, the interface type is accepted as equivalent).

Separately, an S3 gateway endpoint with no route tables is reported on the endpoint. For compute
in subnets from outside the template, any S3 endpoint in the template counts; with none, the
finding says the endpoint may live in the shared networking stack (acknowledge it with that
reason).
"""
from typing import Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from . import _network as net


def _routes(ctx: Context, endpoint: net.Endpoint) -> bool:
    values = ctx.template.resolve(endpoint.resource.prop("RouteTableIds"))
    return bool(values) and all(not v.known or (v.raw not in ([], None, "") and not v.missing) for v in values)


def _usable(ctx: Context, endpoint: net.Endpoint) -> bool:
    if not endpoint.serves("s3"):
        return False
    if endpoint.kind == "Interface":
        return True
    return endpoint.kind in ("Gateway", "?") and _routes(ctx, endpoint)


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    endpoints = net.endpoints(template)
    vpcs = net.ai_vpcs(template)
    for key in sorted(vpcs, key=lambda k: (k is None, k or "")):
        residents = vpcs[key]
        if any(_usable(ctx, e) for e in endpoints if key is None or e.vpc == key):
            continue
        yield Violation(
            net.anchor(template, key, residents),
            f"{net.describe(key)} hosts AI resources but has no S3 endpoint; expected a VPCEndpoint for "
            "com.amazonaws.<region>.s3 (Gateway with RouteTableIds, or Interface) so that knowledge-base, prompt "
            f"and log buckets are reached without the internet.{net.outside_note(key)}")
    for endpoint in endpoints:
        if endpoint.serves("s3") and endpoint.kind == "Gateway" and not _routes(ctx, endpoint):
            yield Violation(endpoint.resource.logical_id,
                            "RouteTableIds is empty on the S3 gateway endpoint; must list the route tables of the "
                            "private subnets, otherwise no traffic uses the endpoint")


RULE = Rule(
    id="AISEC-INF-02",
    title="S3 endpoint for AI buckets",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS},
    severity=Severity.MEDIUM,
    risks=("LLM02",),
    passes="Every VPC hosting AI compute has an S3 VPC endpoint: `Gateway` with non-empty `RouteTableIds` "
           "(or `Interface`).",
    remediation="Add an S3 gateway endpoint on the route tables of the private subnets (the `IsolatedNetwork` "
                "construct does); if it lives in a shared networking stack, acknowledge the finding with that reason.",
    construct="aisec_constructs.infrastructure.IsolatedNetwork",
    check=check,
    judges=(net.VPC,),
    reads=net.PLACEMENT,
)
