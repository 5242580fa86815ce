"""AiWorkload and AccountBaseline: the controls each phase adds, and a baseline in another stack of the
same app and environment covering the workload's environment controls with no acknowledgement."""
import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk.assertions import Template

from aisec_constructs.data import KnowledgeBase, SecureBucket

from aisec_constructs.data.keys import EncryptionKey
from aisec_constructs.organization import OrganizationGuardrails
from aisec_constructs.workload import AccountBaseline, AiWorkload
from aisec_rules import AiSecurityChecks
from aisec_rules.model import Phase
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import stack_findings

PHASES = (Phase.FOUNDATIONAL, Phase.ENHANCED, Phase.ADVANCED)
ORGANIZATION_PARTS = ("AiServicesOptOut", "BedrockPolicy", "BrowserOutsideVpc", "CodeInterpreterOutsideVpc",
                      "GuardrailChanges", "InvocationLoggingChanges", "RuntimeOutsideVpc", "TrailChanges")
SINGLETONS = ("Custom::AisecModelInvocationLogging", "AWS::CloudTrail::Trail", "AWS::GuardDuty::Detector",
              "AWS::Macie::Session", "AWS::SecurityHub::Hub", "AWS::Config::ConfigurationRecorder",
              "AWS::Detective::Graph", "AWS::Bedrock::EnforcedGuardrailConfiguration")


def standalone(phase: Phase, capabilities=("connects",)) -> cdk.Stack:
    stack = cdk.Stack(cdk.App(), "Standalone")
    AiWorkload(stack, "Workload", capabilities=capabilities, phase=phase, model_ids=["amazon.nova-lite-v1:0"])
    return stack


@pytest.fixture(scope="module")
def templates():
    return {phase: Template.from_stack(standalone(phase)) for phase in PHASES}


@pytest.fixture(scope="module")
def with_baseline(tmp_path_factory):
    """Per phase, an app with a baseline stack and a RAG workload stack that uses it, and the management
    account's organization policies in a stack of its own environment, synthesized with the pack enforcing
    (synth raises on any unacknowledged finding)."""
    result = {}
    for phase in PHASES:
        app = cdk.App(outdir=str(tmp_path_factory.mktemp(f"workload-{phase.name.lower()}")))
        management = cdk.Stack(app, "Organization", env=cdk.Environment(account="111111111111", region="us-east-1"))
        OrganizationGuardrails(management, "Guardrails", target_ids=["ou-abcd-11111111"],
                               guardrail_arn="arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123",
                               guardrail_version="1")
        base_stack = cdk.Stack(app, "Base")
        baseline = AccountBaseline(base_stack, "Baseline", phase=phase)
        stack = cdk.Stack(app, "Rag")
        workload = AiWorkload(stack, "Workload", capabilities=["connects"], phase=phase, baseline=baseline)
        KnowledgeBase(stack, "KnowledgeBase", source_bucket=SecureBucket(stack, "Corpus"), screen_chunks=False)
        Validations.of(stack).acknowledge(Acknowledgment(id="AISEC-DATA-25[Transformation]",
                                                         reason="test: no transformation function"))
        Validations.of(workload.guardrail).acknowledge(Acknowledgment(id="AISEC-APP-10",
                                                                      reason="test: no domain rules"))
        Validations.of(app).add_plugins(AiSecurityChecks(app, phase=phase))
        assembly = app.synth()
        report = Path(assembly.directory) / "validation-report.json"
        plugins = json.loads(report.read_text())["pluginReports"] if report.exists() else []
        acks = [v for p in plugins if p["pluginName"] == "AISEC" for v in p["violations"]]
        result[phase] = (base_stack, stack, workload, assembly, acks)
    return result


def count(template: Template, resource_type: str) -> int:
    return len(template.find_resources(resource_type))


def test_foundational_defaults(templates):
    t = templates[Phase.FOUNDATIONAL]
    for resource_type in ("AWS::KMS::Key", "AWS::Bedrock::Guardrail", "AWS::Bedrock::GuardrailVersion",
                          "Custom::AisecModelInvocationLogging", "AWS::CloudTrail::Trail"):
        assert count(t, resource_type) >= 1, resource_type
    for resource_type in ("AWS::EC2::VPC", "AWS::GuardDuty::Detector", "AWS::SecurityHub::Hub"):
        assert count(t, resource_type) == 0, resource_type


def test_enhanced_adds_network_detection_and_monitoring(templates):
    t = templates[Phase.ENHANCED]
    for resource_type in ("AWS::EC2::VPC", "AWS::EC2::FlowLog", "AWS::GuardDuty::Detector", "AWS::Events::Rule",
                          "AWS::Macie::Session", "AWS::CloudWatch::Alarm"):
        assert count(t, resource_type) >= 1, resource_type
    assert count(t, "AWS::SecurityHub::Hub") == 0


def test_advanced_adds_posture_and_enforced_guardrail(templates):
    t = templates[Phase.ADVANCED]
    for resource_type in ("AWS::SecurityHub::Hub", "AWS::Config::ConfigurationRecorder", "AWS::Detective::Graph",
                          "AWS::Bedrock::EnforcedGuardrailConfiguration"):
        assert count(t, resource_type) == 1, resource_type


def test_advanced_sends_the_trail_and_invocation_logs_to_a_write_once_archive(templates):
    archive = {k for k, r in templates[Phase.ADVANCED].find_resources("AWS::S3::Bucket").items()
               if r["Properties"].get("ObjectLockConfiguration", {}).get("Rule", {}).get("DefaultRetention") ==
               {"Mode": "COMPLIANCE", "Days": 365}}
    assert len(archive) == 1
    [name] = archive
    trail = next(iter(templates[Phase.ADVANCED].find_resources("AWS::CloudTrail::Trail").values()))
    assert trail["Properties"]["S3BucketName"] == {"Ref": name}
    logging = next(iter(templates[Phase.ADVANCED].find_resources("Custom::AisecModelInvocationLogging").values()))
    assert logging["Properties"]["LoggingConfig"]["S3Config"]["BucketName"] == {"Ref": name}
    for phase in (Phase.FOUNDATIONAL, Phase.ENHANCED):  # (IncidentResponse's forensic bucket is GOVERNANCE-locked)
        assert not [r for r in templates[phase].find_resources("AWS::S3::Bucket").values()
                    if r["Properties"].get("ObjectLockConfiguration", {}).get("Rule", {}).get("DefaultRetention", {})
                    .get("Mode") == "COMPLIANCE"], phase


def test_contain_adds_agent_containment_at_advanced_only():
    from aws_cdk import aws_iam as iam

    stack = cdk.Stack(cdk.App(), "Agents")
    workload = AiWorkload(stack, "Workload", capabilities=["acts"], phase="advanced")
    role = iam.Role(stack, "AgentRole", assumed_by=iam.ServicePrincipal("bedrock.amazonaws.com"))
    containment = workload.contain(roles=[role])
    assert workload.containment is containment and containment.archive is workload.local_baseline.evidence_archive
    patterns = [r["Properties"]["EventPattern"] for r in Template.from_stack(stack).find_resources("AWS::Events::Rule").values()
                if "WorkloadContainmentFunction" in json.dumps(r["Properties"]["Targets"])]
    assert sorted(p["source"][0] for p in patterns) == ["aws.cloudwatch", "aws.guardduty"]  # findings; usage alarms
    enhanced = AiWorkload(cdk.Stack(cdk.App(), "Enhanced"), "Workload", capabilities=["acts"], phase="enhanced")
    with pytest.raises(ValueError, match="containment is an Advanced control"):
        enhanced.contain(roles=[role])


def test_connects_guardrail_checks_grounding(templates):
    templates[Phase.FOUNDATIONAL].has_resource_properties("AWS::Bedrock::Guardrail", {
        "ContextualGroundingPolicyConfig": {"FiltersConfig": [{"Type": "GROUNDING", "Threshold": 0.75},
                                                              {"Type": "RELEVANCE", "Threshold": 0.75}]}})


@pytest.mark.parametrize("phase", PHASES)
def test_standalone_workload_has_no_workload_findings_of_its_phase(phase):
    """Without a baseline the workload carries every singleton itself: nothing missing at its phase
    except what application constructs add (the knowledge base, tool functions) and what only the
    management account can provide (the organization's guardrails)."""
    findings = stack_findings(standalone(phase, ("answers",)), phase, include_workload=True)
    # by design: automated reasoning needs the user's domain policy (automated_reasoning_policies=),
    # IsolatedNetwork acknowledges PII masking on its flow logs (seen by the pack, not by the bare engine), and
    # the organization policies of AISEC-APP-33 belong to the management account's app
    organization = {f"AISEC-APP-33[{d}] @ WorkloadBaselineAccountGuardrailDF201C00" for d in ORGANIZATION_PARTS}
    expected = {"AISEC-APP-10 @ WorkloadGuardrailF5E07088",
                "AISEC-DATA-23 @ WorkloadNetworkFlowLogsLogGroupCAF5A374"} | organization \
        if phase is Phase.ADVANCED else set()
    assert set(findings) == expected


@pytest.mark.parametrize("phase", PHASES)
def test_baseline_singletons_stay_out_of_workload_stacks(with_baseline, phase):
    _, _, workload, assembly, _ = with_baseline[phase]
    resources = assembly.get_stack_by_name("Rag").template["Resources"].values()
    assert not {r["Type"] for r in resources} & set(SINGLETONS)
    assert workload.local_baseline is None
    for name in ("Base", "Rag"):
        assert lint_errors(assembly.get_stack_by_name(name).template) == [], name


@pytest.mark.parametrize("phase", PHASES)
def test_the_baseline_covers_the_workload_without_acknowledgements(with_baseline, phase):
    """The baseline's singletons satisfy the workload's environment controls because both stacks deploy
    to one environment of one app (the organization's policies come from the management account's
    environment of the same app): the synth passed (it raises on any finding) and the only
    acknowledgements in the report are the two the test app makes itself and the flow logs' (PII masking,
    made by IsolatedNetwork), all of Advanced rules."""
    _, _, workload, _, acks = with_baseline[phase]
    acknowledged = {v["ruleName"] for v in acks}
    expected = {"AISEC-DATA-25[Transformation]", "AISEC-APP-10", "AISEC-DATA-23"} if phase is Phase.ADVANCED else set()
    assert acknowledged == expected
    assert all(v["severity"] == "info" for v in acks)
    assert not hasattr(workload, "acknowledged_by_baseline")


def test_existing_key_and_network_are_accepted():
    stack = cdk.Stack(cdk.App(), "Existing")
    key = EncryptionKey(stack, "Key", purpose="shared")
    first = AiWorkload(stack, "First", capabilities=["answers"], phase="enhanced", encryption_key=key)
    second = AiWorkload(stack, "Second", capabilities=["answers"], phase="enhanced", encryption_key=key,
                        network=first.network, guardrail=first.guardrail,
                        baseline=first.local_baseline)
    assert second.encryption_key is key and second.network is first.network and second.guardrail is first.guardrail
    assert second.local_baseline is None
    assert count(Template.from_stack(stack), "AWS::EC2::VPC") == 1


def test_moving_a_phase_is_one_argument():
    with pytest.raises(ValueError):
        AiWorkload(cdk.Stack(cdk.App(), "Bad"), "Workload", capabilities=["answers"], phase="extreme")
