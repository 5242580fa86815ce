"""PrivateToolFunction: a Lambda function for agent tools and knowledge-base transformations that
always runs inside an :class:`IsolatedNetwork`.

What it guarantees:

* **In the VPC, always** (AISEC-INF-04): the function is placed in the network's workload subnets
  with its own security group (no ingress, HTTPS egress only). There is no flag to take it out of
  the VPC: a tool outside the network is a plain ``lambda_.Function``.
* **Its own least-privilege role**: an execution role for this function only, with the EC2
  network-interface actions Lambda needs to attach to the VPC (those actions do not support
  resource-level permissions, hence ``Resource: *``, acknowledged for ``AwsSolutions-IAM5`` with
  that reason) and write access to its own log group. No AWS managed policies. Grant the tool's
  real permissions with ``function.add_to_role_policy`` / the resources' ``grant_*`` methods.
* **Its own encrypted log group** (a :class:`SecureLogGroup`: KMS key, one-year retention),
  set as the function's ``LoggingConfig.LogGroup``; the same key encrypts the environment
  variables. Tool logs hold model output, so ``mask_pii`` defaults to true.
* **Bounded concurrency**: ``reserved_concurrent_executions`` defaults to 10, so a runaway agent
  loop cannot exhaust the account's concurrency or run up cost; recursive loops are terminated.
* **Optional code signing** (AISEC-INF-13 at Advanced): pass ``signing_profiles`` (a code signing
  configuration that *enforces* signatures is created) or an existing ``code_signing_config``.

The opt-out, recorded as a warning annotation: ``allow_unreserved_concurrency`` (required with
``reserved_concurrent_executions=None``). ``mask_pii=False`` turns off the log group's masking;
AISEC-DATA-23 then reports the group at Advanced until it is acknowledged.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_signer as signer
from constructs import Construct

from ..annotations import record_opt_out
from ..data.keys import EncryptionKey
from ..data.log_groups import SecureLogGroup
from .network import IsolatedNetwork

#: What Lambda does with the execution role to attach a function to a VPC (the actions of the AWS
#: managed policy AWSLambdaVPCAccessExecutionRole, without its logs:* part).
VPC_ACCESS_ACTIONS = (
    "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
)


class PrivateToolFunction(Construct):
    """A VPC-bound tool function with its own role, encrypted logs and bounded concurrency."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        network: IsolatedNetwork,
        code: lambda_.Code,
        handler: str,
        runtime: lambda_.Runtime = lambda_.Runtime.PYTHON_3_14,
        description: Optional[str] = None,
        environment: Optional[Mapping[str, str]] = None,
        timeout: cdk.Duration = cdk.Duration.seconds(30),
        memory_size: int = 256,
        architecture: lambda_.Architecture = lambda_.Architecture.ARM_64,
        reserved_concurrent_executions: Optional[int] = 10,
        encryption_key: Optional[EncryptionKey] = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        mask_pii: bool = True,
        security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
        code_signing_config: Optional[lambda_.ICodeSigningConfig] = None,
        signing_profiles: Sequence[signer.ISigningProfile] = (),
        allow_unreserved_concurrency: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if reserved_concurrent_executions is None and not allow_unreserved_concurrency:
            raise ValueError("PrivateToolFunction: reserved_concurrent_executions=None needs "
                             "allow_unreserved_concurrency=True (a tool without a concurrency bound can be driven "
                             "to exhaust the account's concurrency)")
        if allow_unreserved_concurrency:
            record_opt_out(self, "allow_unreserved_concurrency",
                           "the tool has no reserved concurrency: a runaway agent loop can exhaust the account's "
                           "Lambda concurrency and run up cost")
        if code_signing_config is not None and signing_profiles:
            raise ValueError("PrivateToolFunction: give code_signing_config or signing_profiles, not both")

        self.network = network
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="tool function logs and environment")
        self.log_group = SecureLogGroup(self, "Logs", encryption_key=self.encryption_key, retention=log_retention,
                                        mask_pii=mask_pii)
        self.security_groups = list(security_groups) if security_groups else [
            network.add_workload_security_group(self, "SecurityGroup", "aisec: tool function, no ingress, HTTPS egress only")]

        self.role = iam.Role(
            self, "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="aisec: execution role of one tool function",
            inline_policies={"VpcAccess": iam.PolicyDocument(statements=[iam.PolicyStatement(
                actions=list(VPC_ACCESS_ACTIONS), resources=["*"])])},
        )
        self.log_group.log_group.grant_write(self.role)
        Validations.of(self.role).acknowledge(Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="Lambda attaches the function to the VPC with EC2 network-interface actions "
                   "(CreateNetworkInterface, DescribeNetworkInterfaces, DeleteNetworkInterface, ...) that do not "
                   "support resource-level permissions; these are the only wildcard-resource actions of the role."))

        self.code_signing_config = code_signing_config
        if signing_profiles:
            self.code_signing_config = lambda_.CodeSigningConfig(
                self, "CodeSigning", signing_profiles=list(signing_profiles),
                untrusted_artifact_on_deployment=lambda_.UntrustedArtifactOnDeployment.ENFORCE,
                description="aisec: only signed tool code deploys")

        self.function = lambda_.Function(
            self, "Function",
            code=code,
            handler=handler,
            runtime=runtime,
            description=description,
            environment=dict(environment) if environment else None,
            environment_encryption=self.encryption_key.key,
            timeout=timeout,
            memory_size=memory_size,
            architecture=architecture,
            role=self.role,
            vpc=network.vpc,
            vpc_subnets=network.subnet_selection,
            security_groups=self.security_groups,
            reserved_concurrent_executions=reserved_concurrent_executions,
            log_group=self.log_group.log_group,
            code_signing_config=self.code_signing_config,
            recursive_loop=lambda_.RecursiveLoop.TERMINATE,
        )
        # Lambda checks the role's VPC permissions when it creates the function.
        self.function.node.add_dependency(self.role)

    @property
    def function_arn(self) -> str:
        return self.function.function_arn

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        return self.function.grant_invoke(grantee)

    def allow_service_invocation(self, construct_id: str, service: str, source_arn: str) -> None:
        """Let an AWS service (``bedrock.amazonaws.com``) invoke the tool, only on behalf of one
        resource of this account (``source_arn``: the agent, knowledge base or gateway)."""
        self.function.add_permission(
            construct_id, principal=iam.ServicePrincipal(service), action="lambda:InvokeFunction",
            source_arn=source_arn, source_account=cdk.Stack.of(self).account)
