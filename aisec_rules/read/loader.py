"""Read CloudFormation templates from files and folders: JSON, YAML with the short-form tags
(``!Ref``, ``!GetAtt``, ``!Sub``, ``!If``, ...), single templates and ``cdk.out`` folders;
``Fn::ForEach`` loops (:mod:`aisec_rules.read.foreach`) and SAM templates (:mod:`aisec_rules.read.sam`) are
expanded to plain CloudFormation first.

Every problem becomes a :class:`~aisec_rules.read.template.TemplateError` whose message names the
file and the problem in one line.

This module is the one place that decides what a template is, and it treats its input as hostile
(whoever writes a pull request writes the template): only regular files are read, at most
:data:`~aisec_rules.read.files.MAX_BYTES` of them; duplicate keys are an error (CloudFormation and cfn-lint reject them);
YAML aliases may not expand past :data:`MAX_NODES` nodes; nesting deeper than :data:`MAX_DEPTH` is
an error; a folder scan never follows a link out of the folder it was given, reports the entries
it cannot read and skips, with a notice, JSON/YAML files that are not templates.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Iterable, List, Optional

import yaml

from . import assembly, foreach, sam
from .files import read_text
from .stack import Stack
from .template import MISSING, Template, TemplateError, dig

#: File endings read when a folder is scanned. In a cdk.out folder only ``*.template.json``.
_TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
_SKIPPED_FOLDERS = {"node_modules", ".git", ".venv", "__pycache__"}

#: nesting levels of objects and lists (CloudFormation templates stay far below)
MAX_DEPTH = 200
#: nodes a YAML document may expand to through its aliases (anchors are shared, never copied)
MAX_NODES = 1_000_000


class _CfnYamlLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short-form tags into their long JSON form, keeps
    mapping keys as the text written (CloudFormation reads YAML keys as JSON strings: ``1:`` is
    "1"), rejects duplicate keys and keys that carry a tag (``!ImportValue Fn::Sub: x``: CloudFormation
    rejects them, and dropping the tag would judge another template), accepts tabs where YAML separates
    tokens (``Key: value<tab># comment``) and bounds what aliases expand to."""

    def scan_to_next_token(self) -> None:
        """PyYAML's own, except that it also skips tabs that are not indentation: after a token on the same line,
        or before a comment or the end of the line (YAML allows both; PyYAML stops at any tab)."""
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        while True:
            while self.peek() == " " or (self.peek() == "\t" and self._tab_separates()):
                self.forward()
            if self.peek() == "#":
                while self.peek() not in "\0\r\n\x85\u2028\u2029":
                    self.forward()
            if not self.scan_line_break():
                return
            if not self.flow_level:
                self.allow_simple_key = True

    def scan_plain_spaces(self, indent: int, start_mark: Any) -> Any:
        """PyYAML's own, except that blanks with a tab between two words of a plain scalar are kept as written
        (``a<tab>b`` is "a<tab>b"; PyYAML ends the scalar at the tab)."""
        length = 0
        while self.peek(length) in " \t":
            length += 1
        if "\t" in self.prefix(length) and self.peek(length) not in "#\0\r\n\x85\u2028\u2029":
            blanks = self.prefix(length)
            self.forward(length)
            return [blanks]
        return super().scan_plain_spaces(indent, start_mark)

    def _tab_separates(self) -> bool:
        """True for a tab after a token on its line, or followed (past blanks) by a comment or a line end."""
        line = self.buffer[self.pointer - self.column:self.pointer]
        if line.strip(" \t"):
            return True
        length = 0
        while self.peek(length) in " \t":
            length += 1
        return self.peek(length) in "#\0\r\n\x85\u2028\u2029"

    def compose_document(self) -> Optional[yaml.Node]:
        node = super().compose_document()
        _check_expansion(node)
        return node

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]
        self.flatten_mapping(node)
        mapping: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark)
            if not key_node.tag.startswith("tag:yaml.org,2002:"):
                raise yaml.constructor.ConstructorError(
                    None, None, f"a mapping key may not carry a tag ({key_node.tag})", key_node.start_mark)
            key = key_node.value
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _check_expansion(root: Optional[yaml.Node]) -> None:
    """Refuse a document whose aliases expand past MAX_NODES or MAX_DEPTH (an alias bomb: a few
    hundred bytes that expand to billions of nodes). Linear in the composed graph: the expanded
    size of each node is computed once."""
    if root is None:
        return
    sizes: dict = {}
    depths: dict = {}
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else (
            node.value if isinstance(node, yaml.SequenceNode) else [])
        if not done:
            if key in depths:  # on the current path: a recursive alias
                raise yaml.constructor.ConstructorError(None, None, "a recursive alias", node.start_mark)
            depths[key] = 0
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        sizes[key] = 1 + sum(sizes[id(c)] for c in children)
        depths[key] = 1 + max((depths[id(c)] for c in children), default=0)
        if sizes[key] > MAX_NODES:
            raise yaml.constructor.ConstructorError(
                None, None, f"aliases expand to more than {MAX_NODES} nodes", node.start_mark)
        if depths[key] > MAX_DEPTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", node.start_mark)


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
# CloudFormation reads an unquoted 2012-10-17 as the string it is, not as a date
_CfnYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}




def _unique_pairs(pairs: list) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _check_depth(data: Any, name: str) -> None:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TemplateError(f"{name}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def parse(text: str, name: str) -> Any:
    """Parse template text as JSON, or as YAML when it does not start with ``{``. Error messages
    give the line and column of a problem, never the text of the line (the file may not be what
    its name says: a link to a credentials file must not be echoed into CI logs)."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            data = json.loads(text, object_pairs_hook=_unique_pairs)
        except RecursionError:
            raise TemplateError(f"{name}: malformed JSON: nested more than {MAX_DEPTH} levels deep") from None
        except ValueError as error:
            problem = f"{error.msg}: line {error.lineno} column {error.colno}" if isinstance(
                error, json.JSONDecodeError) else str(error)
            raise TemplateError(f"{name}: malformed JSON: {problem}") from None
        _check_depth(data, name)
        return data
    try:
        return yaml.load(text, Loader=_CfnYamlLoader)  # noqa: S506 - SafeLoader subclass
    except RecursionError:
        raise TemplateError(f"{name}: malformed YAML: nested more than {MAX_DEPTH} levels deep") from None
    except yaml.YAMLError as error:
        raise TemplateError(f"{name}: malformed YAML: {_yaml_problem(error)}") from None


def _yaml_problem(error: yaml.YAMLError) -> str:
    """The problem and its position, without the snippet of the offending line PyYAML prints."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = " ".join(p for p in (error.context, error.problem) if p) or "invalid YAML"
        where = f": line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        return f"{problem}{where}".replace("\n", " ")
    return type(error).__name__


def load_file(path: os.PathLike | str, name: Optional[str] = None, notices: Optional[List[str]] = None) -> Template:
    """One template file (named ``name`` in messages and findings, else by its path); raises
    TemplateError for unreadable, malformed or non-template input. What it cannot read (resources
    included at deploy time) is said in ``notices``."""
    name = name or str(path)
    return _template(parse(read_text(Path(path), name), name), name, notices)


def _template(data: Any, name: str, notices: Optional[List[str]] = None) -> Template:
    """A Template of parsed data, with its Fn::ForEach loops expanded and SAM templates expanded to
    plain CloudFormation first."""
    data = _without_included_resources(data, name, notices)
    if foreach.uses_for_each(data):
        data = foreach.expand(data, name)
    expand = sam.is_sam(data) and bool(data.get("Resources"))  # the translator refuses a template without resources
    return Template(sam.expand(data, name) if expand else data, name)


def _without_included_resources(data: Any, name: str, notices: Optional[List[str]]) -> Any:
    """``data`` without the ``Fn::Transform`` entries of its Resources section (``AWS::Include`` of a
    snippet CloudFormation reads at deploy time), each said in ``notices``; a ``Fn::Transform`` in a
    property stays, an intrinsic whose value is unknown."""
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict) or "Fn::Transform" not in resources:
        return data
    transform = resources["Fn::Transform"]
    location = dig(transform, "Parameters", "Location") if isinstance(transform, dict) else MISSING
    where = f" from {location}" if isinstance(location, str) else ""
    _notice(notices, f"{name}: the resources included with Fn::Transform{where} are not scanned (CloudFormation "
                     "reads them at deploy time): scan the processed template (aws cloudformation get-template "
                     "--template-stage Processed)")
    return {**data, "Resources": {k: v for k, v in resources.items() if k != "Fn::Transform"}}


def _looks_like_template(data: Any) -> bool:
    return isinstance(data, dict) and ("Resources" in data or "AWSTemplateFormatVersion" in data)


#: text that marks a CloudFormation template (a format version, the SAM transform, a top-level
#: Resources section): a file with it that does not parse is an error, any other file of a folder
#: that does not parse is skipped with a notice
_TEMPLATE_MARK = re.compile(r'AWSTemplateFormatVersion|AWS::Serverless-2016-10-31|"Resources"\s*:|^Resources\s*:', re.M)


def _notice(notices: Optional[List[str]], text: str) -> None:
    if notices is not None:
        notices.append(text)


def _inside(root: Path, path: Path) -> bool:
    """True when ``path`` (links resolved) lies inside ``root`` (links resolved)."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def template_files(folder: Path, notices: Optional[List[str]] = None) -> List[Path]:
    """The JSON/YAML files below a folder that is not a cdk.out folder (:func:`load_stacks` reads
    those through their manifest), sorted. Links are never followed out of the folder, and folders
    that cannot be listed are reported in ``notices``."""
    found: List[Path] = []

    def unreadable(error: OSError) -> None:
        _notice(notices, f"{error.filename}: skipped: cannot be read: {error.strerror or error}")

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_FOLDERS and not d.startswith("."))
        for name in files:
            if not name.endswith(_TEMPLATE_SUFFIXES):
                continue
            file = Path(root) / name
            if file.is_symlink() and not _inside(folder, file):
                _notice(notices, f"{file}: skipped: a link to outside {folder}")
                continue
            found.append(file)
    return sorted(found)


def load_stacks(paths: Iterable[os.PathLike | str], notices: Optional[List[str]] = None) -> List[Stack]:
    """The stacks of files and folders, as one system. A file named on its own must be a template.
    In a folder, files that are not templates (``package.json``, a Kubernetes manifest), are not
    regular files or link out of the folder are skipped with a line in ``notices``; a file that
    holds a template but is malformed is an error. A folder without any template is an error. A
    cdk.out folder is read through its manifest: each stack keeps its display name and environment,
    and a stack whose template is missing is an error; any other template is an
    environment-agnostic stack named after its file."""
    stacks: List[Stack] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise TemplateError(f"{path}: no such file or directory")
        if not path.is_dir():
            stacks.append(Stack(load_file(path, notices=notices)))
            continue
        found = []
        if assembly.is_assembly(path):
            for artifact in assembly.read(path):
                if not artifact.template_path.exists():
                    raise TemplateError(f"{path}: stack {artifact.name} is listed in the manifest but its template "
                                        f"{artifact.template_path} is missing")
                if not _inside(path, artifact.template_path):
                    _notice(notices, f"{artifact.template_path}: skipped: a link to outside {path}")
                    continue
                data = parse(read_text(artifact.template_path), str(artifact.template_path))
                if _looks_like_template(data):
                    found.append(Stack(_template(data, str(artifact.template_path), notices), artifact.name,
                                       artifact.environment))
        else:
            for file in template_files(path, notices):
                data = _read_template_data(file, notices)
                if data is not None:
                    found.append(Stack(_template(data, str(file), notices)))
        if not found:
            raise TemplateError(f"{path}: no CloudFormation templates found in this directory")
        stacks.extend(found)
    return stacks


def load_paths(paths: Iterable[os.PathLike | str], notices: Optional[List[str]] = None) -> List[Template]:
    """The templates of :func:`load_stacks`, without their stack names and environments."""
    return [stack.template for stack in load_stacks(paths, notices)]


def _read_template_data(file: Path, notices: Optional[List[str]]) -> Any:
    """The parsed data of a file met in a folder scan, or None (with a notice) when it is not a
    template; TemplateError when it is a template that cannot be read."""
    try:
        text = read_text(file)
    except TemplateError as error:
        _notice(notices, f"{file}: skipped: {error.problem(file)}")
        return None
    try:
        data = parse(text, str(file))
    except TemplateError as error:
        if _TEMPLATE_MARK.search(text):
            raise
        _notice(notices, f"{file}: skipped: not a CloudFormation template ({error.problem(file)})")
        return None
    if not _looks_like_template(data):
        _notice(notices, f"{file}: skipped: not a CloudFormation template (no Resources section)")
        return None
    return data
