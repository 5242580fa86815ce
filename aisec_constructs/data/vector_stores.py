"""Vector stores for knowledge bases: an S3 Vectors bucket and index, or an OpenSearch Serverless collection.

What they guarantee by default (AISEC-DATA-11 vector store CMK, AISEC-DATA-12 least-privilege access,
AISEC-INF-09 vector store not public):

* :class:`S3VectorStore`: an ``AWS::S3Vectors::VectorBucket`` encrypted with SSE-KMS under a customer
  managed key (an :class:`EncryptionKey` with rotation, whose policy lets the S3 Vectors indexing
  service ``indexing.s3vectors.amazonaws.com`` decrypt for this account's vector buckets only, as S3
  Vectors requires for background indexing), one ``AWS::S3Vectors::Index`` that inherits that
  encryption, and a vector bucket policy that names each granted principal (never ``*``), written
  only once something is granted. S3 Vectors buckets always block public access.
* :class:`OpenSearchVectorCollection`: a ``VECTORSEARCH`` collection whose encryption security policy
  names a customer managed key (``AWSOwnedKey: false``), whose network security policy allows no
  public access to the collection or its dashboard (``AllowFromPublic: false``), only the OpenSearch
  Serverless VPC endpoint (``AWS::OpenSearchServerless::VpcEndpoint``, created in the given VPC with a
  security group that admits HTTPS from the VPC only, or an existing endpoint id) and, for the
  collection, the Bedrock service (``SourceServices: ["bedrock.amazonaws.com"]``, how Bedrock knowledge
  bases reach a private collection). Data access is granted per named principal with
  :meth:`OpenSearchVectorCollection.grant_data_access`: one data access policy per principal, scoped
  to this collection and its indexes, with only the permissions asked for (read; write; index
  management), plus ``aoss:APIAccessAll`` on this collection in the principal's identity policy.

Choices:

* OpenSearch Serverless does not check KMS permissions on data access, so the data access policy is
  the boundary: there is no "grant everyone" method.
* Vector indexes: S3 Vectors has ``AWS::S3Vectors::Index``, so :class:`S3VectorStore` creates the index
  (``float32``, ``cosine``, ``AMAZON_BEDROCK_TEXT`` and ``AMAZON_BEDROCK_METADATA`` non-filterable, as
  Bedrock knowledge bases write them). OpenSearch Serverless indexes have no CloudFormation resource and
  the collection is only reachable through the VPC endpoint, so the index is created by a separate custom
  resource that runs in the VPC (:class:`aisec_constructs.data.opensearch_index.OpenSearchVectorIndex`).
  S3 Vectors needs no such helper, which is why it is the default store of
  :class:`aisec_constructs.data.KnowledgeBase`.
* Weakening takes a named flag, recorded as an annotation (the rules still report it):
  ``use_aws_owned_key=True`` (SSE-S3 / AWS owned key), ``allow_public_network=True`` (AOSS only).
"""
from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional, Sequence, Union

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_opensearchserverless as aoss
from aws_cdk import aws_s3vectors as s3vectors
from constructs import Construct

from ..annotations import record_opt_out
from .keys import EncryptionKey

#: Metadata keys Bedrock knowledge bases store with each vector; non-filterable keys may exceed the 2 KB
#: filterable-metadata limit of S3 Vectors.
BEDROCK_NON_FILTERABLE_KEYS = ("AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA")

#: S3 Vectors actions a knowledge base (or any reader / writer) needs on an index.
S3VECTORS_READ_ACTIONS = ("s3vectors:GetIndex", "s3vectors:GetVectors", "s3vectors:QueryVectors")
S3VECTORS_WRITE_ACTIONS = ("s3vectors:PutVectors", "s3vectors:DeleteVectors")

#: OpenSearch Serverless data-plane permissions by access level.
AOSS_COLLECTION_READ = ("aoss:DescribeCollectionItems",)
AOSS_COLLECTION_WRITE = ("aoss:CreateCollectionItems", "aoss:UpdateCollectionItems")
AOSS_INDEX_READ = ("aoss:DescribeIndex", "aoss:ReadDocument")
AOSS_INDEX_WRITE = ("aoss:WriteDocument", "aoss:UpdateIndex")
AOSS_INDEX_MANAGE = ("aoss:CreateIndex", "aoss:DeleteIndex")


def _short_hash(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:6]


class S3VectorStore(Construct):
    """An S3 Vectors bucket and index, encrypted with a customer managed key.

    :param index_name: name of the vector index (3-63 characters).
    :param dimension: vector dimension; must match the embedding model (1024 for Titan Text Embeddings V2).
    :param distance_metric: ``cosine`` or ``euclidean``.
    :param encryption_key: key for the vectors; default: a new :class:`EncryptionKey`.
    :param use_aws_owned_key: encrypt with SSE-S3 instead (recorded opt-out; AISEC-DATA-11 still reports it).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        index_name: str = "knowledge-base",
        dimension: int = 1024,
        distance_metric: str = "cosine",
        vector_bucket_name: Optional[str] = None,
        encryption_key: Optional[EncryptionKey] = None,
        use_aws_owned_key: bool = False,
        non_filterable_metadata_keys: Sequence[str] = BEDROCK_NON_FILTERABLE_KEYS,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.encryption_key: Optional[EncryptionKey] = None
        if use_aws_owned_key:
            record_opt_out(self, "use_aws_owned_key", "vectors are encrypted with SSE-S3, not a customer managed key "
                                                      "(AISEC-DATA-11)")
            encryption = s3vectors.CfnVectorBucket.EncryptionConfigurationProperty(sse_type="AES256")
        else:
            self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="vector store encryption")
            self.encryption_key.allow_service(
                "indexing.s3vectors.amazonaws.com",
                actions=["kms:Decrypt"],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account},
                            "ArnLike": {"aws:SourceArn": f"arn:{stack.partition}:s3vectors:{stack.region}:"
                                                         f"{stack.account}:bucket/*"}},
            )
            encryption = s3vectors.CfnVectorBucket.EncryptionConfigurationProperty(
                sse_type="aws:kms", kms_key_arn=self.encryption_key.key_arn)
        self.vector_bucket = s3vectors.CfnVectorBucket(
            self, "VectorBucket", vector_bucket_name=vector_bucket_name, encryption_configuration=encryption)
        self.vector_bucket.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        self.index = s3vectors.CfnIndex(
            self, "Index",
            vector_bucket_arn=self.vector_bucket.attr_vector_bucket_arn,
            index_name=index_name,
            data_type="float32",
            dimension=dimension,
            distance_metric=distance_metric,
            metadata_configuration=s3vectors.CfnIndex.MetadataConfigurationProperty(
                non_filterable_metadata_keys=list(non_filterable_metadata_keys)) if non_filterable_metadata_keys else None,
        )
        self.index.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        self.index_name = index_name
        self.dimension = dimension
        self.policy_document = iam.PolicyDocument()
        self.bucket_policy: Optional[s3vectors.CfnVectorBucketPolicy] = None

    @property
    def vector_bucket_arn(self) -> str:
        return self.vector_bucket.attr_vector_bucket_arn

    @property
    def index_arn(self) -> str:
        return self.index.attr_index_arn

    def _grant(self, role: iam.IRole, actions: Sequence[str], key_actions: Sequence[str], sid: str) -> None:
        role.add_to_principal_policy(iam.PolicyStatement(actions=list(actions), resources=[self.index_arn]))
        if self.encryption_key is not None:
            role.add_to_principal_policy(iam.PolicyStatement(actions=list(key_actions),
                                                             resources=[self.encryption_key.key_arn]))
        self.policy_document.add_statements(iam.PolicyStatement(
            sid=sid, principals=[iam.ArnPrincipal(role.role_arn)], actions=list(actions), resources=[self.index_arn]))
        if self.bucket_policy is None:
            self.bucket_policy = s3vectors.CfnVectorBucketPolicy(
                self, "Policy", vector_bucket_arn=self.vector_bucket_arn, policy=self.policy_document)

    def grant_read(self, role: iam.IRole) -> None:
        """Query and read vectors of the index (identity policy, vector bucket policy and key)."""
        sid = f"Read{_short_hash(cdk.Names.unique_id(role), 'read')}"
        self._grant(role, S3VECTORS_READ_ACTIONS, ("kms:Decrypt",), sid)

    def grant_read_write(self, role: iam.IRole) -> None:
        """Read, write and delete vectors of the index (what a knowledge base's ingestion needs)."""
        sid = f"ReadWrite{_short_hash(cdk.Names.unique_id(role), 'write')}"
        self._grant(role, S3VECTORS_READ_ACTIONS + S3VECTORS_WRITE_ACTIONS, ("kms:Decrypt", "kms:GenerateDataKey"), sid)


class OpenSearchVectorCollection(Construct):
    """A private, CMK-encrypted OpenSearch Serverless vector collection.

    Network access is VPC-only: give ``vpc`` (an OpenSearch Serverless VPC endpoint is created in
    ``subnets``, default CDK's default selection (the private subnets), with a security group admitting HTTPS from the VPC CIDR) or
    ``vpc_endpoint_id`` of an existing one. Bedrock may also reach the collection (``SourceServices``),
    which knowledge bases need (``allow_bedrock=False`` removes it). ``encryption_key`` may be an
    :class:`EncryptionKey` or an existing ``kms.IKey`` (OpenSearch Serverless needs no key policy change:
    it uses grants created with the caller's permissions).

    The vector index is not created here: OpenSearch Serverless indexes have no CloudFormation resource.
    :class:`aisec_constructs.data.opensearch_index.OpenSearchVectorIndex` creates it (a custom resource that
    runs in the VPC), and :class:`KnowledgeBase` waits for it when given as ``opensearch_index``. The index
    a knowledge base expects (``dimension`` of the embedding model, default Bedrock field names)::

        PUT /<index>  {"settings": {"index.knn": true},
                       "mappings": {"properties": {
                         "bedrock-knowledge-base-default-vector": {"type": "knn_vector", "dimension": 1024,
                             "method": {"name": "hnsw", "engine": "faiss", "space_type": "l2"}},
                         "AMAZON_BEDROCK_TEXT_CHUNK": {"type": "text"},
                         "AMAZON_BEDROCK_METADATA": {"type": "text", "index": false}}}}

    sent to ``collection_endpoint`` with SigV4 (service ``aoss``) from inside the VPC by a principal granted
    ``grant_data_access(role, manage_indexes=True)``. :class:`S3VectorStore` needs none of this.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        collection_name: str,
        vpc: Optional[ec2.IVpc] = None,
        subnets: Optional[ec2.SubnetSelection] = None,
        security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
        vpc_endpoint_id: Optional[str] = None,
        encryption_key: Optional[Union[EncryptionKey, kms.IKey]] = None,
        use_aws_owned_key: bool = False,
        allow_public_network: bool = False,
        allow_bedrock: bool = True,
        standby_replicas: bool = True,
        description: str = "aisec vector store",
    ) -> None:
        super().__init__(scope, construct_id)
        if not (3 <= len(collection_name) <= 32) or not collection_name[0].isalpha() or \
                any(c not in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in collection_name):
            raise ValueError("OpenSearchVectorCollection: collection_name must be 3-32 characters of a-z, 0-9 and -, "
                             "starting with a letter")
        if vpc is None and vpc_endpoint_id is None and not allow_public_network:
            raise ValueError("OpenSearchVectorCollection: give vpc (an OpenSearch Serverless VPC endpoint is created) "
                             "or vpc_endpoint_id; a public collection takes allow_public_network=True")
        self.collection_name = collection_name
        prefix = collection_name[:24]
        stack = cdk.Stack.of(self)

        self.encryption_key: Optional[Union[EncryptionKey, kms.IKey]] = None
        if use_aws_owned_key:
            record_opt_out(self, "use_aws_owned_key", "the collection is encrypted with an AWS owned key "
                                                      "(AISEC-DATA-11)")
            encryption: Dict[str, Any] = {"AWSOwnedKey": True}
        else:
            self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="vector store encryption")
            encryption = {"AWSOwnedKey": False, "KmsARN": self.encryption_key.key_arn}
        rules = [{"ResourceType": "collection", "Resource": [f"collection/{collection_name}"]}]
        self.encryption_policy = aoss.CfnSecurityPolicy(
            self, "EncryptionPolicy", name=f"{prefix}-enc", type="encryption",
            policy=stack.to_json_string({"Rules": rules, **encryption}),
            description=f"Customer managed key for collection {collection_name}")

        self.vpc_endpoint: Optional[aoss.CfnVpcEndpoint] = None
        self.security_group: Optional[ec2.ISecurityGroup] = None
        if vpc is not None and vpc_endpoint_id is None:
            groups = list(security_groups or [])
            if not groups:
                self.security_group = ec2.SecurityGroup(
                    self, "EndpointSecurityGroup", vpc=vpc, allow_all_outbound=False,
                    description=f"HTTPS from the VPC to OpenSearch Serverless collection {collection_name}")
                self.security_group.add_ingress_rule(ec2.Peer.ipv4(vpc.vpc_cidr_block), ec2.Port.tcp(443),
                                                     "HTTPS from the VPC")
                Validations.of(self.security_group).acknowledge(Acknowledgment(
                    id="AwsSolutions-EC23",
                    reason="The only ingress rule admits HTTPS from the VPC's own CIDR block; cdk-nag cannot resolve "
                           "the CIDR token and so cannot see that it is not 0.0.0.0/0."))
                groups = [self.security_group]
            # a SubnetSelection is a jsii struct; select_subnets takes its fields as keywords
            selected = vpc.select_subnets(**subnets._values) if subnets is not None else vpc.select_subnets()
            self.vpc_endpoint = aoss.CfnVpcEndpoint(
                self, "VpcEndpoint", name=f"{prefix}-vpce", vpc_id=vpc.vpc_id,
                subnet_ids=selected.subnet_ids, security_group_ids=[g.security_group_id for g in groups])
            vpc_endpoint_id = self.vpc_endpoint.attr_id
        self.vpc_endpoint_id = vpc_endpoint_id

        if allow_public_network:
            record_opt_out(self, "allow_public_network", "the collection and its dashboard accept requests from the "
                                                         "internet (AISEC-INF-09)")
            network: List[dict] = [{"Rules": rules + [{"ResourceType": "dashboard",
                                                       "Resource": [f"collection/{collection_name}"]}],
                                    "AllowFromPublic": True}]
        else:
            collection_rule = {"Rules": rules, "AllowFromPublic": False}
            if vpc_endpoint_id is not None:
                collection_rule["SourceVPCEs"] = [vpc_endpoint_id]
            if allow_bedrock:
                collection_rule["SourceServices"] = ["bedrock.amazonaws.com"]
            network = [collection_rule]
            if vpc_endpoint_id is not None:
                network.append({"Rules": [{"ResourceType": "dashboard", "Resource": [f"collection/{collection_name}"]}],
                                "AllowFromPublic": False, "SourceVPCEs": [vpc_endpoint_id]})
        self.network_policy = aoss.CfnSecurityPolicy(
            self, "NetworkPolicy", name=f"{prefix}-net", type="network", policy=stack.to_json_string(network),
            description=f"Private network access to collection {collection_name}")

        self.collection = aoss.CfnCollection(
            self, "Collection", name=collection_name, type="VECTORSEARCH", description=description,
            standby_replicas="ENABLED" if standby_replicas else "DISABLED")
        self.collection.node.add_dependency(self.encryption_policy)
        self.collection.node.add_dependency(self.network_policy)
        self.collection.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        self.access_policies: List[aoss.CfnAccessPolicy] = []

    @property
    def collection_arn(self) -> str:
        return self.collection.attr_arn

    @property
    def collection_endpoint(self) -> str:
        return self.collection.attr_collection_endpoint

    def grant_data_access(
        self,
        role: iam.IRole,
        *,
        read: bool = True,
        write: bool = False,
        manage_indexes: bool = False,
        index_name: str = "*",
    ) -> aoss.CfnAccessPolicy:
        """A data access policy for ``role`` alone on this collection's indexes (``index_name``, default
        every index of THIS collection), with ``aoss:DescribeIndex`` and: document reads (``read=True``, the
        default), writes (``write=True``), index creation/deletion (``manage_indexes=True``); and
        ``aoss:APIAccessAll`` on this collection in the role's identity policy."""
        collection_permissions = list(AOSS_COLLECTION_READ) + (list(AOSS_COLLECTION_WRITE) if write else [])
        index_permissions = (list(AOSS_INDEX_READ) if read else ["aoss:DescribeIndex"]) + \
            (list(AOSS_INDEX_WRITE) if write else []) + (list(AOSS_INDEX_MANAGE) if manage_indexes else [])
        document = [{
            "Rules": [
                {"ResourceType": "collection", "Resource": [f"collection/{self.collection_name}"],
                 "Permission": collection_permissions},
                {"ResourceType": "index", "Resource": [f"index/{self.collection_name}/{index_name}"],
                 "Permission": index_permissions},
            ],
            "Principal": [role.role_arn],
            "Description": "aisec: least-privilege data access",
        }]
        name = f"{self.collection_name[:24]}-{_short_hash(cdk.Names.unique_id(role), self.node.path)}"[:32]
        policy = aoss.CfnAccessPolicy(
            self, f"DataAccess{len(self.access_policies)}", name=name, type="data",
            policy=cdk.Stack.of(self).to_json_string(document),
            description=f"Data access for one principal to collection {self.collection_name}")
        self.access_policies.append(policy)
        role.add_to_principal_policy(iam.PolicyStatement(actions=["aoss:APIAccessAll"], resources=[self.collection_arn]))
        return policy
