"""Findings as text (terminals), JSON and SARIF (code scanning); :func:`escape` makes any text safe for one line."""
from __future__ import annotations

import json
import os
import re
import urllib.parse
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import yaml

from ..governance.baseline import Entry
from ..governance.unused import Unused
from ..model import Finding, Rule, Scope
from ..read.stack import Stack
from ..system.environments import describe_environment, environments


def escape(text: str) -> str:
    """Text fit for one line of a terminal: control characters, line and paragraph separators,
    format characters (bidirectional overrides) and lone surrogates become ``\\x..``/``\\u...``
    escapes, so a logical id or a value cannot hide text, move the cursor or forge a line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   if ord(c) < 0xD800 or ord(c) > 0xDFFF else f"\\u{ord(c):04x}" for c in text)


def findings_text(findings: Sequence[Finding], stacks: Sequence[Stack] = (), *, resolved: Sequence[Entry] = (),
                  unused: Sequence[Unused] = (), warn: bool = False) -> str:
    """Findings grouped by environment, then stack; each line names the resource and the finding. Then a
    notice for each baseline entry no finding matches any more (``resolved``) and each acknowledgement that
    matches no finding (``unused``), and the counts. Every value taken from the templates is escaped
    (:func:`escape`)."""
    lines: List[str] = []
    environment = stack = None
    for f in sorted(findings, key=lambda f: (f.environment, f.stack, f.template, f.resource, f.id)):
        if f.environment != environment:
            environment, stack = f.environment, None
            lines.append(f"Environment {escape(describe_environment(environment))}")
        if f.stack != stack:
            stack = f.stack
            lines.append(f"  Stack {escape(stack)} ({escape(f.template)})")
        if f.acknowledged:
            state = f"ACKNOWLEDGED ({f.reason})"
        elif f.baselined:
            state = f"BASELINED (since {f.baseline_since.isoformat() if f.baseline_since else '?'})"
        else:
            state = f.rule.severity.value.upper()
        scope = " [environment]" if f.rule.scope is Scope.ENVIRONMENT else ""
        lines.append(escape(f"    {f.resource}: {f.id}{scope} {state}: {f.message}"))
    lines += [f"notice: {text}" for text in notices(resolved, unused)]
    if warn:
        lines.append("warn mode: findings are reported, none fails")
    open_count = sum(f.open for f in findings)
    judged = f" in {len(stacks)} stack(s), {len({s.environment for s in stacks})} environment(s)" if stacks else ""
    baselined = sum(f.baselined for f in findings)
    lines.append(f"{open_count} finding(s), {sum(f.acknowledged for f in findings)} acknowledged"
                 f"{f', {baselined} baselined' if baselined else ''}{judged}")
    return "\n".join(lines)


def notices(resolved: Sequence[Entry] = (), unused: Sequence[Unused] = ()) -> List[str]:
    """One escaped line for each baseline entry no finding matches any more and each acknowledgement that
    matches no finding: what to remove, and where."""
    lines = [f"baseline entry {e.id} on {e.stack}/{e.resource} (since {e.since.isoformat()}) matches no finding any "
             "more: fixed, remove it from the baseline (aisec baseline --update)" for e in resolved]
    return [escape(line) for line in lines + [u.describe() for u in unused]]


def findings_json(findings: Sequence[Finding], stacks: Sequence[Stack], phase: str, *, resolved: Sequence[Entry] = (),
                  unused: Sequence[Unused] = (), warn: bool = False) -> str:
    """The findings as JSON: ``environments`` lists the stacks judged together, each finding carries
    its environment, stack and the scope of its rule and whether it is baselined; ``baseline_resolved`` lists
    the baseline entries no finding matches any more, ``unused_acknowledgements`` the acknowledgements that
    match no finding."""
    return json.dumps({
        "phase": phase,
        "mode": "warn" if warn else "enforce",
        "templates": [s.template.path for s in stacks],
        "environments": [{"name": e.name, "stacks": [{"name": s.name, "template": s.template.path} for s in e.stacks]}
                         for e in environments(stacks)],
        "findings": [f.to_dict() for f in findings],
        "baseline_resolved": [e.to_dict() for e in resolved],
        "unused_acknowledgements": [u.to_dict() for u in unused],
        "summary": {"findings": sum(f.open for f in findings),
                    "acknowledged": sum(f.acknowledged for f in findings),
                    "baselined": sum(f.baselined for f in findings)},
    }, indent=2)


#: The ``$schema`` GitHub code scanning documents for SARIF 2.1.0 uploads.
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The uriBaseId of artifact URIs relative to the scan root (the working directory of ``aisec check``).
SARIF_SRCROOT = "%SRCROOT%"
#: SARIF ``level`` of a rule severity (GitHub accepts error, warning and note).
SARIF_LEVEL = {"high": "error", "medium": "warning", "low": "note"}
#: ``properties["security-severity"]`` of a rule severity. GitHub code scanning reads this numeric string
#: (0.1-10.0) for rules tagged ``security`` and shows 7.0-8.9 as High, 4.0-6.9 as Medium and 0.1-3.9 as Low.
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.0", "low": "3.0"}


def findings_sarif(findings: Sequence[Finding], rules: Sequence[Rule], version: str, *,
                   root: Optional[os.PathLike | str] = None, docs_uri: Optional[str] = None,
                   baseline: bool = False) -> str:
    """A SARIF 2.1.0 log of one run for code scanning (GitHub, or any SARIF 2.1.0 consumer).

    The driver lists ``rules`` (plus any rule a finding names that is not among them) with their
    documentation, default level, tags (``security``, ``layer/...``, ``phase/...``, ``scope/...`` and
    the risk ids) and ``security-severity`` (:data:`SECURITY_SEVERITY`). Each finding is one result:
    its template file relative to ``root`` (default: the working directory; files outside it get an
    absolute ``file:`` URI), the line of the resource's logical id when the file declares it (a
    resource a SAM transform generated has none), the resource as a logical location
    ``stack/resource``, a stable fingerprint, and, when acknowledged, an accepted suppression with
    the acknowledgement's reason. With ``baseline`` (a baseline was given) each result has a ``baselineState``:
    ``unchanged`` for a finding the baseline holds, ``new`` for any other. ``docs_uri`` is the absolute URI of docs/RULES.md; with it each rule
    gets a ``helpUri`` to its section (SARIF requires helpUri to be absolute, so without it there is
    none). The output depends only on the arguments and the files named by the findings.
    """
    base = Path(os.path.realpath(root if root is not None else os.getcwd()))
    driver_rules = list(rules)
    for f in findings:
        if all(r.id != f.rule.id for r in driver_rules):
            driver_rules.append(f.rule)
    index: Dict[str, int] = {}
    for position, rule in enumerate(driver_rules):
        index.setdefault(rule.id, position)
    regions: Dict[str, Dict[str, Dict[str, int]]] = {}
    results = []
    for f in findings:
        if f.template not in regions:
            regions[f.template] = _sarif_resource_regions(f.template)
        physical: Dict[str, object] = {"artifactLocation": _sarif_artifact_location(f.template, base)}
        if f.resource in regions[f.template]:
            physical["region"] = dict(regions[f.template][f.resource])
        result: Dict[str, object] = {
            "ruleId": f.rule.id,
            "ruleIndex": index[f.rule.id],
            "level": SARIF_LEVEL[f.rule.severity.value],
            "message": {"text": f"{f.resource}: {f.message}"},
            "locations": [{
                "physicalLocation": physical,
                "logicalLocations": [{"name": f.resource, "fullyQualifiedName": f"{f.stack}/{f.resource}",
                                      "kind": "resource"}],
            }],
            "partialFingerprints": {
                # GitHub matches alerts across runs by this key (with the file path and rule); a hash of
                # the finding's identity keeps granular findings on one resource apart and survives edits
                # that move the resource to another line.
                "primaryLocationLineHash": f.fingerprint + ":1",
                "aisecFinding/v1": f.identity,
            },
            "properties": {"findingId": f.id, "scope": f.rule.scope.value, "stack": f.stack,
                           "environment": f.environment},
        }
        if f.acknowledged:
            suppression = {"kind": "external", "status": "accepted"}
            if f.reason:
                suppression["justification"] = f.reason
            result["suppressions"] = [suppression]
        if baseline:
            result["baselineState"] = "unchanged" if f.baseline_since is not None else "new"
        results.append(result)
    driver: Dict[str, object] = {"name": "aisec", "version": version}
    if docs_uri:
        driver["informationUri"] = docs_uri
    driver["rules"] = [_sarif_rule(r, docs_uri) for r in driver_rules]
    return json.dumps({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {SARIF_SRCROOT: {"uri": _sarif_directory_uri(base),
                                                   "description": {"text": "The scan root."}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }, indent=2)


def _sarif_rule(rule: Rule, docs_uri: Optional[str]) -> Dict[str, object]:
    """One ``reportingDescriptor``: what GitHub shows for the rule of an alert."""
    phase, layer, scope = rule.phase.name.lower(), rule.layer.name.lower(), rule.scope.value
    help_uri = f"{docs_uri.split('#', 1)[0]}#{rule.docs_anchor}" if docs_uri else None
    facts = (f"Layer: {rule.layer.label}; phase: {rule.phase.label}; scope: {scope}; severity: "
             f"{rule.severity.value}; risks: {', '.join(rule.risks)}; satisfied by: {rule.construct or 'no construct yet'}.")
    reference = help_uri or rule.docs_link
    descriptor: Dict[str, object] = {
        "id": rule.id,
        "name": "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", rule.title))[:255] or rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.passes},
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity.value]},
        "help": {
            "text": f"{rule.title}\n\nWhat passes: {rule.passes}\n\nRemediation: {rule.remediation}\n\n{facts}\n"
                    f"Documentation: {reference}",
            "markdown": f"**{rule.title}**\n\nWhat passes: {rule.passes}\n\nRemediation: {rule.remediation}\n\n"
                        f"{facts}\n\nDocumentation: " + (f"[{rule.id}]({help_uri})" if help_uri else f"`{reference}`"),
        },
        "properties": {
            "tags": list(dict.fromkeys(["security", f"layer/{layer}", f"phase/{phase}", f"scope/{scope}", *rule.risks,
                                         *(f"security-hub/{c}" for c in rule.security_hub)])),
            "security-severity": SECURITY_SEVERITY[rule.severity.value],
            "severity": rule.severity.value,
            "layer": rule.layer.value, "phase": phase, "scope": scope, "risks": list(rule.risks),
            "capabilities": sorted(c.value for c in rule.capabilities),
            "services": sorted(s.value for s in rule.services),
            "security_hub": list(rule.security_hub),
        },
    }
    if help_uri:
        descriptor["helpUri"] = help_uri
    return descriptor


def _sarif_directory_uri(directory: Path) -> str:
    uri = directory.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _sarif_artifact_location(path: str, root: Path) -> Dict[str, str]:
    """The template file relative to the scan root (symlinks resolved, as GitHub needs), or an
    absolute ``file:`` URI when it lies outside the root."""
    real = Path(os.path.realpath(path))
    try:
        relative = real.relative_to(root)
    except ValueError:
        return {"uri": real.as_uri()}
    return {"uri": urllib.parse.quote(relative.as_posix()), "uriBaseId": SARIF_SRCROOT}


def _sarif_resource_regions(path: str) -> Dict[str, Dict[str, int]]:
    """Where each logical id under ``Resources`` is written in a template file (1-based lines and
    columns of the key; end column exclusive), read with the YAML composer, which also reads JSON.
    Empty when the file cannot be read or composed: a result then has no region."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        document = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    if not isinstance(document, yaml.MappingNode):
        return {}
    for key, value in document.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "Resources" and isinstance(value, yaml.MappingNode):
            regions: Dict[str, Dict[str, int]] = {}
            for node, _ in value.value:
                # a repeated logical id: the template loaders keep the last one, and so does this
                if isinstance(node, yaml.ScalarNode) and node.start_mark.line == node.end_mark.line:
                    regions[node.value] = {"startLine": node.start_mark.line + 1,
                                           "startColumn": node.start_mark.column + 1,
                                           "endLine": node.end_mark.line + 1,
                                           "endColumn": node.end_mark.column + 1}
            return regions
    return {}
