"""ConnectorSecret (CMK, rotation by a given function or a hosted rotation) and KnowledgeBase connector sources."""
import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.data import ConnectorSecret, ConnectorSource, KnowledgeBase, SecureBucket
from aisec_rules.model import Phase
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_stack, stack_findings
from tests.constructs.test_knowledge_base import private_network, screening_function


def rotation_function(stack) -> lambda_.Function:
    """Stands in for the connector's rotation Lambda (the four rotation steps against the SaaS API)."""
    return lambda_.Function(stack, "Rotator", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                            code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"))


def knowledge_base(stack, secret) -> KnowledgeBase:
    corpus = SecureBucket(stack, "Corpus")
    kb = KnowledgeBase(stack, "Kb", source_bucket=corpus,
                       transformation_function=screening_function(stack, private_network(stack, corpus)))
    kb.add_connector_source("Wiki", ConnectorSource.confluence("wiki", host_url="https://example.atlassian.net",
                                                               secret=secret))
    return kb


@pytest.fixture(scope="module")
def app_and_stack():
    return report_only_stack("Connectors", build_all)


def build_all(stack):
    secret = ConnectorSecret(stack, "WikiCredentials", rotation_function=rotation_function(stack))
    kb = knowledge_base(stack, secret)
    kb.add_connector_source("Crm", ConnectorSource.salesforce("crm", host_url="https://example.my.salesforce.com",
                                                              secret=secret))
    kb.add_connector_source("Sites", ConnectorSource.share_point(
        "sites", domain="example", site_urls=["https://example.sharepoint.com/sites/help"], secret=secret,
        tenant_id="01234567-89ab-cdef-0123-456789abcdef"))
    kb.add_connector_source("Docs", ConnectorSource.web("docs", seed_urls=["https://docs.example.com/"]))


@pytest.fixture(scope="module")
def template(app_and_stack):
    return Template.from_stack(app_and_stack[1])


def test_secret_is_encrypted_with_its_own_customer_managed_key(template):
    template.has_resource_properties("AWS::SecretsManager::Secret", {
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("WikiCredentialsKey"), "Arn"]},
        "Description": "aisec: data connector credentials",
        "GenerateSecretString": {}})
    template.has_resource("AWS::SecretsManager::Secret", {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
    template.has_resource_properties("AWS::KMS::Key", {"Description": "aisec: data connector credentials",
                                                       "EnableKeyRotation": True})


def test_secret_is_rotated_every_30_days_by_the_given_function(template):
    template.has_resource_properties("AWS::SecretsManager::RotationSchedule", {
        "SecretId": {"Ref": Match.string_like_regexp("WikiCredentialsSecret")},
        "RotationLambdaARN": {"Fn::GetAtt": [Match.string_like_regexp("Rotator"), "Arn"]},
        "RotationRules": {"ScheduleExpression": "rate(30 days)"}})
    template.has_resource_properties("AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction", "Principal": "secretsmanager.amazonaws.com",
        "FunctionName": {"Fn::GetAtt": [Match.string_like_regexp("Rotator"), "Arn"]}})


def test_hosted_rotation_for_database_credentials():
    stack = cdk.Stack(cdk.App(), "Db")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    ConnectorSecret(stack, "VectorDb", rotate_every=cdk.Duration.days(7),
                    hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(vpc=vpc))
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::SecretsManager::RotationSchedule", {
        "HostedRotationLambda": Match.object_like({"RotationType": "PostgreSQLSingleUser"}),
        "RotationRules": {"ScheduleExpression": "rate(7 days)"}})
    assert lint_errors(template.to_json()) == []


def test_rotation_is_required_unless_opted_out():
    with pytest.raises(ValueError, match="rotation_function"):
        ConnectorSecret(cdk.Stack(cdk.App(), "S"), "Secret")
    stack = cdk.Stack(cdk.App(), "S")
    with pytest.raises(ValueError, match="not both"):
        ConnectorSecret(stack, "Secret", rotation_function=rotation_function(stack),
                        hosted_rotation=secretsmanager.HostedRotation.mysql_single_user())


def test_unrotated_secret_is_an_opt_out_still_reported():
    stack = cdk.Stack(cdk.App(), "Unrotated")
    secret = ConnectorSecret(stack, "WikiCredentials", allow_no_rotation=True)
    knowledge_base(stack, secret)
    Template.from_stack(stack).resource_count_is("AWS::SecretsManager::RotationSchedule", 0)
    Annotations.from_stack(stack).has_warning("/Unrotated/WikiCredentials",
                                              Match.string_like_regexp("allow_no_rotation=True"))
    secret_id = stack.get_logical_id(secret.secret.node.default_child)
    assert stack_findings(stack, Phase.ENHANCED) == [f"AISEC-DATA-18[RotationSchedule] @ {secret_id}"]


def test_connector_sources_name_the_secret_and_are_encrypted_and_screened(template):
    secret = {"Ref": Match.string_like_regexp("WikiCredentialsSecret")}
    common = {"KnowledgeBaseId": {"Fn::GetAtt": [Match.string_like_regexp("KbKnowledgeBase"), "KnowledgeBaseId"]},
              "DataDeletionPolicy": "RETAIN",
              "ServerSideEncryptionConfiguration": {"KmsKeyArn": {"Fn::GetAtt": [Match.string_like_regexp("KbKey"), "Arn"]}},
              "VectorIngestionConfiguration": Match.object_like({"CustomTransformationConfiguration": Match.object_like({
                  "Transformations": [Match.object_like({"StepToApply": "POST_CHUNKING"})]})})}
    template.has_resource_properties("AWS::Bedrock::DataSource", dict(common, Name="wiki", DataSourceConfiguration={
        "Type": "CONFLUENCE", "ConfluenceConfiguration": {"SourceConfiguration": {
            "HostUrl": "https://example.atlassian.net", "HostType": "SAAS", "AuthType": "OAUTH2_CLIENT_CREDENTIALS",
            "CredentialsSecretArn": secret}}}))
    template.has_resource_properties("AWS::Bedrock::DataSource", dict(common, Name="crm", DataSourceConfiguration={
        "Type": "SALESFORCE", "SalesforceConfiguration": {"SourceConfiguration": {
            "HostUrl": "https://example.my.salesforce.com", "AuthType": "OAUTH2_CLIENT_CREDENTIALS",
            "CredentialsSecretArn": secret}}}))
    template.has_resource_properties("AWS::Bedrock::DataSource", dict(common, Name="sites", DataSourceConfiguration={
        "Type": "SHAREPOINT", "SharePointConfiguration": {"SourceConfiguration": {
            "Domain": "example", "SiteUrls": ["https://example.sharepoint.com/sites/help"], "HostType": "ONLINE",
            "AuthType": "OAUTH2_SHAREPOINT_APP_ONLY_CLIENT_CREDENTIALS",
            "TenantId": "01234567-89ab-cdef-0123-456789abcdef", "CredentialsSecretArn": secret}}}))
    template.has_resource_properties("AWS::Bedrock::DataSource", dict(common, Name="docs", DataSourceConfiguration={
        "Type": "WEB", "WebConfiguration": {
            "SourceConfiguration": {"UrlConfiguration": {"SeedUrls": [{"Url": "https://docs.example.com/"}]}},
            "CrawlerConfiguration": {"Scope": "HOST_ONLY"}}}))


def test_knowledge_base_role_may_read_the_secret(template):
    statements = [s for k, p in template.find_resources("AWS::IAM::Policy").items() if k.startswith("KbRole")
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    reads = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    assert len(reads) == 1 and reads[0]["Resource"]["Ref"].startswith("WikiCredentialsSecret")
    assert sorted(reads[0]["Action"]) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]


def test_defaults_record_no_opt_out_and_pass_at_advanced(app_and_stack, template):
    app, stack = app_and_stack
    assert Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("aisec:")) == []
    assert stack_findings(stack, Phase.ADVANCED) == []
    assert lint_errors(template.to_json()) == []
    assert [e for e in aws_solutions_errors(app) if "/Rotator/" not in e] == []
