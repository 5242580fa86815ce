"""KnowledgeBase: a Bedrock knowledge base over a private, CMK-encrypted vector store, with screened ingestion.

What it guarantees by default:

* its own service role (AISEC-DATA-05), trusted only by ``bedrock.amazonaws.com`` for this account's
  knowledge bases (``aws:SourceAccount`` and ``aws:SourceArn`` ``knowledge-base/*``, AISEC-DATA-06), with
  least privilege: ``bedrock:InvokeModel`` on the one embedding model, read/write on the one vector index
  (S3 Vectors, with the vector bucket policy naming the role) or a data access policy for the role alone
  (OpenSearch Serverless), ``s3:GetObject`` on the source objects (under ``inclusion_prefix``) and
  ``s3:ListBucket`` on the source bucket, the source bucket's key for decryption, the data source key,
  and, with a transformation, the intermediate bucket and ``lambda:InvokeFunction`` on that one function;
* a vector store encrypted with a customer managed key (AISEC-DATA-11): by default a new
  :class:`~aisec_constructs.data.vector_stores.S3VectorStore`, whose index CloudFormation creates
  (``AWS::S3Vectors::Index``), so the knowledge base deploys in one step;
* an S3 data source whose transient ingestion data is encrypted with a customer managed key
  (``ServerSideEncryptionConfiguration.KmsKeyArn``, AISEC-DATA-10, Security Hub Bedrock.1);
* a ``POST_CHUNKING`` transformation (AISEC-DATA-25): a Lambda function that redacts personal data or
  scrubs injected instructions from each chunk before it is embedded. Any ``aws_lambda.IFunction`` is
  accepted (the infrastructure layer's ``PrivateToolFunction`` runs in a VPC with a KMS-encrypted log
  group, which AISEC-INF-04 and AISEC-DATA-22 ask of it). The function reads and writes batches in an
  intermediate :class:`SecureBucket` created for it; its role is granted that. Ingestion without screening
  takes ``screen_chunks=False``, recorded as an opt-out; the rules still report it.
* the source bucket keeps versions when it is a :class:`SecureBucket` (AISEC-DATA-25);
* a change to the corpus raises an alert (AISEC-DATA-32): the source bucket sends its events to EventBridge
  (``NotificationConfiguration.EventBridgeConfiguration``, set on the bucket's own CloudFormation resource, so no
  notification custom resource is needed) and an EventBridge rule sends its ``Object Created`` and
  ``Object Deleted`` events to ``alert_topic`` (the workload's incident topic, for example), or to a topic of its
  own encrypted with the knowledge base key (:attr:`KnowledgeBase.source_change_topic`; subscribe to it).
  ``source_change_alerts=False`` leaves that out (recorded). A bucket imported from elsewhere cannot be changed
  here: enable its events where it is declared;
* its application logs (ingestion status of every document) are delivered to a :class:`SecureLogGroup`
  (KMS, one year, personal data masked) through ``AWS::Logs::DeliverySource`` / ``DeliveryDestination`` /
  ``Delivery`` (AISEC-APP-21, AISEC-DATA-22/23). ``application_logs=False`` turns that off (recorded).

Connectors (:meth:`KnowledgeBase.add_connector_source` with a :class:`~aisec_constructs.data.connectors.ConnectorSource`):
Confluence, SharePoint and Salesforce sources log in with a :class:`~aisec_constructs.data.secrets.ConnectorSecret`
(CMK, rotated: AISEC-DATA-18) that the role may read; a web crawler source needs no secret (CloudFormation has no
crawler authentication). Every source gets the same transient-data key, chunking and screening as the S3 source.

An OpenSearch Serverless store is accepted too
(:class:`~aisec_constructs.data.vector_stores.OpenSearchVectorCollection`); its vector index must
exist before the knowledge base is created: pass an
:class:`~aisec_constructs.data.opensearch_index.OpenSearchVectorIndex` (a custom resource that creates it
from inside the VPC) as ``opensearch_index``, and the knowledge base waits for it.
"""
from __future__ import annotations

from typing import List, Optional, Union

import aws_cdk as cdk
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..annotations import record_opt_out
from ..nag import acknowledge_iam5
from .buckets import SecureBucket
from .connectors import ConnectorSource
from .keys import EncryptionKey
from .log_groups import SecureLogGroup
from .opensearch_index import DEFAULT_FIELDS, OpenSearchVectorIndex
from .vector_stores import OpenSearchVectorCollection, S3VectorStore

DEFAULT_EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0"
#: Field names Bedrock uses by default for OpenSearch Serverless stores (console quick-create).
DEFAULT_FIELD_MAPPING = {"vector_field": DEFAULT_FIELDS["VectorField"], "text_field": DEFAULT_FIELDS["TextField"],
                         "metadata_field": DEFAULT_FIELDS["MetadataField"]}

#: What the knowledge base role (and the transformation function) may do with a data key.
KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")

VectorStore = Union[S3VectorStore, OpenSearchVectorCollection]


def _name(construct: Construct) -> str:
    return "".join(c for c in cdk.Names.unique_id(construct) if c.isalnum())[:100]


class KnowledgeBase(Construct):
    """A Bedrock knowledge base with its own least-privilege role, over an encrypted private vector store.

    :param source_bucket: the corpus; a :class:`SecureBucket` (versioned, KMS) or any ``s3.IBucket``.
    :param vector_store: default: a new :class:`S3VectorStore` with ``dimensions``.
    :param embedding_model_id: a Bedrock foundation model id (default Titan Text Embeddings V2).
    :param dimensions: embedding dimension (must match the vector index).
    :param inclusion_prefix: only objects under this prefix are ingested (and readable by the role).
    :param encryption_key: key for the data source's transient data; default: a new :class:`EncryptionKey`.
    :param transformation_function: the post-chunking screening function (required unless ``screen_chunks=False``).
    :param screen_chunks: False ingests chunks unscreened (recorded opt-out).
    :param opensearch_index: the :class:`OpenSearchVectorIndex` of an OpenSearch Serverless store (its name
        and field mapping are used, and the knowledge base waits for it).
    :param opensearch_index_name: the vector index of an OpenSearch Serverless store whose index is created
        elsewhere (ignored when ``opensearch_index`` is given).
    :param source_change_alerts: False sends no alert when corpus objects are created or deleted (recorded opt-out).
    :param alert_topic: where those alerts go (default: a new topic encrypted with the knowledge base key).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source_bucket: Union[SecureBucket, s3.IBucket],
        vector_store: Optional[VectorStore] = None,
        embedding_model_id: str = DEFAULT_EMBEDDING_MODEL,
        dimensions: int = 1024,
        inclusion_prefix: Optional[str] = None,
        encryption_key: Optional[EncryptionKey] = None,
        transformation_function: Optional[lambda_.IFunction] = None,
        screen_chunks: bool = True,
        intermediate_bucket: Optional[SecureBucket] = None,
        opensearch_index: Optional[OpenSearchVectorIndex] = None,
        opensearch_index_name: str = "bedrock-knowledge-base-default-index",
        name: Optional[str] = None,
        description: str = "aisec knowledge base",
        chunk_max_tokens: int = 300,
        chunk_overlap_percentage: int = 20,
        data_deletion_policy: str = "RETAIN",
        application_logs: bool = True,
        log_group: Optional[SecureLogGroup] = None,
        source_change_alerts: bool = True,
        alert_topic: Optional[sns.ITopic] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if screen_chunks and transformation_function is None:
            raise ValueError("KnowledgeBase: give transformation_function (a post-chunking Lambda that redacts personal "
                             "data and strips injected instructions, AISEC-DATA-25), or screen_chunks=False to ingest "
                             "unscreened chunks (recorded as an opt-out)")
        stack = cdk.Stack.of(self)
        partition, region, account = stack.partition, stack.region, stack.account
        self.source_bucket = source_bucket.bucket if isinstance(source_bucket, SecureBucket) else source_bucket
        self.vector_store = vector_store or S3VectorStore(self, "VectorStore", dimension=dimensions)
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="knowledge base ingestion data")
        self.embedding_model_arn = f"arn:{partition}:bedrock:{region}::foundation-model/{embedding_model_id}"

        self.role = iam.Role(
            self, "Role",
            assumed_by=iam.ServicePrincipal("bedrock.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:bedrock:{region}:{account}:knowledge-base/*"},
            }),
            description="Service role of one Bedrock knowledge base",
        )
        self.role.add_to_principal_policy(iam.PolicyStatement(
            sid="EmbeddingModel", actions=["bedrock:InvokeModel"], resources=[self.embedding_model_arn]))
        self._grant_source_read(source_bucket, inclusion_prefix)
        self.encryption_key.key.grant(self.role, *KEY_ACTIONS)

        if isinstance(self.vector_store, S3VectorStore):
            self.vector_store.grant_read_write(self.role)
            storage = bedrock.CfnKnowledgeBase.StorageConfigurationProperty(
                type="S3_VECTORS",
                s3_vectors_configuration=bedrock.CfnKnowledgeBase.S3VectorsConfigurationProperty(
                    index_arn=self.vector_store.index_arn))
        else:
            if opensearch_index is not None:
                opensearch_index_name = opensearch_index.index_name
            self.data_access_policy = self.vector_store.grant_data_access(self.role, write=True,
                                                                          index_name=opensearch_index_name)
            storage = bedrock.CfnKnowledgeBase.StorageConfigurationProperty(
                type="OPENSEARCH_SERVERLESS",
                opensearch_serverless_configuration=bedrock.CfnKnowledgeBase.OpenSearchServerlessConfigurationProperty(
                    collection_arn=self.vector_store.collection_arn,
                    vector_index_name=opensearch_index_name,
                    field_mapping=bedrock.CfnKnowledgeBase.OpenSearchServerlessFieldMappingProperty(**DEFAULT_FIELD_MAPPING)))

        self.knowledge_base = bedrock.CfnKnowledgeBase(
            self, "KnowledgeBase",
            name=name or _name(self),
            description=description,
            role_arn=self.role.role_arn,
            knowledge_base_configuration=bedrock.CfnKnowledgeBase.KnowledgeBaseConfigurationProperty(
                type="VECTOR",
                vector_knowledge_base_configuration=bedrock.CfnKnowledgeBase.VectorKnowledgeBaseConfigurationProperty(
                    embedding_model_arn=self.embedding_model_arn,
                    embedding_model_configuration=bedrock.CfnKnowledgeBase.EmbeddingModelConfigurationProperty(
                        bedrock_embedding_model_configuration=bedrock.CfnKnowledgeBase
                        .BedrockEmbeddingModelConfigurationProperty(dimensions=dimensions, embedding_data_type="FLOAT32")))),
            storage_configuration=storage,
        )
        # the role's policies must be in place before Bedrock validates access to the store
        self.knowledge_base.node.add_dependency(self.role)
        if opensearch_index is not None:
            self.knowledge_base.node.add_dependency(opensearch_index.resource, self.data_access_policy)

        self.intermediate_bucket: Optional[SecureBucket] = None
        custom_transformation = None
        if transformation_function is not None:
            self.intermediate_bucket = intermediate_bucket or SecureBucket(
                self, "IntermediateStorage", encryption_key=self.encryption_key,
                access_logs_bucket=source_bucket.access_logs_bucket if isinstance(source_bucket, SecureBucket) else None)
            self._grant_transformation(transformation_function, self.intermediate_bucket)
            custom_transformation = bedrock.CfnDataSource.CustomTransformationConfigurationProperty(
                intermediate_storage=bedrock.CfnDataSource.IntermediateStorageProperty(
                    s3_location=bedrock.CfnDataSource.S3LocationProperty(
                        uri=f"s3://{self.intermediate_bucket.bucket_name}/")),
                transformations=[bedrock.CfnDataSource.TransformationProperty(
                    step_to_apply="POST_CHUNKING",
                    transformation_function=bedrock.CfnDataSource.TransformationFunctionProperty(
                        transformation_lambda_configuration=bedrock.CfnDataSource.TransformationLambdaConfigurationProperty(
                            lambda_arn=transformation_function.function_arn)))])
        else:
            record_opt_out(self, "screen_chunks", "chunks are embedded without a post-chunking screening function "
                                                  "(personal data and injected instructions reach the index; "
                                                  "AISEC-DATA-25)")

        self._custom_transformation = custom_transformation
        self._chunking = (chunk_max_tokens, chunk_overlap_percentage)
        self._data_deletion_policy = data_deletion_policy
        self.data_source = self._data_source(
            "DataSource", "source", bedrock.CfnDataSource.DataSourceConfigurationProperty(
                type="S3",
                s3_configuration=bedrock.CfnDataSource.S3DataSourceConfigurationProperty(
                    bucket_arn=self.source_bucket.bucket_arn,
                    inclusion_prefixes=[inclusion_prefix] if inclusion_prefix else None)))
        self.connector_sources: List[bedrock.CfnDataSource] = []

        self.source_change_topic: Optional[sns.ITopic] = None
        self.source_change_rule: Optional[events.Rule] = None
        if source_change_alerts:
            self._alert_on_source_changes(alert_topic)
        else:
            record_opt_out(self, "source_change_alerts", "objects created in or deleted from the corpus raise no alert, so "
                                                         "a poisoned document is noticed only after ingestion "
                                                         "(AISEC-DATA-32)")

        self.log_group: Optional[SecureLogGroup] = None
        if application_logs:
            self._deliver_logs(log_group)
        else:
            record_opt_out(self, "application_logs", "the knowledge base's ingestion logs are not delivered anywhere "
                                                     "(AISEC-APP-21)")

    def add_connector_source(self, construct_id: str, source: ConnectorSource) -> bedrock.CfnDataSource:
        """Add a Confluence, SharePoint, Salesforce or web crawler data source, with the same transient-data key,
        chunking and post-chunking screening as the S3 source. The knowledge base role may read the source's
        :class:`ConnectorSecret` (and decrypt it with its key)."""
        if source.secret is not None:
            source.secret.grant_read(self.role)
        data_source = self._data_source(construct_id, source.name, source.configuration)
        if source.secret is not None:
            data_source.node.add_dependency(self.role)
        self.connector_sources.append(data_source)
        return data_source

    def _data_source(self, construct_id: str, name: str,
                     configuration: bedrock.CfnDataSource.DataSourceConfigurationProperty) -> bedrock.CfnDataSource:
        max_tokens, overlap = self._chunking
        return bedrock.CfnDataSource(
            self, construct_id,
            knowledge_base_id=self.knowledge_base.attr_knowledge_base_id,
            name=name,
            data_deletion_policy=self._data_deletion_policy,
            data_source_configuration=configuration,
            server_side_encryption_configuration=bedrock.CfnDataSource.ServerSideEncryptionConfigurationProperty(
                kms_key_arn=self.encryption_key.key_arn),
            vector_ingestion_configuration=bedrock.CfnDataSource.VectorIngestionConfigurationProperty(
                chunking_configuration=bedrock.CfnDataSource.ChunkingConfigurationProperty(
                    chunking_strategy="FIXED_SIZE",
                    fixed_size_chunking_configuration=bedrock.CfnDataSource.FixedSizeChunkingConfigurationProperty(
                        max_tokens=max_tokens, overlap_percentage=overlap)),
                custom_transformation_configuration=self._custom_transformation),
        )

    def _alert_on_source_changes(self, topic: Optional[sns.ITopic]) -> None:
        """EventBridge on the source bucket (when it is declared in this app) and a rule sending its object-created
        and object-deleted events to ``topic`` or a new encrypted topic."""
        cfn_bucket = self.source_bucket.node.default_child
        if isinstance(cfn_bucket, s3.CfnBucket):
            cfn_bucket.add_property_override("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled", True)
        if topic is None:
            stack = cdk.Stack.of(self)
            # SNS encrypts with the encryption context aws:sns:topicArn: EventBridge may use the key for this
            # account's topics only
            self.encryption_key.allow_service("events.amazonaws.com", actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                                              conditions={"StringLike": {"kms:EncryptionContext:aws:sns:topicArn":
                                                                         f"arn:{stack.partition}:sns:{stack.region}:"
                                                                         f"{stack.account}:*"}})
            topic = sns.Topic(self, "SourceChanges", master_key=self.encryption_key.key, enforce_ssl=True,
                              display_name="Knowledge base corpus changes")
        self.source_change_topic = topic
        self.source_change_rule = events.Rule(
            self, "SourceChangeRule", description="Objects created in or deleted from the knowledge base corpus",
            event_pattern=events.EventPattern(source=["aws.s3"], detail_type=["Object Created", "Object Deleted"],
                                              detail={"bucket": {"name": [self.source_bucket.bucket_name]}}),
            targets=[targets.SnsTopic(topic)])

    def _deliver_logs(self, log_group: Optional[SecureLogGroup]) -> None:
        self.log_group = log_group or SecureLogGroup(self, "ApplicationLogs", mask_pii=True)
        base = _name(self)[:40]
        source = logs.CfnDeliverySource(self, "LogSource", name=f"{base}-kb-logs", log_type="APPLICATION_LOGS",
                                        resource_arn=self.knowledge_base_arn)
        destination = logs.CfnDeliveryDestination(self, "LogDestination", name=f"{base}-kb-logs",
                                                  destination_resource_arn=self.log_group.log_group_arn)
        self.log_delivery = logs.CfnDelivery(self, "LogDelivery", delivery_source_name=source.ref,
                                             delivery_destination_arn=destination.attr_arn)

    @property
    def knowledge_base_id(self) -> str:
        return self.knowledge_base.attr_knowledge_base_id

    @property
    def knowledge_base_arn(self) -> str:
        return self.knowledge_base.attr_knowledge_base_arn

    def _grant_source_read(self, source: Union[SecureBucket, s3.IBucket], prefix: Optional[str]) -> None:
        bucket = self.source_bucket
        self.role.add_to_principal_policy(iam.PolicyStatement(
            sid="SourceObjects", actions=["s3:GetObject"], resources=[bucket.arn_for_objects(f"{prefix or ''}*")]))
        self.role.add_to_principal_policy(iam.PolicyStatement(
            sid="SourceBucket", actions=["s3:ListBucket"], resources=[bucket.bucket_arn],
            conditions={"StringEquals": {"aws:ResourceAccount": cdk.Stack.of(self).account}}))
        acknowledge_iam5(self.role, [bucket.arn_for_objects(f"{prefix or ''}*")],
                         "Ingestion reads every object of the corpus (under the inclusion prefix); S3 object ARNs "
                         "can only be scoped by key prefix.")
        key = source.encryption_key.key if isinstance(source, SecureBucket) else bucket.encryption_key
        if key is not None:
            key.grant_decrypt(self.role)

    def _grant_transformation(self, function: lambda_.IFunction, storage: SecureBucket) -> None:
        self.role.add_to_principal_policy(iam.PolicyStatement(
            sid="TransformationFunction", actions=["lambda:InvokeFunction"], resources=[function.function_arn]))
        self.role.add_to_principal_policy(iam.PolicyStatement(
            sid="IntermediateObjects", actions=["s3:GetObject", "s3:PutObject"], resources=[storage.bucket.arn_for_objects("*")]))
        self.role.add_to_principal_policy(iam.PolicyStatement(
            sid="IntermediateBucket", actions=["s3:ListBucket"], resources=[storage.bucket_arn]))
        if function.role is not None:
            function.add_to_role_policy(iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"], resources=[storage.bucket.arn_for_objects("*")]))
            storage.encryption_key.key.grant(function.role, *KEY_ACTIONS)
            acknowledge_iam5(function.role, [storage.bucket.arn_for_objects("*")],
                             "The transformation function reads and writes the batch files Bedrock puts in its own "
                             "intermediate bucket; their keys are generated per ingestion job.")
        acknowledge_iam5(self.role, [storage.bucket.arn_for_objects("*")],
                         "Bedrock writes and reads generated batch files in the knowledge base's own intermediate "
                         "bucket; their keys are generated per ingestion job.")
