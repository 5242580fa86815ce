"""The reference app: it synthesizes with the pack enforcing (zero findings), its templates pass
cfn-lint, and `aisec check` agrees with the pack on the synthesized cloud assembly."""
import importlib.util
import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from aisec_rules.cli import main
from tests.cfn_lint import lint_errors

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("reference_app", ROOT / "app.py")
reference_app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reference_app)


@pytest.fixture(scope="module")
def assembly(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir), context={"aisec:phase": "foundational"})
    reference_app.build(app)
    return app.synth()  # raises when the pack reports any unacknowledged finding


def test_every_stack_synthesizes_with_zero_findings(assembly):
    assert [s.stack_name for s in assembly.stacks] == ["ChatAssistant"]
    report = Path(assembly.directory) / "validation-report.json"
    if report.exists():  # written only when a plugin reports something (acknowledged findings)
        for plugin in json.loads(report.read_text())["pluginReports"]:
            assert all(v["severity"] == "info" for v in plugin["violations"])


def test_templates_pass_cfn_lint(assembly):
    for stack in assembly.stacks:
        assert lint_errors(stack.template) == [], stack.stack_name


def test_cli_agrees_on_the_cloud_assembly(assembly, capsys):
    assert main(["check", assembly.directory, "--phase", "foundational"]) == 0
    assert capsys.readouterr().out.strip().endswith("0 finding(s), 0 acknowledged")


def test_chat_role_may_invoke_only_its_model(assembly):
    template = assembly.get_stack_by_name("ChatAssistant").template
    statements = [s for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"
                  for s in r["Properties"]["PolicyDocument"]["Statement"]
                  if "bedrock:InvokeModel" in s["Action"]]
    assert len(statements) == 1
    resource = json.dumps(statements[0]["Resource"])
    assert "foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0" in resource and '"*"' not in resource
