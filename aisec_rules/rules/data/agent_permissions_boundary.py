"""AISEC-DATA-07: agent roles carry a permissions boundary.

An agent decides at run time which of its permissions to use; a permissions boundary caps what
its role can ever do, even after someone adds a broad policy to it.

Which roles are agent roles (choice where the catalog row says "roles trusted by
bedrock(-agentcore).amazonaws.com"): every ``AWS::IAM::Role`` whose trust policy allows
``bedrock-agentcore.amazonaws.com``, and every role of the template that an ``AWS::Bedrock::Agent``
names in ``AgentResourceRoleArn``. Roles trusted by ``bedrock.amazonaws.com`` for other purposes
(knowledge base, invocation logging, model customization, flows) do not act autonomously and are not
judged: a boundary on them adds nothing the identity policy does not already limit.

Pass: ``PermissionsBoundary`` is set (a managed policy ARN or a reference).
"""
from __future__ import annotations

from typing import Iterator, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ..base import expect_set
from ._trust import service_matches, trust_statements


def agent_roles(ctx: Context) -> Set[str]:
    found: Set[str] = set()
    for role in ctx.template.of_type("AWS::IAM::Role"):
        for _, principals in trust_statements(ctx.template, role):
            if any(service_matches(p, "bedrock-agentcore.amazonaws.com") for p in principals):
                found.add(role.logical_id)
    for agent in ctx.template.of_type("AWS::Bedrock::Agent"):
        target = ctx.template.target(agent.prop("AgentResourceRoleArn"))
        if target is not None and target.type == "AWS::IAM::Role":
            found.add(target.logical_id)
    return found


def check(ctx: Context) -> Iterator[Violation]:
    for logical_id in sorted(agent_roles(ctx)):
        role = ctx.template.get(logical_id)
        if role is not None:  # agent_roles names resources of this template
            yield from expect_set(ctx, role, ("PermissionsBoundary",),
                                  why="; agent roles need a permissions boundary that caps what the agent can ever do")


RULE = Rule(
    id="AISEC-DATA-07",
    title="Permissions boundary on agent roles",
    layer=Layer.DATA,
    phase=Phase.ADVANCED,
    capabilities={Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM06", "T3"),
    passes="Every role trusted by `bedrock-agentcore.amazonaws.com`, and every role named by an "
           "`AWS::Bedrock::Agent.AgentResourceRoleArn`, sets `PermissionsBoundary`.",
    remediation="Attach a permissions boundary (`iam.PermissionsBoundary.of(role).apply(policy)`) that allows only "
                "the services the agent may ever use.",
    construct="aisec_constructs.application.Agent (and the AgentCore constructs of the application layer)",
    check=check,
    judges=("AWS::Bedrock::Agent",),
    reads=("AWS::IAM::Role",),
)
