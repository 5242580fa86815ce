"""SAM templates are expanded offline and as the deploy-time transform would: no network call, no AWS credentials or
configuration read, the translator's log lines kept out of aisec's output, and what only ``sam build`` or the
deploy-time transform knows judged as a value that is not known, never as a pass."""
import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from aisec_rules.cli import main
from aisec_rules.read import sam
from aisec_rules.read.loader import load_file
from aisec_rules.read.template import TemplateError, not_known

FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "sam" / "forms"
APPLICATIONS = FORMS / "repository_application.yaml"
#: AWS credentials and configuration a CI job that deploys may have: dummies, and a profile no file has (a boto3
#: session reading the configuration would fail on it)
AWS_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "dummy",
                   "AWS_SESSION_TOKEN": "dummy", "AWS_PROFILE": "aisec-no-such-profile",
                   "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_DEFAULT_REGION": "eu-west-1"}
#: a hook every Python process of the subprocess test loads: it records and refuses every connection attempt
SITECUSTOMIZE = """
import os, socket

def _refuse(*args, **kwargs):
    with open(os.environ["AISEC_TEST_CONNECTIONS"], "a") as log:
        log.write(repr(args[1:] or args) + "\\n")
    raise OSError("the network is unreachable in this test")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


def _unknown(template, value):
    [possibility] = template.resolve(value)
    assert not possibility.known
    return possibility.origin


@pytest.fixture
def offline(monkeypatch):
    """Dummy credentials, a profile that does not exist, and a network that records and refuses every attempt."""
    for name, value in AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("the network is unreachable in this test")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_repository_applications_are_placeholder_nested_stacks_without_a_network_call(offline):
    template = load_file(APPLICATIONS)
    assert offline == []
    stacks = template.of_type("AWS::CloudFormation::Stack")
    assert [s.logical_id for s in stacks] == ["ApplicationFindInMap", "ApplicationRefParameter", "BasicApplication"]
    for stack in stacks:
        assert _unknown(template, stack.prop("TemplateURL")) == (
            "a Serverless Application Repository application: its template is read at deploy time")


def test_the_cli_scans_repository_applications_in_a_subprocess_without_a_network_call(tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    connections = tmp_path / "connections.log"
    env = {**os.environ, **AWS_ENVIRONMENT, "AISEC_TEST_CONNECTIONS": str(connections),
           "PYTHONPATH": os.pathsep.join([str(hook), *filter(None, [os.environ.get("PYTHONPATH")])])}
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
                           env=env, capture_output=True, text=True)
    assert "network is unreachable" in probe.stderr and connections.read_text() != ""  # the hook is in force
    connections.unlink()
    done = subprocess.run([sys.executable, "-c", "import sys; from aisec_rules.cli import main; sys.exit(main())",
                           "check", str(APPLICATIONS), "--format", "sarif"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stderr, connections.exists()) == (0, "", False)
    assert json.loads(done.stdout)["runs"][0]["results"] == []


def test_the_translator_is_never_given_a_plugin_that_reaches_aws(offline, monkeypatch):
    """Even a repository location the localizer missed never reaches AWS: the translator's plugin refuses."""
    monkeypatch.setattr(sam, "localize", lambda data, placeholders=None: data)
    data = {"Transform": sam.SAM_TRANSFORM, "Resources": {"App": {
        "Type": "AWS::Serverless::Application", "Properties": {"Location": {
            "ApplicationId": "arn:aws:serverlessrepo:us-east-1:123456789012:applications/hello-world",
            "SemanticVersion": "1.0.2"}}}}}
    with pytest.raises(TemplateError, match="cannot be read offline"):
        sam.expand(data, "t.yaml")
    assert offline == []


def test_an_image_function_in_source_form_gets_an_image_that_is_not_known(offline):
    template = load_file(FORMS / "image_function.yaml")
    function = template.resources["ImageFunction"]
    assert (function.type, function.prop("PackageType"), function.prop("Timeout")) == (
        "AWS::Lambda::Function", "Image", 30)
    assert function.prop("Code") == {"ImageUri": not_known("ImageUri", sam._IMAGE)}
    assert _unknown(template, function.prop("Code", "ImageUri")) == "the image is built by sam build (ImageUri is not set)"
    assert template.text(function.prop("Code", "ImageUri")) == "${ImageUri}"


def test_values_the_deploy_time_transform_resolves_stay_the_intrinsics_written(offline):
    template = load_file(FORMS / "deploy_time_values.yaml")
    by_parameter = template.resources["ByParameter"]
    assert by_parameter.prop("Code") == {"S3Bucket": sam.PLACEHOLDER_BUCKET, "S3Key": {"Ref": "CodeLocation"}}
    assert _unknown(template, by_parameter.prop("Code", "S3Key")) == "parameter CodeLocation has no default"
    [alias] = template.of_type("AWS::Lambda::Alias")
    assert alias.logical_id == "ByParameterAliasStage"  # named after the parameter, as the placeholder is not a name
    assert template.data["Outputs"]["Alias"]["Value"] == {"Ref": "ByParameterAliasStage"}  # references follow
    assert alias.prop("Name") == {"Ref": "Stage"} and alias.prop("FunctionName") == {"Ref": "ByParameter"}
    assert _unknown(template, alias.prop("Name")) == "parameter Stage has no default"
    assert template.resources["BySub"].prop("Code", "S3Key") == {
        "Fn::Sub": "s3://custom-authz-${AWS::AccountId}-${AWS::Region}/function-v1.0.zip"}
    permission = template.resources["HandlerGetPermissionprod"]
    assert permission.prop("SourceArn", "Fn::Sub", 0) == (
        "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/GET/${ResourcePath}")
    body = template.resources["Api"].prop("Body")
    assert body["securityDefinitions"]["Token"]["type"] == "apiKey"  # the authorizer named by the default, Token
    assert {path: operation["get"]["security"] for path, operation in body["paths"].items()} == {
        "/ResourcePath": [{"Token": []}]}


def test_apis_with_a_body_that_is_not_inline_get_an_empty_placeholder_body(offline):
    template = load_file(FORMS / "api_body_not_inline.yaml")
    rest = template.resources["IncludedBody"]
    http = template.resources["LocalUri"]
    assert (rest.type, http.type) == ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
    for api in (rest, http):
        assert _unknown(template, api.prop("Body", "info", "title")) == sam._NOT_INLINE
    assert http.prop("Body", "x-amazon-apigateway-cors") == {"allowOrigins": ["https://example.com"]}
    assert http.prop("Body", "components", "securitySchemes", "OAuth2", "type") == "oauth2"


def test_included_resources_are_left_out_with_a_notice_and_an_included_property_is_not_known(capsys):
    notices = []
    template = load_file(FORMS / "included_resources.yaml", notices=notices)
    assert sorted(template.resources) == ["Topic"]
    assert _unknown(template, template.resources["Topic"].prop("KmsMasterKeyId")) == ""
    assert notices == [f"{FORMS / 'included_resources.yaml'}: the resources included with Fn::Transform from "
                       "s3://bucket/resources.yaml are not scanned (CloudFormation reads them at deploy time): scan "
                       "the processed template (aws cloudformation get-template --template-stage Processed)"]
    code = main(["check", str(FORMS / "included_resources.yaml")])
    _, err = capsys.readouterr()
    assert code == 0 and err == f"aisec: notice: {notices[0]}\n"


def test_the_translators_remaining_refusals_stay_one_line_errors(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n"
                    "    Properties:\n      CodeUri: s3://b/k.zip\n      Handler: a.b\n      Runtime: python3.12\n"
                    "      Events:\n        E:\n          Type: Api\n          Properties:\n            Path: /x\n"
                    "            Method: get\n            Auth: {Authorizer: !Ref Nothing}\n")
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith(f"aisec: error: {path}: invalid SAM template: ")


def test_the_translators_log_lines_never_reach_the_output_and_other_loggers_are_untouched(capfd, offline):
    root, translator = logging.getLogger(), logging.getLogger("samtranslator")
    before = (root.level, list(root.handlers), translator.propagate, list(translator.handlers))
    for form in sorted(FORMS.glob("*.yaml")) + [APPLICATIONS]:
        main(["check", str(form), "--format", "json"])
    out, err = capfd.readouterr()
    assert "Feature Toggle" not in out + err and "unpublished metrics" not in out + err
    assert [line for line in err.splitlines() if not line.startswith("aisec: notice: ")] == []
    assert (root.level, list(root.handlers), translator.propagate, list(translator.handlers)) == before
