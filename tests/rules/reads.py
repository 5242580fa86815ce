"""What a rule's check reads, recorded: the resource types it asks for and the resources whose content it reads.

A rule declares the resource types it judges and the further types it reads (``Rule.judges``, ``Rule.reads``);
:func:`recorded_reads` runs its check over a view through :class:`RecordingTemplate`, a copy of the view that
records

* every type asked for by ``of_type`` (even when no resource of it exists: asking is what decides that there
  is nothing to judge) and every family asked for by ``of_family`` (as ``"<prefix>*"``);
* the type of every resource whose content (``properties``, ``prop``, ``metadata``, ``condition``) the check
  reads, however it found it (``get``, ``target``, ``references``);
* ``types()``, which lists every type of the view, as ``"*"``: a rule that needs it cannot declare what it reads;
* every type asked for across the system (``Context.system_of_type``), which the rule must also declare in
  ``Rule.system_wide``.

Nothing of this runs in the engine: the recording costs only here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from aisec_rules.context import Context
from aisec_rules.model import Capability, Phase, Rule, with_implied
from aisec_rules.read.stack import AGNOSTIC
from aisec_rules.read.template import Resource, Template
from aisec_rules.system import capabilities as caps
from aisec_rules.system.environments import SystemView

#: the content of a resource: reading one of these reads the resource
_CONTENT = frozenset({"properties", "metadata", "condition"})
_SINK: List[Set[str]] = []  # the set the running check records into (one at a time)


class _RecordedResource(Resource):
    """A resource whose content, when read, records its type."""

    def __getattribute__(self, name: str) -> Any:
        if name in _CONTENT and _SINK:
            _SINK[-1].add(object.__getattribute__(self, "type"))
        return object.__getattribute__(self, name)

    def __eq__(self, other: object) -> bool:  # identity, not content: comparing two resources reads neither
        if not isinstance(other, Resource):
            return NotImplemented
        return (object.__getattribute__(self, "logical_id"), object.__getattribute__(self, "type")) == (
            object.__getattribute__(other, "logical_id"), object.__getattribute__(other, "type"))

    __hash__ = None  # type: ignore[assignment]  # as a Resource: its properties are a dict


class RecordingTemplate(Template):
    """A copy of a view (same resources, parameters, origins) that records what a check reads into ``read``.
    The capability evidence and services are carried over from the view (they are what the engine hands a rule,
    as ``ctx.capabilities``); every other cache starts empty, so a check computes what it reads itself."""

    def __init__(self, view: Template):  # super().__init__ is not called: the view is already parsed
        self.__dict__.update(view.__dict__)
        self.read: Set[str] = set()
        self.cache = {k: v for k, v in view.cache.items() if k.startswith("capabilities.")}
        self.resources = {i: _RecordedResource(r.logical_id, r.type, r.properties, r.metadata, r.condition)
                          for i, r in view.resources.items()}
        self._by_type = {t: [self.resources[r.logical_id] for r in rs] for t, rs in view._by_type.items()}

    def of_type(self, *types: str) -> List[Resource]:
        self.read.update(types)
        return super().of_type(*types)

    def of_family(self, prefix: str) -> List[Resource]:
        self.read.add(prefix + "*")
        return super().of_family(prefix)

    def types(self) -> Iterable[str]:
        self.read.add("*")
        return super().types()


@dataclass(frozen=True)
class _RecordingSystem(SystemView):
    """The system's views (recording copies), recording every type asked for across them."""

    read: Set[str] = field(default_factory=set)

    def of_type(self, rtype: str) -> List[Tuple[str, Template, Resource]]:
        self.read.add(rtype)
        return super().of_type(rtype)


def record(rule: Rule, view: Template, phase: Phase = Phase.ADVANCED,
           capabilities: Optional[Iterable[Capability]] = None, system: Sequence[Tuple[str, Template]] = (),
           environment: str = AGNOSTIC) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(every type ``rule``'s check reads over ``view`` at ``phase``, the types it reads across ``system``): the
    environment's view and the others of the system (``(name, view)`` pairs, ``view`` among them when given)."""
    active = with_implied(capabilities) if capabilities is not None else caps.detect(view)
    caps.services(view)  # fills the cache the recording copy carries over
    recording = RecordingTemplate(view)
    others = _RecordingSystem(tuple((name, recording if v is view else RecordingTemplate(v)) for name, v in system))
    _SINK.append(recording.read)
    try:
        list(rule.check(Context(recording, phase, active, {}, environment, others)))
    except Exception:  # a check that raises is the engine's business (an internal-error finding)
        pass
    finally:
        _SINK.pop()
    return frozenset(recording.read | others.read), frozenset(others.read)


def recorded_reads(rule: Rule, view: Template, phase: Phase = Phase.ADVANCED,
                   capabilities: Optional[Iterable[Capability]] = None) -> FrozenSet[str]:
    """The types ``rule``'s check reads over ``view`` at ``phase`` (capabilities detected when not given)."""
    return record(rule, view, phase, capabilities)[0]


def covered(pattern_list: Iterable[str], rtype: str) -> bool:
    """True when ``rtype`` (a type, or a family ``"Prefix::*"``) is one of the declared types or families."""
    for declared in pattern_list:
        if declared == rtype or (declared.endswith("*") and rtype.startswith(declared[:-1])):
            return True
    return False


def undeclared(rule: Rule, read: Iterable[str]) -> List[str]:
    """What the check read that the rule does not declare (in ``judges`` or ``reads``), sorted."""
    return sorted(t for t in read if not covered((*rule.judges, *rule.reads), t))



def assert_reads_declared(rule: Rule, view: Template, phase: Phase = Phase.ADVANCED,
                          capabilities: Optional[Iterable[Capability]] = None,
                          system: Sequence[Tuple[str, Template]] = (), environment: str = AGNOSTIC) -> FrozenSet[str]:
    """Run ``rule`` over ``view`` (in ``system``, when given) recording what it reads; fail naming what it reads
    undeclared, or reads across the system without declaring it ``system_wide``. Returns the reads."""
    read, across = record(rule, view, phase, capabilities, system, environment)
    missing = undeclared(rule, read)
    assert not missing, (f"{rule.id} reads {', '.join(missing)} but declares only judges={rule.judges} "
                         f"reads={rule.reads}: add them to its Rule(judges=..., reads=...)")
    wide = sorted(across - set(rule.system_wide))
    assert not wide, (f"{rule.id} reads {', '.join(wide)} across the system but declares system_wide="
                      f"{rule.system_wide}")
    return read
