"""Network configuration blocks that put AgentCore runtimes, code interpreters, browsers and
gateway targets into an :class:`IsolatedNetwork`.

Each helper returns the L1 property object of ``aws_cdk.aws_bedrockagentcore`` for ``VPC`` network
mode with the network's workload subnets and a security group (the network's
``workload_security_group``, no ingress and HTTPS egress only, unless ``security_groups`` is given).
They satisfy AISEC-INF-05 (runtime), AISEC-INF-06 (code interpreter), AISEC-INF-07 (browser) and
the private-endpoint half of AISEC-INF-08 (gateway target). Network configurations of code
interpreters and browsers are create-only: choose them before the first deploy.
"""
from __future__ import annotations

from typing import List, Optional, Sequence

from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk import aws_ec2 as ec2

from .network import IsolatedNetwork


def _groups(network: IsolatedNetwork, security_groups: Optional[Sequence[ec2.ISecurityGroup]]) -> List[str]:
    groups = list(security_groups) if security_groups else [network.workload_security_group]
    return [g.security_group_id for g in groups]


def runtime_network_configuration(
    network: IsolatedNetwork, security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
) -> agentcore.CfnRuntime.NetworkConfigurationProperty:
    """``NetworkConfiguration`` of an ``AWS::BedrockAgentCore::Runtime`` in the network."""
    return agentcore.CfnRuntime.NetworkConfigurationProperty(
        network_mode="VPC",
        network_mode_config=agentcore.CfnRuntime.VpcConfigProperty(
            subnets=network.subnet_ids, security_groups=_groups(network, security_groups)))


def code_interpreter_network_configuration(
    network: IsolatedNetwork, security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
) -> agentcore.CfnCodeInterpreterCustom.CodeInterpreterNetworkConfigurationProperty:
    """``NetworkConfiguration`` of an ``AWS::BedrockAgentCore::CodeInterpreterCustom`` in the network."""
    return agentcore.CfnCodeInterpreterCustom.CodeInterpreterNetworkConfigurationProperty(
        network_mode="VPC",
        vpc_config=agentcore.CfnCodeInterpreterCustom.VpcConfigProperty(
            subnets=network.subnet_ids, security_groups=_groups(network, security_groups)))


def browser_network_configuration(
    network: IsolatedNetwork, security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
) -> agentcore.CfnBrowserCustom.BrowserNetworkConfigurationProperty:
    """``NetworkConfiguration`` of an ``AWS::BedrockAgentCore::BrowserCustom`` in the network. A
    browser needs a path to the web: give the network ``allow_internet_egress=True`` (ideally
    through a filtering proxy or Network Firewall), otherwise it only reaches VPC endpoints."""
    return agentcore.CfnBrowserCustom.BrowserNetworkConfigurationProperty(
        network_mode="VPC",
        vpc_config=agentcore.CfnBrowserCustom.VpcConfigProperty(
            subnets=network.subnet_ids, security_groups=_groups(network, security_groups)))


def gateway_target_private_endpoint(
    network: IsolatedNetwork, security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
) -> agentcore.CfnGatewayTarget.PrivateEndpointProperty:
    """``PrivateEndpoint`` of an ``AWS::BedrockAgentCore::GatewayTarget`` whose tool server runs in
    the network (the gateway's managed VPC egress, ``ManagedVpcResource``)."""
    return agentcore.CfnGatewayTarget.PrivateEndpointProperty(
        managed_vpc_resource=agentcore.CfnGatewayTarget.ManagedVpcResourceProperty(
            vpc_identifier=network.vpc.vpc_id, subnet_ids=network.subnet_ids, endpoint_ip_address_type="IPV4",
            security_group_ids=_groups(network, security_groups)))
