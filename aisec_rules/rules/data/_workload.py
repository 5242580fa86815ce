"""The identities an AI workload runs as, and what their identity policies grant: shared by the rules that
limit those identities (AISEC-DATA-29 evidence, AISEC-DATA-30 privilege escalation) and by AISEC-APP-32.

AI workload roles (the ``AWS::IAM::Role`` s of the environment that):

* trust ``bedrock.amazonaws.com``, ``bedrock-agentcore.amazonaws.com`` or ``sagemaker.amazonaws.com`` (agents,
  knowledge bases, AgentCore runtimes and gateways, SageMaker execution roles);
* are named by an agent, knowledge base, AgentCore runtime or gateway (``AgentResourceRoleArn`` / ``RoleArn``);
* are the ``Role`` of a Lambda function that a workload runs as a tool or transformation (action groups,
  gateway Lambda targets, custom transformations), or of a function that invokes a model, agent, knowledge
  base, flow, AgentCore runtime or SageMaker endpoint: a role trusted by ``lambda.amazonaws.com`` whose
  policies allow one of :data:`INVOKE_ACTIONS` through an action naming the service (a bare ``*`` alone does
  not make a function an AI handler, or every administrator function would be one).

A role's statements are those of its inline policies, of the ``AWS::IAM::Policy`` / ``ManagedPolicy`` /
``RolePolicy`` attached to it (``Roles`` / ``RoleName``) and of the managed policies of the template listed in
its ``ManagedPolicyArns``. An unconditional explicit ``Deny`` of an action (``Resource`` ``*``, no
``Condition``) among them neutralizes a grant of it. A permissions boundary is not read.
"""
from __future__ import annotations

from typing import Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from ...context import Context
from ...model import Violation
from ...read import iam
from ...read.template import Resource
from ...read.values import where
from ..infrastructure import _tools
from ._trust import attached_roles, role_resource, role_users, service_matches, trust_statements

#: calls that make a function the handler of an AI resource
INVOKE_ACTIONS = (
    "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:InvokeAgent", "bedrock:Retrieve",
    "bedrock:RetrieveAndGenerate", "bedrock:InvokeFlow", "bedrock-agentcore:InvokeAgentRuntime",
    "sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync", "sagemaker:InvokeEndpointWithResponseStream",
)
#: the types :func:`workload_roles` and :func:`role_statements` read besides ``AWS::IAM::Role``
READS = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::User", "AWS::IAM::Group",
         "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy", "AWS::Lambda::Function", "AWS::Lambda::Alias",
         "AWS::Lambda::Version", "AWS::Bedrock::Agent", "AWS::Bedrock::KnowledgeBase", "AWS::Bedrock::DataSource",
         "AWS::BedrockAgentCore::Runtime", "AWS::BedrockAgentCore::Gateway", "AWS::BedrockAgentCore::GatewayTarget")
_AI_PRINCIPALS = ("bedrock.amazonaws.com", "bedrock-agentcore.amazonaws.com", "sagemaker.amazonaws.com")
_AI_SERVICES = ("bedrock", "bedrock-agentcore", "sagemaker")


def _trusts(ctx: Context, role_id: str, services: Tuple[str, ...]) -> List[str]:
    role = ctx.template.get(role_id)
    if role is None:
        return []
    found: List[str] = []
    for _, principals in trust_statements(ctx.template, role):
        found.extend(s for s in services if any(service_matches(p, s) for p in principals) and s not in found)
    return found


def role_statements(ctx: Context) -> Dict[str, List[iam.Statement]]:
    """Role logical id -> the statements of the policies attached to it (cached on the view)."""
    cached = ctx.template.cache.get("data.role_statements")
    if cached is not None:
        return cached
    by_role: Dict[str, List[iam.Statement]] = {}
    managed: Dict[str, Set[str]] = {}  # managed policy -> roles listing it in ManagedPolicyArns
    for holder in ctx.template.of_type("AWS::IAM::Role"):
        for target in ctx.template.references(holder.prop("ManagedPolicyArns")):
            if target.type == "AWS::IAM::ManagedPolicy":
                managed.setdefault(target.logical_id, set()).add(holder.logical_id)
    for statement in iam.statements(ctx.template):
        roles = attached_roles(ctx.template, statement.resource) | managed.get(statement.resource, set())
        for role_id in roles - {"?"}:
            by_role.setdefault(role_id, []).append(statement)
    ctx.template.cache["data.role_statements"] = by_role
    return by_role


def workload_roles(ctx: Context) -> Dict[str, str]:
    """Role logical id -> why it is an AI workload identity (the first reason found; cached on the view)."""
    cached = ctx.template.cache.get("data.workload_roles")
    if cached is not None:
        return cached
    found: Dict[str, str] = {}
    for trusted in ctx.template.of_type("AWS::IAM::Role"):
        services = _trusts(ctx, trusted.logical_id, _AI_PRINCIPALS)
        if services:
            found[trusted.logical_id] = f"trusted by {', '.join(services)}"
    role: Optional[Resource]
    for key, users in sorted(role_users(ctx.template).items()):
        role = role_resource(ctx.template, key)
        if role is not None and role.type == "AWS::IAM::Role":
            resource, prop = users[0]
            found.setdefault(role.logical_id, f"the {prop} of {resource.logical_id}")
    for reference in _tools.references(ctx.template):
        if reference.function is not None:
            role = ctx.template.target(reference.function.prop("Role"))
            if role is not None and role.type == "AWS::IAM::Role":
                found.setdefault(role.logical_id, f"the role of {reference.function.logical_id}, a tool of "
                                                  f"{reference.referrer.logical_id}")
    statements = role_statements(ctx)
    for function in ctx.template.of_type("AWS::Lambda::Function"):
        role = ctx.template.target(function.prop("Role"))
        if role is None or role.logical_id in found or not _trusts(ctx, role.logical_id, ("lambda.amazonaws.com",)):
            continue
        invoked = [a for a in INVOKE_ACTIONS for s in statements.get(role.logical_id, []) if names_ai(s, a)]
        if invoked:
            found[role.logical_id] = f"the role of {function.logical_id}, which calls {invoked[0]}"
    ctx.template.cache["data.workload_roles"] = found
    return found


def names_ai(statement: iam.Statement, action: str) -> bool:
    """The statement allows ``action`` through a pattern that names an AI service (not a bare ``*``)."""
    return statement.allows and not statement.not_actions and any(
        pattern.split(":", 1)[0].lower().strip("*?") in _AI_SERVICES and iam.action_matches(pattern, action)
        for pattern, _ in statement.action_patterns())


def denied(statements: List[iam.Statement], action: str) -> bool:
    """An unconditional Deny of ``action`` on every resource among the role's statements."""
    for statement in statements:
        if statement.effect != "Deny" or statement.condition or statement.not_actions or statement.not_resources:
            continue
        if any(v.known and v.raw == "*" for v in statement.resources) and any(
                iam.action_matches(pattern, action) for pattern, _ in statement.action_patterns()):
            return True
    return False


def grant_pattern(statement: iam.Statement, action: str) -> str:
    """How the statement grants ``action``: the action pattern that matches it, or its NotAction."""
    if statement.not_actions:
        return "NotAction (every action it does not list)"
    for pattern, note in statement.action_patterns():
        if iam.action_matches(pattern, action):
            return f"Action {pattern}{note}"
    return "an action"


#: what a grant is narrowed to: the statement, the action -> a phrase naming the resources it is granted on
#: (`` on Resource *``), or None when the grant does not count
Scope = Callable[[iam.Statement, str], Optional[str]]


def grants(ctx: Context, roles: Dict[str, str], actions: Iterable[str],
           scope: Scope = lambda statement, action: "") -> Dict[Tuple[str, str], Dict[str, str]]:
    """(policy resource, action) -> role -> how the statement grants it, for each of ``actions`` that a statement
    of a workload role allows (not neutralized by an unconditional Deny) and ``scope`` counts."""
    statements = role_statements(ctx)
    found: Dict[Tuple[str, str], Dict[str, str]] = {}
    for role_id in sorted(roles):
        mine = statements.get(role_id, [])
        for statement in mine:
            if not statement.allows:
                continue
            for action in actions:
                if not statement.grants(action) or denied(mine, action):
                    continue
                on = scope(statement, action)
                if on is not None:
                    how = f"{where(statement)} allows it through {grant_pattern(statement, action)}{on}"
                    found.setdefault((statement.resource, action), {}).setdefault(role_id, how)
    return found


def who(roles: Dict[str, str], by_role: Dict[str, str]) -> str:
    """The roles of one grant, why each is a workload identity and how it is granted, for a message."""
    return "; ".join(f"{role} ({roles[role]}): {how}" for role, how in sorted(by_role.items()))


def unverifiable(ctx: Context, roles: Dict[str, str], consequence: str) -> Iterator[Violation]:
    """``Unverifiable::<part>`` for each policy part of a workload role that the template cannot show
    (``consequence``: what cannot be judged, ``may erase evidence``)."""
    for part in iam.unverifiable(ctx.template):
        attached = sorted(r for r in attached_roles(ctx.template, part.resource) if r in roles)
        if attached:
            yield Violation(part.resource, f"{part.part} cannot be verified at synth time ({part.reason}), so whether "
                                           f"the AI workload role {', '.join(attached)} {consequence} cannot be "
                                           "judged; write the policy in the template", f"Unverifiable::{part.part}")
