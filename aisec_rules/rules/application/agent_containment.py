"""AISEC-APP-32: every agent and AgentCore runtime can be contained automatically when it is compromised.

Resource types judged: ``AWS::Bedrock::Agent``, ``AWS::BedrockAgentCore::Runtime``, ``AWS::Events::Rule``,
``AWS::Lambda::Function``, ``AWS::IAM::Role``, ``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy``,
``AWS::IAM::RolePolicy`` (and the references to tool functions that AISEC-INF-04 reads).

A containment path exists for an agent (``AWS::Bedrock::Agent``, its role ``AgentResourceRoleArn`` and the
tool functions of its action groups) or a runtime (``AWS::BedrockAgentCore::Runtime``, its ``RoleArn``) when
the environment has:

1. an ``AWS::Events::Rule`` that is enabled (``State`` absent or ``ENABLED``) and whose ``EventPattern``
   (object or JSON string) has ``source`` ``aws.guardduty`` (GuardDuty findings; further rules on the
   probe and usage alarms are welcome but not required: not every system has them);
2. among its ``Targets`` an ``AWS::Lambda::Function`` of the environment (``Arn`` a reference to it);
3. whose role may quarantine the workload: an ``Allow`` of ``iam:AttachRolePolicy`` or ``iam:PutRolePolicy``
   (a deny-all policy) on a ``Resource`` that covers the agent's role (``*``, a reference to that role, or a
   pattern matching its literal ARN), and, for each tool function of an agent, an ``Allow`` of
   ``lambda:PutFunctionConcurrency`` covering that function (``*``, a reference, or a matching pattern).
   aisec's ``AgentContainment`` builds exactly this (and also snapshots the evidence to the archive).

Findings, on the agent or runtime: no such path (no detail); a path whose function cannot stop one tool
(detail ``Tool::<function logical id>``). A role or a tool that cannot be identified at synth time (an
import, a parameter without default) cannot be matched and is reported the same way.
"""
from __future__ import annotations

import json
from typing import Any, Iterator, List, Optional, Tuple

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read import iam
from ...read.template import MISSING, Resource, as_list
from ...read.values import classify
from ..data._workload import role_statements
from ..infrastructure import _tools

QUARANTINE_ROLE = ("iam:AttachRolePolicy", "iam:PutRolePolicy")
STOP_FUNCTION = "lambda:PutFunctionConcurrency"
_ROLE_PROPERTY = {"AWS::Bedrock::Agent": "AgentResourceRoleArn", "AWS::BedrockAgentCore::Runtime": "RoleArn"}


def _pattern(ctx: Context, rule: Resource) -> Optional[dict]:
    for value in ctx.template.resolve(rule.prop("EventPattern")):
        raw = value.raw if value.known else None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = None
        if isinstance(raw, dict):
            return raw
    return None


def responders(ctx: Context) -> List[Resource]:
    """The functions that enabled EventBridge rules on GuardDuty findings invoke (cached on the view)."""
    cached = ctx.template.cache.get("app.responders")
    if cached is not None:
        return cached
    found: List[Resource] = []
    for rule in ctx.template.of_type("AWS::Events::Rule"):
        state = rule.prop("State")
        pattern = _pattern(ctx, rule)
        if state not in (MISSING, None, "ENABLED") or pattern is None:
            continue
        if "aws.guardduty" not in as_list(pattern.get("source")):
            continue
        for target in as_list(rule.prop("Targets")):
            function = ctx.template.target(target.get("Arn")) if isinstance(target, dict) else None
            if function is not None and function.type == "AWS::Lambda::Function" and function not in found:
                found.append(function)
    ctx.template.cache["app.responders"] = found
    return found


def _covers(ctx: Context, statement: iam.Statement, subject: Tuple[Optional[Resource], Optional[str]]) -> bool:
    """Whether a statement's Resource covers a subject: (resource of the view, literal ARN)."""
    resource, literal = subject
    if statement.not_resources:
        return False
    for value in statement.resources:
        item = classify(ctx.template, value)
        if item.kind == "resource" and resource is not None and item.resource is not None \
                and item.resource.logical_id == resource.logical_id:
            return True
        if item.kind == "text" and item.text is not None:
            if item.text.strip() == "*" or (literal is not None and iam.wildcard_match(item.text, literal)):
                return True
    return False


def _subject(ctx: Context, value: Any) -> Tuple[Optional[Resource], Optional[str]]:
    """A role or function named by a property: the resource of the view, or its literal ARN."""
    target = ctx.template.target(value)
    if target is not None:
        return target, None
    for possibility in ctx.template.resolve(value):
        if possibility.known and isinstance(possibility.raw, str):
            return None, possibility.raw
    return None, None


def _may(ctx: Context, function: Resource, actions: Tuple[str, ...], subject) -> bool:
    role = ctx.template.target(function.prop("Role"))
    if role is None or subject == (None, None):
        return False
    return any(s.allows and any(s.grants(a) for a in actions) and _covers(ctx, s, subject)
               for s in role_statements(ctx).get(role.logical_id, []))


def check(ctx: Context) -> Iterator[Violation]:
    functions = responders(ctx)
    tools = _tools.references(ctx.template)
    for workload in ctx.template.of_type(*_ROLE_PROPERTY):
        role = _subject(ctx, workload.prop(_ROLE_PROPERTY[workload.type]))
        able = [f for f in functions if _may(ctx, f, QUARANTINE_ROLE, role)]
        if not able:
            yield Violation(workload.logical_id,
                            "no automated containment path: no enabled EventBridge rule on GuardDuty findings "
                            f"(source aws.guardduty) targets a function allowed {' or '.join(QUARANTINE_ROLE)} on "
                            f"this {workload.type.split('::')[-1].lower()}'s role; add aisec's AgentContainment "
                            "(evidence snapshot, deny-all policy, tools stopped, undoable)")
            continue
        for reference in (t for t in tools if t.referrer.logical_id == workload.logical_id):
            literal = reference.shown if "${" not in reference.shown else None
            tool = (reference.function, None) if reference.function is not None else (None, literal)
            if not any(_may(ctx, f, (STOP_FUNCTION,), tool) for f in able):
                name = reference.function.logical_id if reference.function is not None else reference.shown
                yield Violation(workload.logical_id,
                                f"the containment function {', '.join(f.logical_id for f in able)} cannot stop the "
                                f"tool {name} ({reference.path}): allow it {STOP_FUNCTION} on that function "
                                "(AgentContainment sets the reserved concurrency to zero)", f"Tool::{name}")


RULE = Rule(
    id="AISEC-APP-32",
    title="Containment of a compromised agent",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T6", "T9"),
    passes="Every `AWS::Bedrock::Agent` and `AWS::BedrockAgentCore::Runtime` has a containment path: an enabled "
           "`AWS::Events::Rule` on GuardDuty findings (`source` `aws.guardduty`) targets a Lambda function whose role "
           "is allowed `iam:AttachRolePolicy` or `iam:PutRolePolicy` on the agent's role and "
           "`lambda:PutFunctionConcurrency` on each of the agent's tool functions.",
    remediation="Add `aisec_constructs.detection.AgentContainment(archive=..., agents=[...], runtimes=[...], "
                "alarms=[...])`: it snapshots the evidence into the archive, attaches a deny-all policy to the "
                "workload roles, stops the tools, and records how to undo it (README runbook).",
    construct="aisec_constructs.detection.AgentContainment",
    check=check,
    judges=("AWS::Bedrock::Agent", "AWS::BedrockAgentCore::Runtime"),
    reads=("AWS::Events::Rule", "AWS::BedrockAgentCore::GatewayTarget", "AWS::Bedrock::DataSource", *_tools.FUNCTIONS,
           *iam.POLICY_TYPES),
    services={Service.BEDROCK},
)
