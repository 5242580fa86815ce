"""Join the templates of one environment into one template view, with cross-stack references resolved.

The rules judge a view, never a file. For one template the view is the template itself. For the
stacks of one environment (see :mod:`aisec_rules.system.environments`) the view is a single template whose
resources, parameters and conditions are those of every stack, so that every rule, unchanged,
sees the whole environment: an environment-level control (a trail, a guardrail) found in any
stack counts for all of them, and a resource rule follows a reference into the stack that
declares its target. Three things make that work:

* **Names.** A logical id (resource or parameter) or condition name declared by more than one
  template keeps its name in the first template (templates in the given order) and becomes
  ``Name@Stack`` in the others; every ``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` variable, ``Fn::If``
  condition and resource ``Condition`` that names it is rewritten. ``@`` cannot appear in a
  CloudFormation logical id, so a joined name never collides with a real one.
* **Exports.** ``Fn::ImportValue`` of a name that another template of the environment exports
  (``Outputs.*.Export.Name``, as CDK writes its cross-stack references) is replaced by the
  exported ``Value``, itself rewritten in its own template's names: the role ARN a knowledge base
  imports becomes ``Fn::GetAtt [Role@RoleStack, Arn]`` and the rules find the role.
* **SSM parameters.** A ``Ref`` to a template parameter of an ``AWS::SSM::Parameter::Value<...>``
  type whose ``Default`` is the ``Name`` of an ``AWS::SSM::Parameter`` declared in another
  template is replaced by that parameter's ``Value``.

A reference the environment cannot resolve (an export or SSM parameter from outside the system,
a computed import name) stays as it is, so rules judge it as today: unknown, never a pass for a
value they need. Cost: one walk over every property value, linear in the size of the templates.

``origins`` maps each joined logical id back to ``(template path, logical id)``, so findings name
the file and the resource the user wrote; ``links`` holds ``(user, declarer)`` template path pairs,
one for each template that uses a value another template exports or writes to SSM.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from ..read.template import Template

SSM_VALUE_PARAMETER = "AWS::SSM::Parameter::Value<"
SEPARATOR = "@"

_SUB_VARIABLE = re.compile(r"\$\{([^}!.]+)((?:\.[^}]*)?)\}")
_MAX_IMPORT_DEPTH = 8  # an export whose value imports another export, and so on


def join(templates: Sequence[Template], labels: Sequence[str]) -> Template:
    """One view of ``templates`` (one environment), ``labels`` naming each (their stacks)."""
    if len(templates) == 1:
        return templates[0]
    names = _Names(templates, labels)
    exports = _exports(templates)
    ssm = _ssm_parameters(templates)
    joined: Dict[str, Any] = {"Resources": {}, "Parameters": {}, "Conditions": {}}
    origins: Dict[str, Tuple[str, str]] = {}
    links: Set[Tuple[int, int]] = set()
    for index, template in enumerate(templates):
        rewriter = _Rewriter(index, templates, names, exports, ssm, links)
        for logical_id, resource in template.resources.items():
            new_id = names.resource(index, logical_id)
            body: Dict[str, Any] = {"Type": resource.type, "Properties": rewriter.value(resource.properties),
                                    "Metadata": resource.metadata}
            if resource.condition is not None:
                body["Condition"] = names.condition(index, resource.condition)
            joined["Resources"][new_id] = body
            origins[new_id] = (template.path, logical_id)
        for name, parameter in template.parameters.items():
            joined["Parameters"][names.resource(index, name)] = parameter
        conditions = template.data.get("Conditions")
        if isinstance(conditions, dict):
            for name, body in conditions.items():
                joined["Conditions"][names.condition(index, name)] = rewriter.value(body)
    view = Template(joined, "<environment>")
    view.origins = origins
    view.links = {(templates[a].path, templates[b].path) for a, b in links}
    return view


class _Names:
    """The joined name of every resource, parameter and condition of every template."""

    def __init__(self, templates: Sequence[Template], labels: Sequence[str]):
        self._ids: List[Dict[str, str]] = []
        self._conditions: List[Dict[str, str]] = []
        taken_ids: Set[str] = set()
        taken_conditions: Set[str] = set()
        for template, label in zip(templates, labels, strict=True):
            suffix = SEPARATOR + (re.sub(r"[^A-Za-z0-9]", "", label) or "Stack")
            own_ids = list(template.resources) + [p for p in template.parameters if p not in template.resources]
            conditions = template.data.get("Conditions")
            own_conditions = list(conditions) if isinstance(conditions, dict) else []
            self._ids.append(_rename(own_ids, taken_ids, suffix))
            self._conditions.append(_rename(own_conditions, taken_conditions, suffix))

    def resource(self, index: int, name: str) -> str:
        return self._ids[index].get(name, name)

    def condition(self, index: int, name: Any) -> Any:
        return self._conditions[index].get(name, name) if isinstance(name, str) else name


def _rename(names: List[str], taken: Set[str], suffix: str) -> Dict[str, str]:
    renamed = {}
    for name in names:
        new = name
        counter = 1
        while new in taken:
            new = f"{name}{suffix}" if counter == 1 else f"{name}{suffix}{counter}"
            counter += 1
        taken.add(new)
        if new != name:
            renamed[name] = new
    return renamed


def _literal_name(template: Template, value: Any) -> Optional[str]:
    """An export or SSM parameter name when the template writes it as a literal (``Fn::Sub`` and
    ``Fn::Join`` of literals included); None when it is computed from references."""
    known = [v.raw for v in template.resolve(value) if v.known]
    return known[0] if len(known) == 1 and isinstance(known[0], str) else None


def _exports(templates: Sequence[Template]) -> Dict[str, Tuple[int, Any]]:
    found: Dict[str, Tuple[int, Any]] = {}
    for index, template in enumerate(templates):
        outputs = template.data.get("Outputs")
        if not isinstance(outputs, dict):
            continue
        for output in outputs.values():
            if not isinstance(output, dict) or not isinstance(output.get("Export"), dict):
                continue
            name = _literal_name(template, output["Export"].get("Name"))
            if name is not None and "Value" in output:
                found.setdefault(name, (index, output["Value"]))
    return found


def _ssm_parameters(templates: Sequence[Template]) -> Dict[str, Tuple[int, Any]]:
    found: Dict[str, Tuple[int, Any]] = {}
    for index, template in enumerate(templates):
        for parameter in template.of_type("AWS::SSM::Parameter"):
            name = _literal_name(template, parameter.prop("Name"))
            if name is not None and "Value" in parameter.properties:
                found.setdefault(name, (index, parameter.properties["Value"]))
    return found


class _Rewriter:
    """Rewrites the values of one template into the joined names, resolving what it can."""

    def __init__(self, index: int, templates: Sequence[Template], names: _Names,
                 exports: Dict[str, Tuple[int, Any]], ssm: Dict[str, Tuple[int, Any]], links: Set[Tuple[int, int]],
                 depth: int = 0):
        self.index = index
        self.links = links
        self.template = templates[index]
        self.templates = templates
        self.names = names
        self.exports = exports
        self.ssm = ssm
        self.depth = depth

    def value(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            special = self._intrinsic(key, arg)
            if special is not None:
                return special
        return {key: self.value(item) for key, item in value.items()}

    def _intrinsic(self, key: str, arg: Any) -> Any:
        if key == "Ref" and isinstance(arg, str):
            return self._ssm(arg) or {"Ref": self.names.resource(self.index, arg)}
        if key == "Fn::GetAtt":
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                return {key: [self.names.resource(self.index, arg[0])] + [self.value(a) for a in arg[1:]]}
            if isinstance(arg, str) and "." in arg:
                target, attribute = arg.split(".", 1)
                return {key: f"{self.names.resource(self.index, target)}.{attribute}"}
            return None
        if key == "Fn::Sub":
            if isinstance(arg, str):
                return {key: self._sub(arg, set())}
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                variables = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
                return {key: [self._sub(arg[0], set(variables))] + [self.value(a) for a in arg[1:]]}
            return None
        if key == "Fn::If" and isinstance(arg, list) and arg:
            return {key: [self.names.condition(self.index, arg[0])] + [self.value(a) for a in arg[1:]]}
        if key == "Condition" and isinstance(arg, str):
            return {key: self.names.condition(self.index, arg)}
        if key == "Fn::ImportValue":
            return self._import(arg)
        return None

    def _sub(self, text: str, variables: Set[str]) -> str:
        def rename(match: "re.Match[str]") -> str:
            name = match.group(1)
            if name in variables or name.startswith("AWS::"):
                return match.group(0)
            return "${" + self.names.resource(self.index, name) + match.group(2) + "}"

        return _SUB_VARIABLE.sub(rename, text)

    def _import(self, arg: Any) -> Any:
        name = _literal_name(self.template, arg)
        found = self.exports.get(name) if name is not None else None
        if found is None or self.depth >= _MAX_IMPORT_DEPTH:
            return {"Fn::ImportValue": self.value(arg)}
        return self._in(found[0]).value(found[1])

    def _ssm(self, parameter: str) -> Any:
        declared = self.template.parameters.get(parameter)
        if not isinstance(declared, dict) or not str(declared.get("Type", "")).startswith(SSM_VALUE_PARAMETER):
            return None
        default = declared.get("Default")
        found = self.ssm.get(default) if isinstance(default, str) else None
        if found is None or found[0] == self.index or self.depth >= _MAX_IMPORT_DEPTH:
            return None
        return self._in(found[0]).value(found[1])

    def _in(self, index: int) -> "_Rewriter":
        """A rewriter for a value of template ``index`` that this template uses (recorded as a link)."""
        self.links.add((self.index, index))
        return _Rewriter(index, self.templates, self.names, self.exports, self.ssm, self.links, self.depth + 1)
