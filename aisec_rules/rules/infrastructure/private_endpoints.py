"""AISEC-INF-01: every VPC that hosts AI compute reaches Bedrock and AgentCore through private
interface endpoints with private DNS.

Which VPCs: those of the AI compute the template places in a VPC (Lambda ``VpcConfig``, AgentCore
runtimes / code interpreters / browsers in ``VPC`` mode, SageMaker notebooks, models and domains)
and those that already hold a Bedrock / AgentCore / SageMaker interface endpoint. A stack with no
in-VPC AI compute has nothing to check (its callers use the public endpoints, which the
application-layer rules judge). Which endpoints (``ServiceName`` suffix after the Region, the FIPS
variant counts too):

* ``bedrock-runtime`` always (model invocation);
* ``bedrock-agent-runtime`` when the workload connects to data (Retrieve / RetrieveAndGenerate)
  or has a Bedrock agent (InvokeAgent);
* ``bedrock-agentcore`` when the template has AgentCore resources (runtime, memory, tools and
  identity share this one endpoint), ``bedrock-agentcore.gateway`` when it has an AgentCore
  gateway (the AgentCore developer guide, "Use interface VPC endpoints": the data plane endpoint
  is ``com.amazonaws.<region>.bedrock-agentcore`` and gateways use the separate
  ``com.amazonaws.<region>.bedrock-agentcore.gateway``);
* an agent workload (capability *acts*) whose template shows neither a Bedrock agent nor
  AgentCore resources needs ``bedrock-agent-runtime`` and ``bedrock-agentcore``: the rule cannot
  tell which agent service its callers use.

An endpoint counts for a VPC when its ``VpcId`` is that VPC (``Ref`` to the ``AWS::EC2::VPC``,
or the same literal / import / parameter); for compute in subnets from outside the template any
endpoint in the template counts. ``VpcEndpointType`` must be ``Interface`` (CloudFormation's
default is ``Gateway``). Separately, every Bedrock / AgentCore / SageMaker interface endpoint must
set ``PrivateDnsEnabled: true`` (absent means false, the schema's documented default): without private DNS, SDKs keep resolving the
public endpoint and the traffic bypasses the endpoint.

Findings are granular: ``AISEC-INF-01[bedrock-runtime]`` on the VPC (or, for a VPC outside the
template, on its first AI resource) per missing endpoint, and ``AISEC-INF-01[PrivateDnsEnabled]``
on an endpoint. An endpoint that lives in a shared networking stack cannot be seen here: the
finding says so, and acknowledging it with that reason is the documented way out.
"""
from typing import FrozenSet, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from . import _network as net


def needed(ctx: Context, capabilities: FrozenSet[Capability]) -> List[str]:
    """The endpoint suffixes a workload with these capabilities needs, in a stable order."""
    template = ctx.template
    bedrock_agent = bool(template.of_type("AWS::Bedrock::Agent", "AWS::Bedrock::AgentAlias"))
    agentcore = bool(template.of_family("AWS::BedrockAgentCore::"))
    result = [net.BEDROCK_RUNTIME]
    if Capability.CONNECTS in capabilities or (Capability.ACTS in capabilities and bedrock_agent):
        result.append(net.BEDROCK_AGENT_RUNTIME)
    if Capability.ACTS in capabilities:
        if not bedrock_agent and not agentcore:
            result.append(net.BEDROCK_AGENT_RUNTIME)
            result.append(net.AGENTCORE)
        if agentcore:
            result.append(net.AGENTCORE)
        if template.of_type("AWS::BedrockAgentCore::Gateway"):
            result.append(net.AGENTCORE_GATEWAY)
    return list(dict.fromkeys(result))


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    endpoints = net.endpoints(template)
    vpcs = net.ai_vpcs(template)
    for key in sorted(vpcs, key=lambda k: (k is None, k or "")):
        residents = vpcs[key]
        services = needed(ctx, ctx.capabilities_of(net.anchor(template, key, residents)))
        candidates = [e for e in endpoints if e.kind in ("Interface", "?") and (key is None or e.vpc == key)]
        for suffix in services:
            if any(e.serves(suffix) for e in candidates):
                continue
            shown = ", ".join(residents[:3]) + (", ..." if len(residents) > 3 else "")
            yield Violation(
                net.anchor(template, key, residents),
                f"{net.describe(key)} hosts AI resources ({shown}) but the template has no interface endpoint "
                f"com.amazonaws.<region>.{suffix} in it; expected a VPCEndpoint with VpcEndpointType Interface and "
                f"PrivateDnsEnabled true so that {suffix} calls stay on the AWS network.{net.outside_note(key)}",
                suffix)
    for endpoint in endpoints:
        if endpoint.is_ai and endpoint.kind == "Interface" and not net.private_dns(template, endpoint):
            values = template.resolve(endpoint.resource.prop("PrivateDnsEnabled"))
            origin = next((v.note() for v in values if v.origin), "")
            yield Violation(
                endpoint.resource.logical_id,
                f"PrivateDnsEnabled is not true{origin} on the {endpoint.service} interface endpoint; must be true, "
                "otherwise SDK calls resolve the public endpoint and bypass this one",
                "PrivateDnsEnabled")


RULE = Rule(
    id="AISEC-INF-01",
    prowler_aisf=("AISF-INFRA-01",),
    aiml_assessment=("BR-02", "AC-08"),
    title="Private Bedrock and AgentCore endpoints",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM02", "T2"),
    passes="Every VPC hosting AI compute has `Interface` VPC endpoints with `PrivateDnsEnabled: true` for "
           "`bedrock-runtime` (all), `bedrock-agent-runtime` (RAG, Bedrock agents), `bedrock-agentcore` and "
           "`bedrock-agentcore.gateway` (AgentCore resources, gateways).",
    remediation="Create the interface endpoints with private DNS in the VPC (the `IsolatedNetwork` construct "
                "adds the ones the workload's capabilities need); if they live in a shared networking stack, "
                "acknowledge the finding with that reason.",
    construct="aisec_constructs.infrastructure.IsolatedNetwork",
    check=check,
    judges=("AWS::EC2::VPC",),
    reads=(*net.PLACEMENT, "AWS::Bedrock::Agent", "AWS::Bedrock::AgentAlias", "AWS::BedrockAgentCore::*"),
    services={Service.BEDROCK},
)
