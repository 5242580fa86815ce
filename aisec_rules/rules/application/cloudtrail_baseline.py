"""AISEC-APP-19: a CloudTrail trail records the control plane (who deleted the guardrail, who
turned invocation logging off).

* The template must contain an ``AWS::CloudTrail::Trail``; otherwise one workload finding. Most
  organisations run an organization trail from the management or log-archive account, or a trail
  in a shared stack: acknowledge the finding with a reason naming that trail.
* Every trail in the template is judged, even though one well-configured trail is enough for the
  workload requirement: a second, weaker trail is still a misconfiguration to fix or acknowledge.
  Each needs ``IsLogging`` true (required by the schema), ``IsMultiRegionTrail`` true and
  ``EnableLogFileValidation`` true (the schema documents both defaults as false, so absent fails),
  one finding per property with the property name as detail; from the Enhanced phase on also
  ``KMSKeyId`` (detail ``KMSKeyId``; a ``Ref``/``Fn::GetAtt`` to a key or alias counts as set).
* The trail must record write management events (detail ``ManagementEvents``; added with the
  detection constructs, because a trail built for data events easily loses them): advanced event
  selectors replace basic ones, so ``AdvancedEventSelectors`` needs a selector with
  ``eventCategory`` ``Equals`` ``Management`` that is not narrowed to ``readOnly`` ``true``; basic
  ``EventSelectors`` need one selector with ``IncludeManagementEvents`` not false (default true) and
  ``ReadWriteType`` ``All`` or ``WriteOnly`` (default ``All``). A trail with neither records all
  management events (the CloudTrail default). ``AdvancedEventSelectors`` given as an intrinsic
  cannot be verified (finding); an intrinsic inside or instead of basic ``EventSelectors`` is not
  guessed at (no finding).
"""
from __future__ import annotations

from typing import Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Severity, Violation
from ...read.template import MISSING, is_false
from ..base import expect_set, expect_value

_WHY = {
    "IsLogging": " (a stopped trail records nothing)",
    "IsMultiRegionTrail": " (calls in other Regions, such as a model invoked elsewhere, would go unrecorded)",
    "EnableLogFileValidation": " (digest files prove the log was not altered)",
}


def check(ctx: Context) -> Iterator[Violation]:
    trails = ctx.template.of_type("AWS::CloudTrail::Trail")
    if not trails:
        yield Violation(None,
                        "this environment's stacks have no AWS::CloudTrail::Trail; add a multi-Region trail with log file validation "
                        "(and a KMS key from the Enhanced phase on). If an organization trail or a trail of another app "
                        "covers this account, acknowledge this finding with a reason naming that trail")
        return
    for trail in trails:
        for name, why in _WHY.items():
            default = MISSING if name == "IsLogging" else False  # IsLogging is required: absent is "not set"
            yield from expect_value(ctx, trail, (name,), allowed={True}, default=default, detail=name, why=why)
        if ctx.phase >= Phase.ENHANCED:
            yield from expect_set(ctx, trail, ("KMSKeyId",), detail="KMSKeyId",
                                  why="; encrypt the trail with a KMS key from the Enhanced phase on")
        problem = _management_events_problem(trail)
        if problem:
            yield Violation(trail.logical_id, problem, "ManagementEvents")


def _management_events_problem(trail) -> str:
    """Why the trail records no write management events, or "" when it does (or cannot tell)."""
    advanced = trail.prop("AdvancedEventSelectors")
    if advanced is not MISSING and advanced is not None:
        if not isinstance(advanced, list):
            return ("AdvancedEventSelectors cannot be verified at synth time; it must keep a selector with "
                    "eventCategory Equals Management (advanced selectors replace the default)")
        for selector in advanced:
            fields = selector.get("FieldSelectors") if isinstance(selector, dict) else None
            if not isinstance(fields, list):
                continue
            by_field = {f["Field"]: f for f in fields if isinstance(f, dict) and isinstance(f.get("Field"), str)}
            category = by_field.get("eventCategory", {}).get("Equals")
            read_only = by_field.get("readOnly", {}).get("Equals")
            if isinstance(category, list) and "Management" in category and not (
                    isinstance(read_only, list) and [str(v).lower() for v in read_only] == ["true"]):
                return ""
        return ("AdvancedEventSelectors has no selector with eventCategory Equals Management (not narrowed to "
                "readOnly true); advanced selectors replace the default, so write management events such as "
                "DeleteGuardrail are not recorded")
    basic = trail.prop("EventSelectors")
    if isinstance(basic, list) and basic:
        for selector in basic:
            if not isinstance(selector, dict):
                return ""
            include = selector.get("IncludeManagementEvents", True)
            kind = selector.get("ReadWriteType", "All")
            if not is_false(include) and kind in ("All", "WriteOnly"):
                return ""
            if not isinstance(kind, str) or (not isinstance(include, bool) and not isinstance(include, str)):
                return ""  # an intrinsic: do not guess
        return ("no EventSelectors entry records write management events (IncludeManagementEvents true with "
                "ReadWriteType All or WriteOnly)")
    return ""


RULE = Rule(
    id="AISEC-APP-19",
    prowler_aisf=(
        "AISF-INFRA-05: the trail, with KMS from Enhanced",
        "AISF-DETECT-01: multi-Region, management events, log file validation, KMS",
    ),
    aiml_assessment=("BR-06",),
    title="CloudTrail baseline",
    layer=Layer.APPLICATION,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T8",),
    passes="The template has an `AWS::CloudTrail::Trail`, and every trail sets `IsLogging`, `IsMultiRegionTrail` and "
           "`EnableLogFileValidation` to true, records write management events, plus `KMSKeyId` from the Enhanced "
           "phase on.",
    remediation="Add a trail (CDK `cloudtrail.Trail` with `isMultiRegionTrail: true`, `enableFileValidation: true`, "
                "`encryptionKey`), or acknowledge the finding naming the organization trail that covers the account.",
    construct="aisec_constructs.detection.AuditTrail",
    check=check,
    judges=("AWS::CloudTrail::Trail",),
    scope=Scope.ENVIRONMENT,
    tightens=True,
)
