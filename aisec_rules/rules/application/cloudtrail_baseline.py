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
"""
from __future__ import annotations

from typing import Iterator

from ...engine import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...template import MISSING
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
                        "the template has no AWS::CloudTrail::Trail; add a multi-Region trail with log file validation "
                        "(and a KMS key from the Enhanced phase on). If an organization trail or a trail in another "
                        "stack covers this account, acknowledge this finding with a reason naming that trail")
        return
    for trail in trails:
        for name, why in _WHY.items():
            default = MISSING if name == "IsLogging" else False  # IsLogging is required: absent is "not set"
            yield from expect_value(ctx, trail, (name,), allowed={True}, default=default, detail=name, why=why)
        if ctx.phase >= Phase.ENHANCED:
            yield from expect_set(ctx, trail, ("KMSKeyId",), detail="KMSKeyId",
                                  why="; encrypt the trail with a KMS key from the Enhanced phase on")


RULE = Rule(
    id="AISEC-APP-19",
    title="CloudTrail baseline",
    layer=Layer.APPLICATION,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T8",),
    passes="The template has an `AWS::CloudTrail::Trail`, and every trail sets `IsLogging`, `IsMultiRegionTrail` and "
           "`EnableLogFileValidation` to true, plus `KMSKeyId` from the Enhanced phase on.",
    remediation="Add a trail (CDK `cloudtrail.Trail` with `isMultiRegionTrail: true`, `enableFileValidation: true`, "
                "`encryptionKey`), or acknowledge the finding naming the organization trail that covers the account.",
    construct="aisec_constructs.application (audit baseline, planned)",
    check=check,
)
