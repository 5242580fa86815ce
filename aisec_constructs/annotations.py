"""How constructs record an insecure choice: a CDK warning annotation with a stable id.

The rule pack still reports the weakened control until it is acknowledged with a reason; the
annotation makes the choice visible in ``cdk synth`` output at the construct that made it.
"""
from constructs import IConstruct

import aws_cdk as cdk


def record_opt_out(scope: IConstruct, flag: str, consequence: str) -> None:
    """Warn that ``flag`` weakened a secure default, with id ``aisec:<flag>``."""
    cdk.Annotations.of(scope).add_warning_v2(f"aisec:{flag}", f"{flag}=True: {consequence}")
