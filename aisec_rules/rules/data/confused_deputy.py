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
"""
from __future__ import annotations

from typing import Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ._trust import condition_keys, service_matches, trust_statements

SERVICES = ("bedrock.amazonaws.com", "bedrock-agentcore.amazonaws.com", "sagemaker.amazonaws.com")
KEYS = {"aws:sourceaccount", "aws:sourcearn"}


def check(ctx: Context) -> Iterator[Violation]:
    for role in ctx.template.of_type("AWS::IAM::Role"):
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


RULE = Rule(
    id="AISEC-DATA-06",
    prowler_aisf=("AISF-IAM-05: confused-deputy conditions on Bedrock, AgentCore and SageMaker service roles",),
    title="Confused-deputy guard on AI service roles",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T9",),
    passes="Every trust-policy `Allow` for `bedrock.amazonaws.com`, `bedrock-agentcore.amazonaws.com` or "
           "`sagemaker.amazonaws.com` has a `Condition` on `aws:SourceAccount` or `aws:SourceArn`.",
    remediation="Add `conditions={\"StringEquals\": {\"aws:SourceAccount\": account}, \"ArnLike\": {\"aws:SourceArn\": "
                "...}}` to the `ServicePrincipal` of the role.",
    construct="aisec_constructs.data.KnowledgeBase, aisec_constructs.data.ModelInvocationLogging, aisec_constructs.application.Agent",
    check=check,
    judges=("AWS::IAM::Role",),
)
