"""Evaluate the rule registry over a system of stacks or one template: pure Python, no jsii.

``evaluate_system(stacks, phase=..., capabilities=None)`` judges the stacks environment by
environment (one view per environment, :mod:`aisec_rules.system.join`); ``evaluate(template, ...)``
judges one template alone. Every rule whose phase is at or below ``phase``, whose capabilities
meet the environment's (detected when not given) and whose services the environment uses runs
once per environment, and the findings carry their acknowledgement state read from template
metadata
(``Metadata.cdk_nag.rules_to_suppress``, the format cdk-nag writes) and, when a baseline is given, whether
it holds them (:mod:`aisec_rules.governance.baseline`). A rule never crashes the evaluation: an exception
inside a check becomes a finding that names the rule and the error.

What a rule judged (the evidence behind a control with no finding) is not recorded as it runs: the rule
declares the resource types it judges (``Rule.judges``) and :meth:`Judgement.judged` lists the resources of
those types in the environment, after the fact, so judging costs nothing more.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
from dataclasses import dataclass, field, replace
from typing import Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Tuple

from .context import Context
from .governance import baseline as baselines
from .governance import exceptions
from .governance.baseline import Baseline
from .governance.policy import Policy
from .model import INTERNAL_ERROR, Capability, Finding, Phase, Rule, Scope, Service, Violation, with_implied
from .read.stack import Stack, stack_name_of
from .read.template import Template
from .registry import RULES
from .system import capabilities as caps
from .system.environments import Environment, SystemView, environments

def evaluate(
    template: Template,
    phase: Phase = Phase.FOUNDATIONAL,
    capabilities: Optional[Iterable[Capability]] = None,
    rules: Optional[Sequence[Rule]] = None,
    policy: Optional[Policy] = None,
    today: Optional[dt.date] = None,
    baseline: Optional[Baseline] = None,
) -> List[Finding]:
    """Findings of the applicable rules on one template judged alone, ordered by rule id,
    resource, detail."""
    return evaluate_system([Stack(template)], phase, capabilities, rules, policy, today, baseline)


def evaluate_system(
    stacks: Iterable[Stack],
    phase: Phase = Phase.FOUNDATIONAL,
    capabilities: Optional[Iterable[Capability]] = None,
    rules: Optional[Sequence[Rule]] = None,
    policy: Optional[Policy] = None,
    today: Optional[dt.date] = None,
    baseline: Optional[Baseline] = None,
) -> List[Finding]:
    """Findings of the applicable rules on a system of stacks, judged environment by environment
    (:mod:`aisec_rules.system.environments`): each environment's stacks form one view, its capabilities and
    services are detected over all of them (unless ``capabilities`` is given), every rule runs once
    over it, and each finding names the template, resource and stack it belongs to. An
    acknowledgement silences a finding only while it is valid under ``policy`` and in force on
    ``today`` (:mod:`aisec_rules.governance.exceptions`); a finding ``baseline`` holds is baselined unless
    acknowledged. Ordered by environment, then rule id, template, resource, detail."""
    phase = Phase.parse(phase)
    return evaluate_phases(stacks, [phase], capabilities, rules, policy, today, baseline)[phase]


def evaluate_phases(
    stacks: Iterable[Stack],
    phases: Iterable[Phase],
    capabilities: Optional[Iterable[Capability]] = None,
    rules: Optional[Sequence[Rule]] = None,
    policy: Optional[Policy] = None,
    today: Optional[dt.date] = None,
    baseline: Optional[Baseline] = None,
) -> Dict[Phase, List[Finding]]:
    """The findings of :func:`evaluate_system` at each of ``phases``, in one pass (:func:`judge`)."""
    wanted = {Phase.parse(p) for p in phases}
    result: Dict[Phase, List[Finding]] = {p: [] for p in wanted}
    for judgement in judge(stacks, wanted, capabilities, rules, policy, today, baseline):
        for p in wanted:
            result[p].extend(judgement.findings[p])
    return result


@dataclass(frozen=True)
class Judged:
    """A resource of the kind a rule judges: where it is declared and its type."""

    stack: str
    template: str
    resource: str
    type: str

    def to_dict(self) -> Dict[str, str]:
        return {"stack": self.stack, "template": self.template, "resource": self.resource, "type": self.type}


@dataclass(frozen=True)
class Judgement:
    """One environment judged: the capabilities and services it was judged for, its findings at
    each phase asked, and the view the rules read (for :meth:`judged`)."""

    environment: Environment
    capabilities: FrozenSet[Capability]
    services: FrozenSet[Service]
    findings: Dict[Phase, List[Finding]]
    view: Template = field(repr=False, compare=False)
    #: template path -> the capabilities of that stack (:func:`stack_capabilities`; empty when there is one stack
    #: or capabilities were given)
    stack_capabilities: Dict[str, FrozenSet[Capability]] = field(repr=False, compare=False)
    #: every environment of the system, this one included (what ``Rule.system_wide`` types are read across)
    system: SystemView = field(default_factory=SystemView, repr=False, compare=False)

    def judged(self, rule: Rule) -> List[Judged]:
        """The resources of the environment of the types ``rule`` judges (``Rule.judges``), sorted by template and
        logical id: the evidence behind a control with no finding; for a type the rule reads across the system
        (``Rule.system_wide``), those of every environment. A resource rule leaves alone the stacks outside the AI
        workload (as the engine does with its findings), so their resources are not evidence either."""
        stacks = {s.template.path: s.name for s in self.environment.stacks}
        found: Dict[Tuple[str, str], Judged] = {}
        for rtype in rule.judges:
            if rtype in rule.system_wide and self.system.views:
                located = [(view, r) for _, view, r in self.system.of_type(rtype)]
            else:
                family = self.view.of_family(rtype[:-1]) if rtype.endswith("*") else self.view.of_type(rtype)
                located = [(self.view, r) for r in family]
            for view, resource in located:
                path, logical_id = view.origin(resource.logical_id)
                if view is self.view and self.stack_capabilities and rule.scope is Scope.RESOURCE and \
                        not self.stack_capabilities.get(path):
                    continue
                found[(path, logical_id)] = Judged(stacks.get(path) or stack_name_of(path), path, logical_id,
                                                   resource.type)
        return [found[key] for key in sorted(found)]


def judge(
    stacks: Iterable[Stack],
    phases: Iterable[Phase],
    capabilities: Optional[Iterable[Capability]] = None,
    rules: Optional[Sequence[Rule]] = None,
    policy: Optional[Policy] = None,
    today: Optional[dt.date] = None,
    baseline: Optional[Baseline] = None,
) -> List[Judgement]:
    """Each environment of ``stacks`` judged at each of ``phases``, in one pass: every environment is
    joined once, up front, so that a rule judging one of them can read what the others declare
    (``Context.system``); its capabilities are detected once, and a rule runs once, at the highest phase
    asked; at a lower phase it runs again only when its check reads the phase (``Rule.tightens``),
    otherwise its findings there are those of the highest phase."""
    if rules is None:
        rules = RULES
    wanted = sorted({Phase.parse(p) for p in phases}, reverse=True)
    given = with_implied(capabilities) if capabilities is not None else None
    governance = _Governance(policy, today or exceptions.today(), baseline)
    with collector_paused():
        grouped = environments(stacks)
        system = SystemView(tuple((environment.name, environment.view()) for environment in grouped))
        return [_evaluate_environment(environment, view, system, wanted, given, rules, governance)
                for environment, (_, view) in zip(grouped, system.views, strict=True)]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, as it was after. Judging allocates many small
    objects (values, findings) while the templates and their joined views, millions of dicts and lists of which
    none is part of a cycle, stay alive: each full collection walks them all, so the collector's share grew with
    the system (a third of judging at 16,000 resources, for nothing found). Reference counting still frees
    everything the block drops; a cycle it makes is collected after it."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@dataclass(frozen=True)
class _Governance:
    policy: Optional[Policy]
    today: dt.date
    baseline: Optional[Baseline] = None

    def judge(self, finding: Finding, ack: Optional[exceptions.Acknowledgement]) -> Finding:
        """The finding with the acknowledgement that names it, silenced only if it is in force, then
        baselined if the baseline holds it and it is not acknowledged."""
        return baselines.judge(self._acknowledged(finding, ack), self.baseline, self.policy, self.today)

    def _acknowledged(self, finding: Finding, ack: Optional[exceptions.Acknowledgement]) -> Finding:
        if ack is None:
            return finding
        must_name = finding.rule.reason_must_name
        state = ack.state(self.today, self.policy, must_name)
        problem = ack.invalid_because(self.today, self.policy, must_name) if state == "invalid" else (
            f"it expired on {ack.expires.isoformat()}" if state == "expired" and ack.expires else "")
        message = finding.message if not problem else \
            f"{finding.message} (the acknowledgement does not apply: {problem})"
        return replace(finding, message=message, acknowledged=state in ("in force", "expiring"),
                       reason=ack.describe(), exception=ack, exception_state=state, exception_problem=problem)


def _evaluate_environment(environment: Environment, view: Template, system: SystemView, phases: Sequence[Phase],
                          given: Optional[FrozenSet[Capability]], rules: Sequence[Rule],
                          governance: _Governance) -> Judgement:
    """One environment (``view`` joins its stacks) judged at each of ``phases`` (highest first); its rules
    see the rest of ``system`` read only."""
    try:
        active = given if given is not None else caps.detect(view)
        services = caps.services(view)
    except Exception:  # a bug in detection must not lose every finding: judge with every rule instead
        active, services = given if given is not None else with_implied(Capability), frozenset(Service)
        view.cache["capabilities.evidence"] = {c: [] for c in Capability}  # anchors fall back to the first resource
    stacks = {s.template.path: s for s in environment.stacks}
    own = {} if given is not None or len(stacks) == 1 else stack_capabilities(environment.stacks, view.links)
    template_acks = {path: exceptions.from_metadata(s.template.metadata) for path, s in stacks.items()}
    resource_acks: Dict[str, Dict[str, exceptions.Acknowledgement]] = {}
    ran: Dict[str, List[Violation]] = {}  # rule id -> violations at the highest phase
    result: Dict[Phase, List[Finding]] = {}
    for phase in phases:
        context = Context(view, phase, active, own, environment.name, system, governance.policy or Policy())
        findings: Dict[tuple, Tuple[Finding, Optional[exceptions.Acknowledgement]]] = {}
        messages: Dict[tuple, Dict[str, None]] = {}  # the distinct messages of each finding, in order (linear merge)
        for rule in rules:
            if not rule.applies(phase, active, services):
                continue
            if rule.id in ran and not rule.tightens:
                violations = ran[rule.id]
            else:
                violations = _run(rule, context)
                ran.setdefault(rule.id, violations)
            for violation in violations:
                joined_id = violation.resource or context.anchor(rule.capabilities)
                path, resource = view.origin(joined_id)
                if own and rule.scope is Scope.RESOURCE and not own.get(path):
                    continue  # a stack outside the AI workload: judged only where an AI stack uses its values
                key = (rule.id, path, resource, violation.detail or "")
                if key in findings:
                    messages[key].setdefault(violation.message)
                    continue
                if joined_id not in resource_acks:
                    acks = dict(template_acks.get(path, {}))
                    if view.get(joined_id) is not None:
                        acks.update(exceptions.from_metadata(view.resources[joined_id].metadata))
                    resource_acks[joined_id] = acks
                finding_id = f"{rule.id}[{violation.detail}]" if violation.detail else rule.id
                stack = stacks.get(path)
                finding = Finding(rule, resource, violation.message, path, violation.detail,
                                  workload=violation.resource is None,
                                  stack=stack.name if stack else "", environment=environment.name)
                findings[key] = (finding, resource_acks[joined_id].get(finding_id))
                messages[key] = {violation.message: None}
        judged = []
        for key in sorted(findings):
            finding, ack = findings[key]
            if len(messages[key]) > 1:
                finding = replace(finding, message="; also: ".join(messages[key]))
            judged.append(governance.judge(finding, ack))
        result[phase] = judged
    return Judgement(environment, active, services, result, view, own, system)


def stack_capabilities(stacks: Sequence[Stack], links: Iterable[Tuple[str, str]]) -> Dict[str, FrozenSet[Capability]]:
    """What each stack of an environment serves: the capabilities it shows itself or, for a stack that
    shows none (a stack of roles, buckets or networks), those of the stacks that use its values (an
    export or SSM parameter, transitively). A stack of roles that a knowledge base imports is part of a
    system that connects to data; a stack with capabilities of its own keeps them (a baseline whose
    alarm topic a RAG stack uses does not become a RAG stack). A stack no AI stack uses and that shows
    nothing itself is outside the AI workload: resource rules leave it alone, as they would if it were
    judged on its own."""
    own = {s.template.path: caps.detect(s.template) for s in stacks}
    result = dict(own)
    links = [(user, declarer) for user, declarer in links if user in own and declarer in own and not own[declarer]]
    changed = True
    while changed:
        changed = False
        for user, declarer in links:
            merged = result[declarer] | result[user]
            if merged != result[declarer]:
                result[declarer] = merged
                changed = True
    return result


def _run(rule: Rule, context: Context) -> List[Violation]:
    try:
        return list(rule.check(context))
    except Exception as error:  # a rule must never break the scan: report what happened instead
        return [Violation(None, f"{rule.id} could not evaluate this template ({type(error).__name__}: {error}); "
                                "please report this as a bug in aisec", INTERNAL_ERROR)]
