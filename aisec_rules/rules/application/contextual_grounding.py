"""AISEC-APP-06: guardrails of RAG workloads check answers against their sources (contextual grounding).

Each ``AWS::Bedrock::Guardrail`` of a stack that connects to data (a knowledge base, data source or
vector store; a stack with no capability of its own takes its environment's) has ``ContextualGroundingPolicyConfig.FiltersConfig`` entries of ``Type`` ``GROUNDING`` and
``RELEVANCE`` (the schema's ``ContextualGroundingFilterType``) where

* ``Threshold`` is at least :data:`MIN_THRESHOLD` (0.7, the catalog's tunable floor; the schema allows
  0 to 0.99: a lower threshold lets more ungrounded answers through);
* ``Action`` is not ``NONE`` (``ContextualGroundingAction`` is ``BLOCK`` or ``NONE``; absent means
  ``BLOCK``) and ``Enabled`` is not ``false``.

Findings are granular per filter type (``AISEC-APP-06[GROUNDING]``, ``[RELEVANCE]``). Every guardrail in a
RAG template is judged; a guardrail that never sees retrieved content (say, one for a plain chat path)
can be acknowledged with that reason. A threshold that cannot be resolved is reported as unverifiable.
"""
from typing import Dict, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import is_false
from ._guardrail import GUARDRAIL, by_type, field_values, note, show, unknown_entry, variant_problem, variants

PATH = ("ContextualGroundingPolicyConfig", "FiltersConfig")
WHERE = "ContextualGroundingPolicyConfig.FiltersConfig"
TYPES = ("GROUNDING", "RELEVANCE")
MIN_THRESHOLD = 0.7


def check(ctx: Context) -> Iterator[Violation]:
    for guardrail in ctx.template.of_type(GUARDRAIL):
        if Capability.CONNECTS not in ctx.capabilities_of(guardrail.logical_id):
            continue
        problems: Dict[str, List[str]] = {kind: [] for kind in TYPES}
        for variant in variants(ctx, guardrail, PATH):
            if variant.state != "list":
                for kind in TYPES:
                    problems[kind].append(variant_problem(variant, f"{kind} check"))
                continue
            groups = by_type(ctx, variant)
            for kind in TYPES:
                coverage = groups.get(kind)
                if coverage is None:
                    untyped = groups.get("*")
                    problems[kind].append(
                        f"{WHERE} has no {kind} filter that can be verified: "
                        + ", ".join(unknown_entry(ctx, e, WHERE) for e in untyped.untyped)
                        if untyped else f"{WHERE} has no {kind} filter{note(variant.origin)}")
                    continue
                if not coverage.unconditional:
                    problems[kind].append(f"{WHERE}[{kind}] is conditional (Fn::If) and missing in some "
                                          f"case{note(variant.origin)}")
                for entry in coverage.entries:
                    problems[kind].extend(_judge(ctx, entry, kind))
        for kind in TYPES:
            if problems[kind]:
                yield Violation(guardrail.logical_id,
                                "; ".join(dict.fromkeys(problems[kind])) + f". The {kind} check must block answers "
                                f"below a threshold of at least {MIN_THRESHOLD}.", kind)


def _judge(ctx: Context, entry, kind: str) -> List[str]:
    label = f"{WHERE}[{kind}]"
    problems: List[str] = []
    for value in field_values(ctx, entry, "Threshold"):
        if not value.known:
            problems.append(f"{label}.Threshold cannot be verified at synth time{note(value.origin)}")
        elif value.missing:
            problems.append(f"{label}.Threshold is not set{note(value.origin)}")
        else:
            try:
                number = float(value.raw) if not isinstance(value.raw, bool) else None
            except (TypeError, ValueError):
                number = None
            if number is None or number < MIN_THRESHOLD:
                problems.append(f"{label}.Threshold is {show(value.raw)}{note(value.origin)} (must be at least "
                                f"{MIN_THRESHOLD})")
    for value in field_values(ctx, entry, "Action"):
        if not value.known:
            problems.append(f"{label}.Action cannot be verified at synth time{note(value.origin)}")
        elif isinstance(value.raw, str) and value.raw.strip().upper() == "NONE":
            problems.append(f"{label}.Action is NONE{note(value.origin)}, so ungrounded answers are only logged")
    for value in field_values(ctx, entry, "Enabled"):
        if not value.known:
            problems.append(f"{label}.Enabled cannot be verified at synth time{note(value.origin)}")
        elif is_false(value.raw):
            problems.append(f"{label}.Enabled is false{note(value.origin)}")
    return problems


RULE = Rule(
    id="AISEC-APP-06",
    prowler_aisf=("AISF-AI-09: guardrails of RAG workloads",),
    aiml_assessment=(
        "BR-27: guardrails of RAG workloads",
        "FS-47: guardrails of RAG workloads",
        "FS-50: guardrails of RAG workloads",
    ),
    title="Contextual grounding checks",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS},
    severity=Severity.MEDIUM,
    risks=("LLM09",),
    passes="In a RAG workload, each `AWS::Bedrock::Guardrail` has `ContextualGroundingPolicyConfig.FiltersConfig` "
           "entries for `GROUNDING` and `RELEVANCE` with `Threshold` at least 0.7, enabled, action not `NONE`.",
    remediation="Add contextual grounding and relevance filters to the guardrail (threshold 0.7 or higher, action "
                "`BLOCK`) and pass the retrieved passages as grounding sources when applying it.",
    construct="aisec_constructs.application.Guardrail (contextual_grounding=True)",
    check=check,
    judges=(GUARDRAIL,),
    services={Service.BEDROCK},
)
