"""AgentContainment: triggers, the function's configuration and least privilege, compliance at Advanced."""
import json

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from aisec_constructs.application import ActionGroup, ActionGroupFunction, Agent, DeniedTopic, FunctionParameter, Guardrail
from aisec_constructs.data import EvidenceArchive
from aisec_constructs.detection import AgentContainment
from aisec_constructs.handlers import agent_containment as handler
from aisec_rules.aws import EVIDENCE_BUCKET_VARIABLE
from aisec_rules.model import Capability, Phase
from tests.cfn_lint import lint_errors
from tests.constructs._application import AR_POLICY, tool_function
from tests.constructs.compliance import aws_solutions_errors, report_only_stack, stack_findings

INSTRUCTION = "You help customers track, create and cancel their orders, politely and briefly."
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"


def build(stack):
    guard = Guardrail(stack, "Guard", denied_topics=[DeniedTopic("Investment", "Advice on securities")],
                      automated_reasoning_policies=[AR_POLICY])
    tool = tool_function(stack)
    agent = Agent(stack, "Agent", instruction=INSTRUCTION, foundation_model=MODEL, guardrail=guard, action_groups=[
        ActionGroup("orders", [ActionGroupFunction("getOrder", "Look up an order",
                                                   {"orderId": FunctionParameter(description="id")}, mutating=False)],
                    executor=tool)])
    archive = EvidenceArchive(stack, "Evidence")
    alarm = cloudwatch.Alarm(stack, "ProbeAlarm", metric=cloudwatch.Metric(namespace="aisec/probes", metric_name="Failures"),
                             threshold=1, evaluation_periods=1)
    containment = AgentContainment(stack, "Containment", archive=archive, agents=[agent], alarms=[alarm])
    Validations.of(archive.secure_bucket.access_logs_bucket).acknowledge(Acknowledgment(
        id="AwsSolutions-S1", reason="The server access log target bucket; logging it to itself would loop."))
    return containment


@pytest.fixture(scope="module")
def stack():
    return report_only_stack("Contained", build)[1]


@pytest.fixture(scope="module")
def template(stack):
    return Template.from_stack(stack)


def rules(template):
    return {k: r["Properties"] for k, r in template.find_resources("AWS::Events::Rule").items()}


def test_guardduty_findings_about_the_agents_role_or_tools_trigger_it(template):
    pattern = next(p["EventPattern"] for p in rules(template).values() if p["EventPattern"]["source"] == ["aws.guardduty"])
    assert pattern["detail-type"] == ["GuardDuty Finding"]
    assert pattern["detail"]["severity"] == [{"numeric": [">=", 4]}]
    role, tool = pattern["detail"]["$or"]
    assert role["resource"]["accessKeyDetails"]["userName"][0]["Ref"].startswith("AgentRole")
    assert tool["resource"]["lambdaDetails"]["functionName"][0]["Ref"].startswith("Tool")


def test_alarms_entering_alarm_trigger_it(template):
    pattern = next(p["EventPattern"] for p in rules(template).values() if p["EventPattern"]["source"] == ["aws.cloudwatch"])
    assert pattern["detail-type"] == ["CloudWatch Alarm State Change"]
    assert pattern["detail"] == {"state": {"value": ["ALARM"]}}
    assert len(pattern["resources"]) == 1 and pattern["resources"][0]["Fn::GetAtt"][0].startswith("ProbeAlarm")
    for properties in rules(template).values():
        assert properties["Targets"][0]["Arn"]["Fn::GetAtt"][0].startswith("ContainmentFunction")


def function(template):
    return next(f["Properties"] for k, f in template.find_resources("AWS::Lambda::Function").items()
                if k.startswith("ContainmentFunction"))


def test_the_function_knows_the_archive_and_what_to_contain(template):
    properties = function(template)
    assert properties["Handler"] == "handlers.agent_containment.handler"
    assert properties["ReservedConcurrentExecutions"] == 1
    variables = properties["Environment"]["Variables"]
    assert handler.BUCKET_VARIABLE == EVIDENCE_BUCKET_VARIABLE  # the handler cannot import aisec_rules
    # the archive's name from pseudo parameters: no cross-stack export when the archive is in the baseline stack
    assert rendered(variables[EVIDENCE_BUCKET_VARIABLE]).startswith(
        'aisec-evidence-{"Ref": "AWS::AccountId"}-{"Ref": "AWS::Region"}-')
    config = rendered(variables[handler.CONFIG_VARIABLE])
    for expected in ('"prefix":"containment/ContainedContainment', '"deny_policy_arn":"{"Ref": "ContainmentDenyAll',
                     '"roles":["{"Ref": "AgentRole', '"functions":["{"Ref": "Tool',
                     '"agents":["{"Fn::GetAtt": ["AgentD78B2CA1", "AgentId"]}"]', '"runtimes":[]', '"lookback_hours":24'):
        assert expected in config, expected


def rendered(value):
    """An Fn::Join of the JSON configuration as text, references shown as their JSON."""
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(rendered(part) for part in parts)
    return value if isinstance(value, str) else json.dumps(value)


def test_the_deny_all_policy_and_least_privilege(template):
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*"}], "Version": "2012-10-17"}})
    statements = [s for k, p in template.find_resources("AWS::IAM::Policy").items() if k.startswith("ContainmentRole")
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    attach = next(s for s in statements if s["Action"] == ["iam:AttachRolePolicy", "iam:DetachRolePolicy"])
    assert attach["Condition"]["ArnEquals"]["iam:PolicyARN"]["Ref"].startswith("ContainmentDenyAll")
    assert attach["Resource"]["Fn::GetAtt"][0].startswith("AgentRole")
    concurrency = next(s for s in statements if "lambda:PutFunctionConcurrency" in s["Action"])
    assert concurrency["Resource"]["Fn::GetAtt"][0].startswith("Tool")
    wildcard = [s for s in statements if s["Resource"] == "*"]
    assert [s["Action"] for s in wildcard] == ["bedrock:GetModelInvocationLoggingConfiguration"]


def test_the_role_may_write_its_prefix_of_the_archive_and_carries_the_writer_tag(template):
    template.has_resource_properties("AWS::IAM::Role", {
        "Description": "aisec: containment of a compromised agent",
        "Tags": [{"Key": "aisec:evidence-writer", "Value": "ContainedEvidenceA6E42446"}]})


def test_passes_the_pack_at_advanced_with_cfn_lint(stack, template):
    found = stack_findings(stack, Phase.ADVANCED, capabilities=set(Capability))
    # the agent is contained, no identity may erase evidence, the archive is write-once
    assert [f for f in found if f.startswith(("AISEC-APP-32", "AISEC-APP-31", "AISEC-DATA-29"))] == []
    # and the construct's own resources (function, role, key, logs, rules, archive) have no finding at all
    assert [f for f in found if f.split(" @ ")[1].startswith(("Containment", "Evidence"))] == []
    assert lint_errors(template.to_json()) == []


def test_passes_aws_solutions_checks():
    app, _ = report_only_stack("ContainedNag", build)  # a fresh app: a synthesized one would not run the plugin again
    assert [e for e in aws_solutions_errors(app) if "/Containment/" in e or "/Evidence/" in e] == []


def test_without_a_containment_the_agent_is_reported():
    stack = cdk.Stack(cdk.App(), "Bare")
    guard = Guardrail(stack, "Guard", denied_topics=[DeniedTopic("Investment", "Advice on securities")])
    Agent(stack, "Agent", instruction=INSTRUCTION, foundation_model=MODEL, guardrail=guard)
    assert [f for f in stack_findings(stack, Phase.ADVANCED) if f.startswith("AISEC-APP-32")] == [
        "AISEC-APP-32 @ AgentD78B2CA1"]


def test_nothing_to_contain_and_bad_severity_are_refused():
    stack = cdk.Stack(cdk.App(), "Empty")
    archive = EvidenceArchive(stack, "Evidence")
    with pytest.raises(ValueError, match="give the agents, runtimes, roles or tool functions"):
        AgentContainment(stack, "Containment", archive=archive)
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("bedrock.amazonaws.com"))
    with pytest.raises(ValueError, match="min_severity 'SEVERE'"):
        AgentContainment(stack, "Other", archive=archive, roles=[role], min_severity="SEVERE")
