from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from tests.rules.helpers import findings, messages

RULE = "AISEC-INF-16"
ISOLATED = {"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True,
            "VpcConfig": {"Subnets": [{"Ref": "Subnet"}], "SecurityGroupIds": [{"Ref": "Group"}]}}


def definition(name="DataQuality", kind="DataQuality", network=None):
    props = {"RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}, "JobResources": {}}
    if network is not None:
        props["NetworkConfig"] = network
    return {name: {"Type": f"AWS::SageMaker::{kind}JobDefinition", "Properties": props}}


def schedule(name="Schedule", network=None, inline=True):
    config = {"ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}}
    if inline:
        config["MonitoringJobDefinition"] = {"RoleArn": "arn:aws:iam::111122223333:role/monitor"}
        if network is not None:
            config["MonitoringJobDefinition"]["NetworkConfig"] = network
    else:
        config["MonitoringJobDefinitionName"] = {"Fn::GetAtt": ["DataQuality", "JobDefinitionName"]}
        config["MonitoringType"] = "DataQuality"
    return {name: {"Type": "AWS::SageMaker::MonitoringSchedule",
                   "Properties": {"MonitoringScheduleName": "m", "MonitoringScheduleConfig": config}}}


def test_isolated_definition_and_inline_schedule_pass():
    assert findings(RULE, {**definition(network=ISOLATED), **schedule(network=ISOLATED)}) == []


def test_absent_or_false_isolation_fails_on_each_resource():
    resources = {**definition(), **definition("Other", network={"EnableNetworkIsolation": False}),
                 **schedule(network={"EnableInterContainerTrafficEncryption": True})}
    assert findings(RULE, resources) == [(RULE, "DataQuality"), (RULE, "Other"), (RULE, "Schedule")]
    text = messages(RULE, resources)
    assert any("NetworkConfig is not set, so NetworkConfig.EnableNetworkIsolation defaults to false" in t for t in text)
    assert any("NetworkConfig.EnableNetworkIsolation is false; must be true" in t for t in text)


def test_schedule_naming_a_definition_is_left_to_the_definition():
    assert findings(RULE, {**definition(network=ISOLATED), **schedule(inline=False)}) == []
    assert findings(RULE, {**definition(), **schedule(inline=False)}) == [(RULE, "DataQuality")]


def test_schedule_config_under_fn_if_is_judged_per_branch():
    inline = schedule(network={"EnableNetworkIsolation": False})["Schedule"]["Properties"]["MonitoringScheduleConfig"]
    named = schedule(inline=False)["Schedule"]["Properties"]["MonitoringScheduleConfig"]
    resources = {"Schedule": {"Type": "AWS::SageMaker::MonitoringSchedule",
                              "Properties": {"MonitoringScheduleConfig": {"Fn::If": ["Inline", inline, named]}}}}
    assert findings(RULE, resources) == [(RULE, "Schedule")]
    assert "when condition Inline is true" in messages(RULE, resources)[0]
    resources["Schedule"]["Properties"]["MonitoringScheduleConfig"] = {"Fn::If": ["Named", named, named]}
    assert findings(RULE, resources) == []


def test_every_job_type_is_judged():
    resources = {**definition("Bias", "ModelBias"), **definition("Quality", "ModelQuality"),
                 **definition("Explain", "ModelExplainability", network={"EnableNetworkIsolation": False})}
    assert findings(RULE, resources) == [(RULE, "Bias"), (RULE, "Explain"), (RULE, "Quality")]
    assert findings(RULE, {**definition("Bias", "ModelBias", network=ISOLATED),
                           **definition("Quality", "ModelQuality", network=ISOLATED)}) == []


def test_intrinsics_parameters_and_conditions():
    params = {"Parameters": {"Isolate": {"Type": "String", "Default": "false"}, "NoDefault": {"Type": "String"}}}
    resources = {**definition("FromParam", network={"EnableNetworkIsolation": {"Ref": "Isolate"}}),
                 **definition("Unknown", network={"EnableNetworkIsolation": {"Ref": "NoDefault"}}),
                 **definition("Imported", network={"Fn::ImportValue": "shared-network-config"}),
                 **definition("Branches", network={"Fn::If": ["Prod", ISOLATED, {"EnableNetworkIsolation": False}]}),
                 **definition("StringTrue", network={"EnableNetworkIsolation": "true"})}
    assert findings(RULE, resources, **params) == [(RULE, "Branches"), (RULE, "FromParam"), (RULE, "Imported"),
                                                   (RULE, "Unknown")]
    text = " | ".join(messages(RULE, resources, **params))
    assert "from the default of parameter Isolate" in text
    assert "cannot be verified at synth time (parameter NoDefault has no default)" in text
    assert "NetworkConfig cannot be verified at synth time" in text
    assert "when condition Prod is false" in text


def test_odd_shapes_do_not_crash():
    resources = {**definition("List", network=[ISOLATED]), **schedule(network="isolated")}
    assert findings(RULE, resources) == [(RULE, "List"), (RULE, "Schedule")]


def test_metadata():
    rule = BY_ID[RULE]
    assert rule.security_hub == ("SageMaker.11", "SageMaker.12", "SageMaker.14", "SageMaker.20", "SageMaker.25")
    assert rule.applies(Phase.ENHANCED, frozenset({Capability.ANSWERS}))
    assert not rule.applies(Phase.FOUNDATIONAL, frozenset({Capability.ANSWERS}))
