"""AISEC-DATA-27: SageMaker Model Monitor jobs encrypt the traffic between their containers.

Security Hub CSPM controls (AI Security Best Practices v1.0.0) caught before deployment, each failing when
``EnableInterContainerTrafficEncryption`` is not enabled:

* SageMaker.9, ``AWS::SageMaker::DataQualityJobDefinition``;
* SageMaker.10, ``AWS::SageMaker::ModelExplainabilityJobDefinition``;
* SageMaker.13, ``AWS::SageMaker::ModelQualityJobDefinition``;
* SageMaker.15, ``AWS::SageMaker::ModelBiasJobDefinition`` (only for an instance count of 2 or more);
* SageMaker.22, ``AWS::SageMaker::MonitoringSchedule`` ("set EnableInterContainerTrafficEncryption to true
  in the NetworkConfig of the MonitoringJobDefinition").

Sources: AWS, "Security Hub CSPM controls for SageMaker AI",
https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html
(sections sagemaker-9, -10, -13, -15, -22); property paths and create-only status (``NetworkConfig`` on
the job definitions) from the cfn-lint 1.58 schemas, which give the flag no default.

Layer Data and model: encryption in transit of the captured prompts, responses and ground truth the jobs
read. Phase Enhanced: Model Monitor itself is an Enhanced control (AISEC-APP-25). Capability answers.

Choices:

* Absent means false (the SageMaker API default; AWS: "By default, inter-container traffic is
  unencrypted"). ``NetworkConfig`` under ``Fn::If`` is judged per branch; an unresolvable one cannot be
  verified.
* Stricter than SageMaker.15, which fails a bias job only when its cluster has two or more instances:
  the flag is required whatever the count, so scaling a job up never opens the finding in production.
  Acknowledge the finding for a single-instance job that must not pay the encryption overhead.
* A schedule that names a job definition instead of an inline one is not judged here (the named
  definition is); AWS's text for SageMaker.22 does not say how Security Hub treats such a schedule.
"""
from typing import Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from .._sagemaker_jobs import (JOB_DEFINITIONS, PIPELINE, PROCESSING_JOB, SCHEDULE, network_flag_on_every_job,
                               pipeline_violations, processing_job_flag)

_WHY = " (a distributed monitoring job otherwise moves the captured data between instances in clear text)"


def check(ctx: Context) -> Iterator[Violation]:
    yield from network_flag_on_every_job(ctx, "EnableInterContainerTrafficEncryption", _WHY)
    yield from processing_job_flag(ctx, "EnableInterContainerTrafficEncryption", _WHY,
                                   "EnableInterContainerTrafficEncryption")
    yield from pipeline_violations(ctx, "encryption", _WHY)


RULE = Rule(
    id="AISEC-DATA-27",
    security_hub=("SageMaker.9", "SageMaker.10", "SageMaker.13", "SageMaker.15", "SageMaker.22"),
    prowler_aisf=(
        "AISF-INFRA-06: inter-container encryption of pipeline training and tuning steps",
        "AISF-ML-03: inter-container encryption of pipeline training and tuning steps",
    ),
    aiml_assessment=("SM-03: inter-container encryption of training steps", "SM-16"),
    title="SageMaker monitoring job inter-container encryption",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=("LLM02",),
    passes="Every data quality, model quality, model bias and model explainability job definition, and every inline "
           "monitoring job definition of a schedule, sets `NetworkConfig.EnableInterContainerTrafficEncryption: true`, "
           "and so does every `AWS::SageMaker::ProcessingJob` and every training, processing and tuning step of an "
           "`AWS::SageMaker::Pipeline` definition (`EnableInterContainerTrafficEncryption`).",
    remediation="Set `NetworkConfig.EnableInterContainerTrafficEncryption: true` on every Model Monitor job definition "
                "(create-only: set it before the first deploy) and on inline monitoring job definitions.",
    construct="aisec_constructs.infrastructure.SecureModelEndpoint (monitoring_image_uri): its data quality job "
              "definition encrypts inter-container traffic",
    check=check,
    judges=(SCHEDULE, *JOB_DEFINITIONS, PROCESSING_JOB, PIPELINE),
    services={Service.SAGEMAKER},
)
