"""What aisec probe probes: ID:VERSION on the command line, and the guardrail versions of templates mapped to
their physical ids with CloudFormation DescribeStackResources (botocore's Stubber)."""
import json

import botocore.session
import pytest
from botocore.stub import Stubber

from aisec_rules.probe import targets
from aisec_rules.probe.runner import ProbeError, Target
from aisec_rules.probe.topics import Topic
from aisec_rules.read.loader import load_stacks

ARN = "arn:aws:bedrock:eu-west-1:111111111111:guardrail/abc123def456"


def test_id_version_is_parsed_at_the_last_colon():
    assert targets.parse("abc123def456:3") == Target("abc123def456", "3")
    assert targets.parse(f"{ARN}:DRAFT") == Target(ARN, "DRAFT")
    for bad in ("abc123", "abc123:0", "abc123:v1", "ABC:1", "arn:aws:s3:::bucket:1", ":1"):
        with pytest.raises(ValueError, match="is not ID:VERSION"):
            targets.parse(bad)


def template(topics=None, identifier=None, extra=None):
    guardrail = {"Type": "AWS::Bedrock::Guardrail", "Properties": {"Name": "g", "BlockedInputMessaging": "no",
                                                                   "BlockedOutputsMessaging": "no"}}
    if topics is not None:
        guardrail["Properties"]["TopicPolicyConfig"] = {"TopicsConfig": topics}
    resources = {"Guardrail": guardrail, "Version": {"Type": "AWS::Bedrock::GuardrailVersion", "Properties": {
        "GuardrailIdentifier": identifier or {"Fn::GetAtt": ["Guardrail", "GuardrailId"]}}}}
    resources.update(extra or {})
    return {"Parameters": {"Example": {"Type": "String", "Default": "Which fund should I pick?"},
                           "Open": {"Type": "String"}},
            "Conditions": {"C": {"Fn::Equals": ["a", "b"]}}, "Resources": resources}


def cdk_out(tmp_path, body, stack_name="chat-assistant", environment="aws://111111111111/eu-west-1"):
    folder = tmp_path / "cdk.out"
    folder.mkdir()
    (folder / "Chat.template.json").write_text(json.dumps(body))
    properties = {"templateFile": "Chat.template.json"}
    if stack_name:
        properties["stackName"] = stack_name
    (folder / "manifest.json").write_text(json.dumps({"version": "40.0.0", "artifacts": {"Chat": {
        "type": "aws:cloudformation:stack", "environment": environment, "properties": properties, "displayName": "Chat"}}}))
    return folder


def cloudformation(region="eu-west-1"):
    return botocore.session.get_session().create_client(
        "cloudformation", region_name=region, aws_access_key_id="test", aws_secret_access_key="test")


def resource(logical_id, physical):
    return {"StackResources": [{"StackName": "chat-assistant", "LogicalResourceId": logical_id,
                                "PhysicalResourceId": physical, "ResourceType": "AWS::Bedrock::GuardrailVersion",
                                "Timestamp": "2026-01-01T00:00:00Z", "ResourceStatus": "CREATE_COMPLETE"}]}


def test_deployed_versions_map_to_their_physical_ids_with_topics_from_the_template(tmp_path):
    topics = [{"Name": "InvestmentAdvice", "Definition": "Advice on funds.", "Type": "DENY",
               "Examples": [{"Ref": "Example"}, {"Ref": "Open"}, "Should I buy shares?"]},
              {"Name": {"Fn::If": ["C", "A", "B"]}, "Definition": "two names", "Type": "DENY"}]
    folder = cdk_out(tmp_path, template(topics))
    stacks = load_stacks([folder])
    found, notices = targets.declared(stacks, targets.stack_names([folder]))
    assert notices == []
    assert [(d.stack_name, d.region, d.logical_id) for d in found] == [("chat-assistant", "eu-west-1", "Version")]
    client, regions = cloudformation(), []
    with Stubber(client) as stub:
        stub.add_response("describe_stack_resources", resource("Version", "abc123def456|4"),
                          {"StackName": "chat-assistant", "LogicalResourceId": "Version"})
        resolved = targets.resolve(found, lambda region: regions.append(region) or client)
        stub.assert_no_pending_responses()
    assert regions == ["eu-west-1"]
    assert resolved == [Target("abc123def456", "4", (Topic("InvestmentAdvice", "Advice on funds.", (
        "Which fund should I pick?", "Should I buy shares?")),), "eu-west-1", "Chat", "Version",
        str(folder / "Chat.template.json"))]


def test_a_stack_without_a_manifest_name_uses_its_artifact_id_and_an_agnostic_stack_the_default_region(tmp_path):
    folder = cdk_out(tmp_path, template(), stack_name=None, environment="aws://unknown-account/unknown-region")
    found, _ = targets.declared(load_stacks([folder]), targets.stack_names([folder]))
    assert [(d.stack_name, d.region, d.topics) for d in found] == [("Chat", None, ())]
    plain = tmp_path / "support.template.json"
    plain.write_text(json.dumps(template()))
    found, _ = targets.declared(load_stacks([plain]), targets.stack_names([plain]))
    assert [(d.stack_name, d.region) for d in found] == [("support", None)]


def test_an_unpublished_guardrail_gets_a_notice(tmp_path):
    body = template(extra={"Draft": {"Type": "AWS::Bedrock::Guardrail", "Properties": {"Name": "d"}}})
    _, notices = targets.declared(load_stacks([cdk_out(tmp_path, body)]), {})
    assert notices == ["Chat/Draft: not probed: no AWS::Bedrock::GuardrailVersion publishes it (probe its DRAFT "
                       "with --guardrail ARN:DRAFT)"]


def test_a_stack_or_resource_not_deployed_is_a_one_line_error(tmp_path):
    folder = cdk_out(tmp_path, template())
    found, _ = targets.declared(load_stacks([folder]), targets.stack_names([folder]))
    client = cloudformation()
    with Stubber(client) as stub:
        stub.add_client_error("describe_stack_resources", "ValidationError",
                              "Stack with id chat-assistant does not exist", 400)
        with pytest.raises(ProbeError, match="^stack chat-assistant in eu-west-1: Stack with id chat-assistant does "
                                             r"not exist \(deploy the stack, or check the Region and credentials\)$"):
            targets.resolve(found, lambda region: client)
    with Stubber(client) as stub:
        stub.add_response("describe_stack_resources", {"StackResources": []})
        with pytest.raises(ProbeError, match="Version is not deployed"):
            targets.resolve(found, lambda region: client)
    with Stubber(client) as stub:
        stub.add_response("describe_stack_resources", resource("Version", "arn:aws:bedrock:something"))
        with pytest.raises(ProbeError, match="not <guardrail id>|<version>"):
            targets.resolve(found, lambda region: client)
