"""Renderers of findings (text, JSON, SARIF) and of the rule registry (text, JSON, Markdown)."""
from __future__ import annotations

import json
from typing import Dict, List, Sequence

from .model import Finding, Rule, Scope, Service
from .system import Stack, describe_environment, environments

def escape(text: str) -> str:
    """Text fit for one line of a terminal: control characters, line and paragraph separators,
    format characters (bidirectional overrides) and lone surrogates become ``\\x..``/``\\u...``
    escapes, so a logical id or a value cannot hide text, move the cursor or forge a line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   if ord(c) < 0xD800 or ord(c) > 0xDFFF else f"\\u{ord(c):04x}" for c in text)


def findings_text(findings: Sequence[Finding], stacks: Sequence[Stack] = ()) -> str:
    """Findings grouped by environment, then stack; each line names the resource and the finding.
    Every value taken from the templates is escaped (:func:`escape`)."""
    lines: List[str] = []
    environment = stack = None
    for f in sorted(findings, key=lambda f: (f.environment, f.stack, f.template, f.resource, f.id)):
        if f.environment != environment:
            environment, stack = f.environment, None
            lines.append(f"Environment {escape(describe_environment(environment))}")
        if f.stack != stack:
            stack = f.stack
            lines.append(f"  Stack {escape(stack)} ({escape(f.template)})")
        state = f"ACKNOWLEDGED ({f.reason})" if f.acknowledged else f.rule.severity.value.upper()
        scope = " [environment]" if f.rule.scope is Scope.ENVIRONMENT else ""
        lines.append(escape(f"    {f.resource}: {f.id}{scope} {state}: {f.message}"))
    open_count = sum(not f.acknowledged for f in findings)
    judged = f" in {len(stacks)} stack(s), {len({s.environment for s in stacks})} environment(s)" if stacks else ""
    lines.append(f"{open_count} finding(s), {len(findings) - open_count} acknowledged{judged}")
    return "\n".join(lines)


def findings_json(findings: Sequence[Finding], stacks: Sequence[Stack], phase: str) -> str:
    """The findings as JSON: ``environments`` lists the stacks judged together, each finding carries
    its environment, stack and the scope of its rule."""
    return json.dumps({
        "phase": phase,
        "templates": [s.template.path for s in stacks],
        "environments": [{"name": e.name, "stacks": [{"name": s.name, "template": s.template.path} for s in e.stacks]}
                         for e in environments(stacks)],
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
            "partialFingerprints": {"aisecFinding": f"{f.environment}:{f.template}:{f.resource}:{f.id}"},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": f.template}},
                "logicalLocations": [{"name": f.resource, "kind": "resource"}],
            }],
            "properties": {"findingId": f.id, "scope": f.rule.scope.value, "stack": f.stack,
                           "environment": f.environment},
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
        "construct": rule.construct, "docs": rule.docs_link, "scope": rule.scope.value,
        "services": sorted(s.value for s in rule.services),
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
        "then logical id) that makes the system do what the rule is about. Acknowledge a finding with its",
        "exact id (a granular finding `RULE[detail]` needs its own acknowledgement) on its resource, its stack",
        "or any ancestor.",
        "",
        "| ID | Title | Layer | Phase | Scope | Capabilities |",
        "|---|---|---|---|---|---|",
    ]
    for r in rules:
        caps = ", ".join(c for c in _CAPABILITY_ORDER if any(x.value == c for x in r.capabilities))
        out.append(f"| [{r.id}](#{r.docs_anchor}) | {r.title} | {r.layer.label} | {r.phase.label} | {r.scope.value} "
                   f"| {caps} |")
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
            f"- Satisfied by: {r.construct or 'no construct yet'}",
            "",
            f"What passes: {r.passes}",
            "",
            f"Remediation: {r.remediation}",
        ]
    return "\n".join(out) + "\n"
