"""OpenSearchVectorIndex and a KnowledgeBase over a private OpenSearch Serverless collection: defaults, compliance."""
import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match, Template

from aisec_constructs.data import KnowledgeBase, OpenSearchVectorCollection, OpenSearchVectorIndex, SecureBucket
from aisec_constructs.data.opensearch_index import INDEX_TYPE, VPC_ACCESS_ACTIONS
from aisec_rules.model import Phase
from aisec_rules.read.template import Template as RuleTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings
from tests.constructs.test_knowledge_base import private_network, screening_function


def build(stack):
    corpus = SecureBucket(stack, "Corpus")
    vpc = private_network(stack, corpus)
    collection = OpenSearchVectorCollection(stack, "Store", collection_name="kb-vectors", vpc=vpc)
    index = OpenSearchVectorIndex(stack, "Index", collection=collection, vpc=vpc)
    KnowledgeBase(stack, "Kb", source_bucket=corpus, vector_store=collection, opensearch_index=index,
                  transformation_function=screening_function(stack, vpc))


@pytest.fixture(scope="module")
def stack():
    stack = cdk.Stack(cdk.App(), "Aoss")
    build(stack)
    return stack


@pytest.fixture(scope="module")
def template(stack):
    return Template.from_stack(stack)


def data_policies(template):
    """Rendered data access policies by the role they name (logical id prefix)."""
    result = {}
    for policy in template.find_resources("AWS::OpenSearchServerless::AccessPolicy").values():
        document = json.loads(RuleTemplate({"Resources": {}}).text(policy["Properties"]["Policy"]))
        [principal] = document[0]["Principal"]
        result[principal.strip("${}").split(".")[0]] = document[0]["Rules"]
    return result


def test_index_resource_has_the_knowledge_base_mapping(template):
    template.has_resource_properties(INDEX_TYPE, {
        "ServiceToken": {"Fn::GetAtt": [Match.string_like_regexp("IndexHandler"), "Arn"]},
        "CollectionEndpoint": {"Fn::GetAtt": [Match.string_like_regexp("Store"), "CollectionEndpoint"]},
        "IndexName": "bedrock-knowledge-base-default-index", "Dimension": "1024", "SpaceType": "l2", "Engine": "faiss",
        "RetainOnDelete": "true", "VectorField": "bedrock-knowledge-base-default-vector",
        "TextField": "AMAZON_BEDROCK_TEXT_CHUNK", "MetadataField": "AMAZON_BEDROCK_METADATA"})


def test_index_is_created_after_its_access_policy_and_before_the_knowledge_base(template):
    index = next(iter(template.find_resources(INDEX_TYPE).values()))
    assert any(d.startswith("StoreDataAccess") for d in index["DependsOn"])
    assert any(d.startswith("StoreVpcEndpoint") for d in index["DependsOn"])
    template.has_resource("AWS::Bedrock::KnowledgeBase", {"DependsOn": Match.array_with([Match.string_like_regexp("^Index")])})


def test_handler_may_only_manage_this_index_and_the_knowledge_base_may_not_manage_indexes(template):
    policies = data_policies(template)
    handler = next(v for k, v in policies.items() if k.startswith("IndexHandlerRole"))
    kb = next(v for k, v in policies.items() if k.startswith("KbRole"))
    assert handler == [
        {"ResourceType": "collection", "Resource": ["collection/kb-vectors"], "Permission": ["aoss:DescribeCollectionItems"]},
        {"ResourceType": "index", "Resource": ["index/kb-vectors/bedrock-knowledge-base-default-index"],
         "Permission": ["aoss:DescribeIndex", "aoss:CreateIndex", "aoss:DeleteIndex"]}]
    assert kb[1] == {"ResourceType": "index", "Resource": ["index/kb-vectors/bedrock-knowledge-base-default-index"],
                     "Permission": ["aoss:DescribeIndex", "aoss:ReadDocument", "aoss:WriteDocument", "aoss:UpdateIndex"]}


def test_handler_runs_in_the_vpc_with_https_egress_only_and_its_own_role(template):
    template.has_resource_properties("AWS::Lambda::Function", {
        "Runtime": "python3.14", "Timeout": 300,
        "Role": {"Fn::GetAtt": [Match.string_like_regexp("IndexHandlerRole"), "Arn"]},
        "VpcConfig": {"SubnetIds": Match.any_value(),
                      "SecurityGroupIds": [{"Fn::GetAtt": [Match.string_like_regexp("IndexSecurityGroup"), "GroupId"]}]}})
    template.has_resource_properties("AWS::EC2::SecurityGroup", {
        "GroupDescription": "HTTPS to the OpenSearch Serverless VPC endpoint",
        "SecurityGroupEgress": [{"CidrIp": {"Fn::GetAtt": [Match.string_like_regexp("Vpc"), "CidrBlock"]},
                                 "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp", "Description": "HTTPS within the VPC"}]})
    template.has_resource_properties("AWS::IAM::Policy", {
        "Roles": [{"Ref": Match.string_like_regexp("IndexHandlerRole")}],
        "PolicyDocument": {"Statement": [
            {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow", "Resource": Match.any_value()},
            {"Action": list(VPC_ACCESS_ACTIONS), "Effect": "Allow", "Resource": "*"},
            {"Action": "aoss:APIAccessAll", "Effect": "Allow",
             "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^Store"), "Arn"]}}], "Version": "2012-10-17"}})


def test_knowledge_base_uses_the_index_and_its_field_mapping(template):
    template.has_resource_properties("AWS::Bedrock::KnowledgeBase", {"StorageConfiguration": {
        "Type": "OPENSEARCH_SERVERLESS", "OpensearchServerlessConfiguration": {
            "CollectionArn": Match.any_value(), "VectorIndexName": "bedrock-knowledge-base-default-index",
            "FieldMapping": {"VectorField": "bedrock-knowledge-base-default-vector",
                             "TextField": "AMAZON_BEDROCK_TEXT_CHUNK", "MetadataField": "AMAZON_BEDROCK_METADATA"}}}})


def test_deleting_the_index_is_an_option():
    stack = cdk.Stack(cdk.App(), "Delete")
    collection = OpenSearchVectorCollection(stack, "Store", collection_name="kb-vectors", vpc_endpoint_id="vpce-0123456789abcdef0")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    OpenSearchVectorIndex(stack, "Index", collection=collection, vpc=vpc, index_name="docs", dimension=512,
                          retain_on_delete=False)
    template = Template.from_stack(stack)
    template.has_resource_properties(INDEX_TYPE, {"IndexName": "docs", "Dimension": "512", "RetainOnDelete": "false"})
    assert lint_errors(template.to_json()) == []


def test_passes_the_pack_at_advanced_and_cfn_lint(stack, template):
    assert stack_findings(stack, Phase.ADVANCED) == []
    assert lint_errors(template.to_json()) == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    build(cdk.Stack(app, "Aoss"))
    assert aws_solutions_errors(app) == []
