"""AISEC-APP-07: guardrails deny the topics the application must not discuss.

Each ``AWS::Bedrock::Guardrail`` has ``TopicPolicyConfig.TopicsConfig`` with at least one topic of
``Type`` ``DENY`` (the schema's only ``TopicType``) that is in force: not disabled on both sides
(``InputEnabled`` and ``OutputEnabled`` both ``false``) and not ``NONE`` on both sides (``InputAction``
and ``OutputAction``, ``TopicAction`` is ``BLOCK`` or ``NONE``; absent means ``BLOCK``). Choice: which
topics are off-scope is the application's decision, so the rule asks for at least one effective denied
topic, not for particular ones. One finding per guardrail (no detail). A topic list that cannot be
resolved, or a topic whose type cannot be read, is reported as unverifiable.
"""
from typing import Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import is_false
from ._guardrail import GUARDRAIL, by_type, field_values, note, unknown_entry, variant_problem, variants

PATH = ("TopicPolicyConfig", "TopicsConfig")
WHERE = "TopicPolicyConfig.TopicsConfig"


def _effective(ctx: Context, entry) -> bool:
    def side(direction: str) -> bool:
        enabled = field_values(ctx, entry, f"{direction}Enabled")
        action = field_values(ctx, entry, f"{direction}Action")
        off = any(v.known and is_false(v.raw) for v in enabled)
        none = any(v.known and isinstance(v.raw, str) and v.raw.strip().upper() == "NONE" for v in action)
        return not off and not none
    return side("Input") or side("Output")


def check(ctx: Context) -> Iterator[Violation]:
    for guardrail in ctx.template.of_type(GUARDRAIL):
        problems: List[str] = []
        for variant in variants(ctx, guardrail, PATH):
            if variant.state != "list":
                problems.append(variant_problem(variant, "denied topic"))
                continue
            groups = by_type(ctx, variant)
            deny = groups.get("DENY")
            if deny is None:
                untyped = groups.get("*")
                problems.append(f"{WHERE} has no DENY topic that can be verified: "
                                + ", ".join(unknown_entry(ctx, e, WHERE) for e in untyped.untyped)
                                if untyped else f"{WHERE} has no DENY topic{note(variant.origin)}")
            elif not any(_effective(ctx, e) and not e.conditional for e in deny.entries):
                problems.append(f"{WHERE} has no DENY topic that is enabled with action BLOCK in every "
                                f"case{note(variant.origin)}")
        if problems:
            yield Violation(guardrail.logical_id, "; ".join(dict.fromkeys(problems)) + ". Deny the topics your "
                            "application must not advise on (for example investment, legal or medical advice).")


RULE = Rule(
    id="AISEC-APP-07",
    aiml_assessment=("FS-28: a denied topic exists, not that it covers financial advice", "FS-59"),
    title="Denied topics",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.LOW,
    risks=("LLM09",),
    passes="Each `AWS::Bedrock::Guardrail` has `TopicPolicyConfig.TopicsConfig` with at least one `DENY` topic "
           "that is enabled and blocks on input or output.",
    remediation="Add denied topics (`TopicPolicyConfig.TopicsConfig`, `Type: DENY`, with a definition and examples) "
                "for the subjects outside your application's scope.",
    construct="aisec_constructs.application.Guardrail (denied_topics)",
    check=check,
    judges=(GUARDRAIL,),
    services={Service.BEDROCK},
)
