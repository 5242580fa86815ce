"""aisec rule pack: the AWS AI Security Framework as synth-time rules.

``from aisec_rules import AiSecurityChecks, Phase``. The pack is imported lazily so that the
command-line scanner and the engine never import aws_cdk (and never start the jsii runtime).
"""
from .model import Capability, Finding, Layer, Phase, Rule, Severity

__all__ = ["AiSecurityChecks", "Capability", "Finding", "Layer", "Phase", "Rule", "Severity"]


def __getattr__(name: str):
    if name == "AiSecurityChecks":
        from .cdk.pack import AiSecurityChecks

        return AiSecurityChecks
    raise AttributeError(f"module 'aisec_rules' has no attribute {name!r}")
