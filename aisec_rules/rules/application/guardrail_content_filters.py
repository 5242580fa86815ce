"""AISEC-APP-01: the workload has a Bedrock guardrail whose content filters block harmful content.

Environment level: the stacks of the environment must contain at least one ``AWS::Bedrock::Guardrail``.
Without one the rule reports a single finding (no detail) for the environment. A guardrail deployed
outside this app cannot be seen: acknowledge that finding (on the app) with a reason naming the
guardrail (its account, stack and id).

Each guardrail: ``ContentPolicyConfig.FiltersConfig`` has a filter for each of ``HATE``,
``INSULTS``, ``SEXUAL``, ``VIOLENCE`` and ``MISCONDUCT`` (the five harmful-content categories of
the schema's ``ContentFilterType``; ``PROMPT_ATTACK`` is AISEC-APP-02) where

* ``InputStrength`` and ``OutputStrength`` are ``MEDIUM`` or ``HIGH`` (``FilterStrength`` is
  ``NONE`` < ``LOW`` < ``MEDIUM`` < ``HIGH``; both are required by the schema, so an absent one is
  reported as not set);
* ``InputEnabled`` / ``OutputEnabled`` are not ``false`` (absent means enabled);
* ``InputAction`` / ``OutputAction`` are not ``NONE`` (``ContentFilterAction`` is ``BLOCK`` or
  ``NONE``; ``NONE`` only records the detection in the trace, absent means ``BLOCK``);
* choice beyond the catalog row: when ``InputModalities`` / ``OutputModalities`` is set it must
  include ``TEXT`` (a filter limited to ``IMAGE`` does not filter text at all; absent means text).

Findings are granular per category (``AISEC-APP-01[HATE]``), one per guardrail and category,
the message listing every problem of that category. A category whose filter exists only under an
``Fn::If`` (one branch without it) is reported; each ``Fn::If`` branch of a value is judged; a
value that cannot be resolved (a ``Ref`` to a parameter without default, an import) is reported
as "cannot be verified" in that category's finding.
"""
from typing import Dict, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Service, Severity, Violation
from ._guardrail import (FILTERS_PATH, FILTERS_WHERE as WHERE, GUARDRAIL, by_type, judge_filter, note, unknown_entry,
                         variant_problem, variants)

CATEGORIES = ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT")
MINIMUM = "MEDIUM"

NO_GUARDRAIL = (
    "This environment's stacks have no AWS::Bedrock::Guardrail, so prompts and model responses are not filtered for harmful "
    "content (HATE, INSULTS, SEXUAL, VIOLENCE, MISCONDUCT); add a guardrail with these content filters at MEDIUM or "
    "HIGH and apply it to every model call. If the guardrail is deployed outside this app, acknowledge this finding with "
    "a reason naming that guardrail (stack and guardrail id)."
)


def check(ctx: Context) -> Iterator[Violation]:
    guardrails = ctx.template.of_type(GUARDRAIL)
    if not guardrails:
        yield Violation(None, NO_GUARDRAIL)
        return
    for guardrail in guardrails:
        problems: Dict[str, List[str]] = {category: [] for category in CATEGORIES}
        for variant in variants(ctx, guardrail, FILTERS_PATH):
            if variant.state != "list":
                for category in CATEGORIES:
                    problems[category].append(variant_problem(variant, f"{category} filter"))
                continue
            groups = by_type(ctx, variant)
            untyped = groups.get("*")
            for category in CATEGORIES:
                coverage = groups.get(category)
                if coverage is None:
                    if untyped is not None:
                        problems[category].append(
                            f"{WHERE} has no {category} filter that can be verified: "
                            + ", ".join(unknown_entry(ctx, entry, WHERE) for entry in untyped.untyped))
                    else:
                        problems[category].append(f"{WHERE} has no {category} filter{note(variant.origin)}")
                    continue
                if not coverage.unconditional:
                    problems[category].append(
                        f"{WHERE}[{category}] is conditional (Fn::If) and missing in some case{note(variant.origin)}; "
                        "it must be configured in every case")
                for entry in coverage.entries:
                    problems[category].extend(judge_filter(ctx, entry, category, MINIMUM))
        for category in CATEGORIES:
            if problems[category]:
                text = "; ".join(dict.fromkeys(problems[category]))
                yield Violation(guardrail.logical_id,
                                f"{text}. The {category} content filter must block prompts and responses at "
                                f"{MINIMUM} or HIGH.", category)


RULE = Rule(
    id="AISEC-APP-01",
    prowler_aisf=("AISF-AI-01",),
    aiml_assessment=("BR-05: a guardrail exists; whether applications use it is runtime", "BR-23", "FS-36"),
    title="Guardrail with harmful-content filters",
    layer=Layer.APPLICATION,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM05", "LLM09"),
    passes="The template has an `AWS::Bedrock::Guardrail`, and each guardrail's `ContentPolicyConfig.FiltersConfig` "
           "filters `HATE`, `INSULTS`, `SEXUAL`, `VIOLENCE` and `MISCONDUCT` on input and output at `MEDIUM` or "
           "`HIGH`, enabled, with action `BLOCK`.",
    remediation="Add an `AWS::Bedrock::Guardrail` with content filters for HATE, INSULTS, SEXUAL, VIOLENCE and "
                "MISCONDUCT at MEDIUM (the console default) or HIGH for both prompts and responses, leave "
                "`InputEnabled`/`OutputEnabled` on and the actions at `BLOCK`, and apply the guardrail to every "
                "model call (AISEC-APP-04 checks agents and flows).",
    construct="aisec_constructs.application.Guardrail",
    check=check,
    judges=(GUARDRAIL,),
    scope=Scope.ENVIRONMENT,
    services={Service.BEDROCK},
)
