"""AISEC-INF-11: requests to an AI workload's APIs and AgentCore gateways are throttled.

Every model call costs money, so an unthrottled entry point is a denial-of-wallet path.

* ``AWS::ApiGateway::Stage`` (REST): throttled when a ``MethodSettings`` item sets
  ``ThrottlingRateLimit`` or ``ThrottlingBurstLimit`` (stage-wide limits, the most direct
  control), or an ``AWS::ApiGateway::UsagePlan`` whose ``ApiStages`` names this stage (``ApiId``
  refers to the stage's REST API, ``Stage`` is its name or a ``Ref`` to it) sets
  ``Throttle.RateLimit`` / ``BurstLimit`` (plan-wide or per stage; note that usage-plan limits
  apply per API key), or a WAF web ACL of this template with a rate-based rule covers the stage.
* ``AWS::ApiGatewayV2::Stage`` (HTTP and WebSocket APIs, which WAF cannot protect):
  ``DefaultRouteSettings.ThrottlingRateLimit`` or ``ThrottlingBurstLimit`` is set.
* ``AWS::BedrockAgentCore::Gateway``: an ``AWS::BedrockAgentCore::GatewayRateLimit`` whose
  ``GatewayIdentifier`` refers to the gateway has an ``Entries[]`` item with ``Requests`` or
  ``Tokens`` (schema: ``Entries[].Requests/Tokens/Connections``, each a ``Rate`` per ``Period``).

* Agent tool functions (issue 22; the functions of :mod:`._tools`: action groups, gateway Lambda
  targets, data source transformations) set ``ReservedConcurrentExecutions``, detail ``ToolConcurrency``:
  a model can call a tool in a loop, and without a reserved bound one agent can take the account's whole
  Lambda concurrency (and every function's) with it. A value the template cannot resolve counts as set;
  ``Fn::If`` branches are judged each, ``AWS::NoValue`` is not set. A tool outside the template cannot be
  verified: the finding is on the referring resource and says so.

Load balancers, AppSync APIs and user pools are throttled by the WAF rate-based rule that
AISEC-INF-10 requires; they are not reported twice. A limit set to a value the template cannot
resolve counts as set.
"""
from typing import Any, Iterator, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, as_list
from . import _entry, _tools

THROTTLES = ("ThrottlingRateLimit", "ThrottlingBurstLimit")


def _set(ctx: Context, value: Any) -> bool:
    return any(not v.known or not v.missing for v in ctx.template.resolve(value)) if value is not MISSING else False


def _method_throttled(ctx: Context, stage: Resource) -> bool:
    settings = stage.prop("MethodSettings")
    return any(isinstance(s, dict) and any(_set(ctx, s.get(k, MISSING)) for k in THROTTLES)
               for s in (settings if isinstance(settings, list) else []))


def _plan_throttled(ctx: Context, plan: Resource) -> bool:
    throttle = plan.prop("Throttle")
    return isinstance(throttle, dict) and any(_set(ctx, throttle.get(k, MISSING)) for k in ("RateLimit", "BurstLimit"))


def _usage_plan_throttled(ctx: Context, stage: Resource) -> bool:
    template = ctx.template
    api = template.target(stage.prop("RestApiId"))
    name = _entry.stage_name(template, stage)
    for plan in template.of_type("AWS::ApiGateway::UsagePlan"):
        for item in as_list(plan.prop("ApiStages")):
            if not isinstance(item, dict):
                continue
            item_api = template.target(item.get("ApiId", MISSING))
            if api is None or item_api is None or item_api.logical_id != api.logical_id:
                continue
            item_stage = item.get("Stage", MISSING)
            target = template.target(item_stage)
            if not ((target is not None and target.logical_id == stage.logical_id) or
                    (name is not None and template.text(item_stage) == name)):
                continue
            per_stage = item.get("Throttle")
            if _plan_throttled(ctx, plan) or (isinstance(per_stage, dict) and per_stage):
                return True
    return False


def _waf_throttled(ctx: Context, stage: Resource) -> bool:
    for value in _entry.web_acls_of(ctx.template, stage):
        acl = _entry.web_acl_resource(ctx.template, value)
        if acl is not None and _entry.rate_limited(ctx.template, acl):
            return True
    return False


def _limited_gateways(ctx: Context) -> Set[str]:
    result = set()
    for limit in ctx.template.of_type("AWS::BedrockAgentCore::GatewayRateLimit"):
        gateway = ctx.template.target(limit.prop("GatewayIdentifier"))
        entries = limit.prop("Entries")
        if gateway is not None and any(isinstance(e, dict) and (e.get("Requests") or e.get("Tokens"))
                                       for e in (entries if isinstance(entries, list) else [])):
            result.add(gateway.logical_id)
    return result


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    for stage in template.of_type("AWS::ApiGateway::Stage"):
        if not (_method_throttled(ctx, stage) or _usage_plan_throttled(ctx, stage) or _waf_throttled(ctx, stage)):
            yield Violation(stage.logical_id,
                            "the REST API stage is not throttled: no MethodSettings ThrottlingRateLimit/"
                            "ThrottlingBurstLimit, no UsagePlan Throttle for this stage and no WAF rate-based rule; "
                            "unthrottled model calls are a denial-of-wallet path")
    for stage in template.of_type("AWS::ApiGatewayV2::Stage"):
        defaults = stage.prop("DefaultRouteSettings")
        if not (isinstance(defaults, dict) and any(_set(ctx, defaults.get(k, MISSING)) for k in THROTTLES)):
            yield Violation(stage.logical_id,
                            "DefaultRouteSettings.ThrottlingRateLimit / ThrottlingBurstLimit is not set; HTTP and "
                            "WebSocket APIs cannot use WAF, so the stage must throttle requests itself")
    limited = _limited_gateways(ctx)
    for gateway in template.of_type("AWS::BedrockAgentCore::Gateway"):
        if gateway.logical_id not in limited:
            yield Violation(gateway.logical_id,
                            "no AWS::BedrockAgentCore::GatewayRateLimit with Entries[].Requests or Tokens refers to this "
                            "gateway (GatewayIdentifier); agents and clients can call tools without a rate limit")
    yield from _tool_concurrency(ctx)


def _tool_concurrency(ctx: Context) -> Iterator[Violation]:
    tools = _tools.grouped(ctx.template)
    functions, users, external = tools.functions, tools.users, tools.external
    for logical_id in sorted(functions):
        unset = [v.note() for v in ctx.template.resolve(functions[logical_id].prop("ReservedConcurrentExecutions"))
                 if v.missing]
        if unset:
            yield Violation(logical_id,
                            f"ReservedConcurrentExecutions is not set{unset[0]}; the function is a tool "
                            f"({', '.join(users[logical_id])}) that a model can call in a loop: reserve a bounded "
                            "concurrency so one agent cannot take the account's Lambda concurrency", "ToolConcurrency")
    for logical_id in sorted(external):
        yield Violation(logical_id,
                        f"{'; '.join(external[logical_id])}: the tool function is outside this template, so its "
                        "ReservedConcurrentExecutions cannot be verified; if it reserves a bounded concurrency, "
                        "acknowledge this finding with that reason", "ToolConcurrency")


RULE = Rule(
    id="AISEC-INF-11",
    aiml_assessment=(
        "FS-02: every REST and HTTP API stage is throttled; a usage plan without limits passes when the stage is throttled "
        "otherwise",
        "FS-09: reserved concurrency of agent tool functions; the check picks functions by name",
    ),
    title="Request throttling",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM10", "T4"),
    passes="REST API stages are throttled (stage `MethodSettings`, a `UsagePlan` `Throttle` or a WAF rate-based "
           "rule), HTTP API stages set `DefaultRouteSettings` throttling, and each AgentCore gateway has a "
           "`GatewayRateLimit` with request or token entries, and agent tool functions set "
           "`ReservedConcurrentExecutions`.",
    remediation="Set stage throttling (`ThrottlingRateLimit`, `ThrottlingBurstLimit`) sized to the model budget, "
                "add an `AWS::BedrockAgentCore::GatewayRateLimit` per gateway, and reserve a bounded concurrency for "
                "each tool function.",
    construct="aisec_constructs.application.SecureApi (stage throttling and a WAF rate rule), AgentCoreGateway (rate limit), PrivateToolFunction (reserved concurrency, 10 by default)",
    check=check,
    judges=("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage", "AWS::BedrockAgentCore::Gateway", *_tools.HOLDERS),
    reads=("AWS::ApiGateway::RestApi", "AWS::ApiGateway::UsagePlan", *_entry.WAF, "AWS::BedrockAgentCore::GatewayRateLimit",
           *_tools.FUNCTIONS),
)
