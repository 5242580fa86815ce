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
* AI workload roles (issue 22; the roles :func:`aisec_rules.rules.data._workload.workload_roles` finds: trusted by
  Bedrock, AgentCore or SageMaker, named by an agent, knowledge base, runtime or gateway, the role of a tool,
  transformation or model-calling function) are held to more, in every policy attached to them:

  - a full-service wildcard of ANY service (``s3:*``, ``iam:*``, ``lambda:*``, ``S3:*``, ``s3:*?``) fails, detail
    ``Action::<pattern>`` as above: a hijacked agent with ``iam:*`` is an administrator;
  - an ``Allow`` on ``Resource: "*"`` of a Bedrock or AgentCore runtime action that can be scoped to a resource
    (:data:`SCOPABLE`: ``bedrock:Retrieve``, ``RetrieveAndGenerate``, ``InvokeAgent``, ``InvokeFlow``,
    ``ApplyGuardrail``, ``GetAgentMemory``; ``bedrock-agentcore:InvokeAgentRuntime``, ``InvokeGateway``,
    ``CreateEvent``, ``RetrieveMemoryRecords``), directly or through a scoped wildcard (``bedrock:Retrieve*``),
    fails, detail ``WildcardResource::<action>``: the workload can then query every knowledge base, agent or
    runtime of the account. ``bedrock:InvokeModel*`` on ``*`` is AISEC-DATA-02's; a pattern already reported as a
    full-service wildcard is not reported again.

  The finding is on the policy resource and names the roles (and why each is a workload identity).
* A policy document, ``Statement`` or ``Policies`` the template cannot show (``Fn::GetAtt``,
  ``Fn::ImportValue``, a parameter without default, a string that is not JSON, more possibilities
  than the template view enumerates) is reported as unverifiable (detail
  ``Unverifiable::<part>``), never passed.
"""
from __future__ import annotations

from typing import Dict, Iterator, Tuple

from ...read import iam
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.values import classify, detail_text, where
from ._workload import READS as WORKLOAD_READS, role_statements, workload_roles

AI_SERVICES = ("bedrock", "bedrock-agentcore", "sagemaker")

#: data-plane actions of Bedrock and AgentCore that name a resource (knowledge base, agent alias, flow alias,
#: guardrail, runtime, gateway, memory) and so can be scoped instead of granted on ``*``
SCOPABLE = ("bedrock:Retrieve", "bedrock:RetrieveAndGenerate", "bedrock:InvokeAgent", "bedrock:InvokeFlow",
            "bedrock:ApplyGuardrail", "bedrock:GetAgentMemory", "bedrock-agentcore:InvokeAgentRuntime",
            "bedrock-agentcore:InvokeGateway", "bedrock-agentcore:CreateEvent",
            "bedrock-agentcore:RetrieveMemoryRecords")

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
    for violation in _workload_roles(ctx):
        yield from once(violation)


def _service_wildcard(pattern: str) -> bool:
    """``svc:*`` (any service, any case, ``?`` and ``*`` only after the colon)."""
    service, colon, action = pattern.strip().partition(":")
    return bool(colon and service and "*" in action and not action.strip("*?"))


def _workload_roles(ctx: Context) -> Iterator[Violation]:
    """The stricter judgement of the policies attached to AI workload roles (see the module docstring)."""
    roles = workload_roles(ctx)
    found: Dict[Tuple[str, str], Tuple[str, Dict[str, str]]] = {}  # (policy, detail) -> (message head, {role: why})
    for role_id, statements in sorted(role_statements(ctx).items()):
        if role_id not in roles:
            continue
        for statement in statements:
            if not statement.allows or statement.not_actions:
                continue  # NotAction is reported above for every identity
            reported = set()
            for pattern, note in statement.action_patterns():
                pattern = pattern.strip()
                if pattern == "*" or wildcard_services(pattern) or not _service_wildcard(pattern):
                    if pattern == "*" or wildcard_services(pattern):
                        reported.add(pattern)
                    continue
                head = (f"{where(statement)} allows Action {pattern}{note}, every {pattern.split(':')[0]} action, to an "
                        "AI workload identity")
                found.setdefault((statement.resource, f"Action::{detail_text(pattern)}"), (head, {}))[1][role_id] = \
                    roles[role_id]
            if statement.not_resources or not any(v.known and v.raw == "*" for v in statement.resources):
                continue
            for action in SCOPABLE:
                granting = [p for p, _ in statement.action_patterns() if iam.action_matches(p, action)]
                if not granting or any(p.strip() in reported for p in granting):
                    continue
                head = (f"{where(statement)} allows {action} (through Action {granting[0]}) on Resource * to an AI "
                        "workload identity, so it reaches every resource of that kind in the account")
                found.setdefault((statement.resource, f"WildcardResource::{action}"), (head, {}))[1][role_id] = \
                    roles[role_id]
    for (holder, detail), (head, by_role) in sorted(found.items()):
        who = ", ".join(f"{role} ({why})" for role, why in sorted(by_role.items()))
        advice = ("name the knowledge base, agent alias, flow, guardrail, runtime, gateway or memory ARNs in Resource"
                  if detail.startswith("WildcardResource") else
                  "list the specific actions the workload calls")
        yield Violation(holder, f"{head}: {who}; {advice}", detail)


RULE = Rule(
    id="AISEC-DATA-01",
    prowler_aisf=("AISF-IAM-02: no administrator Action * in identity policies",),
    aiml_assessment=(
        "BR-21: no * or AI-service wildcard actions, not Resource *",
        "AC-02: bedrock-agentcore:* and *",
        "FS-07: * and service-wide wildcards in the policies a template writes for agent roles",
        "FS-22: * and bedrock:* in every role, knowledge-base and agent actions on Resource * in AI workload roles; "
        "not scoped bedrock wildcards or other bedrock actions on every resource",
    ),
    title="No wildcard AI actions",
    layer=Layer.DATA,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM06", "T3"),
    passes="No identity-policy `Allow` statement has `Action` `*` or a full-service wildcard of `bedrock`, "
           "`bedrock-agentcore` or `sagemaker` (`bedrock:*`, `bedrock*:*`, any case), and no `Allow` uses `NotAction` "
           "unless it excludes all three services; scoped wildcards such as `bedrock:Invoke*` pass. The roles of AI "
           "workloads have no full-service wildcard of any service (`s3:*`, `iam:*`) and no Bedrock or AgentCore "
           "runtime action that names a resource (`bedrock:Retrieve`, `bedrock:InvokeAgent`, "
           "`bedrock-agentcore:InvokeAgentRuntime`, ...) on `Resource: *`.",
    remediation="Replace wildcard actions with the specific actions the application or agent calls (for example "
                "`bedrock:InvokeModel`, `bedrock:InvokeModelWithResponseStream`, `bedrock-agentcore:InvokeAgentRuntime`); "
                "use `Deny` rather than `Allow` with `NotAction`.",
    construct="aisec_constructs.data.ModelAccess and the roles of Agent, KnowledgeBase, PrivateToolFunction",
    check=check,
    judges=iam.POLICY_TYPES,
    reads=tuple(t for t in WORKLOAD_READS if t not in iam.POLICY_TYPES),
)
