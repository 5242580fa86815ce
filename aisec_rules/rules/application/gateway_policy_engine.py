"""AISEC-APP-15: AgentCore gateways authorize every tool call with a Cedar policy engine.

* Each ``AWS::BedrockAgentCore::Gateway`` sets ``PolicyEngineConfiguration`` with ``Arn`` (a reference
  counts) and ``Mode`` (``GatewayPolicyEngineMode``: ``LOG_ONLY`` or ``ENFORCE``). ``LOG_ONLY`` is accepted
  in the Enhanced phase (policies are observed while they are tuned); ``ENFORCE`` is required at Advanced.
  Detail ``PolicyEngine``.
* Each ``AWS::BedrockAgentCore::Policy``: ``EnforcementMode`` (``ACTIVE`` or ``LOG_ONLY``, schema default
  ``ACTIVE``) must be ``ACTIVE`` at Advanced (``LOG_ONLY`` accepted in Enhanced, for the same reason as the
  gateway; the catalog row states ``ACTIVE`` without a phase); ``ValidationMode``
  (``FAIL_ON_ANY_FINDINGS`` or ``IGNORE_ALL_FINDINGS``, no default in the schema) must be
  ``FAIL_ON_ANY_FINDINGS`` so that a policy the Cedar analyzer flags is rejected rather than deployed.
  Details ``EnforcementMode`` and ``ValidationMode``; an absent ``ValidationMode`` is reported (choice:
  explicit, since the default is undocumented).
"""
from typing import Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING
from ._app import note, possibilities, show, upper


def _gateway(ctx: Context, gateway) -> List[str]:
    problems: List[str] = []
    where = "PolicyEngineConfiguration"
    required = "ENFORCE" if ctx.phase >= Phase.ADVANCED else "LOG_ONLY or ENFORCE"
    for config in possibilities(ctx, gateway.prop(where)):
        if not config.known:
            problems.append(f"{where} cannot be verified at synth time{note(config.origin)}")
            continue
        if config.missing or not isinstance(config.raw, dict):
            problems.append(f"{where} is not set{note(config.origin)}, so tool calls are not authorized by Cedar "
                            "policies")
            continue
        for arn in possibilities(ctx, config.raw.get("Arn", MISSING), config.origin):
            if arn.known and (arn.missing or arn.raw == ""):
                problems.append(f"{where}.Arn is not set{note(arn.origin)}")
        for mode in possibilities(ctx, config.raw.get("Mode", MISSING), config.origin):
            value = upper(mode)
            if not mode.known:
                problems.append(f"{where}.Mode cannot be verified at synth time{note(mode.origin)} (must be {required})")
            elif mode.missing:
                problems.append(f"{where}.Mode is not set{note(mode.origin)} (must be {required})")
            elif value != "ENFORCE" and not (value == "LOG_ONLY" and ctx.phase < Phase.ADVANCED):
                problems.append(f"{where}.Mode is {show(mode.raw)}{note(mode.origin)} (must be {required})")
    return problems


def check(ctx: Context) -> Iterator[Violation]:
    for gateway in ctx.template.of_type("AWS::BedrockAgentCore::Gateway"):
        problems = _gateway(ctx, gateway)
        if problems:
            yield Violation(gateway.logical_id, "; ".join(dict.fromkeys(problems)) + ". Attach an AgentCore policy "
                            "engine so that a deterministic Cedar policy, not the model, decides which tools a caller "
                            "may use.", "PolicyEngine")
    for policy in ctx.template.of_type("AWS::BedrockAgentCore::Policy"):
        enforcement = []
        for mode in possibilities(ctx, policy.prop("EnforcementMode")):
            value = "ACTIVE" if mode.known and mode.missing else upper(mode)
            if not mode.known:
                enforcement.append(f"EnforcementMode cannot be verified at synth time{note(mode.origin)}")
            elif value != "ACTIVE" and not (value == "LOG_ONLY" and ctx.phase < Phase.ADVANCED):
                enforcement.append(f"EnforcementMode is {show(mode.raw)}{note(mode.origin)}")
        if enforcement:
            yield Violation(policy.logical_id, "; ".join(dict.fromkeys(enforcement)) + "; must be ACTIVE at the "
                            "Advanced phase, so that the policy's decisions are enforced.", "EnforcementMode")
        validation = []
        for mode in possibilities(ctx, policy.prop("ValidationMode")):
            if not mode.known:
                validation.append(f"ValidationMode cannot be verified at synth time{note(mode.origin)}")
            elif mode.missing:
                validation.append(f"ValidationMode is not set{note(mode.origin)}")
            elif upper(mode) != "FAIL_ON_ANY_FINDINGS":
                validation.append(f"ValidationMode is {show(mode.raw)}{note(mode.origin)}")
        if validation:
            yield Violation(policy.logical_id, "; ".join(dict.fromkeys(validation)) + "; must be FAIL_ON_ANY_FINDINGS, "
                            "so that a policy the Cedar analyzer flags is rejected.", "ValidationMode")


RULE = Rule(
    id="AISEC-APP-15",
    prowler_aisf=(
        "AISF-AGENT-02: a Cedar policy engine enforces on every gateway, not whether its policies are least privilege",
    ),
    aiml_assessment=(
        "AG-24: a policy engine in ENFORCE mode, from Advanced",
        "AG-25: ENFORCE from Advanced; LOG_ONLY passes at Enhanced",
        "FS-08: a policy engine on every gateway, not a runtime authorizer",
    ),
    title="Cedar policy engine on gateways",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM06", "T2", "T3"),
    passes="Each `AWS::BedrockAgentCore::Gateway` has `PolicyEngineConfiguration` with an `Arn` and `Mode` `ENFORCE` "
           "(`LOG_ONLY` accepted at Enhanced); each `AWS::BedrockAgentCore::Policy` is `ACTIVE` (`LOG_ONLY` accepted "
           "at Enhanced) with `ValidationMode: FAIL_ON_ANY_FINDINGS`.",
    remediation="Create an `AWS::BedrockAgentCore::PolicyEngine` with Cedar policies (`ValidationMode: "
                "FAIL_ON_ANY_FINDINGS`) and attach it to the gateway with `Mode: ENFORCE` once the policies are tuned.",
    construct="aisec_constructs.application.AgentCoreGateway (policy engine)",
    check=check,
    judges=("AWS::BedrockAgentCore::Gateway", "AWS::BedrockAgentCore::Policy"),
    tightens=True,
)
