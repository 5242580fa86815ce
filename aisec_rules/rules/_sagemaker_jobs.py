"""Shared by the SageMaker monitoring-job rules (AISEC-INF-16, AISEC-DATA-27): a boolean flag inside
``NetworkConfig`` of a job definition or of a schedule's inline job definition.

The cfn-lint schemas give the flags (``NetworkConfig.EnableNetworkIsolation``,
``NetworkConfig.EnableInterContainerTrafficEncryption``) no default; the SageMaker API treats an absent
flag as false, so absent fails. ``NetworkConfig`` itself may come from ``Fn::If`` (each branch is judged)
or an unresolvable intrinsic (reported as unverifiable, never passed).
"""
from __future__ import annotations

from typing import Any, Iterator, List, Optional, Tuple

from ..context import Context
from ..model import Violation
from ..read.template import MISSING, Resource
from .base import normalize, path_text

#: the four Model Monitor job definition types of the cfn-lint schemas
JOB_DEFINITIONS = ("AWS::SageMaker::DataQualityJobDefinition", "AWS::SageMaker::ModelQualityJobDefinition",
                   "AWS::SageMaker::ModelBiasJobDefinition", "AWS::SageMaker::ModelExplainabilityJobDefinition")
SCHEDULE = "AWS::SageMaker::MonitoringSchedule"
INLINE = ("MonitoringScheduleConfig", "MonitoringJobDefinition")


def inline_schedules(ctx: Context) -> Iterator[Resource]:
    """Monitoring schedules with a configuration (one without is left to the schema check). Judge them
    with ``optional_depth=1``: a configuration (or an ``Fn::If`` branch of one) that names a job
    definition instead of an inline ``MonitoringJobDefinition`` is not judged."""
    for schedule in ctx.template.of_type(SCHEDULE):
        if schedule.prop("MonitoringScheduleConfig") is not MISSING:
            yield schedule


def expect_true(ctx: Context, resource: Resource, parent: Tuple[str, ...], flag: str, *,
                detail: Optional[str] = None, why: str = "",
                optional_depth: Optional[int] = None) -> Iterator[Violation]:
    """``parent.flag`` must be true; an absent flag or parent means false, except that a branch absent at
    ``parent[optional_depth]`` is not judged. Each level of ``parent`` is resolved on its own (``Fn::If``
    branches, parameter defaults); an intrinsic that cannot be resolved at any level is reported as
    unverifiable."""
    where = path_text(parent + (flag,))
    branches: List[Tuple[Any, Tuple[str, ...]]] = [(resource.properties, ())]
    for depth, key in enumerate(parent + (flag,)):
        next_branches: List[Tuple[Any, Tuple[str, ...]]] = []
        for container, notes in branches:
            if not isinstance(container, dict):
                yield Violation(resource.logical_id, f"{path_text(parent[:depth])} is not an object{_note(notes)}; "
                                                     f"cannot be verified: {where} must be true{why}", detail)
                continue
            for value in ctx.template.resolve(container.get(key, MISSING)):
                seen = notes + ((value.origin,) if value.origin else ())
                if not value.known:
                    yield Violation(resource.logical_id, f"{path_text(parent[:depth + 1])} cannot be verified at synth "
                                                         f"time{_note(seen)}; {where} must be true{why}", detail)
                elif (value.raw is MISSING or value.raw is None) and depth == optional_depth:
                    continue
                elif value.raw is MISSING or value.raw is None:
                    yield Violation(resource.logical_id, f"{path_text(parent[:depth + 1])} is not set{_note(seen)}, so "
                                                         f"{where} defaults to false; must be true{why}", detail)
                else:
                    next_branches.append((value.raw, seen))
        branches = next_branches
    for leaf, notes in branches:
        if normalize(leaf) is not True:
            shown = "false" if normalize(leaf) is False else repr(leaf)
            yield Violation(resource.logical_id, f"{where} is {shown}{_note(notes)}; must be true{why}", detail)


def _note(notes: Tuple[str, ...]) -> str:
    return f" ({'; '.join(notes)})" if notes else ""


def network_flag_on_every_job(ctx: Context, flag: str, why: str) -> Iterator[Violation]:
    """``NetworkConfig.<flag>`` must be true on every monitoring job definition (create-only there) and
    on every schedule's inline job definition."""
    for definition in ctx.template.of_type(*JOB_DEFINITIONS):
        yield from expect_true(ctx, definition, ("NetworkConfig",), flag,
                               why=why + "; create-only: a later change replaces the job definition")
    for schedule in inline_schedules(ctx):
        yield from expect_true(ctx, schedule, INLINE + ("NetworkConfig",), flag, why=why, optional_depth=1)
