"""The report ``AiSecurityChecks.validate`` hands back to CDK, built as jsii wire data.

What a user waits for is the whole synth, and after ``validate()`` returns, CDK (through jsii) still
pays for every violating resource it is handed: Python serializes the report, the jsii kernel
deserializes and type-checks it, and CDK infers a construct path, collects stack traces and
acknowledgements and formats a JSON and a text report for each of them. On the AI-dense app of
bench/ai_dense.py (14,551 findings over 4000 resources) that came to 2.7 s, more than judging them;
listing 10 resources per violation brought it to 0.2 s (bench/README.md). Hence the shape:

* **With the readiness report** (the default: the pack writes ``aisec-report.json`` before it
  returns): one violation per finding id (``AISEC-APP-01[HATE]``), severity and acknowledgement
  (or baseline entry), listing its first :data:`SHOWN` resources by construct path; its description
  says how many resources have the finding and that the report named in it lists every one with its
  own message. Nothing a user needs is lost: every open finding still fails the synth (a violation
  of its id is an ``error``), and every finding is in the report the violation points to.
* **Without it** (``report=False``): nothing else holds the findings, so every resource is listed:
  findings that share the finding id, the whole description (message, acknowledgement and reason)
  and the severity are one violation listing all their resources, the way cdk-nag's own packs group
  by rule id.
* **Plain dicts with jsii's property names instead of ``cdk.PolicyViolation`` objects.** Each
  struct constructed in Python is type-checked by typeguard field by field; the jsii kernel accepts
  a mapping with the struct's property names (camelCase) wherever a struct is expected and checks
  it once, on the Node side. The names below are those of aws-cdk-lib's
  ``PolicyValidationPluginReport``, ``PolicyViolation`` and ``PolicyViolatingResource``;
  tests/cdk/test_cdk_report.py checks them against the jsii name mapping of those classes.

Acknowledged findings stay in the report as ``info`` violations whose description starts with
``Acknowledged (<reason>)`` and whose ``ruleMetadata.reason`` carries the reason, so the audit
trail shows every acknowledgement; baselined findings likewise, starting with ``Baselined (since
<date>)``. Only open findings (``error``, or ``fatal`` when an acknowledgement names them but has
expired or is invalid: see :func:`severity`) fail the synth. In warn mode open findings are
``warning`` violations and the report says ``success``: CDK fails a synth only on a report that
is not a success (and recomputes that, when it silences acknowledged violations, from ``error`` and
``fatal`` only), so every finding is listed and none fails, whatever other pack is registered.

An acknowledgement that matches no finding is a violation of its own, named ``<id> (unused
acknowledgement)`` on the resource that carries it: a ``warning``, or an ``error`` when the policy
sets ``fail_on_unused_acknowledgements`` (outside warn mode).

Pure Python: importing this module does not start jsii.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..governance.unused import Unused
from ..model import Finding

#: Where in the resource the violation is (``PolicyViolatingResource.locations``).
LOCATION = "Properties"
#: How many resources a violation lists when the readiness report lists them all.
SHOWN = 10


def description(finding: Finding, verbose: bool = False) -> str:
    """The text CDK shows for a finding: its message (prefixed with the acknowledgement and its
    reason, if acknowledged), the rule's title, phase and docs link, and, when ``verbose``, the
    remediation."""
    rule = finding.rule
    text = finding.message
    if finding.acknowledged:
        text = f"Acknowledged ({finding.reason}): {text}"
    elif finding.baselined and finding.baseline_since:
        text = f"Baselined (since {finding.baseline_since.isoformat()}): {text}"
    text = f"{text} [{rule.title}; phase {rule.phase.label}; see {rule.docs_link}]"
    if verbose:
        text = f"{text} {rule.remediation}"
    return text


def policy_report(findings: Sequence[Finding], verbose: bool = False, *, warn: bool = False,
                  unused: Sequence[Unused] = (), fail_on_unused: bool = False,
                  listed_in: Optional[str] = None) -> Dict[str, Any]:
    """A ``PolicyValidationPluginReport`` as jsii wire data, in the order of each violation's first
    finding, then one violation per unused acknowledgement. ``listed_in``: the readiness report that
    lists every finding; with it a violation is a finding id (with one severity and acknowledgement)
    naming its first :data:`SHOWN` resources, without it every resource is listed (findings that read
    the same grouped). ``success`` is true when every finding is acknowledged or baselined and no
    unused acknowledgement fails, and always in warn mode."""
    groups: Dict[Tuple[str, str, str], List[Finding]] = {}
    for finding in findings:
        reads = description(finding, verbose) if listed_in is None else _exception(finding)
        groups.setdefault((finding.id, reads, severity(finding, warn)), []).append(finding)
    failing_unused = fail_on_unused and not warn
    if listed_in is None:
        violations = [violation(text, group, warn) for (_, text, _), group in groups.items()]
    else:
        violations = [violation(summary(group, listed_in, verbose), group[:SHOWN], warn) for group in groups.values()]
    return {
        "success": warn or (not any(finding.open for finding in findings) and not (failing_unused and unused)),
        "violations": violations + [unused_violation(u, "error" if failing_unused else "warning") for u in unused],
    }


def _exception(finding: Finding) -> str:
    """What sets a finding's violation apart besides its id and severity when the report lists it: the reason of its
    acknowledgement, or the day of its baseline entry."""
    if finding.acknowledged:
        return f"acknowledged: {finding.reason}"
    return f"baselined: {finding.baseline_since}" if finding.baselined else ""


def summary(findings: Sequence[Finding], listed_in: str, verbose: bool = False) -> str:
    """The description of a violation that stands for ``findings`` (one finding id on many resources): the first
    finding's, then how many resources have it and where each is listed with its own message."""
    text = description(findings[0], verbose)
    if len(findings) == 1:
        return text
    more = len(findings) > SHOWN
    differ = any(f.message != findings[0].message for f in findings)
    notes = [f"{len(findings)} resources have this finding"] + (
        [f"the first {SHOWN} are listed here"] if more else []) + (
        [f"the message is that of {findings[0].resource}, the others' differ"] if differ else [])
    where = f": every one, with its own message, is in {listed_in}" if more or differ else ""
    return f"{text} ({'; '.join(notes)}){where}."


def severity(finding: Finding, warn: bool = False) -> str:
    """``info`` for an acknowledged or baselined finding; for an open one, ``warning`` in warn mode,
    else ``fatal`` when an acknowledgement names it but does not apply (expired, invalid, forbidden by
    the policy): CDK itself silences any violation whose id is acknowledged on the construct, unless it
    is fatal; ``error`` otherwise."""
    if not finding.open:
        return "info"
    if warn:
        return "warning"
    return "fatal" if finding.exception is not None else "error"


def unused_violation(unused: Unused, level: str) -> Dict[str, Any]:
    """One ``PolicyViolation`` for an acknowledgement that matches no finding, on the first resource that
    carries it (CDK fills in its construct path); a stack-level one has no resource to point at."""
    ack = unused.acknowledgement
    located = [x for x in unused.locations if x.resource is not None]
    more = len(unused.locations) - 1
    return {
        "ruleName": f"{ack.id} (unused acknowledgement)",
        "description": f"The acknowledgement of {ack.id} ({ack.describe()}) matches no finding"
                       + (f" (it is written in {more + 1} places)" if more else "")
                       + ": remove it, so that the exception register lists only exceptions in use.",
        "severity": level,
        "ruleMetadata": {"acknowledged_id": ack.id, "reason": ack.reason},
        "violatingResources": [{"locations": ["Metadata"], "resourceLogicalId": x.resource, "templatePath": x.template}
                               for x in located[:1]],
    }


def violation(text: str, findings: Sequence[Finding], warn: bool = False) -> Dict[str, Any]:
    """One ``PolicyViolation`` as jsii wire data: the findings (same id, description and
    acknowledgement) and their resources. CDK fills in each resource's construct path from its
    template and logical id."""
    first = findings[0]
    rule = first.rule
    metadata = {"layer": rule.layer.value, "phase": rule.phase.name.lower(), "severity": rule.severity.value}
    if first.acknowledged:
        metadata["reason"] = first.reason or ""
    elif first.baselined and first.baseline_since:
        metadata["baselined_since"] = first.baseline_since.isoformat()
    entry: Dict[str, Any] = {
        "ruleName": first.id,
        "description": text,
        "severity": severity(first, warn),
        "ruleMetadata": metadata,
        "violatingResources": [
            {"locations": [LOCATION], "resourceLogicalId": f.resource, "templatePath": f.template} for f in findings],
    }
    if first.open:
        entry["fix"] = rule.remediation
    return entry
