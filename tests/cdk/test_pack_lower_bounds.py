"""The pack next to what users already run: the oldest supported stack (``make test-compat`` installs
aws-cdk-lib at the lower bound of pyproject.toml, cdk-nag 2.38.2 and cdklabs.generative-ai-cdk-constructs
0.1.320 in a venv of their own and selects these tests with ``-m``; the main run deselects them).

Imports of cdk-nag 2 and of the generative-AI constructs happen inside the tests, so a missing package
fails a test here; it is never skipped."""
import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Aspects, Stack, Validations

from aisec_rules import AiSecurityChecks, Phase
from aisec_rules.cdk.nag_compat import cdk_nag_major
from tests.pack_report import aisec_violations, synth_report

pytestmark = pytest.mark.lower_bounds


def synth(app: cdk.App):
    """Synthesize; return (failed, {(rule, construct path, severity)} of the AISEC plugin)."""
    failed, report = synth_report(app)
    return failed, aisec_violations(report)


def test_the_lower_bound_environment_is_what_it_claims():
    """The venv really holds the lower bounds: pyproject's aws-cdk-lib floor, cdk-nag 2.38.2, the constructs library."""
    import re
    from importlib.metadata import version

    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    (floor,) = re.findall(r'"aws-cdk-lib>=([0-9.]+),', pyproject)
    assert version("aws-cdk-lib") == floor
    assert cdk_nag_major() == 2
    assert version("cdk-nag") == "2.38.2"
    assert version("cdklabs.generative-ai-cdk-constructs") == "0.1.320"


GUARDRAIL = "Chat/Guardrail/MyGuardrail"


def guardrail_app(outdir):
    from cdklabs.generative_ai_cdk_constructs import bedrock

    app = cdk.App(outdir=str(outdir))
    stack = Stack(app, "Chat")
    guardrail = bedrock.Guardrail(stack, "Guardrail", name="chat-guardrail")
    return app, stack, guardrail


def test_generative_ai_guardrail_gets_exactly_the_expected_findings(tmp_path):
    """A guardrail of cdklabs.generative-ai-cdk-constructs with its defaults (no filters at all)."""
    app, _, _ = guardrail_app(tmp_path)
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.FOUNDATIONAL))
    failed, found = synth(app)
    assert failed
    assert found == {
        *((f"AISEC-APP-01[{category}]", GUARDRAIL, "error")
          for category in ("HATE", "INSULTS", "MISCONDUCT", "SEXUAL", "VIOLENCE")),
        ("AISEC-APP-02", GUARDRAIL, "error"),
        ("AISEC-APP-03[PiiEntitiesConfig]", GUARDRAIL, "error"),
        ("AISEC-APP-18", GUARDRAIL, "error"),
        ("AISEC-APP-19", GUARDRAIL, "error"),
    }


def test_nag_suppressions_and_cdk_acknowledgements_are_honoured(tmp_path):
    """cdk-nag 2's NagSuppressions (resource, granular applies_to, stack) and CDK's acknowledge, together."""
    from cdk_nag import NagPackSuppression, NagSuppressions

    app, stack, guardrail = guardrail_app(tmp_path)
    NagSuppressions.add_resource_suppressions(guardrail, [
        NagPackSuppression(id="AISEC-APP-02", reason="prompt-attack filter lives in the account guardrail"),
        NagPackSuppression(id="AISEC-APP-01", reason="this guardrail only screens hate speech elsewhere",
                           applies_to=["HATE"]),
    ], apply_to_children=True)
    NagSuppressions.add_stack_suppressions(stack, [
        NagPackSuppression(id="AISEC-APP-19", reason="organization trail in the management account")])
    Validations.of(stack).acknowledge(Acknowledgment(id="AISEC-APP-18", reason="logging set by the baseline stack"))
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.FOUNDATIONAL))
    failed, found = synth(app)
    assert failed  # the remaining findings still fail the synth
    assert found == {
        ("AISEC-APP-01[HATE]", GUARDRAIL, "info"),
        *((f"AISEC-APP-01[{category}]", GUARDRAIL, "error") for category in ("INSULTS", "MISCONDUCT", "SEXUAL", "VIOLENCE")),
        ("AISEC-APP-02", GUARDRAIL, "info"),
        ("AISEC-APP-03[PiiEntitiesConfig]", GUARDRAIL, "error"),
        ("AISEC-APP-18", GUARDRAIL, "info"),
        ("AISEC-APP-19", GUARDRAIL, "info"),
    }
    template = json.loads((Path(app.outdir) / "Chat.template.json").read_text())
    (resource,) = template["Resources"].values()
    ids = {entry["id"] for entry in resource["Metadata"]["cdk_nag"]["rules_to_suppress"]}
    assert ids == {"AISEC-APP-02", "AISEC-APP-01", "AISEC-APP-18"}  # NagSuppressions' entries kept, CDK's added


def test_nag_suppressions_that_match_no_finding_are_reported(tmp_path):
    """cdk-nag 2's suppressions are acknowledgements like any other: one that silences nothing is an unused
    acknowledgement (a warning in warn mode, with the resource or, for a stack suppression, no resource)."""
    from cdk_nag import NagPackSuppression, NagSuppressions

    app, stack, guardrail = guardrail_app(tmp_path)
    NagSuppressions.add_resource_suppressions(guardrail, [
        NagPackSuppression(id="AISEC-INF-06", reason="the code interpreter was removed last sprint")],
        apply_to_children=True)
    NagSuppressions.add_stack_suppressions(stack, [
        NagPackSuppression(id="AISEC-DATA-99", reason="a rule id that no rule has (a typo)")])
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.FOUNDATIONAL, mode="warn"))
    failed, report = synth_report(app)
    assert not failed
    plugin = next(p for p in report["pluginReports"] if p["pluginName"] == "AISEC")
    unused = {v["ruleName"]: (v["severity"], [c["constructPath"] for c in v["violatingConstructs"]])
              for v in plugin["violations"] if v["ruleName"].endswith("(unused acknowledgement)")}
    assert unused == {"AISEC-INF-06 (unused acknowledgement)": ("warning", [GUARDRAIL]),
                      "AISEC-DATA-99 (unused acknowledgement)": ("warning", [])}


def test_composes_with_cdk_nag_2_aws_solutions_checks(tmp_path):
    """cdk-nag 2 packs are aspects: both run in one synth, each reporting its own findings."""
    from aws_cdk import aws_iam as iam
    from cdk_nag import AwsSolutionsChecks

    app, stack, _ = guardrail_app(tmp_path)
    iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
             managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaBasicExecutionRole")])
    Aspects.of(app).add(AwsSolutionsChecks())
    Validations.of(app).add_plugins(AiSecurityChecks(app))
    failed, found = synth(app)
    assert failed and ("AISEC-APP-02", GUARDRAIL, "error") in found
    metadata = json.loads((Path(app.outdir) / "Chat.metadata.json").read_text())  # the stack's annotations
    entries = metadata["/Chat/R/Resource"]
    iam4 = [e for e in entries if e["type"] == "aws:cdk:error" and str(e["data"]).startswith("AwsSolutions-IAM4[")]
    assert len(iam4) == 1  # cdk-nag 2 reports as error annotations, which fail `cdk synth`
