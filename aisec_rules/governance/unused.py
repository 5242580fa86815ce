"""Acknowledgements that match no finding: exceptions that no longer silence anything.

An acknowledgement reaches the templates as ``Metadata.cdk_nag.rules_to_suppress`` entries (CDK's
``Validations.of(x).acknowledge``, copied there by the pack's aspect; cdk-nag 2's suppressions; or written in the
template), on resources and in a template's own ``Metadata``. Only acknowledgements of aisec findings count
(``AISEC-...``): cdk-nag writes every pack's suppressions into the same metadata, and an ``AwsSolutions-IAM5`` entry
is not aisec's to judge.

What counts as one acknowledgement: every copy of the same id, reason and expiry, wherever it is in the system. An
acknowledgement written on a stage or the app is copied onto every resource below it, and only the resource that
has the finding uses its copy; so an acknowledgement is *used* when any finding of the system names any copy of it
(whatever its state: an expired one is listed in the exception register, not here), and *unused* when none does.
Two resources acknowledged separately with the same id and the same reason therefore count as one acknowledgement.

Which findings: those of every phase the run evaluated (the pack with its report and ``aisec report``: all three;
``aisec check``: its phase). An acknowledgement of a rule above every phase evaluated is not judged: the run cannot
know whether it silences a finding at that phase, so it is not reported (a run that evaluates that phase does). An
acknowledgement of an id no rule has (a typo, a removed rule) matches nothing and is reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..model import Finding, Phase, Rule
from ..read.stack import Stack
from .exceptions import Acknowledgement, from_metadata

#: the ids aisec judges: its own rule ids (``AISEC-DATA-01``, ``AISEC-DATA-01[detail]``)
PREFIX = "AISEC-"


@dataclass(frozen=True)
class Location:
    """Where a copy of an acknowledgement is written: a resource, or (``resource`` None) the template's own
    ``Metadata``, which applies to every resource of the template."""

    template: str
    stack: str
    resource: Optional[str]

    @property
    def order(self) -> Tuple[str, str, str]:
        return (self.template, self.resource or "", self.stack)

    def describe(self) -> str:
        return f"{self.stack or self.template}/{self.resource}" if self.resource else \
            f"stack {self.stack or self.template} (template metadata)"


@dataclass(frozen=True)
class Unused:
    """An acknowledgement that matches no finding, and every place it is written (sorted)."""

    acknowledgement: Acknowledgement
    locations: Tuple[Location, ...]

    @property
    def first(self) -> Location:
        return self.locations[0]

    def describe(self) -> str:
        """One line for a notice: the id, reason, where, and what to do."""
        more = len(self.locations) - 1
        where = self.first.describe() + (f" and {more} more place(s)" if more else "")
        return (f"acknowledgement {self.acknowledgement.id} ({self.acknowledgement.describe()!r}) on {where} matches "
                "no finding: remove it")

    def to_dict(self) -> dict:
        ack = self.acknowledgement
        return {"id": ack.id, "reason": ack.reason, "expires": ack.expires.isoformat() if ack.expires else None,
                "template": self.first.template, "stack": self.first.stack, "resource": self.first.resource,
                "locations": [{"template": x.template, "stack": x.stack, "resource": x.resource}
                              for x in self.locations]}


def unused(stacks: Sequence[Stack], findings: Iterable[Finding], rules: Sequence[Rule],
           phases: Iterable[Phase]) -> List[Unused]:
    """The aisec acknowledgements written in ``stacks`` that no finding of ``findings`` (the findings of every
    phase in ``phases``) names, ordered by id, then first location; see the module docstring."""
    used = {f.exception for f in findings if f.exception is not None}
    highest = max(phases)
    phase_of = {r.id: r.phase for r in rules}
    written: Dict[Acknowledgement, List[Location]] = {}
    for stack in stacks:
        template = stack.template
        for ack in from_metadata(template.metadata).values():
            written.setdefault(ack, []).append(Location(template.path, stack.name, None))
        for resource in template.resources.values():
            if "cdk_nag" in resource.metadata:
                for ack in from_metadata(resource.metadata).values():
                    written.setdefault(ack, []).append(Location(template.path, stack.name, resource.logical_id))
    result = []
    for ack, locations in written.items():
        if not ack.id.startswith(PREFIX) or ack in used:
            continue
        if phase_of.get(ack.id.split("[", 1)[0], Phase.FOUNDATIONAL) > highest:
            continue  # its rule did not run: not judged
        result.append(Unused(ack, tuple(sorted(locations, key=lambda x: x.order))))
    return sorted(result, key=lambda u: (u.acknowledgement.id, u.first.order))
