"""AISEC-APP-17: APIs that front models authenticate their callers.

An unauthenticated endpoint in an AI stack lets anyone spend the account's model capacity and
reach the data behind it. Judged (names and enums from the cfn-lint schemas):

* ``AWS::ApiGateway::Method.AuthorizationType`` must not be ``NONE``; absent counts as ``NONE``
  (the schema calls it required but does not enforce it). Methods with ``HttpMethod`` ``OPTIONS``
  are skipped: browsers send CORS preflight requests without credentials, so an authorizer on
  them breaks CORS (CDK's ``defaultCorsPreflightOptions`` creates them with ``NONE``).
* ``AWS::ApiGatewayV2::Route.AuthorizationType`` must not be ``NONE`` (absent = ``NONE``), except:
  WebSocket routes other than ``$connect`` (API Gateway authorizes a WebSocket connection only on
  ``$connect``; other routes run on the already authorized connection), and HTTP API routes whose
  key is ``OPTIONS <path>`` (CORS preflight, as above). The protocol comes from the
  ``AWS::ApiGatewayV2::Api`` the route's ``ApiId`` refers to (``ProtocolType``; an API without it
  is an OpenAPI import, which is HTTP). When the API is not in the template, the route key decides:
  ``$connect`` is judged, ``$disconnect`` and plain action names (HTTP keys are ``$default`` or
  ``METHOD /path``) are WebSocket routes and skipped, ``$default`` is judged as HTTP.
* An HTTP ``AWS::ApiGatewayV2::Api`` with ``Target`` set ("quick create") gets a ``$default`` route
  that has no authorization and cannot have one: it fails.
* ``AWS::Lambda::Url.AuthType`` must be ``AWS_IAM`` (enum ``AWS_IAM`` | ``NONE``).
* From the Enhanced phase on: ``AWS::Cognito::UserPool.MfaConfiguration`` must not be ``OFF``
  (enum ``OFF`` | ``ON`` | ``OPTIONAL``; absent = ``OFF``), detail ``MfaConfiguration``.

OpenAPI bodies (``RestApi.Body``, ``Api.Body``) are not inspected.
"""
from __future__ import annotations

from typing import Iterator, List, Optional

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import Resource
from ..base import expect_value

_WHY = " (anyone could invoke the model behind it)"


def check(ctx: Context) -> Iterator[Violation]:
    for method in ctx.template.of_type("AWS::ApiGateway::Method"):
        if "OPTIONS" in _literal_upper(ctx, method.prop("HttpMethod")):
            continue
        yield from expect_value(ctx, method, ("AuthorizationType",), forbidden={"NONE"}, default="NONE", why=_WHY)
    for route in ctx.template.of_type("AWS::ApiGatewayV2::Route"):
        yield from _route(ctx, route)
    for api in ctx.template.of_type("AWS::ApiGatewayV2::Api"):
        if api.prop("Target") and _protocol(ctx, api) != "WEBSOCKET":
            yield Violation(api.logical_id,
                            "Target is set: quick create adds a $default route without authorization; define "
                            "AWS::ApiGatewayV2::Route resources with an AuthorizationType instead")
    for url in ctx.template.of_type("AWS::Lambda::Url"):
        yield from expect_value(ctx, url, ("AuthType",), allowed={"AWS_IAM"}, why=_WHY)
    if ctx.phase >= Phase.ENHANCED:
        for pool in ctx.template.of_type("AWS::Cognito::UserPool"):
            yield from expect_value(ctx, pool, ("MfaConfiguration",), forbidden={"OFF"}, default="OFF",
                                    detail="MfaConfiguration", why=" from the Enhanced phase on (ON or OPTIONAL)")


def _literal_upper(ctx: Context, value) -> List[str]:
    return [v.raw.strip().upper() for v in ctx.template.resolve(value) if v.known and isinstance(v.raw, str)]


def _protocol(ctx: Context, api: Resource) -> Optional[str]:
    """HTTP or WEBSOCKET, or None when the template cannot tell."""
    values = ctx.template.resolve(api.prop("ProtocolType"))
    literals = {("HTTP" if v.missing else str(v.raw).upper()) for v in values if v.known}
    if len(literals) == 1 and all(v.known for v in values):
        return literals.pop()
    return None


def _route(ctx: Context, route: Resource) -> Iterator[Violation]:
    keys = [v.raw.strip() for v in ctx.template.resolve(route.prop("RouteKey")) if v.known and isinstance(v.raw, str)]
    key = keys[0] if len(keys) == 1 else None
    api = ctx.template.target(route.prop("ApiId"))
    protocol = _protocol(ctx, api) if api is not None and api.type == "AWS::ApiGatewayV2::Api" else None
    note = ""
    if protocol is None and key is not None:
        if key == "$connect" or key == "$disconnect" or (" " not in key and key != "$default"):
            protocol = "WEBSOCKET"
        else:
            protocol = "HTTP"
            if key == "$default":
                note = " (the API is not in this template; judged as an HTTP API route)"
    if protocol == "WEBSOCKET" and key != "$connect":
        return  # authorization applies to $connect only
    if protocol == "HTTP" and key is not None and key.upper().startswith("OPTIONS "):
        return  # CORS preflight
    yield from expect_value(ctx, route, ("AuthorizationType",), forbidden={"NONE"}, default="NONE", why=_WHY + note)


RULE = Rule(
    id="AISEC-APP-17",
    prowler_aisf=(
        "AISF-IAM-01: Cognito user pool MFA, ON or OPTIONAL, from Enhanced",
        "AISF-IAM-07: MFA, ON or OPTIONAL, from Enhanced",
        "AISF-IAM-08: the methods and routes a template declares; OpenAPI bodies are not inspected",
        "AISF-RUNTIME-03: function URLs use AWS_IAM",
    ),
    title="APIs fronting models authenticate users",
    layer=Layer.APPLICATION,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM10",),
    passes="Every API Gateway method (except CORS `OPTIONS`) and route (WebSocket: `$connect`) has an "
           "`AuthorizationType` other than `NONE`, Lambda function URLs use `AWS_IAM`, and from the Enhanced phase "
           "on Cognito user pools set `MfaConfiguration` to `ON` or `OPTIONAL`.",
    remediation="Attach a Cognito, JWT, Lambda or IAM authorizer to every method and route, set function URLs to "
                "`AWS_IAM` (behind CloudFront with origin access control if browsers call them), and turn on MFA in "
                "the user pool.",
    construct="aisec_constructs.application.SecureApi",
    check=check,
    judges=("AWS::ApiGateway::Method", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Api", "AWS::Lambda::Url"),
    reads=("AWS::Cognito::UserPool",),
    tightens=True,
)
