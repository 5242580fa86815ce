"""AISEC-INF-17: SageMaker notebook instances run on a supported platform.

Security Hub CSPM control SageMaker.8 ("SageMaker notebook instances should run on supported platforms",
AI Security Best Practices v1.0.0) caught before deployment. AWS's definition
(https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-8): the control
reads the notebook instance's platform identifier and fails when the platform is no longer supported; its
parameter ``supportedPlatformIdentifierVersions`` is ``notebook-al2023-v1`` ("not customizable").

``AWS::SageMaker::NotebookInstance.PlatformIdentifier`` (cfn-lint 1.58 schema: create-only; "The default
value is notebook-al2023-v1") must be ``notebook-al2023-v1``; absent passes (the default). An unsupported
platform receives no SageMaker security updates or critical bug fixes.

Layer Infrastructure: the patch level of the compute that holds data and a role, next to AISEC-INF-14.
Phase Foundational, like INF-14: a notebook on an unpatched platform is exposed from day one. Capability
answers.

Choice: the supported list is the control's fixed parameter today; when AWS adds a platform (and moves the
parameter), this rule's :data:`SUPPORTED` must follow, until then a newer identifier fails here with a
message naming the supported one.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity
from ...read.template import Resource
from ..base import expect_value, per_resource

#: the control's supportedPlatformIdentifierVersions (Security Hub SageMaker.8)
SUPPORTED = ("notebook-al2023-v1",)


@per_resource("AWS::SageMaker::NotebookInstance")
def check(ctx: Context, notebook: Resource):
    yield from expect_value(ctx, notebook, ("PlatformIdentifier",), allowed=set(SUPPORTED), default=SUPPORTED[0],
                            why=" (an unsupported platform gets no security updates; create-only: a change replaces "
                                "the notebook)")


RULE = Rule(
    id="AISEC-INF-17",
    security_hub=("SageMaker.8",),
    title="SageMaker notebook platform is supported",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=(),
    passes="Every `AWS::SageMaker::NotebookInstance` leaves `PlatformIdentifier` unset or sets `notebook-al2023-v1`.",
    remediation="Leave `PlatformIdentifier` at its default (`notebook-al2023-v1`) or set it explicitly; an existing "
                "notebook on an older platform must be recreated (the property is create-only).",
    construct="aisec_constructs.infrastructure.SecureNotebook (leaves the platform at its default)",
    check=check,
    services={Service.SAGEMAKER},
)
