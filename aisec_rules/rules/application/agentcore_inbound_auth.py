"""AISEC-APP-14: AgentCore gateways and runtimes authenticate their callers.

* ``AWS::BedrockAgentCore::Gateway.AuthorizerType`` is not ``NONE`` (Security Hub
  BedrockAgentCore.2). The schema enum is ``CUSTOM_JWT``, ``AWS_IAM``, ``NONE`` and
  ``AUTHENTICATE_ONLY``. ``AUTHENTICATE_ONLY`` passes at Foundational: the AgentCore guide ("Set up
  inbound authorization for your gateway") lists it with ``NONE`` as an "offloaded" type where the
  gateway makes no authorization decision of its own and leaves it to the target, an attached
  policy engine or an interceptor Lambda; unlike ``NONE`` it still authenticates the caller.
  From Enhanced on (issue 22) it fails, detail ``AuthenticateOnly``: any authenticated identity of
  the provider can then list and call every tool, which a production gateway must not allow; use
  ``AWS_IAM`` or ``CUSTOM_JWT`` so the gateway itself decides who may call it. ``AuthorizerType``
  is required by the schema; an absent one is reported as not set.
* A custom JWT authorizer, on a gateway (``AuthorizerConfiguration.CustomJWTAuthorizer``,
  required when ``AuthorizerType`` is ``CUSTOM_JWT``) or on an ``AWS::BedrockAgentCore::Runtime``
  (``AuthorizerConfiguration.CustomJWTAuthorizer``):

  - ``DiscoveryUrl`` starts with ``https://`` (an ``Fn::Join`` / ``Fn::Sub`` is judged on its
    text, e.g. the Cognito ``https://cognito-idp.${AWS::Region}.amazonaws.com/...`` URL that CDK
    builds; a value that is only a reference cannot be verified);
  - ``AllowedAudience`` or ``AllowedClients`` is non-empty and no entry contains ``*``: without
    them any token the issuer signs, for any application, is accepted. A ``Ref`` / ``Fn::GetAtt``
    item (a Cognito user-pool client id) counts as a specific value; a parameter without default
    or a list that cannot be resolved cannot be verified.

* A runtime without ``AuthorizerConfiguration.CustomJWTAuthorizer`` passes: IAM SigV4 is the
  runtime's default inbound authentication "without additional configuration" (AgentCore guide,
  "Authenticate and authorize with Inbound Auth and Outbound Auth"), so callers need the
  ``bedrock-agentcore:InvokeAgentRuntime`` IAM permission. This settles the catalog row's
  "(unverified)"; who holds that permission is for the AISEC-DATA rules.

Details: ``AuthorizerType`` (type NONE / not set / unverifiable, or CUSTOM_JWT without a JWT
configuration), ``DiscoveryUrl``, ``Audience`` (AllowedAudience and AllowedClients together).

Security Hub mapping (BedrockAgentCore.2, metadata ``security_hub``): the control list of the AI Security Best
Practices v1.0.0 standard, https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html;
definition: https://docs.aws.amazon.com/securityhub/latest/userguide/bedrockagentcore-controls.html#bedrockagentcore-2.
"""
from typing import Any, Iterator, List, Optional, Tuple

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, Value
from ._guardrail import join, note, show

GATEWAY = "AWS::BedrockAgentCore::Gateway"
RUNTIME = "AWS::BedrockAgentCore::Runtime"
JWT_PATH = ("AuthorizerConfiguration", "CustomJWTAuthorizer")


def check(ctx: Context) -> Iterator[Violation]:
    for gateway in ctx.template.of_type(GATEWAY):
        yield from _gateway(ctx, gateway)
    for runtime in ctx.template.of_type(RUNTIME):
        yield from _judge_jwt(ctx, runtime, _jwt_configs(ctx, runtime))


def _gateway(ctx: Context, gateway: Resource) -> Iterator[Violation]:
    problems: List[str] = []
    jwt_needed = False
    jwt_used = False  # the JWT configuration matters unless every possible type is AWS_IAM or NONE
    offloaded: List[str] = []  # AUTHENTICATE_ONLY possibilities, a finding from Enhanced on
    for value in ctx.template.resolve(gateway.prop("AuthorizerType")):
        kind = value.raw.strip().upper() if value.known and isinstance(value.raw, str) else None
        if not value.known:
            problems.append(f"AuthorizerType cannot be verified at synth time{note(value.origin)}")
        elif value.missing:
            problems.append(f"AuthorizerType is not set{note(value.origin)}")
        elif kind is None:
            problems.append(f"AuthorizerType is {show(value.raw)}{note(value.origin)}, not an authorizer type")
        elif kind == "NONE":
            problems.append(f"AuthorizerType is NONE{note(value.origin)}, so anyone who can reach the gateway URL "
                            "can list and call its tools")
        elif kind == "CUSTOM_JWT":
            jwt_needed = True
        elif kind == "AUTHENTICATE_ONLY" and ctx.phase >= Phase.ENHANCED:
            offloaded.append(f"AuthorizerType is AUTHENTICATE_ONLY{note(value.origin)}")
        jwt_used = jwt_used or kind not in ("AWS_IAM", "NONE")
    configs = _jwt_configs(ctx, gateway)
    if jwt_needed and not configs:
        problems.append("AuthorizerType is CUSTOM_JWT but AuthorizerConfiguration.CustomJWTAuthorizer is not set")
    if problems:
        yield Violation(gateway.logical_id, "; ".join(dict.fromkeys(problems))
                        + ". The gateway must authenticate callers: use AWS_IAM, or CUSTOM_JWT with a JWT "
                        "authorizer configuration.", "AuthorizerType")
    if offloaded:
        yield Violation(gateway.logical_id, "; ".join(dict.fromkeys(offloaded))
                        + ": the gateway authenticates callers but authorizes none of them, so any identity of the "
                        "provider can list and call every tool; from the Enhanced phase on use AWS_IAM, or CUSTOM_JWT "
                        "restricted to your application's clients.", "AuthenticateOnly")
    if jwt_used:
        yield from _judge_jwt(ctx, gateway, configs)


def _jwt_configs(ctx: Context, resource: Resource) -> List[Value]:
    """The literal possibilities of ``AuthorizerConfiguration.CustomJWTAuthorizer`` that are present
    (known objects, or unknown values to report)."""
    found: List[Value] = []
    for outer in ctx.template.resolve(resource.prop(JWT_PATH[0])):
        if not outer.known:
            found.append(outer)
            continue
        if not isinstance(outer.raw, dict):
            continue
        for inner in ctx.template.resolve(outer.raw.get(JWT_PATH[1], MISSING)):
            if inner.known and inner.missing:
                continue
            found.append(Value(inner.raw, inner.known, join(outer.origin, inner.origin)))
    return found


def _judge_jwt(ctx: Context, resource: Resource, configs: List[Value]) -> Iterator[Violation]:
    """One finding per detail, merging the problems of every literal possibility (Fn::If branch)."""
    where = "AuthorizerConfiguration.CustomJWTAuthorizer"
    url_problems: List[str] = []
    audience_problems: List[str] = []
    for config in configs:
        if not config.known or not isinstance(config.raw, dict):
            reason = "cannot be verified at synth time" if not config.known else "is not an object the rule can read"
            url_problems.append(f"{where} {reason}{note(config.origin)}; its DiscoveryUrl and audience restrictions "
                                "cannot be confirmed")
            continue
        url_problems.extend(_discovery_url(ctx, config, where))
        audience_problems.extend(_audience(ctx, config, where))
    if url_problems:
        yield Violation(resource.logical_id, "; ".join(dict.fromkeys(url_problems))
                        + ". Tokens must be validated against an issuer whose keys are fetched over TLS "
                        "(an https:// OpenID discovery URL).", "DiscoveryUrl")
    if audience_problems:
        yield Violation(resource.logical_id, "; ".join(dict.fromkeys(audience_problems))
                        + ". Restrict the JWT authorizer to your application: list its audience (AllowedAudience) "
                        "or client ids (AllowedClients), without wildcards.", "Audience")


def _discovery_url(ctx: Context, config: Value, where: str) -> List[str]:
    problems = []
    prop = f"{where}.DiscoveryUrl"
    for value in ctx.template.resolve(config.raw.get("DiscoveryUrl", MISSING)):
        origin = join(config.origin, value.origin)
        if value.known and value.missing:
            problems.append(f"{prop} is not set{note(origin)}")
            continue
        text = value.raw if value.known and isinstance(value.raw, str) else ctx.template.text(value.raw)
        if text is None or (not value.known and not text.lower().startswith("https://")
                            and text.startswith("${")):
            problems.append(f"{prop} cannot be verified at synth time{note(origin)} (must start with https://)")
        elif not text.strip().lower().startswith("https://"):
            problems.append(f"{prop} is {show(text)}{note(origin)} (must start with https://)")
    return problems


def _audience(ctx: Context, config: Value, where: str) -> List[str]:
    """Problems of AllowedAudience / AllowedClients, judged on each combination of their branches."""
    problems: List[str] = []
    audiences = _list_possibilities(ctx, config.raw.get("AllowedAudience", MISSING), config.origin)
    clients = _list_possibilities(ctx, config.raw.get("AllowedClients", MISSING), config.origin)
    for name, options in (("AllowedAudience", audiences), ("AllowedClients", clients)):
        for items, origin, unknown in options:
            prop = f"{where}.{name}"
            if unknown:
                problems.append(f"{prop} cannot be verified at synth time{note(origin)} (must list specific values "
                                "without *)")
                continue
            for item in items or []:
                if not item.known and _is_parameter(ctx, item.raw):
                    problems.append(f"{prop} has an entry that cannot be verified at synth time{note(item.origin)} "
                                    "(must be a specific value, not *)")
                elif item.known and isinstance(item.raw, str) and "*" in item.raw:
                    problems.append(f"{prop} contains {show(item.raw)}{note(item.origin)}, a wildcard (must list "
                                    "specific values)")
    for audience_items, audience_origin, audience_unknown in audiences:
        for client_items, client_origin, client_unknown in clients:
            if audience_unknown or client_unknown:
                continue
            if not _has_entries(audience_items) and not _has_entries(client_items):
                origin = join(audience_origin, client_origin) if audience_origin != client_origin else audience_origin
                problems.append(f"neither {where}.AllowedAudience nor AllowedClients is set{note(origin)}, so any "
                                "token from the issuer is accepted")
    return problems


def _has_entries(items: Optional[List[Value]]) -> bool:
    return items is not None and any(not (i.known and (i.missing or i.raw == "")) for i in items)


def _list_possibilities(ctx: Context, raw: Any, origin: str):
    """(items or None when absent, origin, unknown) per literal possibility of a string-list value.
    A comma-delimited string (a CommaDelimitedList parameter default) is split."""
    result: List[Tuple[Optional[List[Value]], str, bool]] = []
    for value in ctx.template.resolve(raw):
        combined = join(origin, value.origin)
        if not value.known:
            result.append((None, combined, True))
        elif value.missing:
            result.append((None, combined, False))
        elif isinstance(value.raw, str):
            parts = [p.strip() for p in value.raw.split(",")]
            result.append(([Value(p, True, combined) for p in parts if p], combined, False))
        elif isinstance(value.raw, list):
            items: List[Value] = []
            for item in value.raw:
                for possibility in ctx.template.resolve(item):
                    items.append(Value(possibility.raw, possibility.known, join(combined, possibility.origin)))
            result.append((items, combined, False))
        else:
            result.append((None, combined, True))
    return result


def _is_parameter(ctx: Context, raw: Any) -> bool:
    return isinstance(raw, dict) and isinstance(raw.get("Ref"), str) and raw["Ref"] in ctx.template.parameters


RULE = Rule(
    id="AISEC-APP-14",
    security_hub=("BedrockAgentCore.2",),
    aiml_assessment=("AG-24",),
    title="AgentCore inbound authorisation",
    layer=Layer.APPLICATION,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T9",),
    passes="Every `AWS::BedrockAgentCore::Gateway` has an `AuthorizerType` other than `NONE` (from Enhanced, other "
           "than `AUTHENTICATE_ONLY` too), and every custom JWT "
           "authorizer (gateway or runtime) uses an `https://` `DiscoveryUrl` and lists `AllowedAudience` or "
           "`AllowedClients` without wildcards. Runtimes without a JWT authorizer use IAM (SigV4) and pass.",
    remediation="Set the gateway's `AuthorizerType` to `AWS_IAM` or `CUSTOM_JWT`; for `CUSTOM_JWT` (gateway or "
                "runtime) point `DiscoveryUrl` at the https OpenID configuration of your identity provider (e.g. "
                "Cognito) and restrict `AllowedClients` or `AllowedAudience` to your application's client ids.",
    construct="aisec_constructs.application.AgentCoreGateway, AgentCoreRuntime",
    check=check,
    judges=(GATEWAY, RUNTIME),
    tightens=True,
)
