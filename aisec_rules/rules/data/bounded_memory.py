"""AISEC-DATA-20: agent memory and sessions expire.

Long-lived memory keeps poisoned content (an injected instruction remembered across sessions) and
personal data; endless sessions run up cost. Judged (cfn-lint schemas), one granular finding per
property (detail = the property name):

* ``AWS::BedrockAgentCore::Memory.EventExpiryDuration`` (days; schema: required, 3 to 365) must be at
  most ``MAX_MEMORY_DAYS`` (30);
* ``AWS::Bedrock::Agent.MemoryConfiguration.StorageDays`` (days) at most ``MAX_MEMORY_DAYS`` when a
  ``MemoryConfiguration`` is present (absent: the agent keeps no memory across sessions);
* ``AWS::Bedrock::Agent.IdleSessionTTLInSeconds`` (schema: 60 to 5400) at most
  ``MAX_IDLE_SESSION_SECONDS`` (1800: thirty minutes); absent uses the service default and passes;
* ``AWS::BedrockAgentCore::Runtime.LifecycleConfiguration.IdleRuntimeSessionTimeout`` and ``MaxLifetime``
  (seconds, 60 to 1209600) must be set explicitly (the catalog row: the service defaults are not
  visible in the template).

The limits are the catalog's "policy max" made concrete; a workload with a longer justified retention
acknowledges the finding with its reason. Numbers may be strings in templates ("30").
"""
from __future__ import annotations

from typing import Any, Iterator, Optional, Tuple

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource
from ..base import expect_set, path_text, per_resource

MAX_MEMORY_DAYS = 30
MAX_IDLE_SESSION_SECONDS = 1800


def _number(raw: Any) -> Optional[float]:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip())
        except ValueError:
            return None
    return None


def _at_most(ctx: Context, resource: Resource, path: Tuple[Any, ...], limit: int, unit: str, *,
             required: bool) -> Iterator[Violation]:
    detail = str(path[-1])
    where = path_text(path)
    for value in ctx.template.resolve(resource.prop(*path)):
        if not value.known:
            yield Violation(resource.logical_id, f"{where} cannot be verified at synth time{value.note()}; must be at "
                                                 f"most {limit} {unit}", detail)
        elif value.missing:
            if required:
                yield Violation(resource.logical_id, f"{where} is not set{value.note()}; must be at most {limit} {unit}",
                                detail)
        else:
            number = _number(value.raw)
            if number is None:
                yield Violation(resource.logical_id, f"{where} is not a number{value.note()}; must be at most "
                                                     f"{limit} {unit}", detail)
            elif number > limit:
                shown = int(number) if number.is_integer() else number
                yield Violation(resource.logical_id, f"{where} is {shown} {unit}{value.note()}; must be at most {limit} "
                                                     f"{unit} (poisoned or personal content must not persist)", detail)


@per_resource("AWS::BedrockAgentCore::Memory", "AWS::Bedrock::Agent", "AWS::BedrockAgentCore::Runtime")
def check(ctx: Context, resource: Resource) -> Iterator[Violation]:
    if resource.type == "AWS::BedrockAgentCore::Memory":
        yield from _at_most(ctx, resource, ("EventExpiryDuration",), MAX_MEMORY_DAYS, "days", required=True)
    elif resource.type == "AWS::Bedrock::Agent":
        if resource.prop("MemoryConfiguration") is not MISSING:
            yield from _at_most(ctx, resource, ("MemoryConfiguration", "StorageDays"), MAX_MEMORY_DAYS, "days",
                                required=False)
        yield from _at_most(ctx, resource, ("IdleSessionTTLInSeconds",), MAX_IDLE_SESSION_SECONDS, "seconds",
                            required=False)
    else:
        for name in ("IdleRuntimeSessionTimeout", "MaxLifetime"):
            yield from expect_set(ctx, resource, ("LifecycleConfiguration", name), detail=name,
                                  why="; set it so that runtime sessions end (seconds)")


RULE = Rule(
    id="AISEC-DATA-20",
    aiml_assessment=("BR-29",),
    title="Bounded agent memory and sessions",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T1", "T4", "LLM02"),
    passes=f"`AWS::BedrockAgentCore::Memory.EventExpiryDuration` and `Agent.MemoryConfiguration.StorageDays` are at "
           f"most {MAX_MEMORY_DAYS} days, `Agent.IdleSessionTTLInSeconds` at most {MAX_IDLE_SESSION_SECONDS} s, and "
           "`Runtime.LifecycleConfiguration` sets `IdleRuntimeSessionTimeout` and `MaxLifetime`.",
    remediation="Keep agent memory for at most 30 days, end idle agent sessions within 30 minutes and set the AgentCore "
                "runtime lifecycle timeouts explicitly.",
    construct="aisec_constructs.application.Agent (and the AgentCore constructs of the application layer)",
    check=check,
)
