"""AISEC-APP-34: nobody reaches a model anonymously through Cognito.

Foundational: an ``AWS::Cognito::IdentityPool`` whose ``AllowUnauthenticatedIdentities`` is true (each literal
possibility: ``Fn::If`` branches, parameter defaults) hands every visitor of the web page temporary AWS credentials
for its unauthenticated role, the ``Roles.unauthenticated`` of the ``AWS::Cognito::IdentityPoolRoleAttachment``
whose ``IdentityPoolId`` refers to it. That role must not be allowed to call a model, agent, knowledge base, flow,
AgentCore runtime, gateway or code interpreter (:data:`MODEL_ACCESS`, service authorization reference), directly,
through a wildcard (``bedrock:*``, ``*``) or through ``NotAction``; its statements are those of
:func:`aisec_rules.rules.data._workload.role_statements` (inline, attached and managed policies of the template; an
unconditional explicit ``Deny`` neutralizes a grant). One finding per pool, detail ``Roles.unauthenticated``.
An unauthenticated role outside the template, a pool allowing unauthenticated identities with no role attachment
in the template, or a value the template cannot show is ``Unverifiable::<what>``, never passed.

Enhanced (the rule ``tightens``): every ``AWS::Cognito::UserPool`` of an AI workload signs in the users of its
applications, so it requires MFA (``MfaConfiguration`` ``ON``, detail ``MfaConfiguration``; AISEC-APP-17 accepts
``OPTIONAL`` from Enhanced, this control asks every user for a second factor) and enforces threat protection
(``UserPoolAddOns.AdvancedSecurityMode`` ``ENFORCED``, detail ``AdvancedSecurityMode``; ``AUDIT`` only logs risky
sign-ins). Enums from the cfn-lint schema: ``MfaConfiguration`` ``OFF | ON | OPTIONAL`` (absent is ``OFF``),
``AdvancedSecurityMode`` ``AUDIT | ENFORCED | OFF`` (absent is ``OFF``). Threat protection is a feature of the
``PLUS`` ``UserPoolTier``.
"""
from __future__ import annotations

from typing import Iterator, List, Optional

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read import iam
from ...read.template import MISSING, Resource
from ..base import expect_value
from ..data import _workload

POOL = "AWS::Cognito::IdentityPool"
ATTACHMENT = "AWS::Cognito::IdentityPoolRoleAttachment"
USER_POOL = "AWS::Cognito::UserPool"
#: what an anonymous visitor must not call (verified in the service authorization reference)
MODEL_ACCESS = (
    "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:InvokeAgent", "bedrock:InvokeInlineAgent",
    "bedrock:InvokeFlow", "bedrock:Retrieve", "bedrock:RetrieveAndGenerate",
    "bedrock-agentcore:InvokeAgentRuntime", "bedrock-agentcore:InvokeAgentRuntimeWithWebSocketStream",
    "bedrock-agentcore:InvokeGateway", "bedrock-agentcore:InvokeCodeInterpreter",
)


def _anonymous(ctx: Context, pool: Resource) -> Optional[str]:
    """How the pool admits unauthenticated identities (`` (from the default of parameter X)``), "" when it does
    literally, None when it does not; ``?`` when the template cannot tell."""
    for value in ctx.template.resolve(pool.prop("AllowUnauthenticatedIdentities")):
        if not value.known:
            return "?" + value.note()
        if value.raw is True or (isinstance(value.raw, str) and value.raw.strip().lower() == "true"):
            return value.note()
    return None


def _unauthenticated_roles(ctx: Context, pool: Resource) -> List[object]:
    """The ``Roles.unauthenticated`` values of the attachments of this pool."""
    values = []
    for attachment in ctx.template.of_type(ATTACHMENT):
        target = ctx.template.target(attachment.prop("IdentityPoolId"))
        if target is None or target.logical_id != pool.logical_id:
            continue
        role = attachment.prop("Roles", "unauthenticated")
        if role is not MISSING and role is not None:
            values.append(role)
    return values


def _pool(ctx: Context, pool: Resource) -> Iterator[Violation]:
    how = _anonymous(ctx, pool)
    if how is None:
        return
    if how.startswith("?"):
        yield Violation(pool.logical_id, f"AllowUnauthenticatedIdentities cannot be verified at synth time{how[1:]}; "
                                         "set it to false, or keep anonymous roles away from Bedrock and AgentCore",
                        "Unverifiable::AllowUnauthenticatedIdentities")
        return
    roles = _unauthenticated_roles(ctx, pool)
    if not roles:
        yield Violation(pool.logical_id, f"the identity pool allows unauthenticated identities{how} but no "
                                         "AWS::Cognito::IdentityPoolRoleAttachment of this template names its "
                                         "unauthenticated role, so what anonymous visitors may call cannot be judged; "
                                         "set AllowUnauthenticatedIdentities to false or attach the role here",
                        "Unverifiable::Roles.unauthenticated")
        return
    statements = _workload.role_statements(ctx)
    for value in roles:
        role = ctx.template.target(value)
        if role is None or role.type != "AWS::IAM::Role":
            shown = ctx.template.text(value) or "an intrinsic"
            yield Violation(pool.logical_id, f"the unauthenticated role of the identity pool ({shown}) is not in this "
                                             "template, so whether anonymous visitors may call a model cannot be "
                                             "judged; set AllowUnauthenticatedIdentities to false or declare the role "
                                             "here", "Unverifiable::Roles.unauthenticated")
            continue
        mine = statements.get(role.logical_id, [])
        allowed = [a for a in MODEL_ACCESS if not _workload.denied(mine, a) and any(s.grants(a) for s in mine)]
        if allowed:
            shown = ", ".join(allowed[:3]) + (f" and {len(allowed) - 3} more" if len(allowed) > 3 else "")
            yield Violation(pool.logical_id, f"the identity pool allows unauthenticated identities{how} and its "
                                             f"unauthenticated role {role.logical_id} may call {shown}: anyone on the "
                                             "internet gets credentials for unmetered, unattributed model use. Set "
                                             "AllowUnauthenticatedIdentities to false, or remove the Bedrock and "
                                             "AgentCore actions from the unauthenticated role",
                            "Roles.unauthenticated")


def check(ctx: Context) -> Iterator[Violation]:
    for pool in ctx.template.of_type(POOL):
        yield from _pool(ctx, pool)
    if ctx.phase >= Phase.ENHANCED:
        for user_pool in ctx.template.of_type(USER_POOL):
            yield from expect_value(ctx, user_pool, ("MfaConfiguration",), allowed={"ON"}, default="OFF",
                                    detail="MfaConfiguration",
                                    why=" from the Enhanced phase on, so that a stolen password alone does not reach "
                                        "the model")
            yield from expect_value(ctx, user_pool, ("UserPoolAddOns", "AdvancedSecurityMode"), allowed={"ENFORCED"},
                                    default="OFF", detail="AdvancedSecurityMode",
                                    why=" from the Enhanced phase on (threat protection blocks compromised-credential "
                                        "and risky sign-ins; it needs UserPoolTier PLUS)")


RULE = Rule(
    id="AISEC-APP-34",
    prowler_aisf=("AISF-IAM-01: Cognito user pool MFA ON and threat protection ENFORCED, from Enhanced",
                  "AISF-IAM-07: guest access to models through identity pools; MFA ON and threat protection "
                  "ENFORCED from Enhanced",),
    title="No anonymous model access through Cognito",
    layer=Layer.APPLICATION,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM10", "T9"),
    passes="No Cognito identity pool that allows unauthenticated identities has an unauthenticated role allowed to "
           "call Bedrock models, agents, knowledge bases or flows, or AgentCore runtimes, gateways or code "
           "interpreters; from the Enhanced phase on, every Cognito user pool sets `MfaConfiguration` `ON` and "
           "`UserPoolAddOns.AdvancedSecurityMode` `ENFORCED`.",
    remediation="Set `AllowUnauthenticatedIdentities` to false (or give the unauthenticated role no Bedrock or "
                "AgentCore action); put model calls behind signed-in users; in the user pool require MFA "
                "(`MfaConfiguration: ON`) and enforce threat protection (`UserPoolTier: PLUS`, "
                "`UserPoolAddOns.AdvancedSecurityMode: ENFORCED`).",
    check=check,
    judges=(POOL, USER_POOL),
    reads=(ATTACHMENT, *iam.POLICY_TYPES),
    tightens=True,
)
