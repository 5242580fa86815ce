"""Evaluate the rule registry over one template: pure Python over template data, no jsii.

``evaluate(template, phase=..., capabilities=None)`` runs every rule whose phase is at or
below ``phase`` and whose capabilities meet the template's (detected when not given), and
returns findings with their acknowledgement state read from template metadata
(``Metadata.cdk_nag.rules_to_suppress``, the format cdk-nag writes). A rule never crashes the
evaluation: an exception inside a check becomes a finding that names the rule and the error.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence

from . import capabilities as caps
from .model import Capability, Finding, Phase, Rule, Violation, with_implied
from .template import Template

#: Namespaces an acknowledgement id may carry: CDK's hint suggests ``AISEC::AISEC-DATA-01``.
_ACK_PREFIXES = ("AISEC::", "annotation::", "Annotation::")


@dataclass(frozen=True)
class Context:
    """What a rule check sees: the template, the phase being enforced and the capabilities."""

    template: Template
    phase: Phase
    capabilities: FrozenSet[Capability]

    def anchor(self, rule_capabilities: Iterable[Capability] = ()) -> str:
        """The logical id a workload-level finding attaches to: the first resource that
        establishes one of the rule's capabilities, else the first resource of the template."""
        evidence = caps.evidence(self.template)
        for capability in (Capability.ACTS, Capability.CONNECTS, Capability.ANSWERS):
            if capability in rule_capabilities and evidence[capability]:
                return evidence[capability][0]
        for capability in (Capability.ACTS, Capability.CONNECTS, Capability.ANSWERS):
            if evidence[capability]:
                return evidence[capability][0]
        return next(iter(self.template.resources), "")


def acknowledgements(metadata: Dict[str, Any]) -> Dict[str, str]:
    """Acknowledged finding ids with reasons, from ``cdk_nag.rules_to_suppress`` metadata."""
    result: Dict[str, str] = {}
    entries = metadata.get("cdk_nag", {}).get("rules_to_suppress") if isinstance(metadata.get("cdk_nag"), dict) else None
    if not isinstance(entries, list):
        return result
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            ack_id = entry["id"]
            for prefix in _ACK_PREFIXES:
                if ack_id.startswith(prefix):
                    ack_id = ack_id[len(prefix):]
            reason = str(entry.get("reason", ""))
            if entry.get("is_reason_encoded") is True:  # cdk-nag 2 base64-encodes non-Latin-1 reasons
                try:
                    reason = base64.b64decode(reason).decode("utf-8")
                except (ValueError, UnicodeDecodeError):
                    pass
            applies_to = entry.get("applies_to")
            if isinstance(applies_to, list):
                # cdk-nag 2's NagSuppressions name granular findings as {id, applies_to: [finding]}.
                # Regex entries ({"regex": ...}) are not honoured: only exact finding names are.
                for finding in applies_to:
                    if isinstance(finding, str):
                        result[f"{ack_id}[{finding}]"] = reason
            else:
                result[ack_id] = reason
    return result


def evaluate(
    template: Template,
    phase: Phase = Phase.FOUNDATIONAL,
    capabilities: Optional[Iterable[Capability]] = None,
    rules: Optional[Sequence[Rule]] = None,
) -> List[Finding]:
    """Findings of the applicable rules on one template, ordered by rule id, resource, detail."""
    if rules is None:
        from .registry import RULES  # late import: the registry imports rule modules

        rules = RULES
    phase = Phase.parse(phase)
    active = with_implied(capabilities) if capabilities is not None else caps.detect(template)
    context = Context(template, phase, active)
    template_acks = acknowledgements(template.metadata)
    findings: Dict[tuple, Finding] = {}
    for rule in rules:
        if not rule.applies(phase, active):
            continue
        for violation in _run(rule, context):
            resource = violation.resource or context.anchor(rule.capabilities)
            finding_id = f"{rule.id}[{violation.detail}]" if violation.detail else rule.id
            acks = dict(template_acks)
            if template.get(resource) is not None:
                acks.update(acknowledgements(template.resources[resource].metadata))
            finding = Finding(rule, resource, violation.message, template.path, violation.detail,
                              acknowledged=finding_id in acks, reason=acks.get(finding_id),
                              workload=violation.resource is None)
            key = (rule.id, resource, violation.detail or "")
            earlier = findings.get(key)
            if earlier is not None and finding.message not in earlier.message.split("; also: "):
                finding = replace(earlier, message=f"{earlier.message}; also: {finding.message}")
            elif earlier is not None:
                continue
            findings[key] = finding
    return [findings[k] for k in sorted(findings)]


def _run(rule: Rule, context: Context) -> List[Violation]:
    try:
        return list(rule.check(context))
    except Exception as error:  # a rule must never break the scan: report what happened instead
        return [Violation(None, f"{rule.id} could not evaluate this template ({type(error).__name__}: {error}); "
                                "please report this as a bug in aisec", "internal-error")]
