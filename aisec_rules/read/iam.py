"""IAM policy documents as data: every statement of every identity policy in a template, and
wildcard-aware action matching. Shared by the IAM rules and by capability detection, and
computed once per template."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .template import MISSING, Template, Value, as_list, dig

# Inline and managed identity policies, as (resource type, path to the policy document list).
_INLINE_POLICY_HOLDERS = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
_DOCUMENT_HOLDERS = (
    "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy",
)
#: every type :func:`statements` reads: what a rule over identity policy statements judges
POLICY_TYPES = _INLINE_POLICY_HOLDERS + _DOCUMENT_HOLDERS


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


def wildcard_match(pattern: str, text: str) -> bool:
    """``*`` (any run) and ``?`` (one character) wildcard matching, case-sensitive. A linear scan
    that keeps only the last ``*`` to return to, never a regular expression built from the pattern
    (which backtracks exponentially on ``*?*?...``): O(len(pattern) * len(text)) at worst."""
    p = t = 0
    star, mark = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] == "*":
            star, mark = p, t
            p += 1
        elif p < len(pattern) and pattern[p] in ("?", text[t]):
            p += 1
            t += 1
        elif star >= 0:
            p, mark = star + 1, mark + 1
            t = mark
        else:
            return False
    return pattern[p:].strip("*") == ""


@lru_cache(maxsize=8192)
def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, ``*`` and ``?`` wildcards in the pattern."""
    return wildcard_match(pattern.lower(), action.lower())


@dataclass(frozen=True)
class Unverifiable:
    """A part of an identity policy the template cannot show (a document from ``Fn::GetAtt`` or
    ``Fn::ImportValue``, a string that is not JSON, more possibilities than the view enumerates):
    its statements cannot be judged, and rules report that instead of passing it."""

    resource: str
    part: str
    reason: str


def statements(template: Template) -> List[Statement]:
    """All statements of identity policies in the template (cached on the template)."""
    return _view(template)[0]


def unverifiable(template: Template) -> List[Unverifiable]:
    """The policy parts whose statements cannot be judged (cached on the template)."""
    return _view(template)[1]


def document_statements(template: Template, holder: str, document: Any) -> Tuple[List[Statement], List[Unverifiable]]:
    """The statements of one policy document held outside IAM (an Organizations service control policy's
    ``Content``: an object or a JSON string), read as identity policies are, and the parts that cannot
    be judged."""
    problems: List[Unverifiable] = []
    return list(_statements_of(template, holder, document, problems)), problems


def _view(template: Template) -> Tuple[List[Statement], List[Unverifiable]]:
    cached = template.cache.get("iam.view")
    if cached is None:
        problems: List[Unverifiable] = []
        cached = (list(_collect(template, problems)), problems)
        template.cache["iam.view"] = cached
    return cached


def _branches(template: Template, value: Any, holder: str, part: str, problems: List[Unverifiable]) -> Iterable[Any]:
    """The literal possibilities of a structural value (policies, a document, statements): each
    Fn::If branch and parameter default, absent ones dropped, a string read as JSON (a parameter
    default can only be a string). What cannot be read is recorded in ``problems``."""
    for possibility in template.resolve(value):
        if possibility.missing:
            continue
        if not possibility.known:
            shown = template.text(possibility.raw) if isinstance(possibility.raw, dict) else None
            shown = shown if shown and not shown.startswith("${Fn::If") else next(iter(possibility.raw), "?")
            problems.append(Unverifiable(holder, part, f"it is {shown}{possibility.note()}"))
        elif isinstance(possibility.raw, str):
            try:
                yield json.loads(possibility.raw)
            except (ValueError, RecursionError):
                problems.append(Unverifiable(holder, part, f"it is a string that is not valid JSON{possibility.note()}"))
        else:
            yield possibility.raw


def _collect(template: Template, problems: List[Unverifiable]) -> Iterable[Statement]:
    for holder in template.of_type(*_INLINE_POLICY_HOLDERS):
        name = holder.logical_id
        for policies in _branches(template, holder.prop("Policies"), name, "Policies", problems):
            for policy in as_list(policies):
                for branch in _branches(template, policy, name, "Policies", problems):
                    if isinstance(branch, dict) and "PolicyDocument" in branch:
                        yield from _statements_of(template, name, branch["PolicyDocument"], problems)
    for holder in template.of_type(*_DOCUMENT_HOLDERS):
        yield from _statements_of(template, holder.logical_id, holder.prop("PolicyDocument"), problems)


def _statements_of(template: Template, holder: str, document: Any,
                   problems: List[Unverifiable]) -> Iterable[Statement]:
    """Statements of a policy document given as an object, a JSON string (also one built with
    Fn::Sub / Fn::Join: references become ${...} text, or from a parameter default), an
    ``Fn::ToJsonString`` of an object, or under Fn::If (every branch)."""
    for branch in _documents(template, holder, document, problems):
        for statements_value in _branches(template, dig(branch, "Statement"), holder, "PolicyDocument.Statement",
                                          problems):
            for item in as_list(statements_value):
                for raw in _branches(template, item, holder, "PolicyDocument.Statement", problems):
                    if isinstance(raw, dict):
                        yield from _statement(template, holder, raw)


def _documents(template: Template, holder: str, document: Any, problems: List[Unverifiable]) -> Iterable[Any]:
    if isinstance(document, dict) and len(document) == 1:
        key = next(iter(document))
        if key in ("Fn::Sub", "Fn::Join"):
            text = template.text(document)
            if text is None:
                problems.append(Unverifiable(holder, "PolicyDocument", f"it is a {key} the template cannot show"))
                return
            document = text
        elif key == "Fn::ToJsonString":  # AWS::LanguageExtensions: the object is the document
            document = document[key]
    yield from _branches(template, document, holder, "PolicyDocument", problems)


def _statement(template: Template, holder: str, raw: dict) -> Iterable[Statement]:
    """The statement once per effect it may have: an ``Effect`` that is an intrinsic (``Fn::If``,
    a parameter default, ``Fn::Sub``) is judged on each literal; one the template cannot show is
    judged as ``Allow``, the effect that matters for a least-privilege check."""
    effects: Dict[Any, None] = {}
    for effect in template.resolve(raw.get("Effect", MISSING)):
        effects.setdefault(effect.raw if isinstance(effect.raw, str) else ("Allow" if not effect.known else None),
                           None)
    actions = tuple(_values(template, raw.get("Action", MISSING)))
    not_actions = tuple(_values(template, raw.get("NotAction", MISSING)))
    resources = tuple(_values(template, raw.get("Resource", MISSING)))
    for effect in effects:
        yield Statement(
            resource=holder,
            effect=effect,
            actions=actions,
            not_actions=not_actions,
            resources=resources,
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
    if "*" not in action or action.strip("*?"):  # bedrock:*, bedrock:?* and bedrock:*? grant every action
        return None
    for candidate in services:
        if action_matches(service, candidate):
            return candidate
    return None
