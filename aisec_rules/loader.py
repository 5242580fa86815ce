"""Read CloudFormation templates from files and folders: JSON, YAML with the short-form tags
(``!Ref``, ``!GetAtt``, ``!Sub``, ``!If``, ...), single templates and ``cdk.out`` folders; SAM
templates are expanded to plain CloudFormation first (:mod:`aisec_rules.sam`).

Every problem becomes a :class:`~aisec_rules.template.TemplateError` whose message names the
file and the problem in one line.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, List

import yaml

from . import assembly, sam
from .system import Stack
from .template import Template, TemplateError

#: File endings read when a folder is scanned. In a cdk.out folder only ``*.template.json``.
_TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
_SKIPPED_FOLDERS = {"node_modules", ".git", ".venv", "__pycache__"}


class _CfnYamlLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short-form tags into their long JSON form."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if tag_suffix == "Ref" else ("Condition" if tag_suffix == "Condition" else f"Fn::{tag_suffix}")
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(None, None, f"unexpected node for !{tag_suffix}", node.start_mark)
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnYamlLoader.add_multi_constructor("!", _construct_tag)




def parse(text: str, name: str) -> Any:
    """Parse template text as JSON, or as YAML when it does not start with ``{``."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            return json.loads(text)
        except ValueError as error:
            raise TemplateError(f"{name}: malformed JSON: {error}") from None
    try:
        return yaml.load(text, Loader=_CfnYamlLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as error:
        problem = str(error).replace("\n", " ")
        raise TemplateError(f"{name}: malformed YAML: {problem}") from None


def load_file(path: os.PathLike | str) -> Template:
    """One template file; raises TemplateError for unreadable, malformed or non-template input."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"{path}: no such file or directory") from None
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"{path}: cannot be read: {error}") from None
    return _template(parse(text, str(path)), str(path))


def _template(data: Any, name: str) -> Template:
    """A Template of parsed data, with SAM templates expanded to plain CloudFormation first."""
    return Template(sam.expand(data, name) if sam.is_sam(data) else data, name)


def _looks_like_template(data: Any) -> bool:
    return isinstance(data, dict) and ("Resources" in data or "AWSTemplateFormatVersion" in data)


def template_files(folder: Path) -> List[Path]:
    """The template files of a folder: the stacks of a cdk.out folder (it has a ``manifest.json``),
    else every JSON/YAML file below it, sorted."""
    if assembly.is_assembly(folder):
        return [a.template_path for a in assembly.read(folder)]
    found: List[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_FOLDERS and not d.startswith("."))
        found.extend(Path(root) / f for f in files if f.endswith(_TEMPLATE_SUFFIXES))
    return sorted(found)


def load_stacks(paths: Iterable[os.PathLike | str]) -> List[Stack]:
    """The stacks of files and folders, as one system. A file named on its own must be a template;
    in a folder, JSON/YAML files that are not templates (no Resources, no format version) are
    skipped, but a malformed file is an error. A folder without any template is an error. A cdk.out
    folder is read through its manifest: each stack keeps its display name and environment; any other
    template is an environment-agnostic stack named after its file."""
    stacks: List[Stack] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise TemplateError(f"{path}: no such file or directory")
        if path.is_file():
            stacks.append(Stack(load_file(path)))
            continue
        found = []
        if assembly.is_assembly(path):
            for artifact in assembly.read(path):
                data = _read_data(artifact.template_path)
                if _looks_like_template(data):
                    found.append(Stack(_template(data, str(artifact.template_path)), artifact.name, artifact.environment))
        else:
            for file in template_files(path):
                data = _read_data(file)
                if _looks_like_template(data):
                    found.append(Stack(_template(data, str(file))))
        if not found:
            raise TemplateError(f"{path}: no CloudFormation templates found in this directory")
        stacks.extend(found)
    return stacks


def load_paths(paths: Iterable[os.PathLike | str]) -> List[Template]:
    """The templates of :func:`load_stacks`, without their stack names and environments."""
    return [stack.template for stack in load_stacks(paths)]


def _read_data(file: Path) -> Any:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"{file}: cannot be read: {error}") from None
    return parse(text, str(file))
