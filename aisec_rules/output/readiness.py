"""Where an AI system stands on the framework: per environment, the phase it fully meets, what the next phase
still needs, the risks its open findings leave, and the exceptions granted, every state with its evidence.

The system is judged at every phase (Foundational, Enhanced, Advanced), whatever phase is enforced:

* **Matrix.** Layers (infrastructure, data and model, application and agent) by phases. A cell holds the
  controls (rules) the phase introduces for that layer, judged at that phase, each in exactly one state:

  - *met*: no finding, and the environment has resources of the kinds the control judges (``Rule.judges``; for
    an environment rule, the resources that establish the control): the report names them;
  - *missing*: a finding neither acknowledged nor baselined (the report names the findings);
  - *acknowledged*: every finding acknowledged, in force (with the register entries);
  - *baselined*: no open finding, at least one held by the baseline (accepted debt, with the day it was
    accepted): not met, and the verdict counts it as missing;
  - *nothing to judge*: no finding, but the environment has none of the resources the control judges: never
    counted as met, never blocking the verdict by itself;
  - *not applicable*: the environment lacks the control's capabilities or services.

* **Verdict.** The highest phase whose evaluation leaves no unacknowledged finding (baselined findings count:
  debt is not readiness; phases are cumulative, and a few controls tighten at later phases, so each phase is
  judged on its own evaluation), and for the next phase the controls with such findings, most severe first,
  each with its remediation and the construct that satisfies it.
* **Risks.** Unacknowledged findings at Advanced counted by the OWASP LLM 2025 and agentic threat ids their rules
  carry (:data:`aisec_rules.model.RISKS` names them).
* **Exceptions.** Every acknowledgement that names a finding, with its reason, expiry and state (in force,
  expiring within 30 days, expired, invalid and why), and every acknowledgement that names none (*unused*,
  :mod:`aisec_rules.governance.unused`).
* **Evidence without findings.** What a rule relied on that a reviewer should still see although it
  is no finding (``Rule.evidence``): for AISEC-APP-31, the audit destinations outside the system
  (a log-archive account's bucket), which pass as external archives.

:func:`assess` computes it; :meth:`Readiness.to_dict` is the versioned JSON shape that ``aisec report --format
json`` writes and docs/REPORT.md documents: each finding of an environment once, with the phases that report it
(:meth:`EnvironmentReadiness.once`), and the views of one phase (controls, gaps) naming findings by fingerprint, so
the report grows with the findings, not with findings times phases.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Dict, FrozenSet, Iterable, List, Optional, Protocol, Sequence, Tuple

from ..context import Context
from ..engine import Judged, Judgement, judge
from ..governance import exceptions
from ..governance.baseline import Baseline, Entry
from ..governance.policy import Policy
from ..governance.unused import Unused
from ..governance.unused import unused as unused_acknowledgements
from ..model import RISKS, Capability, Finding, Layer, Phase, Rule, Service, Severity
from ..read.stack import Stack
from ..registry import RULES
from ..system.environments import Environment

SCHEMA_VERSION = 2
#: the states of a control, in the order reports show them
STATES = ("met", "missing", "acknowledged", "baselined", "nothing_to_judge", "not_applicable")
_SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


@dataclass
class Control:
    """One control (rule) of one environment at the phase of its cell: its state, the resources of the kinds it
    judges (the evidence behind *met*) and its findings there."""

    rule: Rule
    state: str
    judged: List[Judged] = field(default_factory=list)
    findings: List[Finding] = field(default_factory=list)

    def to_dict(self, ids: "FindingIds") -> dict:
        r = self.rule
        entry: dict = {"id": r.id, "title": r.title, "state": self.state, "judges": list(r.judges),
                       "judged": {"count": len(self.judged), "resources": [j.to_dict() for j in self.judged]},
                       "findings": [ids(f) for f in self.findings]}
        if self.state == "not_applicable":
            entry["applies_to"] = {"capabilities": sorted(c.value for c in r.capabilities),
                                   "services": sorted(s.value for s in r.services)}
        return entry


class FindingIds:
    """The id by which the JSON's per-phase views name a finding of the environment's list: its fingerprint
    (:attr:`aisec_rules.model.Finding.fingerprint`), the same at every phase, computed once per finding (``known``:
    identity -> fingerprint, of the findings already written)."""

    def __init__(self, known: Optional[Dict[str, str]] = None) -> None:
        self._ids: Dict[str, str] = dict(known or {})

    def __call__(self, finding: Finding) -> str:
        identity = finding.identity
        found = self._ids.get(identity)
        if found is None:
            found = self._ids[identity] = finding.fingerprint
        return found


@dataclass
class Cell:
    """The controls one phase introduces for one layer, by state (rule ids, sorted), with their evidence."""

    layer: Layer
    phase: Phase
    controls: List[Control] = field(default_factory=list)

    def ids(self, state: str) -> List[str]:
        return [c.rule.id for c in self.controls if c.state == state]

    def of_state(self, state: str) -> List[Control]:
        return [c for c in self.controls if c.state == state]

    def to_dict(self, ids: FindingIds) -> dict:
        return {"layer": self.layer.value, "phase": self.phase.name.lower(),
                **{state: self.ids(state) for state in STATES}, "controls": [c.to_dict(ids) for c in self.controls]}


@dataclass
class Gap:
    """A control the next phase still needs: its rule and its unacknowledged findings there (open or
    baselined)."""

    rule: Rule
    findings: List[Finding]

    def to_dict(self, ids: FindingIds) -> dict:
        r = self.rule
        return {"rule_id": r.id, "title": r.title, "severity": r.severity.value, "layer": r.layer.value,
                "phase": r.phase.name.lower(), "open_findings": sum(f.open for f in self.findings),
                "baselined_findings": sum(f.baselined for f in self.findings), "remediation": r.remediation,
                "construct": r.construct, "docs": r.docs_link, "findings": [ids(f) for f in self.findings]}


@dataclass
class EnvironmentReadiness:
    environment: Environment
    capabilities: FrozenSet[Capability]
    services: FrozenSet[Service]
    findings: Dict[Phase, List[Finding]]
    matrix: List[Cell]
    highest_met: Optional[Phase]
    gaps: List[Gap]
    #: the acknowledgements written in this environment's stacks that match no finding of the system
    unused: List[Unused] = field(default_factory=list)
    #: rule id -> what it relied on without a finding (:attr:`aisec_rules.model.Rule.evidence`)
    evidence: Dict[str, List[str]] = field(default_factory=dict)

    @property
    def next_phase(self) -> Optional[Phase]:
        if self.highest_met is Phase.ADVANCED:
            return None
        return Phase.FOUNDATIONAL if self.highest_met is None else Phase(self.highest_met + 1)

    @cached_property
    def risks(self) -> List[tuple]:
        """(risk id, open findings, baselined findings) at Advanced, most unacknowledged findings first."""
        counts: Dict[str, List[int]] = {}
        for f in self.findings[Phase.ADVANCED]:
            if not f.acknowledged:
                for risk in f.rule.risks:
                    counts.setdefault(risk, [0, 0])[0 if f.open else 1] += 1
        return sorted(((risk, n[0], n[1]) for risk, n in counts.items()), key=lambda r: (-r[1] - r[2], r[0]))

    @property
    def exceptions(self) -> List[Finding]:
        """The findings an acknowledgement names (judged at Advanced, which runs every rule)."""
        return [f for f in self.findings[Phase.ADVANCED] if f.exception is not None]

    @property
    def register(self) -> List[dict]:
        """The exception register: every acknowledgement that names a finding, then every unused one."""
        return [exception_entry(f) for f in self.exceptions] + [unused_entry(u, self.environment)
                                                                  for u in self.unused]

    def once(self) -> List[Tuple[Finding, List[Phase]]]:
        """Each finding of the environment once, as the highest phase that reports it judged it (its message is
        that phase's), with the phases whose evaluation reports it (lowest first), ordered by rule id, template,
        resource and detail."""
        seen: Dict[str, Tuple[Finding, List[Phase]]] = {}
        for phase in sorted(Phase, reverse=True):
            for f in self.findings[phase]:
                entry = seen.get(f.identity)
                if entry is None:
                    seen[f.identity] = (f, [phase])
                else:
                    entry[1].insert(0, phase)
        return sorted(seen.values(), key=lambda e: (e[0].rule.id, e[0].template, e[0].resource, e[0].detail or ""))

    def to_dict(self) -> dict:
        env = self.environment
        once = self.once()
        findings = [_finding(f, phases) for f, phases in once]
        ids = FindingIds({f.identity: entry["fingerprint"] for (f, _), entry in zip(once, findings, strict=True)})
        return {
            "name": env.name, "label": env.label,
            "stacks": [{"name": s.name, "template": s.template.path} for s in env.stacks],
            "capabilities": sorted(c.value for c in self.capabilities),
            "services": sorted(s.value for s in self.services),
            "verdict": {
                "highest_phase_met": self.highest_met.name.lower() if self.highest_met else None,
                "next_phase": self.next_phase.name.lower() if self.next_phase else None,
                "missing_for_next_phase": [g.to_dict(ids) for g in self.gaps],
            },
            "matrix": [c.to_dict(ids) for c in self.matrix],
            "risks": [{"id": risk, "name": RISKS.get(risk, ""), "open_findings": n, "baselined_findings": b}
                      for risk, n, b in self.risks],
            "exceptions": self.register,
            "evidence": [{"rule_id": rule_id, "items": items} for rule_id, items in sorted(self.evidence.items())],
            "findings": findings,
        }


def _finding(f: Finding, phases: List[Phase]) -> dict:
    """A finding as ``aisec check --format json`` writes it, with the phases whose evaluation reports it."""
    entry = f.to_dict()
    entry["phases"] = [p.name.lower() for p in phases]
    return entry


def exception_entry(f: Finding) -> dict:
    ack = f.exception
    assert ack is not None
    return {"finding_id": f.id, "rule_id": f.rule.id, "resource": f.resource, "stack": f.stack,
            "template": f.template, "acknowledged_id": ack.id, "reason": ack.reason,
            "expires": ack.expires.isoformat() if ack.expires else None, "state": f.exception_state,
            "problem": f.exception_problem or None, "in_force": f.acknowledged}


def unused_entry(u: Unused, environment: Environment) -> dict:
    """A register entry for an acknowledgement that names no finding, located at its first copy in
    ``environment``."""
    paths = {s.template.path for s in environment.stacks}
    here = next((x for x in u.locations if x.template in paths), u.first)
    ack = u.acknowledgement
    more = len(u.locations) - 1
    return {"finding_id": None, "rule_id": ack.id.split("[", 1)[0], "resource": here.resource, "stack": here.stack,
            "template": here.template, "acknowledged_id": ack.id, "reason": ack.reason,
            "expires": ack.expires.isoformat() if ack.expires else None, "state": "unused",
            "problem": "it matches no finding: remove it" + (f" (written in {more + 1} places)" if more else ""),
            "in_force": False}


class Evidence(Protocol):
    """Evidence from outside the templates that the report shows after the environments (the latest probe
    run: :class:`aisec_rules.output.probe_results.Evidence`)."""

    def to_dict(self) -> dict: ...

    def markdown(self, docs_base: str) -> List[str]: ...

    def html(self, docs_base: str) -> List[str]: ...


@dataclass
class Readiness:
    """The readiness of a whole system, environment by environment."""

    environments: List[EnvironmentReadiness]
    enforced: Optional[Phase]
    policy: Policy
    today: dt.date
    version: str = ""
    warn: bool = False
    baseline: Optional[Baseline] = None
    resolved: List[Entry] = field(default_factory=list)
    unused: List[Unused] = field(default_factory=list)
    #: the latest probe run, when the report was given one (``aisec report --probe-results``)
    security_testing: Optional[Evidence] = None

    def to_dict(self) -> dict:
        extra = {} if self.security_testing is None else {"security_testing": self.security_testing.to_dict()}
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "aisec", "version": self.version},
            "date": self.today.isoformat(),
            "enforced_phase": self.enforced.name.lower() if self.enforced else None,
            "mode": "warn" if self.warn else "enforce",
            "policy": self.policy.to_dict(),
            "baseline": None if self.baseline is None else {
                "source": self.baseline.source or None, "date": self.baseline.date.isoformat(),
                "version": self.baseline.version, "entries": len(self.baseline.entries)},
            "baseline_resolved": [e.to_dict() for e in self.resolved],
            "unused_acknowledgements": [u.to_dict() for u in self.unused],
            "environments": [e.to_dict() for e in self.environments],
            "summary": {
                "environments": len(self.environments),
                "stacks": sum(len(e.environment.stacks) for e in self.environments),
                "open_findings_at_enforced_phase": self.open_at(self.enforced) if self.enforced else None,
                "baselined_findings_at_enforced_phase": self.baselined_at(self.enforced) if self.enforced else None,
            },
            **extra,
        }

    def open_at(self, phase: Phase) -> int:
        """Findings at ``phase`` that are neither acknowledged nor baselined."""
        return sum(f.open for e in self.environments for f in e.findings[phase])

    def baselined_at(self, phase: Phase) -> int:
        return sum(f.baselined for e in self.environments for f in e.findings[phase])


def assess(stacks: Sequence[Stack], *, enforced: Optional[Phase] = None,
           capabilities: Optional[Iterable[Capability]] = None, policy: Optional[Policy] = None,
           today: Optional[dt.date] = None, rules: Optional[Sequence[Rule]] = None, version: str = "",
           baseline: Optional[Baseline] = None, warn: bool = False) -> Readiness:
    """Judge ``stacks`` at every phase and build the readiness of each environment."""
    if rules is None:
        rules = RULES
    policy = policy or Policy()
    today = today or exceptions.today()
    judgements = judge(stacks, list(Phase), capabilities, rules, policy, today, baseline)
    return from_judgements(judgements, enforced=enforced, policy=policy, today=today, rules=rules, version=version,
                           baseline=baseline, warn=warn)


def from_judgements(judgements: Sequence[Judgement], *, enforced: Optional[Phase], policy: Policy, today: dt.date,
                    rules: Sequence[Rule], version: str = "", baseline: Optional[Baseline] = None,
                    warn: bool = False, unused: Optional[List[Unused]] = None) -> Readiness:
    """The readiness of environments already judged at every phase (the pack judges once for its
    violations and its report, and passes the ``unused`` acknowledgements it found over every phase)."""
    stacks = [s for j in judgements for s in j.environment.stacks]
    every = [f for j in judgements for p in Phase for f in j.findings[p]]
    dead = unused if unused is not None else unused_acknowledgements(stacks, every, rules, list(Phase))
    resolved = baseline.resolved(every, stacks, Phase.ADVANCED, rules) if baseline else []
    environments = []
    for j in judgements:
        paths = {s.template.path for s in j.environment.stacks}
        mine = [u for u in dead if any(x.template in paths for x in u.locations)]
        environments.append(_environment(j, rules, policy, mine))
    return Readiness(environments, enforced, policy, today, version, warn, baseline, resolved, dead)


def _evidence(judgement: Judgement, rules: Sequence[Rule], policy: Policy) -> Dict[str, List[str]]:
    """What the applicable rules with an evidence hook relied on, judged over the environment's view at
    Advanced. A hook that fails is left out: the report never breaks on it."""
    hooked = [r for r in rules if r.evidence is not None
              and r.applies(Phase.ADVANCED, judgement.capabilities, judgement.services)]
    if not hooked:
        return {}
    context = Context(judgement.view, Phase.ADVANCED, judgement.capabilities, policy=policy)
    found: Dict[str, List[str]] = {}
    for rule in hooked:
        try:
            items = list(dict.fromkeys(rule.evidence(context)))  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - evidence is a courtesy of the report, never a reason to fail it
            continue
        if items:
            found[rule.id] = items
    return found


def _environment(judgement: Judgement, rules: Sequence[Rule], policy: Policy,
                 dead: List[Unused]) -> EnvironmentReadiness:
    env, env_caps, services, findings = (judgement.environment, judgement.capabilities, judgement.services,
                                         judgement.findings)
    by_rule: Dict[Phase, Dict[str, List[Finding]]] = {phase: {} for phase in Phase}
    for phase in Phase:
        for f in findings[phase]:
            by_rule[phase].setdefault(f.rule.id, []).append(f)
    matrix = []
    for layer in Layer:
        for phase in Phase:
            cell = Cell(layer, phase)
            for rule in (r for r in rules if r.layer is layer and r.phase is phase):
                cell.controls.append(_control(rule, phase, judgement, by_rule[phase].get(rule.id, [])))
            matrix.append(cell)
    highest = None
    for phase in Phase:
        if any(not f.acknowledged for f in findings[phase]):
            break
        highest = phase
    gaps: List[Gap] = []
    if highest is not Phase.ADVANCED:
        target = Phase.FOUNDATIONAL if highest is None else Phase(highest + 1)
        due = {i: [f for f in fs if not f.acknowledged] for i, fs in by_rule[target].items()}
        gaps = sorted((Gap(fs[0].rule, fs) for fs in due.values() if fs),
                      key=lambda g: (_SEVERITY_ORDER[g.rule.severity], g.rule.phase, g.rule.id))
    return EnvironmentReadiness(env, env_caps, services, findings, matrix, highest, gaps, dead,
                                _evidence(judgement, rules, policy))


def _control(rule: Rule, phase: Phase, judgement: Judgement, mine: List[Finding]) -> Control:
    """The state of one control (rule) given its findings at ``phase``, with its evidence."""
    if not rule.applies(phase, judgement.capabilities, judgement.services):
        return Control(rule, "not_applicable")
    judged = judgement.judged(rule)
    if not mine:
        return Control(rule, "met" if judged else "nothing_to_judge", judged)
    if any(f.open for f in mine):
        state = "missing"
    elif any(f.baselined for f in mine):
        state = "baselined"
    else:
        state = "acknowledged"
    return Control(rule, state, judged, mine)


def label(phase: Optional[Phase]) -> str:
    return phase.label if phase else "none"

