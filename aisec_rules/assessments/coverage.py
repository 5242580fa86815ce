"""What a runtime assessment is made of, and how its checks join the rules' metadata into coverage.

An :class:`Assessment` holds what no rule can carry (ids and titles, what a template cannot decide, what no
rule catches yet, parts that add up, derived checks); :meth:`Assessment.coverage` joins it with the rules'
entries (``"ID"``: the rule catches the whole; ``"ID: part"``: the named part).
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as default
from typing import Dict, List, Mapping, NamedTuple, Sequence, Tuple

from ..model import Rule

FULLY = "fully covered"
PARTLY = "partly covered"
NOT_DECIDABLE = "not decidable"
NOT_COVERED = "not covered"
#: the four statuses, in the order the summaries count them
STATUSES = (FULLY, PARTLY, NOT_DECIDABLE, NOT_COVERED)


class Catch(NamedTuple):
    """One rule's claim on a requirement or check: the whole of it (``part`` empty) or the named part."""

    rule: Rule
    part: str


class Row(NamedTuple):
    """The coverage of one requirement or check: its status, the rules that catch it (or a part of it) and
    a note: the reason for "not decidable" / "not covered", the sources of a derived check."""

    id: str
    status: str
    catches: Tuple[Catch, ...]
    note: str


def entry(text: str) -> Tuple[str, str]:
    """``"AISF-ML-02: VPC and root access"`` -> ``("AISF-ML-02", "VPC and root access")``; no part: ``""``."""
    check, _, part = text.partition(": ")
    return check, part.strip()


@dataclass(frozen=True)
class Assessment:
    """One runtime assessment's checks and what aisec can say about each."""

    #: how the docs name it
    name: str
    #: what one unit is called ("requirement", "check")
    unit: str
    #: the Rule field that maps rules to it
    field: str
    #: where the ids and titles were copied from (the file at the commit)
    source: str
    #: id -> title, in the source's order
    titles: Mapping[str, str]
    #: ids a template cannot decide -> why
    not_decidable: Mapping[str, str]
    #: ids a template could decide but no rule catches yet -> why
    not_covered: Mapping[str, str]
    #: ids caught only in parts by several rules whose parts add up to the whole -> which parts
    together: Mapping[str, str] = default(default_factory=dict)
    #: ids the source derives from other ids of it -> those ids
    derived: Mapping[str, Tuple[str, ...]] = default(default_factory=dict)

    @property
    def ids(self) -> Tuple[str, ...]:
        return tuple(self.titles)

    def mapped(self, rules: Sequence[Rule]) -> Dict[str, List[Catch]]:
        """Id -> the rules that name it in their metadata (in registry order), with the part they catch."""
        result: Dict[str, List[Catch]] = {}
        for rule in rules:
            for text in getattr(rule, self.field):
                check, part = entry(text)
                result.setdefault(check, []).append(Catch(rule, part))
        return result

    def coverage(self, rules: Sequence[Rule]) -> List[Row]:
        """One row per id, in the source's order."""
        by_id = self.mapped(rules)
        own = {check: self._own(check, by_id) for check in self.ids if check not in self.derived}
        rows = []
        for check in self.ids:
            rows.append(self._derive(check, own) if check in self.derived else own[check])
        return rows

    def counts(self, rules: Sequence[Rule]) -> Dict[str, int]:
        """Status -> how many ids have it."""
        found = {status: 0 for status in STATUSES}
        for row in self.coverage(rules):
            found[row.status] += 1
        return found

    def _own(self, check: str, by_id: Mapping[str, List[Catch]]) -> Row:
        catches = tuple(by_id.get(check, ()))
        if check in self.not_decidable:
            return Row(check, NOT_DECIDABLE, catches, self.not_decidable[check])
        if check in self.not_covered:
            return Row(check, NOT_COVERED, catches, self.not_covered[check])
        whole = any(not c.part for c in catches) or check in self.together
        return Row(check, FULLY if whole else PARTLY, catches, self.together.get(check, ""))

    def _derive(self, check: str, own: Mapping[str, Row]) -> Row:
        sources = [own[s] for s in self.derived[check] if s in own]
        catches = tuple(c for row in sources for c in row.catches)
        statuses = {row.status for row in sources}
        by_status = [(status, [row.id for row in sources if row.status == status]) for status in STATUSES]
        note = f"as {sources[0].id}" if len(sources) == 1 else f"derived from {', '.join(self.derived[check])}: " + \
            "; ".join(f"{status} {', '.join(ids)}" for status, ids in by_status if ids)
        if statuses == {FULLY}:
            return Row(check, FULLY, catches, note)
        if statuses & {FULLY, PARTLY}:
            return Row(check, PARTLY, catches, note)
        return Row(check, NOT_DECIDABLE if statuses == {NOT_DECIDABLE} else NOT_COVERED, catches, note)

    def problems(self, rules: Sequence[Rule]) -> List[str]:
        """What is wrong with the mapping: an id with no status or two, an id the source does not have, a
        rule naming an id twice, a derivation from an unknown or derived id, a "together" that is not made
        of parts of two rules or more."""
        by_id = self.mapped(rules)
        known = set(self.ids)
        found = []
        for check in self.ids:
            statuses = (bool(by_id.get(check)) + (check in self.not_decidable) + (check in self.not_covered)
                        + (check in self.derived))
            if statuses != 1:
                found.append(f"{check}: {statuses} statuses (mapped to a rule, not decidable, not covered, derived)")
        named = set(by_id) | set(self.not_decidable) | set(self.not_covered) | set(self.together) | set(self.derived)
        found += [f"{check}: not a {self.unit} of {self.name}" for check in sorted(named - known)]
        for rule in rules:
            checks = [entry(text)[0] for text in getattr(rule, self.field)]
            found += [f"{rule.id} names {check} twice" for check in sorted({c for c in checks if checks.count(c) > 1})]
        for check, sources in self.derived.items():
            found += [f"{check}: derived from {s}, which is unknown or derived itself" for s in sources
                      if s not in known or s in self.derived]
        for check in self.together:
            catches = by_id.get(check, [])
            if len({c.rule.id for c in catches}) < 2 or any(not c.part for c in catches):
                found.append(f"{check}: 'together' needs parts from two rules or more and no whole catch")
        return found

