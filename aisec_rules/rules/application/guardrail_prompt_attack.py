"""AISEC-APP-02: every Bedrock guardrail blocks prompt attacks at HIGH strength.

Each ``AWS::Bedrock::Guardrail`` has a ``ContentPolicyConfig.FiltersConfig`` entry of ``Type``
``PROMPT_ATTACK`` (jailbreaks, prompt injection, and prompt leakage on the Standard tier) with

* ``InputStrength`` ``HIGH``;
* ``InputEnabled`` not ``false`` (absent means enabled);
* ``InputAction`` not ``NONE`` (absent means ``BLOCK``);
* ``InputModalities``, when set, including ``TEXT``.

Only the input side is judged. The schema's ``FilterStrength`` allows any strength for
``OutputStrength`` (``NONE``..``HIGH``) and marks it required, but the prompt-attack filter
evaluates user input only; templates and AWS samples set ``OutputStrength: NONE`` for it, and
the Bedrock API is widely reported to reject any other output strength for ``PROMPT_ATTACK``
(not confirmed in the AWS documentation we could read, so the catalog's "(unverified)" stays).
The output side is therefore neither required nor reported.

A guardrail without a prompt-attack filter (no ``ContentPolicyConfig``, or a filter list without
``PROMPT_ATTACK``, or one only under an ``Fn::If`` branch) is a finding. One finding per
guardrail (no detail), listing every problem. A template without any guardrail is not reported
here: AISEC-APP-01 owns that workload-level finding.

Note for users: with ``InvokeModel`` the filter only evaluates input wrapped in guardrail input
tags; the rule cannot see application code, so tag user input (or use the Converse API).
"""
from typing import Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ._guardrail import (FILTERS_PATH, FILTERS_WHERE as WHERE, GUARDRAIL, by_type, judge_filter, note, unknown_entry,
                         variant_problem, variants)

TYPE = "PROMPT_ATTACK"


def check(ctx: Context) -> Iterator[Violation]:
    for guardrail in ctx.template.of_type(GUARDRAIL):
        problems: List[str] = []
        for variant in variants(ctx, guardrail, FILTERS_PATH):
            if variant.state != "list":
                problems.append(variant_problem(variant, f"{TYPE} filter"))
                continue
            groups = by_type(ctx, variant)
            coverage = groups.get(TYPE)
            if coverage is None:
                untyped = groups.get("*")
                if untyped is not None:
                    problems.append(f"{WHERE} has no {TYPE} filter that can be verified: "
                                    + ", ".join(unknown_entry(ctx, entry, WHERE) for entry in untyped.untyped))
                else:
                    problems.append(f"{WHERE} has no {TYPE} filter{note(variant.origin)}")
                continue
            if not coverage.unconditional:
                problems.append(f"{WHERE}[{TYPE}] is conditional (Fn::If) and missing in some case"
                                f"{note(variant.origin)}; it must be configured in every case")
            for entry in coverage.entries:
                problems.extend(judge_filter(ctx, entry, TYPE, minimum="HIGH", directions=("Input",)))
        if problems:
            text = "; ".join(dict.fromkeys(problems))
            yield Violation(guardrail.logical_id,
                            f"{text}. The guardrail must block prompt attacks (jailbreaks, prompt injection) on "
                            "input at HIGH strength.")


RULE = Rule(
    id="AISEC-APP-02",
    prowler_aisf=("AISF-AI-02",),
    aiml_assessment=("FS-51: PROMPT_ATTACK at HIGH on input",),
    title="Prompt-attack filter at HIGH",
    layer=Layer.APPLICATION,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM01",),
    passes="Every `AWS::Bedrock::Guardrail` has a `PROMPT_ATTACK` content filter with `InputStrength` `HIGH`, input "
           "evaluation enabled and `InputAction` `BLOCK` (the output side is not judged).",
    remediation="Add `{Type: PROMPT_ATTACK, InputStrength: HIGH, OutputStrength: NONE}` to the guardrail's "
                "`ContentPolicyConfig.FiltersConfig` and keep input evaluation enabled with action BLOCK; wrap "
                "user input in guardrail input tags when calling InvokeModel.",
    construct="aisec_constructs.application.Guardrail",
    check=check,
    judges=(GUARDRAIL,),
    services={Service.BEDROCK},
)
