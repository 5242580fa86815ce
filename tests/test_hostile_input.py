"""Issue 14: hostile templates and careless input. Each test is a regression test for one defect,
with the exact finding or error asserted: nothing passes silently, hangs, crashes with a traceback
or leaks file content."""
import json
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from aisec_rules.read import files, loader
from aisec_rules.cli import main
from aisec_rules.engine import evaluate, evaluate_system
from aisec_rules.read.iam import action_matches, is_service_wildcard
from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from aisec_rules.read.stack import Stack
from aisec_rules.read.template import MAX_POSSIBILITIES, Template, TemplateError
from tests import hostile
from tests.rules.helpers import findings, messages

DATA01 = "AISEC-DATA-01"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(path, text):
    path.write_text(text)
    return path


# -- silent passes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("effect", [{"Fn::If": ["C", "Allow", "Allow"]}, {"Ref": "E"}, {"Fn::Sub": "Allow"},
                                    {"Ref": "NoDefault"}])
def test_an_intrinsic_effect_is_judged(effect):
    parameters = {"E": {"Type": "String", "Default": "Allow"}, "NoDefault": {"Type": "String"}}
    assert findings(DATA01, hostile.role(hostile.allow(effect=effect)), Parameters=parameters) == [
        (f"{DATA01}[Action::bedrock:*]", "Role")]


def test_an_effect_that_is_deny_in_every_branch_passes():
    assert findings(DATA01, hostile.role(hostile.allow(effect={"Fn::If": ["C", "Deny", "Deny"]}))) == []


@pytest.mark.parametrize("document, part, reason", [
    ({"Fn::GetAtt": ["Other", "Document"]}, "PolicyDocument", "it is ${Other.Document}"),
    ({"Fn::ImportValue": "SharedDocument"}, "PolicyDocument", "it is ${Import:SharedDocument}"),
    ({"Ref": "NoDefault"}, "PolicyDocument", "it is ${NoDefault} (parameter NoDefault has no default)"),
    ('{"Statement": [', "PolicyDocument", "it is a string that is not valid JSON"),
    ({"Statement": {"Fn::GetAtt": ["Other", "Statements"]}}, "PolicyDocument.Statement", "it is ${Other.Statements}"),
])
def test_an_unverifiable_policy_document_is_reported(document, part, reason):
    resources = hostile.role(document)
    assert findings(DATA01, resources, Parameters={"NoDefault": {"Type": "String"}}) == [
        (f"{DATA01}[Unverifiable::{part}]", "Role")]
    message = messages(DATA01, resources, Parameters={"NoDefault": {"Type": "String"}})[0]
    assert message.startswith(f"{part} cannot be verified at synth time ({reason}), so its statements are not judged")


def test_unverifiable_policies_are_reported():
    resources = {"Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": {"Fn::GetAtt": ["Other", "Policies"]}}}}
    assert findings(DATA01, resources) == [(f"{DATA01}[Unverifiable::Policies]", "Role")]


def test_documents_from_a_parameter_default_and_to_json_string_are_judged():
    text = json.dumps(hostile.allow())
    assert findings(DATA01, hostile.role({"Ref": "Doc"}), Parameters={"Doc": {"Type": "String", "Default": text}}) == [
        (f"{DATA01}[Action::bedrock:*]", "Role")]
    assert findings(DATA01, hostile.role({"Fn::ToJsonString": hostile.allow()})) == [
        (f"{DATA01}[Action::bedrock:*]", "Role")]


@pytest.mark.parametrize("pattern", ["bedrock:?*", "bedrock:*?", "bedrock:*?*"])
def test_question_mark_star_is_a_service_wildcard(pattern):
    assert is_service_wildcard(pattern, ("bedrock",)) == "bedrock"
    assert findings(DATA01, hostile.role(hostile.allow(pattern))) == [(f"{DATA01}[Action::{pattern}]", "Role")]


def test_question_marks_alone_are_not_a_service_wildcard():
    assert is_service_wildcard("bedrock:??", ("bedrock",)) is None


@pytest.mark.parametrize("text, problem", [
    ('{"Resources": {"R": {"Type": "AWS::SNS::Topic", "Type": "AWS::SQS::Queue"}}}',
     "malformed JSON: duplicate key 'Type'"),
    ("Resources:\n  R:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n"
     "          - Effect: Allow\n            Action: bedrock:*\n            Action: bedrock:InvokeModel\n",
     "malformed YAML: duplicate key 'Action': line 9 column 13"),
])
def test_duplicate_keys_are_a_load_error(tmp_path, capsys, text, problem):
    path = write(tmp_path / "dup.yaml", text)
    code, out, err = run(capsys, "check", str(path))
    assert code == 2
    assert err.strip().startswith(f"aisec: error: {path}: {problem}")
    assert len(err.strip().splitlines()) == 1


# -- no hangs, no blow-ups ------------------------------------------------------------------------

def test_an_exponential_if_chain_is_bounded_and_reported():
    template = Template(hostile.if_chain(16), "chain.json")
    start = time.perf_counter()
    values = template.resolve({"Ref": "P0"})
    result = evaluate(template, Phase.ADVANCED, set(Capability))
    elapsed = time.perf_counter() - start
    assert elapsed < 5
    assert len(values) == MAX_POSSIBILITIES + 1
    assert values[-1].known is False and "more than 64 possible values" in values[-1].origin
    data01 = [f for f in result if f.rule.id == DATA01]
    assert [f.id for f in data01] == [f"{DATA01}[Action::${{P0}}]", f"{DATA01}[Action::bedrock:*]"]


def test_a_parameter_default_that_refers_to_itself_is_unknown_not_a_crash():
    data = {"Parameters": {"Loop": {"Type": "String", "Default": {"Ref": "Loop"}}},
            "Resources": hostile.role(hostile.allow({"Ref": "Loop"}))}
    result = evaluate(Template(data, "loop.json"), Phase.ADVANCED, set(Capability))
    assert not [f for f in result if f.detail == "internal-error"]
    message = [f.message for f in result if f.id == f"{DATA01}[Action::${{Loop}}]"][0]
    assert "the default of parameter Loop refers to itself" in message


def test_many_messages_of_one_finding_merge_in_linear_time():
    # one finding with 3,000 distinct messages: merging was quadratic
    statements = [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*", "Sid": f"S{i}"} for i in range(3000)]
    template = Template({"Resources": hostile.role({"Statement": statements})}, "many.json")
    start = time.perf_counter()
    result = evaluate(template, Phase.ADVANCED, set(Capability), rules=[BY_ID["AISEC-DATA-04"], BY_ID[DATA01]])
    assert time.perf_counter() - start < 5
    assert [f.id for f in result] == [f"{DATA01}[Action::bedrock:*]"]


def test_a_yaml_alias_bomb_is_rejected(tmp_path):
    path = write(tmp_path / "bomb.yaml", hostile.alias_bomb(30))
    assert path.stat().st_size < 1024
    start = time.perf_counter()
    with pytest.raises(TemplateError) as error:
        loader.load_file(path)
    assert time.perf_counter() - start < 5
    assert str(error.value).startswith(f"{path}: malformed YAML: aliases expand to more than 1000000 nodes")


def test_a_few_shared_aliases_are_fine(tmp_path):
    path = write(tmp_path / "aliases.yaml", hostile.alias_bomb(4))
    assert loader.load_file(path).resources["R"].prop("Create")[0][0][0] == ["x", "x"]


def test_deep_nesting_is_one_error_line(tmp_path, capsys):
    path = write(tmp_path / "deep.json", hostile.deep_nesting(3000))
    code, out, err = run(capsys, "check", str(path))
    assert (code, err) == (2, f"aisec: error: {path}: malformed JSON: nested more than 200 levels deep\n")
    yaml_path = write(tmp_path / "deep.yaml", "Resources: " + "[" * 3000 + "]" * 3000 + "\n")
    code, out, err = run(capsys, "check", str(yaml_path))
    assert code == 2 and err.startswith(f"aisec: error: {yaml_path}: malformed YAML: ") and "nested" in err


def test_wildcard_matching_does_not_backtrack():
    start = time.perf_counter()
    assert not action_matches(hostile.backtracking_action(), "bedrock:" + "a" * 5000)
    assert findings(DATA01, hostile.role(hostile.allow(hostile.backtracking_action()))) == []
    assert time.perf_counter() - start < 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs need POSIX")
def test_a_fifo_named_on_its_own_is_an_error_not_a_hang(tmp_path, capsys):
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    code, out, err = run(capsys, "check", str(fifo))
    assert (code, err) == (2, f"aisec: error: {fifo}: not a regular file\n")


def test_a_file_over_the_size_cap_is_not_read(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(files, "MAX_BYTES", 100)
    path = write(tmp_path / "big.json", json.dumps({"Resources": {}, "Pad": "x" * 200}))
    code, out, err = run(capsys, "check", str(path))
    assert (code, err) == (2, f"aisec: error: {path}: larger than 0 MB, not a template\n")


# -- no tracebacks, no wrong exit codes ------------------------------------------------------------

def test_mixed_and_null_logical_ids_in_yaml(tmp_path, capsys):
    path = write(tmp_path / "ids.yaml", "Resources:\n  1:\n    Type: AWS::SNS::Topic\n  Agent:\n"
                                        "    Type: AWS::SNS::Topic\n  ~:\n    Type: AWS::SNS::Topic\n")
    assert sorted(loader.load_file(path).resources) == ["1", "Agent", "~"]
    code, out, err = run(capsys, "check", str(path))
    assert code == 0 and err == ""


def test_non_string_logical_ids_given_in_code_are_an_error():
    with pytest.raises(TemplateError, match=r"^t.json: logical id 1 must be a string$"):
        Template({"Resources": {1: {"Type": "AWS::SNS::Topic"}, "A": {"Type": "AWS::SNS::Topic"}}}, "t.json")


def test_control_characters_and_surrogates_in_ids_are_escaped(tmp_path, capsys):
    forged = "Role\n0 finding(s), 0 acknowledged\x1b[2K\ud800"
    data = {"Resources": hostile.role(hostile.allow(), logical_id=forged)}
    path = write(tmp_path / "forged.json", json.dumps(data))
    code, out, err = run(capsys, "check", str(path), "--capabilities", "answers")
    assert code == 1
    assert "\\n0 finding(s), 0 acknowledged\\x1b[2K\\ud800:" in out
    assert [line for line in out.splitlines() if line.startswith("0 finding(s)")] == []
    assert out.splitlines()[-1] == "5 finding(s), 0 acknowledged in 1 stack(s), 1 environment(s)"


def test_docs_output_to_a_directory_is_one_error_line(tmp_path, capsys):
    code, out, err = run(capsys, "docs", "--output", str(tmp_path))
    assert (code, err) == (2, f"aisec: error: {tmp_path}: is a directory; --output names the Markdown file to write\n")


def test_an_internal_error_keeps_the_other_findings_and_is_not_exit_1(tmp_path, capsys, monkeypatch):
    from aisec_rules.registry import RULES

    def crash(ctx):
        raise RuntimeError("boom")

    broken = replace(BY_ID["AISEC-DATA-04"], check=crash)
    monkeypatch.setattr("aisec_rules.registry.RULES", [broken if r.id == broken.id else r for r in RULES])
    path = write(tmp_path / "t.json", json.dumps({"Resources": hostile.role(hostile.allow())}))
    code, out, err = run(capsys, "check", str(path), "--capabilities", "answers", "--format", "json")
    ids = [f["id"] for f in json.loads(out)["findings"]]
    assert "AISEC-DATA-04[internal-error]" in ids and f"{DATA01}[Action::bedrock:*]" in ids
    assert code == 2
    assert err == "aisec: error: 1 rule(s) could not evaluate the input (internal error); see the findings marked internal-error\n"


# -- no leaks --------------------------------------------------------------------------------------

def test_a_yaml_error_does_not_echo_the_file(tmp_path, capsys):
    secret = tmp_path / "credentials"
    secret.write_text("[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n  : bad\n")
    link = tmp_path / "creds.yaml"
    link.symlink_to(secret)
    code, out, err = run(capsys, "check", str(link))
    assert code == 2
    assert "wJalrXUtnFEMI" not in err + out
    assert len(err.splitlines()) == 1 and err.startswith(f"aisec: error: {link}: malformed YAML: ")


# -- folder scans ----------------------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs need POSIX")
def test_a_folder_with_templates_package_json_a_fifo_and_a_link_out(tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    write(outside / "secret.json", json.dumps({"Resources": hostile.role(hostile.allow())}))
    project = tmp_path / "project"
    (project / "infra").mkdir(parents=True)
    write(project / "infra" / "agent.json", json.dumps({"Resources": hostile.role(hostile.allow())}))
    write(project / "infra" / "topic.yaml", "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    write(project / "package.json", json.dumps({"name": "app", "dependencies": {"aws-cdk-lib": "2"}}))
    write(project / "tsconfig.json", '{\n  // comments are allowed here\n  "compilerOptions": {}\n}\n')
    write(project / "deployment.yaml", "apiVersion: v1\nkind: Service\n---\napiVersion: apps/v1\nkind: Deployment\n")
    os.mkfifo(project / "x.json")
    (project / "link.json").symlink_to(outside / "secret.json")
    (project / "zero.json").symlink_to("/dev/zero")
    code, out, err = run(capsys, "check", str(project), "--format", "json", "--capabilities", "answers")
    assert code == 1
    report = json.loads(out)
    assert report["templates"] == [str(project / "infra" / "agent.json"), str(project / "infra" / "topic.yaml")]
    assert err.splitlines() == [
        f"aisec: notice: {project / 'deployment.yaml'}: skipped: not a CloudFormation template (malformed YAML: "
        "expected a single document in the stream but found another document: line 3 column 1)",
        f"aisec: notice: {project / 'link.json'}: skipped: a link to outside {project}",
        f"aisec: notice: {project / 'package.json'}: skipped: not a CloudFormation template (no Resources section)",
        f"aisec: notice: {project / 'tsconfig.json'}: skipped: not a CloudFormation template (malformed JSON: "
        "Expecting property name enclosed in double quotes: line 2 column 3)",
        f"aisec: notice: {project / 'x.json'}: skipped: not a regular file",
        f"aisec: notice: {project / 'zero.json'}: skipped: a link to outside {project}",
    ]


@pytest.mark.skipif(os.name != "posix", reason="folder permissions need POSIX")
def test_an_unreadable_subfolder_is_reported(tmp_path, capsys, monkeypatch):
    write(tmp_path / "topic.json", json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    if os.geteuid() == 0:  # root lists every folder: refuse this one as the kernel would for anyone else
        scandir = os.scandir

        def refuse(path="."):
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return scandir(path)

        monkeypatch.setattr(os, "scandir", refuse)
    try:
        code, out, err = run(capsys, "check", str(tmp_path))
    finally:
        locked.chmod(0o755)
    assert code == 0
    assert err == f"aisec: notice: {locked}: skipped: cannot be read: Permission denied\n"


def test_a_stack_whose_template_is_missing_from_cdk_out_is_an_error(tmp_path, capsys):
    manifest = {"version": "36.0.0", "artifacts": {
        "Present": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
                    "properties": {"templateFile": "Present.template.json"}},
        "Gone": {"type": "aws:cloudformation:stack", "environment": "aws://111111111111/us-east-1",
                 "properties": {"templateFile": "Gone.template.json"}}}}
    write(tmp_path / "manifest.json", json.dumps(manifest))
    write(tmp_path / "Present.template.json", json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}))
    code, out, err = run(capsys, "check", str(tmp_path))
    assert (code, err) == (2, f"aisec: error: {tmp_path}: stack Gone is listed in the manifest but its template "
                              f"{tmp_path / 'Gone.template.json'} is missing\n")


def _role_loop(key: str, action: str) -> str:
    """A loop over the parameter Names that stamps out a role ``key`` whose policy allows ``action``."""
    return """  Fn::ForEach::Roles:
    - Name
    - !Ref Names
    - KEY:
        Type: AWS::IAM::Role
        Properties:
          RoleName: !Ref Name
          Policies:
            - PolicyName: !Sub "${Name}-policy"
              PolicyDocument:
                Statement: [{Effect: Allow, Action: ACTION, Resource: "*"}]
""".replace("KEY", key).replace("ACTION", action)


def test_fn_for_each_is_expanded(tmp_path, capsys):
    path = write(tmp_path / "foreach.yaml", """Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList, Default: "kb-a,kb-b"}
Resources:
""" + _role_loop("Role&{Name}", '"bedrock:*"'))
    template = loader.load_file(path)
    assert sorted(template.resources) == ["Rolekba", "Rolekbb"]
    assert template.resources["Rolekbb"].prop("RoleName") == "kb-b"
    assert template.resources["Rolekbb"].prop("Policies", 0, "PolicyName") == {"Fn::Sub": "kb-b-policy"}
    code, out, err = run(capsys, "check", str(path), "--format", "json", "--capabilities", "answers")
    assert {(f["id"], f["resource"]) for f in json.loads(out)["findings"] if f["rule_id"] == DATA01} == {
        (f"{DATA01}[Action::bedrock:*]", "Rolekba"), (f"{DATA01}[Action::bedrock:*]", "Rolekbb")}


def test_fn_for_each_over_a_collection_known_only_at_deploy_time_is_judged_once(tmp_path, capsys):
    path = write(tmp_path / "unknown.yaml", """Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList}
Resources:
""" + _role_loop("Role${Name}", "!Ref Name") + """  Fn::ForEach::Topics:
    - Name
    - !GetAtt X.Names
    - Topic${Name}: {Type: AWS::SNS::Topic}
""")
    template = loader.load_file(path)
    assert sorted(template.resources) == ["RoleName", "TopicName"]
    role = template.resources["RoleName"]
    assert role.metadata == {"aisec:loop-collection-not-known": "Fn::ForEach::Roles"}
    assert role.prop("Policies", 0, "PolicyName") == {"Fn::Sub": "${Name}-policy"}  # a reference left unresolved
    [name] = template.resolve(role.prop("RoleName"))
    assert (name.known, name.origin) == (False, "the item of Fn::ForEach::Roles, whose collection is not known at "
                                                "synth time")
    code, out, err = run(capsys, "check", str(path), "--format", "json", "--capabilities", "answers")
    [finding] = [f for f in json.loads(out)["findings"] if f["rule_id"] == DATA01]
    assert (code, finding["resource"]) == (1, "RoleName")
    assert finding["message"].endswith("(from Fn::ForEach::Roles, judged once for every item: its collection is not "
                                       "known at synth time)")
    assert finding["id"] == f"{DATA01}[Action::${{Name}}]"
    assert finding["message"].startswith("A statement has Action ${Name} (the item of Fn::ForEach::Roles, whose "
                                         "collection is not known at synth time) that cannot be verified at synth time")


def test_a_malformed_fn_for_each_is_a_clear_error(tmp_path, capsys):
    malformed = write(tmp_path / "malformed.yaml", "Transform: AWS::LanguageExtensions\nResources:\n"
                      "  Fn::ForEach::Topics:\n    - Name\n    - [a]\n")
    code, out, err = run(capsys, "check", str(malformed))
    assert (code, err) == (2, f"aisec: error: {malformed}: Fn::ForEach::Topics must be [identifier, collection, "
                              "output template]\n")
    inside = write(tmp_path / "inside.yaml", "Transform: AWS::LanguageExtensions\nResources:\n  T:\n"
                   "    Type: AWS::SNS::Topic\n    Properties:\n      Fn::ForEach::Tags: [N, [a], {}]\n")
    code, out, err = run(capsys, "check", str(inside))
    assert code == 2 and err.startswith(f"aisec: error: {inside}: Fn::ForEach::Tags inside properties is not supported")


def test_a_self_referring_default_in_one_stack_keeps_every_finding_of_the_system():
    loop = Template({"Parameters": {"Loop": {"Type": "String", "Default": {"Fn::If": ["C", {"Ref": "Loop"}, "x"]}}},
                     "Resources": hostile.role(hostile.allow({"Ref": "Loop"}), "LoopRole")}, "loop.json")
    other = Template({"Resources": hostile.role(hostile.allow("bedrock:*"), "OtherRole")}, "other.json")
    result = evaluate_system([Stack(loop), Stack(other)], Phase.ADVANCED, set(Capability))
    assert not [f for f in result if f.detail == "internal-error"]
    assert {(f.id, f.resource) for f in result if f.rule.id == DATA01} == {
        (f"{DATA01}[Action::${{Loop}}]", "LoopRole"), (f"{DATA01}[Action::bedrock:*]", "OtherRole")}


def test_statements_and_policies_from_parameter_defaults_are_judged():
    statement = json.dumps([{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}])
    parameters = {"S": {"Type": "String", "Default": statement}}
    assert findings(DATA01, hostile.role({"Statement": {"Ref": "S"}}), Parameters=parameters) == [
        (f"{DATA01}[Action::bedrock:*]", "Role")]
    policies = json.dumps([{"PolicyName": "p", "PolicyDocument": hostile.allow()}])
    resources = {"Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": {"Ref": "P"}}}}
    assert findings(DATA01, resources, Parameters={"P": {"Type": "String", "Default": policies}}) == [
        (f"{DATA01}[Action::bedrock:*]", "Role")]
    assert findings(DATA01, resources, Parameters={"P": {"Type": "String", "Default": "[{"}}) == [
        (f"{DATA01}[Unverifiable::Policies]", "Role")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs need POSIX")
def test_a_fifo_as_policy_or_manifest_is_an_error_not_a_hang(tmp_path, capsys):
    template = write(tmp_path / "t.json", json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}))
    policy = tmp_path / "aisec.toml"
    os.mkfifo(policy)
    code, out, err = run(capsys, "check", str(template), "--policy", str(policy))
    assert (code, err) == (2, f"aisec: error: {policy}: cannot read the policy: not a regular file\n")
    assembly = tmp_path / "cdk.out"
    assembly.mkdir()
    os.mkfifo(assembly / "manifest.json")
    code, out, err = run(capsys, "check", str(template), str(assembly))
    assert (code, err) == (2, f"aisec: notice: {assembly / 'manifest.json'}: skipped: not a regular file\n"
                              f"aisec: error: {assembly}: no CloudFormation templates found in this directory\n")


def test_an_unquoted_policy_version_stays_a_string(tmp_path):
    path = write(tmp_path / "v.yaml", "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
                                      "      PolicyDocument:\n        Version: 2012-10-17\n        Statement: []\n")
    assert loader.load_file(path).resources["P"].prop("PolicyDocument", "Version") == "2012-10-17"


def test_a_crash_in_capability_detection_keeps_every_rule(monkeypatch):
    from aisec_rules.read import iam

    def crash(template):
        raise RuntimeError("boom")

    monkeypatch.setattr(iam, "_view", crash)  # the IAM view feeds capability detection and the IAM rules
    agent = {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {"AgentName": "a"}}}
    result = evaluate(Template({"Resources": {**agent, **hostile.role(hostile.allow())}}, "t.json"), Phase.FOUNDATIONAL)
    ids = {(f.id, f.resource) for f in result}
    assert (f"{DATA01}[internal-error]", "Agent") in ids  # judged with every rule, the crash reported
    assert ("AISEC-APP-18", "Agent") in ids and ("AISEC-APP-04", "Agent") in ids


def test_a_malformed_template_in_a_folder_is_an_error_not_a_notice(tmp_path, capsys):
    write(tmp_path / "ok.json", json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}))
    broken = write(tmp_path / "broken.json", '{"Resources": {"T": {"Type": "AWS::SNS::Topic"}')
    code, out, err = run(capsys, "check", str(tmp_path))
    assert (code, err) == (2, f"aisec: error: {broken}: malformed JSON: Expecting ',' delimiter: line 1 column 48\n")
