"""AISEC-DATA-18: credentials of data connectors live in rotated, CMK-encrypted secrets.

Every ``CredentialsSecretArn`` (cfn-lint schemas) is followed to its ``AWS::SecretsManager::Secret``:

* ``AWS::Bedrock::DataSource.DataSourceConfiguration.{ConfluenceConfiguration, SharePointConfiguration,
  SalesforceConfiguration}.SourceConfiguration.CredentialsSecretArn``;
* ``AWS::Bedrock::KnowledgeBase.StorageConfiguration.{PineconeConfiguration, MongoDbAtlasConfiguration,
  RdsConfiguration}.CredentialsSecretArn``.

The secret must set ``KmsKeyId`` to a customer managed key (absent means the AWS managed key
``aws/secretsmanager``; detail ``KmsKeyId``) and have an ``AWS::SecretsManager::RotationSchedule`` whose
``SecretId`` refers to it (detail ``RotationSchedule``). Findings go on the secret, once however many
connectors use it. A ``CredentialsSecretArn`` that does not refer to a secret of the template (a
literal ARN, an import, a parameter) cannot be verified: the finding goes on the connector (detail
``CredentialsSecretArn``); acknowledge it naming where the secret is managed.

Agent tool credentials (the catalog's ``OAuth2CredentialProvider`` / ``ApiKeyCredentialProvider``
advice) are judged by AISEC-DATA-19 on gateway targets.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Set, Tuple

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource
from ._keys import expect_cmk

DATA_SOURCE_PATHS = tuple(
    ("DataSourceConfiguration", kind, "SourceConfiguration", "CredentialsSecretArn")
    for kind in ("ConfluenceConfiguration", "SharePointConfiguration", "SalesforceConfiguration"))
KNOWLEDGE_BASE_PATHS = tuple(
    ("StorageConfiguration", kind, "CredentialsSecretArn")
    for kind in ("PineconeConfiguration", "MongoDbAtlasConfiguration", "RdsConfiguration"))


def _connections(ctx: Context) -> List[Tuple[Resource, Tuple[str, ...], Any]]:
    found: List[Tuple[Resource, Tuple[str, ...], Any]] = []
    for resource in ctx.template.of_type("AWS::Bedrock::DataSource", "AWS::Bedrock::KnowledgeBase"):
        paths = DATA_SOURCE_PATHS if resource.type == "AWS::Bedrock::DataSource" else KNOWLEDGE_BASE_PATHS
        for path in paths:
            value = resource.prop(*path)
            if value is not MISSING and value is not None:
                found.append((resource, path, value))
    return found


def _rotated(ctx: Context) -> Set[str]:
    rotated = set()
    for schedule in ctx.template.of_type("AWS::SecretsManager::RotationSchedule"):
        target = ctx.template.target(schedule.prop("SecretId"))
        if target is not None:
            rotated.add(target.logical_id)
    return rotated


def check(ctx: Context) -> Iterator[Violation]:
    secrets: Dict[str, Resource] = {}
    for resource, path, value in _connections(ctx):
        target = ctx.template.target(value)
        if target is not None and target.type == "AWS::SecretsManager::Secret":
            secrets[target.logical_id] = target
            continue
        where = ".".join(path)
        yield Violation(resource.logical_id,
                        f"{where} does not refer to an AWS::SecretsManager::Secret of this template, so its key and "
                        "rotation cannot be verified; keep connector credentials in a secret encrypted with a customer "
                        "managed key and rotated by an AWS::SecretsManager::RotationSchedule",
                        "CredentialsSecretArn")
    if not secrets:
        return
    rotated = _rotated(ctx)
    for logical_id in sorted(secrets):
        secret = secrets[logical_id]
        yield from expect_cmk(ctx, secret, ("KmsKeyId",), detail="KmsKeyId",
                              absent="Secrets Manager uses the AWS managed key aws/secretsmanager",
                              why=" (the secret holds data-connector credentials)")
        if logical_id not in rotated:
            yield Violation(logical_id, "no AWS::SecretsManager::RotationSchedule rotates this data-connector secret; "
                                        "add one (secret.add_rotation_schedule)", "RotationSchedule")


RULE = Rule(
    id="AISEC-DATA-18",
    prowler_aisf=("AISF-DATA-03: connector secrets are rotated",),
    title="Connector secrets are CMK-encrypted and rotated",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM02",),
    passes="Every `CredentialsSecretArn` of a data source (Confluence, SharePoint, Salesforce) or knowledge base store "
           "(Pinecone, MongoDB Atlas, RDS) refers to an `AWS::SecretsManager::Secret` of the template with a customer "
           "managed `KmsKeyId` and an `AWS::SecretsManager::RotationSchedule`.",
    remediation="Create the connector secret with `encryptionKey` (a customer managed key) and add a rotation "
                "schedule; reference it by `Ref`.",
    construct="aisec_constructs.data.ConnectorSecret (with KnowledgeBase.add_connector_source)",
    check=check,
    judges=("AWS::SecretsManager::Secret",),
    reads=("AWS::Bedrock::DataSource", "AWS::Bedrock::KnowledgeBase", "AWS::SecretsManager::RotationSchedule"),
)
