"""The system: the stacks that deploy together, grouped by the environment they deploy to.

What the pack sees in one synth, what one ``cdk.out`` folder holds (nested stages included) and
what one ``aisec check`` is given is one system. Its stacks are grouped by environment: the
account and Region of the cloud assembly manifest (``aws://123456789012/eu-west-1``), or CDK's
``aws://unknown-account/unknown-region`` for environment-agnostic stacks and for templates that
come without a manifest, which together form one environment of their own. The rules judge each
environment as one view (:func:`aisec_rules.system.join.join`); :class:`SystemView` holds every
environment's view, for the controls one environment provides for all (an organization policy that the
management account's stack declares for the member accounts).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from ..read.stack import AGNOSTIC, Stack
from ..read.template import Resource, Template
from .join import join


def describe_environment(name: str) -> str:
    """How an environment is named in reports: ``aws://111111111111/eu-west-1`` or
    ``environment-agnostic``."""
    return "environment-agnostic" if name == AGNOSTIC else name


def account_and_region(name: str) -> Tuple[Optional[str], Optional[str]]:
    """The account id and Region an environment name gives (``aws://111111111111/eu-west-1``); None for
    each part CDK leaves unknown (environment-agnostic stacks, ``unknown-account``)."""
    match = re.fullmatch(r"aws://([^/]*)/([^/]*)", name)
    if match is None:
        return None, None
    account, region = match.groups()
    return (account if re.fullmatch(r"\d{12}", account) else None,
            region if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d+", region) else None)


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


@dataclass(frozen=True)
class SystemView:
    """What the whole system declares, read only: each environment's view, by environment name. A rule
    judging one environment reads here what another environment provides for it (the management
    account's organization policies); its findings still attach to the environment it judges."""

    views: Tuple[Tuple[str, Template], ...] = ()

    def of_type(self, rtype: str) -> List[Tuple[str, Template, Resource]]:
        """(environment name, its view, resource) of every resource of ``rtype`` in the system, by
        environment, then logical id."""
        return [(name, view, resource) for name, view in self.views for resource in view.of_type(rtype)]
