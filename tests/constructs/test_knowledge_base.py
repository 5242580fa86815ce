"""KnowledgeBase: its own least-privilege role, encrypted store and data source, screened ingestion, logs."""
import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.data import KnowledgeBase, OpenSearchVectorCollection, SecureBucket, SecureLogGroup
from aisec_rules.engine import evaluate
from aisec_rules.model import Phase
from aisec_rules.registry import BY_ID
from aisec_rules.read.template import Template as RuleTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app, stack_findings

EMBEDDING = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":bedrock:", {"Ref": "AWS::Region"},
                               "::foundation-model/amazon.titan-embed-text-v2:0"]]}


def private_network(stack, corpus):
    """A stand-in for the infrastructure layer's network: isolated subnets, flow logs, private endpoints."""
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    flow_logs = SecureLogGroup(stack, "FlowLogs", mask_pii=True)
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs.log_group))
    gateway = vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
    gateway.add_to_policy(iam.PolicyStatement(principals=[iam.AnyPrincipal()], actions=["s3:GetObject", "s3:PutObject"],
                                              resources=[corpus.bucket.arn_for_objects("*")]))
    for name in ("bedrock-runtime", "bedrock-agent-runtime"):
        endpoint = vpc.add_interface_endpoint(name, service=ec2.InterfaceVpcEndpointAwsService(name), private_dns_enabled=True)
        endpoint.add_to_policy(iam.PolicyStatement(principals=[iam.AnyPrincipal()], actions=["bedrock:InvokeModel"],
                                                   resources=[f"arn:aws:bedrock:{stack.region}::foundation-model/amazon.titan-embed-text-v2:0"]))
        Validations.of(endpoint).acknowledge(Acknowledgment(
            id="AwsSolutions-EC23", reason="Test fixture: CDK's interface endpoint group admits HTTPS from the VPC CIDR token."))
    return vpc


def screening_function(stack, vpc):
    """A stand-in for the infrastructure layer's PrivateToolFunction: in the VPC, with a masked KMS log group and a
    reserved concurrency (AISEC-INF-11 asks it of tool and transformation functions since issue 22)."""
    logs = SecureLogGroup(stack, "ScrubLogs", mask_pii=True)
    function = lambda_.Function(stack, "Scrub", runtime=lambda_.Runtime.PYTHON_3_14, handler="index.handler", vpc=vpc,
                                code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
                                log_group=logs.log_group, reserved_concurrent_executions=10)
    Validations.of(function).acknowledge(Acknowledgment(
        id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason="Test fixture standing in for PrivateToolFunction, which the infrastructure layer builds."))
    Validations.of(function).acknowledge(Acknowledgment(
        id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]",
        reason="Test fixture standing in for PrivateToolFunction, which the infrastructure layer builds."))
    return function


def build(stack):
    corpus = SecureBucket(stack, "Corpus")
    vpc = private_network(stack, corpus)
    return KnowledgeBase(stack, "Kb", source_bucket=corpus, transformation_function=screening_function(stack, vpc),
                         inclusion_prefix="docs/")


@pytest.fixture(scope="module")
def stack():
    stack = cdk.Stack(cdk.App(), "Rag")
    build(stack)
    return stack


@pytest.fixture(scope="module")
def template(stack):
    return Template.from_stack(stack)


def kb_role_statements(template):
    policies = [p for k, p in template.find_resources("AWS::IAM::Policy").items() if k.startswith("KbRole")]
    assert len(policies) == 1
    return policies[0]["Properties"]["PolicyDocument"]["Statement"]


def test_role_is_trusted_by_bedrock_for_this_accounts_knowledge_bases_only(template):
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [{
        "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                      "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":bedrock:",
                                                                     {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                                                                     ":knowledge-base/*"]]}}}}]},
        "Description": "Service role of one Bedrock knowledge base"})


def test_role_has_only_what_ingestion_and_retrieval_need(template):
    statements = kb_role_statements(template)
    by_sid = {s.get("Sid"): s for s in statements if s.get("Sid")}
    assert by_sid["EmbeddingModel"] == {"Sid": "EmbeddingModel", "Action": "bedrock:InvokeModel", "Effect": "Allow",
                                        "Resource": EMBEDDING}
    assert by_sid["SourceObjects"]["Action"] == "s3:GetObject"
    assert by_sid["SourceObjects"]["Resource"]["Fn::Join"][1][-1] == "/docs/*"
    assert by_sid["SourceBucket"]["Action"] == "s3:ListBucket"
    assert by_sid["TransformationFunction"]["Resource"]["Fn::GetAtt"][0].startswith("Scrub")
    assert by_sid["TransformationFunction"]["Action"] == "lambda:InvokeFunction"
    actions = sorted(a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    assert actions == sorted([
        "bedrock:InvokeModel", "s3:GetObject", "s3:ListBucket",
        "kms:Decrypt",  # source bucket key
        "kms:Decrypt", "kms:GenerateDataKey",  # data source / intermediate key
        "s3vectors:GetIndex", "s3vectors:GetVectors", "s3vectors:QueryVectors", "s3vectors:PutVectors",
        "s3vectors:DeleteVectors", "kms:Decrypt", "kms:GenerateDataKey",  # vector index and its key
        "lambda:InvokeFunction", "s3:GetObject", "s3:PutObject", "s3:ListBucket"])
    assert all(s["Resource"] != "*" for s in statements)


def test_knowledge_base_uses_the_embedding_model_and_the_s3_vectors_index(template):
    template.has_resource("AWS::Bedrock::KnowledgeBase", {"Properties": {
        "RoleArn": {"Fn::GetAtt": [Match.string_like_regexp("KbRole"), "Arn"]},
        "KnowledgeBaseConfiguration": {"Type": "VECTOR", "VectorKnowledgeBaseConfiguration": {
            "EmbeddingModelArn": EMBEDDING,
            "EmbeddingModelConfiguration": {"BedrockEmbeddingModelConfiguration": {"Dimensions": 1024,
                                                                                   "EmbeddingDataType": "FLOAT32"}}}},
        "StorageConfiguration": {"Type": "S3_VECTORS", "S3VectorsConfiguration": {
            "IndexArn": {"Fn::GetAtt": [Match.string_like_regexp("KbVectorStoreIndex"), "IndexArn"]}}},
        "Name": Match.any_value(), "Description": "aisec knowledge base"},
        "DependsOn": Match.array_with([Match.string_like_regexp("KbRoleDefaultPolicy")])})
    template.has_resource_properties("AWS::S3Vectors::VectorBucket", {"EncryptionConfiguration": {"SseType": "aws:kms",
                                                                                                  "KmsKeyArn": Match.any_value()}})


def test_data_source_is_encrypted_and_screened_after_chunking(template):
    template.has_resource_properties("AWS::Bedrock::DataSource", {
        "KnowledgeBaseId": {"Fn::GetAtt": [Match.string_like_regexp("KbKnowledgeBase"), "KnowledgeBaseId"]},
        "DataDeletionPolicy": "RETAIN",
        "DataSourceConfiguration": {"Type": "S3", "S3Configuration": {
            "BucketArn": {"Fn::GetAtt": [Match.string_like_regexp("CorpusBucket"), "Arn"]}, "InclusionPrefixes": ["docs/"]}},
        "ServerSideEncryptionConfiguration": {"KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("KbKey"), "Arn"]}},
        "VectorIngestionConfiguration": {
            "ChunkingConfiguration": {"ChunkingStrategy": "FIXED_SIZE",
                                      "FixedSizeChunkingConfiguration": {"MaxTokens": 300, "OverlapPercentage": 20}},
            "CustomTransformationConfiguration": {
                "IntermediateStorage": {"S3Location": {"URI": {"Fn::Join": ["", ["s3://", {"Ref": Match.string_like_regexp(
                    "KbIntermediateStorageBucket")}, "/"]]}}},
                "Transformations": [{"StepToApply": "POST_CHUNKING", "TransformationFunction": {
                    "TransformationLambdaConfiguration": {"LambdaArn": {"Fn::GetAtt": [Match.string_like_regexp("Scrub"), "Arn"]}}}}]}}})


def test_intermediate_bucket_is_a_secure_bucket_and_the_function_may_use_it(template):
    template.has_resource_properties("AWS::S3::Bucket", {
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [Match.object_like({"ServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": [Match.string_like_regexp("KbKey"), "Arn"]}}})]},
        "VersioningConfiguration": {"Status": "Enabled"}})
    template.has_resource_properties("AWS::IAM::Policy", {
        "Roles": [{"Ref": Match.string_like_regexp("ScrubServiceRole")}],
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({"Action": ["s3:GetObject", "s3:PutObject"]}),
                                                          Match.object_like({"Action": ["kms:Decrypt", "kms:GenerateDataKey"]})])}})


def test_application_logs_go_to_a_masked_encrypted_log_group(template):
    template.has_resource_properties("AWS::Logs::DeliverySource", {
        "LogType": "APPLICATION_LOGS", "ResourceArn": {"Fn::GetAtt": [Match.string_like_regexp("KbKnowledgeBase"), "KnowledgeBaseArn"]}})
    template.has_resource_properties("AWS::Logs::DeliveryDestination", {
        "DestinationResourceArn": {"Fn::GetAtt": [Match.string_like_regexp("KbApplicationLogs"), "Arn"]}})
    template.has_resource_properties("AWS::Logs::Delivery", {
        "DeliverySourceName": {"Ref": Match.string_like_regexp("KbLogSource")},
        "DeliveryDestinationArn": {"Fn::GetAtt": [Match.string_like_regexp("KbLogDestination"), "Arn"]}})
    group = [g for k, g in template.find_resources("AWS::Logs::LogGroup").items() if k.startswith("KbApplicationLogs")][0]
    assert {"KmsKeyId", "RetentionInDays", "DataProtectionPolicy"} <= set(group["Properties"])


def test_screening_is_required_unless_opted_out_and_the_opt_outs_are_recorded():
    with pytest.raises(ValueError, match="transformation_function"):
        KnowledgeBase(cdk.Stack(cdk.App(), "Unscreened"), "Kb", source_bucket=SecureBucket(cdk.Stack(cdk.App(), "B"), "B"))
    stack = cdk.Stack(cdk.App(), "OptOut")
    KnowledgeBase(stack, "Kb", source_bucket=SecureBucket(stack, "Corpus"), screen_chunks=False, application_logs=False)
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    template.has_resource_properties("AWS::Bedrock::DataSource", {"VectorIngestionConfiguration": {
        "ChunkingConfiguration": Match.any_value(), "CustomTransformationConfiguration": Match.absent()}})
    template.resource_count_is("AWS::Logs::DeliverySource", 0)
    annotations = Annotations.from_stack(stack)
    annotations.has_warning("/OptOut/Kb", Match.string_like_regexp("screen_chunks=True"))
    annotations.has_warning("/OptOut/Kb", Match.string_like_regexp("application_logs=True"))
    findings = evaluate(RuleTemplate(template.to_json()), Phase.ADVANCED,
                        rules=[BY_ID["AISEC-DATA-25"], BY_ID["AISEC-APP-21"]])
    assert sorted((f.id, f.resource) for f in findings) == [
        ("AISEC-APP-21", "KbKnowledgeBaseA6A3C274"), ("AISEC-DATA-25[Transformation]", "KbDataSource0A96442C")]


def test_opensearch_store_gets_a_data_access_policy_for_the_role_alone():
    stack = cdk.Stack(cdk.App(), "Aoss")
    collection = OpenSearchVectorCollection(stack, "Store", collection_name="kb-vectors", vpc_endpoint_id="vpce-0123456789abcdef0")
    kb = KnowledgeBase(stack, "Kb", source_bucket=s3.Bucket.from_bucket_name(stack, "Existing", "corpus-bucket"),
                       vector_store=collection, screen_chunks=False)
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    template.has_resource_properties("AWS::Bedrock::KnowledgeBase", {"StorageConfiguration": {
        "Type": "OPENSEARCH_SERVERLESS", "OpensearchServerlessConfiguration": {
            "CollectionArn": {"Fn::GetAtt": [Match.string_like_regexp("Store"), "Arn"]},
            "VectorIndexName": "bedrock-knowledge-base-default-index",
            "FieldMapping": {"VectorField": "bedrock-knowledge-base-default-vector",
                             "TextField": "AMAZON_BEDROCK_TEXT_CHUNK", "MetadataField": "AMAZON_BEDROCK_METADATA"}}}})
    policy = stack.resolve(kb.data_access_policy.policy)
    text = RuleTemplate({"Resources": {}}).text(policy)
    assert '"Resource":["index/kb-vectors/bedrock-knowledge-base-default-index"]' in text
    assert '"aoss:WriteDocument"' in text and '"aoss:CreateIndex"' not in text
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": "aoss:APIAccessAll"})])}})


def test_passes_the_pack_at_advanced_and_cfn_lint(stack, template):
    assert stack_findings(stack, Phase.ADVANCED) == []
    assert lint_errors(template.to_json()) == []


def test_passes_aws_solutions_checks():
    app = report_only_app()
    build(cdk.Stack(app, "Rag"))
    assert aws_solutions_errors(app) == []


def test_the_source_bucket_sends_object_changes_to_an_encrypted_topic(template):
    corpus = [k for k in template.find_resources("AWS::S3::Bucket") if k.startswith("CorpusBucket")]
    assert len(corpus) == 1
    template.has_resource_properties("AWS::S3::Bucket", {"NotificationConfiguration": {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}}, "BucketEncryption": Match.any_value()})
    template.resource_count_is("Custom::S3BucketNotifications", 0)  # the bucket's own property, no custom resource
    template.has_resource_properties("AWS::Events::Rule", {
        "State": "ENABLED",
        "EventPattern": {"source": ["aws.s3"], "detail-type": ["Object Created", "Object Deleted"],
                         "detail": {"bucket": {"name": [{"Ref": corpus[0]}]}}},
        "Targets": [Match.object_like({"Arn": {"Ref": Match.string_like_regexp("KbSourceChanges")}})]})
    template.has_resource_properties("AWS::SNS::Topic", {
        "KmsMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("KbKey"), "Arn"]},
        "DisplayName": "Knowledge base corpus changes"})
    template.has_resource_properties("AWS::KMS::Key", {"KeyPolicy": {"Statement": Match.array_with([
        Match.object_like({"Principal": {"Service": "events.amazonaws.com"},
                           "Condition": {"StringLike": {"kms:EncryptionContext:aws:sns:topicArn": Match.any_value()}}})])}})
    findings = evaluate(RuleTemplate(template.to_json()), Phase.ENHANCED, rules=[BY_ID["AISEC-DATA-32"]])
    assert findings == []


def test_source_change_alerts_go_to_a_given_topic_or_are_an_opt_out():
    from aws_cdk import aws_sns as sns
    stack = cdk.Stack(cdk.App(), "Given")
    topic = sns.Topic(stack, "Incidents")
    kb = KnowledgeBase(stack, "Kb", source_bucket=SecureBucket(stack, "Corpus"), screen_chunks=False, alert_topic=topic)
    assert kb.source_change_topic is topic
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SNS::Topic", 1)
    template.has_resource_properties("AWS::Events::Rule", {"Targets": [Match.object_like({"Arn": {"Ref": Match.string_like_regexp("Incidents")}})]})

    stack = cdk.Stack(cdk.App(), "NoAlerts")
    KnowledgeBase(stack, "Kb", source_bucket=SecureBucket(stack, "Corpus"), screen_chunks=False,
                  source_change_alerts=False)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Events::Rule", 0)
    template.resource_count_is("AWS::SNS::Topic", 0)
    Annotations.from_stack(stack).has_warning("/NoAlerts/Kb", Match.string_like_regexp("source_change_alerts=True"))
    findings = evaluate(RuleTemplate(template.to_json()), Phase.ENHANCED, rules=[BY_ID["AISEC-DATA-32"]])
    assert [(f.id, f.resource.startswith("CorpusBucket")) for f in findings] == [("AISEC-DATA-32", True)]
