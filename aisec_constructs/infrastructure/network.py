"""IsolatedNetwork: a VPC where AI workloads reach AWS only through private endpoints, and every
flow is logged.

What it guarantees by default:

* **No internet path.** Workload subnets are ``PRIVATE_ISOLATED``: no internet gateway route, no
  NAT. The only ways out are the VPC endpoints below (AISEC-INF-01, -02).
* **Private endpoints for what the workload does** (``capabilities``): interface endpoints with
  private DNS for ``bedrock-runtime`` (always), ``bedrock-agent-runtime`` (connects to data,
  acts), ``bedrock-agent``, ``bedrock-agentcore`` and ``bedrock-agentcore.gateway`` (acts), the
  support services (``kms``, ``logs``, ``sts``, ``secretsmanager`` by default;
  ``ecr.api`` / ``ecr.dkr`` with ``container_images=True``), and gateway endpoints for S3
  (always) and DynamoDB (``dynamodb=True``). With ``container_images``, the S3 endpoint policy
  also lets anyone read ECR's layer bucket (``prod-<region>-starport-layer-bucket``): ECR hands
  out pre-signed URLs signed by its own principal. Service names are the AgentCore and Bedrock guides'
  ``com.amazonaws.<region>.<service>``.
* **Endpoint policies confined to the account** (AISEC-INF-03): every endpoint allows only
  principals of this account (``aws:PrincipalAccount``). The two AgentCore endpoints are the
  exception the AgentCore guide requires: callers with an OAuth bearer token have no IAM
  principal, so their policy is ``Principal: *`` limited to this account's AgentCore ARNs.
* **HTTPS only from inside the VPC**: one security group for all interface endpoints admits TCP
  443 from the VPC CIDR and nothing else; ``workload_security_group`` (for functions, runtimes and
  tools) has no ingress and allows only HTTPS out. The VPC's default security group is stripped
  of its rules.
* **Flow logs of all traffic** (AISEC-INF-12) to a :class:`SecureLogGroup` (KMS key, one-year
  retention by default). The group acknowledges AISEC-DATA-23 (PII masking): flow logs hold
  connection metadata, not prompts, and masking their IP addresses would defeat their purpose.

Choices: two AZs (``max_azs``); one endpoint security group rather than one per endpoint (fewer
rules to audit); the workload security group allows HTTPS to any address because an isolated
subnet routes only to the VPC and the S3/DynamoDB prefix lists (whose ids are Region-specific and
cannot be looked up offline); the route tables, not the security group, are the isolation
boundary. Interface endpoints cost money per AZ and hour: trim ``support_services`` if the
workload does not use them.

An existing VPC (``vpc=``) is accepted: the construct then adds only what is missing. Endpoints
and VPC flow logs that the VPC's own construct tree already holds (a VPC defined in this app)
are detected; for a VPC managed elsewhere, name what it has with ``existing_endpoints`` and
``existing_flow_logs=True``. ``subnets`` selects where endpoints go (default: the isolated
subnets, else the private ones).

Opening the network takes a named flag, recorded as a warning annotation (``aisec:<flag>``), and
the rule pack still reports the weakened control until it is acknowledged:
``allow_internet_egress`` (public subnets and a NAT gateway; workload subnets become
``PRIVATE_WITH_EGRESS``), ``allow_public_subnets`` (public subnets with an internet gateway, for
a public load balancer; workload subnets stay isolated), ``allow_open_endpoint_policies`` (the
default full-access endpoint policy), ``disable_flow_logs``.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Sequence, Union

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from aisec_rules.aws import AGENTCORE, AGENTCORE_GATEWAY, BEDROCK_AGENT, BEDROCK_AGENT_RUNTIME, BEDROCK_RUNTIME
from aisec_rules.model import Capability, with_implied

from ..annotations import record_opt_out
from ..data.keys import EncryptionKey
from ..data.log_groups import SecureLogGroup

DEFAULT_SUPPORT_SERVICES = ("kms", "logs", "sts", "secretsmanager")
CONTAINER_SERVICES = ("ecr.api", "ecr.dkr")
#: Endpoints whose callers may authenticate with an OAuth bearer token (no IAM principal).
BEARER_TOKEN_SERVICES = (AGENTCORE, AGENTCORE_GATEWAY)

_AWS_SERVICES = {
    BEDROCK_RUNTIME: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
    BEDROCK_AGENT_RUNTIME: ec2.InterfaceVpcEndpointAwsService.BEDROCK_AGENT_RUNTIME,
    BEDROCK_AGENT: ec2.InterfaceVpcEndpointAwsService.BEDROCK_AGENT,
    AGENTCORE: ec2.InterfaceVpcEndpointAwsService.BEDROCK_AGENTCORE,
    AGENTCORE_GATEWAY: ec2.InterfaceVpcEndpointAwsService.BEDROCK_AGENTCORE_GATEWAY,
    "kms": ec2.InterfaceVpcEndpointAwsService.KMS,
    "logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    "sts": ec2.InterfaceVpcEndpointAwsService.STS,
    "secretsmanager": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    "ecr.api": ec2.InterfaceVpcEndpointAwsService.ECR,
    "ecr.dkr": ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
}


def ai_services(capabilities: Iterable[Union[Capability, str]]) -> List[str]:
    """The Bedrock / AgentCore interface endpoints a workload with these capabilities needs."""
    caps = with_implied(c if isinstance(c, Capability) else Capability(str(c).lower()) for c in capabilities)
    services = [BEDROCK_RUNTIME]
    if Capability.CONNECTS in caps or Capability.ACTS in caps:
        services.append(BEDROCK_AGENT_RUNTIME)
    if Capability.ACTS in caps:
        services.extend([BEDROCK_AGENT, AGENTCORE, AGENTCORE_GATEWAY])
    return services


class IsolatedNetwork(Construct):
    """A VPC for AI workloads: isolated subnets, private endpoints, account-scoped endpoint
    policies, HTTPS-only security groups and flow logs (see the module docstring)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        capabilities: Iterable[Union[Capability, str]] = (Capability.ANSWERS,),
        vpc: Optional[ec2.IVpc] = None,
        subnets: Optional[ec2.SubnetSelection] = None,
        existing_endpoints: Sequence[str] = (),
        existing_flow_logs: bool = False,
        cidr: str = "10.0.0.0/16",
        max_azs: int = 2,
        support_services: Sequence[str] = DEFAULT_SUPPORT_SERVICES,
        container_images: bool = False,
        additional_services: Sequence[str] = (),
        dynamodb: bool = False,
        flow_log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        flow_log_key: Optional[EncryptionKey] = None,
        allow_internet_egress: bool = False,
        allow_public_subnets: bool = False,
        allow_open_endpoint_policies: bool = False,
        disable_flow_logs: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.capabilities = with_implied(
            c if isinstance(c, Capability) else Capability(str(c).lower()) for c in capabilities)
        self.created_vpc = vpc is None
        if vpc is None:
            self.vpc: ec2.IVpc = self._create_vpc(cidr, max_azs, allow_internet_egress, allow_public_subnets)
        else:
            self.vpc = vpc
            if allow_internet_egress or allow_public_subnets:
                raise ValueError("IsolatedNetwork: allow_internet_egress / allow_public_subnets shape a VPC the "
                                 "construct creates; an existing VPC keeps its own subnets")
        if allow_internet_egress:
            record_opt_out(self, "allow_internet_egress",
                           "workload subnets route to the internet through a NAT gateway in public subnets; "
                           "prompts, data and tool calls can leave the AWS network (AISEC-INF-01 no longer confines them)")
        if allow_public_subnets and not allow_internet_egress:
            record_opt_out(self, "allow_public_subnets",
                           "the VPC has public subnets with an internet gateway route; resources placed there are "
                           "reachable from the internet")
        self.subnet_selection = subnets or self._default_subnets()

        # HTTPS from inside the VPC to the interface endpoints, nothing else.
        self.endpoint_security_group = ec2.SecurityGroup(
            self, "EndpointSecurityGroup", vpc=self.vpc, allow_all_outbound=False,
            description="aisec: VPC interface endpoints accept HTTPS from inside the VPC only")
        vpc_cidr = cidr if self.created_vpc else self.vpc.vpc_cidr_block
        self.endpoint_security_group.add_ingress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443), "HTTPS from inside the VPC")
        if cdk.Token.is_unresolved(vpc_cidr):
            Validations.of(self.endpoint_security_group).acknowledge(Acknowledgment(
                id="AwsSolutions-EC23",
                reason="The only ingress rule admits HTTPS from the VPC's own CIDR block, given as a reference to the "
                       "VPC (Fn::GetAtt CidrBlock) that cdk-nag cannot resolve; it is not open to 0.0.0.0/0."))
        self.workload_security_group = self.add_workload_security_group(
            self, "WorkloadSecurityGroup", "aisec: AI workloads, no ingress, HTTPS egress only")

        present = set(existing_endpoints) | self._endpoints_in_tree()
        self.allow_open_endpoint_policies = allow_open_endpoint_policies
        if allow_open_endpoint_policies:
            record_opt_out(self, "allow_open_endpoint_policies",
                           "endpoints keep the default policy (any principal, any resource): credentials and "
                           "resources of other accounts can be used through them (AISEC-INF-03)")

        self.interface_endpoints: Dict[str, ec2.InterfaceVpcEndpoint] = {}
        services = ai_services(self.capabilities) + list(support_services) + \
            (list(CONTAINER_SERVICES) if container_images else []) + list(additional_services)
        for service in dict.fromkeys(services):
            if service not in present:
                self.add_interface_endpoint(service)

        self.gateway_endpoints: Dict[str, ec2.GatewayVpcEndpoint] = {}
        for service, enabled in (("s3", True), ("dynamodb", dynamodb)):
            if enabled and service not in present:
                self._add_gateway_endpoint(service)
        s3_endpoint = self.gateway_endpoints.get("s3")
        if container_images and s3_endpoint is not None and not allow_open_endpoint_policies:
            # ECR serves image layers from an AWS-owned bucket through pre-signed URLs that ECR signs:
            # the requests carry ECR's principal, not this account's (ECR guide, "Minimum Amazon S3
            # bucket permissions for Amazon ECR").
            stack = cdk.Stack.of(self)
            s3_endpoint.add_to_policy(iam.PolicyStatement(
                principals=[iam.AnyPrincipal()], actions=["s3:GetObject"],
                resources=[f"arn:{stack.partition}:s3:::prod-{stack.region}-starport-layer-bucket/*"]))

        self.flow_log: Optional[ec2.FlowLog] = None
        self.flow_log_group: Optional[SecureLogGroup] = None
        if disable_flow_logs:
            record_opt_out(self, "disable_flow_logs",
                           "no VPC flow logs: network activity of the AI workload cannot be investigated (AISEC-INF-12)")
        elif not existing_flow_logs and not self._flow_log_in_tree():
            self.flow_log_group = SecureLogGroup(self, "FlowLogs", encryption_key=flow_log_key, retention=flow_log_retention,
                                                 mask_pii=False)
            self.flow_log = ec2.FlowLog(
                self, "FlowLog",
                resource_type=ec2.FlowLogResourceType.from_vpc(self.vpc),
                destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group.log_group),
                traffic_type=ec2.FlowLogTrafficType.ALL,
            )
            Validations.of(self.flow_log_group.log_group).acknowledge(Acknowledgment(
                id="AISEC-DATA-23",
                reason="VPC flow logs record connection metadata (addresses, ports, packet and byte counts), never "
                       "prompts or responses; masking the IP addresses would remove what an investigation needs."))

    # -- public API --------------------------------------------------------------------------

    @property
    def subnet_ids(self) -> List[str]:
        """The ids of the workload subnets (for L1 network configurations)."""
        selection = self.subnet_selection
        return self.vpc.select_subnets(
            availability_zones=selection.availability_zones, one_per_az=selection.one_per_az,
            subnet_filters=selection.subnet_filters, subnet_group_name=selection.subnet_group_name,
            subnets=selection.subnets, subnet_type=selection.subnet_type).subnet_ids

    @property
    def workload_security_group_ids(self) -> List[str]:
        return [self.workload_security_group.security_group_id]

    def add_workload_security_group(self, scope: Construct, construct_id: str, description: str) -> ec2.SecurityGroup:
        """A security group for AI compute in this network: no ingress, HTTPS egress only."""
        group = ec2.SecurityGroup(scope, construct_id, vpc=self.vpc, allow_all_outbound=False, description=description)
        group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443),
                              "HTTPS to VPC endpoints (isolated subnets have no other route)")
        return group

    def add_interface_endpoint(self, service: str) -> ec2.InterfaceVpcEndpoint:
        """Add an interface endpoint with private DNS for ``service`` (the name after the Region,
        e.g. ``bedrock-runtime``), in the workload subnets, with the account-scoped policy."""
        if service in self.interface_endpoints:
            return self.interface_endpoints[service]
        aws_service = _AWS_SERVICES.get(service) or ec2.InterfaceVpcEndpointService(
            f"com.amazonaws.{cdk.Aws.REGION}.{service}", 443)
        endpoint = ec2.InterfaceVpcEndpoint(
            self, _construct_name(service), vpc=self.vpc, service=aws_service, private_dns_enabled=True,
            subnets=self.subnet_selection, security_groups=[self.endpoint_security_group], open=False)
        if not self.allow_open_endpoint_policies:
            endpoint.add_to_policy(self._policy_statement(service))
        self.interface_endpoints[service] = endpoint
        return endpoint

    # -- internals ---------------------------------------------------------------------------

    def _create_vpc(self, cidr: str, max_azs: int, egress: bool, public: bool) -> ec2.Vpc:
        workload_type = ec2.SubnetType.PRIVATE_WITH_EGRESS if egress else ec2.SubnetType.PRIVATE_ISOLATED
        subnets = [ec2.SubnetConfiguration(name="Workload", subnet_type=workload_type, cidr_mask=22)]
        if egress or public:
            subnets.insert(0, ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24,
                                                      map_public_ip_on_launch=False))
        return ec2.Vpc(
            self, "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            max_azs=max_azs,
            subnet_configuration=subnets,
            nat_gateways=1 if egress else 0,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            restrict_default_security_group=True,
        )

    def _default_subnets(self) -> ec2.SubnetSelection:
        if self.created_vpc:
            return ec2.SubnetSelection(subnet_group_name="Workload")
        if self.vpc.isolated_subnets:
            return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)

    def _policy_statement(self, service: str) -> iam.PolicyStatement:
        stack = cdk.Stack.of(self)
        if service in BEARER_TOKEN_SERVICES:
            return iam.PolicyStatement(
                principals=[iam.AnyPrincipal()], actions=["bedrock-agentcore:*"],
                resources=[f"arn:{stack.partition}:bedrock-agentcore:{stack.region}:{stack.account}:*"])
        return iam.PolicyStatement(
            principals=[iam.AnyPrincipal()], actions=["*"], resources=["*"],
            conditions={"StringEquals": {"aws:PrincipalAccount": stack.account}})

    def _add_gateway_endpoint(self, service: str) -> None:
        aws_service = ec2.GatewayVpcEndpointAwsService.S3 if service == "s3" else ec2.GatewayVpcEndpointAwsService.DYNAMODB
        endpoint = ec2.GatewayVpcEndpoint(self, _construct_name(service), vpc=self.vpc, service=aws_service,
                                          subnets=[self.subnet_selection])
        if not self.allow_open_endpoint_policies:
            endpoint.add_to_policy(self._policy_statement(service))
        self.gateway_endpoints[service] = endpoint

    def _endpoints_in_tree(self) -> set:
        """Services of the endpoints already defined under the VPC's construct (a VPC of this app)."""
        found = set()
        for child in self.vpc.node.find_all():
            if isinstance(child, ec2.CfnVPCEndpoint) and isinstance(child.service_name, str):
                name = re.sub(r"\$\{Token\[[^\]]+\]\}$", "", child.service_name)  # CDK's optional suffix token
                for service in list(_AWS_SERVICES) + ["s3", "dynamodb"]:
                    if name.endswith(f".{service}"):
                        found.add(service)
        return found

    def _flow_log_in_tree(self) -> bool:
        vpc_id = self.vpc.vpc_id
        stack_children = cdk.Stack.of(self.vpc).node.find_all() if self.created_vpc is False else []
        return any(isinstance(c, ec2.CfnFlowLog) and c.resource_type == "VPC" and c.resource_id == vpc_id
                   and c.traffic_type == "ALL" for c in list(self.vpc.node.find_all()) + list(stack_children))


def _construct_name(service: str) -> str:
    return "".join(part.capitalize() for part in service.replace(".", "-").split("-")) + "Endpoint"
