"""Probe results (the document of :func:`aisec_rules.probe.scoring.document`) as text, Markdown and SARIF, and read
back from a file as the evidence of the security-testing control in the readiness report.

Every value that comes from a template or the command line (guardrail ids, stack and resource names) is
escaped for its medium; probe texts are never printed, only probe ids.
"""
from __future__ import annotations

import hashlib
import json
import os
from html import escape as html_escape
from pathlib import Path
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ..read.files import read_text
from ..read.template import TemplateError
from .findings import (SARIF_SCHEMA, SARIF_SRCROOT, _sarif_artifact_location, _sarif_directory_uri,
                       _sarif_resource_regions, escape)
from .readiness_markdown import _cell_text

#: the rule id of the security-testing control the results are evidence for
CONTROL = "AISEC-APP-30"
SHOWN_IDS = 12


def _name(g: dict) -> str:
    where = f" ({g['stack']}/{g['resource']})" if g.get("resource") else ""
    return f"guardrail {g['id']} version {g['version']}{where}"


def _ids(ids: List[str]) -> str:
    more = f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
    return ", ".join(ids[:SHOWN_IDS]) + more


def _rows(g: dict) -> List[tuple]:
    """(category, OWASP id, "blocked / probes", rate, limit, passed) per category, then the benign probes."""
    rows = [(name, c["owasp"] or "", f"{c['blocked']} / {c['probes']}", f"{c['block_rate']:.0%}",
             f"{c['min_block_rate']:.0%}", c["passed"]) for name, c in g["categories"].items()]
    b = g["benign"]
    if b["probes"]:
        rows.append(("benign (false positives)", "", f"{b['blocked']} / {b['probes']}", f"{b['block_rate']:.0%}",
                     f"max {b['max_block_rate']:.0%}", b["passed"]))
    return rows


def _lists(g: dict) -> List[str]:
    return ([f"got through: {_ids(g['got_through'])}"] if g["got_through"] else []) + \
        ([f"benign probes blocked: {_ids(g['benign_blocked'])}"] if g["benign_blocked"] else [])


def text(doc: dict) -> str:
    lines: List[str] = []
    for g in doc["guardrails"]:
        lines.append(escape(f"{_name(g)}: {'meets the thresholds' if g['passed'] else 'BELOW THE THRESHOLDS'}"))
        lines.append(f"  {'category':<28}{'owasp':<7}{'blocked':>12}{'rate':>7}{'minimum':>10}")
        lines += [f"  {name:<28}{owasp:<7}{count:>12}{rate:>7}{limit:>10}{'' if ok else '  FAIL'}"
                  for name, owasp, count, rate, limit, ok in _rows(g)]
        lines += [escape(f"  {line}") for line in _lists(g)]
    lines += [escape(f"error: {error}") for error in doc.get("errors", [])]
    lines.append(f"{len(doc['guardrails'])} guardrail version(s) probed, {sum(g['probes'] for g in doc['guardrails'])} "
                 f"probes, {sum(g['text_units'] for g in doc['guardrails'])} text units; "
                 f"{'every guardrail meets the thresholds' if doc['passed'] else 'thresholds not met'}")
    return "\n".join(lines) + "\n"


def markdown(doc: dict) -> str:
    verdict = "✅ every guardrail meets the thresholds" if doc["passed"] else "❌ thresholds not met"
    out = ["## aisec guardrail probes", "", f"{doc['finished']} · {verdict}"]
    for g in doc["guardrails"]:
        out += ["", f"### {'✅' if g['passed'] else '❌'} {_cell_text(_name(g))}", "",
                "| Category | OWASP | Blocked | Rate | Minimum | |", "|---|---|---|---|---|---|"]
        out += [f"| {name} | {owasp or '–'} | {count} | {rate} | {limit} | {'✅' if ok else '❌'} |"
                for name, owasp, count, rate, limit, ok in _rows(g)]
        out += [item for line in _lists(g) for item in ("", _cell_text(line[:1].upper() + line[1:]))]
    out += [item for error in doc.get("errors", []) for item in ("", f"Error: {_cell_text(error)}")]
    return "\n".join(out) + "\n"


def sarif(doc: dict, version: str, root: Optional[str] = None) -> str:
    """One SARIF 2.1.0 run: a rule per probe category, a result per guardrail version and category below
    its threshold (benign: above its maximum), located at the version's resource in its template when a
    template declared it."""
    base = Path(os.path.realpath(root if root is not None else os.getcwd()))
    categories: Dict[str, dict] = {}
    for g in doc["guardrails"]:
        categories.update({name: c for name, c in g["categories"].items() if name not in categories})
    names = sorted(categories) + ["benign"]
    rules = [{"id": f"probe/{name}", "name": "".join(w.title() for w in name.split("_")),
              "shortDescription": {"text": categories[name]["title"] if name in categories else
                                   "Benign probes blocked (false positives)"},
              "defaultConfiguration": {"level": "error"},
              "properties": {"tags": ["security", *(t for t in (categories.get(name, {}).get("owasp"),
                                                                categories.get(name, {}).get("agentic")) if t)],
                             "security-severity": "8.0" if name != "benign" else "3.0"}} for name in names]
    results = []
    for g in doc["guardrails"]:
        failing = [(n, f"{c['blocked']} of {c['probes']} probes blocked ({c['block_rate']:.0%}), below the minimum "
                       f"{c['min_block_rate']:.0%}", "got through", _through(g, n))
                   for n, c in g["categories"].items() if not c["passed"]]
        if not g["benign"]["passed"]:
            b = g["benign"]
            failing.append(("benign", f"{b['blocked']} of {b['probes']} benign probes blocked ({b['block_rate']:.0%}), "
                                      f"above the maximum {b['max_block_rate']:.0%}", "blocked", g["benign_blocked"]))
        for name, message, what, ids in failing:
            location: Dict[str, object] = {"logicalLocations": [{
                "name": f"{g['id']}:{g['version']}", "kind": "resource",
                "fullyQualifiedName": f"{g['stack']}/{g['resource']}" if g.get("resource") else f"{g['id']}:{g['version']}"}]}
            if g.get("template"):
                physical: Dict[str, object] = {"artifactLocation": _sarif_artifact_location(g["template"], base)}
                region = _sarif_resource_regions(g["template"]).get(g.get("resource") or "")
                if region:
                    physical["region"] = dict(region)
                location["physicalLocation"] = physical
            identity = f"{g['id']}/{g['version']}/{name}"
            results.append({
                "ruleId": f"probe/{name}", "ruleIndex": names.index(name), "level": "error",
                "message": {"text": escape(f"{_name(g)}: {name}: {message}" + (f"; {what}: {_ids(ids)}" if ids else ""))},
                "locations": [location],
                "partialFingerprints": {"primaryLocationLineHash": hashlib.sha256(identity.encode()).hexdigest()[:16]
                                        + ":1"},
            })
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "aisec probe", "version": version, "rules": rules}},
        "originalUriBaseIds": {SARIF_SRCROOT: {"uri": _sarif_directory_uri(base)}},
        "results": results}]}, indent=2)


def _through(g: dict, category: str) -> List[str]:
    """The ids of a category's probes that got through (from the per-probe results)."""
    return [r["id"] for r in g.get("results", []) if r.get("category") == category and r.get("expect") == "block"
            and r.get("action") != "GUARDRAIL_INTERVENED"]


# -- the evidence of the security-testing control in the readiness report ----------------------------------------


def load(path: "Path | str") -> dict:
    """A results document read back from ``path`` (size-bounded, JSON, schema_version 1, its guardrails with
    the fields the report shows); TemplateError naming the file and the problem otherwise."""
    try:
        doc = json.loads(read_text(Path(path)))
    except TemplateError as error:
        raise TemplateError(f"{path}: cannot read the probe results: {error.problem(path)}") from None
    except (ValueError, RecursionError) as error:
        raise TemplateError(f"{path}: cannot read the probe results: {error}") from None
    if not (isinstance(doc, dict) and doc.get("schema_version") == 1 and isinstance(doc.get("guardrails"), list)):
        raise TemplateError(f"{path}: not aisec probe results (expected the JSON of `aisec probe --format json`, "
                            "schema_version 1)")
    for g in doc["guardrails"]:
        if not (isinstance(g, dict) and all(isinstance(g.get(k), str) for k in ("id", "version"))
                and isinstance(g.get("passed"), bool) and isinstance(g.get("categories"), dict)
                and isinstance(g.get("problems"), list)):
            raise TemplateError(f"{path}: a guardrail entry lacks id, version, passed, categories or problems")
    return doc


@dataclass(frozen=True)
class Evidence:
    """What the readiness report shows of a results document: the run and, per guardrail version, its verdict
    and problems (the evidence of the security-testing control)."""

    source: str
    finished: str
    passed: bool
    guardrails: Tuple[dict, ...]

    @classmethod
    def of(cls, doc: dict, source: str) -> "Evidence":
        return cls(source, str(doc.get("finished", "")), doc.get("passed") is True, tuple(
            {"id": g["id"], "version": g["version"], "stack": g.get("stack"), "resource": g.get("resource"),
             "passed": g["passed"], "problems": [str(p) for p in g["problems"]]} for g in doc["guardrails"]))

    def to_dict(self) -> dict:
        return {"control": CONTROL, "source": self.source, "finished": self.finished, "passed": self.passed,
                "guardrails": list(self.guardrails)}

    def markdown(self, docs_base: str) -> List[str]:
        verdict = "✅ every guardrail met its thresholds" if self.passed else "❌ thresholds not met"
        out = ["", f"### Security testing: evidence for [{CONTROL}]({docs_base}#{CONTROL.lower()})", "",
               f"Probe run finished {_cell_text(self.finished)} ({_cell_text(self.source)}): {verdict}", "",
               "| Guardrail | Version | Where | Result |", "|---|---|---|---|"]
        for g in self.guardrails:
            where = _cell_text(f"{g['stack']}/{g['resource']}") if g.get("resource") else "–"
            result = "✅ met" if g["passed"] else "❌ " + _cell_text("; ".join(g["problems"]))
            out.append(f"| `{_cell_text(g['id'])}` | {_cell_text(g['version'])} | {where} | {result} |")
        return out

    def html(self, docs_base: str) -> List[str]:
        css, word = ("ok", "✓ every guardrail met its thresholds") if self.passed else ("bad", "✗ thresholds not met")
        out = [f'<h2 id="security-testing">Security testing: evidence for <a href="{html_escape(docs_base)}#'
               f'{CONTROL.lower()}">{CONTROL}</a></h2>',
               f"<p>Probe run finished {html_escape(self.finished)} ({html_escape(self.source)}): "
               f'<span class="{css}">{word}</span></p>',
               "<table><thead><tr><th>Guardrail</th><th>Version</th><th>Where</th><th>Result</th></tr></thead><tbody>"]
        for g in self.guardrails:
            where = html_escape(f"{g['stack']}/{g['resource']}") if g.get("resource") else "–"
            result = '<span class="ok">✓ met</span>' if g["passed"] else \
                f'<span class="bad">✗ {html_escape("; ".join(g["problems"]))}</span>'
            out.append(f"<tr><td><code>{html_escape(g['id'])}</code></td><td>{html_escape(g['version'])}</td>"
                       f"<td>{where}</td><td>{result}</td></tr>")
        out.append("</tbody></table>")
        return out
