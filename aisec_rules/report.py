"""Renderers of findings (text, JSON, SARIF) and of the rule registry (text, JSON, Markdown)."""
from __future__ import annotations

import json
from typing import Dict, List, Sequence

from .model import Finding, Rule

def findings_text(findings: Sequence[Finding]) -> str:
    open_findings = [f for f in findings if not f.acknowledged]
    lines: List[str] = []
    for f in findings:
        state = f"ACKNOWLEDGED ({f.reason})" if f.acknowledged else f.rule.severity.value.upper()
        lines.append(f"{f.template}: {f.resource}: {f.id} {state}: {f.message}")
    lines.append(f"{len(open_findings)} finding(s), {len(findings) - len(open_findings)} acknowledged")
    return "\n".join(lines)


def findings_json(findings: Sequence[Finding], templates: Sequence[str], phase: str) -> str:
    return json.dumps({
        "phase": phase,
        "templates": list(templates),
        "findings": [f.to_dict() for f in findings],
        "summary": {"findings": sum(not f.acknowledged for f in findings),
                    "acknowledged": sum(f.acknowledged for f in findings)},
    }, indent=2)


def findings_sarif(findings: Sequence[Finding], rules: Sequence[Rule], version: str) -> str:
    """SARIF 2.1.0 for code scanning: acknowledged findings carry an accepted suppression."""
    level = {"high": "error", "medium": "warning", "low": "note"}
    results = []
    for f in findings:
        result = {
            "ruleId": f.rule.id,
            "level": level[f.rule.severity.value],
            "message": {"text": f"{f.resource}: {f.message}"},
            "partialFingerprints": {"aisecFinding": f"{f.template}:{f.resource}:{f.id}"},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": f.template}},
                "logicalLocations": [{"name": f.resource, "kind": "resource"}],
            }],
            "properties": {"findingId": f.id},
        }
        if f.acknowledged:
            result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.reason or ""}]
        results.append(result)
    return json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "aisec", "version": version,
                "rules": [{
                    "id": r.id, "name": r.id.replace("-", ""),
                    "shortDescription": {"text": r.title},
                    "fullDescription": {"text": r.passes},
                    "help": {"text": r.remediation},
                    "properties": {"tags": [r.layer.value, r.phase.name.lower(), *r.risks]},
                } for r in rules],
            }},
            "results": results,
        }],
    }, indent=2)


def _rule_dict(rule: Rule) -> Dict[str, object]:
    return {
        "id": rule.id, "title": rule.title, "layer": rule.layer.value, "phase": rule.phase.name.lower(),
        "capabilities": sorted(c.value for c in rule.capabilities), "severity": rule.severity.value,
        "risks": list(rule.risks), "passes": rule.passes, "remediation": rule.remediation,
        "construct": rule.construct, "docs": rule.docs_link,
    }


def rules_json(rules: Sequence[Rule]) -> str:
    return json.dumps({"rules": [_rule_dict(r) for r in rules]}, indent=2)


def rules_text(rules: Sequence[Rule]) -> str:
    lines = [f"{r.id:<14} {r.phase.label:<12} {','.join(sorted(c.value for c in r.capabilities)):<22} {r.title}" for r in rules]
    return "\n".join(lines + [f"{len(rules)} rules"])


_CAPABILITY_ORDER = ("answers", "connects", "acts")


def rules_markdown(rules: Sequence[Rule]) -> str:
    """docs/RULES.md: an index table, then one section per rule."""
    out = [
        "# aisec rules",
        "",
        "Generated from the rule registry by `aisec docs` (do not edit by hand; a test fails when this file",
        "drifts from the registry). Phases are cumulative: a rule runs at its phase and every later one.",
        "A rule runs on a template when the template shows one of the rule's capabilities (detected from",
        "the resources, or given with `--capabilities`). Acknowledge a finding with its exact id (a",
        "granular finding `RULE[detail]` needs its own acknowledgement).",
        "",
        "| ID | Title | Layer | Phase | Capabilities |",
        "|---|---|---|---|---|",
    ]
    for r in rules:
        caps = ", ".join(c for c in _CAPABILITY_ORDER if any(x.value == c for x in r.capabilities))
        out.append(f"| [{r.id}](#{r.docs_anchor}) | {r.title} | {r.layer.label} | {r.phase.label} | {caps} |")
    for r in rules:
        caps = ", ".join(c for c in _CAPABILITY_ORDER if any(x.value == c for x in r.capabilities))
        out += [
            "",
            f"## {r.id}",
            "",
            f"**{r.title}**",
            "",
            f"- Layer: {r.layer.label}; phase: {r.phase.label}; capabilities: {caps}; severity: {r.severity.value}",
            f"- Risks: {', '.join(r.risks)}",
            f"- Satisfied by: {r.construct or 'no construct yet'}",
            "",
            f"What passes: {r.passes}",
            "",
            f"Remediation: {r.remediation}",
        ]
    return "\n".join(out) + "\n"
