"""Findings as text (terminals), JSON and SARIF (code scanning); :func:`escape` makes any text safe for one line."""
from __future__ import annotations

import bisect
import functools
import io
import itertools
import json
import os
import re
import urllib.parse
import zlib
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Protocol, Sequence, Tuple

import yaml

from ..governance.baseline import Entry
from ..governance.unused import Unused
from ..model import Finding, Rule, Scope
from ..read.stack import Stack
from ..system.environments import describe_environment, environments


class Writer(Protocol):
    """Where findings are written: a text stream (``sys.stdout``, ``io.StringIO``, an open file)."""

    def write(self, text: str, /) -> object: ...


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
    """The findings as JSON (:func:`write_findings_json`), as one string."""
    out = io.StringIO()
    write_findings_json(out, findings, stacks, phase, resolved=resolved, unused=unused, warn=warn)
    return out.getvalue()


def write_findings_json(out: Writer, findings: Sequence[Finding], stacks: Sequence[Stack], phase: str, *,
                        resolved: Sequence[Entry] = (), unused: Sequence[Unused] = (), warn: bool = False) -> None:
    """Write the findings as JSON to ``out``, one finding per line: ``environments`` lists the stacks judged
    together, each finding carries its environment, stack and the scope of its rule and whether it is baselined;
    ``baseline_resolved`` lists the baseline entries no finding matches any more, ``unused_acknowledgements`` the
    acknowledgements that match no finding."""
    _write_json(out, {
        "phase": phase,
        "mode": "warn" if warn else "enforce",
        "templates": [s.template.path for s in stacks],
        "environments": [{"name": e.name, "stacks": [{"name": s.name, "template": s.template.path} for s in e.stacks]}
                         for e in environments(stacks)],
        "findings": _ITEMS,
        "baseline_resolved": [e.to_dict() for e in resolved],
        "unused_acknowledgements": [u.to_dict() for u in unused],
        "summary": {"findings": sum(f.open for f in findings),
                    "acknowledged": sum(f.acknowledged for f in findings),
                    "baselined": sum(f.baselined for f in findings)},
    }, (json.dumps(f.to_dict()) for f in findings))


#: where :func:`_write_json` writes the items of its one long list
_ITEMS = object()


def _write_json(out: Writer, document: Mapping[str, object], items: Iterable[str]) -> None:
    """Write ``document`` as indented JSON with the value :data:`_ITEMS` replaced by a list of ``items`` (each an
    encoded JSON value), one item per line, then a newline. Linear in the output: the long list is never held as
    one string, and each item is encoded by the C encoder (``json.dumps`` with ``indent`` is pure Python). The
    list's place is marked by a string the rest of the document does not hold (it holds text of the templates)."""
    for attempt in itertools.count():
        name = f"aisec:items:{attempt}"
        text, marker = json.dumps(document, indent=2, default=functools.partial(_named, name)), json.dumps(name)
        if text.count(marker) == 1:
            break
    at = text.index(marker)
    line = text[text.rfind("\n", 0, at) + 1:at]
    indent = line[:len(line) - len(line.lstrip())]
    out.write(text[:at])
    separator = "[\n"
    for item in items:
        out.write(separator + indent + "  " + item)
        separator = ",\n"
    out.write("[]" if separator == "[\n" else "\n" + indent + "]")
    out.write(text[at + len(marker):] + "\n")


def _named(name: str, value: object) -> str:
    """``name`` in place of :data:`_ITEMS` (the ``default`` of ``json.dumps``); anything else is not JSON."""
    if value is _ITEMS:
        return name
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


#: The ``$schema`` GitHub code scanning documents for SARIF 2.1.0 uploads.
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The uriBaseId of artifact URIs relative to the scan root (the working directory of ``aisec check``).
SARIF_SRCROOT = "%SRCROOT%"
#: SARIF ``level`` of a rule severity (GitHub accepts error, warning and note).
SARIF_LEVEL = {"high": "error", "medium": "warning", "low": "note"}
#: ``properties["security-severity"]`` of a rule severity. GitHub code scanning reads this numeric string
#: (0.1-10.0) for rules tagged ``security`` and shows 7.0-8.9 as High, 4.0-6.9 as Medium and 0.1-3.9 as Low.
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.0", "low": "3.0"}


#: What GitHub code scanning accepts in one upload (docs.github.com, "SARIF support for code scanning" and
#: "SARIF results exceed limit" / "SARIF results file is too large"): at most 25,000 results in a run (a run with more
#: is rejected; only the top 5,000 by severity are shown), at most 1,000 locations in a result, at most 10 MB
#: gzip-compressed. A result of aisec has one location, so only the first and the last can bind.
SARIF_MAX_RESULTS = 25_000
SARIF_MAX_LOCATIONS = 1_000
SARIF_MAX_GZIP_BYTES = 10 * 1024 * 1024
#: the order in which results are kept when they must be cut: highest severity first
_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


def findings_sarif(findings: Sequence[Finding], rules: Sequence[Rule], version: str, *,
                   root: Optional[os.PathLike | str] = None, docs_uri: Optional[str] = None,
                   baseline: bool = False, max_results: Optional[int] = None,
                   max_gzip_bytes: Optional[int] = None, notices: Sequence[str] = ()) -> str:
    """The SARIF log of :func:`write_findings_sarif`, as one string."""
    out = io.StringIO()
    write_findings_sarif(out, findings, rules, version, root=root, docs_uri=docs_uri, baseline=baseline,
                         max_results=max_results, max_gzip_bytes=max_gzip_bytes, notices=notices)
    return out.getvalue()


def write_findings_sarif(out: Writer, findings: Sequence[Finding], rules: Sequence[Rule], version: str, *,
                         root: Optional[os.PathLike | str] = None, docs_uri: Optional[str] = None,
                         baseline: bool = False, max_results: Optional[int] = None,
                         max_gzip_bytes: Optional[int] = None, notices: Sequence[str] = ()) -> int:
    """Write a SARIF 2.1.0 log of one run for code scanning (GitHub, or any SARIF 2.1.0 consumer) to ``out``, one
    result per line; returns how many findings it left out (see below).

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

    A log code scanning would reject is never written: with more than ``max_results`` findings (default
    :data:`SARIF_MAX_RESULTS`), or a log larger than ``max_gzip_bytes`` once gzipped (default
    :data:`SARIF_MAX_GZIP_BYTES`), the findings of lowest priority are left out (:func:`sarif_priority`:
    highest severity first, open before acknowledged or baselined, then the order given), the others keep their
    order, and the run says how many were left out in a ``toolExecutionNotifications`` entry of its invocation
    (``--format json`` has them all). Each of ``notices`` (what the scan did not read, baseline entries and
    acknowledgements to remove) is a ``note`` notification of the same invocation, so a log kept alone loses none.
    """
    base = Path(os.path.realpath(root if root is not None else os.getcwd()))
    max_results = SARIF_MAX_RESULTS if max_results is None else max_results
    max_gzip_bytes = SARIF_MAX_GZIP_BYTES if max_gzip_bytes is None else max_gzip_bytes
    driver_rules = list(rules)
    named = {r.id for r in driver_rules}
    for f in findings:
        if f.rule.id not in named:
            driver_rules.append(f.rule)
            named.add(f.rule.id)
    index: Dict[str, int] = {}
    for position, rule in enumerate(driver_rules):
        index.setdefault(rule.id, position)
    driver: Dict[str, object] = {"name": "aisec", "version": version}
    if docs_uri:
        driver["informationUri"] = docs_uri
    driver["rules"] = [_sarif_rule(r, docs_uri) for r in driver_rules]
    run: Dict[str, object] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SARIF_SRCROOT: {"uri": _sarif_directory_uri(base),
                                               "description": {"text": "The scan root."}}},
        "columnKind": "unicodeCodePoints",
        "results": _ITEMS,
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    ranked = sorted(range(len(findings)), key=lambda i: sarif_priority(findings[i], i))[:max_results]
    encoder = _SarifResults(index, base, baseline)
    results = {i: encoder.encode(findings[i]) for i in ranked}
    empty = None  # the gzipped size of the log without results, once a cut by size needs it
    while True:
        left_out = len(findings) - len(ranked)
        said = [_sarif_left_out(left_out, len(findings), max_results, max_gzip_bytes)] if left_out else []
        said += [{"level": "note", "message": {"text": text}, "descriptor": {"id": "aisec/notice"}} for text in notices]
        run.pop("invocations", None)
        if said:
            run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": said}]
        items = [results[i] for i in sorted(ranked)]
        size = _gzipped_size(log, items, max_gzip_bytes)
        if size <= max_gzip_bytes or not ranked:
            break
        empty = _gzipped_size(log, [], 0) if empty is None else empty
        per_result = max(1.0, (size - empty) / len(ranked))
        ranked = ranked[:max(0, min(len(ranked) - 1, int((max_gzip_bytes - empty) / per_result * 0.95)))]
    _write_json(out, log, items)
    return left_out


def sarif_priority(finding: Finding, position: int) -> Tuple[int, int, int]:
    """The order in which findings keep their place in a SARIF log that must be cut: highest severity first, open
    before acknowledged or baselined, then ``position`` (the order of the findings given)."""
    return _SEVERITY_RANK[finding.rule.severity.value], 0 if finding.open else 1, position


def _sarif_left_out(left_out: int, total: int, max_results: int, max_gzip_bytes: int) -> Dict[str, object]:
    """The notification of a run that left ``left_out`` of ``total`` findings out."""
    size = (f"{max_gzip_bytes // (1024 * 1024)} MB" if max_gzip_bytes % (1024 * 1024) == 0
            else f"{max_gzip_bytes:,} bytes")
    text = (f"{left_out} of {total} findings are left out of this log, the lowest in severity first: GitHub code "
            f"scanning accepts at most {max_results:,} results per run and {size} gzipped. "
            "`aisec check --format json` lists every finding.")
    return {"level": "warning", "message": {"text": text}, "descriptor": {"id": "aisec/results-left-out"},
            "properties": {"leftOut": left_out, "findings": total}}


def _gzipped_size(log: Mapping[str, object], items: List[str], limit: int) -> int:
    """The size of the log once gzipped (level 1: higher levels compress at least as well in practice), or its size
    as text when that is already within ``limit`` (gzip does not grow a log of this kind). Nothing is kept: the
    text is counted, and compressed only when needed, as it is written."""
    counted = _Measured()
    _write_json(counted, log, items)
    if counted.size <= limit:
        return counted.size
    gzipped = _Measured(zlib.compressobj(1, zlib.DEFLATED, 31))  # wbits 31: the gzip container
    _write_json(gzipped, log, items)
    return gzipped.close()


class _Measured:
    """A text sink that keeps only the size of what is written (ASCII, as ``json.dumps`` writes it), compressed by
    ``compressor`` when one is given."""

    def __init__(self, compressor: Optional["zlib._Compress"] = None):
        self.size, self.compressor = 0, compressor

    def write(self, text: str) -> None:
        self.size += len(self.compressor.compress(text.encode("utf-8"))) if self.compressor else len(text)

    def close(self) -> int:
        if self.compressor:
            self.size += len(self.compressor.flush())
        return self.size


class _SarifResults:
    """Encodes findings as SARIF results: the location of each template (file URI, the regions of its logical ids)
    is read once."""

    def __init__(self, index: Dict[str, int], base: Path, baseline: bool):
        self.index, self.base, self.baseline = index, base, baseline
        self.places: Dict[str, Tuple[Dict[str, str], Dict[str, Dict[str, int]]]] = {}

    def encode(self, f: Finding) -> str:
        """One result, as compact JSON."""
        if f.template not in self.places:
            self.places[f.template] = (_sarif_artifact_location(f.template, self.base),
                                       _sarif_resource_regions(f.template))
        artifact, regions = self.places[f.template]
        physical: Dict[str, object] = {"artifactLocation": artifact}
        if f.resource in regions:
            physical["region"] = regions[f.resource]
        result: Dict[str, object] = {
            "ruleId": f.rule.id,
            "ruleIndex": self.index[f.rule.id],
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
        if self.baseline:
            result["baselineState"] = "unchanged" if f.baseline_since is not None else "new"
        return json.dumps(result)


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
    columns of the key; end column exclusive): JSON with the JSON scanner (:func:`_json_resource_regions`), anything
    else with the YAML composer, which also reads JSON. Empty when the file cannot be read or composed: a result
    then has no region."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    found = _json_resource_regions(text)
    if found is not None:
        return found
    try:
        document = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
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


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
#: characters after which YAML starts a new line where JSON text does not (the composer then decides)
_OTHER_LINE_BREAKS = re.compile("[\r\x85\u2028\u2029\ufeff]")


def _json_resource_regions(text: str) -> Optional[Dict[str, Dict[str, int]]]:
    """The regions :func:`_sarif_resource_regions` gives, for a template written as JSON, found by the C scanner of
    the ``json`` module (the YAML composer builds a node for every value: most of the time of a large log); None
    when the text is not a JSON object that this reads exactly as the composer would (another line break than
    ``\\n``, a byte order mark, malformed JSON)."""
    if not text.lstrip(" \t\n").startswith("{") or _OTHER_LINE_BREAKS.search(text):
        return None
    scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # the C scanner json.loads uses
    lines = [0] + [m.end() for m in re.finditer("\n", text)]

    def skip(at: int) -> int:
        """Past the white space at ``at``."""
        match = _JSON_SPACE.match(text, at)
        return match.end() if match else at

    def members(at: int) -> Iterable[Tuple[str, int, int, int]]:
        """(key, where the key starts, where it ends, where its value starts) of the object opened at ``at``; the
        caller moves ``position[0]`` past each value."""
        at = skip(at + 1)
        if text[at] == "}":
            position[0] = at + 1
            return
        while True:
            if text[at] != '"':
                raise ValueError("a key")
            key, end = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]
            colon = skip(end)
            if text[colon] != ":":
                raise ValueError("a colon")
            yield key, at, end, skip(colon + 1)
            at = skip(position[0])
            if text[at] == "}":
                position[0] = at + 1
                return
            if text[at] != ",":
                raise ValueError("a comma")
            at = skip(at + 1)

    def place(at: int) -> Tuple[int, int]:
        line = bisect.bisect_right(lines, at)
        return line, at - lines[line - 1] + 1

    position = [0]
    regions: Optional[Dict[str, Dict[str, int]]] = None
    try:
        for key, _, _, value in members(skip(0)):
            if key == "Resources" and text[value] == "{" and regions is None:
                regions = {}
                for logical_id, start, end, body in members(value):
                    (start_line, start_column), (end_line, end_column) = place(start), place(end)
                    regions[logical_id] = {"startLine": start_line, "startColumn": start_column,
                                           "endLine": end_line, "endColumn": end_column}
                    position[0] = scan(text, body)[1]
            else:
                position[0] = scan(text, value)[1]
    except (ValueError, IndexError, StopIteration):
        return None
    if text[position[0]:].strip(" \t\n"):
        return None  # more than one JSON value
    return regions or {}
