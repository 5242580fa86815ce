"""The readiness report as Markdown, sized for a pull-request comment: verdict first, then the matrix,
what the next phase needs, risks and exceptions. States are words and symbols, never colour alone."""
from __future__ import annotations

from typing import List

from ..model import Layer, Phase
from .readiness import EnvironmentReadiness, Readiness, exception_entry, label
from .findings import escape

SYMBOLS = {"met": "✅ met", "missing": "❌ missing", "acknowledged": "📝 acknowledged", "not_applicable": "➖ n/a"}
STATE_WORDS = {"in force": "in force", "expiring": "⏳ expiring soon", "expired": "⛔ expired", "invalid": "⛔ invalid"}


def _cell(cell) -> str:
    parts = [f"{len(getattr(cell, state))} {SYMBOLS[state]}" for state in ("met", "missing", "acknowledged", "not_applicable")
             if getattr(cell, state)]
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
                                  for f in gap.findings[:5])
                where += f" and {len(gap.findings) - 5} more" if len(gap.findings) > 5 else ""
                out.append(f"| {gap.rule.severity.value} | [{gap.rule.id}]({docs_base}#{gap.rule.docs_anchor}) "
                           f"{gap.rule.title} | {where} | {_cell_text(gap.rule.remediation)} | "
                           f"{_cell_text(gap.rule.construct) or '–'} |")
        if env.risks:
            out += ["", "**Risks** (open findings at Advanced): " +
                    ", ".join(f"{risk} × {n}" for risk, n in env.risks), ""]
        for rule_id, items in sorted(env.evidence.items()):
            out += ["", f"**Evidence of {rule_id}** (no finding): " + "; ".join(_cell_text(i) for i in items)]
        if env.exceptions:
            out += ["", "**Exceptions**", "", "| Finding | Resource | Stack | Reason | Expires | State |",
                    "|---|---|---|---|---|---|"]
            for f in env.exceptions:
                e = exception_entry(f)
                state = STATE_WORDS.get(e["state"], e["state"]) + (f": {e['problem']}" if e["problem"] else "")
                out.append(f"| {_code(e['finding_id'])} | {_code(e['resource'])} | {_cell_text(e['stack'])} | "
                           f"{_cell_text(e['reason'])} | "
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
