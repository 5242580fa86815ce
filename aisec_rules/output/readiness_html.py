"""The readiness report as one self-contained HTML page: inline CSS, no script, no font or image to
fetch, readable on a laptop screen (it never overflows a 1280 px window sideways) and printable. Every state
is a word and a symbol as well as a colour; every control shows its title and every threat id its name, so the
page reads without a legend; every finding names its resource and stack and links to its rule's entry in the rule
docs; every control with no finding names the resources it judged, or says it had nothing to judge. It stays readable
and quick with 10,000 findings: the unacknowledged findings are grouped by control, one row per message naming all its
resources, and long lists start collapsed (``<details>``)."""
from __future__ import annotations

from html import escape
from typing import Dict, List

from ..model import RISKS, Finding, Layer, Phase
from .readiness import Control, EnvironmentReadiness, Readiness, label
from .readiness_markdown import evidence_text, verdict_line

#: state -> (symbol, word, css class)
STATES = {
    "met": ("✓", "met", "ok"), "missing": ("✗", "missing", "bad"), "acknowledged": ("!", "acknowledged", "ack"),
    "baselined": ("◐", "baselined (accepted debt)", "debt"), "nothing_to_judge": ("○", "nothing to judge", "none"),
    "not_applicable": ("–", "not applicable", "na"),
}
_EXCEPTION = {"in force": ("✓", "in force", "ok"), "expiring": ("⏳", "expiring soon", "ack"),
              "expired": ("✗", "expired", "bad"), "invalid": ("✗", "invalid", "bad"), "unused": ("∅", "unused", "bad")}
#: how many judged resources a control lists before "and N more"
SHOWN = 8

CSS = """
:root { --ok:#1a7f37; --bad:#b3261e; --ack:#8a5a00; --na:#5f6368; --debt:#6f42c1; --none:#0b5cad; --ink:#1f2328;
        --line:#d0d7de; --soft:#f6f8fa; }
* { box-sizing: border-box; }
html { overflow-wrap: anywhere; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 24px; max-width: 1180px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 21px; margin: 32px 0 8px; border-bottom: 2px solid var(--line); }
h3 { font-size: 17px; margin: 20px 0 8px; }
.meta { color: var(--na); margin: 0 0 16px; }
.banner { border: 2px solid var(--ack); background: #fff4d6; padding: 6px 12px; border-radius: 6px; }
.verdict { display: inline-block; padding: 6px 12px; border-radius: 6px; font-weight: 600; border: 2px solid; }
.verdict.ok { color: var(--ok); background: #eaf6ec; } .verdict.bad { color: var(--bad); background: #fdecea; }
.verdict.ack { color: var(--ack); background: #fff4d6; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; table-layout: fixed; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); }
.ok { color: var(--ok); } .bad { color: var(--bad); } .ack { color: var(--ack); } .na { color: var(--na); }
.debt { color: var(--debt); } .none { color: var(--none); }
.ctl { display: block; margin: 2px 0; font-size: 14px; text-decoration: none; }
.ctl .id { font-weight: 600; }
.small { font-size: 13px; color: var(--na); }
.count { font-weight: 600; }
.bar { display: inline-block; height: 10px; background: var(--bad); vertical-align: middle; margin-right: 6px; }
code { font-size: 13px; background: var(--soft); padding: 0 3px; border-radius: 3px; }
.legend span { margin-right: 14px; display: inline-block; }
details { margin: 4px 0; } summary { cursor: pointer; padding: 4px 0; }
details > table { margin-top: 4px; }
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
    if readiness.warn:
        out.append('<p class="banner">⚠ Produced in <strong>warn mode</strong>: every finding is reported and none '
                   "failed the synth or the exit code.</p>")
    if readiness.baseline is not None:
        b = readiness.baseline
        out.append(f"<p>Baseline {escape(b.source or '')} of {b.date.isoformat()}: {len(b.entries)} accepted "
                   "finding(s); a baselined control is debt, not readiness.</p>")
    if readiness.resolved:
        out.append("<p>Baseline entries that match no finding any more (fixed: remove them, "
                   "<code>aisec baseline --update</code>): " + ", ".join(
                       f"<code>{escape(e.id)}</code> on <code>{escape(e.resource)}</code> in {escape(e.stack)}"
                       for e in readiness.resolved) + "</p>")
    out.append('<p class="legend">' + "".join(
        f'<span class="{css}">{symbol} {word}</span>' for symbol, word, css in STATES.values()) + "</p>")
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
           "<h3>Framework matrix</h3>", "<table><thead><tr><th style=\"width:15%\">Layer</th>" +
           "".join(f"<th>{p.label}</th>" for p in Phase) + "</tr></thead><tbody>"]
    for layer in Layer:
        out.append(f"<tr><th>{layer.label}</th>")
        for cell in (c for c in env.matrix if c.layer is layer):
            parts = []
            for state, (sym, word, klass) in STATES.items():
                controls = cell.of_state(state)
                if controls:
                    links = "".join(_control_link(c, sym, klass, docs_base) for c in controls)
                    parts.append(f'<div><span class="count {klass}">{len(controls)} {word}</span>{links}</div>')
            out.append(f"<td>{''.join(parts) or '–'}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    out += _evidence(env, docs_base)
    if env.gaps:
        out += [f"<h3>Missing for {label(env.next_phase)}, most severe first</h3>",
                "<table><thead><tr><th style=\"width:9%\">Severity</th><th>Control</th><th>Where (resource, stack)</th>"
                "<th>Remediation</th><th>Construct</th></tr></thead><tbody>"]
        for gap in env.gaps:
            r = gap.rule
            where = _collapsed([_where(f) + ("" if f.id == r.id else f" ({escape(f.id[len(r.id):])})") + _debt(f)
                                for f in gap.findings])
            out.append(f'<tr><td class="{_severity_css(r.severity.value)}">{r.severity.value.upper()}</td>'
                       f'<td><a href="{escape(docs_base)}#{r.docs_anchor}">{r.id}</a> {escape(r.title)}</td>'
                       f"<td>{where}</td><td>{escape(r.remediation)}</td><td>{escape(r.construct or '–')}</td></tr>")
        out.append("</tbody></table>")
    out.append("<h3>Risks: unacknowledged findings at Advanced by threat</h3>")
    if env.risks:
        top = max(n + b for _, n, b in env.risks)
        out.append("<table><thead><tr><th>Threat</th><th>Open findings</th><th>Baselined</th></tr></thead><tbody>")
        out += [f"<tr><td>{escape(risk)} {escape(RISKS.get(risk, ''))}</td><td><span class=\"bar\" "
                f'style="width:{int(120 * n / top)}px"></span>{n}</td><td>{b}</td></tr>' for risk, n, b in env.risks]
        out.append("</tbody></table>")
    else:
        out.append('<p class="ok">✓ no unacknowledged finding at Advanced</p>')
    for rule_id, items in sorted(env.evidence.items()):
        out.append(f"<h3>Evidence of {escape(rule_id)} (no finding)</h3><ul>"
                   + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
    out.append("<h3>Exception register</h3>")
    register = env.register
    if register:
        out.append("<table><thead><tr><th>Acknowledged</th><th>Resource</th><th>Stack</th><th>Reason</th>"
                   "<th style=\"width:10%\">Expires</th><th>State</th></tr></thead><tbody>")
        for x in register:
            sym, word, klass = _EXCEPTION.get(x["state"], ("?", x["state"], "na"))
            problem = f"<br>{escape(x['problem'])}" if x["problem"] else ""
            anchor = x["rule_id"].lower()
            out.append(f'<tr><td><a href="{escape(docs_base)}#{escape(anchor)}">{escape(x["finding_id"] or x["acknowledged_id"])}'
                       f"</a></td><td><code>{escape(x['resource'] or '(the whole stack)')}</code></td>"
                       f"<td>{escape(x['stack'])}</td><td>{escape(x['reason'])}</td><td>{x['expires'] or '–'}</td>"
                       f'<td class="{klass}">{sym} {word}{problem}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append("<p>No acknowledgement.</p>")
    out += _due(env, docs_base)
    return out


def _due(env: EnvironmentReadiness, docs_base: str) -> List[str]:
    """The unacknowledged findings at Advanced grouped by control, most severe first: a control's findings that read
    the same (id, message, baseline entry) are one row naming all their resources; a control with more than
    :data:`SHOWN` findings starts collapsed, so a report of 10,000 findings opens on one screen of controls."""
    due = [f for f in env.findings[Phase.ADVANCED] if not f.acknowledged]
    controls: Dict[str, List[Finding]] = {}
    for f in due:
        controls.setdefault(f.rule.id, []).append(f)
    out = [f"<h3>Unacknowledged findings at Advanced ({len(due)}, in {len(controls)} controls)</h3>"]
    for findings in sorted(controls.values(), key=lambda fs: (_SEVERITY_RANK[fs[0].rule.severity.value], fs[0].rule.id)):
        r = findings[0].rule
        rows: Dict[tuple, List[Finding]] = {}
        for f in findings:
            rows.setdefault((f.id, f.message, f.baseline_since if f.baselined else None), []).append(f)
        out.append(f"<details{' open' if len(findings) <= SHOWN else ''}><summary>"
                   f'<span class="{_severity_css(r.severity.value)}">{r.severity.value.upper()}</span> '
                   f'<a href="{escape(docs_base)}#{r.docs_anchor}">{r.id}</a> {escape(r.title)} · '
                   f'<span class="count">{len(findings)} finding(s)</span> · {r.phase.label}</summary>')
        out.append("<table><thead><tr><th style=\"width:22%\">Finding</th><th style=\"width:40%\">What is wrong</th>"
                   "<th>Resource, stack</th></tr></thead><tbody>")
        for (finding_id, message, _), group in rows.items():
            where = ", ".join(_where(f) for f in group)
            count = f'<span class="count">{len(group)}:</span> ' if len(group) > 1 else ""
            out.append(f"<tr><td>{escape(finding_id)}{_debt(group[0])}</td><td>{escape(message)}</td>"
                       f"<td>{count}{where}</td></tr>")
        out.append("</tbody></table></details>")
    return out


def _collapsed(items: List[str]) -> str:
    """The first :data:`SHOWN` of ``items`` (HTML) one per line, the rest behind "and N more"."""
    shown = "<br>".join(items[:SHOWN])
    if len(items) <= SHOWN:
        return shown
    return f"{shown}<details><summary>and {len(items) - SHOWN} more</summary>{'<br>'.join(items[SHOWN:])}</details>"


def _control_link(control: Control, symbol: str, klass: str, docs_base: str) -> str:
    r = control.rule
    judged = f' <span class="small">({len(control.judged)} judged)</span>' if control.state == "met" else ""
    return (f'<a class="ctl {klass}" href="{escape(docs_base)}#{r.docs_anchor}">{symbol} <span class="id">'
            f"{r.id[6:]}</span> {escape(r.title)}{judged}</a>")


def _evidence(env: EnvironmentReadiness, docs_base: str) -> List[str]:
    """Every applicable control with what it judged: the resources behind "met", what was looked for when there
    was nothing to judge, the findings otherwise."""
    rows = []
    for cell in env.matrix:
        for control in cell.controls:
            if control.state == "not_applicable":
                continue
            sym, word, klass = STATES[control.state]
            r = control.rule
            if control.findings:
                detail = "<br>".join(_where(f) + ("" if f.id == r.id else f" ({escape(f.id[len(r.id):])})") + _debt(f)
                                     for f in control.findings[:SHOWN])
                if len(control.findings) > SHOWN:
                    detail += f"<br>and {len(control.findings) - SHOWN} more"
            else:
                detail = escape(evidence_text(control, SHOWN))
            rows.append(f'<tr><td><a href="{escape(docs_base)}#{r.docs_anchor}">{r.id}</a> {escape(r.title)}</td>'
                        f"<td>{r.phase.label}</td><td class=\"{klass}\">{sym} {word}</td><td>{detail}</td></tr>")
    if not rows:
        return []
    return ["<h3>Controls and their evidence</h3>",
            "<table><thead><tr><th style=\"width:30%\">Control</th><th style=\"width:12%\">Phase</th>"
            "<th style=\"width:14%\">State</th><th>Judged resources, or findings</th></tr></thead><tbody>",
            *rows, "</tbody></table>"]


def _debt(f: Finding) -> str:
    since = f.baseline_since.isoformat() if f.baseline_since else "?"
    return f' <span class="debt">◐ baselined since {since}</span>' if f.baselined else ""


def _where(f: Finding) -> str:
    return f"<code>{escape(f.resource)}</code> in {escape(f.stack)}"


_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


def _severity_css(severity: str) -> str:
    return {"high": "bad", "medium": "ack"}.get(severity, "na")


def _anchor(name: str) -> str:
    return "env-" + "".join(c if c.isalnum() else "-" for c in name)


def _plain(markdown: str) -> str:
    return markdown.replace("**", "")
