"""AISEC-APP-22: AgentCore custom browsers record their sessions to S3.

An agent that browses autonomously must leave a replayable record (Security Hub
BedrockAgentCore.6, Config rule ``bedrockagentcore-browsercustom-recording-enabled``).

Each ``AWS::BedrockAgentCore::BrowserCustom`` needs ``RecordingConfig.Enabled`` true (the schema
default is false, so absent fails; detail ``Enabled``) and ``RecordingConfig.S3Location.Bucket``
set (detail ``S3Location``; the schema requires ``Bucket`` and ``Prefix`` together, a ``Ref`` to a
bucket counts as set). The location is only judged when recording is on or unverifiable, so a
browser with recording off gets one finding, not two. Whether the bucket is private and
encrypted is the data rules' concern (AISEC-DATA-14/15).

Security Hub mapping (BedrockAgentCore.6, metadata ``security_hub``): the control list of the AI Security Best
Practices v1.0.0 standard, https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html;
definition: https://docs.aws.amazon.com/securityhub/latest/userguide/bedrockagentcore-controls.html#bedrockagentcore-6.
"""
from __future__ import annotations

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity
from ...read.template import Resource
from ..base import expect_set, expect_value, per_resource


@per_resource("AWS::BedrockAgentCore::BrowserCustom")
def check(ctx: Context, browser: Resource):
    violations = list(expect_value(ctx, browser, ("RecordingConfig", "Enabled"), allowed={True}, default=False,
                                   detail="Enabled", why=" (browser sessions of an autonomous agent must be replayable)"))
    yield from violations
    if any("cannot be verified" in v.message for v in violations) or not violations:
        yield from expect_set(ctx, browser, ("RecordingConfig", "S3Location", "Bucket"), detail="S3Location",
                              why="; recordings need an S3 bucket")


RULE = Rule(
    id="AISEC-APP-22",
    security_hub=("BedrockAgentCore.6",),
    aiml_assessment=("AC-06",),
    title="Browser sessions are recorded",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T8",),
    passes="Every `AWS::BedrockAgentCore::BrowserCustom` sets `RecordingConfig.Enabled` to true with an "
           "`S3Location` bucket (Security Hub BedrockAgentCore.6).",
    remediation="Enable session recording on the custom browser and write it to a private, KMS-encrypted bucket.",
    construct="aisec_constructs.application.AgentCoreBrowser",
    check=check,
)
