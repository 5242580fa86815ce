"""AISEC-APP-16: AgentCore gateways inspect requests and responses, fail closed, and hide debug errors.

Each ``AWS::BedrockAgentCore::Gateway`` (names and enums from its cfn-lint schema):

* ``InterceptorConfigurations[].InterceptionPoints`` together cover ``REQUEST`` and ``RESPONSE``
  (``GatewayInterceptionPoint``), so that tool inputs and tool outputs (where indirect prompt injection
  arrives) pass through an interceptor. Detail ``Interceptors``.
* ``WafConfiguration.FailureMode`` is ``FAIL_CLOSE`` when ``WafConfiguration`` is present
  (``WafFailureMode``: ``FAIL_CLOSE`` / ``FAIL_OPEN``; no default in the schema, so an absent failure mode
  under a present ``WafConfiguration`` is reported). Detail ``WafFailureMode``.
* ``ExceptionLevel`` is absent (its only value is ``DEBUG``, which returns detailed errors to callers).
  Detail ``ExceptionLevel``.
"""
from typing import Iterator, List, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING
from ._app import note, possibilities, show, upper


def _interceptors(ctx: Context, gateway) -> List[str]:
    problems: List[str] = []
    for listing in possibilities(ctx, gateway.prop("InterceptorConfigurations")):
        if not listing.known:
            problems.append(f"InterceptorConfigurations cannot be verified at synth time{note(listing.origin)}")
            continue
        covered: Set[str] = set()
        unknown = False
        for item in listing.raw if isinstance(listing.raw, list) else []:
            for config in possibilities(ctx, item, listing.origin):
                if not (config.known and isinstance(config.raw, dict)):
                    unknown = unknown or not config.known
                    continue
                for points in possibilities(ctx, config.raw.get("InterceptionPoints", MISSING), config.origin):
                    if not points.known:
                        unknown = True
                    elif isinstance(points.raw, list):
                        covered.update(p.strip().upper() for p in points.raw if isinstance(p, str))
        missing = [p for p in ("REQUEST", "RESPONSE") if p not in covered]
        if missing:
            state = "cannot be verified at synth time" if unknown else f"do not cover {' and '.join(missing)}"
            problems.append(f"InterceptorConfigurations {state}{note(listing.origin)}")
    return problems


def check(ctx: Context) -> Iterator[Violation]:
    for gateway in ctx.template.of_type("AWS::BedrockAgentCore::Gateway"):
        problems = _interceptors(ctx, gateway)
        if problems:
            yield Violation(gateway.logical_id, "; ".join(dict.fromkeys(problems)) + ". Add Lambda interceptors at "
                            "the REQUEST and RESPONSE interception points to screen tool inputs and tool outputs.",
                            "Interceptors")
        waf: List[str] = []
        for config in possibilities(ctx, gateway.prop("WafConfiguration")):
            if config.known and config.missing:
                continue
            modes = [config] if not config.known else possibilities(
                ctx, config.raw.get("FailureMode", MISSING) if isinstance(config.raw, dict) else MISSING,
                config.origin)
            for mode in modes:
                if not mode.known:
                    waf.append(f"WafConfiguration.FailureMode cannot be verified at synth time{note(mode.origin)}")
                elif mode.missing:
                    waf.append(f"WafConfiguration.FailureMode is not set{note(mode.origin)}")
                elif upper(mode) != "FAIL_CLOSE":
                    waf.append(f"WafConfiguration.FailureMode is {show(mode.raw)}{note(mode.origin)}")
        if waf:
            yield Violation(gateway.logical_id, "; ".join(dict.fromkeys(waf)) + "; must be FAIL_CLOSE, so that "
                            "requests are refused when the web ACL cannot be evaluated.", "WafFailureMode")
        debug: List[str] = []
        for level in possibilities(ctx, gateway.prop("ExceptionLevel")):
            if not level.known:
                debug.append(f"ExceptionLevel cannot be verified at synth time{note(level.origin)}")
            elif not level.missing:
                debug.append(f"ExceptionLevel is {show(level.raw)}{note(level.origin)}")
        if debug:
            yield Violation(gateway.logical_id, "; ".join(dict.fromkeys(debug)) + "; leave it unset in production: "
                            "DEBUG returns internal error details to callers.", "ExceptionLevel")


RULE = Rule(
    id="AISEC-APP-16",
    aiml_assessment=("AG-26",),
    title="Gateway interceptors, WAF fail-closed, no debug errors",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM05", "LLM07", "T6"),
    passes="Each `AWS::BedrockAgentCore::Gateway` has interceptors at `REQUEST` and `RESPONSE`, a "
           "`WafConfiguration.FailureMode` of `FAIL_CLOSE` when WAF is configured, and no `ExceptionLevel`.",
    remediation="Add `InterceptorConfigurations` (Lambda) covering `REQUEST` and `RESPONSE`, set "
                "`WafConfiguration.FailureMode: FAIL_CLOSE`, and remove `ExceptionLevel: DEBUG`.",
    construct="aisec_constructs.application.AgentCoreGateway",
    check=check,
    judges=("AWS::BedrockAgentCore::Gateway",),
)
