"""Shared helpers of the data-layer role rules: which AWS services a role's trust policy lets in,
which roles the agents and knowledge bases of a template run as, which roles a policy is attached to,
and the one discovery of AI workload roles (:func:`workload_roles`) that every rule about the identities
of AI workloads uses (AISEC-DATA-01, DATA-03, DATA-06, DATA-29)."""
from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from ...context import Context
from ...read import iam
from ...read.template import MISSING, Resource, Template, as_list
from ..infrastructure import _tools

#: Where agents and knowledge bases name the role they run as (cfn-lint schemas).
ROLE_PROPERTIES = {
    "AWS::Bedrock::Agent": "AgentResourceRoleArn",
    "AWS::BedrockAgentCore::Runtime": "RoleArn",
    "AWS::BedrockAgentCore::Gateway": "RoleArn",
    "AWS::Bedrock::KnowledgeBase": "RoleArn",
}


def trust_statements(template: Template, role: Resource) -> Iterator[Tuple[dict, List[str]]]:
    """Each Allow statement of the role's trust policy (every Fn::If branch) with the service
    principals it names, lower-cased (``bedrock.amazonaws.com``); intrinsics rendered as text."""
    for document in template.resolve(role.prop("AssumeRolePolicyDocument")):
        raw = document.raw if document.known else template.text(document.raw)
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                continue
        if not isinstance(raw, dict):
            continue
        for statements in template.resolve(raw.get("Statement", MISSING)):
            if not statements.known:
                continue
            for item in as_list(statements.raw):
                for statement in template.resolve(item):
                    if statement.known and isinstance(statement.raw, dict) and _allows(template, statement.raw):
                        yield statement.raw, _services(template, statement.raw.get("Principal", MISSING))


def _allows(template: Template, statement: dict) -> bool:
    return any(v.known and v.raw == "Allow" for v in template.resolve(statement.get("Effect", MISSING)))


def _services(template: Template, principal: Any) -> List[str]:
    found: List[str] = []
    for value in template.resolve(principal):
        if not (value.known and isinstance(value.raw, dict)):
            continue
        for services in template.resolve(value.raw.get("Service", MISSING)):
            items = as_list(services.raw) if services.known else [services.raw]
            for item in items:
                for literal in template.resolve(item):
                    text = literal.raw if literal.known else template.text(literal.raw)
                    if isinstance(text, str) and text.lower() not in found:
                        found.append(text.lower())
    return found


def service_matches(principal: str, service: str) -> bool:
    """``bedrock.amazonaws.com`` matches itself (also written with a ${AWS::URLSuffix} placeholder)."""
    principal = principal.replace("${aws::urlsuffix}", "amazonaws.com")
    return principal == service


def condition_keys(condition: Any) -> List[str]:
    """Lower-cased condition keys across all operators."""
    keys: List[str] = []
    if isinstance(condition, dict):
        for block in condition.values():
            if isinstance(block, dict):
                keys.extend(str(k).lower() for k in block)
    return keys


def role_users(template: Template) -> Dict[str, List[Tuple[Resource, str]]]:
    """Map of a role key to the (agent / knowledge base, property) pairs that run as it (cached).

    The key is ``resource:<logical id>`` for a reference to a role of the template, ``literal:<arn>``
    for each literal possibility (parameter defaults resolved), ``raw:<json>`` for any other
    intrinsic (two users of the same parameter or import share it)."""
    cached = template.cache.get("data.role_users")
    if cached is not None:
        return cached
    users: Dict[str, List[Tuple[Resource, str]]] = {}
    for rtype, prop in ROLE_PROPERTIES.items():
        for resource in template.of_type(rtype):
            value = resource.prop(prop)
            if value is MISSING or value is None:
                continue
            for key in role_keys(template, value):
                entries = users.setdefault(key, [])
                if all(r.logical_id != resource.logical_id for r, _ in entries):
                    entries.append((resource, prop))
    template.cache["data.role_users"] = users
    return users


def role_keys(template: Template, value: Any) -> List[str]:
    target = template.target(value)
    if target is not None:
        return [f"resource:{target.logical_id}"]
    keys = []
    for possibility in template.resolve(value):
        if possibility.known and isinstance(possibility.raw, str):
            keys.append(f"literal:{possibility.raw}")
        elif not possibility.known:
            inner = template.target(possibility.raw)
            keys.append(f"resource:{inner.logical_id}" if inner is not None
                        else "raw:" + json.dumps(possibility.raw, sort_keys=True))
    return keys


def role_resource(template: Template, key: str) -> Optional[Resource]:
    return template.get(key[len("resource:"):]) if key.startswith("resource:") else None


def attached_roles(template: Template, holder_id: str) -> Set[str]:
    """The roles a policy resource is attached to: itself for a role's inline policies; for an
    ``AWS::IAM::Policy`` / ``ManagedPolicy`` / ``RolePolicy`` the roles its ``Roles`` / ``RoleName`` name.
    ``"?"`` stands for a role outside the template, a user or a group."""
    holder = template.get(holder_id)
    if holder is None:
        return set()
    if holder.type == "AWS::IAM::Role":
        return {holder.logical_id}
    roles = set()
    for key in ("Roles", "RoleName"):
        for value in template.resolve(holder.prop(key)):
            if value.missing:
                continue
            items = value.raw if value.known and isinstance(value.raw, list) else [value.raw]
            for item in items:
                target = template.target(item)
                if target is not None:
                    roles.add(target.logical_id)
                else:
                    roles.add("?")  # a role outside the template, or a user/group: judged
    for key in ("Users", "Groups", "UserName", "GroupName"):
        if holder.prop(key):
            roles.add("?")
    return roles


#: calls that make a function the handler of an AI resource
INVOKE_ACTIONS = (
    "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:InvokeAgent", "bedrock:Retrieve",
    "bedrock:RetrieveAndGenerate", "bedrock:InvokeFlow", "bedrock-agentcore:InvokeAgentRuntime",
    "sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync", "sagemaker:InvokeEndpointWithResponseStream",
)
_AI_PRINCIPALS = ("bedrock.amazonaws.com", "bedrock-agentcore.amazonaws.com", "sagemaker.amazonaws.com")
_AI_SERVICES = ("bedrock", "bedrock-agentcore", "sagemaker")


#: what :func:`workload_roles` reads: a rule that uses it declares these in ``Rule.reads``
WORKLOAD_READS = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::User",
                  "AWS::IAM::Group", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy", "AWS::Lambda::Function",
                  "AWS::Lambda::Alias", "AWS::Lambda::Version", "AWS::Bedrock::Agent", "AWS::Bedrock::KnowledgeBase",
                  "AWS::Bedrock::DataSource", "AWS::BedrockAgentCore::Runtime", "AWS::BedrockAgentCore::Gateway",
                  "AWS::BedrockAgentCore::GatewayTarget")


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
    """Role logical id -> why it is an AI workload identity (the first reason found)."""
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
    return found


def names_ai(statement: iam.Statement, action: str) -> bool:
    """The statement allows ``action`` through a pattern that names an AI service (not a bare ``*``)."""
    return statement.allows and not statement.not_actions and any(
        pattern.split(":", 1)[0].lower().strip("*?") in _AI_SERVICES and iam.action_matches(pattern, action)
        for pattern, _ in statement.action_patterns())
