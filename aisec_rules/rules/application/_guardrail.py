"""Shared reading of ``AWS::Bedrock::Guardrail`` policy lists (AISEC-APP-01, -02, -03).

A guardrail's content filters (``ContentPolicyConfig.FiltersConfig``) and PII entities
(``SensitiveInformationPolicyConfig.PiiEntitiesConfig``) are lists of objects. Real templates
put intrinsics anywhere in them: a whole policy under ``Fn::If``, one filter under ``Fn::If``
with an ``AWS::NoValue`` branch, a strength taken from a parameter. This module turns such a
list into :class:`Variant` s (one per way the list itself resolves) of :class:`Entry` s (one per
literal possibility of each item), so that the rules judge every branch and say where a value
came from, and never raise on odd shapes.

Property names and enums (checked against the cfn-lint schema of ``AWS::Bedrock::Guardrail``):
``ContentFilterConfig`` has ``Type`` (HATE, INSULTS, SEXUAL, VIOLENCE, MISCONDUCT, PROMPT_ATTACK),
``InputStrength``/``OutputStrength`` (NONE, LOW, MEDIUM, HIGH; both required),
``InputEnabled``/``OutputEnabled`` (boolean), ``InputAction``/``OutputAction`` (BLOCK, NONE),
``InputModalities``/``OutputModalities`` (TEXT, IMAGE). ``PiiEntityConfig`` has ``Type``,
``Action`` (required), ``InputAction``/``OutputAction`` (BLOCK, ANONYMIZE, NONE) and
``InputEnabled``/``OutputEnabled``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from ...context import Context
from ...read.template import MISSING, Resource, Value, is_false
from ..base import path_text

GUARDRAIL = "AWS::Bedrock::Guardrail"

FILTERS_PATH = ("ContentPolicyConfig", "FiltersConfig")
PII_PATH = ("SensitiveInformationPolicyConfig", "PiiEntitiesConfig")
FILTERS_WHERE = "ContentPolicyConfig.FiltersConfig"
STRENGTHS = {"NONE": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}


def join(*origins: str) -> str:
    """Join origin notes ("from the default of parameter X", "when condition C is true")."""
    return "; ".join(o for o in origins if o)


def note(origin: str) -> str:
    return f" ({origin})" if origin else ""


@dataclass(frozen=True, eq=False)
class Entry:
    """One literal possibility of one list item.

    ``item`` is the item's object when ``known``; otherwise the raw value (an intrinsic the
    template cannot resolve, or a value of the wrong shape, ``shape_error`` then says which).
    ``conditional`` is True when the item has other possibilities too (``Fn::If``), including
    being absent (``AWS::NoValue``).
    """

    index: int
    item: Any
    origin: str
    known: bool
    conditional: bool
    shape_error: str = ""


@dataclass
class Variant:
    """One way a policy list resolves.

    ``state`` is ``"list"`` (entries hold the items), ``"absent"`` (the list or a parent object
    is not set), ``"unknown"`` (an intrinsic the template cannot resolve) or ``"odd"`` (a value
    of the wrong shape). ``where`` names the property that is absent, unknown or odd.
    """

    state: str
    origin: str = ""
    where: str = ""
    entries: List[Entry] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.state == "list" and not self.entries


def variants(ctx: Context, resource: Resource, path: Tuple[str, ...]) -> List[Variant]:
    """The ways the list at ``path`` (below ``Properties``) resolves, each with its entries."""
    cache_key = f"guardrail.variants:{resource.logical_id}:{'.'.join(path)}"
    cached = ctx.template.cache.get(cache_key)
    if cached is not None:
        return cached
    result: List[Variant] = []
    # Walk the path, resolving every level (a policy object may sit under Fn::If).
    frontier: List[Tuple[Any, str]] = [(resource.properties, "")]
    for depth, key in enumerate(path):
        following: List[Tuple[Any, str]] = []
        for container, origin in frontier:
            if not isinstance(container, dict):
                result.append(Variant("odd", origin, path_text(path[:depth])))
                continue
            for value in ctx.template.resolve(container.get(key, MISSING)):
                where = path_text(path[: depth + 1])
                combined = join(origin, value.origin)
                if not value.known:
                    result.append(Variant("unknown", combined, where))
                elif value.missing:
                    result.append(Variant("absent", combined, where))
                else:
                    following.append((value.raw, combined))
        frontier = following
    for raw, origin in frontier:
        if not isinstance(raw, list):
            result.append(Variant("odd", origin, path_text(path)))
            continue
        result.append(Variant("list", origin, path_text(path), _entries(ctx, raw, origin)))
    ctx.template.cache[cache_key] = result
    return result


def _entries(ctx: Context, items: List[Any], origin: str) -> List[Entry]:
    entries: List[Entry] = []
    for index, item in enumerate(items):
        values = ctx.template.resolve(item)
        conditional = len(values) > 1
        for value in values:
            combined = join(origin, value.origin)
            if not value.known:
                entries.append(Entry(index, value.raw, combined, False, conditional))
            elif value.missing:
                continue  # an AWS::NoValue branch: the item is absent in that case
            elif not isinstance(value.raw, dict):
                entries.append(Entry(index, value.raw, combined, False, conditional,
                                     f"is {type(value.raw).__name__}, not an object"))
            else:
                entries.append(Entry(index, value.raw, combined, True, conditional))
    return entries


def field_values(ctx: Context, entry: Entry, key: str) -> List[Value]:
    """The literal possibilities of one property of a known entry, origins joined."""
    raw = entry.item.get(key, MISSING) if entry.known else MISSING
    return [Value(v.raw, v.known, join(entry.origin, v.origin)) for v in ctx.template.resolve(raw)]


def entry_types(ctx: Context, entry: Entry) -> List[Value]:
    """The possible ``Type`` values of an entry (strings upper-cased); unknown Values kept."""
    if not entry.known:
        return [Value(entry.item, False, entry.origin)]
    result = []
    for value in field_values(ctx, entry, "Type"):
        if value.known and isinstance(value.raw, str):
            result.append(Value(value.raw.strip().upper(), True, value.origin))
        else:
            result.append(Value(value.raw, False, value.origin))
    return result


@dataclass
class Coverage:
    """Entries of one type in one variant, and whether the type is configured in every case."""

    entries: List[Entry] = field(default_factory=list)
    unconditional: bool = False
    untyped: List[Entry] = field(default_factory=list)


def by_type(ctx: Context, variant: Variant) -> Dict[str, Coverage]:
    """Group a variant's entries by their (upper-case) ``Type``. Entries whose type cannot be
    resolved are listed under every type's ``untyped`` (they might be of that type) via the key
    ``"*"``."""
    groups: Dict[str, Coverage] = {}
    for entry in variant.entries:
        kinds = entry_types(ctx, entry)
        for kind in kinds:
            if not kind.known:
                groups.setdefault("*", Coverage()).untyped.append(entry)
                continue
            coverage = groups.setdefault(kind.raw, Coverage())
            coverage.entries.append(entry)
            if not entry.conditional and len(kinds) == 1:
                coverage.unconditional = True
    return groups


def variant_problem(variant: Variant, what: str) -> str:
    """Why ``variant`` holds no usable list, phrased for ``what`` ("a HATE filter"); empty when it
    is a list (callers ask only about the other states)."""
    origin = note(variant.origin)
    if variant.state == "absent":
        return f"{variant.where} is not set{origin}, so there is no {what}"
    if variant.state == "unknown":
        return f"{variant.where} cannot be verified at synth time{origin}; {what} cannot be confirmed"
    if variant.state == "odd":
        return f"{variant.where} is not an object/list the rule can read{origin}; {what} cannot be confirmed"
    return ""


def show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if isinstance(value, str) else repr(value)


def unknown_entry(ctx: Context, entry: Entry, where: str) -> str:
    """Say why an entry's ``Type`` cannot be read ("FiltersConfig[2].Type cannot be verified ...")."""
    if not entry.known:
        reason = entry.shape_error or "cannot be verified at synth time"
        return f"{where}[{entry.index}] {reason}{note(entry.origin)}"
    origins = [v.origin for v in entry_types(ctx, entry) if not v.known]
    origin = origins[0] if origins else entry.origin
    return f"{where}[{entry.index}].Type cannot be verified at synth time{note(origin)}"


def judge_filter(ctx: Context, entry: Entry, category: str, minimum: str,
                 directions=("Input", "Output")) -> List[str]:
    """Problems of one content-filter entry: strength below ``minimum``, a direction disabled,
    action NONE, modalities without TEXT. AISEC-APP-01 judges both directions at MEDIUM,
    AISEC-APP-02 the input direction at HIGH."""
    label = f"{FILTERS_WHERE}[{category}]"
    allowed = sorted((s for s, rank in STRENGTHS.items() if rank >= STRENGTHS[minimum]), key=STRENGTHS.__getitem__)
    expected = " or ".join(allowed)
    problems: List[str] = []
    for direction in directions:
        side = "prompts" if direction == "Input" else "model responses"
        for value in field_values(ctx, entry, f"{direction}Strength"):
            prop = f"{label}.{direction}Strength"
            if not value.known:
                problems.append(f"{prop} cannot be verified at synth time{note(value.origin)} (must be {expected})")
            elif value.missing:
                problems.append(f"{prop} is not set{note(value.origin)} (must be {expected})")
            else:
                strength = value.raw.strip().upper() if isinstance(value.raw, str) else None
                if strength not in STRENGTHS or STRENGTHS[strength] < STRENGTHS[minimum]:
                    problems.append(f"{prop} is {show(value.raw)}{note(value.origin)} (must be {expected})")
        for value in field_values(ctx, entry, f"{direction}Enabled"):
            prop = f"{label}.{direction}Enabled"
            if not value.known:
                problems.append(f"{prop} cannot be verified at synth time{note(value.origin)} (must not be false)")
            elif is_false(value.raw):
                problems.append(f"{prop} is false{note(value.origin)}, so {side} are not evaluated")
        for value in field_values(ctx, entry, f"{direction}Action"):
            prop = f"{label}.{direction}Action"
            if not value.known:
                problems.append(f"{prop} cannot be verified at synth time{note(value.origin)} (must be BLOCK)")
            elif isinstance(value.raw, str) and value.raw.strip().upper() == "NONE":
                problems.append(f"{prop} is NONE{note(value.origin)}, so harmful {side} are only logged, "
                                "not blocked (must be BLOCK)")
        for value in field_values(ctx, entry, f"{direction}Modalities"):
            if value.known and isinstance(value.raw, list):
                literals = [m.strip().upper() for m in value.raw if isinstance(m, str)]
                if len(literals) == len(value.raw) and "TEXT" not in literals:
                    problems.append(f"{label}.{direction}Modalities is [{', '.join(literals)}]{note(value.origin)}, "
                                    f"so text {side} are not filtered (must include TEXT)")
    return problems
