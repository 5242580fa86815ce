"""A stack as read: one template, the name it deploys under and the environment it deploys to.

The cloud assembly manifest (:mod:`aisec_rules.read.assembly`) gives a stack its display name and its
environment (``aws://123456789012/eu-west-1``); a template that comes without a manifest is named after
its file and deploys to CDK's environment-agnostic environment, :data:`AGNOSTIC`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from .template import Template

#: CDK's name for the environment of an environment-agnostic stack.
AGNOSTIC = "aws://unknown-account/unknown-region"


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
