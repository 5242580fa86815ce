"""The cdk-nag pack end to end in CDK apps: findings fail the synth, acknowledgements silence
exactly what they name, the report names construct paths, and the pack composes with
AwsSolutionsChecks. Synth is slow, so each app is synthesized once per module."""

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Stack, Stage, Validations
from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from cdk_nag import AwsSolutionsChecks

from aisec_rules import AiSecurityChecks, Phase
from tests.pack_report import aisec_violations, synth_report

pytestmark = pytest.mark.compat  # also run against the lower bounds (make test-compat)


def interpreter(scope, name, mode):
    return agentcore.CfnCodeInterpreterCustom(
        scope, name, name=name.lower(),
        network_configuration=agentcore.CfnCodeInterpreterCustom.CodeInterpreterNetworkConfigurationProperty(network_mode=mode))


@pytest.fixture(scope="module")
def acknowledged_app(tmp_path_factory):
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("ack")))
    open_stack = Stack(app, "Open")
    interpreter(open_stack, "Public", "PUBLIC")
    acked = interpreter(open_stack, "Acked", "PUBLIC")
    Validations.of(acked).acknowledge(Acknowledgment(id="AISEC-INF-06", reason="sandbox account, no data"))
    quiet_stack = Stack(app, "Quiet")
    interpreter(quiet_stack, "AlsoPublic", "PUBLIC")
    Validations.of(quiet_stack).acknowledge(Acknowledgment(id="AISEC-INF-06", reason="whole stack is a demo"))
    role = iam.Role(open_stack, "AgentRole", assumed_by=iam.ServicePrincipal("bedrock.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["bedrock:*"], resources=["*"]))
    role.add_to_policy(iam.PolicyStatement(actions=["sagemaker:*"], resources=["*"]))
    Validations.of(role).acknowledge(Acknowledgment(id="AISEC-DATA-01[Action::bedrock:*]", reason="granular exception for this one action"))
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.FOUNDATIONAL))
    return synth_report(app)


def test_violation_fails_synth_and_report_names_construct_path(acknowledged_app):
    failed, report = acknowledged_app
    assert failed
    errors = {(r, p) for r, p, s in aisec_violations(report) if s == "error"}
    assert ("AISEC-INF-06", "Open/Public") in errors


def test_resource_acknowledgement_silences_that_resource_only(acknowledged_app):
    _, report = acknowledged_app
    violations = aisec_violations(report)
    assert ("AISEC-INF-06", "Open/Acked", "info") in violations
    assert ("AISEC-INF-06", "Open/Acked", "error") not in violations


def test_stack_acknowledgement_silences_its_resources(acknowledged_app):
    _, report = acknowledged_app
    assert ("AISEC-INF-06", "Quiet/AlsoPublic", "info") in aisec_violations(report)


def test_acknowledged_findings_carry_their_reason(acknowledged_app):
    _, report = acknowledged_app
    plugin = next(p for p in report["pluginReports"] if p["pluginName"] == "AISEC")
    reasons = {v["ruleMetadata"].get("reason") for v in plugin["violations"] if v["severity"] == "info"}
    assert {"sandbox account, no data", "whole stack is a demo"} <= reasons


def test_granular_acknowledgement_silences_exactly_that_finding(acknowledged_app):
    _, report = acknowledged_app
    violations = {(r, s) for r, p, s in aisec_violations(report) if p.startswith("Open/AgentRole")}
    assert ("AISEC-DATA-01[Action::bedrock:*]", "info") in violations
    assert ("AISEC-DATA-01[Action::sagemaker:*]", "error") in violations


def test_phase_from_context_overrides_argument(tmp_path):
    app = cdk.App(outdir=str(tmp_path), context={"aisec:phase": "enhanced"})
    stack = Stack(app, "S")
    interpreter(stack, "Sandboxed", "SANDBOX")  # passes at Foundational, fails at Enhanced
    pack = AiSecurityChecks(app, phase=Phase.FOUNDATIONAL)
    assert pack.phase == Phase.ENHANCED
    Validations.of(app).add_plugins(pack)
    failed, report = synth_report(app)
    assert failed and ("AISEC-INF-06", "S/Sandboxed", "error") in aisec_violations(report)


def test_bad_phase_in_context_is_a_clear_error():
    app = cdk.App(context={"aisec:phase": "production"})
    with pytest.raises(ValueError, match="context key aisec:phase: unknown phase 'production'"):
        AiSecurityChecks(app)


def test_pack_on_a_stage_scans_only_that_stage(tmp_path):
    app = cdk.App(outdir=str(tmp_path))
    checked = Stage(app, "Checked")
    interpreter(Stack(checked, "S"), "Public", "PUBLIC")
    unchecked = Stage(app, "Unchecked")
    interpreter(Stack(unchecked, "S"), "Public", "PUBLIC")
    Validations.of(checked).add_plugins(AiSecurityChecks(checked))
    failed, report = synth_report(app)
    assert failed
    paths = {p for _, p, _ in aisec_violations(report)}
    assert paths == {"Checked/S/Public"}


@pytest.mark.cdk_nag3  # cdk-nag 2's packs are aspects: tests/cdk/test_pack_lower_bounds.py composes with those
def test_composes_with_aws_solutions_checks(tmp_path):
    app = cdk.App(outdir=str(tmp_path))
    stack = Stack(app, "S")
    interpreter(stack, "Public", "PUBLIC")
    iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
             managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaBasicExecutionRole")])
    Validations.of(app).add_plugins(AiSecurityChecks(app), AwsSolutionsChecks(app))
    failed, report = synth_report(app)
    plugins = {p["pluginName"] for p in report["pluginReports"]}
    assert failed and {"AISEC", "AwsSolutions"} <= plugins
    assert ("AISEC-INF-06", "S/Public", "error") in aisec_violations(report)


def test_stack_without_ai_resources_synthesizes(tmp_path):
    """No AI capability, no rule applies (the compliant AI case is the reference app test)."""
    app = cdk.App(outdir=str(tmp_path))
    sns.Topic(Stack(app, "S"), "Topic")
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ADVANCED))
    app.synth()  # raises on any finding


def test_validate_scope_explains_how_to_use_the_pack():
    app = cdk.App()
    with pytest.raises(NotImplementedError, match="register it with"):
        AiSecurityChecks(app).validate_scope(app)
