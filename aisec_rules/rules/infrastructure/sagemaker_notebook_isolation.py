"""AISEC-INF-14: SageMaker notebook instances are isolated from the internet and run without root.

Each ``AWS::SageMaker::NotebookInstance`` (Security Hub SageMaker.1, .2, .3):

* ``DirectInternetAccess`` is ``Disabled``. Absent means ``Enabled``: the schema gives no default,
  but the SageMaker documentation ("Notebook instances are internet-enabled by default") and the
  API reference do; the schema notes that ``Disabled`` requires ``SubnetId``.
* ``SubnetId`` is set (the notebook gets a network interface in your VPC); a ``Ref`` to a subnet
  or an imported subnet id counts as set.
* ``RootAccess`` is ``Disabled``. Absent means ``Enabled`` (stated in the schema's description).
  Lifecycle configurations still run as root, which is expected.

``DirectInternetAccess`` and ``SubnetId`` are create-only (changing them replaces the notebook),
``RootAccess`` is not. Security Hub mapping (AWS, https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html,
sections sagemaker-1 to -3): SageMaker.1 fails when ``DirectInternetAccess`` is enabled; SageMaker.2 ("should
be launched in a custom VPC") fails when the notebook is not in a custom VPC (here: no ``SubnetId``);
SageMaker.3 fails when root access is turned on. Findings are granular, detail = the property name
(``AISEC-INF-14[RootAccess]``), so a team that needs root for a while acknowledges only that.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity
from ...read.template import Resource
from ..base import expect_set, expect_value, per_resource


@per_resource("AWS::SageMaker::NotebookInstance")
def check(ctx: Context, notebook: Resource):
    yield from expect_value(ctx, notebook, ("DirectInternetAccess",), allowed={"Disabled"}, default="Enabled",
                            detail="DirectInternetAccess",
                            why=" (with direct internet access, code and data in the notebook can reach the internet)")
    yield from expect_set(ctx, notebook, ("SubnetId",), detail="SubnetId",
                          why="; the notebook must be placed in a VPC subnet")
    yield from expect_value(ctx, notebook, ("RootAccess",), allowed={"Disabled"}, default="Enabled",
                            detail="RootAccess",
                            why=" (root lets notebook users change the instance's software and network setup)")


RULE = Rule(
    id="AISEC-INF-14",
    security_hub=("SageMaker.1", "SageMaker.2", "SageMaker.3"),
    prowler_aisf=("AISF-ML-02: direct internet access, VPC, root access",),
    aiml_assessment=("SM-01: notebooks", "SM-09", "SM-10"),
    title="SageMaker notebook isolation",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS},
    severity=Severity.HIGH,
    risks=("LLM02",),
    passes="Every `AWS::SageMaker::NotebookInstance` sets `DirectInternetAccess: Disabled`, a `SubnetId` and "
           "`RootAccess: Disabled`.",
    remediation="Create notebook instances in a private subnet (`SubnetId`, `SecurityGroupIds`) with "
                "`DirectInternetAccess: Disabled` (reach AWS services through VPC endpoints) and "
                "`RootAccess: Disabled`; both network settings are create-only, so set them before the first deploy.",
    construct="aisec_constructs.infrastructure.SecureNotebook",
    check=check,
    services={Service.SAGEMAKER},
)
