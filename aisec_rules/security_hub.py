"""AWS Security Hub CSPM "AI Security Best Practices" standard v1.0.0: which aisec rule catches each control.

The standard (ARN ``arn:aws:securityhub:<region>::standards/ai-security-best-practices/v/1.0.0``; AWS
documentation: https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html) judges
deployed resources. aisec judges the template before deployment. The mapping lives in the rules'
metadata (``Rule.security_hub``); this module holds only what no rule can carry:

* :data:`CONTROLS`: the 31 control ids of the standard, exactly as the standard names them;
* :data:`NOT_DECIDABLE`: controls a template cannot decide, with the reason;
* :data:`NOT_COVERED`: controls no rule catches yet, with the reason (what is missing, including
  controls whose definition could not be retrieved from AWS's documentation when the mapping was made:
  those are listed as such rather than mapped from a guess).

:func:`coverage` joins the three; a test asserts that every control appears exactly once.
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

from .model import Rule

STANDARD_ARN_SUFFIX = "standards/ai-security-best-practices/v/1.0.0"
STANDARD_NAME = "AI Security Best Practices v1.0.0"

CONTROLS: Tuple[str, ...] = (
    "Bedrock.1",
    *(f"BedrockAgentCore.{n}" for n in range(1, 8)),
    *(f"SageMaker.{n}" for n in (1, 2, 3, 4, 5, *range(8, 26))),
)

_NOT_FOUND = ("definition not found: the AWS page (Security Hub CSPM controls for SageMaker AI) is stored only "
              "in part and no other source named this control's resource type and property; not mapped from a "
              "guess")

NOT_DECIDABLE: Dict[str, str] = {
    "SageMaker.8": "a notebook instance must run a supported platform (third-party description of the control: "
                   "it fails a notebook pinned to an unsupported PlatformIdentifier). The template shows the "
                   "create-only PlatformIdentifier (schema default notebook-al2023-v1), but which identifiers "
                   "are supported is AWS's lifecycle list on the day Security Hub runs, not a fact of the "
                   "template; set the current platform (or leave the default) when the notebook is created",
}

NOT_COVERED: Dict[str, str] = {
    "SageMaker.4": "endpoint production variants should have an initial instance count greater than 1 (title "
                   "as quoted by a third party, not retrieved from AWS's page): an availability control, "
                   "decidable from AWS::SageMaker::EndpointConfig ProductionVariants[].InitialInstanceCount, "
                   "but no aisec rule judges it yet",
    "SageMaker.5": _NOT_FOUND + " (AISEC-INF-15 already requires EnableNetworkIsolation on every "
                                "AWS::SageMaker::Model, which may be this control)",
    "SageMaker.12": _NOT_FOUND + " (a third-party description names it a sibling of SageMaker.11 and .14, "
                                 "network isolation of a monitoring job type; AISEC-INF-16 judges data quality "
                                 "job definitions and schedules only)",
    **{f"SageMaker.{n}": _NOT_FOUND for n in range(16, 26)},
}


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
    for control in sorted(set(by_control) | set(NOT_DECIDABLE) | set(NOT_COVERED), key=_number):
        if control not in CONTROLS:
            found.append(f"{control}: not a control of the {STANDARD_NAME} standard")
    return found
