from aisec_rules.model import Capability, Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-APP-21"
KB = {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {"Name": "kb"}}
RUNTIME = {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {"AgentRuntimeName": "rt"}}
SEARCH = {"Type": "AWS::XRay::TransactionSearchConfig", "Properties": {"IndexingPercentage": 1}}


def source(target, log_type="APPLICATION_LOGS", name="src"):
    props = {"Name": name, "ResourceArn": {"Fn::GetAtt": [target, "KnowledgeBaseArn" if target == "KB" else "AgentRuntimeArn"]}}
    if log_type is not None:
        props["LogType"] = log_type
    return {"Type": "AWS::Logs::DeliverySource", "Properties": props}


def delivery(source_name):
    return {"Type": "AWS::Logs::Delivery", "Properties": {"DeliverySourceName": source_name,
                                                          "DeliveryDestinationArn": {"Fn::GetAtt": ["Dest", "Arn"]}}}


def test_delivered_logs_and_transaction_search_pass():
    resources = {"KB": KB, "Runtime": RUNTIME, "Search": SEARCH,
                 "KbSource": source("KB", name="kb-src"), "KbDelivery": delivery({"Ref": "KbSource"}),
                 "RtSource": source("Runtime", name="rt-src"), "RtDelivery": delivery("rt-src")}
    assert findings(RULE, resources) == []


def test_enforced_from_enhanced_for_connects_and_acts():
    resources = {"KB": KB}
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == []
    assert findings(RULE, resources, Phase.ENHANCED) == [(RULE, "KB")]
    assert findings(RULE, resources, capabilities={Capability.ANSWERS}) == []


def test_missing_source_and_missing_delivery():
    resources = {"KB": KB, "Runtime": RUNTIME, "Search": SEARCH, "RtSource": source("Runtime")}
    assert findings(RULE, resources) == [(RULE, "KB"), (RULE, "Runtime")]
    text = " ".join(messages(RULE, resources))
    assert "has no AWS::Logs::DeliverySource" in text and "has no AWS::Logs::Delivery" in text


def test_traces_source_alone_does_not_count_but_absent_log_type_does():
    resources = {"KB": KB, "S": source("KB", log_type="TRACES"), "D": delivery({"Ref": "S"})}
    assert findings(RULE, resources) == [(RULE, "KB")]
    resources = {"KB": KB, "S": source("KB", log_type=None), "D": delivery({"Ref": "S"})}
    assert findings(RULE, resources) == []


def test_transaction_search_is_a_workload_finding_with_its_own_detail():
    resources = {"Runtime": RUNTIME, "S": source("Runtime"), "D": delivery({"Ref": "S"})}
    assert findings(RULE, resources) == [(f"{RULE}[TransactionSearch]", "Runtime")]
    assert "acknowledge AISEC-APP-21[TransactionSearch]" in messages(RULE, resources)[0]
    # both findings on the same anchor survive
    assert findings(RULE, {"Runtime": RUNTIME}) == [(RULE, "Runtime"), (f"{RULE}[TransactionSearch]", "Runtime")]


def test_intrinsic_forms_sub_arns_and_parameter_log_type():
    sub = {"Type": "AWS::Logs::DeliverySource", "Properties": {
        "Name": "s", "LogType": {"Ref": "Kind"}, "ResourceArns": [{"Fn::Sub": "${KB.KnowledgeBaseArn}"}]}}
    params = {"Parameters": {"Kind": {"Type": "String", "Default": "APPLICATION_LOGS"}}}
    assert findings(RULE, {"KB": KB, "S": sub, "D": delivery({"Ref": "S"})}, **params) == []
    params = {"Parameters": {"Kind": {"Type": "String", "Default": "TRACES"}}}
    assert findings(RULE, {"KB": KB, "S": sub, "D": delivery({"Ref": "S"})}, **params) == [(RULE, "KB")]


def test_odd_shapes_do_not_crash():
    resources = {"KB": KB, "S": {"Type": "AWS::Logs::DeliverySource", "Properties": {"Name": ["x"], "ResourceArns": "nope"}},
                 "D": {"Type": "AWS::Logs::Delivery", "Properties": {"DeliverySourceName": {"Fn::Join": ["", []]}}}}
    assert findings(RULE, resources) == [(RULE, "KB")]
