"""AISEC-DATA-01: identity policies grant no wildcard AI actions.

No ``Allow`` statement of an identity policy (inline ``Policies`` of ``AWS::IAM::Role`` / ``User`` /
``Group``; ``AWS::IAM::Policy``, ``ManagedPolicy``, ``RolePolicy``, ``UserPolicy``, ``GroupPolicy``)
has an ``Action`` that is ``*`` or a full-service wildcard of ``bedrock``, ``bedrock-agentcore`` or
``sagemaker``. IAM matches actions case-insensitively and the service part may itself carry a
wildcard, so ``Bedrock:*``, ``bedrock*:*`` (both Bedrock services) and ``*:*`` count. Scoped
wildcards (``bedrock:Invoke*``, ``bedrock:Get*``) pass. ``Deny`` statements never fail.

Findings are granular, one per (resource, action pattern as written): ``AISEC-DATA-01[Action::bedrock:*]``;
the same pattern twice on one resource is one finding.

Choices where the catalog row is open:

* An ``Allow`` with ``NotAction`` grants every action it does not list: it fails (detail
  ``NotAction``) unless its ``NotAction`` list itself excludes all three AI services (each by ``*``
  or a full-service wildcard such as ``bedrock*:*`` and ``sagemaker:*``).
* Each ``Fn::If`` branch and the default of a parameter are judged (the message names the origin).
  An action that cannot be resolved (a parameter without default, an ``Fn::Sub`` with a reference)
  is reported as unverifiable (detail ``Action::<text>``); an ``Fn::Sub`` whose placeholders are all
  parameters with defaults is judged on the substituted text.
* An ``Effect`` that is an intrinsic is judged on each literal it may take; one the template cannot
  show is judged as ``Allow``.
* A policy document, ``Statement`` or ``Policies`` the template cannot show (``Fn::GetAtt``,
  ``Fn::ImportValue``, a parameter without default, a string that is not JSON, more possibilities
  than the template view enumerates) is reported as unverifiable (detail
  ``Unverifiable::<part>``), never passed.
"""
from __future__ import annotations

from typing import Iterator

from ...read import iam
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.values import classify, detail_text, where

AI_SERVICES = ("bedrock", "bedrock-agentcore", "sagemaker")

_ADVICE = "; list the specific actions the workload needs (for example bedrock:InvokeModel)"


def covers_service(pattern: str, service: str) -> bool:
    """True when ``pattern`` grants every action of ``service``."""
    return iam.is_service_wildcard(pattern, (service,)) == service


def wildcard_services(pattern: str) -> list:
    """The AI services whose every action ``pattern`` grants."""
    return [service for service in AI_SERVICES if covers_service(pattern, service)]


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    seen = set()

    def once(violation: Violation) -> Iterator[Violation]:
        key = (violation.resource, violation.detail)
        if key not in seen:
            seen.add(key)
            yield violation

    for part in iam.unverifiable(template):
        yield from once(Violation(
            part.resource,
            f"{part.part} cannot be verified at synth time ({part.reason}), so its statements are not judged; it "
            f"must not grant * or a full-service wildcard of {', '.join(AI_SERVICES)}: write the policy in the "
            "template", f"Unverifiable::{part.part}"))
    for statement in iam.statements(template):
        if not statement.allows:
            continue
        if "NotAction" in statement.raw:
            excluded = {service for value in statement.not_actions
                        if value.known and isinstance(value.raw, str)
                        for service in wildcard_services(value.raw)}
            granted = [service for service in AI_SERVICES if service not in excluded]
            if granted:
                yield from once(Violation(
                    statement.resource,
                    f"{where(statement)} allows every action outside its NotAction list, which includes every "
                    f"{', '.join(granted)} action{_ADVICE} in Action instead",
                    "NotAction"))
        for value in statement.actions:
            if value.missing:  # an Fn::If branch with AWS::NoValue
                continue
            item = classify(template, value)
            if item.kind != "text" or "${" in (item.text or ""):
                yield from once(Violation(
                    statement.resource,
                    f"{where(statement)} has Action {item.text or 'value'}{item.note} that cannot be verified at synth "
                    f"time; it must not be * or a full-service wildcard of {', '.join(AI_SERVICES)}",
                    f"Action::{detail_text(item.text)}"))
                continue
            pattern = (item.text or "").strip()
            if pattern == "*":
                reason = "every action of every service, including all AI actions"
            else:
                services = wildcard_services(pattern)
                if not services:
                    continue
                reason = "every " + " and every ".join(services) + " action"
            yield from once(Violation(
                statement.resource,
                f"{where(statement)} allows Action {pattern}{item.note}, which grants {reason}{_ADVICE}",
                f"Action::{detail_text(pattern)}"))


RULE = Rule(
    id="AISEC-DATA-01",
    prowler_aisf=("AISF-IAM-02: no administrator Action * in identity policies",),
    aiml_assessment=(
        "BR-21: no * or AI-service wildcard actions, not Resource *",
        "AC-02: bedrock-agentcore:* and *",
        "FS-07: * and AI-service wildcards, not iam:*, s3:*, ec2:*, lambda:*",
        "FS-22: bedrock:*, not narrower knowledge-base actions on every resource",
    ),
    title="No wildcard AI actions",
    layer=Layer.DATA,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM06", "T3"),
    passes="No identity-policy `Allow` statement has `Action` `*` or a full-service wildcard of `bedrock`, "
           "`bedrock-agentcore` or `sagemaker` (`bedrock:*`, `bedrock*:*`, any case), and no `Allow` uses `NotAction` "
           "unless it excludes all three services; scoped wildcards such as `bedrock:Invoke*` pass.",
    remediation="Replace wildcard actions with the specific actions the application or agent calls (for example "
                "`bedrock:InvokeModel`, `bedrock:InvokeModelWithResponseStream`, `bedrock-agentcore:InvokeAgentRuntime`); "
                "use `Deny` rather than `Allow` with `NotAction`.",
    construct="aisec_constructs.data.ModelAccess and the roles of Agent, KnowledgeBase, PrivateToolFunction",
    check=check,
    judges=iam.POLICY_TYPES,
)
