"""A multi-stack RAG + agent system deployed to two environments, for the system-evaluation tests.

Environment A (``aws://111111111111/eu-west-1``) has the account baseline; environment B
(``aws://222222222222/us-east-1``) has the same workload stacks without it. The workload is split
the way real apps split it, and every split is a cross-stack reference:

* ``Corpus``: the knowledge base's source bucket, alone in its stack (no KMS key: AISEC-DATA-15 must
  find it, though only the ``Kb`` stack's data source makes it part of the AI system);
* ``Store``: an OpenSearch Serverless vector collection whose network policy allows public access
  (AISEC-INF-09);
* ``Roles``: the knowledge base's role, trusted by Bedrock with no confused-deputy condition
  (AISEC-DATA-06); its ARN is exported (CDK's cross-stack reference) and also written to an SSM
  parameter;
* ``Kb``: the knowledge base (role imported through the export, collection ARN imported) and its
  S3 data source (bucket ARN imported);
* ``Agent``: a Bedrock agent whose role ARN is read from the SSM parameter (a template parameter of
  type ``AWS::SSM::Parameter::Value<String>``).

Environment A also holds ``Web``, a stack no AI stack uses, with a bucket like the corpus: it is
outside the AI workload and gets no finding. Built from L1 classes so that every property is in
plain sight.
"""
from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import Stack
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_iam as iam
from aws_cdk import aws_opensearchserverless as aoss
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm

from aisec_constructs.workload import AccountBaseline
from aisec_rules import Phase

ENV_A = cdk.Environment(account="111111111111", region="eu-west-1")
ENV_B = cdk.Environment(account="222222222222", region="us-east-1")
ROLE_PARAMETER = "/rag/knowledge-base-role-arn"
MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"


def private_bucket(stack: Stack, name: str) -> s3.CfnBucket:
    """A private, TLS-only bucket with S3's default encryption (SSE-S3: no customer managed key)."""
    bucket = s3.CfnBucket(stack, name, public_access_block_configuration=s3.CfnBucket.PublicAccessBlockConfigurationProperty(
        block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True))
    s3.CfnBucketPolicy(stack, f"{name}Policy", bucket=bucket.ref, policy_document={
        "Version": "2012-10-17",
        "Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [bucket.attr_arn, f"{bucket.attr_arn}/*"],
                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    return bucket


def corpus_stack(app: cdk.App, name: str, env: cdk.Environment) -> Stack:
    stack = Stack(app, name, env=env)
    stack.corpus = private_bucket(stack, "Corpus")
    return stack


def store_stack(app: cdk.App, name: str, env: cdk.Environment) -> Stack:
    stack = Stack(app, name, env=env)
    collection_name = "rag-vectors"
    encryption = aoss.CfnSecurityPolicy(stack, "VectorEncryption", name="rag-vectors-enc", type="encryption",
                                        policy=json.dumps({"Rules": [{"ResourceType": "collection",
                                                                      "Resource": [f"collection/{collection_name}"]}],
                                                           "AWSOwnedKey": True}))
    network = aoss.CfnSecurityPolicy(stack, "VectorNetwork", name="rag-vectors-net", type="network",
                                     policy=json.dumps([{"Rules": [{"ResourceType": "collection",
                                                                    "Resource": [f"collection/{collection_name}"]}],
                                                         "AllowFromPublic": True}]))
    collection = aoss.CfnCollection(stack, "Vectors", name=collection_name, type="VECTORSEARCH")
    collection.add_dependency(encryption)
    collection.add_dependency(network)
    stack.collection = collection
    return stack


def roles_stack(app: cdk.App, name: str, env: cdk.Environment) -> Stack:
    stack = Stack(app, name, env=env)
    role = iam.CfnRole(stack, "KnowledgeBaseRole", assume_role_policy_document={
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    ssm.CfnParameter(stack, "RoleArnParameter", name=ROLE_PARAMETER, type="String", value=role.attr_arn)
    stack.role = role
    return stack


def kb_stack(app: cdk.App, name: str, env: cdk.Environment, corpus: Stack, store: Stack, roles: Stack) -> Stack:
    stack = Stack(app, name, env=env)
    knowledge_base = bedrock.CfnKnowledgeBase(
        stack, "KnowledgeBase", name="rag", role_arn=roles.role.attr_arn,
        knowledge_base_configuration=bedrock.CfnKnowledgeBase.KnowledgeBaseConfigurationProperty(
            type="VECTOR", vector_knowledge_base_configuration=bedrock.CfnKnowledgeBase.VectorKnowledgeBaseConfigurationProperty(
                embedding_model_arn=f"arn:aws:bedrock:{env.region}::foundation-model/amazon.titan-embed-text-v2:0")),
        storage_configuration=bedrock.CfnKnowledgeBase.StorageConfigurationProperty(
            type="OPENSEARCH_SERVERLESS", opensearch_serverless_configuration=bedrock.CfnKnowledgeBase.
            OpenSearchServerlessConfigurationProperty(
                collection_arn=store.collection.attr_arn, vector_index_name="index",
                field_mapping=bedrock.CfnKnowledgeBase.OpenSearchServerlessFieldMappingProperty(
                    metadata_field="metadata", text_field="text", vector_field="vector"))))
    bedrock.CfnDataSource(
        stack, "Source", name="corpus", knowledge_base_id=knowledge_base.attr_knowledge_base_id,
        data_source_configuration=bedrock.CfnDataSource.DataSourceConfigurationProperty(
            type="S3", s3_configuration=bedrock.CfnDataSource.S3DataSourceConfigurationProperty(
                bucket_arn=corpus.corpus.attr_arn)))
    return stack


def agent_stack(app: cdk.App, name: str, env: cdk.Environment, roles: Stack) -> Stack:
    stack = Stack(app, name, env=env)
    stack.add_dependency(roles)
    bedrock.CfnAgent(stack, "Agent", agent_name="support", foundation_model=MODEL,
                     instruction="You answer questions about orders using the knowledge base only.",
                     agent_resource_role_arn=ssm.StringParameter.value_for_string_parameter(stack, ROLE_PARAMETER))
    return stack


def workload(app: cdk.App, prefix: str, env: cdk.Environment) -> None:
    corpus = corpus_stack(app, f"{prefix}Corpus", env)
    store = store_stack(app, f"{prefix}Store", env)
    roles = roles_stack(app, f"{prefix}Roles", env)
    kb_stack(app, f"{prefix}Kb", env, corpus, store, roles)
    agent_stack(app, f"{prefix}Agent", env, roles)


def build(app: cdk.App, phase: Phase = Phase.ENHANCED) -> None:
    """Environment A: baseline, workload and an unrelated website stack; environment B: the same
    workload, no baseline."""
    baseline = Stack(app, "ABaseline", env=ENV_A)
    AccountBaseline(baseline, "Baseline", phase=phase)
    workload(app, "A", ENV_A)
    private_bucket(Stack(app, "AWeb", env=ENV_A), "Site")
    workload(app, "B", ENV_B)
