"""The probe suite: the base probes of ``suite.json`` (data shipped with the package), their generated
variants, and the selection a run sends.

A probe is one text sent to a guardrail with ``ApplyGuardrail``: ``source`` ``INPUT`` (a prompt, or content
the application passes to the model such as a retrieved document or a tool result) or ``OUTPUT`` (a model
answer), with the action a good guardrail takes (``expect``: ``block`` or ``allow``). Every probe names its
category, the OWASP Top 10 for LLM Applications 2025 id of the risk it tests and, where one fits, the OWASP
agentic threat id. Harmful-content categories carry LLM05 (unvalidated model output reaching the user: the
2025 list has no harmful-content entry of its own), as the content-filter rule AISEC-APP-01 does.

:func:`load` checks the file: unique ids, known categories, sources and expectations, and each probe's OWASP
and agentic ids consistent with its category (a probe may name a more precise agentic id than its
category's). Variants (:mod:`.variants`) are generated for the base probes of categories marked
``"variants": true``; their ids are ``<base id>~<variant>`` (``pi-001~b64``).
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .variants import VARIANTS

SUITE_FILE = Path(__file__).with_name("suite.json")
SOURCES = ("INPUT", "OUTPUT")
EXPECTATIONS = ("block", "allow")
BENIGN = "benign"
DENIED_TOPIC = "denied_topic"
#: ApplyGuardrail bills text in units of up to this many characters (a longer text is several units)
TEXT_UNIT_CHARACTERS = 1000


class SuiteError(ValueError):
    """The suite file, or a selection asked of it, is not usable."""


@dataclass(frozen=True)
class Category:
    name: str
    title: str
    owasp: Optional[str]
    agentic: Optional[str]
    expect: str
    variants: bool


@dataclass(frozen=True)
class Probe:
    id: str
    category: str
    owasp: Optional[str]
    agentic: Optional[str]
    source: str
    expect: str
    text: str
    entity: Optional[str] = None  # the kind of sensitive value in a pii_leak / credential_leak probe
    variant: Optional[str] = None  # the variant's name; None for a base probe

    @property
    def text_units(self) -> int:
        """The text units ApplyGuardrail meters for this text (per configured policy)."""
        return max(1, math.ceil(len(self.text) / TEXT_UNIT_CHARACTERS))

    def to_dict(self) -> dict:
        return {"id": self.id, "category": self.category, "owasp": self.owasp, "agentic": self.agentic,
                "source": self.source, "expect": self.expect, "entity": self.entity, "variant": self.variant}


@dataclass(frozen=True)
class Suite:
    categories: Dict[str, Category]
    base: Tuple[Probe, ...]
    sha256: str  # of the suite file: which suite a result was measured with

    @property
    def probes(self) -> List[Probe]:
        """The base probes, each followed by its variants."""
        result: List[Probe] = []
        for probe in self.base:
            result.append(probe)
            if self.categories[probe.category].variants:
                result += variants_of(probe)
        return result

    def select(self, categories: Optional[Iterable[str]] = None, max_probes: Optional[int] = None,
               extra: Sequence[Probe] = ()) -> List[Probe]:
        """The probes of a run: the suite's and ``extra`` (derived denied-topic probes), limited to
        ``categories`` when given, and to ``max_probes`` taken evenly across categories (round robin in
        suite order, so a short run still covers every category), in suite order."""
        pool = self.probes + list(extra)
        if categories is not None:
            wanted = list(dict.fromkeys(categories))
            unknown = [c for c in wanted if c not in self.categories]
            if unknown:
                raise SuiteError(f"unknown probe categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}; "
                                 f"expected some of {', '.join(self.categories)}")
            pool = [p for p in pool if p.category in wanted]
        if max_probes is None or max_probes >= len(pool):
            return pool
        if max_probes < 1:
            raise SuiteError("max_probes must be at least 1")
        by_category: Dict[str, List[int]] = {}
        for index, probe in enumerate(pool):
            by_category.setdefault(probe.category, []).append(index)
        chosen: List[int] = []
        for round_ in range(max(len(v) for v in by_category.values())):
            for indexes in by_category.values():
                if round_ < len(indexes) and len(chosen) < max_probes:
                    chosen.append(indexes[round_])
        return [pool[i] for i in sorted(chosen)]

    def text_units(self, probes: Optional[Iterable[Probe]] = None) -> int:
        """Text units one run of ``probes`` (default: the whole suite) uses per guardrail and policy."""
        return sum(p.text_units for p in (self.probes if probes is None else probes))


def variants_of(probe: Probe) -> List[Probe]:
    found = []
    for name, transform in VARIANTS.items():
        text = transform(probe.text)
        if text:
            found.append(replace(probe, id=f"{probe.id}~{name}", text=text, variant=name))
    return found


def load(path: Path = SUITE_FILE) -> Suite:
    """The suite in ``path`` (default: the one shipped with the package), checked; SuiteError otherwise."""
    try:
        raw = path.read_bytes()
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError) as error:
        raise SuiteError(f"{path}: cannot read the probe suite: {error}") from None
    try:
        categories = {name: Category(name, c["title"], c["owasp"], c["agentic"], c["expect"], bool(c["variants"]))
                      for name, c in data["categories"].items()}
        probes = tuple(Probe(p["id"], p["category"], p["owasp"], p["agentic"], p["source"], p["expect"], p["text"],
                             p.get("entity")) for p in data["probes"])
    except (KeyError, TypeError, AttributeError) as error:
        raise SuiteError(f"{path}: not a probe suite ({type(error).__name__}: {error})") from None
    _check(path, categories, probes)
    return Suite(categories, probes, hashlib.sha256(raw).hexdigest())


def _check(path: Path, categories: Dict[str, Category], probes: Tuple[Probe, ...]) -> None:
    seen = set()
    for c in categories.values():
        if c.expect not in EXPECTATIONS:
            raise SuiteError(f"{path}: category {c.name}: expect must be block or allow, not {c.expect!r}")
    for p in probes:
        where = f"{path}: probe {p.id}"
        if p.id in seen or "~" in p.id:
            raise SuiteError(f"{where}: ids must be unique and may not contain '~'")
        seen.add(p.id)
        category = categories.get(p.category)
        if category is None:
            raise SuiteError(f"{where}: unknown category {p.category!r}")
        if p.source not in SOURCES:
            raise SuiteError(f"{where}: source must be INPUT or OUTPUT, not {p.source!r}")
        if p.expect != category.expect:
            raise SuiteError(f"{where}: expect {p.expect!r} differs from its category's {category.expect!r}")
        if p.owasp != category.owasp or (category.agentic is not None and p.agentic is None):
            raise SuiteError(f"{where}: its OWASP ids differ from its category's")
        if not isinstance(p.text, str) or not p.text.strip():
            raise SuiteError(f"{where}: empty text")
