"""ConnectorSecret: the credentials of a knowledge-base connector or vector store, in Secrets Manager,
encrypted with a customer managed key and rotated on a schedule (AISEC-DATA-18).

Who uses it: Bedrock data sources for Confluence, SharePoint and Salesforce (``CredentialsSecretArn`` of
their ``SourceConfiguration``, see :meth:`KnowledgeBase.add_connector_source`), and knowledge-base stores
that log in with a secret (``StorageConfiguration`` Pinecone, MongoDB Atlas, RDS ``CredentialsSecretArn``).
The web crawler data source has no credentials in CloudFormation (``WebCrawlerConfiguration`` has no
authentication property in the resource schema), so it needs no secret.

What it guarantees by default:

* a ``AWS::SecretsManager::Secret`` whose ``KmsKeyId`` is a customer managed key (a new
  :class:`EncryptionKey` unless ``encryption_key`` is given), not ``aws/secretsmanager``;
* an ``AWS::SecretsManager::RotationSchedule`` every ``rotate_every`` (30 days). Rotation needs code that
  knows the credential's issuer, so the caller says which:

  - ``rotation_function``: a Lambda function implementing the four Secrets Manager rotation steps
    (``createSecret``, ``setSecret``, ``testSecret``, ``finishSecret``) against the SaaS's API (a Confluence
    or Salesforce OAuth client secret, a SharePoint app secret, a Pinecone API key). Secrets Manager is
    allowed to invoke it; its role is granted read/write on this secret and the key;
  - ``hosted_rotation``: a rotation Lambda that Secrets Manager deploys for you
    (``secretsmanager.HostedRotation.postgre_sql_single_user(...)`` and the other database rotations
    CDK offers). Hosted rotations exist only for database credentials: use them for an RDS (Aurora
    PostgreSQL) vector store, not for SaaS connectors;

* a random initial value (no credential ever appears in the template or in ``cdk.out``); put the real
  credential with ``aws secretsmanager put-secret-value`` after the first deploy, in the JSON shape the
  connector documents (Bedrock user guide, "connection configuration" of each data source).

Opt-outs (recorded with :func:`~aisec_constructs.annotations.record_opt_out`; AISEC-DATA-18 keeps reporting
them): ``allow_no_rotation=True`` (no rotation schedule; detail ``RotationSchedule``).

:meth:`grant_read` gives a principal ``secretsmanager:GetSecretValue`` / ``DescribeSecret`` on this secret and
``kms:Decrypt`` on its key through Secrets Manager.
"""
from __future__ import annotations

from typing import Optional

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from ..annotations import record_opt_out
from .keys import EncryptionKey

#: How often a connector credential is rotated unless told otherwise.
DEFAULT_ROTATION = cdk.Duration.days(30)


class ConnectorSecret(Construct):
    """A CMK-encrypted Secrets Manager secret for connector credentials, rotated on a schedule.

    :param description: what the credential is for (shown in Secrets Manager).
    :param rotation_function: the Lambda function that rotates the credential (SaaS connectors).
    :param hosted_rotation: a Secrets Manager hosted rotation (database credentials only).
    :param rotate_every: the rotation interval (default 30 days).
    :param encryption_key: the customer managed key; default: a new :class:`EncryptionKey`.
    :param allow_no_rotation: create the secret without a rotation schedule (recorded opt-out).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        description: str = "aisec: data connector credentials",
        rotation_function: Optional[lambda_.IFunction] = None,
        hosted_rotation: Optional[secretsmanager.HostedRotation] = None,
        rotate_every: cdk.Duration = DEFAULT_ROTATION,
        encryption_key: Optional[EncryptionKey] = None,
        secret_name: Optional[str] = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        allow_no_rotation: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if rotation_function is not None and hosted_rotation is not None:
            raise ValueError("ConnectorSecret: give rotation_function or hosted_rotation, not both")
        if rotation_function is None and hosted_rotation is None and not allow_no_rotation:
            raise ValueError("ConnectorSecret: give rotation_function (a Lambda that rotates the credential with its "
                             "issuer, for SaaS connectors) or hosted_rotation (Secrets Manager's rotation for database "
                             "credentials); allow_no_rotation=True creates the secret unrotated (recorded opt-out, "
                             "AISEC-DATA-18)")
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="data connector credentials")
        self.secret = secretsmanager.Secret(
            self, "Secret", description=description, encryption_key=self.encryption_key.key, secret_name=secret_name,
            removal_policy=removal_policy)
        self.rotation_schedule: Optional[secretsmanager.RotationSchedule] = None
        if rotation_function is not None or hosted_rotation is not None:
            self.rotation_schedule = self.secret.add_rotation_schedule(
                "Rotation", rotation_lambda=rotation_function, hosted_rotation=hosted_rotation,
                automatically_after=rotate_every)
        if rotation_function is not None and rotation_function.role is not None:
            # the rotation function reads and writes the secret's versions, which the key encrypts
            self.encryption_key.key.grant_encrypt_decrypt(rotation_function.role)
        if allow_no_rotation and self.rotation_schedule is None:
            record_opt_out(self, "allow_no_rotation", "the connector credential is never rotated (AISEC-DATA-18)")
            Validations.of(self.secret).acknowledge(Acknowledgment(
                id="AwsSolutions-SMG4", reason="ConnectorSecret(allow_no_rotation=True), an explicit opt-out; "
                                               "AISEC-DATA-18 still reports it until acknowledged with its reason."))

    @property
    def secret_arn(self) -> str:
        return self.secret.secret_arn

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read the secret's value (and decrypt it with the key through Secrets Manager)."""
        return self.secret.grant_read(grantee)
