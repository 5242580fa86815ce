"""The readiness report as Markdown, sized for a pull-request comment: verdict first, then the matrix (each control
with its title), what the next phase needs, risks (each threat id with its name) and exceptions. States are words
and symbols, never colour alone."""
from __future__ import annotations

from typing import List

from ..model import RISKS, Layer, Phase
from .readiness import Cell, Control, EnvironmentReadiness, Readiness, label
from .findings import escape

SYMBOLS = {"met": "✅ met", "missing": "❌ missing", "acknowledged": "📝 acknowledged", "baselined": "🟣 baselined",
           "nothing_to_judge": "⚪ nothing to judge", "not_applicable": "➖ n/a"}
STATE_WORDS = {"in force": "in force", "expiring": "⏳ expiring soon", "expired": "⛔ expired", "invalid": "⛔ invalid",
               "unused": "⛔ unused"}


def evidence_text(control: Control, shown: int = 3) -> str:
    """What a control without findings judged: "judged 2: Guardrail (ChatAssistant), ..." or what it looked for."""
    if not control.judged:
        return f"nothing to judge: no {', '.join(control.rule.judges) or 'declared resource type'} in this environment"
    names = ", ".join(f"{j.resource} ({j.stack or j.template})" for j in control.judged[:shown])
    more = f" and {len(control.judged) - shown} more" if len(control.judged) > shown else ""
    return f"judged {len(control.judged)}: {names}{more}"


def _cell(cell: Cell) -> str:
    parts = []
    for state, word in SYMBOLS.items():
        controls = cell.of_state(state)
        if not controls:
            continue
        if state == "not_applicable":
            parts.append(f"{len(controls)} {word}")
            continue
        for c in controls:
            judged = f" ({len(c.judged)} judged)" if state == "met" else ""
            parts.append(f"{word.split()[0]} {c.rule.id[6:]} {_cell_text(c.rule.title)}{judged}")
    return "<br>".join(parts) or "–"


def verdict_line(env: EnvironmentReadiness) -> str:
    met = f"meets **{label(env.highest_met)}**" if env.highest_met else "does **not yet meet Foundational**"
    if env.next_phase is None:
        return f"{met}: every phase fully met"
    return f"{met}; {env.next_phase.label} needs {len(env.gaps)} more control(s)"


def render(readiness: Readiness, docs_base: str = "docs/RULES.md") -> str:
    out: List[str] = ["## aisec readiness report", ""]
    enforced = f"; enforced phase: **{readiness.enforced.label}**" if readiness.enforced else ""
    out.append(f"{readiness.today.isoformat()} · aisec {readiness.version or ''}".rstrip() + enforced)
    if readiness.policy.source:
        out.append(f"Policy: {_code(readiness.policy.source)}")
    if readiness.warn:
        out += ["", "> ⚠ Produced in **warn mode**: every finding is reported, none failed."]
    if readiness.baseline is not None:
        out += ["", f"Baseline of {readiness.baseline.date.isoformat()}: {len(readiness.baseline.entries)} accepted "
                    "finding(s) (🟣 baselined: debt, not readiness)."]
    for entry in readiness.resolved:
        out.append(f"- baseline entry {_code(entry.id)} on {_code(entry.resource)} ({_cell_text(entry.stack)}) matches "
                   "no finding any more: fixed, remove it (`aisec baseline --update`)")
    for env in readiness.environments:
        out += ["", f"### {env.environment.label}: {verdict_line(env)}", ""]
        out.append(f"Stacks: {', '.join(_cell_text(s.name) for s in env.environment.stacks)} · capabilities: "
                   f"{', '.join(sorted(c.value for c in env.capabilities)) or 'none'} · services: "
                   f"{', '.join(sorted(s.value for s in env.services))}")
        out += ["", "| Layer | " + " | ".join(p.label for p in Phase) + " |", "|---|---|---|---|"]
        for layer in Layer:
            cells = [c for c in env.matrix if c.layer is layer]
            out.append(f"| {layer.label} | " + " | ".join(_cell(c) for c in cells) + " |")
        if env.gaps:
            out += ["", f"**Missing for {label(env.next_phase)}** (most severe first)", "",
                    "| Severity | Control | Where | Remediation | Construct |", "|---|---|---|---|---|"]
            for gap in env.gaps:
                where = ", ".join(f"{_code(f.resource)} ({_cell_text(f.stack)})"
                                  f"{'' if f.id == gap.rule.id else ': ' + _code(f.id[len(gap.rule.id):])}"
                                  f"{' 🟣 baselined since ' + f.baseline_since.isoformat() if f.baselined and f.baseline_since else ''}"
                                  for f in gap.findings[:5])
                where += f" and {len(gap.findings) - 5} more" if len(gap.findings) > 5 else ""
                out.append(f"| {gap.rule.severity.value} | [{gap.rule.id}]({docs_base}#{gap.rule.docs_anchor}) "
                           f"{gap.rule.title} | {where} | {_cell_text(gap.rule.remediation)} | "
                           f"{_cell_text(gap.rule.construct) or '–'} |")
        if env.risks:
            out += ["", "**Risks** (unacknowledged findings at Advanced): " +
                    ", ".join(f"{risk} {RISKS.get(risk, '')} × {n + b}" + (f" ({b} baselined)" if b else "")
                              for risk, n, b in env.risks), ""]
        for rule_id, items in sorted(env.evidence.items()):
            out += ["", f"**Evidence of {rule_id}** (no finding): " + "; ".join(_cell_text(i) for i in items)]
        register = env.register
        if register:
            out += ["", "**Exceptions**", "", "| Acknowledged | Resource | Stack | Reason | Expires | State |",
                    "|---|---|---|---|---|---|"]
            for e in register:
                state = STATE_WORDS.get(e["state"], e["state"]) + (f": {e['problem']}" if e["problem"] else "")
                out.append(f"| {_code(e['finding_id'] or e['acknowledged_id'])} | "
                           f"{_code(e['resource']) if e['resource'] else '(the whole stack)'} | "
                           f"{_cell_text(e['stack'])} | {_cell_text(e['reason'])} | "
                           f"{e['expires'] or '–'} | {_cell_text(state)} |")
    if readiness.security_testing is not None:
        out += readiness.security_testing.markdown(docs_base)
    return "\n".join(out) + "\n"


def _cell_text(text: str) -> str:
    """Template-controlled text (ids, names, reasons) fit for one Markdown table cell: escaped to one
    line (no control or bidirectional characters), pipes escaped, HTML tags and mentions defused."""
    return escape(text or "").replace("|", "\\|").replace("<", "&lt;").replace("@", "@\u200b")


def _code(text: str) -> str:
    """An id as inline code: backticks cannot close the span early."""
    return "`" + _cell_text(text).replace("`", "'") + "`"
