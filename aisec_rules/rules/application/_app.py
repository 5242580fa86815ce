"""Shared reading for the application rules AISEC-APP-05..13, -15, -16, -26, -28, -29.

* :func:`possibilities` — the literal possibilities of a value with their origin notes, never raising.
* :func:`version_problems` — why a version reference is (or may be) the unpinned working draft: a literal
  ``DRAFT``, a parameter default ``DRAFT``, or a ``Fn::GetAtt`` to the ``Version`` attribute of an
  ``AWS::Bedrock::Guardrail`` / ``AWS::Bedrock::Prompt`` or the ``AgentVersion`` attribute of an
  ``AWS::Bedrock::Agent`` (these read-only attributes are always ``DRAFT``: numbered versions come from
  ``AWS::Bedrock::GuardrailVersion``, ``AWS::Bedrock::PromptVersion`` and agent aliases).
* :func:`flow_nodes` — the nodes of an ``AWS::Bedrock::Flow`` (``Definition`` object, each ``Fn::If``
  branch; or ``DefinitionString`` JSON, PascalCase or camelCase keys; nodes nested in ``Loop`` nodes),
  as :class:`Node` records, plus the problems that stop the definition from being read.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

from ...context import Context
from ...read.template import MISSING, Resource, Value

#: Read-only attributes that always hold the working draft.
DRAFT_ATTRIBUTES = {
    ("AWS::Bedrock::Guardrail", "Version"),
    ("AWS::Bedrock::Prompt", "Version"),
    ("AWS::Bedrock::Agent", "AgentVersion"),
    ("AWS::Bedrock::Flow", "Version"),
}


def note(origin: str) -> str:
    return f" ({origin})" if origin else ""


def join(*origins: str) -> str:
    return "; ".join(o for o in origins if o)


def show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if isinstance(value, str) else repr(value)


def possibilities(ctx: Context, raw: Any, origin: str = "") -> List[Value]:
    """``ctx.template.resolve`` with the outer origin joined in."""
    return [Value(v.raw, v.known, join(origin, v.origin)) for v in ctx.template.resolve(raw)]


def upper(value: Value) -> Optional[str]:
    """The upper-case text of a known string value, else None."""
    return value.raw.strip().upper() if value.known and isinstance(value.raw, str) else None


def getatt(ctx: Context, raw: Any) -> Optional[Tuple[Resource, str]]:
    """(target resource, attribute) of a ``Fn::GetAtt`` (list or dotted form) or a one-variable
    ``Fn::Sub`` of ``${Id.Attr}``; None otherwise."""
    if not isinstance(raw, dict) or len(raw) != 1:
        return None
    key, arg = next(iter(raw.items()))
    attr = None
    if key == "Fn::GetAtt":
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], str):
            attr = arg[1]
        elif isinstance(arg, str) and "." in arg:
            attr = arg.split(".", 1)[1]
    elif key == "Fn::Sub" and isinstance(arg, str) and arg.startswith("${") and arg.endswith("}") and "." in arg:
        attr = arg[2:-1].split(".", 1)[1]
    target = ctx.template.target(raw) if attr else None
    return (target, attr) if target is not None and attr is not None else None


def version_problems(ctx: Context, raw: Any, where: str, origin: str = "", required: bool = True) -> List[str]:
    """Problems of a version reference: absent (when ``required``), ``DRAFT``, or a draft attribute."""
    problems: List[str] = []
    for value in possibilities(ctx, raw, origin):
        if value.known and (value.raw is MISSING or value.raw is None or value.raw == ""):
            if required:
                problems.append(f"{where} is not set{note(value.origin)}")
            continue
        if value.known:
            if upper(value) == "DRAFT":
                problems.append(f"{where} is DRAFT{note(value.origin)}")
            elif not isinstance(value.raw, (str, int)) or isinstance(value.raw, bool):
                problems.append(f"{where} is {show(value.raw)}{note(value.origin)}, not a version number")
            continue
        found = getatt(ctx, value.raw)
        if found and (found[0].type, found[1]) in DRAFT_ATTRIBUTES:
            problems.append(f"{where} is Fn::GetAtt {found[0].logical_id}.{found[1]}{note(value.origin)}, which is "
                            f"always DRAFT (the working draft of the {found[0].type})")
        # any other intrinsic (GuardrailVersion.Version, an import, a parameter without default) counts as pinned
    return problems


# -- flows -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One flow node (one literal possibility of it)."""

    label: str          # node name ("Loop/Inner" inside a loop), or "#<index>" when the name is not a literal
    type: Optional[str]  # literal node type, or None when it cannot be read
    config: Any          # the Configuration object (MISSING when absent)
    origin: str
    parsed: bool         # from DefinitionString JSON (camelCase keys allowed)


def get(obj: Any, key: str, parsed: bool) -> Any:
    """``obj[key]``; for parsed JSON strings also the camelCase key of the Bedrock API shape."""
    if not isinstance(obj, dict):
        return MISSING
    if key in obj:
        return obj[key]
    if parsed:
        camel = key[:1].lower() + key[1:]
        if camel in obj:
            return obj[camel]
    return MISSING


def flow_nodes(ctx: Context, flow: Resource) -> Tuple[List[Node], List[str]]:
    """The nodes of a flow and the problems that stop (part of) its definition from being read."""
    nodes: List[Node] = []
    problems: List[str] = []
    definition = flow.prop("Definition")
    if definition is not MISSING:
        for value in ctx.template.resolve(definition):
            if not value.known:
                problems.append(f"Definition cannot be verified at synth time{note(value.origin)}")
            elif not value.missing:
                _walk(ctx, value.raw, "Definition", value.origin, False, "", nodes, problems)
        return nodes, problems
    string = flow.prop("DefinitionString")
    if string is not MISSING:
        for value in ctx.template.resolve(string):
            if value.missing:
                continue
            if value.known and isinstance(value.raw, dict):
                _walk(ctx, value.raw, "DefinitionString", value.origin, False, "", nodes, problems)
                continue
            text = value.raw if value.known and isinstance(value.raw, str) else (
                None if value.known else ctx.template.text(value.raw))
            try:
                parsed = json.loads(text) if text is not None else None
            except ValueError:
                parsed = None
            if parsed is None:
                problems.append(f"DefinitionString cannot be read as JSON at synth time{note(value.origin)}")
            else:
                _walk(ctx, parsed, "DefinitionString", value.origin, True, "", nodes, problems)
        return nodes, problems
    if flow.prop("DefinitionS3Location") is not MISSING:
        problems.append("the flow definition is only in DefinitionS3Location and cannot be read at synth time")
    return nodes, problems


def _walk(ctx: Context, definition: Any, where: str, origin: str, parsed: bool, prefix: str,
          nodes: List[Node], problems: List[str]) -> None:
    if not isinstance(definition, dict):
        problems.append(f"{where} is not an object the rule can read{note(origin)}")
        return
    for listing in possibilities(ctx, get(definition, "Nodes", parsed), origin):
        if not listing.known:
            problems.append(f"{where}.Nodes cannot be verified at synth time{note(listing.origin)}")
            continue
        if listing.missing:
            continue
        if not isinstance(listing.raw, list):
            problems.append(f"{where}.Nodes is not a list{note(listing.origin)}")
            continue
        for index, item in enumerate(listing.raw):
            for node in possibilities(ctx, item, listing.origin):
                if node.known and node.missing:
                    continue
                if not node.known or not isinstance(node.raw, dict):
                    problems.append(f"{where}.Nodes[{index}] cannot be read{note(node.origin)}")
                    continue
                name = get(node.raw, "Name", parsed)
                label = prefix + (name if isinstance(name, str) else f"#{index}")
                kinds = [upper(k) for k in possibilities(ctx, get(node.raw, "Type", parsed), node.origin)]
                kind = kinds[0] if len(kinds) == 1 else None
                config = get(node.raw, "Configuration", parsed)
                for cfg in possibilities(ctx, config, node.origin):
                    nodes.append(Node(label, kind, cfg.raw if cfg.known else MISSING, cfg.origin, parsed))
                    if kind == "LOOP" and cfg.known:
                        inner = get(get(cfg.raw, "Loop", parsed), "Definition", parsed)
                        if inner is not MISSING:
                            _walk(ctx, inner, f"{where}.Nodes[{index}].Configuration.Loop.Definition", cfg.origin,
                                  parsed, label + "/", nodes, problems)
