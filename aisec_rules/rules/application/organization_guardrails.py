"""AISEC-APP-33: the organization enforces the AI guardrails, so that a workload account cannot switch them off.

Resource types judged: ``AWS::Organizations::Policy``, read across the whole system (``ctx.system_of_type``).

Environment scope, judged for each environment that uses Bedrock or AgentCore over the whole system: the
``AWS::Organizations::Policy`` resources may be declared in any environment (the management account's stack
is an environment of its own), and count for this one when they apply to it (:mod:`._organization`: attached
to a root, an OU or this account; service control policies never to the management account itself). Each
missing part is its own workload finding, attached to this environment:

* ``[GuardrailChanges]``, ``[InvocationLoggingChanges]``, ``[TrailChanges]``: a ``SERVICE_CONTROL_POLICY``
  denies every action of ``aisec_rules.aws.ORGANIZATION_DENIALS`` for the detail (deleting or changing
  guardrails and their account-level enforcement; changing or deleting model invocation logging; stopping
  or deleting trails). A Deny statement counts for an action it names (wildcards and ``NotAction`` included)
  on ``Resource: "*"``, with no ``Condition`` or one that only exempts named roles (``ArnNotLike`` /
  ``ArnNotEquals`` / ``StringNotLike`` / ``StringNotEquals``, ``IfExists`` or not, on ``aws:PrincipalArn``,
  every value naming a role: ``...:role/<name or pattern>``). Any other condition narrows the denial to
  requests the rule cannot judge, so it does not count (the message names it).
* ``[RuntimeOutsideVpc]``, ``[CodeInterpreterOutsideVpc]``, ``[BrowserOutsideVpc]``: the same for creating (and
  updating) AgentCore runtimes, creating code interpreters and creating browsers, where the statement may
  also hold the ``Null`` condition on ``bedrock-agentcore:subnets`` and/or ``bedrock-agentcore:securityGroups``
  (``"true"``: the request names no VPC), the form of the AgentCore developer guide. ``ForAnyValue:StringNotEquals``
  on approved subnets alone does not count: a request that names no subnet does not match it.
* ``[BedrockPolicy]``: a ``BEDROCK_POLICY`` enforces, in this environment's Region (every Region it names when
  the Region is unknown), a guardrail identifier that ends in a published version number (or in
  ``${X.Version}`` of an ``AWS::Bedrock::GuardrailVersion``), guards every user message
  (``selective_content_guarding.messages`` ``comprehensive``, or the older ``input_tags`` ``ignore``) and, when
  ``model_enforcement`` is given, includes ``ALL`` models and excludes none.
* ``[AiServicesOptOut]``: an ``AISERVICES_OPT_OUT_POLICY`` opts every AI service out by default
  (``services.default.opt_out_policy`` ``optOut``) and opts none back in.

A policy type, action or condition key not in the CloudFormation schema or the service authorization
reference is not used: all three policy types are in the ``AWS::Organizations::Policy`` schema's ``Type``
enum. An acknowledgement silences a finding only when its reason names the 12-digit id of the management
account that enforces the control (``Rule.reason_must_name``); the policies themselves live outside this
environment, so that is the account a reviewer checks.
"""
from __future__ import annotations

from typing import Callable, Iterator, List, Sequence, Tuple

from ...aws import AGENTCORE_SECURITY_GROUPS_KEY, AGENTCORE_SUBNETS_KEY, ORGANIZATION_DENIALS, VPC_DENIALS
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Service, Severity, Violation
from ...read import iam
from ...read.template import Template, as_list, is_true
from ._organization import BEDROCK, OPT_OUT, SCP, OrgPolicy, applying, bedrock_problems, opt_out_problems

WHAT = {
    "GuardrailChanges": "deleting or changing guardrails and their account-level enforcement",
    "InvocationLoggingChanges": "changing or deleting model invocation logging",
    "TrailChanges": "stopping or deleting CloudTrail trails",
    "RuntimeOutsideVpc": "creating or updating AgentCore runtimes outside a VPC",
    "CodeInterpreterOutsideVpc": "creating AgentCore code interpreters outside a VPC",
    "BrowserOutsideVpc": "creating AgentCore browsers outside a VPC",
}
_EXEMPTIONS = {"arnnotlike", "arnnotequals", "stringnotlike", "stringnotequals"}
_VPC_KEYS = {AGENTCORE_SUBNETS_KEY.lower(), AGENTCORE_SECURITY_GROUPS_KEY.lower()}
_ACK = ("or acknowledge AISEC-APP-33[{detail}] with a reason naming the 12-digit id of the management account that "
        "enforces it")


def check(ctx: Context) -> Iterator[Violation]:
    scps, notes = applying(ctx, SCP)
    statements: List[Tuple[OrgPolicy, iam.Statement]] = []
    for policy in scps:
        found, unreadable = iam.document_statements(policy.view, policy.resource.logical_id,
                                                    policy.resource.prop("Content"))
        statements += [(policy, s) for s in found]
        notes += [f"{policy.name}: its {u.part} cannot be read ({u.reason})" for u in unreadable]
    if not scps and not notes:
        notes.append("the system declares no AWS::Organizations::Policy of type SERVICE_CONTROL_POLICY")
    for detail, actions in ORGANIZATION_DENIALS.items():
        missing, partial = _missing(statements, actions, detail in VPC_DENIALS)
        if missing:
            yield Violation(None, f"No service control policy that applies to this environment denies {WHAT[detail]}: "
                                  f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not denied"
                                  f"{_notes(partial + notes)}. Add the denial in the management account's app "
                                  "(aisec_constructs.organization.OrganizationGuardrails), "
                                  + _ACK.format(detail=detail) + ".", detail)
    yield from _policy_of(ctx, BEDROCK, "BedrockPolicy", lambda p: bedrock_problems(ctx, p),
                          "enforces a published guardrail version on every user message and model")
    yield from _policy_of(ctx, OPT_OUT, "AiServicesOptOut", opt_out_problems,
                          "opts every AI service out of using the organization's content")


def _missing(statements: Sequence[Tuple[OrgPolicy, iam.Statement]], actions: Sequence[str],
             vpc: bool) -> Tuple[List[str], List[str]]:
    """The actions no statement denies outright, and the statements that deny one only in part."""
    missing: List[str] = []
    partial: List[str] = []
    for action in actions:
        shortfalls = [(policy, _narrowed(policy.view, statement, vpc)) for policy, statement in statements
                      if _denies(statement, action)]
        if all(why for _, why in shortfalls):  # no statement denies it outright (or none names it at all)
            missing.append(action)
            partial += [f"{policy.name} denies {action} only {why}" for policy, why in shortfalls]
    return missing, partial


def _denies(statement: iam.Statement, action: str) -> bool:
    if statement.effect != "Deny":
        return False
    if statement.not_actions:
        return all(v.known and isinstance(v.raw, str) for v in statement.not_actions) and not any(
            iam.action_matches(v.raw, action) for v in statement.not_actions)
    return any(iam.action_matches(pattern, action) for pattern, _ in statement.action_patterns())


def _narrowed(view: Template, statement: iam.Statement, vpc: bool) -> str:
    """How a Deny statement falls short of denying everyone, or "" when it does not (a pipeline-role
    exemption allowed; for a VPC denial, the Null condition on the AgentCore subnets too)."""
    if statement.not_resources or not any(v.known and v.raw == "*" for v in statement.resources):
        return 'on named resources (Resource is not "*")'
    condition = statement.condition
    if condition is None or condition == {}:
        return ""
    if not isinstance(condition, dict):
        return "under a Condition the rule cannot read"
    for operator, block in condition.items():
        base = str(operator).lower()
        base = base[: -len("ifexists")] if base.endswith("ifexists") else base
        keys = {str(k).lower() for k in block} if isinstance(block, dict) else set()
        if isinstance(block, dict) and base in _EXEMPTIONS and keys == {"aws:principalarn"}:
            for value in as_list(next(iter(block.values()))):
                text = view.text(value)
                if text is None:
                    return f"for principals outside {operator} aws:PrincipalArn, which cannot be read at synth time"
                role = text.split(":role/", 1)[1] if ":role/" in text else ""
                if not role.strip("*?/"):
                    return f"for part of the principals: {operator} aws:PrincipalArn {text} names no role"
            continue
        if isinstance(block, dict) and vpc and base == "null" and keys and keys <= _VPC_KEYS and all(
                is_true(v) for v in block.values()):
            continue
        return f"under the condition {operator} on {', '.join(sorted(keys)) or block}"
    return ""


def _policy_of(ctx: Context, kind: str, detail: str, problems_of: Callable[[OrgPolicy], List[str]],
               what: str) -> Iterator[Violation]:
    """One finding unless a policy of ``kind`` that applies here has no problem."""
    reach, notes = applying(ctx, kind)
    for policy in reach:
        problems = problems_of(policy)
        if not problems:
            return
        notes.append(f"{policy.name}: {'; '.join(problems)}")
    if not reach and not notes:
        notes.append(f"the system declares no AWS::Organizations::Policy of type {kind}")
    yield Violation(None, f"No {kind} that applies to this environment {what}{_notes(notes)}. Add one in the "
                          "management account's app (aisec_constructs.organization.OrganizationGuardrails), "
                          + _ACK.format(detail=detail) + ".", detail)


def _notes(notes: Sequence[str]) -> str:
    return f" ({'; '.join(dict.fromkeys(notes))})" if notes else ""


RULE = Rule(
    id="AISEC-APP-33",
    prowler_aisf=("AISF-DATA-06: an opt-out of every AI service, not that child accounts cannot override it",),
    aiml_assessment=("BR-15",),
    title="Organization AI guardrails",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM01", "T8"),
    passes="AWS Organizations policies that the system declares (in any environment, typically the management "
           "account's stack) apply to this environment: a service control policy denying guardrail and "
           "invocation-logging changes (named pipeline roles exempted), stopping or deleting trails, and "
           "AgentCore runtimes, code interpreters and browsers outside a VPC; a `BEDROCK_POLICY` enforcing a "
           "published guardrail version on every user message and model; an `AISERVICES_OPT_OUT_POLICY` opting "
           "every AI service out.",
    remediation="Deploy `OrganizationGuardrails` in the management account's app (a stack in that account's "
                "environment, in the same system), attached to the OUs or accounts of the AI workloads; or "
                "acknowledge each missing part with a reason naming the management account's 12-digit id.",
    construct="aisec_constructs.organization.OrganizationGuardrails",
    check=check,
    judges=("AWS::Organizations::Policy",),
    system_wide=("AWS::Organizations::Policy",),
    scope=Scope.ENVIRONMENT,
    services={Service.BEDROCK},
    reason_must_name=(r"(?<!\d)\d{12}(?!\d)", "the 12-digit id of the management account that enforces the control"),
)
