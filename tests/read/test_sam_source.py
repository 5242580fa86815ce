"""SAM templates as they sit in a repository (``CodeUri: ./src`` before ``sam package``) are scanned
offline: local code locations become placeholders, every other property is kept."""
import json
from pathlib import Path

from aisec_rules.cli import main
from aisec_rules.read.loader import load_file
from aisec_rules.read.sam import PLACEHOLDER_BUCKET, localize

APP = Path(__file__).resolve().parents[1] / "fixtures" / "sam" / "agent_app" / "template.yaml"


def test_a_sam_agent_app_in_source_form_is_scanned(capsys):
    code = main(["check", str(APP), "--format", "json"])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    ids = {(f["id"], f["resource"]) for f in json.loads(out)["findings"]}
    assert ("AISEC-DATA-01[Action::bedrock:*]", "ActionGroupFunctionRole") in ids
    assert ("AISEC-APP-04", "Agent") in ids


def test_local_code_becomes_a_placeholder_and_security_properties_are_kept():
    template = load_file(APP)
    function = template.resources["ActionGroupFunction"]
    assert function.type == "AWS::Lambda::Function"
    assert function.prop("Code") == {"S3Bucket": PLACEHOLDER_BUCKET, "S3Key": "src/actions/"}
    assert function.prop("Environment", "Variables", "TABLE_NAME") == {"Ref": "BookingsTable"}
    assert function.prop("Timeout") == 30
    layer = template.of_type("AWS::Lambda::LayerVersion")[0]
    assert layer.prop("Content") == {"S3Bucket": PLACEHOLDER_BUCKET, "S3Key": "layers/shared"}


def test_localize_keeps_s3_locations_and_defaults_and_fills_a_missing_code_uri():
    data = {"Transform": "AWS::Serverless-2016-10-31", "Parameters": {"P": {"Type": "String", "Default": "s3://b/k"}},
            "Resources": {
        "S3": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "s3://bucket/key.zip"}},
        "Ref": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": {"Ref": "P"}}},
        "None": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "a.b"}},
        "Api": {"Type": "AWS::Serverless::Api", "Properties": {"DefinitionUri": "openapi.yaml"}}}}
    resources = localize(data)["Resources"]
    assert resources["S3"]["Properties"]["CodeUri"] == "s3://bucket/key.zip"
    assert resources["Ref"]["Properties"]["CodeUri"] == "s3://b/k"  # the default, as the transform sees it
    assert resources["None"]["Properties"]["CodeUri"] == {"Bucket": PLACEHOLDER_BUCKET, "Key": "source"}
    assert resources["Api"]["Properties"]["DefinitionUri"] == {"Bucket": PLACEHOLDER_BUCKET, "Key": "openapi.yaml"}
    assert data["Resources"]["None"]["Properties"] == {"Handler": "a.b"}  # the input is not changed
