"""Read a CDK cloud assembly (``cdk.out``): which template is which stack, deployed where.

The assembly's ``manifest.json`` lists each stack artifact (``aws:cloudformation:stack``) with its
template file, its display name (``Stage/Stack`` inside a stage) and its environment
(``aws://account/region``); each stage is a nested assembly (``cdk:cloud-assembly``) in its own
folder (``assembly-Stage``) with a manifest of its own, read the same way. A template in the
folder that no manifest lists (a nested stack's ``*.nested.template.json``) deploys with the
stacks around it: it takes their environment when they all share one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

from .files import read_text
from .stack import AGNOSTIC, stack_name_of
from .template import TemplateError

MANIFEST = "manifest.json"
_MAX_DEPTH = 16  # stages nested deeper than this are not read (a manifest cannot list itself forever)


@dataclass(frozen=True)
class StackArtifact:
    """One stack of an assembly: its template file, display name and environment, and the name CloudFormation
    deploys it under (``properties.stackName``, else the artifact id)."""

    template_path: Path
    name: str
    environment: str
    stack_name: str = ""


def is_assembly(folder: Path) -> bool:
    return (folder / MANIFEST).is_file()


def read(folder: Path) -> List[StackArtifact]:
    """The stacks of the assembly in ``folder`` and of its nested assemblies, in manifest order.
    Raises TemplateError when a manifest cannot be read."""
    found: List[StackArtifact] = []
    _read(Path(folder), found, set(), 0)
    listed = {a.template_path.resolve() for a in found}
    by_folder: Dict[Path, Set[str]] = {}
    for artifact in found:
        by_folder.setdefault(artifact.template_path.parent.resolve(), set()).add(artifact.environment)
    for path in sorted(Path(folder).rglob("*.template.json")):
        if path.resolve() not in listed:
            around = by_folder.get(path.parent.resolve(), set())
            environment = next(iter(around)) if len(around) == 1 else AGNOSTIC
            found.append(StackArtifact(path, stack_name_of(str(path)), environment))
    return found


def _read(folder: Path, found: List[StackArtifact], seen: Set[Path], depth: int) -> None:
    manifest_path = folder / MANIFEST
    if depth > _MAX_DEPTH or folder.resolve() in seen or not manifest_path.is_file():
        return
    seen.add(folder.resolve())
    manifest = _load(manifest_path)
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    if not isinstance(artifacts, dict):
        return
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            continue
        given = artifact.get("properties")
        properties: Dict[str, Any] = given if isinstance(given, dict) else {}
        if artifact.get("type") == "aws:cloudformation:stack":
            template_file = properties.get("templateFile")
            if not isinstance(template_file, str) or not _inside(folder, template_file):
                continue
            name = artifact.get("displayName") if isinstance(artifact.get("displayName"), str) else artifact_id
            environment = artifact.get("environment")
            deployed = properties.get("stackName") if isinstance(properties.get("stackName"), str) else artifact_id
            found.append(StackArtifact(folder / template_file, str(name),
                                       environment if isinstance(environment, str) and environment else AGNOSTIC,
                                       str(deployed)))
        elif artifact.get("type") == "cdk:cloud-assembly":
            directory = properties.get("directoryName")
            if isinstance(directory, str) and _inside(folder, directory):
                _read(folder / directory, found, seen, depth + 1)


def _inside(folder: Path, relative: str) -> bool:
    """A manifest names files inside its own folder; anything else is ignored."""
    try:
        (folder / relative).resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _load(path: Path) -> object:
    try:
        return json.loads(read_text(path))
    except TemplateError as error:
        raise TemplateError(f"{path}: cannot read the cloud assembly manifest: {error.problem(path)}") from None
    except (ValueError, RecursionError) as error:
        raise TemplateError(f"{path}: cannot read the cloud assembly manifest: {error}") from None


def artifacts_of(template_paths: List[str]) -> Dict[str, StackArtifact]:
    """For the templates CDK hands a validation plugin: each path's stack artifact, looked up in the
    manifest of the assembly its folder belongs to (a stage's ``assembly-*`` folder belongs to the
    assembly around it). A path no manifest lists gets no entry."""
    by_root: Dict[Path, Dict[Path, StackArtifact]] = {}
    result: Dict[str, StackArtifact] = {}
    for given in template_paths:
        root = outermost_assembly(Path(given).resolve().parent)
        if root is None:
            continue
        if root not in by_root:
            by_root[root] = {a.template_path.resolve(): a for a in read(root)}
        artifact = by_root[root].get(Path(given).resolve())
        if artifact is not None:
            result[given] = artifact
    return result


def outermost_assembly(folder: Path) -> Optional[Path]:
    """The assembly folder of a template's folder: itself, or for a nested stage's ``assembly-*``
    folder, the outermost assembly around it."""
    if not is_assembly(folder):
        return None
    for _ in range(_MAX_DEPTH):
        if not (folder.name.startswith("assembly-") and is_assembly(folder.parent)):
            break
        folder = folder.parent
    return folder
