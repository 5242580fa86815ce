"""AISEC-DATA-16: symmetric KMS keys of an AI workload rotate automatically.

Scope: every ``AWS::KMS::Key`` of a template the rule applies to whose ``KeySpec`` is absent or
``SYMMETRIC_DEFAULT`` (the only keys KMS can rotate automatically; schema of ``EnableKeyRotation``).
Keys with ``Origin: EXTERNAL`` (imported key material, rotated by hand) are not judged either. The
catalog row says "referenced by an AI resource"; following a key through grants, aliases and
imports is unreliable, and a key in an AI stack is presumed to protect AI data, so every such key
is judged.

Pass: ``EnableKeyRotation`` is true (boolean or "true"); absent means false (schema). Each
``Fn::If`` branch and parameter default is judged; an unresolvable value is reported.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity
from ...read.template import Resource
from ..base import expect_value, per_resource


def _judged(ctx: Context, key: Resource) -> bool:
    specs = ctx.template.resolve(key.prop("KeySpec"))
    origins = ctx.template.resolve(key.prop("Origin"))
    symmetric = any(v.missing or not v.known or v.raw == "SYMMETRIC_DEFAULT" for v in specs)
    imported = all(v.known and v.raw == "EXTERNAL" for v in origins)
    return symmetric and not imported


@per_resource("AWS::KMS::Key")
def check(ctx: Context, key: Resource):
    if _judged(ctx, key):
        yield from expect_value(ctx, key, ("EnableKeyRotation",), allowed={True}, default=False,
                                why=" (automatic yearly rotation of the key material)")


RULE = Rule(
    id="AISEC-DATA-16",
    prowler_aisf=("AISF-INFRA-07: key rotation",),
    title="KMS keys rotate",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.LOW,
    risks=(),
    passes="Every symmetric `AWS::KMS::Key` (`KeySpec` absent or `SYMMETRIC_DEFAULT`, `Origin` not `EXTERNAL`) sets "
           "`EnableKeyRotation: true`.",
    remediation="Set `enableKeyRotation: true` (CDK) / `EnableKeyRotation: true`; "
                "`aisec_constructs.data.EncryptionKey` does.",
    construct="aisec_constructs.data.EncryptionKey",
    check=check,
)
