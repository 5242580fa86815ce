"""Building blocks shared by the application constructs: VPC placement, AgentCore service roles with a
mirrored permissions boundary, resource names, and cdk-nag acknowledgements of unavoidable wildcards."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence, cast

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from ..annotations import record_opt_out

AGENTCORE = "bedrock-agentcore.amazonaws.com"


@dataclass(frozen=True)
class VpcPlacement:
    """Where AgentCore compute runs: private subnets and security groups, by id.

    The intended input is the infrastructure layer's ``IsolatedNetwork`` (private subnets without an
    internet route, VPC endpoints): ``VpcPlacement.from_vpc(network.vpc, security_groups=[...])``.
    """

    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]

    def __post_init__(self) -> None:
        if not self.subnet_ids or not self.security_group_ids:
            raise ValueError("VpcPlacement: give at least one subnet and one security group")

    @classmethod
    def from_vpc(cls, vpc: ec2.IVpc, *, security_groups: Sequence[ec2.ISecurityGroup],
                 subnets: Optional[Sequence[ec2.ISubnet]] = None,
                 subnet_type: ec2.SubnetType = ec2.SubnetType.PRIVATE_ISOLATED) -> "VpcPlacement":
        """The given subnets of ``vpc``, or all its subnets of ``subnet_type`` (isolated by default)."""
        selection = vpc.select_subnets(subnets=list(subnets)) if subnets else vpc.select_subnets(subnet_type=subnet_type)
        return cls(list(selection.subnet_ids), [g.security_group_id for g in security_groups])


def resource_name(scope: IConstruct, max_length: int = 48) -> str:
    """A stable name matching ``^[a-zA-Z][a-zA-Z0-9_]{0,47}$`` (AgentCore runtimes, memories, tools)."""
    unique = cdk.Names.unique_id(scope)
    name = re.sub(r"[^A-Za-z0-9_]", "_", unique)
    if not name[:1].isalpha():
        name = "a" + name
    # keep the leading letter and the unique tail (the hash) when the name is too long
    return name if len(name) <= max_length else name[0] + name[-(max_length - 1):]


def source_arn_pattern(stack: cdk.Stack) -> str:
    return stack.format_arn(service="bedrock-agentcore", resource="*", arn_format=cdk.ArnFormat.NO_RESOURCE_NAME)


class ServiceRole(Construct):
    """A role that only AgentCore may assume, for this account's AgentCore resources (``aws:SourceAccount``
    and ``aws:SourceArn``), with a permissions boundary that mirrors the role's default policy: the
    boundary's document is the default policy's document object, so whatever is granted to :attr:`role`
    through CDK (``add_to_policy``, any ``grant_*(role)``) is also what the boundary allows, and a policy
    attached to the role outside CDK's grants has no effect."""

    def __init__(self, scope: Construct, construct_id: str, *, description: str,
                 statements: Sequence[iam.PolicyStatement], no_permissions_boundary: bool = False) -> None:
        super().__init__(scope, construct_id)
        if not statements:
            raise ValueError("ServiceRole: give the role's first statements")
        stack = cdk.Stack.of(self)
        self.role = iam.Role(self, "Role", description=description, assumed_by=iam.ServicePrincipal(AGENTCORE, conditions={
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {"aws:SourceArn": source_arn_pattern(stack)}}))
        for statement in statements:
            self.role.add_to_principal_policy(statement)
        self.policy = cast(iam.Policy, self.role.node.find_child("DefaultPolicy"))
        self.boundary: Optional[iam.ManagedPolicy] = None
        if no_permissions_boundary:
            record_opt_out(scope, "no_permissions_boundary", "the AgentCore role has no permissions boundary "
                           "(AISEC-DATA-07 reports it)")
        else:
            self.boundary = iam.ManagedPolicy(self, "Boundary", description=f"aisec boundary: {description}",
                                              document=self.policy.document)
            iam.PermissionsBoundary.of(self.role).apply(self.boundary)

    def add_to_policy(self, *statements: iam.PolicyStatement) -> None:
        for statement in statements:
            self.role.add_to_principal_policy(statement)

    @property
    def role_arn(self) -> str:
        return self.role.role_arn


def nag_text(scope: IConstruct, value: Any) -> str:
    """Render a (token) string the way cdk-nag names it in granular finding ids:
    ``arn:<AWS::Partition>:logs:<AWS::Region>:...`` (``Ref`` → ``<Name>``, ``Fn::GetAtt`` → ``<Id.Attr>``)."""
    resolved = cdk.Stack.of(scope).resolve(value)
    return _render(resolved)


def _render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Ref":
            return f"<{arg}>"
        if key == "Fn::GetAtt":
            return f"<{arg[0]}.{arg[1]}>" if isinstance(arg, list) else f"<{arg}>"
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            return arg[0].join(_render(v) for v in arg[1])
    return str(value)


def acknowledge_wildcards(policy: IConstruct, *, actions: Iterable[str] = (), resources: Iterable[Any] = (),
                          reason: str) -> None:
    """Acknowledge cdk-nag's granular AwsSolutions-IAM5 findings for wildcards that the service requires."""
    ids = [f"AwsSolutions-IAM5[Action::{a}]" for a in actions]
    ids += [f"AwsSolutions-IAM5[Resource::{nag_text(policy, r)}]" for r in resources]
    for finding in ids:
        Validations.of(policy).acknowledge(Acknowledgment(id=finding, reason=reason))


class LogDelivery(Construct):
    """Vended application logs of an AgentCore resource delivered to a KMS-encrypted, retained log group
    that masks personal data (``AWS::Logs::DeliverySource`` → ``DeliveryDestination`` → ``Delivery``)."""

    def __init__(self, scope: Construct, construct_id: str, *, resource_arn: str, log_group=None) -> None:
        from aws_cdk import aws_logs as logs

        from ..data import SecureLogGroup
        super().__init__(scope, construct_id)
        self.log_group = log_group or SecureLogGroup(self, "Logs", mask_pii=True)
        name = resource_name(self, max_length=60)
        self.source = logs.CfnDeliverySource(self, "Source", name=name, resource_arn=resource_arn,
                                             log_type="APPLICATION_LOGS")
        self.destination = logs.CfnDeliveryDestination(self, "Destination", name=name,
                                                       destination_resource_arn=self.log_group.log_group.log_group_arn)
        self.delivery = logs.CfnDelivery(self, "Delivery", delivery_source_name=self.source.ref,
                                         delivery_destination_arn=self.destination.attr_arn)
