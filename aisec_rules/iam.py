"""IAM policy documents as data: every statement of every identity policy in a template, and
wildcard-aware action matching. Shared by the IAM rules and by capability detection, and
computed once per template."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, List, Optional, Tuple

from .template import MISSING, Template, Value, as_list, dig

# Inline and managed identity policies, as (resource type, path to the policy document list).
_INLINE_POLICY_HOLDERS = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
_DOCUMENT_HOLDERS = (
    "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy",
)


@dataclass(frozen=True)
class Statement:
    """One policy statement, located by the logical id of the resource that holds it."""

    resource: str
    effect: Any
    actions: Tuple[Value, ...]
    not_actions: Tuple[Value, ...]
    resources: Tuple[Value, ...]
    not_resources: bool
    condition: Any
    raw: dict

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def action_patterns(self) -> List[Tuple[str, str]]:
        """Literal action patterns with their origin note; unresolvable actions are skipped."""
        return [(v.raw, v.note()) for v in self.actions if v.known and isinstance(v.raw, str)]

    def grants(self, action: str) -> bool:
        """True when this Allow statement grants ``action`` (directly, by wildcard, or through a
        NotAction that does not exclude it)."""
        if not self.allows:
            return False
        if self.not_actions:
            return not any(v.known and isinstance(v.raw, str) and action_matches(v.raw, action) for v in self.not_actions)
        return any(action_matches(pattern, action) for pattern, _ in self.action_patterns())

    def condition_keys(self) -> List[str]:
        """Lower-cased condition keys across all operators (``aws:sourceaccount``)."""
        keys: List[str] = []
        if isinstance(self.condition, dict):
            for block in self.condition.values():
                if isinstance(block, dict):
                    keys.extend(str(k).lower() for k in block)
        return keys


@lru_cache(maxsize=4096)
def _pattern_regex(pattern: str) -> "re.Pattern[str]":
    return re.compile("^" + ".*".join(".".join(re.escape(p) for p in part.split("?")) for part in pattern.split("*")) + "$", re.IGNORECASE)


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, ``*`` and ``?`` wildcards in the pattern."""
    return bool(_pattern_regex(pattern).match(action))


def statements(template: Template) -> List[Statement]:
    """All statements of identity policies in the template (cached on the template)."""
    cached = template.cache.get("iam.statements")
    if cached is None:
        cached = list(_collect(template))
        template.cache["iam.statements"] = cached
    return cached


def _branches(template: Template, value: Any) -> Iterable[Any]:
    """The literal possibilities of a structural value (each Fn::If branch; absent ones dropped)."""
    for possibility in template.resolve(value):
        if possibility.known and not possibility.missing:
            yield possibility.raw


def _collect(template: Template) -> Iterable[Statement]:
    for holder in template.of_type(*_INLINE_POLICY_HOLDERS):
        for policies in _branches(template, holder.prop("Policies")):
            for policy in as_list(policies):
                for branch in _branches(template, policy):
                    yield from _statements_of(template, holder.logical_id, dig(branch, "PolicyDocument"))
    for holder in template.of_type(*_DOCUMENT_HOLDERS):
        yield from _statements_of(template, holder.logical_id, holder.prop("PolicyDocument"))


def _statements_of(template: Template, holder: str, document: Any) -> Iterable[Statement]:
    """Statements of a policy document given as an object, a JSON string (also one built with
    Fn::Sub / Fn::Join: references become ${...} text), or under Fn::If (every branch)."""
    for branch in _documents(template, document):
        for statements_value in _branches(template, dig(branch, "Statement")):
            for item in as_list(statements_value):
                for raw in _branches(template, item):
                    if isinstance(raw, dict):
                        yield _statement(template, holder, raw)


def _documents(template: Template, document: Any) -> Iterable[Any]:
    if isinstance(document, dict) and len(document) == 1 and next(iter(document)) in ("Fn::Sub", "Fn::Join"):
        document = template.text(document)
    if isinstance(document, str):
        try:
            yield json.loads(document)
        except ValueError:
            return
        return
    yield from _branches(template, document)


def _statement(template: Template, holder: str, raw: dict) -> Statement:
    return Statement(
        resource=holder,
        effect=raw.get("Effect"),
        actions=tuple(_values(template, raw.get("Action", MISSING))),
        not_actions=tuple(_values(template, raw.get("NotAction", MISSING))),
        resources=tuple(_values(template, raw.get("Resource", MISSING))),
        not_resources="NotResource" in raw,
        condition=raw.get("Condition"),
        raw=raw,
    )


def _values(template: Template, value: Any) -> Iterable[Value]:
    for possibility in template.resolve(value):
        if possibility.known and isinstance(possibility.raw, list):
            for item in possibility.raw:
                for inner in template.resolve(item):
                    if not inner.missing:
                        yield Value(inner.raw, inner.known, inner.origin or possibility.origin)
        elif not possibility.missing:
            yield possibility


def is_service_wildcard(pattern: str, services: Iterable[str]) -> Optional[str]:
    """The first of ``services`` whose every action ``pattern`` grants (``*``, ``bedrock:*``,
    ``bedrock*:*``), or None."""
    if pattern.strip() == "*":
        return next(iter(services), None)
    service, _, action = pattern.partition(":")
    if not action or action.strip("*"):
        return None
    for candidate in services:
        if action_matches(service, candidate):
            return candidate
    return None
