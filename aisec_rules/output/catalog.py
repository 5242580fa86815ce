"""The rule catalog: the registry as text (``aisec rules``), JSON and Markdown (``docs/RULES.md``, with the
Security Hub AI standard's coverage and the runtime assessments' checks caught before deployment; the README
carries a compact form of the latter)."""
from __future__ import annotations

import json
from typing import Dict, List, Sequence

from .. import security_hub
from ..assessments import (ASSESSMENTS, FULLY, NOT_COVERED, NOT_DECIDABLE, PARTLY, STATUSES, Assessment, Catch, Row,
                           entry)
from ..model import Rule, Service


def _rule_dict(rule: Rule) -> Dict[str, object]:
    return {
        "id": rule.id, "title": rule.title, "layer": rule.layer.value, "phase": rule.phase.name.lower(),
        "capabilities": sorted(c.value for c in rule.capabilities), "severity": rule.severity.value,
        "risks": list(rule.risks), "passes": rule.passes, "remediation": rule.remediation,
        "construct": rule.construct, "docs": rule.docs_link, "scope": rule.scope.value,
        "services": sorted(s.value for s in rule.services), "security_hub": list(rule.security_hub),
        "prowler_aisf": list(rule.prowler_aisf), "aiml_assessment": list(rule.aiml_assessment),
        "judges": list(rule.judges), "reads": list(rule.reads),
    }


def rules_json(rules: Sequence[Rule]) -> str:
    return json.dumps({"rules": [_rule_dict(r) for r in rules]}, indent=2)


def rules_text(rules: Sequence[Rule]) -> str:
    lines = [f"{r.id:<14} {r.phase.label:<12} {r.scope.value:<11} {','.join(sorted(c.value for c in r.capabilities)):<22} "
             f"{r.title}" for r in rules]
    return "\n".join(lines + [f"{len(rules)} rules"])


_CAPABILITY_ORDER = ("answers", "connects", "acts")
_SERVICE_NAMES = {Service.BEDROCK: "Amazon Bedrock (and Bedrock AgentCore)", Service.SAGEMAKER: "Amazon SageMaker AI"}


def rules_markdown(rules: Sequence[Rule]) -> str:
    """docs/RULES.md: an index table, then one section per rule."""
    out = [
        "# aisec rules",
        "",
        "Generated from the rule registry by `aisec docs` (do not edit by hand; a test fails when this file",
        "drifts from the registry). Phases are cumulative: a rule runs at its phase and every later one.",
        "The unit of evaluation is the system: all stacks synthesized together (or given to one `aisec check`),",
        "grouped by environment (account and Region). A rule runs on an environment when its stacks show one of",
        "the rule's capabilities (detected from the resources, or given with `--capabilities`) and, for a rule",
        "about one service, use that service. Scope: a *resource* rule judges each resource and follows",
        "references into the other stacks of the environment (`Fn::ImportValue` of an export, SSM parameters);",
        "an *environment* rule is a control that must exist once per environment: it is judged over all the",
        "environment's stacks and a missing control is reported once, on the first resource (by template path,",
        "then logical id) that makes the system do what the rule is about; it may count what another",
        "environment of the system provides for this one (the management account's organization policies).",
        "*Judges* names the resource types a rule judges: the readiness report calls a control met only when",
        "the environment (or, for what another environment provides, the system) has resources of those types",
        "(for an environment rule, the resources that establish the control), and reports it as having nothing",
        "to judge otherwise. Acknowledge a finding with its exact id (a granular finding `RULE[detail]` needs its",
        "own acknowledgement) on its resource, its stack or any ancestor.",
        "",
        "| ID | Title | Layer | Phase | Scope | Capabilities |",
        "|---|---|---|---|---|---|",
    ]
    for r in rules:
        caps = ", ".join(c for c in _CAPABILITY_ORDER if any(x.value == c for x in r.capabilities))
        out.append(f"| [{r.id}](#{r.docs_anchor}) | {r.title} | {r.layer.label} | {r.phase.label} | {r.scope.value} "
                   f"| {caps} |")
    out += _security_hub_markdown(rules)
    for assessment in ASSESSMENTS:
        out += _assessment_markdown(assessment, rules)
    for r in rules:
        caps = ", ".join(c for c in _CAPABILITY_ORDER if any(x.value == c for x in r.capabilities))
        out += [
            "",
            f"## {r.id}",
            "",
            f"**{r.title}**",
            "",
            f"- Layer: {r.layer.label}; phase: {r.phase.label}; scope: {r.scope.value}; capabilities: {caps}; "
            f"severity: {r.severity.value}",
            f"- Services: {', '.join(_SERVICE_NAMES[s] for s in sorted(r.services, key=lambda s: s.value)) or 'any'}",
            f"- Risks: {', '.join(r.risks)}",
            *([f"- Security Hub ({security_hub.STANDARD_NAME}): {', '.join(r.security_hub)}"]
              if r.security_hub else []),
            *(f"- {a.name}: {_entries(getattr(r, a.field))}" for a in ASSESSMENTS if getattr(r, a.field)),
            f"- Judges: {', '.join(f'`{t}`' for t in r.judges)}"
            + (f"; also reads {', '.join(f'`{t}`' for t in r.reads)}" if r.reads else ""),
            f"- Satisfied by: {r.construct or 'no construct yet'}",
            *([f"- Acknowledged only with a reason naming {r.reason_must_name[1]}"] if r.reason_must_name else []),
            "",
            f"What passes: {r.passes}",
            "",
            f"Remediation: {r.remediation}",
        ]
    return "\n".join(out) + "\n"


def _security_hub_markdown(rules: Sequence[Rule]) -> List[str]:
    """The coverage of Security Hub's AI standard: control -> rules -> phase, or why there is none."""
    out = [
        "",
        f"## AWS Security Hub CSPM: {security_hub.STANDARD_NAME}",
        "",
        f"The standard (`{security_hub.STANDARD_ARN_SUFFIX}`) judges deployed resources; these rules catch the same "
        "settings in the template, before deployment. A control is caught from the earliest phase of its rules. "
        "Controls without a rule say why: a template cannot decide them, or no rule covers them yet (the mapping "
        "is in each rule's metadata and in `aisec_rules/security_hub.py`).",
        "",
        f"Source: [{security_hub.STANDARD_NAME}]({security_hub.STANDARD_URL}).",
        "",
        "| Security Hub control | Title | aisec rule(s) | Phase |",
        "|---|---|---|---|",
    ]
    for control, mapped, status in security_hub.coverage(rules):
        title = security_hub.TITLES[control]
        if mapped:
            ids = ", ".join(f"[{r.id}](#{r.docs_anchor})" for r in mapped)
            note = security_hub.PHASE_NOTES.get(control)
            phase = min(r.phase for r in mapped).label + (f" ({note})" if note else "")
            out.append(f"| {control} | {title} | {ids} | {phase} |")
        else:
            out.append(f"| {control} | {title} | none | {status} |")
    return out


def _entries(texts: Sequence[str]) -> str:
    """A rule's entries for its section: ``AISF-ML-01, SM-11 (partly: ...)``."""
    return ", ".join(check + (f" (partly: {part})" if part else "") for check, part in map(entry, texts))


def _caught_by(catches: Sequence[Catch], link: str, phases: bool) -> str:
    """The rules of a row, each once (in registry order), with their phase and, when a rule catches a part
    only, the parts it catches; without ``phases`` (the README) the rule ids alone."""
    by_rule: Dict[str, List[Catch]] = {}
    for catch in catches:
        by_rule.setdefault(catch.rule.id, []).append(catch)
    shown = []
    for rule_id, own in by_rule.items():
        rule = own[0].rule
        parts = [] if any(not c.part for c in own) else list(dict.fromkeys(c.part for c in own))
        about = ([rule.phase.label] if phases else []) + ([f"partly: {'; '.join(parts)}"] if parts else [])
        shown.append(f"[{rule_id}]({link}{rule.docs_anchor})" + (f" ({'; '.join(about)})" if about and phases else ""))
    return ", ".join(shown)


def _summary(assessment: Assessment, rows: Sequence[Row]) -> str:
    counts = {status: sum(1 for row in rows if row.status == status) for status in STATUSES}
    return (f"{len(rows)} {assessment.unit}s: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES)
            .replace("not decidable", "not decidable from a template").replace("not covered", "not covered yet"))


def _assessment_markdown(assessment: Assessment, rules: Sequence[Rule]) -> List[str]:
    """One runtime assessment: a summary line, then every requirement or check with its rules or why none."""
    rows = assessment.coverage(rules)
    out = [
        "",
        f"## Runtime assessment: {assessment.name}",
        "",
        f"Each {assessment.unit} of this assessment of a live account, with the rules that catch it in the template, "
        f"before deployment: *fully* when the rules fail every template that would fail the {assessment.unit} once "
        "deployed, *partly* with the part they catch. The others say why no rule does: a template cannot decide "
        f"them, or no rule catches them yet (the mapping is in each rule's metadata, `{assessment.field}`, and in "
        f"`aisec_rules/assessments/`). Source: [{assessment.source.rsplit('/', 1)[-1]}]({assessment.source}).",
        "",
        _summary(assessment, rows) + ".",
        "",
        f"| {assessment.unit.capitalize()} | Title | Status | aisec rule(s), or why none |",
        "|---|---|---|---|",
    ]
    for row in rows:
        title = assessment.titles[row.id].replace("|", "\\|")
        if row.status in (FULLY, PARTLY):
            note = "together they catch all of it" if row.id in assessment.together else row.note
            cell = _caught_by(row.catches, "#", phases=True) + (f"; {note}" if note else "")
        else:
            cell = row.note
        out.append(f"| {row.id} | {title} | {row.status} | {cell} |")
    return out


README_BEGIN = "<!-- generated by `make docs` from the rule metadata (aisec_rules/assessments): do not edit -->"
README_END = "<!-- end of generated tables -->"


def readme_assessments(rules: Sequence[Rule]) -> str:
    """The README's compact form: per assessment, the summary line and the ids the rules catch, with their
    rules (in a collapsed block), then the ids no rule catches; reasons and titles are in docs/RULES.md."""
    out = [README_BEGIN]
    for assessment in ASSESSMENTS:
        rows = assessment.coverage(rules)
        out += ["", f"**{assessment.name}**: {_summary(assessment, rows)}.", "",
                f"<details><summary>{assessment.unit.capitalize()}s caught before deployment</summary>", "",
                f"| {assessment.unit.capitalize()} | Status | aisec rule(s) |", "|---|---|---|"]
        out += [f"| {row.id} | {row.status.split()[0]} | {_caught_by(row.catches, 'docs/RULES.md#', phases=False)} |"
                for row in rows if row.status in (FULLY, PARTLY)]
        out += ["", "</details>"]
        for status, label in ((NOT_DECIDABLE, "Not decidable from a template"), (NOT_COVERED, "Not covered yet")):
            ids = [row.id for row in rows if row.status == status]
            out += ["", f"{label}: {', '.join(ids)}."] if ids else []
    return "\n".join(out + ["", README_END])
