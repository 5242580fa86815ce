"""AISEC-APP-33: organization policies declared in the management account's environment count for every
environment of the system they are attached to; each missing part is its own finding, attached to the
environment judged."""
import copy
import datetime as dt
import json

import pytest

from aisec_rules.engine import evaluate_system
from aisec_rules.model import Phase
from aisec_rules.read.stack import AGNOSTIC, Stack
from aisec_rules.read.template import Template
from aisec_rules.registry import BY_ID
from tests.rules.helpers import findings

RULE = "AISEC-APP-33"
MANAGEMENT = "aws://111111111111/us-east-1"
MEMBER = "aws://222222222222/eu-west-1"
DETAILS = ["AiServicesOptOut", "BedrockPolicy", "BrowserOutsideVpc", "CodeInterpreterOutsideVpc", "GuardrailChanges",
           "InvocationLoggingChanges", "RuntimeOutsideVpc", "TrailChanges"]
WORKLOAD = {"Guard": {"Type": "AWS::Bedrock::Guardrail", "Properties": {
    "Name": "g", "BlockedInputMessaging": "no", "BlockedOutputsMessaging": "no"}}}
PIPELINE = "arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*"
STATEMENTS = [
    {"Sid": "Guardrails", "Effect": "Deny", "Resource": "*",
     "Action": ["bedrock:DeleteGuardrail", "bedrock:UpdateGuardrail", "bedrock:PutEnforcedGuardrailConfiguration",
                "bedrock:DeleteEnforcedGuardrailConfiguration"],
     "Condition": {"ArnNotLike": {"aws:PrincipalArn": [PIPELINE]}}},
    {"Sid": "Logging", "Effect": "Deny", "Resource": "*",
     "Action": ["bedrock:PutModelInvocationLoggingConfiguration", "bedrock:DeleteModelInvocationLoggingConfiguration"],
     "Condition": {"ArnNotLike": {"aws:PrincipalArn": PIPELINE}}},
    {"Sid": "Trails", "Effect": "Deny", "Resource": "*", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]},
    {"Sid": "Vpc", "Effect": "Deny", "Resource": "*",
     "Action": ["bedrock-agentcore:CreateAgentRuntime", "bedrock-agentcore:UpdateAgentRuntime",
                "bedrock-agentcore:CreateCodeInterpreter", "bedrock-agentcore:CreateBrowser"],
     "Condition": {"Null": {"bedrock-agentcore:subnets": "true", "bedrock-agentcore:securityGroups": "true"}}},
]
GUARDRAIL = "arn:aws:bedrock:eu-west-1:111111111111:guardrail/abc123"
BEDROCK_CONTENT = {"bedrock": {"guardrail_inference": {"eu-west-1": {"config_1": {
    "identifier": {"@@assign": GUARDRAIL + ":3"},
    "selective_content_guarding": {"messages": {"@@assign": "comprehensive"}},
    "model_enforcement": {"included_models": {"@@assign": ["ALL"]}}}}}}}
OPT_OUT_CONTENT = {"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}}
TARGETS = ["ou-abcd-12345678"]


def policy(kind, content, targets=TARGETS):
    props = {"Name": kind.lower(), "Type": kind, "Content": content}
    if targets is not None:
        props["TargetIds"] = targets
    return {"Type": "AWS::Organizations::Policy", "Properties": props}


def organization(statements=STATEMENTS, bedrock=BEDROCK_CONTENT, opt_out=OPT_OUT_CONTENT, targets=TARGETS):
    return {"Scp": policy("SERVICE_CONTROL_POLICY", {"Version": "2012-10-17", "Statement": statements}, targets),
            "Bedrock": policy("BEDROCK_POLICY", bedrock, targets),
            "OptOut": policy("AISERVICES_OPT_OUT_POLICY", opt_out, targets)}


def judge(org, member=MEMBER, ack=None, rule=RULE, **sections):
    workload = copy.deepcopy(WORKLOAD)
    if ack is not None:
        workload["Guard"]["Metadata"] = {"cdk_nag": {"rules_to_suppress": [{"id": ack[0], "reason": ack[1]}]}}
    stacks = [Stack(Template({"Resources": org, **sections}, "org.template.json"), "OrganizationBaseline", MANAGEMENT),
              Stack(Template({"Resources": workload}, "work.template.json"), "Workload", member)]
    return evaluate_system(stacks, Phase.ADVANCED, rules=[BY_ID[rule]], today=dt.date(2026, 6, 1))


def ids(org, member=MEMBER, **sections):
    """(finding id, environment, resource) of the unacknowledged findings."""
    return sorted((f.id, f.environment, f.resource) for f in judge(org, member, **sections) if not f.acknowledged)


def details(org, member=MEMBER, **sections):
    return [i.split("[", 1)[1].rstrip("]") for i, env, resource in ids(org, member, **sections)
            if env == member and resource == "Guard"]


def message(org, detail, member=MEMBER, **sections):
    return next(f.message for f in judge(org, member, **sections) if f.detail == detail)


def without(sid, action=None):
    """The statements with one statement gone (or only one of its actions)."""
    result = []
    for statement in copy.deepcopy(STATEMENTS):
        if statement["Sid"] == sid:
            if action is None:
                continue
            statement["Action"] = [a for a in statement["Action"] if a != action]
        result.append(statement)
    return result


def test_management_policies_satisfy_the_member_environment():
    assert ids(organization()) == []


def test_the_management_environment_itself_is_not_an_ai_system():
    assert {env for _, env, _ in ids({}, member=MEMBER)} == {MEMBER}


def test_nothing_in_the_system_is_one_finding_per_part_on_the_member_environment():
    assert ids({}) == [(f"{RULE}[{d}]", MEMBER, "Guard") for d in DETAILS]
    assert "the system declares no AWS::Organizations::Policy of type SERVICE_CONTROL_POLICY" in \
        message({}, "GuardrailChanges")
    assert "the system declares no AWS::Organizations::Policy of type BEDROCK_POLICY" in message({}, "BedrockPolicy")


def test_only_at_advanced_and_only_for_bedrock():
    stacks = [Stack(Template({"Resources": WORKLOAD}, "w.json"), "W", MEMBER)]
    assert evaluate_system(stacks, Phase.ENHANCED, rules=[BY_ID[RULE]]) == []
    sagemaker = {"Model": {"Type": "AWS::SageMaker::Model", "Properties": {"ExecutionRoleArn": "arn:aws:iam::1:role/r"}}}
    stacks = [Stack(Template({"Resources": sagemaker}, "w.json"), "W", MEMBER)]
    assert evaluate_system(stacks, Phase.ADVANCED, rules=[BY_ID[RULE]]) == []


@pytest.mark.parametrize("sid,detail", [("Guardrails", "GuardrailChanges"), ("Logging", "InvocationLoggingChanges"),
                                        ("Trails", "TrailChanges")])
def test_each_missing_denial_is_its_own_finding(sid, detail):
    assert details(organization(without(sid))) == [detail]


@pytest.mark.parametrize("action,detail", [("bedrock:UpdateGuardrail", "GuardrailChanges"),
                                           ("bedrock-agentcore:UpdateAgentRuntime", "RuntimeOutsideVpc"),
                                           ("bedrock-agentcore:CreateCodeInterpreter", "CodeInterpreterOutsideVpc"),
                                           ("bedrock-agentcore:CreateBrowser", "BrowserOutsideVpc")])
def test_one_action_missing_is_named(action, detail):
    sid = "Guardrails" if action.startswith("bedrock:") else "Vpc"
    org = organization(without(sid, action))
    assert details(org) == [detail]
    assert f": {action} is not denied. Add the denial" in message(org, detail)


def test_wildcards_and_not_action_count():
    statements = [{"Effect": "Deny", "Resource": "*", "Action": ["bedrock:*Guardrail*", "bedrock:*ModelInvocationLogging*",
                                                                "cloudtrail:*"]},
                  {"Effect": "Deny", "Resource": "*", "NotAction": ["bedrock-agentcore:Invoke*"],
                   "Condition": {"Null": {"bedrock-agentcore:subnets": True}}}]
    assert details(organization(statements)) == []
    allow = [dict(s, Effect="Allow") for s in statements]
    assert details(organization(allow)) == DETAILS[2:]


def test_conditions_that_narrow_the_denial_do_not_count():
    narrowed = without("Trails") + [{"Effect": "Deny", "Resource": "*", "Action": ["cloudtrail:StopLogging",
                                                                                   "cloudtrail:DeleteTrail"],
                                     "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]
    assert details(organization(narrowed)) == ["TrailChanges"]
    assert "denies cloudtrail:StopLogging only under the condition StringEquals on aws:requestedregion" in \
        message(organization(narrowed), "TrailChanges")
    everyone = copy.deepcopy(STATEMENTS)
    everyone[0]["Condition"] = {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/*"]}}
    assert details(organization(everyone)) == ["GuardrailChanges"]
    assert "names no role" in message(organization(everyone), "GuardrailChanges")
    scoped = copy.deepcopy(STATEMENTS)
    scoped[2]["Resource"] = "arn:aws:cloudtrail:*:*:trail/audit"
    assert "on named resources" in message(organization(scoped), "TrailChanges")


def test_the_vpc_denial_needs_the_null_condition_or_none():
    approved_only = copy.deepcopy(STATEMENTS)
    approved_only[3]["Condition"] = {"ForAnyValue:StringNotEquals": {"bedrock-agentcore:subnets": ["subnet-1"]}}
    assert details(organization(approved_only)) == ["BrowserOutsideVpc", "CodeInterpreterOutsideVpc", "RuntimeOutsideVpc"]
    unconditional = copy.deepcopy(STATEMENTS)
    del unconditional[3]["Condition"]
    assert details(organization(unconditional)) == []
    null_elsewhere = copy.deepcopy(STATEMENTS)
    null_elsewhere[0]["Condition"] = {"Null": {"bedrock-agentcore:subnets": "true"}}  # not a VPC denial
    assert details(organization(null_elsewhere)) == ["GuardrailChanges"]


def test_policies_must_reach_the_environment():
    elsewhere = organization(targets=["333333333333"])
    assert details(elsewhere) == DETAILS
    assert "does not apply here: it is attached only to 333333333333, not to account 222222222222" in \
        message(elsewhere, "GuardrailChanges")
    assert details(organization(targets=["222222222222"])) == []
    assert details(organization(targets=["r-ab12"])) == []
    assert "it is attached to nothing (no TargetIds)" in message(organization(targets=None), "BedrockPolicy")


def test_an_agnostic_environment_is_reached_by_any_attached_policy():
    assert details(organization(targets=["333333333333"]), member=AGNOSTIC) == []


def test_scps_do_not_restrict_the_management_account():
    assert details(organization(), member="aws://111111111111/eu-west-1") == DETAILS[2:]
    assert "service control policies do not restrict the management account" in \
        message(organization(), "TrailChanges", member="aws://111111111111/eu-west-1")


def test_intrinsics_targets_type_and_pipeline_roles():
    org = organization(targets=[{"Ref": "Ou"}])
    org["Ou"] = {"Type": "AWS::Organizations::OrganizationalUnit", "Properties": {"Name": "ai", "ParentId": "r-ab12"}}
    org["Scp"]["Properties"]["Type"] = {"Ref": "ScpType"}
    org["Scp"]["Properties"]["Content"]["Statement"][0]["Condition"] = {"ArnNotLike": {"aws:PrincipalArn": [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::*:role/cdk-hnb659fds-cfn-exec-role-*"]]}]}}
    params = {"Parameters": {"ScpType": {"Type": "String", "Default": "SERVICE_CONTROL_POLICY"}}}
    assert details(org, **params) == []
    imported = organization(targets=[{"Fn::ImportValue": "OuId"}])
    assert details(imported) == DETAILS
    assert "its TargetIds cannot be verified at synth time (${Import:OuId})" in message(imported, "AiServicesOptOut")
    branches = organization(targets={"Fn::If": ["Prod", ["ou-abcd-12345678"], ["333333333333"]]})
    assert details(branches) == DETAILS
    assert "when condition Prod is false" in message(branches, "BedrockPolicy")


def test_content_as_a_json_string_and_unreadable_content():
    org = organization()
    for name in ("Scp", "Bedrock", "OptOut"):
        org[name]["Properties"]["Content"] = json.dumps(org[name]["Properties"]["Content"])
    assert details(org) == []
    broken = organization()
    broken["Scp"]["Properties"]["Content"] = {"Fn::GetAtt": ["Somewhere", "Document"]}
    assert details(broken) == DETAILS[2:]
    assert "its PolicyDocument cannot be read" in message(broken, "TrailChanges")


def test_bedrock_policy_must_pin_a_version_guard_every_message_and_cover_the_region():
    def bedrock(**config):
        content = copy.deepcopy(BEDROCK_CONTENT)
        target = content["bedrock"]["guardrail_inference"]["eu-west-1"]["config_1"]
        for key, value in config.items():
            if value is None:
                target.pop(key)
            else:
                target[key] = value
        return organization(bedrock=content)

    draft = bedrock(identifier={"@@assign": GUARDRAIL + ":DRAFT"})
    assert details(draft) == ["BedrockPolicy"]
    assert "does not end in a published version number" in message(draft, "BedrockPolicy")
    selective = bedrock(selective_content_guarding={"messages": {"@@assign": "selective"}})
    assert "selective_content_guarding.messages is selective" in message(selective, "BedrockPolicy")
    assert details(bedrock(selective_content_guarding=None)) == ["BedrockPolicy"]
    assert details(bedrock(selective_content_guarding=None, input_tags={"@@assign": "ignore"})) == []
    assert details(bedrock(model_enforcement={"included_models": {"@@assign": ["ALL"]},
                                              "excluded_models": {"@@assign": ["cohere.embed-english-v3"]}})) == \
        ["BedrockPolicy"]
    assert details(bedrock(model_enforcement=None)) == []
    other_region = organization(bedrock={"bedrock": {"guardrail_inference": {
        "us-east-1": BEDROCK_CONTENT["bedrock"]["guardrail_inference"]["eu-west-1"]}}})
    assert "it enforces no guardrail in eu-west-1" in message(other_region, "BedrockPolicy")
    assert details(other_region, member=AGNOSTIC) == []


def test_bedrock_identifier_from_a_guardrail_version_resource():
    def identifier(version):
        return organization(bedrock={"bedrock": {"guardrail_inference": {"eu-west-1": {"config_1": dict(
            BEDROCK_CONTENT["bedrock"]["guardrail_inference"]["eu-west-1"]["config_1"],
            identifier={"@@assign": {"Fn::Join": [":", [{"Fn::GetAtt": ["Guardrail", "GuardrailArn"]}, version]]}})}}}})

    pinned = identifier({"Fn::GetAtt": ["Version", "Version"]})
    pinned["Version"] = {"Type": "AWS::Bedrock::GuardrailVersion", "Properties": {"GuardrailIdentifier": "g"}}
    assert details(pinned) == []
    draft = identifier({"Fn::GetAtt": ["Guardrail", "Version"]})
    draft["Guardrail"] = {"Type": "AWS::Bedrock::Guardrail", "Properties": {}}
    assert details(draft) == ["BedrockPolicy"]


def test_opt_out_must_cover_every_service_and_opt_none_in():
    assert details(organization(opt_out={"services": {"default": {"opt_out_policy": {"@@assign": "optIn"}}}})) == \
        ["AiServicesOptOut"]
    lex = {"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}, "lex": {"opt_out_policy": {
        "@@assign": "optIn"}}}}
    assert "it opts lex in" in message(organization(opt_out=lex), "AiServicesOptOut")
    assert details(organization(opt_out={"services": {"rekognition": {"opt_out_policy": {"@@assign": "optOut"}}}})) == \
        ["AiServicesOptOut"]


def test_acknowledgement_must_name_the_management_account():
    named = judge({}, ack=(f"{RULE}[TrailChanges]", "organization trail protected by SCPs of 111111111111"))
    trail = next(f for f in named if f.detail == "TrailChanges")
    assert trail.acknowledged and trail.exception_state == "in force"
    unnamed = judge({}, ack=(f"{RULE}[TrailChanges]", "organization trail protected by the central security team"))
    trail = next(f for f in unnamed if f.detail == "TrailChanges")
    assert not trail.acknowledged and trail.exception_state == "invalid"
    assert "the reason does not name the 12-digit id of the management account" in trail.message


def test_one_template_alone_is_judged_on_its_own_policies():
    resources = dict(organization(targets=["r-ab12"]), **WORKLOAD)
    assert findings(RULE, resources) == []
    assert findings(RULE, WORKLOAD) == sorted((f"{RULE}[{d}]", "Guard") for d in DETAILS)


def test_values_that_cannot_be_read_do_not_count():
    branches = {"Fn::If": ["Prod", GUARDRAIL + ":3", GUARDRAIL + ":DRAFT"]}
    config = dict(BEDROCK_CONTENT["bedrock"]["guardrail_inference"]["eu-west-1"]["config_1"],
                  identifier={"@@assign": branches})
    unreadable = organization(bedrock={"bedrock": {"guardrail_inference": {"eu-west-1": {"config_1": config}}}})
    assert details(unreadable) == ["BedrockPolicy"]
    assert "identifier is not readable at synth time" in message(unreadable, "BedrockPolicy")
    exemption = copy.deepcopy(STATEMENTS)
    exemption[0]["Condition"] = {"ArnNotLike": {"aws:PrincipalArn": [{"Fn::If": ["Prod", PIPELINE, "*"]}]}}
    assert details(organization(exemption)) == ["GuardrailChanges"]
    assert "outside ArnNotLike aws:PrincipalArn, which cannot be read at synth time" in \
        message(organization(exemption), "GuardrailChanges")
