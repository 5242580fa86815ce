"""The pieces that let the pack run beside cdk-nag 2 as well as 3, tested whichever is installed:
aisec_rules.governance.exceptions reads cdk-nag 2's suppression format, and the Python aspect that stands in for cdk-nag 3's
WriteNagSuppressionsToCloudFormationAspect copies CDK acknowledgements into template metadata."""
import base64

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Aspects, Stack, Validations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from aisec_rules.cdk.nag_compat import WriteAcknowledgements
from aisec_rules.governance.exceptions import from_metadata


def test_cdk_nag_2_suppressions_are_read():
    metadata = {"cdk_nag": {"rules_to_suppress": [
        {"id": "AISEC-APP-02", "reason": "plain"},
        {"id": "AISEC-APP-01", "reason": "granular", "applies_to": ["HATE", "INSULTS", {"regex": "/^SEX/"}]},
        {"id": "AISEC-APP-19", "reason": base64.b64encode("organisation trail ✓".encode()).decode(),
         "is_reason_encoded": True},
    ]}}
    assert {k: a.reason for k, a in from_metadata(metadata).items()} == {
        "AISEC-APP-02": "plain",
        "AISEC-APP-01[HATE]": "granular",
        "AISEC-APP-01[INSULTS]": "granular",  # regex entries are not honoured: exact names only
        "AISEC-APP-19": "organisation trail ✓",
    }
    assert from_metadata(metadata)["AISEC-APP-01[HATE]"].id == "AISEC-APP-01[HATE]"


def test_python_aspect_copies_own_and_inherited_acknowledgements():
    app = cdk.App()
    Aspects.of(app).add(WriteAcknowledgements())
    stack = Stack(app, "S")
    bucket = s3.Bucket(stack, "Bucket")  # the CfnBucket inside is created in JavaScript
    topic = sns.CfnTopic(stack, "Topic")
    topic.add_metadata("cdk_nag", {"rules_to_suppress": [{"id": "AISEC-X-01", "reason": "written by NagSuppressions"}]})
    Validations.of(app).acknowledge(Acknowledgment(id="AISEC-X-09", reason="app level"))
    Validations.of(stack).acknowledge(Acknowledgment(id="AISEC-X-02", reason="stack level"))
    Validations.of(bucket).acknowledge(Acknowledgment(id="AISEC-X-02", reason="closest wins"),
                                       Acknowledgment(id="AISEC-X-03[Action::s3:*]", reason="granular"))
    resources = Template.from_stack(stack).to_json()["Resources"]
    (bucket_id,) = [k for k, v in resources.items() if v["Type"] == "AWS::S3::Bucket"]
    assert resources[bucket_id]["Metadata"]["cdk_nag"]["rules_to_suppress"] == [
        {"id": "AISEC-X-02", "reason": "closest wins"},
        {"id": "AISEC-X-03[Action::s3:*]", "reason": "granular"},
        {"id": "AISEC-X-09", "reason": "app level"},
    ]
    assert resources["Topic"]["Metadata"]["cdk_nag"]["rules_to_suppress"] == [
        {"id": "AISEC-X-01", "reason": "written by NagSuppressions"},
        {"id": "AISEC-X-02", "reason": "stack level"},
        {"id": "AISEC-X-09", "reason": "app level"},
    ]
