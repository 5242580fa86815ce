"""AISEC-INF-15: SageMaker models and Studio domains are isolated from the internet.

* ``AWS::SageMaker::Model``: ``[EnableNetworkIsolation]`` is true (absent means false; the
  container then makes no inbound or outbound network calls, SageMaker still fetches the model
  artifacts) and ``[VpcConfig]`` sets ``Subnets`` and ``SecurityGroupIds`` (Security Hub
  SageMaker models controls; SageMaker.5, "SageMaker models should have network isolation enabled", fails
  when ``EnableNetworkIsolation`` is false: https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-5).
* ``AWS::SageMaker::Domain``: ``[AppNetworkAccessType]`` is ``VpcOnly`` (schema: enum
  ``PublicInternetOnly`` / ``VpcOnly``, default ``PublicInternetOnly``).

Jobs (issue 22): ``AWS::SageMaker::ProcessingJob`` (in the cfn-lint schemas and aws-cdk-lib as
``CfnProcessingJob``) sets ``NetworkConfig.EnableNetworkIsolation`` true (absent means false; detail
``EnableNetworkIsolation``) and ``NetworkConfig.VpcConfig`` subnets and security groups (detail ``VpcConfig``);
every training, processing and tuning step of an ``AWS::SageMaker::Pipeline`` definition does the same in its
``Arguments`` (detail ``Step::<name>``; a definition in S3 or one the template cannot show is
``PipelineDefinition``, never passed), see :mod:`aisec_rules.rules._sagemaker_jobs`.

Where the catalog row is wrong: it also asks for ``PrimaryContainer.ImageConfig
.RepositoryAccessMode=Vpc``. Per the schema and the SageMaker API, ``ImageConfig`` only applies to
images in a *private Docker registry* (``Vpc`` = a registry reachable in your VPC,
``Platform`` = Amazon ECR); requiring ``Vpc`` would forbid ECR images. This rule does not check
it; AISEC-INF-19 does, at the Advanced phase, because Security Hub SageMaker.16 and .19 ask for it.
"""
from ...context import Context
from typing import Iterator

from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import Resource
from .._sagemaker_jobs import PIPELINE, PROCESSING_JOB, expect_true, pipeline_violations
from ..base import expect_set, expect_value


def check(ctx: Context):
    for model in ctx.template.of_type("AWS::SageMaker::Model"):
        yield from expect_value(ctx, model, ("EnableNetworkIsolation",), allowed={True}, default=False,
                                detail="EnableNetworkIsolation",
                                why=" (an isolated model container cannot call out with the data it is given)")
        violations = list(expect_set(ctx, model, ("VpcConfig", "Subnets"), detail="VpcConfig",
                                     why="; the model must run in private subnets"))
        yield from violations or expect_set(ctx, model, ("VpcConfig", "SecurityGroupIds"), detail="VpcConfig",
                                            why="; the model must run with a security group")
    for job in ctx.template.of_type(PROCESSING_JOB):
        yield from expect_true(ctx, job, ("NetworkConfig",), "EnableNetworkIsolation", detail="EnableNetworkIsolation",
                               why=" (an isolated processing container cannot call out with the data it processes)")
        yield from _job_vpc(ctx, job)
    yield from pipeline_violations(ctx, "isolation", " (no internet egress for the data the job reads)")
    for domain in ctx.template.of_type("AWS::SageMaker::Domain"):
        yield from expect_value(ctx, domain, ("AppNetworkAccessType",), allowed={"VpcOnly"},
                                default="PublicInternetOnly", detail="AppNetworkAccessType",
                                why=" (Studio apps otherwise reach the internet directly)")


def _job_vpc(ctx: Context, job: Resource) -> Iterator[Violation]:
    """``NetworkConfig.VpcConfig`` sets subnets and security groups, on each branch of ``NetworkConfig`` (one the
    template cannot show is reported by the isolation check already)."""
    problems = []
    for network in ctx.template.resolve(job.prop("NetworkConfig")):
        if not network.known:
            continue
        vpc = network.raw.get("VpcConfig") if isinstance(network.raw, dict) else None
        if not (isinstance(vpc, dict) and vpc.get("Subnets") and vpc.get("SecurityGroupIds")):
            problems.append(f"NetworkConfig.VpcConfig Subnets and SecurityGroupIds are not set{network.note()}")
    if problems:
        yield Violation(job.logical_id, "; ".join(dict.fromkeys(problems)) + "; the job must run in private subnets "
                                                                            "with a security group", "VpcConfig")


RULE = Rule(
    id="AISEC-INF-15",
    security_hub=("SageMaker.5",),
    prowler_aisf=("AISF-ML-01", "AISF-ML-03: network isolation and VPC of pipeline training and tuning steps"),
    aiml_assessment=("SM-01: domains", "SM-11"),
    title="SageMaker model and Studio isolation",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.HIGH,
    risks=("LLM03",),
    passes="`AWS::SageMaker::Model` sets `EnableNetworkIsolation: true` and `VpcConfig` subnets and security "
           "groups; `AWS::SageMaker::Domain` sets `AppNetworkAccessType: VpcOnly`; `AWS::SageMaker::ProcessingJob` and the "
           "training, processing and tuning steps of `AWS::SageMaker::Pipeline` definitions enable network isolation "
           "and a VPC configuration.",
    remediation="Enable network isolation and a VPC configuration on models; create Studio domains with "
                "`AppNetworkAccessType: VpcOnly` in private subnets with the VPC endpoints Studio needs.",
    construct="aisec_constructs.infrastructure.SecureModelEndpoint (models); Studio domains have none: a domain is "
              "account-level platform setup, so set AppNetworkAccessType VpcOnly where the domain is created",
    check=check,
    judges=("AWS::SageMaker::Model", "AWS::SageMaker::Domain", PROCESSING_JOB, PIPELINE),
    services={Service.SAGEMAKER},
)
