"""AISEC-APP-25: SageMaker endpoints capture their traffic and a Model Monitor schedule watches them.

Drift and poisoning signals come from comparing live traffic with a baseline: that needs data
capture on the endpoint configuration and a monitoring schedule per endpoint.

* Each ``AWS::SageMaker::EndpointConfig`` needs ``DataCaptureConfig`` with ``EnableCapture`` not
  false (the SageMaker API documents capture as enabled by default when the block is present) and
  ``InitialSamplingPercentage`` above 0 (0 captures nothing).
* Each ``AWS::SageMaker::Endpoint`` needs an ``AWS::SageMaker::MonitoringSchedule`` that points at
  it: a reference to the endpoint (``Ref``/``Fn::GetAtt``/``Fn::Sub``) or its literal
  ``EndpointName`` anywhere in the schedule (``EndpointName``, or
  ``MonitoringScheduleConfig.MonitoringJobDefinition.MonitoringInputs[].EndpointInput``), or in a
  data-quality / model-quality / bias / explainability job definition the schedule references
  (``MonitoringScheduleConfig.MonitoringJobDefinitionName``).
* Serverless endpoints (every production variant has ``ServerlessConfig``) support neither data
  capture nor Model Monitor; their configurations and endpoints are not judged (documented skip).
* One finding per resource, no detail. ``EndpointConfigName`` given as a literal or import that does
  not resolve to a configuration in the template leaves only the schedule requirement.
"""
from __future__ import annotations

from typing import Any, Iterator, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import MISSING, Resource, is_intrinsic
from ..base import expect_value

JOB_DEFINITIONS = ("AWS::SageMaker::DataQualityJobDefinition", "AWS::SageMaker::ModelQualityJobDefinition",
                   "AWS::SageMaker::ModelBiasJobDefinition", "AWS::SageMaker::ModelExplainabilityJobDefinition")


def is_serverless(config: Resource) -> bool:
    variants = config.prop("ProductionVariants")
    return isinstance(variants, list) and bool(variants) and all(
        isinstance(v, dict) and "ServerlessConfig" in v for v in variants)


def _strings(value: Any, found: Set[str]) -> None:
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _strings(item, found)


def monitored(ctx: Context) -> tuple:
    """Logical ids referenced by monitoring schedules (and their job definitions), and literal strings."""
    ids: Set[str] = set()
    literals: Set[str] = set()
    for schedule in ctx.template.of_type("AWS::SageMaker::MonitoringSchedule"):
        referenced = ctx.template.references(schedule.properties)
        ids |= {r.logical_id for r in referenced}
        _strings(schedule.properties, literals)
        for definition in referenced:
            if definition.type in JOB_DEFINITIONS:
                ids |= {r.logical_id for r in ctx.template.references(definition.properties)}
                _strings(definition.properties, literals)
    names = {d.prop("JobDefinitionName"): d for d in ctx.template.of_type(*JOB_DEFINITIONS)
             if isinstance(d.prop("JobDefinitionName"), str)}
    for name in list(literals):
        named = names.get(name)
        if named is not None:
            ids |= {r.logical_id for r in ctx.template.references(named.properties)}
            _strings(named.properties, literals)
    return ids, literals


def check(ctx: Context) -> Iterator[Violation]:
    serverless: Set[str] = set()
    for config in ctx.template.of_type("AWS::SageMaker::EndpointConfig"):
        if is_serverless(config):
            serverless.add(config.logical_id)
            continue
        if config.prop("DataCaptureConfig") is MISSING:
            yield Violation(config.logical_id, "DataCaptureConfig is not set; capture endpoint traffic (EnableCapture, "
                                               "InitialSamplingPercentage > 0, a KMS-encrypted DestinationS3Uri) so Model "
                                               "Monitor can detect drift")
            continue
        if not isinstance(config.prop("DataCaptureConfig"), dict) and not is_intrinsic(config.prop("DataCaptureConfig")):
            yield Violation(config.logical_id, "DataCaptureConfig is not an object; cannot be verified: it must enable "
                                               "capture with InitialSamplingPercentage above 0")
            continue
        violations = list(expect_value(ctx, config, ("DataCaptureConfig", "EnableCapture"), allowed={True}, default=True,
                                       why=" (Model Monitor needs captured traffic)"))
        yield from violations
        if not violations:
            for value in ctx.template.resolve(config.prop("DataCaptureConfig", "InitialSamplingPercentage")):
                if value.known and (value.raw == 0 or value.raw == "0"):
                    yield Violation(config.logical_id, f"DataCaptureConfig.InitialSamplingPercentage is 0{value.note()}; "
                                                       "it captures nothing, must be above 0")
    endpoints = ctx.template.of_type("AWS::SageMaker::Endpoint")
    if not endpoints:
        return
    ids, literals = monitored(ctx)
    for endpoint in endpoints:
        target = ctx.template.target(endpoint.prop("EndpointConfigName"))
        if target is not None and target.logical_id in serverless:
            continue
        name = endpoint.prop("EndpointName")
        if endpoint.logical_id in ids or (isinstance(name, str) and name in literals):
            continue
        yield Violation(endpoint.logical_id, "no AWS::SageMaker::MonitoringSchedule monitors this endpoint; add a Model "
                                             "Monitor schedule (data or model quality) whose EndpointInput names it")


RULE = Rule(
    id="AISEC-APP-25",
    prowler_aisf=("AISF-ML-05: each endpoint is monitored, not bias detection with Clarify",),
    aiml_assessment=(
        "SM-07: each endpoint is named by a monitoring schedule, not the schedule's status",
        "SM-23: each endpoint has a monitoring schedule, not one data-quality and one model-quality",
    ),
    title="SageMaker endpoint monitoring",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=("LLM04", "LLM09"),
    passes="Every (non-serverless) `AWS::SageMaker::EndpointConfig` captures data (`DataCaptureConfig`, "
           "`EnableCapture` not false, sampling above 0) and every endpoint is named by an "
           "`AWS::SageMaker::MonitoringSchedule` or its job definition.",
    remediation="Enable data capture on the endpoint configuration and add a Model Monitor schedule per endpoint.",
    construct="aisec_constructs.infrastructure.SecureModelEndpoint (monitoring_image_uri)",
    check=check,
    judges=("AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint"),
    reads=("AWS::SageMaker::MonitoringSchedule", *JOB_DEFINITIONS),
    services={Service.SAGEMAKER},
)
