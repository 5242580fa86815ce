"""AISEC-DATA-19: AgentCore gateways reach their tools without static credentials.

Every ``AWS::BedrockAgentCore::GatewayTarget`` ``CredentialProviderConfigurations[].CredentialProviderType``
(schema enum: ``GATEWAY_IAM_ROLE``, ``OAUTH``, ``API_KEY``, ``CALLER_IAM_CREDENTIALS``,
``JWT_PASSTHROUGH``) must be ``GATEWAY_IAM_ROLE``, ``OAUTH`` or ``CALLER_IAM_CREDENTIALS``.
``API_KEY`` passes only with ``CredentialProvider.ApiKeyCredentialProvider.ProviderArn`` set (the key is
kept in the AgentCore token vault by an ``AWS::BedrockAgentCore::ApiKeyCredentialProvider``, not in the
target). ``OAUTH`` needs ``CredentialProvider.OauthCredentialProvider.ProviderArn`` (the schema requires
it; checked so that a missing provider is named).

Choices: ``JWT_PASSTHROUGH`` (newer than the catalog row) forwards the caller's inbound token to the
tool; the MCP authorization specification forbids such token passthrough (the tool cannot tell the
token was meant for the gateway, and one stolen token opens every tool), so it fails, acknowledgeable
with a reason. A target without ``CredentialProviderConfigurations`` is not judged (Lambda and
Smithy targets default to the gateway's role). One finding per offending type (detail = the type).
"""
from __future__ import annotations

from typing import Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, as_list, dig
from ..base import per_resource
from .model_scoped_invocation import detail_text

ALLOWED = {"GATEWAY_IAM_ROLE", "OAUTH", "CALLER_IAM_CREDENTIALS"}
_PROVIDER = {"API_KEY": "ApiKeyCredentialProvider", "OAUTH": "OauthCredentialProvider"}


def _provider_arn(ctx: Context, item: dict, kind: str) -> bool:
    arn = dig(item, "CredentialProvider", kind, "ProviderArn")
    return any(not v.missing and v.raw != "" for v in ctx.template.resolve(arn))


@per_resource("AWS::BedrockAgentCore::GatewayTarget")
def check(ctx: Context, target: Resource) -> Iterator[Violation]:
    for configs in ctx.template.resolve(target.prop("CredentialProviderConfigurations")):
        if not configs.known:
            yield Violation(target.logical_id, "CredentialProviderConfigurations cannot be verified at synth time"
                                               f"{configs.note()}; use GATEWAY_IAM_ROLE, OAUTH or CALLER_IAM_CREDENTIALS",
                            "CredentialProviderConfigurations")
            continue
        for index, raw in enumerate(as_list(configs.raw)):
            for item in ctx.template.resolve(raw):
                if not (item.known and isinstance(item.raw, dict)):
                    continue
                where = f"CredentialProviderConfigurations[{index}]"
                for kind in ctx.template.resolve(item.raw.get("CredentialProviderType", MISSING)):
                    note = kind.note() or item.note() or configs.note()
                    if not kind.known:
                        yield Violation(target.logical_id, f"{where}.CredentialProviderType cannot be verified at "
                                                           f"synth time{note}; must be one of {', '.join(sorted(ALLOWED))}",
                                        "CredentialProviderType")
                    elif not isinstance(kind.raw, str):
                        yield Violation(target.logical_id, f"{where}.CredentialProviderType is not set to a type{note}; "
                                                           f"must be one of {', '.join(sorted(ALLOWED))}",
                                        "CredentialProviderType")
                    elif kind.raw in _PROVIDER and not _provider_arn(ctx, item.raw, _PROVIDER[kind.raw]):
                        yield Violation(target.logical_id,
                                        f"{where}.CredentialProviderType is {kind.raw}{note} without "
                                        f"CredentialProvider.{_PROVIDER[kind.raw]}.ProviderArn; keep the credential in "
                                        "an AgentCore Identity credential provider, never in the target", kind.raw)
                    elif kind.raw == "JWT_PASSTHROUGH":
                        yield Violation(target.logical_id,
                                        f"{where}.CredentialProviderType is JWT_PASSTHROUGH{note}: the caller's token is "
                                        "forwarded to the tool (token passthrough, forbidden by the MCP authorization "
                                        "specification); use OAUTH or GATEWAY_IAM_ROLE", kind.raw)
                    elif kind.raw not in ALLOWED and kind.raw not in _PROVIDER:
                        yield Violation(target.logical_id, f"{where}.CredentialProviderType is {kind.raw}{note}; must be "
                                                           f"one of {', '.join(sorted(ALLOWED))}", detail_text(str(kind.raw)))


RULE = Rule(
    id="AISEC-DATA-19",
    title="Gateway targets use no static credentials",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T3", "T9"),
    passes="Every `AWS::BedrockAgentCore::GatewayTarget` credential provider is `GATEWAY_IAM_ROLE`, "
           "`CALLER_IAM_CREDENTIALS`, `OAUTH` (with an OAuth provider ARN) or `API_KEY` with an "
           "`ApiKeyCredentialProvider.ProviderArn`; never `JWT_PASSTHROUGH`.",
    remediation="Use the gateway's IAM role for AWS targets and an AgentCore Identity OAuth2 or API-key credential "
                "provider (`AWS::BedrockAgentCore::OAuth2CredentialProvider` / `ApiKeyCredentialProvider`) for "
                "third-party tools.",
    construct="the AgentCore gateway constructs of the application layer",
    check=check,
)
