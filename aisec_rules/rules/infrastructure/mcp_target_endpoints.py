"""AISEC-INF-08: AgentCore gateway targets reach their tool servers over TLS, and tool servers that
live in a VPC are reached privately, not by exposing them to the internet.

For each ``AWS::BedrockAgentCore::GatewayTarget`` endpoint (``TargetConfiguration.Mcp.McpServer
.Endpoint`` and ``TargetConfiguration.Http.Passthrough.Endpoint``, the two target kinds that name
a URL in the schema):

* ``[Endpoint]``: the URL starts with ``https://``. The schema's pattern says so too, but
  cfn-lint cannot check a URL built with ``Fn::Join`` / ``Fn::Sub`` or taken from a parameter; the
  rule judges the rendered text (``https://${Alb.DNSName}/mcp`` passes) and each parameter default
  or ``Fn::If`` branch. A URL that is only a reference cannot be verified.
* ``[PrivateEndpoint]``: a tool server in the VPC is reached through
  ``PrivateEndpoint.ManagedVpcResource`` or ``PrivateEndpoint.SelfManagedLatticeResource`` (the
  gateway's managed VPC egress). The rule sees a VPC-hosted server when the URL refers to an
  ``AWS::ElasticLoadBalancingV2::LoadBalancer`` in the template, or its host is a private IPv4
  address or ends in ``.internal`` / ``.local``. It fails when such a server has no
  ``PrivateEndpoint``, and when the load balancer is ``internet-facing`` (the schema's default):
  a tool server put on the internet so the gateway can reach it is exactly what the private
  endpoint avoids. Servers hosted by third parties on the internet are outside this check.
"""
import ipaddress
import re
from typing import Any, Iterator, List, Optional

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource

PATHS = (("TargetConfiguration", "Mcp", "McpServer", "Endpoint"),
         ("TargetConfiguration", "Http", "Passthrough", "Endpoint"))
_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)")


def _private_host(text: str) -> bool:
    match = _HOST.match(text)
    if not match or "${" in match.group(1):
        return False
    host = match.group(1).lower()
    if host.endswith((".internal", ".local")):
        return True
    try:
        return ipaddress.ip_address(host).is_private
    except ValueError:
        return False


def _scheme_problems(ctx: Context, raw: Any) -> List[str]:
    """Problems with the URL scheme ([] when every possible value is an https:// URL)."""
    problems = []
    for value in ctx.template.resolve(raw):
        text: Optional[str] = value.raw if value.known and isinstance(value.raw, str) else ctx.template.text(value.raw)
        if text is None or text.startswith("${"):
            problems.append(f"cannot be verified at synth time{value.note()}")
        elif not text.lower().startswith("https://"):
            problems.append(f"is {text}{value.note()}; must start with https://")
    return problems


def _load_balancers(ctx: Context, raw: Any) -> List[Resource]:
    return [r for r in ctx.template.references(raw) if r.type == "AWS::ElasticLoadBalancingV2::LoadBalancer"]


def _has_private_endpoint(target: Resource) -> bool:
    private = target.prop("PrivateEndpoint")
    return isinstance(private, dict) and bool(private.get("ManagedVpcResource") or private.get("SelfManagedLatticeResource"))


def check(ctx: Context) -> Iterator[Violation]:
    for target in ctx.template.of_type("AWS::BedrockAgentCore::GatewayTarget"):
        for path in PATHS:
            raw = target.prop(*path)
            if raw is MISSING:
                continue
            where = ".".join(path)
            problems = _scheme_problems(ctx, raw)
            if problems:
                yield Violation(target.logical_id, f"{where} {'; '.join(dict.fromkeys(problems))} (tool calls and "
                                                   "their results must be encrypted in transit)", "Endpoint")
            exposure = []
            for balancer in _load_balancers(ctx, raw):
                for scheme in ctx.template.resolve(balancer.prop("Scheme")):
                    if scheme.known and (scheme.missing or scheme.raw == "internet-facing"):
                        exposure.append(f"{where} points at load balancer {balancer.logical_id}, which is "
                                        f"internet-facing{scheme.note()}; make it internal and reach it through "
                                        "PrivateEndpoint.ManagedVpcResource")
            private_server = bool(_load_balancers(ctx, raw)) or _private_host(ctx.template.text(raw) or "")
            if not exposure and private_server and not _has_private_endpoint(target):
                exposure.append(f"{where} is a server in a VPC but PrivateEndpoint is not set; use "
                                "PrivateEndpoint.ManagedVpcResource (or SelfManagedLatticeResource)")
            if exposure:
                yield Violation(target.logical_id, "; ".join(dict.fromkeys(exposure)), "PrivateEndpoint")


RULE = Rule(
    id="AISEC-INF-08",
    title="Private, encrypted MCP and HTTP tool targets",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T2", "T12"),
    passes="Gateway target endpoints (`Mcp.McpServer.Endpoint`, `Http.Passthrough.Endpoint`) start with "
           "`https://`; a VPC-hosted tool server is internal and reached through `PrivateEndpoint`.",
    remediation="Serve tools over HTTPS; keep VPC-hosted tool servers on internal load balancers and set the "
                "target's `PrivateEndpoint.ManagedVpcResource` (VPC, subnets, security groups).",
    construct="aisec_constructs.infrastructure.gateway_target_private_endpoint",
    check=check,
    judges=("AWS::BedrockAgentCore::GatewayTarget",),
    reads=("AWS::ElasticLoadBalancingV2::LoadBalancer",),
)
