"""AISEC-APP-08: guardrails use the Standard content-filter tier, which detects prompt leakage.

Each ``AWS::Bedrock::Guardrail`` sets ``ContentPolicyConfig.ContentFiltersTierConfig.TierName`` to
``STANDARD`` (``ContentFiltersTierName`` is ``CLASSIC`` or ``STANDARD``; absent means ``CLASSIC``), and,
because the Standard tier runs through cross-Region inference, ``CrossRegionConfig.GuardrailProfileArn``
(the schema definition ``GuardrailCrossRegionConfig``; a reference or a literal ``guardrail-profile`` ARN
counts). The prompt-attack filter itself is AISEC-APP-02. One finding per guardrail (no detail), listing
every problem; each ``Fn::If`` branch is judged.
"""
from typing import Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import MISSING
from ._app import note, possibilities, show, upper

GUARDRAIL = "AWS::Bedrock::Guardrail"


def check(ctx: Context) -> Iterator[Violation]:
    for guardrail in ctx.template.of_type(GUARDRAIL):
        problems: List[str] = []
        for policy in possibilities(ctx, guardrail.prop("ContentPolicyConfig")):
            tiers = [policy] if not policy.known else possibilities(
                ctx, policy.raw.get("ContentFiltersTierConfig") if isinstance(policy.raw, dict) else MISSING,
                policy.origin)
            for tier in tiers:
                names = [tier] if not tier.known else possibilities(
                    ctx, tier.raw.get("TierName") if isinstance(tier.raw, dict) else MISSING, tier.origin)
                for name in names:
                    where = "ContentPolicyConfig.ContentFiltersTierConfig.TierName"
                    if not name.known:
                        problems.append(f"{where} cannot be verified at synth time{note(name.origin)}")
                    elif name.missing:
                        problems.append(f"{where} is not set (defaults to CLASSIC){note(name.origin)}")
                    elif upper(name) != "STANDARD":
                        problems.append(f"{where} is {show(name.raw)}{note(name.origin)}")
        for region in possibilities(ctx, guardrail.prop("CrossRegionConfig")):
            arns = [region] if not region.known else possibilities(
                ctx, region.raw.get("GuardrailProfileArn") if isinstance(region.raw, dict) else MISSING,
                region.origin)
            for arn in arns:
                if arn.known and (arn.missing or arn.raw == ""):
                    problems.append(f"CrossRegionConfig.GuardrailProfileArn is not set{note(arn.origin)}, which the "
                                    "STANDARD tier requires")
        if problems:
            yield Violation(guardrail.logical_id, "; ".join(dict.fromkeys(problems)) + ". Use the STANDARD content "
                            "filter tier (with a guardrail profile in CrossRegionConfig): only it detects attempts "
                            "to extract the system prompt.")


RULE = Rule(
    id="AISEC-APP-08",
    aiml_assessment=("BR-16", "FS-51: the STANDARD tier"),
    title="Prompt-leakage detection",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM07",),
    passes="Each `AWS::Bedrock::Guardrail` sets `ContentPolicyConfig.ContentFiltersTierConfig.TierName: STANDARD` "
           "and `CrossRegionConfig.GuardrailProfileArn`.",
    remediation="Set the content filter tier to `STANDARD` and give the guardrail profile of your geography "
                "(`arn:aws:bedrock:<region>:<account>:guardrail-profile/us.guardrail.v1:0` and the like) in "
                "`CrossRegionConfig`.",
    construct="aisec_constructs.application.Guardrail",
    check=check,
    judges=(GUARDRAIL,),
    services={Service.BEDROCK},
)
