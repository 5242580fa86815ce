"""AISEC-APP-23: GuardDuty watches the AI workload, and its findings reach a responder.

GuardDuty AI Protection detects LLMjacking, anomalous model invocation and prompt-injection
attempts; a finding nobody receives protects nothing, so the rule also asks for the EventBridge
wiring that routes findings to a target.

* Detector: the template must contain an ``AWS::GuardDuty::Detector``; otherwise one workload
  finding (resource None, no detail). A detector is an account/Region singleton, often managed by
  a delegated administrator: acknowledge ``AISEC-APP-23`` naming where it lives.
* Each detector in the template: ``Enable`` true (detail ``Enable``), and
  ``Features[Name=X].Status`` ``ENABLED`` (detail ``X``) for ``AI_PROTECTION`` always,
  ``S3_DATA_EVENTS`` when the workload connects to data (its corpus lives in S3: exfiltration and
  poisoning show as S3 findings; a choice beyond the catalog row), and ``LAMBDA_NETWORK_LOGS`` plus
  ``RUNTIME_MONITORING`` when it acts (tool Lambdas and agent compute). Feature names checked
  against the cfn-lint schema of ``AWS::GuardDuty::Detector`` (``CFNFeatureConfiguration.Name``
  enum: ``AI_PROTECTION`` exists under that name). A feature absent from ``Features`` fails: the
  template must say it is on. A detector that still uses the legacy ``DataSources`` block without
  ``Features`` is judged by ``Features`` alone (``DataSources`` has no AI protection).
* Response: at least one ``AWS::Events::Rule`` whose ``EventPattern.source`` contains
  ``aws.guardduty`` or ``aws.securityhub`` (Security Hub aggregates GuardDuty findings), with a
  non-empty ``Targets`` list, ``State`` not ``DISABLED``, on the default event bus (findings are
  delivered there; a rule on a custom bus never sees them). ``EventPattern`` may be an object or
  a JSON string. Missing: a workload finding with detail ``Response`` (separate from the detector
  finding, so each can be acknowledged on its own, e.g. when a central security account routes
  findings).
"""
from __future__ import annotations

import json
from typing import Any, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Severity, Violation
from ...read.template import Resource, as_list, is_intrinsic
from ..base import expect_value

SOURCES = ("aws.guardduty", "aws.securityhub")


def required_features(ctx: Context) -> List[str]:
    features = ["AI_PROTECTION"]
    if Capability.CONNECTS in ctx.capabilities:
        features.append("S3_DATA_EVENTS")
    if Capability.ACTS in ctx.capabilities:
        features += ["LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING"]
    return features


def _feature_status(ctx: Context, detector: Resource, name: str) -> Iterator[Violation]:
    features = detector.prop("Features")
    if not isinstance(features, list):
        if is_intrinsic(features):
            yield Violation(detector.logical_id, f"Features cannot be verified at synth time; {name} must be ENABLED", name)
        else:
            yield Violation(detector.logical_id, f"Features has no {name} entry; add {{Name: {name}, Status: ENABLED}}", name)
        return
    entries = [f for f in features if isinstance(f, dict) and f.get("Name") == name]
    if not entries:
        yield Violation(detector.logical_id, f"Features has no {name} entry; add {{Name: {name}, Status: ENABLED}}", name)
        return
    for entry in entries:
        for value in ctx.template.resolve(entry.get("Status")):
            if not value.known:
                yield Violation(detector.logical_id,
                                f"Features[{name}].Status cannot be verified at synth time{value.note()}; must be ENABLED", name)
            elif value.raw != "ENABLED":
                shown = "not set" if value.missing else f"is {value.raw}"
                yield Violation(detector.logical_id, f"Features[{name}].Status {shown}{value.note()}; must be ENABLED", name)


def _pattern(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return None
    return raw


def is_response_rule(ctx: Context, rule: Resource) -> bool:
    """An enabled rule on the default bus that matches GuardDuty or Security Hub events and has targets."""
    pattern = _pattern(rule.prop("EventPattern"))
    if not isinstance(pattern, dict):
        return False
    sources = {s for s in as_list(pattern.get("source")) if isinstance(s, str)}
    if not sources & set(SOURCES):
        return False
    state = rule.prop("State")
    if isinstance(state, str) and state.upper() in ("DISABLED",):
        return False
    bus = ctx.template.text(rule.prop("EventBusName"))
    if bus is not None and bus not in ("default",) and not bus.endswith(":event-bus/default"):
        return False
    targets = rule.prop("Targets")
    return isinstance(targets, list) and len(targets) > 0


def check(ctx: Context) -> Iterator[Violation]:
    detectors = ctx.template.of_type("AWS::GuardDuty::Detector")
    if not detectors:
        yield Violation(None,
                        "this environment's stacks have no AWS::GuardDuty::Detector; enable GuardDuty with AI Protection "
                        "(aisec_constructs.detection.ThreatDetection). A detector is an account/Region singleton: if "
                        "one exists (or a delegated administrator manages it), acknowledge AISEC-APP-23 with a reason "
                        "naming where it lives and that its features include " + ", ".join(required_features(ctx)))
    for detector in detectors:
        yield from expect_value(ctx, detector, ("Enable",), allowed={True}, detail="Enable",
                                why=" (a disabled detector produces no findings)")
        for name in required_features(ctx):
            yield from _feature_status(ctx, detector, name)
    if not any(is_response_rule(ctx, rule) for rule in ctx.template.of_type("AWS::Events::Rule")):
        yield Violation(None,
                        "no enabled AWS::Events::Rule on the default bus routes aws.guardduty or aws.securityhub findings to "
                        "a target; add one (aisec_constructs.detection.IncidentResponse). If a central security account "
                        "routes them, acknowledge AISEC-APP-23[Response] naming it", "Response")


RULE = Rule(
    id="AISEC-APP-23",
    prowler_aisf=(
        "AISF-DETECT-02: an enabled detector with S3, Lambda and runtime protection where the workload needs them, not EKS, "
        "RDS or malware protection",
        "AISF-DETECT-07",
    ),
    aiml_assessment=("SM-04",),
    title="AI threat detection wired to response",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM10",),
    passes="A GuardDuty detector is enabled with `AI_PROTECTION` (plus `S3_DATA_EVENTS` when connecting to data, "
           "`LAMBDA_NETWORK_LOGS` and `RUNTIME_MONITORING` when acting), and an enabled EventBridge rule routes "
           "`aws.guardduty` or `aws.securityhub` findings to a target.",
    remediation="Add `aisec_constructs.detection.ThreatDetection` and `IncidentResponse`, or acknowledge the findings "
                "naming the account-level detector and the central finding route.",
    construct="aisec_constructs.detection.ThreatDetection, IncidentResponse",
    check=check,
    judges=("AWS::GuardDuty::Detector",),
    reads=("AWS::Events::Rule",),
    scope=Scope.ENVIRONMENT,
)
