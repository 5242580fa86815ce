"""Shared by the SageMaker job rules (AISEC-INF-15, INF-16, DATA-26, DATA-27): a boolean flag inside
``NetworkConfig`` of a job definition, of a schedule's inline job definition or of a processing job, and the
settings of the training, processing, tuning and transform steps of a pipeline definition.

The cfn-lint schemas give the flags (``NetworkConfig.EnableNetworkIsolation``,
``NetworkConfig.EnableInterContainerTrafficEncryption``) no default; the SageMaker API treats an absent
flag as false, so absent fails. ``NetworkConfig`` itself may come from ``Fn::If`` (each branch is judged)
or an unresolvable intrinsic (reported as unverifiable, never passed).
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

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


# -- processing jobs and pipeline steps (issue 22) -----------------------------------------------------------------

PROCESSING_JOB = "AWS::SageMaker::ProcessingJob"
PIPELINE = "AWS::SageMaker::Pipeline"

#: what each rule asks of a job, by the kind of setting: ``isolation`` (AISEC-INF-15: network isolation and a VPC),
#: ``encryption`` (AISEC-DATA-27: inter-container traffic) and ``keys`` (AISEC-DATA-26: volume and output keys).
#: Paths are those of the SageMaker Create*Job request a pipeline step carries in ``Arguments`` (the pipeline
#: definition schema, https://aws-sagemaker-mlops.github.io/sagemaker-model-building-pipeline-definition-JSON-schema/),
#: which ``AWS::SageMaker::ProcessingJob`` shares for processing.
Settings = Dict[str, List[Tuple[Tuple[str, ...], str]]]
_TRAINING: Settings = {
    "isolation": [(("EnableNetworkIsolation",), "bool"), (("VpcConfig", "Subnets"), "set"),
                  (("VpcConfig", "SecurityGroupIds"), "set")],
    "encryption": [(("EnableInterContainerTrafficEncryption",), "bool")],
    "keys": [(("ResourceConfig", "VolumeKmsKeyId"), "key"), (("OutputDataConfig", "KmsKeyId"), "key")],
}
STEP_SETTINGS: Dict[str, Settings] = {
    "Processing": {
        "isolation": [(("NetworkConfig", "EnableNetworkIsolation"), "bool"),
                      (("NetworkConfig", "VpcConfig", "Subnets"), "set"),
                      (("NetworkConfig", "VpcConfig", "SecurityGroupIds"), "set")],
        "encryption": [(("NetworkConfig", "EnableInterContainerTrafficEncryption"), "bool")],
        "keys": [(("ProcessingResources", "ClusterConfig", "VolumeKmsKeyId"), "key"),
                 (("ProcessingOutputConfig", "KmsKeyId"), "key")],
    },
    "Training": _TRAINING,
    "Tuning": {kind: [(("TrainingJobDefinition",) + path, how) for path, how in items]
               for kind, items in _TRAINING.items()},
    "Transform": {"keys": [(("TransformResources", "VolumeKmsKeyId"), "key"), (("TransformOutput", "KmsKeyId"), "key")]},
}
_WHAT = {"isolation": "network isolation and a VPC", "encryption": "inter-container traffic encryption",
         "keys": "customer managed keys for volumes and output"}


def _steps(steps: Any, depth: int = 0) -> Iterator[Dict[str, Any]]:
    """Every step of a definition, the steps of condition steps (``IfSteps`` / ``ElseSteps``) included."""
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, dict):
            continue
        yield step
        arguments = step.get("Arguments")
        if step.get("Type") == "Condition" and isinstance(arguments, dict) and depth < 8:
            for branch in ("IfSteps", "ElseSteps"):
                yield from _steps(arguments.get(branch), depth + 1)


def _definitions(ctx: Context, pipeline: Resource) -> Iterator[Tuple[Optional[dict], str]]:
    """Each pipeline definition the template shows (every ``Fn::If`` branch), or (None, why it cannot be read)."""
    definition = pipeline.prop("PipelineDefinition")
    for value in ctx.template.resolve(definition):
        raw = value.raw
        if not value.known or not isinstance(raw, dict):
            yield None, f"PipelineDefinition cannot be verified at synth time{value.note()}"
            continue
        if raw.get("PipelineDefinitionS3Location") is not None:
            yield None, (f"PipelineDefinition.PipelineDefinitionS3Location{value.note()} holds the definition in S3, "
                         "which the template cannot show")
            continue
        for body in ctx.template.resolve(raw.get("PipelineDefinitionBody", MISSING)):
            text = body.raw if body.known and isinstance(body.raw, str) else ctx.template.text(body.raw)
            try:
                parsed = json.loads(text) if isinstance(text, str) else None
            except (ValueError, RecursionError):
                parsed = None
            if isinstance(parsed, dict):
                yield parsed, body.note() or value.note()
            else:
                yield None, (f"PipelineDefinition.PipelineDefinitionBody{body.note() or value.note()} is not a JSON "
                             "document the template shows")


def _setting(arguments: Any, path: Tuple[str, ...], how: str) -> Optional[str]:
    """What is wrong with one setting of a step's arguments (None when it passes)."""
    value: Any = arguments
    for key in path:
        value = value.get(key, MISSING) if isinstance(value, dict) else MISSING
    if value is MISSING or value is None or value in ("", []):
        return "is not set" + (" (false)" if how == "bool" else "")
    if isinstance(value, dict):  # a pipeline expression ({"Get": "Parameters.X"}) or a property reference
        return None if how != "bool" else "is a pipeline expression that cannot be verified at synth time"
    if how == "bool" and normalize(value) is not True:
        return f"is {value!r}"
    if how == "key" and isinstance(value, str) and value.lower().startswith("alias/aws/"):
        return f"is the AWS managed key {value}"
    return None


def pipeline_violations(ctx: Context, kind: str, why: str) -> Iterator[Violation]:
    """The ``kind`` settings (``isolation``, ``encryption``, ``keys``) of every training, processing, tuning and
    transform step of every ``AWS::SageMaker::Pipeline``; detail ``Step::<name>``. A definition the template cannot
    show is reported once per pipeline (detail ``PipelineDefinition``), never passed."""
    for pipeline in ctx.template.of_type(PIPELINE):
        problems: Dict[str, List[str]] = {}
        unreadable: List[str] = []
        for definition, note in _definitions(ctx, pipeline):
            if definition is None:
                unreadable.append(note)
                continue
            for step in _steps(definition.get("Steps")):
                settings = STEP_SETTINGS.get(str(step.get("Type")), {}).get(kind, [])
                name = str(step.get("Name") or "?")
                for path, how in settings:
                    wrong = _setting(step.get("Arguments"), path, how)
                    if wrong:
                        problems.setdefault(name, []).append(f"{'.'.join(path)} {wrong}{note}")
        for name, found in sorted(problems.items()):
            yield Violation(pipeline.logical_id,
                            f"pipeline step {name}: Arguments.{'; Arguments.'.join(dict.fromkeys(found))}; the step's job "
                            f"must use {_WHAT[kind]}{why}", f"Step::{re.sub(r'[^A-Za-z0-9_.:-]+', '_', name)}")
        if unreadable:
            yield Violation(pipeline.logical_id,
                            f"{'; '.join(dict.fromkeys(unreadable))}, so whether its training, processing, tuning and "
                            f"transform steps use {_WHAT[kind]} cannot be judged; write the definition in the template "
                            "(PipelineDefinitionBody) or acknowledge this finding naming where it is reviewed",
                            "PipelineDefinition")


def processing_job_flag(ctx: Context, flag: str, why: str, detail: str) -> Iterator[Violation]:
    """``NetworkConfig.<flag>`` must be true on every ``AWS::SageMaker::ProcessingJob``."""
    for job in ctx.template.of_type(PROCESSING_JOB):
        yield from expect_true(ctx, job, ("NetworkConfig",), flag, detail=detail, why=why)
