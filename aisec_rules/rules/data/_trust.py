"""Shared helpers of the data-layer role rules: which AWS services a role's trust policy lets in,
which roles the agents and knowledge bases of a template run as, and which roles a policy is attached to."""
from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from ...read.template import MISSING, Resource, Template, as_list

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
