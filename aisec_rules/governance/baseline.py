"""Baselines: "this is where we start". Findings a baseline holds are reported as accepted debt and never fail;
only findings that are neither acknowledged nor baselined do.

``aisec baseline PATH... --output FILE`` writes the unacknowledged findings of a run as a baseline (JSON, see
:meth:`Baseline.to_dict`): the tool version, the day, and one entry per finding keyed by its fingerprint
(:attr:`aisec_rules.model.Finding.fingerprint`: environment, stack, logical id and finding id, the key SARIF's
``partialFingerprints`` carry; never a line number or the message text, so an entry survives edits elsewhere in
the template). Each entry keeps the day it was first written (``since``), which ``--update`` preserves.

A finding matches an entry when their fingerprints are equal. A matching finding that is not acknowledged is
*baselined*, unless the policy refuses it (``forbid_baselining``, ``max_baseline_days``: the entry is then
reported with the reason and the finding stays open). An entry is *resolved* when no finding of the run matches
it although the run judged what it names: its stack was judged and its rule ran at the run's phase (an entry of an
Advanced rule is not resolved by a Foundational run, nor an entry of a stack that was not given). A resolved
entry is debt paid off: remove it (``aisec baseline --update``).

A baseline file is untrusted input like a template: it is read through the bounded reader, and anything that is not
the documented shape is a one-line error naming the file.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

from ..model import Finding, Phase, Rule
from ..read.files import read_text
from ..read.stack import Stack
from ..read.template import TemplateError
from .policy import Policy

#: the value of the ``aisec_baseline`` key: the version of the file's shape
FORMAT = 1
_HEX = set("0123456789abcdef")


@dataclass(frozen=True)
class Entry:
    """One baselined finding: its fingerprint, and what it names, for people reading the file."""

    fingerprint: str
    id: str
    environment: str
    stack: str
    resource: str
    template: str
    since: dt.date

    @property
    def rule_id(self) -> str:
        return self.id.split("[", 1)[0]

    def to_dict(self) -> Dict[str, str]:
        return {"fingerprint": self.fingerprint, "id": self.id, "environment": self.environment, "stack": self.stack,
                "resource": self.resource, "template": self.template, "since": self.since.isoformat()}

    @classmethod
    def of(cls, finding: Finding, since: dt.date) -> "Entry":
        return cls(finding.fingerprint, finding.id, finding.environment, finding.stack, finding.resource,
                   finding.template, since)


@dataclass(frozen=True)
class Baseline:
    """The findings a team accepted as its starting point, by fingerprint."""

    entries: Dict[str, Entry]
    date: dt.date
    version: str = ""
    source: str = ""  # the file it was read from, for messages

    def get(self, finding: Finding) -> Optional[Entry]:
        return self.entries.get(finding.fingerprint)

    def resolved(self, findings: Iterable[Finding], stacks: Sequence[Stack], phase: Phase,
                 rules: Sequence[Rule]) -> List[Entry]:
        """The entries no finding matches although the run judged what they name (see the module docstring),
        sorted by environment, stack, resource, id."""
        matched = {f.fingerprint for f in findings}
        judged = {(s.environment, s.name) for s in stacks}
        phases = {r.id: r.phase for r in rules}
        return sorted((e for e in self.entries.values() if e.fingerprint not in matched
                       and (e.environment, e.stack) in judged and phases.get(e.rule_id, Phase.FOUNDATIONAL) <= phase),
                      key=lambda e: (e.environment, e.stack, e.resource, e.id))

    def to_dict(self) -> Dict[str, Any]:
        entries = sorted(self.entries.values(), key=lambda e: (e.environment, e.stack, e.resource, e.id))
        return {"aisec_baseline": FORMAT, "tool": {"name": "aisec", "version": self.version},
                "date": self.date.isoformat(), "findings": [e.to_dict() for e in entries]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"


def of_findings(findings: Iterable[Finding], today: dt.date, version: str,
                keep: Optional["Baseline"] = None) -> Baseline:
    """A baseline of ``findings`` (each once, by fingerprint); an entry ``keep`` already has keeps its ``since``."""
    entries: Dict[str, Entry] = {}
    for finding in findings:
        old = keep.entries.get(finding.fingerprint) if keep else None
        entries.setdefault(finding.fingerprint, Entry.of(finding, old.since if old else today))
    return Baseline(entries, today, version)


def judge(finding: Finding, baseline: Optional[Baseline], policy: Optional[Policy], today: dt.date) -> Finding:
    """The finding with the baseline entry that matches it (``baseline_since``), baselined when it is not
    acknowledged and the policy accepts the entry; an entry the policy refuses is recorded with why, and the
    finding stays open."""
    entry = baseline.get(finding) if baseline is not None else None
    if entry is None:
        return finding
    if finding.acknowledged:
        return replace(finding, baseline_since=entry.since)
    problem = policy.baseline_violation(finding.id, entry.since, today) if policy is not None else ""
    message = finding.message if not problem else f"{finding.message} (the baseline does not apply: {problem})"
    return replace(finding, message=message, baselined=not problem, baseline_since=entry.since,
                   baseline_problem=problem)


def load(path: "Path | str") -> Baseline:
    """The baseline in ``path``; TemplateError naming the file and the problem when it is not one."""
    path = Path(path)
    if not path.exists():
        raise TemplateError(f"{path}: no such baseline file")
    try:
        data = json.loads(read_text(path))
    except TemplateError as error:
        raise TemplateError(f"{path}: cannot read the baseline: {error.problem(path)}") from None
    except ValueError as error:
        raise TemplateError(f"{path}: cannot read the baseline: not JSON ({error})") from None
    return from_mapping(data, str(path))


def from_mapping(data: Any, source: str) -> Baseline:
    """A baseline from parsed JSON; TemplateError naming ``source`` and what is wrong."""
    if not isinstance(data, dict) or data.get("aisec_baseline") != FORMAT:
        raise TemplateError(f"{source}: not an aisec baseline (expected an object with \"aisec_baseline\": {FORMAT}; "
                            "write one with `aisec baseline PATH... --output FILE`)")
    date = _date(data.get("date"), f"{source}: date")
    tool = data.get("tool")
    version = str(tool["version"]) if isinstance(tool, dict) and isinstance(tool.get("version"), str) else ""
    items = data.get("findings")
    if not isinstance(items, list):
        raise TemplateError(f"{source}: findings must be a list")
    entries: Dict[str, Entry] = {}
    for index, item in enumerate(items):
        where = f"{source}: findings[{index}]"
        if not isinstance(item, dict):
            raise TemplateError(f"{where} must be an object")
        fingerprint = item.get("fingerprint")
        if not (isinstance(fingerprint, str) and len(fingerprint) == 16 and set(fingerprint) <= _HEX):
            raise TemplateError(f"{where}.fingerprint must be 16 lower-case hex digits")
        texts = {}
        for key in ("id", "environment", "stack", "resource", "template"):
            value = item.get(key, "")
            if not isinstance(value, str):
                raise TemplateError(f"{where}.{key} must be a string")
            texts[key] = value
        entries[fingerprint] = Entry(fingerprint, texts["id"], texts["environment"], texts["stack"], texts["resource"],
                                     texts["template"], _date(item.get("since", data.get("date")), f"{where}.since"))
    return Baseline(entries, date, version, source)


def _date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else _invalid(where)
    except ValueError:
        return _invalid(where)


def _invalid(where: str) -> dt.date:
    raise TemplateError(f"{where} must be a date (YYYY-MM-DD)")
