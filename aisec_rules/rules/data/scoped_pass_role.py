"""AISEC-DATA-04: iam:PassRole is scoped to named roles and to the service that receives them.

Every ``Allow`` statement of an identity policy that grants ``iam:PassRole`` (explicitly, through a
wildcard such as ``iam:*``, ``iam:Pass*``, ``*``, or through a ``NotAction`` that does not exclude it)
must

* name specific roles: a ``Resource`` value that is ``*`` or ends with ``/*`` (``:role/*``,
  ``:role/service-role/*``) or ``:*`` (``arn:aws:iam::123456789012:*``) fails with detail
  ``Resource::<text>``; ``NotResource`` fails with detail ``NotResource``. A name pattern such as
  ``role/*BedrockAgentCore*`` passes (it names a family of roles, as the AWS-managed
  BedrockAgentCoreFullAccess policy does);
* carry a ``Condition`` with the key ``iam:PassedToService`` under any operator (keys compared
  case-insensitively, as IAM does); when it is missing the finding has detail
  ``Condition::iam:PassedToService``.

Choices where the catalog row is open:

* ARNs built with ``Fn::Join`` / ``Fn::Sub`` are judged on their text (``${...}`` placeholders;
  parameters with a string default are substituted). A ``Ref`` / ``Fn::GetAtt`` to a resource of the
  template (a role's ``Arn``) and ``Fn::ImportValue`` pass; a parameter without default is reported
  as unverifiable.
* A ``Condition`` under ``Fn::If`` is judged on each branch; a ``Condition`` that is another
  intrinsic cannot be verified and is reported as missing the key.
* A statement with neither ``Resource`` nor ``NotResource`` is invalid in an identity policy (IAM
  rejects it at deploy); its resources are not judged, its condition still is.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional, Set

from ...read import iam
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Template
from ...read.values import classify, detail_text, where

PASS_ROLE = "iam:PassRole"
CONDITION_KEY = "iam:passedtoservice"


def wildcard_role(text: str) -> bool:
    stripped = text.strip()
    return stripped.strip("*") == "" or stripped.endswith("/*") or stripped.endswith(":*")


def _missing_condition(template: Template, condition: Any) -> Optional[str]:
    """The origin note of the first possibility of ``condition`` without the key, else None."""
    for possibility in template.resolve(condition if condition is not None else MISSING):
        if not possibility.known:
            return f"{possibility.note()} (the Condition cannot be verified at synth time)"
        block = possibility.raw
        keys: Set[str] = set()
        if isinstance(block, dict):
            for operator in block.values():
                if isinstance(operator, dict):
                    keys.update(str(key).lower() for key in operator)
        if CONDITION_KEY not in keys:
            return possibility.note()
    return None


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    for statement in iam.statements(template):
        if not statement.grants(PASS_ROLE):
            continue
        prefix = f"{where(statement)} allows iam:PassRole"
        if statement.not_resources:
            yield Violation(statement.resource,
                            f"{prefix} with NotResource, which allows passing every role not listed; name the roles in "
                            f"Resource", "NotResource")
        for value in statement.resources:
            if value.missing:  # an Fn::If branch with AWS::NoValue
                continue
            item = classify(template, value)
            if item.kind in ("import", "resource"):
                continue
            if item.kind == "unknown":
                yield Violation(statement.resource,
                                f"{prefix} on Resource {item.text or 'value'}{item.note}, which cannot be verified at synth "
                                f"time; name the specific role ARNs", f"Resource::{detail_text(item.text)}")
                continue
            if wildcard_role(item.text or ""):
                yield Violation(statement.resource,
                                f"{prefix} on Resource {item.text}{item.note}, which allows passing any role; name the "
                                f"specific role ARNs the workload passes", f"Resource::{detail_text(item.text)}")
        note = _missing_condition(template, statement.condition)
        if note is not None:
            yield Violation(statement.resource,
                            f"{prefix} without a Condition on iam:PassedToService{note}; restrict it to the service that "
                            f"receives the role (for example bedrock.amazonaws.com or bedrock-agentcore.amazonaws.com)",
                            "Condition::iam:PassedToService")


RULE = Rule(
    id="AISEC-DATA-04",
    title="Scoped PassRole",
    layer=Layer.DATA,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T3",),
    passes="Every identity-policy `Allow` that grants `iam:PassRole` names specific roles in `Resource` (not `*`, not "
           "`…/*`, no `NotResource`) and has a `Condition` on `iam:PassedToService`.",
    remediation="Grant `iam:PassRole` only on the ARNs of the roles the workload hands to a service, with "
                "`\"Condition\": {\"StringEquals\": {\"iam:PassedToService\": \"bedrock.amazonaws.com\"}}` (or the "
                "service that receives the role).",
    construct="aisec_constructs.data.ModelInvocationLogging (PassRole scoped to Bedrock)",
    check=check,
    judges=iam.POLICY_TYPES,
)
