"""A read-only view of one CloudFormation template, and the helpers that judge intrinsic values.

Rules read CloudFormation-shaped dicts (PascalCase property names, exactly as synthesized).
Values may be literals or intrinsics; :meth:`Template.resolve` turns a value into the literal
possibilities it may take:

* a ``Ref`` to a template parameter is judged by the parameter's ``Default`` (the origin says
  so); a parameter without a default is unknown;
* each branch of an ``Fn::If`` is judged (``AWS::NoValue`` in a branch means "absent");
* an ``Fn::Join`` is judged on each text its parts may take (``Fn::If`` branches, parameter
  defaults); an ``Fn::Sub`` without references is its text;
* any other intrinsic (``Ref`` to a resource, ``Fn::GetAtt``, ``Fn::ImportValue``, ``Fn::Sub``,
  ...) is not a literal: rules treat it as "set to something the template cannot show";
* a placeholder the reader put where the template cannot show a value (:func:`not_known`: an image that
  ``sam build`` makes, the item of a loop over a collection known only at deploy time) is unknown, and its
  origin says why.

Templates are hostile input: :meth:`Template.resolve` is the one place that bounds what is
enumerated (:data:`MAX_POSSIBILITIES`; past it, one unknown possibility) and cuts parameter
defaults that refer back to themselves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice, product
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set, Tuple


#: the most literal possibilities :meth:`Template.resolve` enumerates for one value
MAX_POSSIBILITIES = 64
#: how a :func:`not_known` placeholder starts (``{"Ref": NOT_KNOWN + "label:reason"}``): no parameter or resource
#: has this name, as CloudFormation names are alphanumeric
NOT_KNOWN = "aisec:not-known:"


def not_known(label: str, reason: str) -> Dict[str, str]:
    """A placeholder for a value the template does not show: :meth:`Template.resolve` judges it unknown, with
    ``reason`` as its origin ("the image is built by sam build"); :meth:`Template.text` renders it ``${label}``
    (``label`` has no colon: a property or loop identifier name)."""
    return {"Ref": f"{NOT_KNOWN}{label.replace(':', '')}:{reason}"}


class TemplateError(ValueError):
    """The input is not a CloudFormation template this library can read."""

    def problem(self, name: object) -> str:
        """The message without the ``<name>: `` it starts with (to say it again in other words)."""
        text, prefix = str(self), f"{name}: "
        return text[len(prefix):] if text.startswith(prefix) else text


class _Missing:
    """Sentinel for an absent property (distinct from an explicit null)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

_PSEUDO_PARAMETERS = {
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
    "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
}


def is_intrinsic(value: Any) -> bool:
    """True for ``{"Ref": ...}``, ``{"Fn::...": ...}`` and ``{"Condition": ...}`` objects."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Ref" or key.startswith("Fn::") or key == "Condition"


def is_true(value: Any) -> bool:
    """CloudFormation booleans may be JSON booleans or the strings "true"/"false"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def as_list(value: Any) -> List[Any]:
    """A list property given as a single item (IAM ``Action: "s3:GetObject"``) becomes a list."""
    if value is MISSING or value is None:
        return []
    return value if isinstance(value, list) else [value]


def dig(value: Any, *keys: Any) -> Any:
    """Follow keys (dict keys or list indices) through nested data; MISSING where a step is absent
    or the data has another shape."""
    for key in keys:
        if isinstance(key, int) and isinstance(value, list) and -len(value) <= key < len(value):
            value = value[key]
        elif isinstance(key, str) and isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return MISSING
    return value


@dataclass(frozen=True)
class Value:
    """One literal possibility of a property value.

    ``known`` is False when the value is an intrinsic the template cannot resolve (a resource
    attribute, an import, a parameter without default); ``raw`` then holds the intrinsic.
    ``origin`` says where a resolved literal came from ("" when it was written in place).
    """

    raw: Any
    known: bool = True
    origin: str = ""

    @property
    def missing(self) -> bool:
        return self.known and (self.raw is MISSING or self.raw is None)

    def note(self) -> str:
        """A suffix for finding messages: " (from the default of parameter X)" or ""."""
        return f" ({self.origin})" if self.origin else ""


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: Dict[str, Any]
    metadata: Dict[str, Any]
    condition: Optional[str]

    def prop(self, *keys: Any) -> Any:
        """The property at a path of keys below ``Properties``, or MISSING."""
        return dig(self.properties, *keys)


class Template:
    """A read-only view of one template: resources by logical id and by type, parameters,
    reference resolution and a per-template cache for derived data shared between rules."""

    def __init__(self, data: Any, path: str = "<template>"):
        self.path = path
        if not isinstance(data, dict):
            raise TemplateError(f"{path}: a template must be a JSON/YAML object, got {type(data).__name__}")
        resources = data.get("Resources")
        if resources is None:
            raise TemplateError(f"{path}: not a CloudFormation template (no Resources section)")
        if not isinstance(resources, dict):
            raise TemplateError(f"{path}: Resources must be an object, got {type(resources).__name__}")
        self.data = data
        self.resources: Dict[str, Resource] = {}
        self._by_type: Dict[str, List[Resource]] = {}
        for logical_id in sorted(resources, key=str):
            if not isinstance(logical_id, str):
                raise TemplateError(f"{path}: logical id {logical_id!r} must be a string")
            body = resources[logical_id]
            if not isinstance(body, dict):
                raise TemplateError(f"{path}: resource {logical_id} must be an object, got {type(body).__name__}")
            rtype = body.get("Type")
            if not isinstance(rtype, str):
                raise TemplateError(f"{path}: resource {logical_id} has no Type string")
            props = body.get("Properties", {})
            if props is None:
                props = {}
            if not isinstance(props, dict):
                raise TemplateError(f"{path}: Properties of resource {logical_id} must be an object")
            metadata: Dict[str, Any] = body["Metadata"] if isinstance(body.get("Metadata"), dict) else {}
            resource = Resource(logical_id, rtype, props, metadata, body.get("Condition"))
            self.resources[logical_id] = resource
            self._by_type.setdefault(rtype, []).append(resource)
        parameters = data.get("Parameters", {})
        self.parameters: Dict[str, Any] = parameters if isinstance(parameters, dict) else {}
        template_metadata = data.get("Metadata")
        self.metadata: Dict[str, Any] = template_metadata if isinstance(template_metadata, dict) else {}
        self.cache: Dict[str, Any] = {}
        #: for a joined view of several templates (:mod:`aisec_rules.system.join`): joined logical id ->
        #: (template path, logical id in that template); empty for a single template
        self.origins: Dict[str, Tuple[str, str]] = {}
        #: for a joined view: (user path, declarer path) of each cross-stack reference resolved
        self.links: Set[Tuple[str, str]] = set()

    # -- lookup -------------------------------------------------------------------------------

    def of_type(self, *types: str) -> List[Resource]:
        """Resources of the given types, sorted by logical id."""
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        found = [r for t in types for r in self._by_type.get(t, ())]
        return sorted(found, key=lambda r: r.logical_id)

    def of_family(self, prefix: str) -> List[Resource]:
        """Resources whose type starts with ``prefix`` (``"Custom::"``, ``"AWS::BedrockAgentCore::"``), sorted by
        logical id: for a rule that judges a family of types, some of which it cannot list ahead."""
        found = [r for t, rs in self._by_type.items() if t.startswith(prefix) for r in rs]
        return sorted(found, key=lambda r: r.logical_id)

    def origin(self, logical_id: str) -> Tuple[str, str]:
        """The template path and logical id a resource of this view was declared with."""
        return self.origins.get(logical_id, (self.path, logical_id))

    def types(self) -> Iterable[str]:
        return self._by_type.keys()

    def get(self, logical_id: Any) -> Optional[Resource]:
        return self.resources.get(logical_id) if isinstance(logical_id, str) else None

    def target(self, value: Any) -> Optional[Resource]:
        """The resource that a ``Ref``, ``Fn::GetAtt`` (list or "Id.Attr" form) or a ``Fn::Sub``
        made of a single ``${Id}``/``${Id.Attr}`` reference points to; None otherwise."""
        if not isinstance(value, dict) or len(value) != 1:
            return None
        if "Ref" in value:
            return self.get(value["Ref"])
        if "Fn::GetAtt" in value:
            return self.get(_getatt_target(value["Fn::GetAtt"]))
        if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
            match = re.fullmatch(r"\$\{([A-Za-z0-9@]+)(\.[A-Za-z0-9.]+)?\}", value["Fn::Sub"])
            return self.get(match.group(1)) if match else None
        return None

    def references(self, value: Any) -> List[Resource]:
        """Every resource referenced anywhere inside a value (Ref, GetAtt, Sub variables)."""
        found: Dict[str, Resource] = {}
        for logical_id in _referenced_ids(value):
            resource = self.get(logical_id)
            if resource is not None:
                found[logical_id] = resource
        return [found[k] for k in sorted(found)]

    # -- values -------------------------------------------------------------------------------

    def resolve(self, value: Any) -> List[Value]:
        """The literal possibilities of a value (see the module docstring). This is the one place
        that bounds how many are enumerated: ``Fn::If`` chains through parameter defaults double at
        every step, so past :data:`MAX_POSSIBILITIES` the rest is one unknown possibility ("cannot
        be verified"); a parameter whose default refers back to itself is unknown too."""
        if not isinstance(value, dict) or len(value) != 1:
            return [Value(value)]  # a literal: the common case, kept cheap
        found = list(islice(self._resolve(value, "", ()), MAX_POSSIBILITIES + 1))
        if len(found) > MAX_POSSIBILITIES:
            found[MAX_POSSIBILITIES:] = [Value(value, False, f"it has more than {MAX_POSSIBILITIES} possible values "
                                                            "through Fn::If and parameter defaults")]
        return found

    def _resolve(self, value: Any, origin: str, seen: Tuple[str, ...]) -> Iterator[Value]:
        if isinstance(value, dict) and len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == "Ref" and isinstance(arg, str):
                if arg == "AWS::NoValue":
                    yield Value(MISSING, True, origin)
                    return
                if arg.startswith(NOT_KNOWN):
                    yield Value(value, False, _join(origin, arg[len(NOT_KNOWN):].split(":", 1)[-1]))
                    return
                if arg in self.parameters:
                    param = self.parameters[arg] if isinstance(self.parameters[arg], dict) else {}
                    where = f"parameter {arg}"
                    if arg in seen:
                        yield Value(value, False, _join(origin, f"the default of {where} refers to itself"))
                    elif str(param.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
                        # the default names an SSM parameter; its value is only known at deploy time
                        yield Value(value, False, _join(origin, f"{where} is read from SSM at deploy time"))
                    elif "Default" in param:
                        yield from self._resolve(param["Default"], _join(origin, f"from the default of {where}"),
                                                 seen + (arg,))
                    else:
                        yield Value(value, False, _join(origin, f"{where} has no default"))
                    return
                yield Value(value, False, origin)
                return
            if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
                condition = arg[0] if isinstance(arg[0], str) else "?"
                yield from self._resolve(arg[1], _join(origin, f"when condition {condition} is true"), seen)
                yield from self._resolve(arg[2], _join(origin, f"when condition {condition} is false"), seen)
                return
            if key == "Fn::Sub" and isinstance(arg, str) and "${" not in arg.replace("${!", ""):
                yield Value(arg.replace("${!", "${"), True, origin)
                return
            if key == "Fn::Join":
                text = self.text(value)
                if text is not None and "${" not in text:
                    yield Value(text, True, origin)
                    return
                joined = self._join_possibilities(arg, origin, seen)
                if joined is not None:
                    yield from joined
                    return
            if is_intrinsic(value):
                yield Value(value, False, origin)
                return
        yield Value(value, True, origin)

    def _join_possibilities(self, arg: Any, origin: str, seen: Tuple[str, ...]) -> Optional[Iterator[Value]]:
        """The texts an ``Fn::Join`` whose parts are ``Fn::If`` branches or parameter defaults may
        take (every combination, lazily: the caller bounds them), or None when a part is not a
        literal string or number in every possibility."""
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], list)):
            return None
        choices = []
        for part in arg[1]:
            options = list(islice(self._resolve(part, "", seen), MAX_POSSIBILITIES + 1))
            if len(options) > MAX_POSSIBILITIES or not all(
                    o.known and isinstance(o.raw, (str, int, float)) and not isinstance(o.raw, bool) for o in options):
                return None
            choices.append(options)
        return (Value(arg[0].join(str(o.raw) for o in combination),
                      True, "; ".join(dict.fromkeys(note for x in (origin, *(o.origin for o in combination)) if x
                                                    for note in x.split("; "))))
                for combination in product(*choices))

    def text(self, value: Any) -> Optional[str]:
        """Render a string-valued expression as text for pattern checks: literals stay, every
        reference becomes a ``${...}`` placeholder (``${AWS::Region}``, ``${Role.Arn}``,
        ``${Import:Name}``). None when the value is not string-shaped."""
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or value is None or value is MISSING:
            return None
        if isinstance(value, (int, float)):
            return str(value)
        if not (isinstance(value, dict) and len(value) == 1):
            return None
        key, arg = next(iter(value.items()))
        if key == "Ref" and isinstance(arg, str):
            return "${" + (arg[len(NOT_KNOWN):].split(":", 1)[0] if arg.startswith(NOT_KNOWN) else arg) + "}"
        if key == "Fn::GetAtt":
            target = _getatt_target(arg)
            attr = arg[1] if isinstance(arg, list) and len(arg) > 1 else (arg.split(".", 1)[1] if isinstance(arg, str) and "." in arg else "")
            return "${" + f"{target}.{attr}" + "}" if target else None
        if key == "Fn::Sub":
            if isinstance(arg, str):
                return arg
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                variables = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
                return re.sub(
                    r"\$\{([^}!][^}]*)\}",
                    lambda m: self.text(variables[m.group(1)]) or m.group(0) if m.group(1) in variables else m.group(0),
                    arg[0],
                )
            return None
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            parts = arg[1] if isinstance(arg[1], list) else None
            if parts is None:
                return None
            rendered = [self.text(p) for p in parts]
            texts = [r for r in rendered if r is not None]
            return None if len(texts) != len(rendered) else arg[0].join(texts)
        if key == "Fn::ImportValue":
            name = self.text(arg)
            return "${Import:" + (name or "?") + "}"
        if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            return None
        if key.startswith("Fn::"):
            return "${" + key + "}"
        return None


def _join(origin: str, more: str) -> str:
    return f"{origin}; {more}" if origin else more


def _getatt_target(arg: Any) -> Optional[str]:
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        return arg[0]
    if isinstance(arg, str) and "." in arg:
        return arg.split(".", 1)[0]
    return None


def _referenced_ids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == "Ref" and isinstance(arg, str):
                yield arg
                return
            if key == "Fn::GetAtt":
                target = _getatt_target(arg)
                if target:
                    yield target
                return
            if key == "Fn::Sub":
                text = arg if isinstance(arg, str) else (arg[0] if isinstance(arg, list) and arg and isinstance(arg[0], str) else "")
                for match in re.finditer(r"\$\{([A-Za-z0-9@]+)[.}]", text):
                    yield match.group(1)
                if isinstance(arg, list) and len(arg) > 1:
                    yield from _referenced_ids(arg[1])
                return
        for item in value.values():
            yield from _referenced_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _referenced_ids(item)

