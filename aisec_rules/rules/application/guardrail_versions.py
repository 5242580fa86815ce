"""AISEC-APP-05: guardrails are published as numbered versions and consumers use them, never DRAFT.

* Every ``AWS::Bedrock::Guardrail`` of the template has an ``AWS::Bedrock::GuardrailVersion`` whose
  ``GuardrailIdentifier`` references it (``Ref``/``Fn::GetAtt``/``Fn::Sub`` to the guardrail). One finding
  per unpublished guardrail (no detail). Choice: the catalog asks for "a GuardrailVersion exists"; a
  version of *another* guardrail does not pin this one, so the check is per guardrail.
* No consumer uses the working draft: ``AWS::Bedrock::Agent.GuardrailConfiguration.GuardrailVersion``
  (one finding per agent), ``GuardrailConfiguration.GuardrailVersion`` of the ``Prompt`` and
  ``KnowledgeBase`` nodes of ``AWS::Bedrock::Flow`` definitions (detail ``Node::<name>``, as in
  AISEC-APP-04), and ``AWS::Bedrock::EnforcedGuardrailConfiguration.GuardrailVersion`` (the schema's
  pattern already forbids ``DRAFT``; a parameter default can still carry it). ``DRAFT`` fails as a literal,
  as a parameter default, in any ``Fn::If`` branch, and as ``Fn::GetAtt <Guardrail>.Version``: that
  read-only attribute of ``AWS::Bedrock::Guardrail`` is always ``DRAFT`` (the numbered version is the
  ``Version`` attribute of ``AWS::Bedrock::GuardrailVersion``). Any other intrinsic counts as pinned. An
  absent version is AISEC-APP-04's concern (no guardrail applied) and is not reported here.

A template with no guardrail and no consumer passes (AISEC-APP-01 reports the missing guardrail).
"""
from typing import Dict, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ._app import flow_nodes, get, version_problems

GUARDRAIL = "AWS::Bedrock::Guardrail"
VERSION = "AWS::Bedrock::GuardrailVersion"
FIX = (" Publish the guardrail as an AWS::Bedrock::GuardrailVersion and reference its Version attribute "
       "(Fn::GetAtt <GuardrailVersion>.Version), so that a change to the guardrail is tested before it reaches "
       "production.")


def check(ctx: Context) -> Iterator[Violation]:
    published = set()
    for version in ctx.template.of_type(VERSION):
        for target in ctx.template.references(version.prop("GuardrailIdentifier")):
            published.add(target.logical_id)
    for guardrail in ctx.template.of_type(GUARDRAIL):
        if guardrail.logical_id not in published:
            yield Violation(guardrail.logical_id,
                            f"No AWS::Bedrock::GuardrailVersion references guardrail {guardrail.logical_id}, so its "
                            "consumers can only use the mutable DRAFT." + FIX)
    for agent in ctx.template.of_type("AWS::Bedrock::Agent"):
        config = agent.prop("GuardrailConfiguration")
        problems: List[str] = []
        for value in ctx.template.resolve(config):
            if value.known and isinstance(value.raw, dict):
                problems += version_problems(ctx, value.raw.get("GuardrailVersion"),
                                             "GuardrailConfiguration.GuardrailVersion", value.origin, required=False)
        if problems:
            yield Violation(agent.logical_id, "; ".join(dict.fromkeys(problems)) + "." + FIX)
    for flow in ctx.template.of_type("AWS::Bedrock::Flow"):
        nodes, _ = flow_nodes(ctx, flow)  # unreadable definitions are AISEC-APP-04's findings
        merged: Dict[str, List[str]] = {}
        for node in nodes:
            kind = {"PROMPT": "Prompt", "KNOWLEDGEBASE": "KnowledgeBase"}.get(node.type or "")
            if kind is None:
                continue
            guard = get(get(node.config, kind, node.parsed), "GuardrailConfiguration", node.parsed)
            for value in ctx.template.resolve(guard):
                if value.known and isinstance(value.raw, dict):
                    merged.setdefault(node.label, []).extend(version_problems(
                        ctx, get(value.raw, "GuardrailVersion", node.parsed),
                        f"node {node.label} Configuration.{kind}.GuardrailConfiguration.GuardrailVersion",
                        ", ".join(o for o in (node.origin, value.origin) if o), required=False))
        for label, problems in merged.items():
            if problems:
                yield Violation(flow.logical_id, "; ".join(dict.fromkeys(problems)) + "." + FIX, f"Node::{label}")
    for config in ctx.template.of_type("AWS::Bedrock::EnforcedGuardrailConfiguration"):
        problems = version_problems(ctx, config.prop("GuardrailVersion"), "GuardrailVersion")
        if problems:
            yield Violation(config.logical_id, "; ".join(dict.fromkeys(problems)) + "." + FIX)


RULE = Rule(
    id="AISEC-APP-05",
    title="Pinned guardrail versions",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM01", "LLM05"),
    passes="Every `AWS::Bedrock::Guardrail` is published by an `AWS::Bedrock::GuardrailVersion`, and no agent, flow "
           "node or enforced guardrail configuration uses `DRAFT` (literally, from a parameter default, or through "
           "`Fn::GetAtt <Guardrail>.Version`).",
    remediation="Add an `AWS::Bedrock::GuardrailVersion` for each guardrail and reference its `Version` attribute "
                "from agents, flows and the enforced guardrail configuration; publish a new version when the "
                "guardrail changes.",
    construct="aisec_constructs.application.Guardrail (always published; Agent and EnforcedGuardrail use the version)",
    check=check,
    judges=(GUARDRAIL, VERSION, "AWS::Bedrock::EnforcedGuardrailConfiguration"),
    reads=("AWS::Bedrock::Agent", "AWS::Bedrock::Flow"),
    services={Service.BEDROCK},
)
