from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-20"
KB = {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {"Name": "kb"}}
GUARDRAIL = {"Type": "AWS::Bedrock::Guardrail", "Properties": {"Name": "g"}}
RUNTIME = {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {"AgentRuntimeName": "rt"}}
PROMPT = {"Type": "AWS::Bedrock::Prompt", "Properties": {"Name": "p"}}


def selector(*types, category="Data", **extra):
    fields = [{"Field": "eventCategory", "Equals": [category]}, {"Field": "resources.type", "Equals": list(types)}]
    fields += [{"Field": k, "StartsWith": v} for k, v in extra.items()]
    return {"Name": "ai", "FieldSelectors": fields}


def trail(*selectors, **props):
    body = {"S3BucketName": "logs", "IsLogging": True, "AdvancedEventSelectors": list(selectors)}
    body.update(props)
    return {"Type": "AWS::CloudTrail::Trail", "Properties": body}


def test_covered_types_pass():
    resources = {"KB": KB, "Guardrail": GUARDRAIL, "Runtime": RUNTIME,
                 "Trail": trail(selector("AWS::Bedrock::KnowledgeBase", "AWS::Bedrock::Guardrail"),
                                selector("AWS::BedrockAgentCore::Runtime", **{"resources.ARN": ["arn:aws:bedrock-agentcore"]}))}
    assert findings(RULE, resources) == []


def test_enforced_from_enhanced_only():
    resources = {"KB": KB, "Trail": trail()}
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == []
    assert findings(RULE, resources, Phase.ENHANCED) == [(f"{RULE}[AWS::Bedrock::KnowledgeBase]", "Trail")]


def test_no_trail_is_one_workload_finding():
    resources = {"KB": KB, "Guardrail": GUARDRAIL}
    assert findings(RULE, resources) == [(RULE, "KB")]
    assert "acknowledge this finding with a reason naming that trail" in messages(RULE, resources)[0]


def test_no_ai_data_event_resources_needs_nothing():
    assert findings(RULE, {"Role": {"Type": "AWS::IAM::Role", "Properties": {}}}) == []


def test_each_missing_type_is_a_finding_on_the_first_store():
    resources = {"KB": KB, "Guardrail": GUARDRAIL, "Runtime": RUNTIME,
                 "ATrail": trail(selector("AWS::Bedrock::Guardrail")),
                 "Store": {"Type": "AWS::CloudTrail::EventDataStore",
                           "Properties": {"AdvancedEventSelectors": [selector("AWS::BedrockAgentCore::Runtime")]}}}
    assert findings(RULE, resources) == [(f"{RULE}[AWS::Bedrock::KnowledgeBase]", "ATrail")]


def test_management_selector_and_stopped_trail_do_not_count():
    resources = {"KB": KB, "Mgmt": trail(selector("AWS::Bedrock::KnowledgeBase", category="Management")),
                 "Stopped": trail(selector("AWS::Bedrock::KnowledgeBase"), IsLogging="false")}
    assert findings(RULE, resources) == [(f"{RULE}[AWS::Bedrock::KnowledgeBase]", "Mgmt")]
    disabled = {"KB": KB, "Store": {"Type": "AWS::CloudTrail::EventDataStore", "Properties": {
        "IngestionEnabled": False, "AdvancedEventSelectors": [selector("AWS::Bedrock::KnowledgeBase")]}}}
    assert findings(RULE, disabled) == [(f"{RULE}[AWS::Bedrock::KnowledgeBase]", "Store")]


def test_prompt_accepts_either_name():
    assert findings(RULE, {"P": PROMPT, "T": trail(selector("AWS::Bedrock::Prompt"))}) == []
    assert findings(RULE, {"P": PROMPT, "T": trail(selector("AWS::Bedrock::PromptVersion"))}) == []
    assert findings(RULE, {"P": PROMPT, "T": trail()}) == [(f"{RULE}[AWS::Bedrock::PromptVersion]", "T")]


def test_parameter_default_resolves_and_unknown_is_unverifiable():
    params = {"Parameters": {"Kind": {"Type": "String", "Default": "AWS::Bedrock::KnowledgeBase"},
                             "Other": {"Type": "String"}}}
    resources = {"KB": KB, "T": trail(selector({"Ref": "Kind"}))}
    assert findings(RULE, resources, **params) == []
    resources = {"KB": KB, "T": trail({"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                          {"Field": "resources.type", "Equals": [{"Ref": "Other"}]}]})}
    assert findings(RULE, resources, **params) == [(f"{RULE}[AWS::Bedrock::KnowledgeBase]", "T")]
    assert "cannot be verified" in messages(RULE, resources, **params)[0]


def test_fn_if_counts_only_what_every_branch_selects():
    def with_types(value):
        return {"KB": KB, "T": trail({"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                                         {"Field": "resources.type", "Equals": value}]})}
    one_branch = with_types({"Fn::If": ["Prod", ["AWS::Bedrock::KnowledgeBase"], ["AWS::S3::Object"]]})
    assert findings(RULE, one_branch) == [(f"{RULE}[AWS::Bedrock::KnowledgeBase]", "T")]
    assert "differ between Fn::If branches" in messages(RULE, one_branch)[0]
    both = with_types({"Fn::If": ["Prod", ["AWS::Bedrock::KnowledgeBase"], ["AWS::Bedrock::KnowledgeBase", "AWS::S3::Object"]]})
    assert findings(RULE, both) == []


def test_odd_shapes_do_not_crash():
    resources = {"KB": KB, "T": trail("not-a-selector", {"FieldSelectors": "x"}, {"FieldSelectors": [42, {"Field": 1}]}),
                 "U": {"Type": "AWS::CloudTrail::Trail", "Properties": {"AdvancedEventSelectors": {"Ref": "X"}}}}
    assert findings(RULE, resources) == [(f"{RULE}[AWS::Bedrock::KnowledgeBase]", "T")]
