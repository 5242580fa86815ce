"""Run cfn-lint (which carries the CloudFormation resource schemas) on a template dict."""
import json
from typing import List

from cfnlint.api import ManualArgs, lint


def lint_errors(template: dict) -> List[str]:
    """cfn-lint errors (E-rules) as "E3002 message (path)"; warnings and informational rules are left out."""
    matches = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    return [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")]
