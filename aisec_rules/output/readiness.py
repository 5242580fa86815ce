"""Where an AI system stands on the framework: per environment, the phase it fully meets, what the next
phase still needs, the risks its open findings leave, and the exceptions granted.

The system is judged at every phase (Foundational, Enhanced, Advanced), whatever phase is enforced:

* **Matrix.** Layers (infrastructure, data and model, application and agent) by phases. A cell holds
  the controls (rules) that the phase introduces for that layer, each *met* (no finding), *missing*
  (an open finding), *acknowledged* (every finding acknowledged, in force) or *not applicable* (the
  environment lacks the rule's capabilities or services), judged at that phase.
* **Verdict.** The highest phase whose evaluation leaves no open finding (phases are cumulative, and
  a few controls tighten at later phases, so each phase is judged on its own evaluation), and for the
  next phase the controls with open findings, most severe first, each with its remediation and the
  construct that satisfies it.
* **Risks.** Open findings at Advanced counted by the OWASP LLM and agentic threat ids their rules
  carry.
* **Exceptions.** Every acknowledgement that names a finding, with its reason, expiry and state (in
  force, expiring within 30 days, expired, invalid and why).
* **Evidence without findings.** What a rule relied on that a reviewer should still see although it
  is no finding (``Rule.evidence``): for AISEC-APP-31, the audit destinations outside the system
  (a log-archive account's bucket), which pass as external archives.

:func:`assess` computes it; :meth:`Readiness.to_dict` is the versioned JSON shape that
``aisec report --format json`` writes and docs/REPORT.md documents.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Protocol, Sequence

from ..context import Context
from ..governance import exceptions
from ..engine import Judgement, judge
from ..model import Capability, Finding, Layer, Phase, Rule, Service, Severity
from ..governance.policy import Policy
from ..read.stack import Stack
from ..system.environments import Environment

SCHEMA_VERSION = 1
_SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


@dataclass
class Cell:
    """The controls one phase introduces for one layer, by state (rule ids, sorted)."""

    layer: Layer
    phase: Phase
    met: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    acknowledged: List[str] = field(default_factory=list)
    not_applicable: List[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"layer": self.layer.value, "phase": self.phase.name.lower(), "met": self.met,
                "missing": self.missing, "acknowledged": self.acknowledged, "not_applicable": self.not_applicable}


@dataclass
class Gap:
    """A control the next phase still needs: its rule and its open findings there."""

    rule: Rule
    findings: List[Finding]

    def to_dict(self) -> dict:
        r = self.rule
        return {"rule_id": r.id, "title": r.title, "severity": r.severity.value, "layer": r.layer.value,
                "phase": r.phase.name.lower(), "open_findings": len(self.findings), "remediation": r.remediation,
                "construct": r.construct, "docs": r.docs_link,
                "resources": [{"stack": f.stack, "resource": f.resource, "finding_id": f.id} for f in self.findings]}


@dataclass
class EnvironmentReadiness:
    environment: Environment
    capabilities: FrozenSet[Capability]
    services: FrozenSet[Service]
    findings: Dict[Phase, List[Finding]]
    matrix: List[Cell]
    highest_met: Optional[Phase]
    gaps: List[Gap]
    #: rule id -> what it relied on without a finding (:attr:`aisec_rules.model.Rule.evidence`)
    evidence: Dict[str, List[str]] = field(default_factory=dict)

    @property
    def next_phase(self) -> Optional[Phase]:
        if self.highest_met is Phase.ADVANCED:
            return None
        return Phase.FOUNDATIONAL if self.highest_met is None else Phase(self.highest_met + 1)

    @property
    def risks(self) -> List[tuple]:
        """(risk id, open findings at Advanced), most findings first."""
        counts: Dict[str, int] = {}
        for f in self.findings[Phase.ADVANCED]:
            if not f.acknowledged:
                for risk in f.rule.risks:
                    counts[risk] = counts.get(risk, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    @property
    def exceptions(self) -> List[Finding]:
        """The findings an acknowledgement names (judged at Advanced, which runs every rule)."""
        return [f for f in self.findings[Phase.ADVANCED] if f.exception is not None]

    def to_dict(self) -> dict:
        env = self.environment
        return {
            "name": env.name, "label": env.label,
            "stacks": [{"name": s.name, "template": s.template.path} for s in env.stacks],
            "capabilities": sorted(c.value for c in self.capabilities),
            "services": sorted(s.value for s in self.services),
            "verdict": {
                "highest_phase_met": self.highest_met.name.lower() if self.highest_met else None,
                "next_phase": self.next_phase.name.lower() if self.next_phase else None,
                "missing_for_next_phase": [g.to_dict() for g in self.gaps],
            },
            "matrix": [c.to_dict() for c in self.matrix],
            "risks": [{"id": risk, "open_findings": n} for risk, n in self.risks],
            "exceptions": [exception_entry(f) for f in self.exceptions],
            "evidence": [{"rule_id": rule_id, "items": items} for rule_id, items in sorted(self.evidence.items())],
            "findings": {p.name.lower(): [f.to_dict() for f in self.findings[p]] for p in Phase},
        }


def exception_entry(f: Finding) -> dict:
    ack = f.exception
    assert ack is not None
    return {"finding_id": f.id, "rule_id": f.rule.id, "resource": f.resource, "stack": f.stack,
            "template": f.template, "acknowledged_id": ack.id, "reason": ack.reason,
            "expires": ack.expires.isoformat() if ack.expires else None, "state": f.exception_state,
            "problem": f.exception_problem or None, "in_force": f.acknowledged}


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
    #: the latest probe run, when the report was given one (``aisec report --probe-results``)
    security_testing: Optional[Evidence] = None

    def to_dict(self) -> dict:
        extra = {} if self.security_testing is None else {"security_testing": self.security_testing.to_dict()}
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "aisec", "version": self.version},
            "date": self.today.isoformat(),
            "enforced_phase": self.enforced.name.lower() if self.enforced else None,
            "policy": self.policy.to_dict(),
            "environments": [e.to_dict() for e in self.environments],
            "summary": {
                "environments": len(self.environments),
                "stacks": sum(len(e.environment.stacks) for e in self.environments),
                "open_findings_at_enforced_phase": self.open_at(self.enforced) if self.enforced else None,
            },
            **extra,
        }

    def open_at(self, phase: Phase) -> int:
        return sum(not f.acknowledged for e in self.environments for f in e.findings[phase])


def assess(stacks: Sequence[Stack], *, enforced: Optional[Phase] = None,
           capabilities: Optional[Iterable[Capability]] = None, policy: Optional[Policy] = None,
           today: Optional[dt.date] = None, rules: Optional[Sequence[Rule]] = None, version: str = "") -> Readiness:
    """Judge ``stacks`` at every phase and build the readiness of each environment."""
    if rules is None:
        from ..registry import RULES

        rules = RULES
    policy = policy or Policy()
    today = today or exceptions.today()
    judgements = judge(stacks, list(Phase), capabilities, rules, policy, today)
    return from_judgements(judgements, enforced=enforced, policy=policy, today=today, rules=rules, version=version)


def from_judgements(judgements: Sequence[Judgement], *, enforced: Optional[Phase], policy: Policy, today: dt.date,
                    rules: Sequence[Rule], version: str = "") -> Readiness:
    """The readiness of environments already judged at every phase (the pack judges once for its
    violations and its report)."""
    return Readiness([_environment(j, rules, policy) for j in judgements], enforced, policy, today, version)


def _evidence(judgement: Judgement, rules: Sequence[Rule], policy: Policy) -> Dict[str, List[str]]:
    """What the applicable rules with an evidence hook relied on, judged over the environment's view at
    Advanced (the view is joined again only when such a rule applies). A hook that fails is left out:
    the report never breaks on it."""
    hooked = [r for r in rules if r.evidence is not None
              and r.applies(Phase.ADVANCED, judgement.capabilities, judgement.services)]
    if not hooked:
        return {}
    context = Context(judgement.environment.view(), Phase.ADVANCED, judgement.capabilities, policy=policy)
    found: Dict[str, List[str]] = {}
    for rule in hooked:
        try:
            items = list(dict.fromkeys(rule.evidence(context)))  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - evidence is a courtesy of the report, never a reason to fail it
            continue
        if items:
            found[rule.id] = items
    return found


def _environment(judgement: Judgement, rules: Sequence[Rule], policy: Policy) -> EnvironmentReadiness:
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
                getattr(cell, _state(rule, phase, env_caps, services, by_rule[phase].get(rule.id, []))).append(rule.id)
            matrix.append(cell)
    highest = None
    for phase in Phase:
        if any(not f.acknowledged for f in findings[phase]):
            break
        highest = phase
    gaps: List[Gap] = []
    if highest is not Phase.ADVANCED:
        target = Phase.FOUNDATIONAL if highest is None else Phase(highest + 1)
        open_by_rule = {i: [f for f in fs if not f.acknowledged] for i, fs in by_rule[target].items()}
        gaps = sorted((Gap(fs[0].rule, fs) for fs in open_by_rule.values() if fs),
                      key=lambda g: (_SEVERITY_ORDER[g.rule.severity], g.rule.phase, g.rule.id))
    return EnvironmentReadiness(env, env_caps, services, findings, matrix, highest, gaps,
                                _evidence(judgement, rules, policy))


def _state(rule: Rule, phase: Phase, env_caps: FrozenSet[Capability], services: FrozenSet[Service],
           mine: List[Finding]) -> str:
    """The state of one control (rule) given its findings at ``phase``."""
    if not rule.applies(phase, env_caps, services):
        return "not_applicable"
    if not mine:
        return "met"
    return "acknowledged" if all(f.acknowledged for f in mine) else "missing"


def label(phase: Optional[Phase]) -> str:
    return phase.label if phase else "none"

