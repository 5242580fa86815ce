"""The reference app at every phase: the six stacks synthesize with the pack enforcing (zero
unacknowledged findings), their templates pass cfn-lint, `aisec check` agrees on the cloud
assembly, the controls present grow with the phase, and the management account's stack is an
environment of its own whose organization policies count for the workloads."""
import importlib.util
import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from aisec_rules.cli import main
from tests.browser import WIDTH, flags, widths
from tests.cfn_lint import lint_errors

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("reference_app", ROOT / "app.py")
reference_app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reference_app)

PHASES = ("foundational", "enhanced", "advanced")
STACKS = ["AiSecurityBaseline", "ChatAssistant", "RagAssistant", "SupportAgent", "ModelService"]
ORGANIZATION = "OrganizationBaseline"
MANAGEMENT = "aws://111111111111/us-east-1"
_cache = {}


def synth(phase: str, tmp_path_factory) -> cdk.cx_api.CloudAssembly:
    if phase not in _cache:
        outdir = tmp_path_factory.mktemp(f"cdk.out.{phase}")
        app = cdk.App(outdir=str(outdir), context={"aisec:phase": phase})
        reference_app.build(app)
        _cache[phase] = app.synth()  # raises when the pack reports any unacknowledged finding
    return _cache[phase]


@pytest.fixture(scope="module", params=PHASES)
def assembly(request, tmp_path_factory):
    return request.param, synth(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory):
    return {phase: synth(phase, tmp_path_factory) for phase in PHASES}


def types(assembly, stack: str) -> set:
    return {r["Type"] for r in assembly.get_stack_by_name(stack).template["Resources"].values()}


def all_types(assembly) -> set:
    return set().union(*(types(assembly, s) for s in STACKS))


def test_every_stack_synthesizes_with_zero_findings(assembly):
    phase, asm = assembly
    assert sorted(s.stack_name for s in asm.stacks) == sorted(STACKS + [ORGANIZATION])
    report = Path(asm.directory) / "validation-report.json"
    if report.exists():  # written only when a plugin reports something (acknowledged findings)
        for plugin in json.loads(report.read_text())["pluginReports"]:
            assert all(v["severity"] == "info" for v in plugin["violations"]), phase


def test_templates_pass_cfn_lint(assembly):
    phase, asm = assembly
    for stack in asm.stacks:
        assert lint_errors(stack.template) == [], (phase, stack.stack_name)


def test_cli_agrees_on_the_cloud_assembly(assembly, capsys):
    phase, asm = assembly
    assert main(["check", asm.directory, "--phase", phase]) == 0
    assert " 0 finding(s)" in " " + capsys.readouterr().out.strip().splitlines()[-1]


def test_default_phase_is_advanced():
    assert reference_app.phase_of(cdk.App()).name == "ADVANCED"
    assert json.loads((ROOT / "cdk.json").read_text())["context"]["aisec:phase"] == "advanced"


def test_controls_grow_with_the_phase(assemblies):
    f, e, a = (all_types(assemblies[p]) for p in PHASES)
    assert f <= e <= a
    enhanced_only = {"AWS::EC2::VPC", "AWS::EC2::FlowLog", "AWS::EC2::VPCEndpoint", "AWS::GuardDuty::Detector",
                     "AWS::Macie::Session", "AWS::CloudWatch::Alarm"}
    assert enhanced_only <= e and not enhanced_only & f
    # event rules: the knowledge base's corpus-change rule from Foundational (a KnowledgeBase default), finding
    # routes from Enhanced
    assert [s for s in STACKS if "AWS::Events::Rule" in types(assemblies["foundational"], s)] == ["RagAssistant"]
    assert "AWS::Events::Rule" in types(assemblies["enhanced"], "AiSecurityBaseline")
    advanced_only = {"AWS::SecurityHub::Hub", "AWS::SecurityHub::Standard", "AWS::Config::ConfigurationRecorder",
                     "AWS::Detective::Graph", "AWS::Bedrock::EnforcedGuardrailConfiguration",
                     "AWS::Bedrock::AutomatedReasoningPolicy"}
    assert advanced_only <= a and not advanced_only & e
    # every phase: invocation logging, the trail, a guardrail per workload, customer managed keys
    for asm in assemblies.values():
        assert {"Custom::AisecModelInvocationLogging", "AWS::CloudTrail::Trail"} <= types(asm, "AiSecurityBaseline")
        for stack in STACKS[1:]:
            assert {"AWS::Bedrock::Guardrail", "AWS::Bedrock::GuardrailVersion", "AWS::KMS::Key"} <= types(asm, stack)


def test_singletons_live_only_in_the_baseline(assemblies):
    singletons = {"Custom::AisecModelInvocationLogging", "AWS::CloudTrail::Trail", "AWS::GuardDuty::Detector",
                  "AWS::SecurityHub::Hub", "AWS::Config::ConfigurationRecorder", "AWS::Detective::Graph",
                  "AWS::Macie::Session", "AWS::Bedrock::EnforcedGuardrailConfiguration"}
    asm = assemblies["advanced"]
    assert singletons <= types(asm, "AiSecurityBaseline")
    for stack in STACKS[1:]:
        assert not singletons & types(asm, stack), stack


def test_three_kinds_of_system(assemblies):
    asm = assemblies["foundational"]
    chat = asm.get_stack_by_name("ChatAssistant").template["Resources"].values()
    methods = [r for r in chat if r["Type"] == "AWS::ApiGateway::Method" and r["Properties"]["HttpMethod"] != "OPTIONS"]
    assert methods and all(m["Properties"]["AuthorizationType"] == "AWS_IAM" for m in methods)
    assert "AWS::WAFv2::WebACLAssociation" in types(asm, "ChatAssistant")
    assert {"AWS::Bedrock::KnowledgeBase", "AWS::S3Vectors::Index"} <= types(asm, "RagAssistant")
    agent = next(r for r in asm.get_stack_by_name("SupportAgent").template["Resources"].values()
                 if r["Type"] == "AWS::Bedrock::Agent")
    functions = {f["Name"]: f for g in agent["Properties"]["ActionGroups"] for f in g["FunctionSchema"]["Functions"]}
    assert functions["cancel_order"]["RequireConfirmation"] == "ENABLED"
    assert functions["get_order"].get("RequireConfirmation", "DISABLED") == "DISABLED"


def test_chat_role_may_invoke_only_its_model(assemblies):
    template = assemblies["advanced"].get_stack_by_name("ChatAssistant").template
    statements = [s for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"
                  for s in r["Properties"]["PolicyDocument"]["Statement"]
                  if "bedrock:InvokeModel" in s["Action"]]
    assert len(statements) == 1
    resource = json.dumps(statements[0]["Resource"])
    assert "foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0" in resource and '"*"' not in resource
    assert "bedrock:GuardrailIdentifier" in json.dumps(statements[0]["Condition"])


def test_no_stack_acknowledges_what_the_baseline_provides(assemblies):
    """The baseline satisfies the environment controls of the workload stacks by deploying beside them:
    no environment-scope finding is acknowledged anywhere in the app, at any phase."""
    from aisec_rules.model import Scope
    from aisec_rules.registry import RULES

    environment_ids = {r.id for r in RULES if r.scope is Scope.ENVIRONMENT}
    for phase, asm in assemblies.items():
        report = Path(asm.directory) / "validation-report.json"
        plugins = json.loads(report.read_text())["pluginReports"] if report.exists() else []
        acknowledged = {v["ruleName"] for p in plugins if p["pluginName"] == "AISEC" for v in p["violations"]}
        assert not {a for a in acknowledged if a.split("[")[0] in environment_ids}, phase


def test_the_organization_baseline_is_the_management_account_environment(assemblies):
    for asm in assemblies.values():
        stack = asm.get_stack_by_name(ORGANIZATION)
        assert stack.environment.name == MANAGEMENT
        policies = {p["Type"]: p for p in resources(asm, ORGANIZATION, "AWS::Organizations::Policy")}
        assert sorted(policies) == ["AISERVICES_OPT_OUT_POLICY", "BEDROCK_POLICY", "SERVICE_CONTROL_POLICY"]
        assert all(p["TargetIds"] == reference_app.ORGANIZATION_TARGETS for p in policies.values())
        identifier = policies["BEDROCK_POLICY"]["Content"]["bedrock"]["guardrail_inference"]["us-east-1"]["config_1"]
        assert identifier["identifier"] == {"@@assign": "arn:aws:bedrock:us-east-1:111111111111:guardrail/placeholder0:1"}


def test_the_readiness_report_shows_both_environments_and_app_33_met_by_the_organization(assemblies):
    data = json.loads((Path(assemblies["advanced"].directory) / "aisec-report.json").read_text())
    environments = {e["name"]: e for e in data["environments"]}
    assert [s["name"] for s in environments[MANAGEMENT]["stacks"]] == [ORGANIZATION]
    workloads = environments["aws://unknown-account/unknown-region"]
    advanced_app = next(c for c in workloads["matrix"] if c["layer"] == "APP" and c["phase"] == "advanced")
    assert {"AISEC-APP-09", "AISEC-APP-33"} <= set(advanced_app["met"])


def test_the_management_account_comes_from_context(tmp_path):
    app = cdk.App(outdir=str(tmp_path), context={"aisec:management-account": "999999999999",
                                                 "aisec:organization-targets": ["r-ab12"]})
    stack = reference_app.organization_baseline(app)
    assert (stack.account, stack.region) == ("999999999999", "us-east-1")
    policies = [r["Properties"] for r in app.synth().get_stack_by_name(ORGANIZATION).template["Resources"].values()]
    assert {tuple(p["TargetIds"]) for p in policies} == {("r-ab12",)}
    assert json.loads((ROOT / "cdk.json").read_text())["context"]["aisec:management-account"] == "111111111111"


def resources(assembly, stack: str, type_: str) -> list:
    return [r["Properties"] for r in assembly.get_stack_by_name(stack).template["Resources"].values()
            if r["Type"] == type_]


def test_model_service_grows_with_the_phase(assemblies):
    f, e, a = (types(assemblies[p], "ModelService") for p in PHASES)
    always = {"AWS::SageMaker::ModelPackageGroup", "AWS::SageMaker::ModelPackage", "AWS::SageMaker::Model",
              "AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint", "AWS::ApiGateway::RestApi",
              "AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation", "AWS::Bedrock::Guardrail"}
    assert always <= f and f <= e <= a
    monitored = {"AWS::SageMaker::MonitoringSchedule", "AWS::SageMaker::DataQualityJobDefinition", "AWS::EC2::VPC"}
    assert monitored <= e and not monitored & f
    assert "VpcConfig" not in resources(assemblies["foundational"], "ModelService", "AWS::SageMaker::Model")[0]
    for phase in PHASES:
        [model] = resources(assemblies[phase], "ModelService", "AWS::SageMaker::Model")
        assert model["EnableNetworkIsolation"] is True and "ModelPackageName" in model["PrimaryContainer"]
        [package] = resources(assemblies[phase], "ModelService", "AWS::SageMaker::ModelPackage")
        assert package["ModelApprovalStatus"] == "Approved"
        [config] = resources(assemblies[phase], "ModelService", "AWS::SageMaker::EndpointConfig")
        assert config["DataCaptureConfig"]["EnableCapture"] is True and "KmsKeyId" in config["DataCaptureConfig"]


def test_model_service_function_screens_with_the_guardrail_and_invokes_one_endpoint(assemblies):
    template = assemblies["advanced"].get_stack_by_name("ModelService").template
    statements = [s for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"
                  for s in r["Properties"]["PolicyDocument"]["Statement"]]
    invoke = [s for s in statements if s["Action"] == "sagemaker:InvokeEndpoint"]
    assert len(invoke) == 1 and invoke[0]["Resource"]["Fn::GetAtt"][1] == "EndpointArn"
    assert any("bedrock:ApplyGuardrail" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
               for s in statements)
    methods = [m for m in resources(assemblies["advanced"], "ModelService", "AWS::ApiGateway::Method")]
    assert methods and all(m["AuthorizationType"] == "AWS_IAM" for m in methods)


def test_the_readiness_report_renders_in_a_real_browser_without_network(assemblies, tmp_path):
    """The pack's HTML report of the reference app, opened in headless Chromium: a screenshot is made, the
    page's text holds the verdict and every stack, and no request leaves the page (Chromium's net log)."""
    import subprocess

    folder = Path(assemblies["advanced"].directory)
    page = (folder / "aisec-report.html").resolve().as_uri()
    shot, net = tmp_path / "report.png", tmp_path / "net.json"
    subprocess.run(flags() + [f"--screenshot={shot}", f"--log-net-log={net}", page], check=True, timeout=120,
                   capture_output=True)
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = subprocess.run(flags() + ["--dump-dom", page], check=True, timeout=120, capture_output=True,
                         text=True).stdout
    data = json.loads((folder / "aisec-report.json").read_text())
    assert [e["name"] for e in data["environments"]] == [MANAGEMENT, "aws://unknown-account/unknown-region"]
    assert all(e["verdict"]["highest_phase_met"] == "advanced" for e in data["environments"])
    assert "meets Advanced: every phase fully met" in dom
    for stack in STACKS + [ORGANIZATION]:
        assert f"<code>{stack}</code>" in dom, stack
    events = json.loads(net.read_text())["events"]
    requested = {e["params"]["url"] for e in events if "url" in e.get("params", {})}
    assert not {u for u in requested if not u.startswith(("file:", "data:", "about:"))}, requested
    scroll, inner = widths(folder / "aisec-report.html", tmp_path)
    assert inner == WIDTH and scroll <= inner  # no horizontal scroll bar at 1280 px


def test_the_workloads_meet_the_organization_controls_with_the_management_accounts_policies(assemblies):
    """The organization policies live in another environment (the management account); the workloads' report
    names them as the evidence of AISEC-APP-09 and AISEC-APP-33 (Rule.system_wide)."""
    data = json.loads((Path(assemblies["advanced"].directory) / "aisec-report.json").read_text())
    workloads = next(e for e in data["environments"] if e["name"] != "aws://111111111111/us-east-1")
    controls = {c["id"]: c for cell in workloads["matrix"] for c in cell["controls"]}
    policies = [("OrganizationBaseline", "AWS::Organizations::Policy")] * 3
    assert controls["AISEC-APP-33"]["state"] == "met"
    assert [(r["stack"], r["type"]) for r in controls["AISEC-APP-33"]["judged"]["resources"]] == policies
    assert [(r["stack"], r["type"]) for r in controls["AISEC-APP-09"]["judged"]["resources"]] == [
        ("AiSecurityBaseline", "AWS::Bedrock::EnforcedGuardrailConfiguration"), *policies]


def test_every_rule_reads_only_what_it_declares_on_the_reference_app(assemblies):
    """The rules over the five reference stacks at Advanced read only the resource types they declare
    (tests/rules/test_reads.py says why that matters)."""
    from aisec_rules.model import Phase
    from aisec_rules.read.loader import load_stacks
    from aisec_rules.registry import RULES
    from aisec_rules.system.environments import environments
    from tests.rules.reads import assert_reads_declared

    system = [(environment.name, environment.view())
              for environment in environments(load_stacks([assemblies["advanced"].directory]))]
    assert len(system) == 2  # the workloads, and the management account's OrganizationBaseline
    for name, view in system:
        for rule in RULES:
            assert_reads_declared(rule, view, Phase.ADVANCED, system=system, environment=name)
