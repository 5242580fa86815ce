from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-28"
RUNTIME = {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {
    "AgentRuntimeName": "support_agent", "RoleArn": "arn:aws:iam::1:role/r",
    "AgentRuntimeArtifact": {"ContainerConfiguration": {"ContainerUri": "1.dkr.ecr.us-east-1.amazonaws.com/a:1"}}}}


def evaluation(log_group, **extra):
    props = {"OnlineEvaluationConfigName": "eval", "EvaluationExecutionRoleArn": "arn:aws:iam::1:role/e",
             "Rule": {"SamplingConfig": {"SamplingPercentage": 10}},
             "DataSourceConfig": {"CloudWatchLogs": {"LogGroupNames": [log_group], "ServiceNames": ["support_agent.DEFAULT"]}},
             "Evaluators": [{"EvaluatorId": "Builtin.Helpfulness"}], "ExecutionStatus": "ENABLED"}
    props.update(extra)
    return {"Type": "AWS::BedrockAgentCore::OnlineEvaluationConfig", "Properties": props}


LOG_GROUP = {"Fn::Sub": "/aws/bedrock-agentcore/runtimes/${Runtime.AgentRuntimeId}-DEFAULT"}


def test_runtime_with_enabled_evaluation_passes():
    assert findings(RULE, {"Runtime": RUNTIME, "Eval": evaluation(LOG_GROUP)}) == []


def test_literal_runtime_name_links_too():
    literal = evaluation("/aws/bedrock-agentcore/runtimes/x-DEFAULT")
    assert findings(RULE, {"Runtime": RUNTIME, "Eval": literal}) == []


def test_only_at_advanced():
    assert findings(RULE, {"Runtime": RUNTIME}, Phase.ENHANCED) == []


def test_uncovered_runtime_fails():
    other = evaluation("/aws/other")
    other["Properties"]["DataSourceConfig"]["CloudWatchLogs"]["ServiceNames"] = ["other.DEFAULT"]
    assert findings(RULE, {"Runtime": RUNTIME, "Eval": other}) == [(RULE, "Runtime")]
    assert findings(RULE, {"Runtime": RUNTIME}) == [(RULE, "Runtime")]


def test_disabled_or_empty_configuration_fails_and_does_not_cover():
    resources = {"Runtime": RUNTIME, "Eval": evaluation(LOG_GROUP, ExecutionStatus="DISABLED", Evaluators=[])}
    assert findings(RULE, resources) == [(RULE, "Runtime"), (f"{RULE}[Evaluators]", "Eval"),
                                         (f"{RULE}[ExecutionStatus]", "Eval")]


def test_status_from_parameter_default():
    params = {"Parameters": {"Status": {"Type": "String", "Default": "DISABLED"}}}
    resources = {"Runtime": RUNTIME, "Eval": evaluation(LOG_GROUP, ExecutionStatus={"Ref": "Status"})}
    assert findings(RULE, resources, **params) == [(RULE, "Runtime"), (f"{RULE}[ExecutionStatus]", "Eval")]
    assert any("from the default of parameter Status" in m for m in messages(RULE, resources, **params))


def test_odd_shapes_do_not_crash():
    odd = evaluation(LOG_GROUP, Evaluators="Builtin.Helpfulness")
    odd["Properties"]["DataSourceConfig"] = "logs"
    assert findings(RULE, {"Runtime": RUNTIME, "Eval": odd}) == [(RULE, "Runtime"), (f"{RULE}[Evaluators]", "Eval")]


def test_runtime_name_must_match_as_a_whole_word():
    other = evaluation("/aws/other")
    other["Properties"]["DataSourceConfig"]["CloudWatchLogs"]["ServiceNames"] = ["support_agent_v2.DEFAULT"]
    assert findings(RULE, {"Runtime": RUNTIME, "Eval": other}) == [(RULE, "Runtime")]
