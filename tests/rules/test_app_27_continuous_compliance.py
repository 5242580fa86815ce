from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-27"
AGENT = {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a"}}
RUNTIME = {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {"AgentRuntimeName": "rt"}}
HUB = {"Type": "AWS::SecurityHub::Hub", "Properties": {"EnableDefaultStandards": False}}
AI_ARN = {"Fn::Sub": "arn:${AWS::Partition}:securityhub:${AWS::Region}::standards/ai-security-best-practices/v/1.0.0"}
STANDARD = {"Type": "AWS::SecurityHub::Standard", "Properties": {"StandardsArn": AI_ARN}}
RECORDER = {"Type": "AWS::Config::ConfigurationRecorder", "Properties": {"RoleARN": {"Fn::GetAtt": ["R", "Arn"]}}}
GRAPH = {"Type": "AWS::Detective::Graph", "Properties": {"AutoEnableMembers": False}}
ALL = {"Hub": HUB, "Standard": STANDARD, "Recorder": RECORDER, "Graph": GRAPH}


def config_rule(identifier, owner="AWS"):
    return {"Type": "AWS::Config::ConfigRule", "Properties": {"Source": {"Owner": owner, "SourceIdentifier": identifier}}}


def test_full_posture_passes_only_checked_at_advanced():
    assert findings(RULE, {"Agent": AGENT, **ALL}) == []
    assert findings(RULE, {"Agent": AGENT}, Phase.ENHANCED) == []


def test_each_missing_part_is_its_own_workload_finding():
    assert findings(RULE, {"Agent": AGENT}) == [(f"{RULE}[AiStandard]", "Agent"), (f"{RULE}[ConfigRecorder]", "Agent"),
                                                (f"{RULE}[Forensics]", "Agent"), (f"{RULE}[SecurityHub]", "Agent")]
    assert any("acknowledge AISEC-APP-27[SecurityHub]" in m for m in messages(RULE, {"Agent": AGENT}))


def test_security_lake_counts_for_forensics_and_hub_v2_does_not_count():
    resources = {"Agent": AGENT, **ALL, "Graph": {"Type": "AWS::SecurityLake::DataLake", "Properties": {}}}
    assert findings(RULE, resources) == []
    resources = {"Agent": AGENT, **ALL, "Hub": {"Type": "AWS::SecurityHub::HubV2", "Properties": {}}}
    assert findings(RULE, resources) == [(f"{RULE}[SecurityHub]", "Agent")]


def test_other_standard_does_not_count_but_config_rules_can_replace_it():
    fsbp = {"Type": "AWS::SecurityHub::Standard", "Properties": {
        "StandardsArn": "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"}}
    resources = {"Runtime": RUNTIME, **ALL, "Standard": fsbp}
    assert findings(RULE, resources) == [(f"{RULE}[AiStandard]", "Runtime")]
    assert "BEDROCKAGENTCORE_RUNTIME_PRIVATE_NETWORK_REQUIRED" in messages(RULE, resources)[0]
    resources["Rule"] = config_rule("BEDROCKAGENTCORE_RUNTIME_PRIVATE_NETWORK_REQUIRED")
    assert findings(RULE, resources) == []
    resources["Rule"] = config_rule("BEDROCKAGENTCORE_RUNTIME_PRIVATE_NETWORK_REQUIRED", owner="CUSTOM_LAMBDA")
    assert findings(RULE, resources) == [(f"{RULE}[AiStandard]", "Runtime")]


def test_config_rules_alone_do_not_count_without_evaluated_resource_types():
    resources = {"Agent": AGENT, **ALL, "Standard": config_rule("BEDROCK_DATA_SOURCE_ENCRYPTION_ENABLED")}
    assert findings(RULE, resources) == [(f"{RULE}[AiStandard]", "Agent")]


def test_standards_arn_parameter_default_and_import():
    params = {"Parameters": {"Arn": {"Type": "String",
                                     "Default": "arn:aws:securityhub:eu-west-1::standards/ai-security-best-practices/v/1.0.0"},
                             "Other": {"Type": "String"}}}
    standard = {"Type": "AWS::SecurityHub::Standard", "Properties": {"StandardsArn": {"Ref": "Arn"}}}
    assert findings(RULE, {"Agent": AGENT, **ALL, "Standard": standard}, **params) == []
    standard = {"Type": "AWS::SecurityHub::Standard", "Properties": {"StandardsArn": {"Fn::ImportValue": "AiStd"}}}
    assert findings(RULE, {"Agent": AGENT, **ALL, "Standard": standard}, **params) == [(f"{RULE}[AiStandard]", "Agent")]
    joined = {"Fn::Join": ["", ["arn:aws:securityhub:", {"Ref": "AWS::Region"}, "::standards/ai-security-best-practices/v/1.0.0"]]}
    standard = {"Type": "AWS::SecurityHub::Standard", "Properties": {"StandardsArn": joined}}
    assert findings(RULE, {"Agent": AGENT, **ALL, "Standard": standard}) == []


def test_odd_shapes_do_not_crash():
    resources = {"Agent": AGENT, **ALL, "Standard": {"Type": "AWS::SecurityHub::Standard", "Properties": {"StandardsArn": 7}},
                 "Rule": {"Type": "AWS::Config::ConfigRule", "Properties": {"Source": "AWS"}}}
    assert findings(RULE, resources) == [(f"{RULE}[AiStandard]", "Agent")]
