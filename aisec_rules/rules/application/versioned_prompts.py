"""AISEC-APP-26: prompts are managed as versioned Bedrock prompts and flows use a pinned version.

* Every ``AWS::Bedrock::Prompt`` is published by an ``AWS::Bedrock::PromptVersion`` whose ``PromptArn``
  references it. One finding per unpublished prompt (no detail).
* Every ``Prompt`` node of an ``AWS::Bedrock::Flow`` (``Configuration.Prompt.SourceConfiguration``, schema
  definitions ``PromptFlowNodeSourceConfiguration`` / ``PromptFlowNodeResourceConfiguration``) takes its
  prompt from ``Resource.PromptArn`` naming a version: a ``Ref``/``Fn::GetAtt`` to an
  ``AWS::Bedrock::PromptVersion``, or an ARN (literal or rendered ``Fn::Sub``/``Fn::Join``) ending in
  ``:<version>`` (the schema's pattern ``prompt/<id>(:<n>)?``). An ``Inline`` prompt, a reference to an
  ``AWS::Bedrock::Prompt`` itself (its ARN is the draft), or an ARN without a version fails. An import or
  other reference the template cannot see counts as versioned. Detail ``Node::<name>``.

Choice: the catalog row lists ``AWS::Bedrock::Prompt`` + ``PromptVersion`` as the evidence; the rule does
not require a template to contain prompts (an agent's ``Instruction`` is versioned with the agent, and a
chat application may keep its system prompt in code), it judges the prompts and flows that are there.
"""
import re
from typing import Dict, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING
from ._app import flow_nodes, get, note, possibilities

PROMPT = "AWS::Bedrock::Prompt"
PROMPT_VERSION = "AWS::Bedrock::PromptVersion"
_VERSIONED_ARN = re.compile(r":prompt/[^:/]+:(\d+|\$\{[^}]+\})$")


def check(ctx: Context) -> Iterator[Violation]:
    published = {target.logical_id for version in ctx.template.of_type(PROMPT_VERSION)
                 for target in ctx.template.references(version.prop("PromptArn"))}
    for prompt in ctx.template.of_type(PROMPT):
        if prompt.logical_id not in published:
            yield Violation(prompt.logical_id, f"No AWS::Bedrock::PromptVersion references prompt {prompt.logical_id}, "
                            "so consumers can only use its mutable draft. Publish it with an AWS::Bedrock::PromptVersion "
                            "and reference the version's ARN.")
    for flow in ctx.template.of_type("AWS::Bedrock::Flow"):
        merged: Dict[str, List[str]] = {}
        nodes, _ = flow_nodes(ctx, flow)
        for node in nodes:
            if node.type != "PROMPT":
                continue
            source = get(get(node.config, "Prompt", node.parsed), "SourceConfiguration", node.parsed)
            merged.setdefault(node.label, []).extend(_source(ctx, node, source))
        for label, problems in merged.items():
            if problems:
                yield Violation(flow.logical_id, "; ".join(dict.fromkeys(problems)) + ". Reference a published prompt "
                                "version (Fn::GetAtt <PromptVersion>.Arn) so that prompt changes are reviewed and "
                                "pinned.", f"Node::{label}")


def _source(ctx: Context, node, source) -> List[str]:
    where = f"node {node.label} Configuration.Prompt.SourceConfiguration"
    problems: List[str] = []
    for value in possibilities(ctx, source, node.origin):
        if not value.known:
            problems.append(f"{where} cannot be verified at synth time{note(value.origin)}")
            continue
        if not isinstance(value.raw, dict):
            problems.append(f"{where} is not set{note(value.origin)}")
            continue
        if get(value.raw, "Inline", node.parsed) is not MISSING:
            problems.append(f"{where} is an Inline prompt{note(value.origin)}, which is not versioned")
            continue
        resource = get(value.raw, "Resource", node.parsed)
        arn_raw = get(resource, "PromptArn", node.parsed)
        for arn in possibilities(ctx, arn_raw, value.origin):
            problems.extend(_arn(ctx, arn, f"{where}.Resource.PromptArn"))
    return problems


def _arn(ctx: Context, arn, where: str) -> List[str]:
    if arn.known and (arn.missing or arn.raw == ""):
        return [f"{where} is not set{note(arn.origin)}"]
    target = None if arn.known else ctx.template.target(arn.raw)
    if target is not None:
        if target.type == PROMPT_VERSION:
            return []
        if target.type == PROMPT:
            return [f"{where} references the AWS::Bedrock::Prompt {target.logical_id}{note(arn.origin)}, i.e. its "
                    "draft, not a version"]
        return []
    text = arn.raw if arn.known and isinstance(arn.raw, str) else ctx.template.text(arn.raw)
    if text is None or (not arn.known and ":prompt/" not in text):
        return []  # an import or another reference the template cannot see: counts as versioned
    if not _VERSIONED_ARN.search(text.strip()):
        return [f"{where} is {text}{note(arn.origin)}, a prompt ARN without a version"]
    return []


RULE = Rule(
    id="AISEC-APP-26",
    title="Versioned prompts",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.LOW,
    risks=("LLM07",),
    passes="Every `AWS::Bedrock::Prompt` has an `AWS::Bedrock::PromptVersion`, and every flow `Prompt` node uses a "
           "prompt version (not an inline prompt, not the draft).",
    remediation="Manage system prompts as `AWS::Bedrock::Prompt` resources, publish each with an "
                "`AWS::Bedrock::PromptVersion`, and point flow prompt nodes at the version ARN.",
    construct="aisec_constructs.application.ManagedPrompt",
    check=check,
    judges=(PROMPT, "AWS::Bedrock::Flow"),
    reads=(PROMPT_VERSION,),
)
