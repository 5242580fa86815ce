"""AISEC-APP-30: guardrails are tested continuously.

A guardrail with HIGH filters passes the configuration rules, but only a test shows that the deployed version
still stops a prompt injection or a leaked credential after the next change. Every ``AWS::Bedrock::Guardrail``
of the environment must be the target of a *probe schedule*; one finding per guardrail that is not (no
detail). The template cannot tell a guardrail in use from one that is not (a function may read the id from a
parameter store), so every guardrail declared is judged; one no workload uses can be acknowledged with that
reason.

What qualifies as a probe schedule for guardrail ``G`` (aisec's ``GuardrailProbe`` synthesizes exactly this,
and a hand-written schedule qualifies the same way):

1. an enabled schedule: an ``AWS::Scheduler::Schedule`` whose ``State`` is ``ENABLED`` or not set (the service
   default), or an ``AWS::Events::Rule`` with a ``ScheduleExpression`` whose ``State`` is ``ENABLED`` or not set.
   A state taken from a parameter default or an ``Fn::If`` counts only when every possibility is enabled;
2. whose target (``Target.Arn`` of the schedule, any ``Targets[].Arn`` of the rule) is a ``Ref`` /
   ``Fn::GetAtt`` to an ``AWS::Lambda::Function`` of the environment (directly, or through an
   ``AWS::Lambda::Alias`` / ``AWS::Lambda::Version`` whose ``FunctionName`` names it);
3. whose execution role (the function's ``Role``, an ``AWS::IAM::Role`` of the environment) is allowed
   ``bedrock:ApplyGuardrail`` (an ``Allow`` statement, wildcards in the action allowed) on a ``Resource`` that
   references ``G`` (``Fn::GetAtt G.GuardrailArn``, a ``Ref``, or an ``Fn::Sub`` / ``Fn::Join`` naming ``G``):
   in the role's inline ``Policies``, or in an ``AWS::IAM::Policy`` / ``AWS::IAM::ManagedPolicy`` whose
   ``Roles`` reference the role, or a managed policy of the environment the role lists in ``ManagedPolicyArns``.

A function allowed ``bedrock:ApplyGuardrail`` on ``*`` could probe any guardrail but shows none, so it does not
count (the finding says so); nor does a disabled schedule. The probe's results (block rates, alarms) are the
construct's business: this rule checks that the probing is built, ``aisec probe`` and the readiness report's
``--probe-results`` show what it measured.

Resource types read: ``AWS::Bedrock::Guardrail`` (judged), ``AWS::Scheduler::Schedule``, ``AWS::Events::Rule``,
``AWS::Lambda::Function``, ``AWS::Lambda::Alias``, ``AWS::Lambda::Version``, ``AWS::IAM::Role``,
``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy``.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read import iam
from ...read.template import MISSING, Resource, as_list

GUARDRAIL = "AWS::Bedrock::Guardrail"
SCHEDULE = "AWS::Scheduler::Schedule"
EVENT_RULE = "AWS::Events::Rule"
FUNCTION = "AWS::Lambda::Function"
ACTION = "bedrock:ApplyGuardrail"


def _function(ctx: Context, value: Any, depth: int = 0) -> Optional[Resource]:
    target = ctx.template.target(value)
    if target is None:
        return None
    if target.type == FUNCTION:
        return target
    if target.type in ("AWS::Lambda::Alias", "AWS::Lambda::Version") and depth < 2:
        return _function(ctx, target.prop("FunctionName"), depth + 1)
    return None


def _enabled(ctx: Context, state: Any) -> bool:
    if state is MISSING:
        return True
    values = ctx.template.resolve(state)
    return all(v.known and (v.missing or (isinstance(v.raw, str) and v.raw.strip().upper().startswith("ENABLED")))
               for v in values)


def _scheduled(ctx: Context) -> Dict[str, List[str]]:
    """Function logical id -> how each schedule that invokes it is (``"enabled"`` or why not)."""
    found: Dict[str, List[str]] = {}
    for schedule in ctx.template.of_type(SCHEDULE):
        function = _function(ctx, schedule.prop("Target", "Arn"))
        if function is not None:
            state = "enabled" if _enabled(ctx, schedule.prop("State")) else f"schedule {schedule.logical_id} is not enabled"
            found.setdefault(function.logical_id, []).append(state)
    for rule in ctx.template.of_type(EVENT_RULE):
        if rule.prop("ScheduleExpression") is MISSING:
            continue
        for target in _items(ctx, rule.prop("Targets")):
            function = _function(ctx, target.get("Arn"))
            if function is not None:
                state = "enabled" if _enabled(ctx, rule.prop("State")) else f"rule {rule.logical_id} is not enabled"
                found.setdefault(function.logical_id, []).append(state)
    return found


def _items(ctx: Context, value: Any) -> List[dict]:
    """The objects of a list property, each ``Fn::If`` branch of the list and of its items included."""
    found = []
    for possibility in ctx.template.resolve(value):
        for item in as_list(possibility.raw) if possibility.known and isinstance(possibility.raw, list) else []:
            found += [v.raw for v in ctx.template.resolve(item) if v.known and isinstance(v.raw, dict)]
    return found


def _policy_holders(ctx: Context, role: Resource) -> Set[str]:
    """The logical ids whose policy statements apply to ``role``: itself, the policies attached to it."""
    holders = {role.logical_id}
    for policy in ctx.template.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        if any(r.logical_id == role.logical_id for r in ctx.template.references(policy.prop("Roles"))):
            holders.add(policy.logical_id)
    for managed in ctx.template.references(role.prop("ManagedPolicyArns")):
        if managed.type == "AWS::IAM::ManagedPolicy":
            holders.add(managed.logical_id)
    return holders


def _applies(ctx: Context, function: Resource) -> Set[str]:
    """The guardrails (logical ids) a function's role may apply by name; ``"*"`` for a wildcard resource."""
    role = ctx.template.target(function.prop("Role"))
    if role is None or role.type != "AWS::IAM::Role":
        return set()
    holders = _policy_holders(ctx, role)
    found: Set[str] = set()
    for statement in iam.statements(ctx.template):
        if statement.resource not in holders or not statement.grants(ACTION) or statement.not_resources:
            continue
        for value in statement.resources:
            if value.known and value.raw == "*":
                found.add("*")
            found.update(r.logical_id for r in ctx.template.references(value.raw) if r.type == GUARDRAIL)
    return found


def check(ctx: Context) -> Iterator[Violation]:
    guardrails = ctx.template.of_type(GUARDRAIL)
    if not guardrails:
        return
    covered: Set[str] = set()
    near: Dict[str, List[str]] = {}
    for function_id, states in sorted(_scheduled(ctx).items()):
        function = ctx.template.get(function_id)
        applies = _applies(ctx, function) if function is not None else set()
        for named in applies - {"*"}:
            if "enabled" in states:
                covered.add(named)
            else:
                near.setdefault(named, []).extend(states)
        if "*" in applies:
            near.setdefault("*", []).append(f"function {function_id} may apply any guardrail (Resource *) but names "
                                            "none")
    for guardrail in guardrails:
        if guardrail.logical_id in covered:
            continue
        notes = near.get(guardrail.logical_id, []) + near.get("*", [])
        seen = f" ({'; '.join(dict.fromkeys(notes))})" if notes else ""
        yield Violation(guardrail.logical_id,
                        f"No enabled schedule probes guardrail {guardrail.logical_id}{seen}, so a regression of the "
                        "deployed guardrail (a filter lowered, a topic loosened, a new version) goes unnoticed. Add "
                        "aisec's GuardrailProbe for it, or an EventBridge schedule invoking a function whose role is "
                        "allowed bedrock:ApplyGuardrail on this guardrail; acknowledge this finding for a guardrail "
                        "no workload uses.")


RULE = Rule(
    id="AISEC-APP-30",
    title="Guardrails tested continuously",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM01", "LLM07"),
    passes="Every `AWS::Bedrock::Guardrail` is the target of a probe schedule: an enabled `AWS::Scheduler::Schedule` "
           "(or an `AWS::Events::Rule` with a `ScheduleExpression`) invoking an `AWS::Lambda::Function` whose role is "
           "allowed `bedrock:ApplyGuardrail` on a `Resource` that references the guardrail.",
    remediation="Add `aisec_constructs.detection.GuardrailProbe` for the guardrail (it runs the aisec probe suite "
                "daily, alarms on block rates below the thresholds and keeps every result), or your own schedule and "
                "function as described in what passes; run `aisec probe cdk.out --deployed` after each deployment.",
    construct="aisec_constructs.detection.GuardrailProbe (AiWorkload and AccountBaseline add it at Advanced)",
    check=check,
    judges=("AWS::Bedrock::Guardrail",),
    reads=("AWS::Scheduler::Schedule", "AWS::Events::Rule", "AWS::Lambda::Function", "AWS::Lambda::Alias",
           "AWS::Lambda::Version", *iam.POLICY_TYPES),
    services={Service.BEDROCK},
)
