"""Joining an environment's templates into one view, and reading cloud assembly manifests."""
import json

import pytest

from aisec_rules.read import assembly
from aisec_rules.engine import stack_capabilities
from aisec_rules.system.join import join
from aisec_rules.model import Capability
from aisec_rules.read.stack import AGNOSTIC, Stack
from aisec_rules.system.environments import environments
from aisec_rules.read.template import Template, TemplateError


def template(path, resources, **sections):
    return Template({"Resources": resources, **sections}, path)


ROLE = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}


def test_one_template_is_its_own_view():
    only = template("a.json", {"Role": ROLE})
    assert join([only], ["A"]) is only


def test_colliding_names_are_renamed_in_later_templates_and_every_reference_follows():
    first = template("a.json", {"Role": ROLE}, Parameters={"Env": {"Type": "String", "Default": "prod"}})
    second = template("b.json", {
        "Role": ROLE,
        "Fn": {"Type": "AWS::Lambda::Function", "Condition": "IsProd", "Properties": {
            "Role": {"Fn::GetAtt": ["Role", "Arn"]},
            "Handler": {"Fn::GetAtt": "Role.Arn"},
            "Description": {"Fn::Sub": "${Role} in ${Env} at ${AWS::Region} ${!Literal}"},
            "Runtime": {"Fn::Sub": ["${X}-${Role.Arn}", {"X": {"Ref": "Env"}}]},
            "MemorySize": {"Fn::If": ["IsProd", 512, 128]},
        }}},
        Parameters={"Env": {"Type": "String", "Default": "dev"}},
        Conditions={"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}})
    view = join([first, second], ["First", "Second-Stack"])
    assert sorted(view.resources) == ["Fn", "Role", "Role@SecondStack"]
    fn = view.resources["Fn"].properties
    assert fn["Role"] == {"Fn::GetAtt": ["Role@SecondStack", "Arn"]}
    assert fn["Handler"] == {"Fn::GetAtt": "Role@SecondStack.Arn"}
    assert fn["Description"] == {"Fn::Sub": "${Role@SecondStack} in ${Env@SecondStack} at ${AWS::Region} ${!Literal}"}
    assert fn["Runtime"] == {"Fn::Sub": ["${X}-${Role@SecondStack.Arn}", {"X": {"Ref": "Env@SecondStack"}}]}
    assert view.resources["Fn"].condition == "IsProd"  # no collision: the name stays
    assert view.target(fn["Role"]).logical_id == "Role@SecondStack"
    assert [v.raw for v in view.resolve({"Ref": "Env@SecondStack"})] == ["dev"]
    assert view.origin("Role@SecondStack") == ("b.json", "Role")
    assert view.origin("Role") == ("a.json", "Role")
    assert view.links == set()


def test_an_import_of_an_export_becomes_the_exported_value():
    producer = template("producer.json", {"Role": ROLE}, Outputs={"Out": {
        "Value": {"Fn::GetAtt": ["Role", "Arn"]}, "Export": {"Name": "producer:RoleArn"}}})
    consumer = template("consumer.json", {
        "Role": ROLE,
        "Kb": {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {
            "RoleArn": {"Fn::ImportValue": "producer:RoleArn"},
            "Description": {"Fn::ImportValue": "elsewhere:NotInTheSystem"},
            "Name": {"Fn::ImportValue": {"Fn::Sub": "${AWS::StackName}-computed"}}}}})
    view = join([consumer, producer], ["Consumer", "Producer"])
    kb = view.resources["Kb"].properties
    assert kb["RoleArn"] == {"Fn::GetAtt": ["Role@Producer", "Arn"]}
    assert view.origin(view.target(kb["RoleArn"]).logical_id) == ("producer.json", "Role")
    assert kb["Description"] == {"Fn::ImportValue": "elsewhere:NotInTheSystem"}  # unresolved: stays unknown
    assert not view.resolve(kb["Description"])[0].known
    assert kb["Name"] == {"Fn::ImportValue": {"Fn::Sub": "${AWS::StackName}-computed"}}
    assert view.links == {("consumer.json", "producer.json")}


def test_an_ssm_typed_parameter_becomes_the_value_of_the_ssm_parameter_another_stack_declares():
    writer = template("writer.json", {"Role": ROLE, "Param": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": "/app/role-arn", "Type": "String", "Value": {"Fn::GetAtt": ["Role", "Arn"]}}}})
    reader = template("reader.json", {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {
        "AgentResourceRoleArn": {"Ref": "RoleArnParam"}, "Description": {"Ref": "Other"}}}},
        Parameters={"RoleArnParam": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/app/role-arn"},
                    "Other": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/not/declared"}})
    view = join([reader, writer], ["Reader", "Writer"])
    agent = view.resources["Agent"].properties
    assert agent["AgentResourceRoleArn"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert view.origin(view.target(agent["AgentResourceRoleArn"]).logical_id) == ("writer.json", "Role")
    assert agent["Description"] == {"Ref": "Other"}
    assert not view.resolve(agent["Description"])[0].known  # read from SSM at deploy time: unknown
    assert view.links == {("reader.json", "writer.json")}


def test_exports_that_import_each_other_do_not_loop():
    a = template("a.json", {"X": ROLE}, Outputs={"O": {"Value": {"Fn::ImportValue": "b"}, "Export": {"Name": "a"}}})
    b = template("b.json", {"Y": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::ImportValue": "a"}}}},
                 Outputs={"O": {"Value": {"Fn::ImportValue": "a"}, "Export": {"Name": "b"}}})
    view = join([a, b], ["A", "B"])
    assert "Fn::ImportValue" in json.dumps(view.resources["Y"].properties)


def test_capabilities_flow_to_the_stacks_an_ai_stack_uses():
    roles = template("roles.json", {"Role": ROLE})
    kb = template("kb.json", {"Kb": {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {}}})
    web = template("web.json", {"Site": {"Type": "AWS::S3::Bucket", "Properties": {}}})
    stacks = [Stack(roles), Stack(kb), Stack(web)]
    result = stack_capabilities(stacks, {("kb.json", "roles.json")})
    assert result["roles.json"] == result["kb.json"] == {Capability.ANSWERS, Capability.CONNECTS}
    assert result["web.json"] == frozenset()


def test_environments_group_and_order_stacks():
    stacks = [Stack(template("b.json", {"R": ROLE}), "B", "aws://1/eu-west-1"),
              Stack(template("a.json", {"R": ROLE}), "A", "aws://1/eu-west-1"),
              Stack(template("c.json", {"R": ROLE}))]
    grouped = environments(stacks)
    assert [(e.name, [s.name for s in e.stacks]) for e in grouped] == [
        ("aws://1/eu-west-1", ["A", "B"]), (AGNOSTIC, ["c"])]
    assert grouped[1].label == "environment-agnostic"


def write_manifest(folder, artifacts):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": artifacts}))


def test_an_assembly_with_a_nested_stage_is_read_through_its_manifests(tmp_path):
    write_manifest(tmp_path, {
        "Top": {"type": "aws:cloudformation:stack", "environment": "aws://1/eu-west-1",
                "properties": {"templateFile": "Top.template.json"}, "displayName": "Top"},
        "assembly-Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}},
        "Escape": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "../outside.template.json"}},
    })
    write_manifest(tmp_path / "assembly-Prod", {
        "ProdApi": {"type": "aws:cloudformation:stack", "environment": "aws://2/us-east-1",
                    "properties": {"templateFile": "ProdApi.template.json"}, "displayName": "Prod/Api"}})
    for path in (tmp_path / "Top.template.json", tmp_path / "assembly-Prod" / "ProdApi.template.json",
                 tmp_path / "assembly-Prod" / "ProdApiNested.nested.template.json"):
        path.write_text('{"Resources": {}}')
    found = [(a.template_path.relative_to(tmp_path).as_posix(), a.name, a.environment) for a in assembly.read(tmp_path)]
    assert found == [("Top.template.json", "Top", "aws://1/eu-west-1"),
                     ("assembly-Prod/ProdApi.template.json", "Prod/Api", "aws://2/us-east-1"),
                     ("assembly-Prod/ProdApiNested.nested.template.json", "ProdApiNested.nested", "aws://2/us-east-1")]
    nested = str(tmp_path / "assembly-Prod" / "ProdApi.template.json")
    assert assembly.artifacts_of([nested])[nested].name == "Prod/Api"
    assert assembly.artifacts_of([str(tmp_path / "nowhere" / "x.template.json")]) == {}


def test_a_broken_manifest_is_a_clear_error(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(TemplateError, match="cannot read the cloud assembly manifest"):
        assembly.read(tmp_path)
