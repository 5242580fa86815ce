from aisec_rules.rules.data.no_secrets_in_config import name_words
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-17"

# Realistic configuration that holds no secret: must all pass.
BENIGN = {
    "MAX_TOKENS": "4096",
    "TEMPERATURE": 0.2,
    "MODEL_ID": "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "GUARDRAIL_ID": {"Fn::GetAtt": ["Guardrail", "GuardrailId"]},
    "GUARDRAIL_VERSION": "1",
    "TABLE_NAME": {"Ref": "ChatHistory"},
    "KMS_KEY_ID": "1234abcd-12ab-34cd-56ef-1234567890ab",
    "SECRET_ARN": {"Ref": "ApiKeySecret"},
    "DB_PASSWORD_PARAM": "/prod/db/password",
    "S3_KEY_PREFIX": "docs/",
    "SESSION_ID_NAMESPACE": "3f2b8c1e-9d4a-4e7b-a6c5-0f1e2d3c4b5a",
    "TOKEN_LIMIT": "8000",
    "ENABLE_TRACING": "true",
    "API_KEY_HEADER": "x-api-key",
    "KNOWLEDGE_BASE_QUEUE": "ProdKnowledgeBaseIngestionQueue2024",
    "POWERTOOLS_SERVICE_NAME": "kb-retriever",
    "OPENSEARCH_ENDPOINT": {"Fn::GetAtt": ["Collection", "CollectionEndpoint"]},
    "LOG_LEVEL": "INFO",
}


def function(variables):
    return {"Fn": {"Type": "AWS::Lambda::Function",
                   "Properties": {"Runtime": "python3.12", "Handler": "index.handler", "Role": {"Fn::GetAtt": ["R", "Arn"]},
                                  "Code": {"ZipFile": "def handler(e, c): pass"},
                                  "Environment": {"Variables": variables}}}}


def runtime(variables):
    return {"Agent": {"Type": "AWS::BedrockAgentCore::Runtime",
                      "Properties": {"AgentRuntimeName": "agent", "RoleArn": {"Fn::GetAtt": ["R", "Arn"]},
                                     "NetworkConfiguration": {"NetworkMode": "PUBLIC"},
                                     "AgentRuntimeArtifact": {"ContainerConfiguration": {
                                         "ContainerUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:1"}},
                                     "EnvironmentVariables": variables}}}


def task(environment, name="web"):
    return {"Task": {"Type": "AWS::ECS::TaskDefinition",
                     "Properties": {"ContainerDefinitions": [
                         {"Name": name, "Image": "public.ecr.aws/docker/library/python:3.12",
                          "Environment": environment}]}}}


def test_benign_configuration_passes_everywhere():
    assert findings(RULE, function(BENIGN)) == []
    assert findings(RULE, runtime({k: v for k, v in BENIGN.items() if isinstance(v, str)})) == []
    assert findings(RULE, task([{"Name": k, "Value": v} for k, v in BENIGN.items()])) == []


def test_secret_named_literals_fail_per_variable():
    variables = dict(BENIGN, DB_PASSWORD="hunter2", openaiApiKey="not-a-real-key", CLIENT_SECRET="abc")
    assert findings(RULE, function(variables)) == [
        (f"{RULE}[Env::CLIENT_SECRET]", "Fn"), (f"{RULE}[Env::DB_PASSWORD]", "Fn"), (f"{RULE}[Env::openaiApiKey]", "Fn")]


def test_message_names_the_path_but_not_the_value():
    result = messages(RULE, function({"DB_PASSWORD": "hunter2"}))
    assert len(result) == 1 and "Environment.Variables.DB_PASSWORD" in result[0] and "hunter2" not in result[0]


def test_secret_names_with_non_secret_values_pass():
    assert findings(RULE, function({"DB_PASSWORD": "", "AUTH_TOKEN": "3600", "API_KEY": "false",
                                    "SIGNING_KEY": "arn:aws:kms:us-east-1:123456789012:key/abc"})) == []


def test_name_splitting():
    assert name_words("openaiApiKey") == ["OPENAI", "API", "KEY"]
    assert name_words("APIKey") == ["API", "KEY"]
    assert name_words("db-password.value") == ["DB", "PASSWORD", "VALUE"]
    assert findings(RULE, function({"MAX_TOKENS": "x", "TOKENIZER": "cl100k", "GHTOKEN": "x"})) == [
        (f"{RULE}[Env::GHTOKEN]", "Fn")]


def test_known_credential_formats_fail_whatever_the_name():
    cases = {
        "AWS_CONFIG": "AKIAIOSFODNN7EXAMPLE",
        "BOOTSTRAP": "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...",
        "GITHUB": "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
        "SLACK_HOOK_CONFIG": "xoxb-1234567890-abcdefghij",
        "LLM_PROVIDER": "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx",
        "CLAUDE": "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz",
    }
    assert findings(RULE, function(cases)) == sorted((f"{RULE}[Env::{k}]", "Fn") for k in cases)
    assert "AWS access key id" in messages(RULE, function({"AWS_CONFIG": "AKIAIOSFODNN7EXAMPLE"}))[0]


def test_high_entropy_literal_fails_but_identifiers_do_not():
    assert findings(RULE, function({"UPSTREAM_AUTH": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})) == [
        (f"{RULE}[Env::UPSTREAM_AUTH]", "Fn")]
    assert findings(RULE, function({"HMAC": "Xk9mP2qR7vT4wZ8nB3cF6hJ1"})) == [(f"{RULE}[Env::HMAC]", "Fn")]
    assert findings(RULE, function({"ROLE_NAME": "MyStack-ToolsFunctionServiceRole9F2C4-AbC1dEfGh2Ij",
                                    "HEX": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                                    "PATHS": "/opt/python/lib/AbC9xYz/Q1w2E3r4T5y6"})) == []


def test_dynamic_references_fail_in_literals_and_intrinsics():
    variables = {
        "DB_CONFIG": "{{resolve:secretsmanager:prod/db:SecretString:password}}",
        "TOKEN_PARAM": {"Fn::Sub": "{{resolve:ssm-secure:/prod/${Env}/token}}"},
        "CONN": {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": "DbSecret"}, ":SecretString:password}}"]]},
        "PLAIN_SSM": "{{resolve:ssm:/prod/model-id}}",
    }
    assert findings(RULE, function(variables)) == [
        (f"{RULE}[Env::CONN]", "Fn"), (f"{RULE}[Env::DB_CONFIG]", "Fn"), (f"{RULE}[Env::TOKEN_PARAM]", "Fn")]


def test_intrinsics_never_fail_name_or_entropy_checks():
    variables = {"DB_PASSWORD": {"Ref": "DbPasswordParam"}, "API_KEY": {"Fn::ImportValue": "SharedApiKey"},
                 "AUTH_TOKEN": {"Fn::GetAtt": ["Token", "Value"]}}
    params = {"Parameters": {"DbPasswordParam": {"Type": "String", "NoEcho": True}}}
    assert findings(RULE, function(variables), **params) == []


def test_parameter_default_is_a_literal_in_the_template():
    params = {"Parameters": {"DbPassword": {"Type": "String", "NoEcho": True, "Default": "Sup3rS3cret!"}}}
    resources = function({"DB_PASSWORD": {"Ref": "DbPassword"}})
    assert findings(RULE, resources, **params) == [(f"{RULE}[Env::DB_PASSWORD]", "Fn")]
    assert "from the default of parameter DbPassword" in messages(RULE, resources, **params)[0]
    ssm = {"Parameters": {"DbPassword": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/prod/db/pw"}}}
    assert findings(RULE, resources, **ssm) == []


def test_fn_if_branches_are_judged():
    resources = function({"API_TOKEN": {"Fn::If": ["IsDev", "dev-token-123", {"Ref": "AWS::NoValue"}]}})
    assert findings(RULE, resources) == [(f"{RULE}[Env::API_TOKEN]", "Fn")]
    assert "IsDev is true" in messages(RULE, resources)[0]


def test_agentcore_runtime_variables():
    assert findings(RULE, runtime({"MODEL_ID": "amazon.nova-pro-v1:0", "TAVILY_API_KEY": "tvly-abc123"})) == [
        (f"{RULE}[Env::TAVILY_API_KEY]", "Agent")]


def test_ecs_container_environment_detail_names_container():
    environment = [{"Name": "LOG_LEVEL", "Value": "INFO"}, {"Name": "PGPASSWORD", "Value": "postgres"},
                   {"Name": "DB_PWD", "Value": "postgres"}]
    assert findings(RULE, task(environment)) == [(f"{RULE}[Env::web.DB_PWD]", "Task"),
                                                 (f"{RULE}[Env::web.PGPASSWORD]", "Task")]
    assert findings(RULE, task([{"Name": "SECRET", "Value": "x"}], name={"Ref": "AWS::StackName"})) == [
        (f"{RULE}[Env::${{AWS::StackName}}.SECRET]", "Task")]


def test_odd_shapes_do_not_crash():
    assert findings(RULE, function({"Fn::If": ["C", {"PASSWORD": "a1"}, {}]})) == [(f"{RULE}[Env::PASSWORD]", "Fn")]
    assert findings(RULE, function("not a map")) == []
    assert findings(RULE, function({"NESTED_SECRET": {"a": "b"}, "LIST_TOKEN": ["x"]})) == []
    assert findings(RULE, task("not a list")) == []
    assert findings(RULE, task([None, {"Name": 3}, {"Value": "x"}])) == []
    assert findings(RULE, {"Task": {"Type": "AWS::ECS::TaskDefinition",
                                    "Properties": {"ContainerDefinitions": [7, {"Name": "a", "Environment": {}}]}}}) == []
    assert findings(RULE, {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Environment": "x"}}}) == []


# -- secrets that CloudFormation writes in: Fn::GetAtt of secret-bearing attributes, literals built into a join --

COGNITO_CLIENT = {"Type": "AWS::Cognito::UserPoolClient",
                  "Properties": {"UserPoolId": {"Ref": "Pool"}, "GenerateSecret": True}}
DESCRIBE_CLIENT = {"Type": "Custom::DescribeCognitoUserPoolClient",
                   "Properties": {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:cr"}}


def test_the_issue_case_agentcore_client_secret_from_a_custom_resource_fails():
    """The real assembly of issue 22: CLIENT_SECRET = Fn::GetAtt [CustomResource, UserPoolClient.ClientSecret]."""
    resources = {**runtime({"CLIENT_SECRET": {"Fn::GetAtt": ["CustomResource", "UserPoolClient.ClientSecret"]},
                            "CLIENT_ID": {"Fn::GetAtt": ["CustomResource", "UserPoolClient.ClientId"]}}),
                 "CustomResource": DESCRIBE_CLIENT}
    assert findings(RULE, resources) == [(f"{RULE}[Env::CLIENT_SECRET]", "Agent")]
    assert "Fn::GetAtt CustomResource.UserPoolClient.ClientSecret" in messages(RULE, resources)[0]


def test_secret_bearing_attributes_fail_whatever_the_variable_name():
    resources = {**function({"COGNITO": {"Fn::GetAtt": ["Client", "ClientSecret"]},
                             "AWS_SECRET_ACCESS_KEY": {"Fn::GetAtt": "Key.SecretAccessKey"},
                             "GRAPHQL_KEY": {"Fn::GetAtt": ["AppSyncKey", "ApiKey"]},
                             "DB_CREDENTIALS": {"Fn::GetAtt": ["ReadSecret", "SecretString"]},
                             "CLIENT_ID": {"Fn::GetAtt": ["Client", "ClientId"]},
                             "ACCESS_KEY_ID": {"Ref": "Key"},
                             "SECRET_ARN": {"Fn::GetAtt": ["ReadSecret", "Arn"]}}),
                 "Client": COGNITO_CLIENT,
                 "Key": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": "u"}},
                 "AppSyncKey": {"Type": "AWS::AppSync::ApiKey", "Properties": {"ApiId": "a"}},
                 "ReadSecret": {"Type": "AWS::CloudFormation::CustomResource", "Properties": {"ServiceToken": "t"}}}
    assert findings(RULE, resources) == [(f"{RULE}[Env::AWS_SECRET_ACCESS_KEY]", "Fn"), (f"{RULE}[Env::COGNITO]", "Fn"),
                                         (f"{RULE}[Env::DB_CREDENTIALS]", "Fn"), (f"{RULE}[Env::GRAPHQL_KEY]", "Fn")]


def test_secret_attribute_inside_a_join_or_sub_and_under_fn_if_fails():
    resources = {**function({
        "AUTH_HEADER": {"Fn::Sub": "Basic ${Client.ClientSecret}"},
        "CREDENTIALS_PAIR": {"Fn::Join": [":", [{"Ref": "Client"}, {"Fn::GetAtt": ["Client", "ClientSecret"]}]]},
        "MAYBE": {"Fn::If": ["UseCognito", {"Fn::GetAtt": ["Client", "ClientSecret"]}, "none"]}}),
        "Client": COGNITO_CLIENT}
    assert findings(RULE, resources) == [(f"{RULE}[Env::AUTH_HEADER]", "Fn"), (f"{RULE}[Env::CREDENTIALS_PAIR]", "Fn"),
                                         (f"{RULE}[Env::MAYBE]", "Fn")]
    assert any("when condition UseCognito is true" in m for m in messages(RULE, resources))


def test_a_secret_attribute_of_another_type_or_an_unknown_target_passes():
    resources = {**function({"CLIENT_SECRET": {"Fn::GetAtt": ["Other", "ClientSecret"]},
                             "API_TOKEN": {"Fn::GetAtt": ["Outside", "Token"]},
                             "SECRET_NAME": {"Fn::GetAtt": ["ReadSecret", "Name"]}}),
                 "Other": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "v"}},
                 "ReadSecret": DESCRIBE_CLIENT}
    assert findings(RULE, resources) == []


def test_literal_secrets_built_into_join_or_sub_fail():
    variables = {
        "DB_PASSWORD": {"Fn::Sub": "${AWS::StackName}-Sup3rS3cret"},
        "UPSTREAM": {"Fn::Join": ["", ["Bearer ghp_", "abcdefghijklmnopqrstuvwxyz0123", {"Ref": "AWS::NoValue"}]]},
        "SIGNING": {"Fn::Sub": "${Stage}:Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lm+/="},
        # pass: secret-looking names whose literal pieces are separators, paths or ARNs
        "API_TOKEN": {"Fn::Join": [":", [{"Ref": "A"}, {"Ref": "B"}]]},
        "SECRET_KEY": {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:db"},
        "PASSWORD": {"Fn::Sub": "/${Stage}/db/password"},
        "CONNECTION": {"Fn::Sub": "postgres://${Host}:5432/app"},
    }
    assert findings(RULE, function(variables), Parameters={"Stage": {"Type": "String"}}) == [
        (f"{RULE}[Env::DB_PASSWORD]", "Fn"), (f"{RULE}[Env::SIGNING]", "Fn"), (f"{RULE}[Env::UPSTREAM]", "Fn")]
    assert all("Sup3rS3cret" not in m for m in messages(RULE, function(variables)))
