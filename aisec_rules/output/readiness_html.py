"""The readiness report as one self-contained HTML page: inline CSS, no script, no font or image to
fetch, readable on a laptop screen and printable. Every state is a word and a symbol as well as a
colour; every finding names its resource and stack and links to its rule's entry in the rule docs."""
from __future__ import annotations

from html import escape
from typing import List

from ..model import Finding, Layer, Phase
from .readiness import EnvironmentReadiness, Readiness, exception_entry, label
from .readiness_markdown import verdict_line

_STATE = {  # state -> (symbol, word, css class)
    "met": ("✓", "met", "ok"), "missing": ("✗", "missing", "bad"), "acknowledged": ("!", "acknowledged", "ack"),
    "not_applicable": ("–", "not applicable", "na"),
}
_EXCEPTION = {"in force": ("✓", "in force", "ok"), "expiring": ("⏳", "expiring soon", "ack"),
              "expired": ("✗", "expired", "bad"), "invalid": ("✗", "invalid", "bad")}

CSS = """
:root { --ok:#1a7f37; --bad:#b3261e; --ack:#8a5a00; --na:#5f6368; --ink:#1f2328; --line:#d0d7de; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 24px; max-width: 1180px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 21px; margin: 32px 0 8px; border-bottom: 2px solid var(--line); }
h3 { font-size: 17px; margin: 20px 0 8px; }
.meta { color: var(--na); margin: 0 0 16px; }
.verdict { display: inline-block; padding: 6px 12px; border-radius: 6px; font-weight: 600; border: 2px solid; }
.verdict.ok { color: var(--ok); background: #eaf6ec; } .verdict.bad { color: var(--bad); background: #fdecea; }
.verdict.ack { color: var(--ack); background: #fff4d6; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); }
.ok { color: var(--ok); } .bad { color: var(--bad); } .ack { color: var(--ack); } .na { color: var(--na); }
.tag { display: inline-block; border: 1px solid currentColor; border-radius: 4px; padding: 0 5px; margin: 1px 2px 1px 0;
       font-size: 13px; white-space: nowrap; text-decoration: none; }
.count { font-weight: 600; }
.bar { display: inline-block; height: 10px; background: var(--bad); vertical-align: middle; margin-right: 6px; }
code { font-size: 13px; background: var(--soft); padding: 0 3px; border-radius: 3px; word-break: break-all; }
.legend span { margin-right: 14px; }
@media print {
  body { padding: 0; max-width: none; font-size: 11px; } h2 { page-break-before: always; } h2:first-of-type { page-break-before: auto; }
  a { color: inherit; text-decoration: none; } table { page-break-inside: auto; } tr { page-break-inside: avoid; }
}
"""


def render(readiness: Readiness, docs_base: str = "docs/RULES.md") -> str:
    out: List[str] = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
                      '<meta name="viewport" content="width=device-width, initial-scale=1">',
                      "<title>aisec readiness report</title>", f"<style>{CSS}</style></head><body>",
                      "<h1>AI security readiness</h1>"]
    meta = [readiness.today.isoformat(), f"aisec {escape(readiness.version)}" if readiness.version else "aisec"]
    if readiness.enforced:
        meta.append(f"enforced phase: {readiness.enforced.label}")
    if readiness.policy.source:
        meta.append(f"policy: {escape(readiness.policy.source)}")
    out.append(f'<p class="meta">{" · ".join(meta)}</p>')
    out.append('<p class="legend">' + "".join(
        f'<span class="{css}">{symbol} {word}</span>' for symbol, word, css in _STATE.values()) + "</p>")
    for env in readiness.environments:
        out += _environment(env, docs_base)
    if readiness.security_testing is not None:
        out += readiness.security_testing.html(docs_base)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _environment(env: EnvironmentReadiness, docs_base: str) -> List[str]:
    e = env.environment
    css = "ok" if env.highest_met is Phase.ADVANCED else ("ack" if env.highest_met else "bad")
    symbol = "✓" if css == "ok" else ("!" if css == "ack" else "✗")
    out = [f'<h2 id="{escape(_anchor(e.name))}">Environment {escape(e.label)}</h2>',
           f'<p><span class="verdict {css}">{symbol} {escape(_plain(verdict_line(env)))}</span></p>',
           f"<p>Stacks: {', '.join(f'<code>{escape(s.name)}</code>' for s in e.stacks)}<br>"
           f"Capabilities: {escape(', '.join(sorted(c.value for c in env.capabilities)) or 'none')} · "
           f"services: {escape(', '.join(sorted(s.value for s in env.services)))}</p>",
           "<h3>Framework matrix</h3>", "<table><thead><tr><th>Layer</th>" +
           "".join(f"<th>{p.label}</th>" for p in Phase) + "</tr></thead><tbody>"]
    for layer in Layer:
        out.append(f"<tr><th>{layer.label}</th>")
        for cell in (c for c in env.matrix if c.layer is layer):
            parts = []
            for state, (sym, word, klass) in _STATE.items():
                ids = getattr(cell, state)
                if ids:
                    links = "".join(f'<a class="tag {klass}" href="{escape(docs_base)}#{rid.lower()}">{sym} {rid[6:]}</a>'
                                    for rid in ids)
                    parts.append(f'<div><span class="count {klass}">{len(ids)} {word}</span><br>{links}</div>')
            out.append(f"<td>{''.join(parts) or '–'}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if env.gaps:
        out += [f"<h3>Missing for {label(env.next_phase)}, most severe first</h3>",
                "<table><thead><tr><th>Severity</th><th>Control</th><th>Where (resource, stack)</th>"
                "<th>Remediation</th><th>Construct</th></tr></thead><tbody>"]
        for gap in env.gaps:
            r = gap.rule
            where = "<br>".join(_where(f) + ("" if f.id == r.id else f" ({escape(f.id[len(r.id):])})") for f in gap.findings)
            out.append(f'<tr><td class="{_severity_css(r.severity.value)}">{r.severity.value.upper()}</td>'
                       f'<td><a href="{escape(docs_base)}#{r.docs_anchor}">{r.id}</a> {escape(r.title)}</td>'
                       f"<td>{where}</td><td>{escape(r.remediation)}</td><td>{escape(r.construct or '–')}</td></tr>")
        out.append("</tbody></table>")
    out.append("<h3>Risks: open findings at Advanced by threat</h3>")
    if env.risks:
        top = max(n for _, n in env.risks)
        out.append("<table><thead><tr><th>Threat id</th><th>Open findings</th></tr></thead><tbody>")
        out += [f'<tr><td>{escape(risk)}</td><td><span class="bar" style="width:{int(120 * n / top)}px"></span>'
                f"{n}</td></tr>" for risk, n in env.risks]
        out.append("</tbody></table>")
    else:
        out.append('<p class="ok">✓ no open finding at Advanced</p>')
    for rule_id, items in sorted(env.evidence.items()):
        out.append(f"<h3>Evidence of {escape(rule_id)} (no finding)</h3><ul>"
                   + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
    out.append("<h3>Exception register</h3>")
    if env.exceptions:
        out.append("<table><thead><tr><th>Finding</th><th>Resource</th><th>Stack</th><th>Reason</th><th>Expires</th>"
                   "<th>State</th></tr></thead><tbody>")
        for f in env.exceptions:
            x = exception_entry(f)
            sym, word, klass = _EXCEPTION.get(x["state"], ("?", x["state"], "na"))
            problem = f"<br>{escape(x['problem'])}" if x["problem"] else ""
            out.append(f'<tr><td><a href="{escape(docs_base)}#{f.rule.docs_anchor}">{escape(x["finding_id"])}</a></td>'
                       f"<td><code>{escape(x['resource'])}</code></td><td>{escape(x['stack'])}</td>"
                       f"<td>{escape(x['reason'])}</td><td>{x['expires'] or '–'}</td>"
                       f'<td class="{klass}">{sym} {word}{problem}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append("<p>No acknowledgement names a finding.</p>")
    open_findings = [f for f in env.findings[Phase.ADVANCED] if not f.acknowledged]
    out.append(f"<h3>Open findings at Advanced ({len(open_findings)})</h3>")
    if open_findings:
        out.append("<table><thead><tr><th>Finding</th><th>Phase</th><th>Severity</th><th>Resource, stack</th>"
                   "<th>What is wrong</th></tr></thead><tbody>")
        for f in open_findings:
            out.append(f'<tr><td><a href="{escape(docs_base)}#{f.rule.docs_anchor}">{escape(f.id)}</a></td>'
                       f"<td>{f.rule.phase.label}</td><td class=\"{_severity_css(f.rule.severity.value)}\">"
                       f"{f.rule.severity.value.upper()}</td><td>{_where(f)}</td><td>{escape(f.message)}</td></tr>")
        out.append("</tbody></table>")
    return out


def _where(f: Finding) -> str:
    return f"<code>{escape(f.resource)}</code> in {escape(f.stack)}"


def _severity_css(severity: str) -> str:
    return {"high": "bad", "medium": "ack"}.get(severity, "na")


def _anchor(name: str) -> str:
    return "env-" + "".join(c if c.isalnum() else "-" for c in name)


def _plain(markdown: str) -> str:
    return markdown.replace("**", "")

