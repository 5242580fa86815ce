"""AWS Security Hub CSPM "AI Security Best Practices" standard v1.0.0: which aisec rule catches each control.

The standard (ARN ``arn:aws:securityhub:<region>::standards/ai-security-best-practices/v/1.0.0``; AWS
documentation: https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html) judges
deployed resources. aisec judges the template before deployment. The mapping lives in the rules'
metadata (``Rule.security_hub``); this module holds only what no rule can carry:

* :data:`TITLES` / :data:`CONTROLS`: the 31 controls of the standard, exactly as the standard names them;
* :data:`NOT_DECIDABLE`: controls a template cannot decide, with the reason;
* :data:`NOT_COVERED`: controls a template could decide but no rule catches yet, with the reason.

:func:`coverage` joins the three; a test asserts that every control appears exactly once.
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

from .model import Rule

STANDARD_ARN_SUFFIX = "standards/ai-security-best-practices/v/1.0.0"
STANDARD_NAME = "AI Security Best Practices v1.0.0"
STANDARD_URL = "https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html"

#: control id -> title, as listed on :data:`STANDARD_URL` ("Controls that apply to the standard"); the
#: definitions (resource type, property, failure condition) are on the service pages, e.g.
#: https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html
TITLES: Dict[str, str] = {
    "Bedrock.1": "Amazon Bedrock data sources should be encrypted with customer managed AWS KMS keys",
    "BedrockAgentCore.1": "Bedrock AgentCore runtimes should be configured with VPC network mode",
    "BedrockAgentCore.2": "Bedrock AgentCore Gateways should require authorization for inbound requests",
    "BedrockAgentCore.3": "Bedrock AgentCore Memory should be encrypted with customer managed AWS KMS keys",
    "BedrockAgentCore.4": "Bedrock AgentCore Gateway should be encrypted with customer managed AWS KMS keys",
    "BedrockAgentCore.5": "Bedrock AgentCore custom browsers should not use public network mode",
    "BedrockAgentCore.6": "Bedrock AgentCore custom browsers should have session recording enabled",
    "BedrockAgentCore.7": "Bedrock AgentCore custom code interpreters should use a private network configuration",
    "SageMaker.1": "Amazon SageMaker notebook instances should not have direct internet access",
    "SageMaker.2": "SageMaker notebook instances should be launched in a custom VPC",
    "SageMaker.3": "Users should not have root access to SageMaker notebook instances",
    "SageMaker.4": "SageMaker endpoint production variants should have an initial instance count greater than 1",
    "SageMaker.5": "SageMaker models should have network isolation enabled",
    "SageMaker.8": "SageMaker notebook instances should run on supported platforms",
    "SageMaker.9": "SageMaker data quality job definitions should have inter-container traffic encryption enabled",
    "SageMaker.10": "SageMaker model explainability job definitions should have inter-container traffic encryption "
                    "enabled",
    "SageMaker.11": "SageMaker data quality job definitions should have network isolation enabled",
    "SageMaker.12": "SageMaker model bias job definitions should have network isolation enabled",
    "SageMaker.13": "SageMaker model quality job definitions should have inter-container traffic encryption enabled",
    "SageMaker.14": "SageMaker monitoring schedules should have network isolation enabled",
    "SageMaker.15": "SageMaker model bias job definitions should have inter-container traffic encryption enabled",
    "SageMaker.16": "SageMaker models should use private registry in VPC for primary containers",
    "SageMaker.17": "SageMaker feature group offline stores should be encrypted with AWS KMS keys",
    "SageMaker.18": "SageMaker feature group online stores with standard storage should be encrypted with AWS KMS keys",
    "SageMaker.19": "SageMaker models should use private registry in VPC for multi-container inference pipelines",
    "SageMaker.20": "SageMaker model explainability job definitions should have network isolation enabled",
    "SageMaker.21": "SageMaker notebook instances should be encrypted with customer managed AWS KMS keys",
    "SageMaker.22": "SageMaker monitoring schedules should have inter-container traffic encryption enabled",
    "SageMaker.23": "SageMaker inference experiments should have instance storage volume encrypted with customer "
                    "managed AWS KMS keys",
    "SageMaker.24": "SageMaker inference experiments should have data storage encrypted with customer managed AWS KMS "
                    "keys",
    "SageMaker.25": "SageMaker model quality job definitions should have network isolation enabled",
}

#: the 31 control ids of the standard, in the order the standard lists them
CONTROLS: Tuple[str, ...] = tuple(TITLES)

#: where a rule catches a control fully only from a later phase than its own (the rule's phase is when it
#: starts judging); shown next to the phase in docs/RULES.md
PHASE_NOTES: Dict[str, str] = {
    "BedrockAgentCore.7": "Foundational forbids PUBLIC; from Enhanced AISEC-INF-06 requires VPC, which is what the "
                          "control asks (it fails SANDBOX too)",
}

#: controls a template cannot decide, with the reason (none: every control of v1.0.0 reads a template property)
NOT_DECIDABLE: Dict[str, str] = {}

#: controls a template could decide but no rule judges yet, with the reason (none left)
NOT_COVERED: Dict[str, str] = {}


def mapped(rules: Sequence[Rule]) -> Dict[str, List[Rule]]:
    """Control id -> the rules that name it in their metadata (in registry order)."""
    result: Dict[str, List[Rule]] = {}
    for rule in rules:
        for control in rule.security_hub:
            result.setdefault(control, []).append(rule)
    return result


def coverage(rules: Sequence[Rule]) -> List[Tuple[str, List[Rule], str]]:
    """One row per control of the standard: (control id, rules, status text).

    The status is ``""`` for a mapped control, ``"not decidable: ..."`` or ``"not covered: ..."``."""
    by_control = mapped(rules)
    rows = []
    for control in CONTROLS:
        if control in NOT_DECIDABLE:
            status = f"not decidable from a template: {NOT_DECIDABLE[control]}"
        elif control in NOT_COVERED:
            status = f"not covered: {NOT_COVERED[control]}"
        else:
            status = ""
        rows.append((control, by_control.get(control, []), status))
    return rows


def _number(control: str) -> Tuple[str, int]:
    service, _, number = control.partition(".")
    return service, int(number)


def problems(rules: Sequence[Rule]) -> List[str]:
    """What is wrong with the mapping: a control with no status, with two, or an unknown id in a rule."""
    by_control = mapped(rules)
    found = []
    for control in CONTROLS:
        statuses = bool(by_control.get(control)) + (control in NOT_DECIDABLE) + (control in NOT_COVERED)
        if statuses != 1:
            found.append(f"{control}: {statuses} statuses (mapped to a rule, not decidable, not covered)")
    for control in sorted(set(by_control) | set(NOT_DECIDABLE) | set(NOT_COVERED) | set(PHASE_NOTES), key=_number):
        if control not in CONTROLS:
            found.append(f"{control}: not a control of the {STANDARD_NAME} standard")
    return found
