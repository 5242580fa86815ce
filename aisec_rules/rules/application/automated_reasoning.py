"""AISEC-APP-10: guardrails verify factual claims with automated reasoning policies.

Each ``AWS::Bedrock::Guardrail`` sets ``AutomatedReasoningPolicyConfig.Policies`` (a non-empty list of
``AWS::Bedrock::AutomatedReasoningPolicy`` ARNs; a reference counts). One finding per guardrail (no
detail).

Exemption: automated reasoning is not allowed in guardrails that are enforced account- or organization-
wide, so a guardrail referenced by the ``GuardrailIdentifier`` of an
``AWS::Bedrock::EnforcedGuardrailConfiguration`` in the same template is not judged. A guardrail whose
domain has no rules worth formalizing (a small chat assistant) can be acknowledged with that reason.
"""
from typing import Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import MISSING
from ._app import note, possibilities

GUARDRAIL = "AWS::Bedrock::Guardrail"


def check(ctx: Context) -> Iterator[Violation]:
    enforced = {target.logical_id
                for config in ctx.template.of_type("AWS::Bedrock::EnforcedGuardrailConfiguration")
                for target in ctx.template.references(config.prop("GuardrailIdentifier"))}
    for guardrail in ctx.template.of_type(GUARDRAIL):
        if guardrail.logical_id in enforced:
            continue
        problems = []
        for config in possibilities(ctx, guardrail.prop("AutomatedReasoningPolicyConfig")):
            if not config.known:
                continue
            for policies in possibilities(ctx, config.raw.get("Policies", MISSING) if isinstance(config.raw, dict)
                                          else MISSING, config.origin):
                if policies.known and (policies.missing or policies.raw == [] or not isinstance(policies.raw, list)):
                    where = "AutomatedReasoningPolicyConfig" if config.missing else \
                        "AutomatedReasoningPolicyConfig.Policies"
                    problems.append(f"{where} is not set{note(policies.origin)}")
        if problems:
            yield Violation(guardrail.logical_id, "; ".join(dict.fromkeys(problems)) + ". Attach an automated "
                            "reasoning policy (AWS::Bedrock::AutomatedReasoningPolicy) that encodes the rules of your "
                            "domain, so that answers contradicting them are detected.")


RULE = Rule(
    id="AISEC-APP-10",
    prowler_aisf=("AISF-AI-08",),
    aiml_assessment=(
        "BR-24: guardrails not enforced account-wide, which cannot hold automated reasoning",
        "FS-27: guardrails not enforced account-wide",
    ),
    title="Automated reasoning checks",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS},
    severity=Severity.LOW,
    risks=("LLM09",),
    passes="Each `AWS::Bedrock::Guardrail` that is not enforced account-wide lists at least one policy in "
           "`AutomatedReasoningPolicyConfig.Policies`.",
    remediation="Create an `AWS::Bedrock::AutomatedReasoningPolicy` from your domain's rules and list it in the "
                "guardrail's `AutomatedReasoningPolicyConfig.Policies`.",
    construct="aisec_constructs.application.Guardrail (automated_reasoning_policies)",
    check=check,
    judges=(GUARDRAIL,),
    reads=("AWS::Bedrock::EnforcedGuardrailConfiguration",),
    services={Service.BEDROCK},
)
