"""AISEC-DATA-13: guardrails, prompts, flows, sessions and Cedar policy engines use customer managed keys.

System prompts, guardrail definitions (denied topics, word lists, regexes), flow definitions,
session state and authorization policies are sensitive: they tell an attacker how to get around
the controls. Judged (cfn-lint schemas):

* ``AWS::Bedrock::Guardrail.KmsKeyArn``
* ``AWS::Bedrock::Prompt.CustomerEncryptionKeyArn``
* ``AWS::Bedrock::Flow.CustomerEncryptionKeyArn``
* ``AWS::Bedrock::Session.EncryptionKeyArn`` (create-only)
* ``AWS::BedrockAgentCore::PolicyEngine.EncryptionKeyArn`` (create-only)

Absent (AWS owned key) and ``alias/aws/...`` (AWS managed key) fail; references pass.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity
from ...read.template import Resource
from ..base import per_resource
from ._keys import expect_cmk

PROPERTIES = {
    "AWS::Bedrock::Guardrail": "KmsKeyArn",
    "AWS::Bedrock::Prompt": "CustomerEncryptionKeyArn",
    "AWS::Bedrock::Flow": "CustomerEncryptionKeyArn",
    "AWS::Bedrock::Session": "EncryptionKeyArn",
    "AWS::BedrockAgentCore::PolicyEngine": "EncryptionKeyArn",
}
CREATE_ONLY = {"AWS::Bedrock::Session", "AWS::BedrockAgentCore::PolicyEngine"}


@per_resource(*PROPERTIES)
def check(ctx: Context, resource: Resource):
    why = " (create-only: choose it before the first deploy)" if resource.type in CREATE_ONLY else ""
    yield from expect_cmk(ctx, resource, (PROPERTIES[resource.type],), absent="an AWS owned key is used", why=why)


RULE = Rule(
    id="AISEC-DATA-13",
    prowler_aisf=("AISF-AI-07: prompts use a customer managed key, not that Prompt Management is used",),
    aiml_assessment=("AC-11",),
    title="Guardrails, prompts, flows, sessions and policy engines use customer managed keys",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM07",),
    passes="`AWS::Bedrock::Guardrail.KmsKeyArn`, `Prompt.CustomerEncryptionKeyArn`, `Flow.CustomerEncryptionKeyArn`, "
           "`Session.EncryptionKeyArn` and `AWS::BedrockAgentCore::PolicyEngine.EncryptionKeyArn` name a customer "
           "managed KMS key.",
    remediation="Encrypt guardrails, prompts, flows, sessions and policy engines with a customer managed key "
                "(`aisec_constructs.data.EncryptionKey`).",
    construct="aisec_constructs.data.EncryptionKey (with the application-layer guardrail and agent constructs)",
    check=check,
)
