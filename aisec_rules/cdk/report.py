"""The report ``AiSecurityChecks.validate`` hands back to CDK, built as jsii wire data.

What a user waits for is the whole synth, and after ``validate()`` returns, CDK (through jsii) still
pays for every violation and every violating resource: Python serializes the report, the jsii
kernel deserializes and type-checks it, and CDK infers a construct path, collects stack traces
and acknowledgements, and formats a JSON and a text report for each of them. On the benchmark
app (bench/README.md, "Measured (2026-11-29)"), where the rules report 5272 findings over 4000
resources, that came to more than ``validate()`` itself; at that size the two choices below cut
the pack's whole synth overhead to 0.44x of CPU time (0.26x of wall time) without dropping
anything from the report:

* **One violation per distinct finding, not per resource.** Findings that share the finding id
  (``AISEC-APP-01[HATE]``), the whole description (message, acknowledgement and reason) and the
  severity become one violation listing all their resources, the way cdk-nag's own packs group by
  rule id. Nothing is lost: every resource is still listed with its construct path, and a
  resource whose message differs keeps its own violation. On the benchmark's 4000 resources this
  turns 5272 violations into 1670.
* **Plain dicts with jsii's property names instead of ``cdk.PolicyViolation`` objects.** Each
  struct constructed in Python is type-checked by typeguard field by field (about 0.2 s of CPU for
  5272 violations and their resources); the jsii kernel accepts a mapping with the struct's
  property names (camelCase) wherever a struct is expected and checks it once, on the Node side.
  The names below are those of aws-cdk-lib's ``PolicyValidationPluginReport``,
  ``PolicyViolation`` and ``PolicyViolatingResource``; tests/test_cdk_report.py checks them
  against the jsii name mapping of those classes.

Acknowledged findings stay in the report as ``info`` violations whose description starts with
``Acknowledged (<reason>)`` and whose ``ruleMetadata.reason`` carries the reason, so the audit
trail shows every acknowledgement; only unacknowledged findings (``error``, or ``fatal`` when an
acknowledgement names them but has expired or is invalid: see :func:`severity`) fail the synth.

Pure Python: importing this module does not start jsii.
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from ..model import Finding

#: Where in the resource the violation is (``PolicyViolatingResource.locations``).
LOCATION = "Properties"


def description(finding: Finding, verbose: bool = False) -> str:
    """The text CDK shows for a finding: its message (prefixed with the acknowledgement and its
    reason, if acknowledged), the rule's title, phase and docs link, and, when ``verbose``, the
    remediation."""
    rule = finding.rule
    text = finding.message
    if finding.acknowledged:
        text = f"Acknowledged ({finding.reason}): {text}"
    text = f"{text} [{rule.title}; phase {rule.phase.label}; see {rule.docs_link}]"
    if verbose:
        text = f"{text} {rule.remediation}"
    return text


def policy_report(findings: Sequence[Finding], verbose: bool = False) -> Dict[str, Any]:
    """A ``PolicyValidationPluginReport`` as jsii wire data: findings that read the same (finding
    id, description, severity) grouped into one violation, in the order of their first finding.
    ``success`` is true when every finding is acknowledged."""
    groups: Dict[Tuple[str, str, str], List[Finding]] = {}
    for finding in findings:
        key = (finding.id, description(finding, verbose), severity(finding))
        group = groups.get(key)
        if group is None:
            groups[key] = [finding]
        else:
            group.append(finding)
    return {
        "success": all(finding.acknowledged for finding in findings),
        "violations": [violation(text, group) for (_, text, _), group in groups.items()],
    }


def severity(finding: Finding) -> str:
    """``info`` for an acknowledged finding; ``fatal`` for one whose acknowledgement does not apply
    (expired, invalid, forbidden by the policy): CDK itself silences any violation whose id is
    acknowledged on the construct, unless it is fatal; ``error`` otherwise."""
    if finding.acknowledged:
        return "info"
    return "fatal" if finding.exception is not None else "error"


def violation(text: str, findings: Sequence[Finding]) -> Dict[str, Any]:
    """One ``PolicyViolation`` as jsii wire data: the findings (same id, description and
    acknowledgement) and their resources. CDK fills in each resource's construct path from its
    template and logical id."""
    first = findings[0]
    rule = first.rule
    metadata = {"layer": rule.layer.value, "phase": rule.phase.name.lower(), "severity": rule.severity.value}
    if first.acknowledged:
        metadata["reason"] = first.reason or ""
    entry: Dict[str, Any] = {
        "ruleName": first.id,
        "description": text,
        "severity": severity(first),
        "ruleMetadata": metadata,
        "violatingResources": [
            {"locations": [LOCATION], "resourceLogicalId": f.resource, "templatePath": f.template} for f in findings],
    }
    if not first.acknowledged:
        entry["fix"] = rule.remediation
    return entry
