from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-04"
ROLE = "arn:aws:iam::123456789012:role/agent"


def function(vpc=True):
    props = {"Role": ROLE, "Runtime": "python3.12", "Handler": "index.handler", "Code": {"ZipFile": "x"}}
    if vpc is True:
        props["VpcConfig"] = {"SubnetIds": ["subnet-0123456789abcdef0"], "SecurityGroupIds": [{"Fn::GetAtt": ["Sg", "GroupId"]}]}
    elif vpc is not None:
        props["VpcConfig"] = vpc
    return {"Type": "AWS::Lambda::Function", "Properties": props}


def agent(executor):
    return {"Type": "AWS::Bedrock::Agent", "Properties": {
        "AgentName": "agent", "AgentResourceRoleArn": ROLE, "FoundationModel": "anthropic.claude-3-haiku-20240307-v1:0",
        "ActionGroups": [{"ActionGroupName": "tools", "ActionGroupExecutor": {"Lambda": executor}}]}}


def gateway_target(arn):
    return {"Type": "AWS::BedrockAgentCore::GatewayTarget", "Properties": {
        "Name": "tools", "GatewayIdentifier": "gw-0123456789",
        "TargetConfiguration": {"Mcp": {"Lambda": {"LambdaArn": arn, "ToolSchema": {"InlinePayload": []}}}}}}


def data_source(arn):
    return {"Type": "AWS::Bedrock::DataSource", "Properties": {
        "Name": "docs", "KnowledgeBaseId": "KB12345678",
        "DataSourceConfiguration": {"Type": "S3", "S3Configuration": {"BucketArn": "arn:aws:s3:::docs"}},
        "VectorIngestionConfiguration": {"CustomTransformationConfiguration": {
            "IntermediateStorage": {"S3Location": {"URI": "s3://tmp/"}},
            "Transformations": [{"StepToApply": "POST_CHUNKING", "TransformationFunction": {
                "TransformationLambdaConfiguration": {"LambdaArn": arn}}}]}}}}


ARN = {"Fn::GetAtt": ["Tool", "Arn"]}


def test_tool_in_vpc_passes_for_each_referrer():
    assert findings(RULE, {"Tool": function(), "Agent": agent(ARN)}) == []
    assert findings(RULE, {"Tool": function(), "Target": gateway_target(ARN)}) == []
    assert findings(RULE, {"Tool": function(), "Source": data_source(ARN)}) == []


def test_tool_without_vpc_fails_on_the_function():
    for referrer in (agent(ARN), gateway_target(ARN), data_source(ARN)):
        assert findings(RULE, {"Tool": function(vpc=None), "Ref": referrer}) == [(RULE, "Tool")]
    assert "Agent.ActionGroups[0].ActionGroupExecutor.Lambda" in messages(RULE, {"Tool": function(vpc=None), "Agent": agent(ARN)})[0]


def test_missing_security_groups_fail():
    resources = {"Tool": function(vpc={"SubnetIds": ["subnet-0123456789abcdef0"], "SecurityGroupIds": []}), "Agent": agent(ARN)}
    assert findings(RULE, resources) == [(RULE, "Tool")]
    assert "VpcConfig.SecurityGroupIds is not set" in messages(RULE, resources)[0]


def test_unreferenced_functions_are_not_tools():
    assert findings(RULE, {"Tool": function(vpc=None)}) == []


def test_alias_version_and_sub_references_resolve_to_the_function():
    alias = {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Tool"}, "FunctionVersion": "1", "Name": "live"}}
    assert findings(RULE, {"Tool": function(vpc=None), "Live": alias, "Agent": agent({"Ref": "Live"})}) == [(RULE, "Tool")]
    assert findings(RULE, {"Tool": function(vpc=None), "Agent": agent({"Fn::Sub": "${Tool.Arn}:live"})}) == [(RULE, "Tool")]


def test_fn_if_novalue_branch_means_no_vpc():
    vpc = {"Fn::If": ["Private", {"SubnetIds": ["subnet-0123456789abcdef0"], "SecurityGroupIds": ["sg-12345678"]},
                      {"Ref": "AWS::NoValue"}]}
    resources = {"Tool": function(vpc=vpc), "Agent": agent(ARN)}
    assert findings(RULE, resources) == [(RULE, "Tool")]
    assert "Private is false" in messages(RULE, resources)[0]


def test_function_outside_the_template_is_reported_on_the_referrer():
    resources = {"Agent": agent("arn:aws:lambda:us-east-1:123456789012:function:tool")}
    assert findings(RULE, resources) == [(RULE, "Agent")]
    assert "acknowledge this finding" in messages(RULE, resources)[0]
    assert findings(RULE, {"Target": gateway_target({"Fn::ImportValue": "ToolArn"})}) == [(RULE, "Target")]


def test_capabilities_phase_and_odd_shapes():
    resources = {"Tool": function(vpc=None), "Agent": agent(ARN)}
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == []
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == []
    odd = {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a", "ActionGroups": "tools"}},
           "Source": {"Type": "AWS::Bedrock::DataSource", "Properties": {"VectorIngestionConfiguration": {
               "CustomTransformationConfiguration": {"Transformations": ["x", {"TransformationFunction": "y"}]}}}}}
    assert findings(RULE, odd) == []
