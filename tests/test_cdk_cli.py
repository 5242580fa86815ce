"""The reference app through the real, pinned cdk command line (package.json), as `make synth` runs it:
cdk.json wires the app and its context, the default phase is advanced, and the pack passes."""
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"


def test_cdk_synth_at_the_default_phase(tmp_path):
    assert CDK.exists(), "the pinned cdk CLI is missing: run `make test` (it runs npm install first)"
    env = dict(os.environ, CDK_DISABLE_CLI_TELEMETRY="true", JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    result = subprocess.run([str(CDK), "synth", "--quiet", "--no-notices", "--no-version-reporting", "-o", str(tmp_path)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    templates = sorted(p.name for p in tmp_path.glob("*.template.json"))
    assert templates == ["AiSecurityBaseline.template.json", "ChatAssistant.template.json",
                         "ModelService.template.json", "OrganizationBaseline.template.json", "RagAssistant.template.json",
                         "SupportAgent.template.json"]
    report = json.loads((tmp_path / "validation-report.json").read_text())
    aisec = [p for p in report["pluginReports"] if p["pluginName"] == "AISEC"]
    assert aisec and all(v["severity"] == "info" for p in aisec for v in p["violations"])
    assert any(v["ruleName"] == "AISEC-APP-10" for p in aisec for v in p["violations"])  # an Advanced rule ran
