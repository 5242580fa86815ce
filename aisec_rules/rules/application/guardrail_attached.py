"""AISEC-APP-04: Bedrock agents and the model-calling nodes of Bedrock flows apply a guardrail.

* Every ``AWS::Bedrock::Agent`` sets ``GuardrailConfiguration.GuardrailIdentifier`` and
  ``GuardrailConfiguration.GuardrailVersion``. A ``Ref`` / ``Fn::GetAtt`` / ``Fn::ImportValue``
  counts as set (CDK writes ``{"Fn::GetAtt": ["Guardrail", "GuardrailId"]}`` and
  ``{"Fn::GetAtt": ["GuardrailVersion", "Version"]}``; both are read-only attributes in the
  schemas of ``AWS::Bedrock::Guardrail`` and ``AWS::Bedrock::GuardrailVersion``). ``DRAFT`` is an
  accepted version (the schema allows it and the guardrail applies); pinning a numbered version
  is a change-management choice, not judged here. One finding per agent (no detail).
* Every ``AWS::Bedrock::Flow`` node of ``Type`` ``Prompt`` or ``KnowledgeBase`` sets
  ``Configuration.Prompt.GuardrailConfiguration`` / ``Configuration.KnowledgeBase.GuardrailConfiguration``
  with ``GuardrailIdentifier`` and ``GuardrailVersion`` (names from the schema definitions
  ``FlowNode``, ``FlowNodeConfiguration``, ``PromptFlowNodeConfiguration``,
  ``KnowledgeBaseFlowNodeConfiguration``, ``GuardrailConfiguration``). Nodes nested in a ``Loop``
  node (``Configuration.Loop.Definition``, same shape) are checked too. Detail ``Node::<name>``
  (``Node::<loop>/<name>`` inside a loop; ``Node::#<index>`` when the name is not a literal).
  Choice: a ``KnowledgeBase`` node without ``ModelId`` only retrieves, but it is still required
  to carry the guardrail, as the catalog row says: the same node turns into a generating one by
  adding a model, and the check stays simple to explain.

Where the flow definition comes from: ``Definition`` (an object) is read directly, each
``Fn::If`` branch judged. ``DefinitionString`` is parsed as JSON (``Fn::Sub`` / ``Fn::Join`` are
rendered with ``${...}`` placeholders, which are fine inside JSON strings); keys are matched in
PascalCase (the CloudFormation shape) or camelCase (the Bedrock API shape). A string that does not
parse is reported as "cannot be verified", as is a flow whose definition is only in
``DefinitionS3Location`` (one finding per flow, no detail). A flow with no definition at all has no
nodes and passes.
"""
import json
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import MISSING, Resource, Value
from ._app import get
from ._guardrail import join, note

AGENT = "AWS::Bedrock::Agent"
FLOW = "AWS::Bedrock::Flow"
FIELDS = ("GuardrailIdentifier", "GuardrailVersion")
GUARDED_NODES = ("Prompt", "KnowledgeBase")


def check(ctx: Context) -> Iterator[Violation]:
    for agent in ctx.template.of_type(AGENT):
        missing = _unset(ctx, agent.prop("GuardrailConfiguration"), "GuardrailConfiguration", "", parsed=False)
        if missing:
            yield Violation(agent.logical_id,
                            "; ".join(dict.fromkeys(missing)) + ". The agent must apply a guardrail: set "
                            "GuardrailConfiguration.GuardrailIdentifier and GuardrailVersion (a Ref or Fn::GetAtt to "
                            "an AWS::Bedrock::Guardrail / GuardrailVersion counts).")
    for flow in ctx.template.of_type(FLOW):
        # Several Fn::If branches may report the same node: merge them into one finding per detail.
        merged: Dict[Optional[str], List[str]] = {}
        for violation in _check_flow(ctx, flow):
            merged.setdefault(violation.detail, []).append(violation.message)
        for detail, texts in merged.items():
            yield Violation(flow.logical_id, " ".join(dict.fromkeys(texts)), detail)


def _check_flow(ctx: Context, flow: Resource) -> Iterator[Violation]:
    definition = flow.prop("Definition")
    if definition is not MISSING:
        for value in ctx.template.resolve(definition):
            if not value.known:
                yield Violation(flow.logical_id, f"Definition cannot be verified at synth time{note(value.origin)}; "
                                "the guardrails of its Prompt and KnowledgeBase nodes cannot be confirmed.")
            elif not value.missing:
                yield from _check_definition(ctx, flow, value.raw, "Definition", value.origin, parsed=False)
        return
    string = flow.prop("DefinitionString")
    if string is not MISSING:
        for value in ctx.template.resolve(string):
            if value.missing:
                continue
            if value.known and isinstance(value.raw, dict):  # odd but readable: an object instead of a string
                yield from _check_definition(ctx, flow, value.raw, "DefinitionString", value.origin, parsed=False)
                continue
            if value.known and not isinstance(value.raw, str):
                parsed, error = None, f"it is a {type(value.raw).__name__}, not a JSON string"
            else:
                parsed, error = _parse(value.raw if value.known else ctx.template.text(value.raw))
            if error:
                yield Violation(flow.logical_id,
                                f"DefinitionString cannot be verified at synth time{note(value.origin)} ({error}); "
                                "the guardrails of its Prompt and KnowledgeBase nodes cannot be confirmed. Define the "
                                "flow with the Definition property, or acknowledge this finding after checking that "
                                "every Prompt and KnowledgeBase node sets a guardrail.")
            else:
                yield from _check_definition(ctx, flow, parsed, "DefinitionString", value.origin, parsed=True)
        return
    if flow.prop("DefinitionS3Location") is not MISSING:
        yield Violation(flow.logical_id,
                        "The flow definition is only in DefinitionS3Location, so the guardrails of its Prompt and "
                        "KnowledgeBase nodes cannot be verified at synth time. Define the flow with the Definition "
                        "property, or acknowledge this finding after checking that every Prompt and KnowledgeBase "
                        "node sets GuardrailConfiguration.")


def _parse(text: Optional[str]) -> Tuple[Any, str]:
    if text is None:
        return None, "it is an intrinsic that does not render as text"
    try:
        return json.loads(text), ""
    except ValueError as error:
        return None, f"it is not valid JSON: {error}"


def _check_definition(ctx: Context, flow: Resource, definition: Any, where: str, origin: str, parsed: bool,
                      prefix: str = "") -> Iterator[Violation]:
    if not isinstance(definition, dict):
        yield Violation(flow.logical_id, f"{where} is not an object the rule can read{note(origin)}; the guardrails of "
                        "its Prompt and KnowledgeBase nodes cannot be confirmed.")
        return
    for nodes in _values(ctx, get(definition, "Nodes", parsed), origin, parsed):
        if not nodes.known:
            yield Violation(flow.logical_id, f"{where}.Nodes cannot be verified at synth time{note(nodes.origin)}; "
                            "the guardrails of its Prompt and KnowledgeBase nodes cannot be confirmed.")
            continue
        if nodes.raw is MISSING or nodes.raw is None:
            continue
        if not isinstance(nodes.raw, list):
            yield Violation(flow.logical_id, f"{where}.Nodes is not a list{note(nodes.origin)}; the guardrails of "
                            "its Prompt and KnowledgeBase nodes cannot be confirmed.")
            continue
        for index, item in enumerate(nodes.raw):
            for node in _values(ctx, item, nodes.origin, parsed):
                yield from _check_node(ctx, flow, node, index, f"{where}.Nodes[{index}]", parsed, prefix)


def _check_node(ctx: Context, flow: Resource, node: Value, index: int, where: str, parsed: bool,
                prefix: str) -> Iterator[Violation]:
    if not node.known or not isinstance(node.raw, dict):
        if node.raw is MISSING or node.raw is None:
            return
        reason = ("cannot be verified at synth time" if not node.known
                  else f"is a {type(node.raw).__name__}, not a node object")
        yield Violation(flow.logical_id, f"{where} {reason}{note(node.origin)}; its guardrail cannot be confirmed.",
                        f"Node::{prefix}#{index}")
        return
    name = get(node.raw, "Name", parsed)
    label = "".join(ch for ch in name if not ch.isspace() and ch not in "[]") if isinstance(name, str) else ""
    detail = f"Node::{prefix}{label or '#' + str(index)}"
    shown = f"{where} ({name})" if label else where
    configuration = get(node.raw, "Configuration", parsed)
    for kind in _values(ctx, get(node.raw, "Type", parsed), node.origin, parsed):
        if not kind.known or not isinstance(kind.raw, str):
            # A node type we cannot read: judge it by the configuration it carries.
            present = [k for k in GUARDED_NODES if isinstance(configuration, dict)
                       and get(configuration, k, parsed) is not MISSING]
            if not present:
                continue
            node_type = present[0]
        else:
            node_type = kind.raw
        if node_type == "Loop":
            inner = get(get(configuration, "Loop", parsed), "Definition", parsed)
            for value in _values(ctx, inner, kind.origin, parsed):
                if value.known and value.raw is not MISSING:
                    yield from _check_definition(ctx, flow, value.raw, f"{where}.Configuration.Loop.Definition",
                                                 value.origin, parsed, prefix=f"{prefix}{label or '#' + str(index)}/")
            continue
        if node_type not in GUARDED_NODES:
            continue
        missing = _unset(ctx, get(get(configuration, node_type, parsed), "GuardrailConfiguration", parsed),
                         f"Configuration.{node_type}.GuardrailConfiguration", kind.origin, parsed)
        if missing:
            yield Violation(flow.logical_id,
                            f"{node_type} node {shown}: " + "; ".join(dict.fromkeys(missing))
                            + f". Every {node_type} node of a flow must apply a guardrail (GuardrailIdentifier and "
                            "GuardrailVersion).", detail)


def _values(ctx: Context, raw: Any, origin: str, parsed: bool) -> List[Value]:
    """Literal possibilities of a value with origins joined; parsed JSON holds no intrinsics."""
    if parsed:
        return [Value(raw, True, origin)]
    return [Value(v.raw, v.known, join(origin, v.origin)) for v in ctx.template.resolve(raw)]


def _unset(ctx: Context, config: Any, where: str, origin: str, parsed: bool) -> List[str]:
    """What is missing from a ``GuardrailConfiguration`` (each Fn::If branch judged)."""
    problems: List[str] = []
    for value in _values(ctx, config, origin, parsed):
        if not value.known:
            problems.append(f"{where} cannot be verified at synth time{note(value.origin)}")
            continue
        if value.raw is MISSING or value.raw is None:
            problems.append(f"{where} is not set{note(value.origin)}")
            continue
        if not isinstance(value.raw, dict):
            problems.append(f"{where} is not an object{note(value.origin)}")
            continue
        for field in FIELDS:
            for item in _values(ctx, get(value.raw, field, parsed), value.origin, parsed):
                if item.known and (item.raw is MISSING or item.raw is None or item.raw == ""):
                    problems.append(f"{where}.{field} is not set{note(item.origin)}")
    return problems


RULE = Rule(
    id="AISEC-APP-04",
    prowler_aisf=("AISF-AI-04",),
    aiml_assessment=("BR-13", "BR-28"),
    title="Guardrail attached to agents and flows",
    layer=Layer.APPLICATION,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM01", "T6"),
    passes="Every `AWS::Bedrock::Agent` sets `GuardrailConfiguration` (identifier and version), and every `Prompt` and "
           "`KnowledgeBase` node of every `AWS::Bedrock::Flow` sets its own `GuardrailConfiguration`.",
    remediation="Attach a guardrail to each agent (`GuardrailConfiguration.GuardrailIdentifier` and "
                "`GuardrailVersion`, e.g. `Fn::GetAtt` of the guardrail and of an `AWS::Bedrock::GuardrailVersion`) "
                "and to each Prompt and KnowledgeBase node of each flow (`Configuration.<Prompt|KnowledgeBase>."
                "GuardrailConfiguration`); keep flow definitions in the `Definition` property so they can be checked.",
    construct="aisec_constructs.application.Agent (cannot be created without a guardrail)",
    check=check,
    judges=(AGENT, FLOW),
    services={Service.BEDROCK},
)
