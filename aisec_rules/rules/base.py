"""Declarative building blocks for the common rule shapes.

Each helper yields :class:`~aisec_rules.model.Violation` s and follows the engine's contract
for values: a literal insecure value fails, a missing required value fails, a value resolved
from a parameter default or an ``Fn::If`` branch is judged and the message says where it came
from, and an intrinsic the template cannot resolve counts as "set" for presence checks but is
reported as unverifiable where the rule needs a specific value.
"""
from __future__ import annotations

from typing import Any, Callable, Collection, Iterable, Iterator, List, Optional

from ..context import Context
from ..model import Violation
from ..read.template import MISSING, Resource, is_false, is_true

ResourceCheck = Callable[[Context, Resource], Iterable[Violation]]


def per_resource(*types: str) -> Callable[[ResourceCheck], Callable[[Context], Iterator[Violation]]]:
    """Turn ``fn(ctx, resource)`` into a rule check over every resource of ``types``; the check carries
    ``judges = types``, which its :class:`~aisec_rules.model.Rule` takes as what it judges."""

    def wrap(fn: ResourceCheck) -> Callable[[Context], Iterator[Violation]]:
        def check(ctx: Context) -> Iterator[Violation]:
            for resource in ctx.template.of_type(*types):
                yield from fn(ctx, resource)

        check.__doc__ = fn.__doc__
        check.__name__ = fn.__name__
        check.judges = types  # type: ignore[attr-defined]
        return check

    return wrap


def path_text(path: Iterable[Any]) -> str:
    parts: List[str] = []
    for key in path:
        parts.append(f"[{key}]" if isinstance(key, int) else ("." if parts else "") + str(key))
    return "".join(parts)


def normalize(value: Any) -> Any:
    """Booleans written as strings compare as booleans; everything else as is."""
    if is_true(value):
        return True
    if is_false(value):
        return False
    return value


def expect_value(
    ctx: Context,
    resource: Resource,
    path: Iterable[Any],
    *,
    allowed: Optional[Collection[Any]] = None,
    forbidden: Optional[Collection[Any]] = None,
    default: Any = MISSING,
    detail: Optional[str] = None,
    why: str = "",
) -> Iterator[Violation]:
    """The property at ``path`` must be one of ``allowed`` (or none of ``forbidden``).

    ``default`` is what CloudFormation uses when the property is absent (MISSING: absent
    fails when ``allowed`` is given). A value that cannot be resolved is reported as
    unverifiable, never passed silently.
    """
    path = tuple(path)
    where = path_text(path)
    raw = resource.prop(*path)
    for value in ctx.template.resolve(raw):
        if not value.known:
            yield Violation(resource.logical_id,
                            f"{where} cannot be verified at synth time{value.note()}; {_expectation(allowed, forbidden)}{why}",
                            detail)
            continue
        actual = value.raw
        if actual is MISSING or actual is None:
            if default is MISSING:
                if allowed is not None:
                    yield Violation(resource.logical_id, f"{where} is not set{value.note()}; {_expectation(allowed, forbidden)}{why}", detail)
                continue
            actual, shown = default, f"not set (defaults to {_show(default)})"
        else:
            shown = f"is {_show(actual)}"
        if isinstance(actual, (list, dict)):
            yield Violation(resource.logical_id, f"{where} is not a single value{value.note()}; cannot be verified: "
                                                 f"{_expectation(allowed, forbidden)}{why}", detail)
            continue
        actual = normalize(actual)
        bad = (allowed is not None and actual not in [normalize(a) for a in allowed]) or (
            forbidden is not None and actual in [normalize(f) for f in forbidden])
        if bad:
            yield Violation(resource.logical_id, f"{where} {shown}{value.note()}; {_expectation(allowed, forbidden)}{why}", detail)


def expect_set(
    ctx: Context,
    resource: Resource,
    path: Iterable[Any],
    *,
    detail: Optional[str] = None,
    why: str = "",
) -> Iterator[Violation]:
    """The property at ``path`` must be present and non-empty. A reference (``Ref``,
    ``Fn::GetAtt``, ``Fn::ImportValue``, ...) counts as set."""
    path = tuple(path)
    for value in ctx.template.resolve(resource.prop(*path)):
        if value.known and (value.raw is MISSING or value.raw is None or value.raw == "" or value.raw == [] or value.raw == {}):
            yield Violation(resource.logical_id, f"{path_text(path)} is not set{value.note()}{why}", detail)


def require_resource(ctx: Context, types: Collection[str], message: str) -> Iterator[Violation]:
    """A workload-level control: at least one resource of ``types`` must be in the template.
    The finding attaches to the resource that makes the workload an AI workload."""
    if not ctx.template.of_type(*types):
        yield Violation(None, message)


def _show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return repr(value) if not isinstance(value, str) else value


def _expectation(allowed: Optional[Collection[Any]], forbidden: Optional[Collection[Any]]) -> str:
    if allowed is not None:
        options = sorted(_show(normalize(a)) for a in allowed)
        return f"must be {options[0]}" if len(options) == 1 else "must be one of " + ", ".join(options)
    return "must not be " + " or ".join(sorted(_show(normalize(f)) for f in forbidden or ()))
