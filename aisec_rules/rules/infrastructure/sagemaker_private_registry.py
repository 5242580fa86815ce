"""AISEC-INF-19: SageMaker model containers are pulled from a private registry in the VPC.

Security Hub CSPM controls (AI Security Best Practices v1.0.0) caught before deployment, on
``AWS::SageMaker::Model`` (AWS, https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html,
sections sagemaker-16 and -19):

* SageMaker.16, "SageMaker models should use private registry in VPC for primary containers": fails "if
  the image is not configured or repository access mode is ``Platform``" (``PrimaryContainer``);
* SageMaker.19, "... for multi-container inference pipelines": fails "if any container definition does
  not have image configuration or has repository access mode set to platform" (``Containers[]``).

Judged (cfn-lint 1.58 schema, create-only): ``PrimaryContainer.ImageConfig.RepositoryAccessMode`` (detail
``PrimaryContainer``) and each ``Containers[i].ImageConfig.RepositoryAccessMode`` (detail ``Containers[i]``)
must be ``Vpc`` (schema enum ``Platform`` = Amazon ECR, ``Vpc`` = a private Docker registry reachable in
the VPC). Absent ``ImageConfig`` fails, as in the controls: that includes containers defined by a
``ModelPackageName`` or an ECR ``Image``.

Layer Infrastructure: where the serving compute pulls its code from (category "Resources within VPC").
Phase Advanced, with reason: the control forbids Amazon ECR images (``Platform``), the default supply chain
of SageMaker and of model packages, and needs a private registry run in the VPC; that is an
Advanced-phase hardening, not a baseline. Capability answers. The earlier note of AISEC-INF-15 (that
``Vpc`` would forbid ECR images) stands; this rule exists so that a team that enables the standard is not
surprised by it, and a team that pulls from ECR through VPC endpoints acknowledges it with that reason.
"""
from typing import Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import MISSING
from ..base import expect_value

_WHY = (" (Security Hub fails Amazon ECR (Platform) and containers without ImageConfig, such as model-package "
        "containers; create-only)")


def check(ctx: Context) -> Iterator[Violation]:
    for model in ctx.template.of_type("AWS::SageMaker::Model"):
        if model.prop("PrimaryContainer") is not MISSING:
            yield from expect_value(ctx, model, ("PrimaryContainer", "ImageConfig", "RepositoryAccessMode"),
                                    allowed={"Vpc"}, default="Platform", detail="PrimaryContainer", why=_WHY)
        containers = model.prop("Containers")
        if isinstance(containers, list):
            for index in range(len(containers)):
                yield from expect_value(ctx, model, ("Containers", index, "ImageConfig", "RepositoryAccessMode"),
                                        allowed={"Vpc"}, default="Platform", detail=f"Containers[{index}]", why=_WHY)


RULE = Rule(
    id="AISEC-INF-19",
    security_hub=("SageMaker.16", "SageMaker.19"),
    aiml_assessment=("SM-14",),
    title="SageMaker model images from a private registry in the VPC",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=("LLM03",),
    passes="Every container of an `AWS::SageMaker::Model` (`PrimaryContainer`, `Containers[]`) sets "
           "`ImageConfig.RepositoryAccessMode: Vpc`.",
    remediation="Host inference images in a private Docker registry reachable from the model's VPC and set "
                "`ImageConfig.RepositoryAccessMode: Vpc` on each container; a model pulled from Amazon ECR (or a model "
                "package) fails Security Hub SageMaker.16/.19: acknowledge the finding with the reason when ECR through "
                "VPC endpoints is the accepted supply chain.",
    construct="none: aisec_constructs.infrastructure.SecureModelEndpoint deploys model packages (no ImageConfig) and "
              "fails this rule; acknowledge it or deploy a private-registry image",
    check=check,
    judges=("AWS::SageMaker::Model",),
    services={Service.SAGEMAKER},
)
