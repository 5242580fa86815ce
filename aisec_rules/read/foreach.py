"""Expand ``Fn::ForEach`` (transform ``AWS::LanguageExtensions``) offline, as CloudFormation does
before deploying, so that the resources a loop stamps out are judged like any other.

``"Fn::ForEach::Name": [Identifier, Collection, OutputTemplate]`` in ``Resources``, ``Conditions``
or ``Outputs`` repeats ``OutputTemplate`` for each item of ``Collection`` (a list of strings, or a
``Ref`` to a ``CommaDelimitedList``/``List<...>`` parameter, judged by its default): ``${Identifier}``
and ``&{Identifier}`` (the item without its non-alphanumeric characters) in the keys, and
``{"Ref": Identifier}`` and ``${Identifier}`` inside ``Fn::Sub`` in the values, become the item.
Loops nest. Anything else (a collection the template cannot show, ``Fn::ForEach`` inside
properties, more than :data:`MAX_EXPANDED` entries) is a TemplateError naming the loop.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from .template import TemplateError, not_known

TRANSFORM = "AWS::LanguageExtensions"
PREFIX = "Fn::ForEach::"
SECTIONS = ("Resources", "Conditions", "Outputs")
#: entries a template's loops may stamp out in all (CloudFormation's own limit is 500 resources)
MAX_EXPANDED = 5000
#: the ``Metadata`` key of a resource stamped out once by a loop whose collection is not known: the loop's name
UNKNOWN_COLLECTION = "aisec:loop-collection-not-known"


def loop_note(metadata: Dict[str, Any]) -> str:
    """What a finding on a resource stamped out by a loop over an unknown collection adds to its message, or ""."""
    loop = metadata.get(UNKNOWN_COLLECTION)
    if not isinstance(loop, str):
        return ""
    return f" (from {loop}, judged once for every item: its collection is not known at synth time)"


def uses_for_each(data: Any) -> bool:
    """True for a template that declares the transform or has a loop in one of its sections."""
    if not isinstance(data, dict):
        return False
    transform = data.get("Transform")
    if TRANSFORM == transform or (isinstance(transform, list) and TRANSFORM in transform):
        return True
    return any(isinstance(data.get(s), dict) and any(isinstance(k, str) and k.startswith("Fn::ForEach") for k in data[s])
               for s in SECTIONS)


def expand(data: Dict[str, Any], name: str) -> Dict[str, Any]:
    """A copy of ``data`` with every loop of its sections expanded."""
    declared = data.get("Parameters")
    parameters: Dict[str, Any] = declared if isinstance(declared, dict) else {}
    budget = [MAX_EXPANDED]
    result = dict(data)
    for section in SECTIONS:
        if isinstance(data.get(section), dict):
            result[section] = _section(data[section], parameters, name, budget, section == "Resources")
    stack = [result.get("Resources")]
    while stack:  # a loop left inside properties would be read as a property: refuse it instead
        value = stack.pop()
        if isinstance(value, dict):
            loop = next((k for k in value if isinstance(k, str) and k.startswith("Fn::ForEach")), None)
            if loop is not None:
                raise TemplateError(f"{name}: {loop} inside properties is not supported (transform {TRANSFORM}); "
                                    "scan the processed template (aws cloudformation get-template --template-stage "
                                    "Processed)")
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return result


def _section(section: Dict[str, Any], parameters: Dict[str, Any], name: str, budget: List[int],
             resources: bool) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in section.items():
        if not (isinstance(key, str) and key.startswith("Fn::ForEach")):
            _add(out, key, value, name, budget)
            continue
        if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and value[0] and
                isinstance(value[2], dict)):
            raise TemplateError(f"{name}: {key} must be [identifier, collection, output template]")
        identifier, collection, output = value
        items = _collection(collection, parameters)
        for item in items if items is not None else [None]:
            in_keys = item if item is not None else re.sub(r"[^A-Za-z0-9]", "", identifier)
            in_values = item if item is not None else not_known(identifier, f"the item of {key}, whose collection "
                                                                            "is not known at synth time")
            stamped = {_key(k, identifier, in_keys): _value(v, identifier, in_values) for k, v in output.items()}
            for inner_key, inner_value in _section(stamped, parameters, name, budget, resources).items():
                if item is None and resources and isinstance(inner_value, dict):
                    metadata = inner_value.get("Metadata", {})
                    if isinstance(metadata, dict):
                        inner_value = {**inner_value, "Metadata": {UNKNOWN_COLLECTION: key, **metadata}}
                _add(out, inner_key, inner_value, name, budget)
    return out


def _add(out: Dict[str, Any], key: Any, value: Any, name: str, budget: List[int]) -> None:
    if key in out:
        raise TemplateError(f"{name}: Fn::ForEach stamps out {key} twice")
    budget[0] -= 1
    if budget[0] < 0:
        raise TemplateError(f"{name}: Fn::ForEach stamps out more than {MAX_EXPANDED} entries")
    out[key] = value


def _collection(collection: Any, parameters: Dict[str, Any]) -> Optional[List[str]]:
    """The items of a loop's collection, or None when the template cannot show them."""
    if isinstance(collection, dict) and set(collection) == {"Ref"} and collection["Ref"] in parameters:
        parameter = parameters[collection["Ref"]]
        default = parameter.get("Default") if isinstance(parameter, dict) else None
        collection = default.split(",") if isinstance(default, str) else default
    if isinstance(collection, list) and all(isinstance(i, (str, int, float)) and not isinstance(i, bool)
                                            for i in collection):
        return [str(i).strip() for i in collection]
    return None


def _key(key: Any, identifier: str, item: str) -> Any:
    if not isinstance(key, str):
        return key
    return key.replace("${" + identifier + "}", item).replace("&{" + identifier + "}", re.sub(r"[^A-Za-z0-9]", "", item))


def _value(value: Any, identifier: str, item: Any) -> Any:
    """``value`` with the identifier replaced by ``item``: a string, or a placeholder that stands for any item (then
    a ``${Identifier}`` inside ``Fn::Sub`` stays, a reference the template cannot resolve)."""
    if isinstance(value, list):
        return [_value(v, identifier, item) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref" and arg == identifier:
            return item
        if key == "Fn::Sub" and isinstance(item, str):
            placeholder = "${" + identifier + "}"
            if isinstance(arg, str):
                return {key: arg.replace(placeholder, item)}
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                return {key: [arg[0].replace(placeholder, item), *(_value(v, identifier, item) for v in arg[1:])]}
    return {(_key(k, identifier, item) if isinstance(item, str) else k): _value(v, identifier, item)
            for k, v in value.items()}
