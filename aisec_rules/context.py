"""What a rule check sees: the view it judges, the phase being enforced and what the system does.

A rule imports this module and nothing of the engine that runs it, so the engine can import the
registry of rules without a cycle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Tuple

from .governance.policy import Policy
from .model import Capability, Phase
from .read.stack import AGNOSTIC
from .read.template import Resource, Template
from .system import capabilities as caps
from .system.environments import SystemView


@dataclass(frozen=True)
class Context:
    """What a rule check sees: the view (one template, or an environment's stacks joined), the phase
    being enforced, the capabilities of the whole view and, read only, the rest of the system."""

    template: Template
    phase: Phase
    capabilities: FrozenSet[Capability]
    #: template path -> the capabilities of that stack (:func:`stack_capabilities`; empty for one
    #: template, or when capabilities were given)
    stack_capabilities: Dict[str, FrozenSet[Capability]] = field(default_factory=dict)
    #: the name of the environment the view is (``aws://111111111111/eu-west-1``)
    environment: str = AGNOSTIC
    #: every environment of the system, this one included (empty: the view is judged alone)
    system: SystemView = field(default_factory=SystemView)
    #: the organization's policy (aisec.toml) the run judges under: the values a rule's requirement
    #: depends on (``evidence_retention_days`` for AISEC-APP-31); the default policy when none is given
    policy: Policy = field(default_factory=Policy)

    def system_of_type(self, rtype: str) -> List[Tuple[str, Template, Resource]]:
        """(environment name, its view, resource) of every resource of ``rtype`` the system declares, in
        any environment (this view's alone when there is no system). Values of such a resource resolve in
        its own environment's view; a finding about it still attaches to a resource of this view."""
        if not self.system.views:
            return [(self.environment, self.template, r) for r in self.template.of_type(rtype)]
        return self.system.of_type(rtype)

    def capabilities_of(self, logical_id: str) -> FrozenSet[Capability]:
        """What the workload of one resource does: the capabilities of the stack that declares it (its
        own or, for a stack with none, those of the stacks that use its values), or of the whole view
        when that stack has none either or capabilities were given. A requirement that depends on what a resource serves (the endpoints of a VPC, the
        grounding of a guardrail) reads this, so a chat stack's network is not asked for the
        endpoints of the RAG stack beside it."""
        own = self.stack_capabilities.get(self.template.origin(logical_id)[0])
        return own if own else self.capabilities

    def anchor(self, rule_capabilities: Iterable[Capability] = ()) -> str:
        """The logical id a workload-level finding attaches to: the first resource (by template
        path, then logical id) that establishes one of the rule's capabilities, else the first that
        establishes any capability, else the first resource of the view."""
        evidence = caps.evidence(self.template)
        first = self.template.origin
        for capability in (Capability.ACTS, Capability.CONNECTS, Capability.ANSWERS):
            if capability in rule_capabilities and evidence[capability]:
                return min(evidence[capability], key=first)
        for capability in (Capability.ACTS, Capability.CONNECTS, Capability.ANSWERS):
            if evidence[capability]:
                return min(evidence[capability], key=first)
        return min(self.template.resources, key=first, default="")
