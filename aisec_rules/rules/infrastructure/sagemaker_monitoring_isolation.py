"""AISEC-INF-16: SageMaker Model Monitor jobs run network-isolated.

Security Hub CSPM controls (AI Security Best Practices v1.0.0) caught before deployment, each failing when
``EnableNetworkIsolation`` is false or not configured:

* SageMaker.11, ``AWS::SageMaker::DataQualityJobDefinition``;
* SageMaker.12, ``AWS::SageMaker::ModelBiasJobDefinition``;
* SageMaker.20, ``AWS::SageMaker::ModelExplainabilityJobDefinition`` (severity High);
* SageMaker.25, ``AWS::SageMaker::ModelQualityJobDefinition`` (severity High);
* SageMaker.14, ``AWS::SageMaker::MonitoringSchedule`` ("fails if a monitoring schedule has
  EnableNetworkIsolation set to false or not configured").

Sources: AWS, "Security Hub CSPM controls for SageMaker AI",
https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html
(sections sagemaker-11, -12, -14, -20, -25) and "AI Security Best Practices standard in Security Hub CSPM",
https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html; property paths and
create-only status from the cfn-lint 1.58 schemas (``NetworkConfig`` is create-only on the four job
definitions, not on the schedule; ``MonitoringScheduleConfig.MonitoringJobDefinition.NetworkConfig`` on the
schedule).

Layer Infrastructure: network isolation of compute, like AISEC-INF-14 and INF-15. Phase Enhanced: Model
Monitor itself is an Enhanced control (AISEC-APP-25). Capability answers: any model endpoint is monitored.

Choices:

* Absent means false (no schema default; the SageMaker API defaults the flag to false, and AWS's text
  fails "not configured"). A ``NetworkConfig`` under ``Fn::If`` is judged per branch; an unresolvable
  one cannot be verified.
* A schedule that names a job definition (``MonitoringJobDefinitionName``) instead of an inline
  ``MonitoringJobDefinition`` has no network configuration of its own; it is not judged here, the named
  definition is (its own control above). AWS's text does not say whether SageMaker.14 treats such a
  schedule as "not configured"; if it does, Security Hub reports it although this rule passes.
"""
from typing import Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from .._sagemaker_jobs import JOB_DEFINITIONS, SCHEDULE, network_flag_on_every_job

_WHY = " (an isolated monitoring container makes no network calls with the captured traffic it reads)"


def check(ctx: Context) -> Iterator[Violation]:
    yield from network_flag_on_every_job(ctx, "EnableNetworkIsolation", _WHY)


RULE = Rule(
    id="AISEC-INF-16",
    security_hub=("SageMaker.11", "SageMaker.12", "SageMaker.14", "SageMaker.20", "SageMaker.25"),
    aiml_assessment=("SM-13",),
    title="SageMaker monitoring job network isolation",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=("LLM02",),
    passes="Every data quality, model quality, model bias and model explainability job definition, and every "
           "`AWS::SageMaker::MonitoringSchedule` with an inline `MonitoringJobDefinition`, sets "
           "`NetworkConfig.EnableNetworkIsolation: true`.",
    remediation="Set `NetworkConfig.EnableNetworkIsolation: true` (with a `VpcConfig` in private subnets) on every Model "
                "Monitor job definition and inline monitoring job definition; it is create-only on job definitions, "
                "so set it before the first deploy.",
    construct="aisec_constructs.infrastructure.SecureModelEndpoint (monitoring_image_uri): its data quality job "
              "definition is network-isolated and its schedule names that definition",
    check=check,
    judges=(SCHEDULE, *JOB_DEFINITIONS),
    services={Service.SAGEMAKER},
)
