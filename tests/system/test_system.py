"""The system is the unit of evaluation: a multi-stack app in two environments (tests/system_app.py),
judged by the pack at synth time and by `aisec check cdk.out`, with the same findings."""
import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations

from aisec_rules import AiSecurityChecks, Phase
from aisec_rules.cli import main
from aisec_rules.engine import evaluate, evaluate_system
from aisec_rules.read.loader import load_stacks
from aisec_rules.model import Scope
from aisec_rules.registry import BY_ID
from tests import system_app

ENV_A = "aws://111111111111/eu-west-1"
ENV_B = "aws://222222222222/us-east-1"

#: what each workload shows in both environments, as (stack suffix, resource, finding id)
RESOURCE_FINDINGS = {
    ("Agent", "Agent", "AISEC-APP-04"),          # the agent applies no guardrail
    ("Agent", "Agent", "AISEC-DATA-05"),         # its role (read from SSM) is the knowledge base's (imported)
    ("Kb", "KnowledgeBase", "AISEC-DATA-05"),
    ("Agent", "Agent", "AISEC-DATA-09"),
    ("Kb", "KnowledgeBase", "AISEC-APP-21"),     # no log delivery for the knowledge base
    ("Kb", "Source", "AISEC-DATA-10"),
    ("Roles", "KnowledgeBaseRole", "AISEC-DATA-06"),  # trust policy without confused-deputy condition
    ("Store", "VectorEncryption", "AISEC-DATA-11"),
    ("Corpus", "Corpus", "AISEC-DATA-15"),       # an AI bucket only through the Kb stack's data source
    ("Corpus", "Corpus", "AISEC-DATA-32"),       # and its changes raise no alert
    ("Store", "VectorNetwork", "AISEC-INF-09"),  # AllowFromPublic for the collection
}
#: environment B has no baseline: each environment control is missing once, on the first resource that
#: establishes the rule's capability (the agent for rules about every capability, the knowledge base for Macie)
ENVIRONMENT_FINDINGS_B = {
    ("Agent", "Agent", "AISEC-APP-01"), ("Agent", "Agent", "AISEC-APP-18"), ("Agent", "Agent", "AISEC-APP-19"),
    ("Agent", "Agent", "AISEC-APP-20"), ("Agent", "Agent", "AISEC-APP-23"), ("Agent", "Agent", "AISEC-APP-23[Response]"),
    ("Agent", "Agent", "AISEC-APP-24"), ("Agent", "Agent", "AISEC-APP-24[CostGuardrail]"),  # (issue 22)
    ("Kb", "KnowledgeBase", "AISEC-DATA-24"),
}


def expected():
    rows = {(ENV_A, "A" + stack, resource, finding) for stack, resource, finding in RESOURCE_FINDINGS}
    rows |= {(ENV_B, "B" + stack, resource, finding) for stack, resource, finding in RESOURCE_FINDINGS | ENVIRONMENT_FINDINGS_B}
    return rows


@pytest.fixture(scope="module")
def assembly(tmp_path_factory):
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("system")),
                  context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    system_app.build(app, Phase.ENHANCED)
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ENHANCED))
    return app.synth()


def pack_findings(assembly):
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    environments = {s.stack_name: s.environment.name for s in assembly.stacks}
    environments = {name: f"aws://{env.split('://')[-1]}" for name, env in environments.items()}
    rows = set()
    for plugin in report["pluginReports"]:
        if plugin["pluginName"] != "AISEC":
            continue
        for violation in plugin["violations"]:
            for construct in violation["violatingConstructs"]:
                stack = construct["constructPath"].split("/")[0]
                rows.add((environments[stack], stack, construct["cloudFormationResource"]["logicalId"],
                          violation["ruleName"]))
    return rows


def cli_findings(capsys, *args):
    code = main(["check", *args, "--phase", "enhanced", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    return code, data, {(f["environment"], f["stack"], f["resource"], f["id"]) for f in data["findings"]}


@pytest.mark.compat
def test_the_pack_judges_the_system_per_environment(assembly):
    assert pack_findings(assembly) == expected()


def test_aisec_check_on_cdk_out_agrees_with_the_pack(assembly, capsys):
    code, data, rows = cli_findings(capsys, assembly.directory)
    assert code == 1
    assert rows == pack_findings(assembly) == expected()
    assert [e["name"] for e in data["environments"]] == [ENV_A, ENV_B]
    assert [s["name"] for s in data["environments"][0]["stacks"]] == [
        "AAgent", "ABaseline", "ACorpus", "AKb", "ARoles", "AStore", "AWeb"]
    assert not {row for row in rows if row[1] == "AWeb"}  # outside the AI workload
    scopes = {f["id"]: f["scope"] for f in data["findings"]}
    assert scopes["AISEC-APP-19"] == "environment" and scopes["AISEC-DATA-15"] == "resource"


def test_each_template_alone_loses_the_cross_stack_findings_and_repeats_the_environment_ones(assembly, capsys):
    _, _, rows = cli_findings(capsys, assembly.directory, "--each")
    # the corpus bucket is an AI bucket only through the other stack's data source; the shared role only
    # through the export and the SSM parameter
    assert (ENV_B, "BCorpus", "Corpus", "AISEC-DATA-15") not in rows
    assert (ENV_B, "BAgent", "Agent", "AISEC-DATA-05") not in rows
    # and every stack of environment A that shows a capability is told it has no trail
    no_trail = {stack for env, stack, _, finding in rows if finding == "AISEC-APP-19" and env == ENV_A}
    assert no_trail == {"AAgent", "AKb", "AStore"}


def test_text_output_groups_by_environment_and_stack(assembly, capsys):
    main(["check", assembly.directory, "--phase", "enhanced"])
    lines = capsys.readouterr().out.splitlines()
    headers = [line for line in lines if not line.startswith("    ")]
    assert headers[0] == f"Environment {ENV_A}"
    assert headers[1].startswith("  Stack AAgent (")
    assert f"Environment {ENV_B}" in headers
    assert "    Agent: AISEC-APP-19 [environment] MEDIUM: " in "\n".join(lines)
    assert lines[-1] == "31 finding(s), 0 acknowledged in 12 stack(s), 2 environment(s)"


def test_sarif_carries_environment_and_scope(assembly, capsys):
    main(["check", assembly.directory, "--phase", "enhanced", "--format", "sarif"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    trail = [r for r in results if r["properties"]["findingId"] == "AISEC-APP-19"]
    assert [(r["properties"]["environment"], r["properties"]["scope"], r["properties"]["stack"]) for r in trail] == [
        (ENV_B, "environment", "BAgent")]


@pytest.fixture(scope="module")
def acknowledged_on_the_app(tmp_path_factory):
    """Environment B's trail lives outside the app (an organization trail): one acknowledgement on the app."""
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("system-ack")),
                  context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    system_app.build(app, Phase.ENHANCED)
    Validations.of(app).acknowledge(Acknowledgment(id="AISEC-APP-19", reason="organization trail o-example"))
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ENHANCED))
    return app.synth()


@pytest.mark.compat
def test_an_environment_finding_is_acknowledged_once_on_the_app(acknowledged_on_the_app, capsys):
    report = json.loads((Path(acknowledged_on_the_app.directory) / "validation-report.json").read_text())
    trail = [v for p in report["pluginReports"] if p["pluginName"] == "AISEC" for v in p["violations"]
             if v["ruleName"] == "AISEC-APP-19"]
    assert [(v["severity"], v["violatingConstructs"][0]["constructPath"]) for v in trail] == [("info", "BAgent/Agent")]
    assert "organization trail o-example" in trail[0]["description"]
    _, data, _ = cli_findings(capsys, acknowledged_on_the_app.directory)
    acknowledged = [(f["id"], f["stack"], f["reason"]) for f in data["findings"] if f["acknowledged"]]
    assert acknowledged == [("AISEC-APP-19", "BAgent", "organization trail o-example")]


# -- services: a SageMaker-only system is not asked for Bedrock controls --------------------------------

NOTEBOOK = {"Notebook": {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {
    "InstanceType": "ml.t3.medium", "RoleArn": "arn:aws:iam::111111111111:role/notebook"}}}
GUARDRAIL_IDS = {"AISEC-APP-01", "AISEC-APP-09", "AISEC-APP-18"}


def ids(findings):
    return {f.id.split("[")[0] for f in findings}


def test_sagemaker_only_template_gets_no_bedrock_finding():
    from aisec_rules.read.template import Template

    findings = evaluate(Template({"Resources": NOTEBOOK}, "notebook.json"), Phase.ADVANCED)
    assert not ids(findings) & GUARDRAIL_IDS
    assert not any(f.rule.services and "bedrock" in {s.value for s in f.rule.services} for f in findings)
    assert {"AISEC-INF-14", "AISEC-APP-19"} <= ids(findings)  # SageMaker and general controls still apply


def test_bedrock_template_still_gets_the_bedrock_findings():
    from aisec_rules.read.template import Template

    resources = dict(NOTEBOOK, Kb={"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {}})
    assert GUARDRAIL_IDS <= ids(evaluate(Template({"Resources": resources}, "mixed.json"), Phase.ADVANCED))


def test_every_environment_rule_is_declared_so():
    environment = {r.id for r in BY_ID.values() if r.scope is Scope.ENVIRONMENT}
    assert environment == {"AISEC-APP-01", "AISEC-APP-09", "AISEC-APP-18", "AISEC-APP-19", "AISEC-APP-20",
                           "AISEC-APP-21", "AISEC-APP-23", "AISEC-APP-24", "AISEC-APP-27", "AISEC-APP-31",
                           "AISEC-APP-33", "AISEC-DATA-24"}


def test_loaded_cdk_out_keeps_names_and_environments(assembly):
    stacks = load_stacks([assembly.directory])
    assert sorted((s.environment, s.name) for s in stacks)[:2] == [(ENV_A, "AAgent"), (ENV_A, "ABaseline")]
    assert evaluate_system(stacks, Phase.ENHANCED) == evaluate_system(list(reversed(stacks)), Phase.ENHANCED)
