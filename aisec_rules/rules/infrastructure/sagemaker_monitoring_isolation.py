"""AISEC-INF-16: SageMaker Model Monitor jobs run network-isolated.

Security Hub CSPM controls (AI Security Best Practices v1.0.0) caught before deployment:

* SageMaker.11, data quality job definitions: ``AWS::SageMaker::DataQualityJobDefinition``
  ``NetworkConfig.EnableNetworkIsolation`` must be true (the control fails when it is false);
* SageMaker.14, monitoring schedules: ``AWS::SageMaker::MonitoringSchedule``
  ``MonitoringScheduleConfig.MonitoringJobDefinition.NetworkConfig.EnableNetworkIsolation`` must be
  true (the control reads the schedule's own network configuration).

Sources: the control descriptions at https://www.emnode.com/learn/control/sagemaker-11/ and
https://www.emnode.com/learn/control/sagemaker-14/ (third-party pages; AWS's own page,
https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html, is stored only in part
and its SageMaker.11 and .14 sections could not be retrieved); property paths and create-only status from
the cfn-lint 1.58 schemas (``NetworkConfig`` is create-only on the job definitions, not on the schedule).

Layer Infrastructure: network isolation of compute, like AISEC-INF-14 and INF-15. Phase Enhanced: Model
Monitor itself is an Enhanced control (AISEC-APP-25). Capability answers: any model endpoint is monitored.

Choices:

* Absent means false (no schema default; the SageMaker API defaults the flag to false). A
  ``NetworkConfig`` under ``Fn::If`` is judged per branch; an unresolvable one cannot be verified.
* A schedule that names a job definition (``MonitoringJobDefinitionName``) instead of an inline
  ``MonitoringJobDefinition`` has no network configuration of its own and is not judged here: the named
  definition carries it (a data quality definition is judged by this rule). Whether Security Hub fails
  such a schedule could not be established from the sources.
* Model quality, model bias and model explainability job definitions are not judged: SageMaker.12 is
  probably one of them (a third-party page calls it a sibling of .11 and .14) but its definition was not
  found, and Clarify jobs may need network access; see :mod:`aisec_rules.security_hub`.
"""
from typing import Iterator

from ...engine import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from .._sagemaker_jobs import INLINE, expect_true, inline_schedules

_WHY = " (an isolated monitoring container makes no network calls with the captured traffic it reads)"


def check(ctx: Context) -> Iterator[Violation]:
    for definition in ctx.template.of_type("AWS::SageMaker::DataQualityJobDefinition"):
        yield from expect_true(ctx, definition, ("NetworkConfig",), "EnableNetworkIsolation",
                               why=_WHY + "; create-only: a later change replaces the job definition")
    for schedule in inline_schedules(ctx):
        yield from expect_true(ctx, schedule, INLINE + ("NetworkConfig",), "EnableNetworkIsolation", why=_WHY)


RULE = Rule(
    id="AISEC-INF-16",
    security_hub=("SageMaker.11", "SageMaker.14"),
    title="SageMaker monitoring job network isolation",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=("LLM02",),
    passes="Every `AWS::SageMaker::DataQualityJobDefinition` and every `AWS::SageMaker::MonitoringSchedule` with an "
           "inline `MonitoringJobDefinition` sets `NetworkConfig.EnableNetworkIsolation: true`.",
    remediation="Set `NetworkConfig.EnableNetworkIsolation: true` (with a `VpcConfig` in private subnets) on data quality "
                "job definitions and on inline monitoring job definitions; it is create-only on job definitions, so "
                "set it before the first deploy.",
    construct="aisec_constructs.infrastructure.SecureModelEndpoint (monitoring_image_uri): its data quality job "
              "definition is network-isolated and its schedule names that definition",
    check=check,
    services={Service.SAGEMAKER},
)
