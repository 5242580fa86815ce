"""AgentContainment: an automated way to contain a compromised agent, with the evidence kept and the change undoable.

Guarantees (AISEC-APP-32): EventBridge rules on the default bus run the containment function
(:mod:`aisec_constructs.handlers.agent_containment`) when

* GuardDuty reports a finding (``source`` ``aws.guardduty``, ``detail-type`` ``GuardDuty Finding``) of at
  least ``min_severity`` about the workload: ``detail.resource.accessKeyDetails.userName`` is one of the
  workload's role names (credentials of the agent, runtime or tool roles used) or
  ``detail.resource.lambdaDetails.functionName`` one of its tool functions (field names of the GuardDuty
  ``Resource`` type);
* one of the given CloudWatch alarms enters ``ALARM`` (``aws.cloudwatch``, ``CloudWatch Alarm State Change``,
  the alarm ARN in ``resources``): the guardrail-probe alarms and the usage alarms of ``AiMonitoring``.

The function copies the evidence into the :class:`~aisec_constructs.data.EvidenceArchive` (under
``containment/<construct path>/``), attaches a deny-all managed policy to the workload's roles and sets the
tool functions' reserved concurrency to zero, and writes a record of every change; ``{"mode": "undo",
"record": "<key>"}`` reverses a containment from its record (the README has the runbook).

Least privilege: ``iam:AttachRolePolicy`` / ``iam:DetachRolePolicy`` only on the workload's roles and only for
the deny-all policy (condition ``iam:PolicyARN``); reading role policies, agent and runtime configuration and
the tools' concurrency only on those resources; ``bedrock:GetModelInvocationLoggingConfiguration`` on ``*`` (no
resource type); writing and reading only its prefix of the archive (the writer tag of the archive included).
The function is not placed in a VPC: it must reach IAM, Lambda, Bedrock and S3 when the workload's network is
what is under attack. Reserved concurrency 1: two containments never race on the same roles.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from aisec_rules.aws import EVIDENCE_BUCKET_VARIABLE

from ..data import EncryptionKey, EvidenceArchive, SecureLogGroup
from ..handlers.agent_containment import CONFIG_VARIABLE
from ..lambda_code import handler_code, handler_name
from .incident_response import GUARDDUTY_MIN, SEVERITIES

if TYPE_CHECKING:
    from ..application.agent import Agent
    from ..application.agentcore import AgentCoreRuntime

HANDLER = "agent_containment"
LOOKBACK = cdk.Duration.hours(24)


class AgentContainment(Construct):
    """Contain the given agents, runtimes, roles and tools on a GuardDuty finding or an alarm.

    :param archive: where the evidence and the records go.
    :param agents: aisec :class:`~aisec_constructs.application.Agent` s (their roles and tool functions are added).
    :param runtimes: aisec :class:`~aisec_constructs.application.AgentCoreRuntime` s (their roles are added).
    :param roles: more roles to deny (a gateway's, a knowledge base's).
    :param tool_functions: more functions to stop.
    :param alarms: alarms whose ALARM state triggers containment (probe and usage alarms).
    :param min_severity: lowest GuardDuty severity that triggers it (LOW, MEDIUM, HIGH, CRITICAL).
    :param lookback: how far before the trigger the invocation-log pointers reach.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        archive: EvidenceArchive,
        agents: Sequence["Agent"] = (),
        runtimes: Sequence["AgentCoreRuntime"] = (),
        roles: Sequence[iam.IRole] = (),
        tool_functions: Sequence[lambda_.IFunction] = (),
        alarms: Sequence[cloudwatch.IAlarm] = (),
        min_severity: str = "MEDIUM",
        lookback: cdk.Duration = LOOKBACK,
        encryption_key: Optional[EncryptionKey] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if min_severity not in SEVERITIES:
            raise ValueError(f"AgentContainment: min_severity {min_severity!r} must be one of {', '.join(SEVERITIES)}")
        self.roles: List[iam.IRole] = [*[a.role for a in agents], *[r.role for r in runtimes], *roles]
        self.tool_functions: List[lambda_.IFunction] = [f for a in agents for f in a.tool_functions] + list(tool_functions)
        if not self.roles and not self.tool_functions:
            raise ValueError("AgentContainment: give the agents, runtimes, roles or tool functions to contain")
        stack = cdk.Stack.of(self)
        self.archive = archive
        self.prefix = f"containment/{cdk.Names.unique_id(self)}/"

        self.deny_policy = iam.ManagedPolicy(self, "DenyAll", description="aisec: quarantine of a compromised agent "
                                             "(attached by AgentContainment, detached by its undo)",
                                             statements=[iam.PolicyStatement(effect=iam.Effect.DENY, actions=["*"],
                                                                             resources=["*"])])
        key = encryption_key or EncryptionKey(self, "Key", purpose="agent containment")
        key.allow_cloudwatch_logs()
        log_group = SecureLogGroup(self, "Logs", encryption_key=key, mask_pii=True)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                             description="aisec: containment of a compromised agent")
        log_group.log_group.grant_write(self.role)
        config: Dict[str, Any] = {
            "prefix": self.prefix, "deny_policy_arn": self.deny_policy.managed_policy_arn,
            "roles": [r.role_name for r in self.roles], "functions": [f.function_name for f in self.tool_functions],
            "agents": [a.agent_id for a in agents], "runtimes": [r.runtime_id for r in runtimes],
            "lookback_hours": lookback.to_minutes() / 60,
        }
        self.function = lambda_.Function(
            self, "Function", runtime=lambda_.Runtime.PYTHON_3_14, handler=handler_name(HANDLER),
            code=handler_code(HANDLER), role=self.role, timeout=cdk.Duration.minutes(5), log_group=log_group.log_group,
            description="aisec: snapshot the evidence of a compromised agent and quarantine it (or undo)",
            environment={EVIDENCE_BUCKET_VARIABLE: archive.bucket_name, CONFIG_VARIABLE: stack.to_json_string(config)},
            environment_encryption=key.key, reserved_concurrent_executions=1,
            recursive_loop=lambda_.RecursiveLoop.TERMINATE)
        self._grant(stack, agents, runtimes)

        self.rules: List[events.Rule] = []
        branches: List[Dict[str, Any]] = []
        if self.roles:
            branches.append({"resource": {"accessKeyDetails": {"userName": [r.role_name for r in self.roles]}}})
        if self.tool_functions:
            branches.append({"resource": {"lambdaDetails": {"functionName": [f.function_name for f in self.tool_functions]}}})
        detail: Dict[str, Any] = {"severity": [{"numeric": [">=", GUARDDUTY_MIN[min_severity]]}]}
        if len(branches) == 1:
            detail.update(branches[0])
        else:
            detail["$or"] = branches
        self.rules.append(events.Rule(self, "GuardDutyFindings", description="GuardDuty findings about the agent's "
                                      "roles or tools: contain it", event_pattern=events.EventPattern(
                                          source=["aws.guardduty"], detail_type=["GuardDuty Finding"], detail=detail)))
        if alarms:
            self.rules.append(events.Rule(self, "Alarms", description="Probe or usage alarm in ALARM: contain the agent",
                                          event_pattern=events.EventPattern(
                                              source=["aws.cloudwatch"], detail_type=["CloudWatch Alarm State Change"],
                                              resources=[a.alarm_arn for a in alarms],
                                              detail={"state": {"value": ["ALARM"]}})))
        for rule in self.rules:
            rule.add_target(targets.LambdaFunction(self.function))

    def _grant(self, stack: cdk.Stack, agents: Sequence["Agent"], runtimes: Sequence["AgentCoreRuntime"]) -> None:
        role_arns = [r.role_arn for r in self.roles]
        if role_arns:
            self.role.add_to_policy(iam.PolicyStatement(
                actions=["iam:AttachRolePolicy", "iam:DetachRolePolicy"], resources=role_arns,
                conditions={"ArnEquals": {"iam:PolicyARN": self.deny_policy.managed_policy_arn}}))
            self.role.add_to_policy(iam.PolicyStatement(
                actions=["iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"], resources=role_arns))
        if self.tool_functions:
            self.role.add_to_policy(iam.PolicyStatement(
                actions=["lambda:GetFunctionConfiguration", "lambda:GetFunctionConcurrency",
                         "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency"],
                resources=[f.function_arn for f in self.tool_functions]))
        if agents:
            self.role.add_to_policy(iam.PolicyStatement(actions=["bedrock:GetAgent", "bedrock:ListAgentAliases"],
                                                        resources=[a.agent_arn for a in agents]))
        if runtimes:
            self.role.add_to_policy(iam.PolicyStatement(
                actions=["bedrock-agentcore:GetAgentRuntime", "bedrock-agentcore:ListAgentRuntimeEndpoints"],
                resources=[r.runtime_arn for r in runtimes]))
        self.role.add_to_policy(iam.PolicyStatement(actions=["bedrock:GetModelInvocationLoggingConfiguration"],
                                                    resources=["*"]))
        self.archive.grant_write(self.role, self.prefix)
        self.archive.grant_read(self.role, self.prefix)
        Validations.of(self.role).acknowledge(Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="bedrock:GetModelInvocationLoggingConfiguration has no resource type (Service Authorization "
                   "Reference): it reads the account's configuration, the pointer to the invocation logs."))

    @property
    def function_name(self) -> str:
        return self.function.function_name

