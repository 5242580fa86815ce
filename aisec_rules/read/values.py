"""Judging string-shaped values (ARNs, actions, principals) that may be literals or intrinsics.

:func:`classify` turns one possibility from :meth:`Template.resolve` into what a rule can judge:
text (literal, or rendered with ``${...}`` placeholders, parameters with defaults substituted),
a single reference to a resource of the template, an import, or unknown.
"""
from __future__ import annotations

import re
from typing import NamedTuple, Optional, Tuple

from . import iam
from .template import Resource, Template, Value

PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


class Classified(NamedTuple):
    """One resolved possibility of a string-shaped value (an ARN, an action).

    ``kind`` is ``"text"`` (judge ``text``), ``"resource"`` (a single reference to ``resource`` of
    this template), ``"import"`` (an ``Fn::ImportValue``) or ``"unknown"`` (cannot be judged).
    ``text`` is the literal or rendered text (``${...}`` placeholders), None when not string-shaped.
    """

    kind: str
    text: Optional[str]
    resource: Optional[Resource]
    note: str


def substitute_parameters(template: Template, text: str) -> Tuple[str, str]:
    """Replace ``${Param}`` placeholders of parameters with a string/number default by the default
    (not for ``AWS::SSM::Parameter::Value<...>`` parameters, whose default is a parameter name);
    return the text and an origin note ("from the default of parameter X")."""
    notes = []

    def replace(match: "re.Match[str]") -> str:
        name = match.group(1)
        param = template.parameters.get(name)
        default = param.get("Default") if isinstance(param, dict) else None
        if str(param.get("Type", "") if isinstance(param, dict) else "").startswith("AWS::SSM::Parameter::Value"):
            return match.group(0)  # the default names an SSM parameter; its value is unknown at synth time
        if isinstance(default, (str, int, float)) and not isinstance(default, bool):
            notes.append(f"from the default of parameter {name}")
            return str(default)
        return match.group(0)

    return PLACEHOLDER.sub(replace, text), "; ".join(notes)


def classify(template: Template, value: Value) -> Classified:
    """Classify one possibility yielded by ``template.resolve`` (or ``iam.Statement`` values)."""
    note = value.note()
    raw = value.raw
    if value.known:
        if isinstance(raw, str):
            return Classified("text", raw, None, note)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return Classified("text", str(raw), None, note)
        return Classified("unknown", None, None, note)
    text = template.text(raw)
    if text is None:
        return Classified("unknown", None, None, note)
    text, extra = substitute_parameters(template, text)
    if extra:
        note = f"{note[:-1]}; {extra})" if note else f" ({extra})"
    single = PLACEHOLDER.fullmatch(text)
    if single:
        name = single.group(1)
        if name.startswith("Import:"):
            return Classified("import", text, None, note)
        resource = template.get(name.split(".", 1)[0])
        if resource is not None:
            return Classified("resource", text, resource, note)
        return Classified("unknown", text, None, note)
    return Classified("text", text, None, note)


def detail_text(text: Optional[str]) -> str:
    """A value made fit for a finding detail: no whitespace, no square brackets."""
    if not text:
        return "?"
    return re.sub(r"[\s\[\]]+", "", text) or "?"


def where(statement: iam.Statement) -> str:
    """How a message starts naming a statement: ``Statement "Sid"`` or ``A statement``."""
    sid = statement.raw.get("Sid")
    return f'Statement "{sid}"' if isinstance(sid, str) and sid else "A statement"
