"""S3VectorStore and OpenSearchVectorCollection: each secure default, each opt-out, compliance."""
import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.data import OpenSearchVectorCollection, S3VectorStore, SecureLogGroup
from aisec_rules.engine import evaluate
from aisec_rules.model import Phase
from aisec_rules.registry import BY_ID
from aisec_rules.read.template import Template as RuleTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555"
VPCE = "vpce-0123456789abcdef0"


def reader(stack, name="Reader"):
    return iam.Role(stack, name, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def isolated_vpc(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    flow_logs = SecureLogGroup(stack, "FlowLogs", mask_pii=True)
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs.log_group))
    return vpc


def build(stack):
    store = S3VectorStore(stack, "Store")
    role = reader(stack)
    store.grant_read_write(role)
    collection = OpenSearchVectorCollection(stack, "Collection", collection_name="kb-vectors", vpc=isolated_vpc(stack))
    collection.grant_data_access(role)
    return store, collection


@pytest.fixture(scope="module")
def stack():
    stack = cdk.Stack(cdk.App(), "Vectors")
    build(stack)
    return stack


@pytest.fixture(scope="module")
def template(stack):
    return Template.from_stack(stack)


def logical_id(template, resource_type, prefix):
    [found] = [k for k in template.find_resources(resource_type) if k.startswith(prefix)]
    return found


def rendered_policy(template, policy_type):
    """The Policy JSON of the one security/access policy of a type, with references as ${Id.Attr} text."""
    resources = {**template.find_resources("AWS::OpenSearchServerless::SecurityPolicy", {"Properties": {"Type": policy_type}}),
                 **template.find_resources("AWS::OpenSearchServerless::AccessPolicy", {"Properties": {"Type": policy_type}})}
    assert len(resources) == 1
    policy = next(iter(resources.values()))["Properties"]["Policy"]
    return json.loads(RuleTemplate({"Resources": {}}).text(policy))


# -- S3 Vectors -------------------------------------------------------------------------------------

def test_vector_bucket_uses_sse_kms_with_a_rotating_customer_managed_key(template):
    template.has_resource("AWS::S3Vectors::VectorBucket", {
        "Properties": {"EncryptionConfiguration": {"SseType": "aws:kms",
                                                   "KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("StoreKey"), "Arn"]}}},
        "DeletionPolicy": "Retain"})
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True, "KeyPolicy": {"Statement": Match.array_with([{
        "Action": "kms:Decrypt", "Effect": "Allow", "Principal": {"Service": "indexing.s3vectors.amazonaws.com"},
        "Resource": "*", "Condition": {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
            "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3vectors:",
                                                             {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":bucket/*"]]}}}}])}})


def test_index_is_created_for_bedrock_and_inherits_the_bucket_encryption(template):
    template.has_resource_properties("AWS::S3Vectors::Index", {
        "DataType": "float32", "Dimension": 1024, "DistanceMetric": "cosine", "IndexName": "knowledge-base",
        "MetadataConfiguration": {"NonFilterableMetadataKeys": ["AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA"]},
        "VectorBucketArn": {"Fn::GetAtt": [Match.string_like_regexp("StoreVectorBucket"), "VectorBucketArn"]},
        "EncryptionConfiguration": Match.absent()})


def test_vector_bucket_policy_names_the_granted_role_only(template):
    template.has_resource_properties("AWS::S3Vectors::VectorBucketPolicy", {"Policy": {"Statement": [{
        "Action": ["s3vectors:GetIndex", "s3vectors:GetVectors", "s3vectors:QueryVectors",
                   "s3vectors:PutVectors", "s3vectors:DeleteVectors"],
        "Effect": "Allow", "Principal": {"AWS": {"Fn::GetAtt": [Match.string_like_regexp("Reader"), "Arn"]}},
        "Resource": {"Fn::GetAtt": [Match.string_like_regexp("StoreIndex"), "IndexArn"]},
        "Sid": Match.string_like_regexp("^ReadWrite")}], "Version": "2012-10-17"}})
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                           "Resource": {"Fn::GetAtt": [Match.string_like_regexp("StoreKey"), "Arn"]}})])}})


def test_no_vector_bucket_policy_until_something_is_granted():
    bare = cdk.Stack(cdk.App(), "Bare")
    S3VectorStore(bare, "Store")
    Template.from_stack(bare).resource_count_is("AWS::S3Vectors::VectorBucketPolicy", 0)
    stack = cdk.Stack(cdk.App(), "Read")
    S3VectorStore(stack, "Store").grant_read(reader(stack))
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::S3Vectors::VectorBucketPolicy", {"Policy": {"Statement": [
        Match.object_like({"Action": ["s3vectors:GetIndex", "s3vectors:GetVectors", "s3vectors:QueryVectors"]})]}})
    assert lint_errors(template.to_json()) == []


def test_aws_owned_key_opt_out_is_recorded_and_still_reported():
    stack = cdk.Stack(cdk.App(), "Owned")
    S3VectorStore(stack, "Store", use_aws_owned_key=True)
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    template.has_resource_properties("AWS::S3Vectors::VectorBucket", {"EncryptionConfiguration": {"SseType": "AES256"}})
    template.resource_count_is("AWS::KMS::Key", 0)
    Annotations.from_stack(stack).has_warning("/Owned/Store", Match.string_like_regexp("use_aws_owned_key=True"))
    findings = evaluate(RuleTemplate(template.to_json()), Phase.ENHANCED, rules=[BY_ID["AISEC-DATA-11"]])
    assert [(f.id, f.resource) for f in findings] == [("AISEC-DATA-11", "StoreVectorBucket7F09B3CD")]


# -- OpenSearch Serverless --------------------------------------------------------------------------

def test_encryption_policy_names_the_customer_managed_key(template):
    assert rendered_policy(template, "encryption") == {
        "Rules": [{"ResourceType": "collection", "Resource": ["collection/kb-vectors"]}],
        "AWSOwnedKey": False, "KmsARN": f"${{{logical_id(template, 'AWS::KMS::Key', 'CollectionKey')}.Arn}}"}


def test_network_policy_is_private_to_the_vpc_endpoint_and_bedrock(template):
    endpoint = next(iter(template.find_resources("AWS::OpenSearchServerless::VpcEndpoint")))
    assert rendered_policy(template, "network") == [
        {"Rules": [{"ResourceType": "collection", "Resource": ["collection/kb-vectors"]}], "AllowFromPublic": False,
         "SourceVPCEs": [f"${{{endpoint}.Id}}"], "SourceServices": ["bedrock.amazonaws.com"]},
        {"Rules": [{"ResourceType": "dashboard", "Resource": ["collection/kb-vectors"]}], "AllowFromPublic": False,
         "SourceVPCEs": [f"${{{endpoint}.Id}}"]}]


def test_vpc_endpoint_admits_https_from_the_vpc_only(template):
    template.has_resource_properties("AWS::OpenSearchServerless::VpcEndpoint", {
        "Name": "kb-vectors-vpce", "VpcId": {"Ref": Match.string_like_regexp("Vpc")},
        "SubnetIds": Match.array_with([{"Ref": Match.string_like_regexp("privateSubnet1")}]),
        "SecurityGroupIds": [{"Fn::GetAtt": [Match.string_like_regexp("CollectionEndpointSecurityGroup"), "GroupId"]}]})
    template.has_resource_properties("AWS::EC2::SecurityGroup", {
        "SecurityGroupIngress": [{"CidrIp": {"Fn::GetAtt": [Match.string_like_regexp("Vpc"), "CidrBlock"]},
                                  "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp", "Description": "HTTPS from the VPC"}],
        "SecurityGroupEgress": [Match.object_like({"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic"})]})


def test_collection_is_a_vector_collection_created_after_its_policies(template):
    template.has_resource("AWS::OpenSearchServerless::Collection", {
        "Properties": {"Name": "kb-vectors", "Type": "VECTORSEARCH", "StandbyReplicas": "ENABLED"},
        "DependsOn": [Match.string_like_regexp("CollectionEncryptionPolicy"), Match.string_like_regexp("CollectionNetworkPolicy")],
        "DeletionPolicy": "Retain"})


def test_data_access_is_per_principal_and_least_privilege(template):
    assert rendered_policy(template, "data") == [{
        "Rules": [
            {"ResourceType": "collection", "Resource": ["collection/kb-vectors"], "Permission": ["aoss:DescribeCollectionItems"]},
            {"ResourceType": "index", "Resource": ["index/kb-vectors/*"], "Permission": ["aoss:DescribeIndex", "aoss:ReadDocument"]},
        ],
        "Principal": [f"${{{logical_id(template, 'AWS::IAM::Role', 'Reader')}.Arn}}"],
        "Description": "aisec: least-privilege data access"}]
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([{
        "Action": "aoss:APIAccessAll", "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^Collection"), "Arn"]}}])}})


def test_write_and_index_management_are_separate_levels_and_literal_policies_are_serialized_json():
    stack = cdk.Stack(cdk.App(), "Levels")
    key = kms.Key.from_key_arn(stack, "Existing", KEY_ARN)
    collection = OpenSearchVectorCollection(stack, "C", collection_name="kb-vectors", vpc_endpoint_id=VPCE, encryption_key=key)
    collection.grant_data_access(reader(stack, "Writer"), write=True, manage_indexes=True, index_name="docs")
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    template.has_resource_properties("AWS::OpenSearchServerless::SecurityPolicy", {"Type": "encryption", "Policy": Match.serialized_json({
        "Rules": [{"ResourceType": "collection", "Resource": ["collection/kb-vectors"]}], "AWSOwnedKey": False, "KmsARN": KEY_ARN})})
    template.has_resource_properties("AWS::OpenSearchServerless::SecurityPolicy", {"Type": "network", "Policy": Match.serialized_json([
        {"Rules": [{"ResourceType": "collection", "Resource": ["collection/kb-vectors"]}], "AllowFromPublic": False,
         "SourceVPCEs": [VPCE], "SourceServices": ["bedrock.amazonaws.com"]},
        {"Rules": [{"ResourceType": "dashboard", "Resource": ["collection/kb-vectors"]}], "AllowFromPublic": False,
         "SourceVPCEs": [VPCE]}])})
    template.resource_count_is("AWS::OpenSearchServerless::VpcEndpoint", 0)
    template.resource_count_is("AWS::KMS::Key", 0)
    assert rendered_policy(template, "data")[0]["Rules"] == [
        {"ResourceType": "collection", "Resource": ["collection/kb-vectors"],
         "Permission": ["aoss:DescribeCollectionItems", "aoss:CreateCollectionItems", "aoss:UpdateCollectionItems"]},
        {"ResourceType": "index", "Resource": ["index/kb-vectors/docs"],
         "Permission": ["aoss:DescribeIndex", "aoss:ReadDocument", "aoss:WriteDocument", "aoss:UpdateIndex",
                        "aoss:CreateIndex", "aoss:DeleteIndex"]}]


def test_bedrock_access_and_standby_replicas_can_be_turned_off():
    stack = cdk.Stack(cdk.App(), "Narrow")
    OpenSearchVectorCollection(stack, "C", collection_name="kb-vectors", vpc_endpoint_id=VPCE, allow_bedrock=False,
                               standby_replicas=False, encryption_key=kms.Key.from_key_arn(stack, "K", KEY_ARN))
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    template.has_resource_properties("AWS::OpenSearchServerless::SecurityPolicy", {"Type": "network", "Policy": Match.serialized_json([
        {"Rules": [{"ResourceType": "collection", "Resource": ["collection/kb-vectors"]}], "AllowFromPublic": False,
         "SourceVPCEs": [VPCE]},
        {"Rules": [{"ResourceType": "dashboard", "Resource": ["collection/kb-vectors"]}], "AllowFromPublic": False,
         "SourceVPCEs": [VPCE]}])})
    template.has_resource_properties("AWS::OpenSearchServerless::Collection", {"StandbyReplicas": "DISABLED"})


def test_public_network_and_aws_owned_key_opt_outs_are_recorded_and_still_reported():
    stack = cdk.Stack(cdk.App(), "Public")
    OpenSearchVectorCollection(stack, "C", collection_name="kb-vectors", allow_public_network=True, use_aws_owned_key=True)
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    template.has_resource_properties("AWS::OpenSearchServerless::SecurityPolicy", {"Type": "network", "Policy": Match.serialized_json([
        {"Rules": [{"ResourceType": "collection", "Resource": ["collection/kb-vectors"]},
                   {"ResourceType": "dashboard", "Resource": ["collection/kb-vectors"]}], "AllowFromPublic": True}])})
    template.has_resource_properties("AWS::OpenSearchServerless::SecurityPolicy", {"Type": "encryption", "Policy": Match.serialized_json({
        "Rules": [{"ResourceType": "collection", "Resource": ["collection/kb-vectors"]}], "AWSOwnedKey": True})})
    annotations = Annotations.from_stack(stack)
    annotations.has_warning("/Public/C", Match.string_like_regexp("allow_public_network=True"))
    annotations.has_warning("/Public/C", Match.string_like_regexp("use_aws_owned_key=True"))
    findings = evaluate(RuleTemplate(template.to_json()), Phase.ENHANCED,
                        rules=[BY_ID["AISEC-DATA-11"], BY_ID["AISEC-INF-09"]])
    assert sorted((f.id, f.resource) for f in findings) == [("AISEC-DATA-11", "CEncryptionPolicy854C031B"),
                                                          ("AISEC-INF-09", "CNetworkPolicyFC2599E8")]


def test_a_private_collection_needs_a_vpc_and_a_valid_name():
    stack = cdk.Stack(cdk.App(), "Invalid")
    with pytest.raises(ValueError, match="give vpc"):
        OpenSearchVectorCollection(stack, "C", collection_name="kb-vectors")
    with pytest.raises(ValueError, match="collection_name"):
        OpenSearchVectorCollection(stack, "D", collection_name="KB_Vectors", vpc_endpoint_id=VPCE)


# -- compliance -------------------------------------------------------------------------------------

def test_passes_the_pack_at_advanced_and_cfn_lint(stack, template):
    assert stack_findings(stack, Phase.ADVANCED) == []
    assert lint_errors(template.to_json()) == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    build(cdk.Stack(app, "Vectors"))
    assert aws_solutions_errors(app) == []
