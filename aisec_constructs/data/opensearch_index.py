"""OpenSearchVectorIndex: the vector index a knowledge base needs in a private OpenSearch Serverless collection.

OpenSearch Serverless indexes have no CloudFormation resource and a Bedrock knowledge base cannot be
created before its index exists. This Lambda-backed custom resource (``Custom::AisecOpenSearchVectorIndex``,
handler in ``handlers/opensearch_index.py``) creates it through the collection's data plane with a SigV4
signed ``PUT``, from inside the VPC (the collection accepts only its VPC endpoint and Bedrock).

What it guarantees:

* the handler's role may only reach this collection (``aoss:APIAccessAll`` on its ARN) and, through a data
  access policy for that role alone, describe, create and delete THIS index (no document read or write);
  it may manage its network interfaces in the VPC (the actions Lambda needs to run in a VPC, which have
  no resource scoping for ``Describe*``) and write its own log group (KMS, retained, personal data masked);
* the function runs in the given subnets with a security group whose only egress is HTTPS to the VPC CIDR
  (where the OpenSearch Serverless VPC endpoint is);
* the mapping is what :class:`KnowledgeBase` expects: a ``knn_vector`` field (``hnsw`` / ``faiss``), a text
  field and a non-indexed metadata field, with the default Bedrock field names;
* the index is kept when the resource is deleted (embeddings are rebuilt by re-ingestion; the collection
  is retained too); ``retain_on_delete=False`` deletes it.
"""
from __future__ import annotations

from typing import Optional, Sequence

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from .log_groups import SecureLogGroup
from .vector_stores import OpenSearchVectorCollection
from ..lambda_code import handler_code, handler_name

HANDLER = "opensearch_index"
INDEX_TYPE = "Custom::AisecOpenSearchVectorIndex"
DEFAULT_INDEX_NAME = "bedrock-knowledge-base-default-index"
DEFAULT_FIELDS = {"VectorField": "bedrock-knowledge-base-default-vector", "TextField": "AMAZON_BEDROCK_TEXT_CHUNK",
                  "MetadataField": "AMAZON_BEDROCK_METADATA"}
#: What a Lambda function needs to attach to a VPC (the actions of AWSLambdaVPCAccessExecutionRole).
VPC_ACCESS_ACTIONS = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                      "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")


class OpenSearchVectorIndex(Construct):
    """Create the vector index of a knowledge base in a private OpenSearch Serverless collection.

    :param collection: the collection (its VPC endpoint must be in ``vpc``).
    :param vpc: where the handler runs; ``subnets`` defaults to CDK's default selection (private subnets).
    :param dimension: the embedding dimension (1024 for Titan Text Embeddings V2).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        collection: OpenSearchVectorCollection,
        vpc: ec2.IVpc,
        subnets: Optional[ec2.SubnetSelection] = None,
        security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
        index_name: str = DEFAULT_INDEX_NAME,
        dimension: int = 1024,
        space_type: str = "l2",
        retain_on_delete: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        self.index_name = index_name
        self.field_mapping = dict(DEFAULT_FIELDS)
        logs = SecureLogGroup(self, "HandlerLogs", mask_pii=True)
        self.role = iam.Role(self, "HandlerRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                             description=f"Creates the vector index {index_name} of one collection")
        self.role.add_to_policy(iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                                                    resources=[logs.log_group_arn]))
        self.role.add_to_policy(iam.PolicyStatement(actions=list(VPC_ACCESS_ACTIONS), resources=["*"]))
        Validations.of(self.role).acknowledge(Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="Lambda needs these EC2 network-interface actions to run in the VPC (the same actions as "
                   "AWSLambdaVPCAccessExecutionRole); the Describe actions support no resource scoping."))
        self.data_access_policy = collection.grant_data_access(self.role, read=False, manage_indexes=True,
                                                              index_name=index_name)

        if security_groups:
            groups = list(security_groups)
        else:
            group = ec2.SecurityGroup(self, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
                                      description="HTTPS to the OpenSearch Serverless VPC endpoint")
            group.add_egress_rule(ec2.Peer.ipv4(vpc.vpc_cidr_block), ec2.Port.tcp(443), "HTTPS within the VPC")
            groups = [group]
        self.handler = lambda_.Function(
            self, "Handler",
            runtime=lambda_.Runtime.PYTHON_3_14,
            handler=handler_name(HANDLER),
            code=handler_code(HANDLER),
            timeout=cdk.Duration.minutes(5),
            description=f"Creates the OpenSearch Serverless vector index {index_name}",
            role=self.role,
            vpc=vpc,
            vpc_subnets=subnets,
            security_groups=groups,
            log_group=logs.log_group,
        )
        self.resource = cdk.CustomResource(
            self, "Resource",
            service_token=self.handler.function_arn,
            resource_type=INDEX_TYPE,
            properties={
                "CollectionEndpoint": collection.collection_endpoint,
                "IndexName": index_name,
                "Dimension": str(dimension),
                "SpaceType": space_type,
                "Engine": "faiss",
                "RetainOnDelete": "true" if retain_on_delete else "false",
                **self.field_mapping,
            },
        )
        # the data access policy must exist (and the role's policy be attached) before the index is created
        self.resource.node.add_dependency(self.data_access_policy)
        self.resource.node.add_dependency(self.role)
        if collection.vpc_endpoint is not None:
            self.resource.node.add_dependency(collection.vpc_endpoint)
