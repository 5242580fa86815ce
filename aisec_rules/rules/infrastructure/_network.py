"""Shared network facts for the infrastructure rules: which VPCs host AI compute or AI endpoints,
which VPC endpoints exist, and where an acknowledgeable finding about a VPC attaches.

A VPC is identified by a *key*:

* the logical id of an ``AWS::EC2::VPC`` in the template (``Ref`` or ``Fn::GetAtt`` to it);
* ``"external:<text>"`` for a VPC outside the template whose id the template still names (a
  literal ``vpc-0abc...``, an ``Fn::ImportValue``, a parameter): its text rendering, so that two
  references to the same import or parameter match;
* ``None`` when the template places compute in subnets it does not define (literal subnet ids,
  imported subnets): the VPC cannot be identified.

"AI compute in a VPC" is what the catalog calls in-VPC callers: Lambda functions with
``VpcConfig.SubnetIds``, AgentCore runtimes, code interpreters and browsers in ``VPC`` network
mode, SageMaker notebook instances with a ``SubnetId``, SageMaker models with ``VpcConfig`` and
SageMaker domains (``VpcId``). "AI endpoints" are interface endpoints of Bedrock, AgentCore and
SageMaker services. Everything is computed once per template (``template.cache``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from ...aws import AGENTCORE, AGENTCORE_GATEWAY, BEDROCK_AGENT_RUNTIME, BEDROCK_RUNTIME  # noqa: F401 (read as net.X)
from ...read.template import MISSING, Resource, Template, is_true

VPC = "AWS::EC2::VPC"
SUBNET = "AWS::EC2::Subnet"
ENDPOINT = "AWS::EC2::VPCEndpoint"
#: what :func:`compute` and :func:`endpoints` read to find the VPCs that host AI resources
PLACEMENT = ("AWS::Lambda::Function", "AWS::BedrockAgentCore::Runtime", "AWS::BedrockAgentCore::CodeInterpreterCustom",
             "AWS::BedrockAgentCore::BrowserCustom", "AWS::SageMaker::NotebookInstance", "AWS::SageMaker::Model",
             "AWS::SageMaker::Domain", SUBNET, ENDPOINT)


_AI_SERVICE = re.compile(r"^(bedrock|sagemaker)", re.IGNORECASE)
_SERVICE = re.compile(r"^(?:com\.amazonaws|aws\.sagemaker|aws\.api)\.(?:\$\{[^}]+\}|[a-z0-9-]+)\.(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Endpoint:
    resource: Resource
    service: Optional[str]  # the suffix after the Region ("bedrock-runtime", "s3"); None if unknown
    kind: str  # "Interface", "Gateway", ... ("Gateway" when absent: the CloudFormation default); "?" if unknown
    vpc: Optional[str]

    @property
    def is_ai(self) -> bool:
        return bool(self.service and _AI_SERVICE.match(self.service))

    def serves(self, suffix: str) -> bool:
        """True for the service itself and its FIPS variant (``bedrock-runtime-fips``)."""
        return self.service is not None and self.service.lower() in (suffix, f"{suffix}-fips")


@dataclass(frozen=True)
class Compute:
    resource: Resource
    vpcs: Tuple[Optional[str], ...]  # one key per subnet / VPC reference; None = unknown VPC


def vpc_key(template: Template, value: Any) -> Optional[str]:
    """The key of the VPC a ``VpcId`` value names (see the module docstring)."""
    if value is MISSING or value is None:
        return None
    target = template.target(value)
    if target is not None:
        if target.type == VPC:
            return target.logical_id
        return None
    text = template.text(value)
    if text:
        return f"external:{text}"
    return None


def subnet_vpc(template: Template, value: Any) -> Optional[str]:
    """The VPC key of a subnet reference: the ``VpcId`` of an ``AWS::EC2::Subnet`` in the template."""
    target = template.target(value)
    if target is not None and target.type == SUBNET:
        return vpc_key(template, target.prop("VpcId"))
    return None


def _subnet_vpcs(template: Template, subnets: Any) -> Tuple[Optional[str], ...]:
    items = subnets if isinstance(subnets, list) else [subnets]
    keys = [subnet_vpc(template, item) for item in items]
    return tuple(sorted(set(keys), key=lambda k: (k is None, k or ""))) if keys else (None,)


def endpoints(template: Template) -> List[Endpoint]:
    cached = template.cache.get("network.endpoints")
    if cached is not None:
        return cached
    found = []
    for resource in template.of_type(ENDPOINT):
        text = template.text(resource.prop("ServiceName")) or ""
        match = _SERVICE.match(text.strip())
        service = match.group(1) if match else None
        kind_values = template.resolve(resource.prop("VpcEndpointType"))
        kind = "?"
        if len(kind_values) == 1 and kind_values[0].known:
            raw = kind_values[0].raw
            kind = "Gateway" if raw is MISSING or raw is None else (raw if isinstance(raw, str) else "?")
        found.append(Endpoint(resource, service, kind, vpc_key(template, resource.prop("VpcId"))))
    template.cache["network.endpoints"] = found
    return found


def private_dns(template: Template, endpoint: Endpoint) -> bool:
    """True when every possible value of ``PrivateDnsEnabled`` is true."""
    values = template.resolve(endpoint.resource.prop("PrivateDnsEnabled"))
    return bool(values) and all(v.known and is_true(v.raw) for v in values)


def compute(template: Template) -> List[Compute]:
    """AI compute placed in a VPC, sorted by logical id."""
    cached = template.cache.get("network.compute")
    if cached is not None:
        return cached
    found: List[Compute] = []
    for fn in template.of_type("AWS::Lambda::Function"):
        subnets = fn.prop("VpcConfig", "SubnetIds")
        if _non_empty(subnets):
            found.append(Compute(fn, _subnet_vpcs(template, subnets)))
    for runtime in template.of_type("AWS::BedrockAgentCore::Runtime"):
        subnets = runtime.prop("NetworkConfiguration", "NetworkModeConfig", "Subnets")
        if _non_empty(subnets):
            found.append(Compute(runtime, _subnet_vpcs(template, subnets)))
    for tool in template.of_type("AWS::BedrockAgentCore::CodeInterpreterCustom", "AWS::BedrockAgentCore::BrowserCustom"):
        subnets = tool.prop("NetworkConfiguration", "VpcConfig", "Subnets")
        if _non_empty(subnets):
            found.append(Compute(tool, _subnet_vpcs(template, subnets)))
    for notebook in template.of_type("AWS::SageMaker::NotebookInstance"):
        subnet = notebook.prop("SubnetId")
        if _non_empty(subnet):
            found.append(Compute(notebook, (subnet_vpc(template, subnet),)))
    for model in template.of_type("AWS::SageMaker::Model"):
        subnets = model.prop("VpcConfig", "Subnets")
        if _non_empty(subnets):
            found.append(Compute(model, _subnet_vpcs(template, subnets)))
    for domain in template.of_type("AWS::SageMaker::Domain"):
        vpc = domain.prop("VpcId")
        if _non_empty(vpc):
            found.append(Compute(domain, (vpc_key(template, vpc),)))
    found.sort(key=lambda c: c.resource.logical_id)
    template.cache["network.compute"] = found
    return found


def ai_vpcs(template: Template) -> Dict[Optional[str], List[str]]:
    """VPC key -> logical ids of the AI compute and AI endpoints in it (sorted). The key None
    collects compute whose VPC the template cannot identify."""
    cached = template.cache.get("network.ai_vpcs")
    if cached is not None:
        return cached
    hosted: Dict[Optional[str], set] = {}
    for item in compute(template):
        for key in item.vpcs:
            hosted.setdefault(key, set()).add(item.resource.logical_id)
    for endpoint in endpoints(template):
        if endpoint.is_ai and endpoint.kind == "Interface":
            hosted.setdefault(endpoint.vpc, set()).add(endpoint.resource.logical_id)
    result = {key: sorted(ids) for key, ids in hosted.items()}
    template.cache["network.ai_vpcs"] = result
    return result


def anchor(template: Template, key: Optional[str], residents: List[str]) -> str:
    """Where a finding about a VPC attaches: the VPC itself when it is in the template, else the
    first AI resource in it."""
    if key is not None and template.get(key) is not None:
        return key
    return residents[0]


def describe(key: Optional[str]) -> str:
    if key is None:
        return "a VPC this template does not define (its subnets come from outside the template)"
    if key.startswith("external:"):
        return f"VPC {key[len('external:'):]} (defined outside this template)"
    return f"VPC {key}"


def outside_note(key: Optional[str]) -> str:
    """The sentence that tells users how to handle a control that lives outside the system judged."""
    if key is not None and not key.startswith("external:"):
        return ""
    return (" The VPC is managed outside the stacks judged here: if the control is in place there (for example "
            "in a shared networking stack of another app), acknowledge this finding with that reason.")


def _non_empty(value: Any) -> bool:
    return not (value is MISSING or value is None or value == [] or value == "")


# -- public subnets (AISEC-INF-04, issue 22) --------------------------------------------------------------------------

ROUTE = "AWS::EC2::Route"
ASSOCIATION = "AWS::EC2::SubnetRouteTableAssociation"
INTERNET_GATEWAY = "AWS::EC2::InternetGateway"
#: what :func:`subnet_exposure` reads
ROUTING = (SUBNET, ROUTE, ASSOCIATION, INTERNET_GATEWAY)


def _internet_route_tables(template: Template) -> Dict[str, str]:
    """Route table logical id -> the route that sends traffic to an internet gateway (cached). A route's
    ``GatewayId`` counts when it refers to an ``AWS::EC2::InternetGateway`` of the template or is a literal
    ``igw-`` id; a ``GatewayId`` the template cannot show (a parameter, an import) counts too, since nothing
    shows it is not one."""
    cached = template.cache.get("network.internet_route_tables")
    if cached is not None:
        return cached
    found: Dict[str, str] = {}
    for route in template.of_type(ROUTE):
        table = template.target(route.prop("RouteTableId"))
        gateway = route.prop("GatewayId")
        if table is None or gateway is MISSING or gateway is None:
            continue
        target = template.target(gateway)
        text = template.text(gateway) or ""
        if (target is not None and target.type == INTERNET_GATEWAY) or text.startswith("igw-") or (
                target is None and text.startswith("${")):
            found.setdefault(table.logical_id, route.logical_id)
    template.cache["network.internet_route_tables"] = found
    return found


def _associations(template: Template) -> Dict[str, List[str]]:
    """Subnet logical id -> the route tables associated with it (cached)."""
    cached = template.cache.get("network.subnet_route_tables")
    if cached is not None:
        return cached
    found: Dict[str, List[str]] = {}
    for association in template.of_type(ASSOCIATION):
        subnet = template.target(association.prop("SubnetId"))
        table = template.target(association.prop("RouteTableId"))
        if subnet is not None and table is not None:
            found.setdefault(subnet.logical_id, []).append(table.logical_id)
    template.cache["network.subnet_route_tables"] = found
    return found


def subnet_exposure(template: Template, value: Any) -> Tuple[str, str]:
    """Whether a subnet reference places compute on the internet: ``("private", "")``, ``("public", why)`` or
    ``("unknown", why)``. Public: the subnet sets ``MapPublicIpOnLaunch`` (any possible value true), or a route
    table associated with it routes to an internet gateway. Unknown: the subnet is not an ``AWS::EC2::Subnet`` of
    the template (a literal id, an import, a parameter), or its ``MapPublicIpOnLaunch`` cannot be resolved. A
    subnet without an explicit association uses the VPC's main route table, which CloudFormation creates with the
    local route only: private."""
    subnet = template.target(value)
    shown = template.text(value) or "(an intrinsic)"
    if subnet is None or subnet.type != SUBNET:
        return "unknown", f"subnet {shown} is not defined in the stacks judged here"
    for option in template.resolve(subnet.prop("MapPublicIpOnLaunch")):
        if not option.known:
            return "unknown", f"MapPublicIpOnLaunch of subnet {subnet.logical_id} cannot be verified at synth time"
        if is_true(option.raw):
            return "public", f"subnet {subnet.logical_id} sets MapPublicIpOnLaunch{option.note()}"
    routes = _internet_route_tables(template)
    for table in _associations(template).get(subnet.logical_id, []):
        if table in routes:
            return "public", (f"subnet {subnet.logical_id} routes to an internet gateway (route {routes[table]} of "
                              f"route table {table})")
    return "private", ""
