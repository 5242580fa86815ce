"""AISEC-DATA-09: agent configuration, agent memory and gateway tool metadata are encrypted with customer managed keys.

Judged (property names from the cfn-lint schemas):

* ``AWS::Bedrock::Agent.CustomerEncryptionKeyArn`` (agent configuration, instructions, session data);
* ``AWS::BedrockAgentCore::Memory.EncryptionKeyArn`` (Security Hub BedrockAgentCore.3; create-only);
* ``AWS::BedrockAgentCore::Gateway.KmsKeyArn`` (Security Hub BedrockAgentCore.4).

A property passes when it references a key (``Ref`` / ``Fn::GetAtt`` / ``Fn::ImportValue`` / an ARN
built with ``Fn::Sub``) or holds a literal key ARN; it fails when absent (AWS owned key) or when it
names an AWS managed key (``alias/aws/...``). Each ``Fn::If`` branch and parameter default is judged.

Security Hub mapping (BedrockAgentCore.3 and .4, metadata ``security_hub``): the control list of the AI Security Best
Practices v1.0.0 standard, https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html;
definition: https://docs.aws.amazon.com/securityhub/latest/userguide/bedrockagentcore-controls.html#bedrockagentcore-3.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity
from ...read.template import Resource
from ..base import per_resource
from ._keys import expect_cmk

PROPERTIES = {
    "AWS::Bedrock::Agent": ("CustomerEncryptionKeyArn", ""),
    "AWS::BedrockAgentCore::Memory": ("EncryptionKeyArn", " (create-only: changing it replaces the memory and "
                                                          "loses its events)"),
    "AWS::BedrockAgentCore::Gateway": ("KmsKeyArn", ""),
}


@per_resource(*PROPERTIES)
def check(ctx: Context, resource: Resource):
    prop, why = PROPERTIES[resource.type]
    yield from expect_cmk(ctx, resource, (prop,), absent="an AWS owned key is used", why=why)


RULE = Rule(
    id="AISEC-DATA-09",
    security_hub=("BedrockAgentCore.3", "BedrockAgentCore.4"),
    aiml_assessment=("AC-07", "AC-12"),
    title="Agent, memory and gateway use customer managed keys",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T1", "LLM02"),
    passes="`AWS::Bedrock::Agent.CustomerEncryptionKeyArn`, `AWS::BedrockAgentCore::Memory.EncryptionKeyArn` and "
           "`AWS::BedrockAgentCore::Gateway.KmsKeyArn` name a customer managed KMS key (not absent, not `alias/aws/…`).",
    remediation="Create a customer managed key with rotation (`aisec_constructs.data.EncryptionKey`) and pass its ARN "
                "to the agent, memory and gateway; the memory key is create-only, so set it before the first deploy.",
    construct="aisec_constructs.data.EncryptionKey with aisec_constructs.application.Agent and the AgentCore constructs",
    check=check,
)
