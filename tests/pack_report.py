"""Synthesize an app with the pack and read what CDK's validation report says of it."""
import json
from pathlib import Path

import aws_cdk as cdk


def synth_report(app: cdk.App):
    """Synthesize; return (failed, report dict)."""
    failed = False
    try:
        app.synth()
    except Exception as error:  # CDK raises when validation fails
        assert "ValidationFailed" in str(error)
        failed = True
    outdir = Path(app.outdir)
    report = json.loads((outdir / "validation-report.json").read_text()) if (outdir / "validation-report.json").exists() else {"pluginReports": []}
    return failed, report


def aisec_violations(report):
    """{(rule name, construct path, severity)} of the AISEC plugin."""
    out = set()
    for plugin in report["pluginReports"]:
        if plugin["pluginName"] != "AISEC":
            continue
        for violation in plugin["violations"]:
            for construct in violation["violatingConstructs"]:
                out.add((violation["ruleName"], construct["constructPath"], violation["severity"]))
    return out
