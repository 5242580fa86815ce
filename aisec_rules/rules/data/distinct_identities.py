"""AISEC-DATA-05: every agent, agent runtime, gateway and knowledge base runs as a role of its own.

Judged: the role of each ``AWS::Bedrock::Agent`` (``AgentResourceRoleArn``),
``AWS::BedrockAgentCore::Runtime`` (``RoleArn``), ``AWS::BedrockAgentCore::Gateway`` (``RoleArn``) and
``AWS::Bedrock::KnowledgeBase`` (``RoleArn``). Two of them running as the same role fail: each of
them gets a finding naming the others, so one shared role cannot be attributed, contained or revoked
per agent.

"Same role" means a ``Ref`` / ``Fn::GetAtt`` to the same ``AWS::IAM::Role`` of the template, the same
literal ARN (parameter defaults and each ``Fn::If`` branch resolved), or the very same other intrinsic
(the same parameter without default, the same ``Fn::ImportValue``). Two different imports or
parameters without defaults cannot be compared and pass. A resource without a role property is not
judged here (the schemas require it on agents and knowledge bases).
"""
from __future__ import annotations

from typing import Dict, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ._trust import ROLE_PROPERTIES, role_resource, role_users


def check(ctx: Context) -> Iterator[Violation]:
    shared: Dict[str, List[str]] = {}
    for key, users in sorted(role_users(ctx.template).items()):
        if len(users) < 2:
            continue
        role = role_resource(ctx.template, key)
        shown = role.logical_id if role is not None else key.split(":", 1)[1]
        for resource, prop in users:
            others = ", ".join(r.logical_id for r, _ in users if r.logical_id != resource.logical_id)
            shared.setdefault(resource.logical_id, []).append(
                f"{prop} {shown} is also the role of {others}")
    for logical_id in sorted(shared):
        yield Violation(logical_id, "; ".join(shared[logical_id]) + "; give each agent, runtime, gateway and "
                                    "knowledge base a role of its own so its actions can be attributed and contained")


RULE = Rule(
    id="AISEC-DATA-05",
    prowler_aisf=("AISF-AGENT-01",),
    title="One identity per agent and knowledge base",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T3", "T9"),
    passes="No two of `AWS::Bedrock::Agent.AgentResourceRoleArn`, `AWS::BedrockAgentCore::Runtime.RoleArn`, "
           "`Gateway.RoleArn` and `AWS::Bedrock::KnowledgeBase.RoleArn` name the same role.",
    remediation="Create one role per agent, runtime, gateway and knowledge base, each with only the permissions that "
                "component uses (`aisec_constructs.data.KnowledgeBase` creates its own role).",
    construct="aisec_constructs.data.KnowledgeBase, aisec_constructs.application.Agent (each creates its own role)",
    check=check,
    judges=tuple(ROLE_PROPERTIES),
)
