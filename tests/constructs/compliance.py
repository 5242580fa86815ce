"""Compliance helpers for construct tests: synthesize a stack and judge its template with the
aisec engine (and, where asked, cdk-nag's AwsSolutionsChecks through a real synth)."""
import json
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Tuple

import aws_cdk as cdk
from aws_cdk import Validations
from aws_cdk.assertions import Template as CdkTemplate
from cdk_nag import AwsSolutionsChecks

from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.read.template import Template


def stack_findings(stack: cdk.Stack, phase: Phase = Phase.ADVANCED, include_workload: bool = False,
                   capabilities: Optional[Iterable[Capability]] = None) -> List[str]:
    """Unacknowledged aisec findings as "ID @ logical id". Workload-level findings (a control
    that lives in another construct, such as a trail or a guardrail) are left out unless asked:
    a construct's compliance is about the resources it creates. ``capabilities`` overrides detection
    (a construct that fronts or serves a model, tested without a model call in the stack)."""
    template = Template(CdkTemplate.from_stack(stack).to_json(), stack.stack_name)
    return sorted(f"{f.id} @ {f.resource}" for f in evaluate(template, phase, capabilities)
                  if not f.acknowledged and (include_workload or not f.workload))


def report_only_app() -> cdk.App:
    """An app whose synth completes despite validation findings (they go to the report)."""
    return cdk.App(context={"@aws-cdk/core:failSynthOnValidationErrors": False})


def report_only_stack(name: str, build: Callable[[cdk.Stack], object]) -> Tuple[cdk.App, cdk.Stack]:
    """A stack built by ``build`` in a :func:`report_only_app` (for a module-scoped fixture shared by the
    assertion tests and the compliance test of one construct)."""
    app = report_only_app()
    stack = cdk.Stack(app, name)
    build(stack)
    return app, stack


def aws_solutions_errors(app: cdk.App) -> List[str]:
    """Unacknowledged AwsSolutions violations of a real synth of ``app`` (made by report_only_app)."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth(force=True)  # re-run validation: Template.from_stack may have synthesized the app already
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text()) \
        if (Path(assembly.directory) / "validation-report.json").exists() else {"pluginReports": []}
    return sorted(f"{v['ruleName']} @ {c['constructPath']}"
                  for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"
                  for v in p["violations"] for c in v["violatingConstructs"])
