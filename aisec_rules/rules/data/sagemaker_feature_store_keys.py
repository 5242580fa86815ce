"""AISEC-DATA-28: SageMaker feature stores and inference experiments encrypt with customer managed keys.

Security Hub CSPM controls (AI Security Best Practices v1.0.0) caught before deployment:

* SageMaker.17, ``AWS::SageMaker::FeatureGroup``: the offline store's S3 storage is encrypted with a KMS
  key, ``OfflineStoreConfig.S3StorageConfig.KmsKeyId`` (detail ``OfflineStoreConfig``);
* SageMaker.18, ``AWS::SageMaker::FeatureGroup``: an online store with standard storage is encrypted with
  a KMS key, ``OnlineStoreConfig.SecurityConfig.KmsKeyId`` (detail ``OnlineStoreConfig``);
* SageMaker.23, ``AWS::SageMaker::InferenceExperiment``: the instance storage volume key, ``KmsKey``
  (detail ``KmsKey``);
* SageMaker.24, ``AWS::SageMaker::InferenceExperiment`` with data capture: the key of the captured data,
  ``DataStorageConfig.KmsKey`` (detail ``DataStorageConfig.KmsKey``).

Sources: AWS, "Security Hub CSPM controls for SageMaker AI",
https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html (sections sagemaker-17,
-18, -23, -24); property paths and create-only status from the cfn-lint 1.58 schemas (the store
configurations of a feature group and an experiment's ``KmsKey`` are create-only).

Layer Data and model: encryption at rest of features (training and inference inputs) and of captured
inference traffic, next to AISEC-DATA-26. Phase Enhanced, like DATA-26 (customer managed keys are an
Enhanced control). Capability answers.

Choices:

* A key passes as in the other key rules (:mod:`aisec_rules.rules.data._keys`): a reference, an import, a
  parameter or a literal key of the account; absent or an AWS managed alias (``alias/aws/...``) fails.
  SageMaker.17 and .18 ask for "AWS KMS keys" and describe customer managed ones; this rule asks for a
  customer managed key, as the standard does for notebooks and experiments.
* The online store is judged when ``OnlineStoreConfig`` is present, ``EnableOnlineStore`` is not false and
  ``StorageType`` is not ``InMemory`` (the control is about standard storage; the schema gives no
  default, so an absent ``StorageType`` is judged as standard). The offline store is judged when
  ``OfflineStoreConfig`` is present; ``DataStorageConfig.KmsKey`` when ``DataStorageConfig`` is present.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity
from ...read.template import MISSING, Resource, is_false
from ..base import per_resource
from ._keys import expect_cmk

_WHY = " (create-only: a later change replaces the resource)"


def _present(value) -> bool:
    return value is not MISSING and value is not None


@per_resource("AWS::SageMaker::FeatureGroup", "AWS::SageMaker::InferenceExperiment")
def check(ctx: Context, resource: Resource):
    if resource.type == "AWS::SageMaker::InferenceExperiment":
        yield from expect_cmk(ctx, resource, ("KmsKey",), detail="KmsKey",
                              absent="the experiment's instance storage volumes use an AWS managed key", why=_WHY)
        if _present(resource.prop("DataStorageConfig")):
            yield from expect_cmk(ctx, resource, ("DataStorageConfig", "KmsKey"), detail="DataStorageConfig.KmsKey",
                                  absent="captured requests and responses are encrypted with the S3 default key")
        return
    if _present(resource.prop("OfflineStoreConfig")):
        yield from expect_cmk(ctx, resource, ("OfflineStoreConfig", "S3StorageConfig", "KmsKeyId"),
                              detail="OfflineStoreConfig", absent="the offline store's S3 objects use the default key",
                              why=_WHY)
    online = resource.prop("OnlineStoreConfig")
    if _present(online) and not is_false(resource.prop("OnlineStoreConfig", "EnableOnlineStore")) and \
            resource.prop("OnlineStoreConfig", "StorageType") != "InMemory":
        yield from expect_cmk(ctx, resource, ("OnlineStoreConfig", "SecurityConfig", "KmsKeyId"),
                              detail="OnlineStoreConfig", absent="the online store uses an AWS owned key", why=_WHY)


RULE = Rule(
    id="AISEC-DATA-28",
    security_hub=("SageMaker.17", "SageMaker.18", "SageMaker.23", "SageMaker.24"),
    aiml_assessment=("SM-15",),
    title="SageMaker feature stores and inference experiments use customer managed keys",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=("LLM02",),
    passes="`AWS::SageMaker::FeatureGroup` offline stores (`OfflineStoreConfig.S3StorageConfig.KmsKeyId`) and standard "
           "online stores (`OnlineStoreConfig.SecurityConfig.KmsKeyId`), and `AWS::SageMaker::InferenceExperiment` "
           "`KmsKey` and, with data capture, `DataStorageConfig.KmsKey`, name customer managed keys.",
    remediation="Pass a customer managed key (`aisec_constructs.data.EncryptionKey`) to feature group stores and "
                "inference experiments when they are created (the properties are create-only).",
    construct="aisec_constructs.infrastructure.SecureFeatureGroup (feature groups); inference experiments are created "
              "directly: pass an aisec_constructs.data.EncryptionKey",
    check=check,
    services={Service.SAGEMAKER},
)
