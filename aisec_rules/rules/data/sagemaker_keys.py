"""AISEC-DATA-26: SageMaker endpoints, notebooks and Studio domains encrypt with customer managed keys.

Judged (cfn-lint schemas; all these properties are create-only, so a later fix replaces the
resource):

* ``AWS::SageMaker::EndpointConfig.KmsKeyId`` (the ML storage volumes of the endpoint instances),
  detail ``KmsKeyId``; and, when ``DataCaptureConfig`` is present, ``DataCaptureConfig.KmsKeyId``
  (captured requests and responses in S3), detail ``DataCaptureConfig.KmsKeyId``;
* ``AWS::SageMaker::NotebookInstance.KmsKeyId`` (Security Hub SageMaker.21, "SageMaker notebook instances
  should be encrypted with customer managed AWS KMS keys", fails when no KMS key is configured:
  https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-21);
* ``AWS::SageMaker::Domain.KmsKeyId`` (the Studio home EFS volume).

Jobs (issue 22): ``AWS::SageMaker::ProcessingJob``
``ProcessingResources.ClusterConfig.VolumeKmsKeyId`` (detail ``VolumeKmsKeyId``) and
``ProcessingOutputConfig.KmsKeyId`` (detail ``ProcessingOutputConfig.KmsKeyId``); the training, processing,
tuning and transform steps of an ``AWS::SageMaker::Pipeline`` definition set their volume and output keys
(detail ``Step::<name>``; an AWS managed ``alias/aws/...`` key fails; a definition the template cannot show is
``PipelineDefinition``), see :mod:`aisec_rules.rules._sagemaker_jobs`.

Choices: an endpoint configuration whose every production variant is serverless
(``ServerlessConfig``) is not judged on ``KmsKeyId`` (serverless endpoints do not accept it).
Instance types with local NVMe instance storage do not accept ``KmsKeyId`` either (SageMaker encrypts
that storage with a hardware key); the rule cannot tell every such type apart, so acknowledge the
``KmsKeyId`` finding with that reason.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity
from ...read.template import Resource, as_list, dig
from ..base import per_resource
from .._sagemaker_jobs import PIPELINE, PROCESSING_JOB, pipeline_violations
from ._keys import expect_cmk

_WHY = " (create-only: a later change replaces the resource)"


def _serverless_only(ctx: Context, config: Resource) -> bool:
    variants = [v.raw for v in ctx.template.resolve(config.prop("ProductionVariants")) if v.known]
    items = [item for raw in variants for item in as_list(raw)]
    return bool(items) and all(isinstance(i, dict) and dig(i, "ServerlessConfig") is not None and
                               isinstance(dig(i, "ServerlessConfig"), dict) for i in items)


@per_resource("AWS::SageMaker::EndpointConfig", "AWS::SageMaker::NotebookInstance", "AWS::SageMaker::Domain",
              PROCESSING_JOB)
def check_resource(ctx: Context, resource: Resource):
    if resource.type == PROCESSING_JOB:
        yield from expect_cmk(ctx, resource, ("ProcessingResources", "ClusterConfig", "VolumeKmsKeyId"),
                              detail="VolumeKmsKeyId", absent="the processing volumes use an AWS managed key", why=_WHY)
        yield from expect_cmk(ctx, resource, ("ProcessingOutputConfig", "KmsKeyId"),
                              detail="ProcessingOutputConfig.KmsKeyId",
                              absent="the processing output is encrypted with the S3 default key", why=_WHY)
        return
    if resource.type != "AWS::SageMaker::EndpointConfig":
        yield from expect_cmk(ctx, resource, ("KmsKeyId",), absent="an AWS managed key is used", why=_WHY)
        return
    if not _serverless_only(ctx, resource):
        yield from expect_cmk(ctx, resource, ("KmsKeyId",), detail="KmsKeyId",
                              absent="instance storage volumes use an AWS managed key", why=_WHY)
    for capture in ctx.template.resolve(resource.prop("DataCaptureConfig")):
        if capture.known and isinstance(capture.raw, dict):
            yield from expect_cmk(ctx, resource, ("DataCaptureConfig", "KmsKeyId"), detail="DataCaptureConfig.KmsKeyId",
                                  absent="captured prompts and responses are encrypted with the S3 default key",
                                  why=_WHY)
            break


def check(ctx: Context):
    yield from check_resource(ctx)
    yield from pipeline_violations(ctx, "keys", _WHY)


RULE = Rule(
    id="AISEC-DATA-26",
    security_hub=("SageMaker.21",),
    prowler_aisf=(
        "AISF-INFRA-05: SageMaker notebooks and the volume and output keys of pipeline training and tuning steps",
        "AISF-ML-02: notebook encryption",
        "AISF-ML-03: volume and output keys of pipeline training and tuning steps",
    ),
    aiml_assessment=("SM-03: notebook, domain and training-step keys", "SM-17", "SM-18", "SM-19"),
    title="SageMaker endpoints, notebooks and domains use customer managed keys",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=(),
    passes="`AWS::SageMaker::EndpointConfig.KmsKeyId` (unless all variants are serverless) and, with data capture, "
           "`DataCaptureConfig.KmsKeyId`; `NotebookInstance.KmsKeyId`; `Domain.KmsKeyId`; `ProcessingJob` volume and "
           "output keys; and the volume and output keys of the training, processing, tuning and transform steps of "
           "`AWS::SageMaker::Pipeline` definitions name a customer managed key.",
    remediation="Pass a customer managed key (`aisec_constructs.data.EncryptionKey`) to endpoint configurations, "
                "data capture, notebook instances and Studio domains when they are created (the properties are "
                "create-only).",
    construct="aisec_constructs.infrastructure.SecureNotebook, SecureModelEndpoint (with aisec_constructs.data.EncryptionKey)",
    check=check,
    judges=(*check_resource.judges, PIPELINE),  # type: ignore[attr-defined]
    services={Service.SAGEMAKER},
)
