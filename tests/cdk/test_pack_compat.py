"""Acknowledgements stay on the construct they were made on, whatever the aws-cdk-lib release.

aws-cdk-lib 2.262.0-2.270.0 suppress a plugin finding app-wide when its id was acknowledged anywhere
(ids containing ``::``: granular findings such as ``AISEC-DATA-01[Action::bedrock:*]`` and CDK's
``AISEC::`` hint form), so an unacknowledged resource passed; 2.271.0 scopes them to the construct
path. This test is why 2.271.0 is the lower bound; ``make test-compat`` runs it there."""
import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk import aws_iam as iam

from aisec_rules import AiSecurityChecks, Phase

pytestmark = pytest.mark.compat


def test_acknowledgements_stay_on_the_construct_they_were_made_on(tmp_path):
    app = cdk.App(outdir=str(tmp_path))
    stack = Stack(app, "S")
    for name in ("Acked", "Open"):
        role = iam.Role(stack, f"{name}Role", assumed_by=iam.ServicePrincipal("bedrock.amazonaws.com"))
        role.add_to_policy(iam.PolicyStatement(actions=["bedrock:*"], resources=["*"]))
        interpreter = agentcore.CfnCodeInterpreterCustom(
            stack, f"{name}Interpreter", name=f"{name.lower()}_interpreter",
            network_configuration=agentcore.CfnCodeInterpreterCustom.CodeInterpreterNetworkConfigurationProperty(
                network_mode="PUBLIC"))
        if name == "Acked":
            Validations.of(role).acknowledge(Acknowledgment(id="AISEC-DATA-01[Action::bedrock:*]", reason="granular exception for this one action"))
            Validations.of(interpreter).acknowledge(Acknowledgment(id="AISEC::AISEC-INF-06", reason="acknowledged in CDK's hint form"))
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.FOUNDATIONAL))
    with pytest.raises(Exception, match="ValidationFailed"):
        app.synth()
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    # Acknowledged findings are reported, with their reason: as `info` in violations, or (CDK >= 2.271.0,
    # for ids in CDK's own form, AISEC::...) in suppressedViolations. Unacknowledged ones must stay errors
    # in violations: that is what fails the synth.
    found = set()
    for plugin in report["pluginReports"]:
        if plugin["pluginName"] != "AISEC":
            continue
        for listed, state in ((plugin["violations"], None), (plugin.get("suppressedViolations", []), "acknowledged")):
            for v in listed:
                if v["ruleName"] in ("AISEC-DATA-01[Action::bedrock:*]", "AISEC-INF-06"):
                    for c in v["violatingConstructs"]:
                        found.add((v["ruleName"], c["constructPath"],
                                   state or ("acknowledged" if v["severity"] == "info" else v["severity"])))
    assert found == {
        ("AISEC-DATA-01[Action::bedrock:*]", "S/AckedRole/DefaultPolicy/Resource", "acknowledged"),
        ("AISEC-DATA-01[Action::bedrock:*]", "S/OpenRole/DefaultPolicy/Resource", "error"),
        ("AISEC-INF-06", "S/AckedInterpreter", "acknowledged"),
        ("AISEC-INF-06", "S/OpenInterpreter", "error"),
    }
