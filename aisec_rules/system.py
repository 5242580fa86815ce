"""The system: the stacks that deploy together, grouped by the environment they deploy to.

What the pack sees in one synth, what one ``cdk.out`` folder holds (nested stages included) and
what one ``aisec check`` is given is one system. Its stacks are grouped by environment: the
account and Region of the cloud assembly manifest (``aws://123456789012/eu-west-1``), or CDK's
``aws://unknown-account/unknown-region`` for environment-agnostic stacks and for templates that
come without a manifest, which together form one environment of their own. The rules judge each
environment as one view (:func:`aisec_rules.join.join`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Dict, Iterable, List

from .join import join
from .template import Template

#: CDK's name for the environment of an environment-agnostic stack.
AGNOSTIC = "aws://unknown-account/unknown-region"


def describe_environment(name: str) -> str:
    """How an environment is named in reports: ``aws://111111111111/eu-west-1`` or
    ``environment-agnostic``."""
    return "environment-agnostic" if name == AGNOSTIC else name


def stack_name_of(path: str) -> str:
    """A stack name for a template file without a manifest: the file name without its suffixes."""
    name = PurePath(path).name
    for suffix in (".template.json", ".json", ".template", ".yaml", ".yml"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Stack:
    """One template of the system: where it deploys and what it is called."""

    template: Template
    name: str = ""
    environment: str = AGNOSTIC

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", stack_name_of(self.template.path))
        if not self.environment:
            object.__setattr__(self, "environment", AGNOSTIC)


@dataclass
class Environment:
    """The stacks of one account and Region, in a stable order (by template path)."""

    name: str
    stacks: List[Stack] = field(default_factory=list)

    @property
    def label(self) -> str:
        return describe_environment(self.name)

    def view(self) -> Template:
        """All stacks of the environment as one template view, cross-stack references resolved."""
        return join([s.template for s in self.stacks], [s.name for s in self.stacks])


def environments(stacks: Iterable[Stack]) -> List[Environment]:
    """Group stacks by environment; environments sorted by name, stacks by template path."""
    grouped: Dict[str, List[Stack]] = {}
    for stack in stacks:
        grouped.setdefault(stack.environment, []).append(stack)
    return [Environment(name, sorted(grouped[name], key=lambda s: (s.template.path, s.name)))
            for name in sorted(grouped)]
