"""AISEC-DATA-06: roles that AI services assume are protected against the confused deputy.

Every ``AWS::IAM::Role`` whose trust policy has an ``Allow`` statement for the service principal
``bedrock.amazonaws.com``, ``bedrock-agentcore.amazonaws.com`` or ``sagemaker.amazonaws.com`` must
carry, in that statement, a ``Condition`` on ``aws:SourceAccount`` or ``aws:SourceArn`` (any operator;
keys compared case-insensitively as IAM does). Without it, a Bedrock or SageMaker resource of ANY
account could be configured to use the role (the service acts as a confused deputy).

Choices: ``aws:SourceOrgID`` / ``aws:SourceOrgPaths`` are not accepted (the catalog asks for the
account or the resource; an organization-wide condition still lets every account of the organization
use the role). A trust policy document that cannot be read is skipped. The service principal may be
written with ``${AWS::URLSuffix}``. One finding per role (the message names the services).

Every other service role an AI workload uses (issue 22): the AI workload roles
(:func:`aisec_rules.rules.data._workload.workload_roles`) and the roles an AI resource (``AWS::Bedrock::*``,
``AWS::BedrockAgentCore::*``, ``AWS::SageMaker::*``) references in any property, when they trust another service
principal (``states.amazonaws.com``, ``scheduler.amazonaws.com``, ``firehose.amazonaws.com``, ...), need the
same condition in that statement; detail ``Service::<principal>``, one finding per role and service. Exempt
(:data:`PASSED_ONLY`): the compute services that run your own code with a role only a principal of your account
can hand them through ``iam:PassRole`` at function, instance or task creation (``lambda``, ``edgelambda``,
``ec2``, ``ecs-tasks``); no other account can make them assume it, so the condition guards nothing there, and
their guides do not document it for execution roles (the false positives discussed in prowler-cloud/prowler#2810).
"""
from __future__ import annotations

from typing import Dict, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ._trust import condition_keys, service_matches, trust_statements
from ._workload import READS as WORKLOAD_READS, workload_roles

SERVICES = ("bedrock.amazonaws.com", "bedrock-agentcore.amazonaws.com", "sagemaker.amazonaws.com")
KEYS = {"aws:sourceaccount", "aws:sourcearn"}
PASSED_ONLY = ("lambda.amazonaws.com", "edgelambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com")
AI_FAMILIES = ("AWS::Bedrock::", "AWS::BedrockAgentCore::", "AWS::SageMaker::")


def _used_roles(ctx: Context) -> Dict[str, str]:
    """Role logical id -> why an AI workload uses it."""
    used = dict(workload_roles(ctx))
    for family in AI_FAMILIES:
        for resource in ctx.template.of_family(family):
            for target in ctx.template.references(resource.properties):
                if target.type == "AWS::IAM::Role":
                    used.setdefault(target.logical_id, f"referenced by {resource.logical_id}")
    return used


def check(ctx: Context) -> Iterator[Violation]:
    used = _used_roles(ctx)
    for role in ctx.template.of_type("AWS::IAM::Role"):
        if role.logical_id in used:
            yield from _other_services(ctx, role, used[role.logical_id])
        unguarded: List[str] = []
        for statement, principals in trust_statements(ctx.template, role):
            services = [s for s in SERVICES if any(service_matches(p, s) for p in principals)]
            if services and not KEYS & set(condition_keys(statement.get("Condition"))):
                unguarded.extend(s for s in services if s not in unguarded)
        if unguarded:
            yield Violation(role.logical_id,
                            f"AssumeRolePolicyDocument lets {', '.join(unguarded)} assume the role without a Condition "
                            "on aws:SourceAccount or aws:SourceArn; add StringEquals aws:SourceAccount (this account) "
                            "and ArnLike aws:SourceArn (the agent, knowledge base or job ARNs)")


def _other_services(ctx: Context, role, why: str) -> Iterator[Violation]:
    unguarded: List[str] = []
    for statement, principals in trust_statements(ctx.template, role):
        if KEYS & set(condition_keys(statement.get("Condition"))):
            continue
        for principal in principals:
            if not any(service_matches(principal, s) for s in SERVICES + PASSED_ONLY) and principal not in unguarded:
                unguarded.append(principal)
    for principal in unguarded:
        yield Violation(role.logical_id,
                        f"AssumeRolePolicyDocument lets {principal} assume the role without a Condition on "
                        f"aws:SourceAccount or aws:SourceArn, and an AI workload uses the role ({why}); add "
                        "StringEquals aws:SourceAccount (this account) and ArnLike aws:SourceArn (the resources of "
                        "that service that use it)", f"Service::{principal}")


RULE = Rule(
    id="AISEC-DATA-06",
    prowler_aisf=("AISF-IAM-05: confused-deputy conditions on the service roles AI workloads use, not Lambda, EC2 or ECS "
                  "task roles",),
    title="Confused-deputy guard on AI service roles",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T9",),
    passes="Every trust-policy `Allow` for `bedrock.amazonaws.com`, `bedrock-agentcore.amazonaws.com` or "
           "`sagemaker.amazonaws.com` has a `Condition` on `aws:SourceAccount` or `aws:SourceArn`, and so does every "
           "trust-policy `Allow` for another service on a role an AI workload uses (except the compute services that "
           "receive a role only through `iam:PassRole`: Lambda, EC2, ECS tasks).",
    remediation="Add `conditions={\"StringEquals\": {\"aws:SourceAccount\": account}, \"ArnLike\": {\"aws:SourceArn\": "
                "...}}` to the `ServicePrincipal` of the role.",
    construct="aisec_constructs.data.KnowledgeBase, aisec_constructs.data.ModelInvocationLogging, aisec_constructs.application.Agent",
    check=check,
    judges=("AWS::IAM::Role",),
    reads=(*WORKLOAD_READS, *(f"{family}*" for family in AI_FAMILIES)),
)
