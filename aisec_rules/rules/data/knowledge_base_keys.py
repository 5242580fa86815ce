"""AISEC-DATA-10: knowledge base ingestion data is encrypted with a customer managed key.

Judged (cfn-lint schemas):

* every ``AWS::Bedrock::DataSource``: ``ServerSideEncryptionConfiguration.KmsKeyArn`` (Security Hub
  Bedrock.1, Config rule ``bedrock-data-source-encryption-enabled``): the key Bedrock uses for the
  transient data of an ingestion job;
* every ``AWS::Bedrock::KnowledgeBase`` whose ``KnowledgeBaseConfiguration.Type`` is ``MANAGED``:
  ``KnowledgeBaseConfiguration.ManagedKnowledgeBaseConfiguration.ServerSideEncryptionConfiguration.KmsKeyArn``
  (the managed vector store; create-only). Vector and Kendra / SQL knowledge bases keep their data in
  a store of their own, judged by AISEC-DATA-11.

Absent means an AWS owned key; ``alias/aws/...`` (an AWS managed key) fails too; references pass.

Security Hub mapping (Bedrock.1, metadata ``security_hub``): the control list of the AI Security Best
Practices v1.0.0 standard, https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html;
definition: https://docs.aws.amazon.com/securityhub/latest/userguide/bedrock-controls.html#bedrock-1.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity
from ...read.template import Resource
from ..base import per_resource
from ._keys import expect_cmk

MANAGED_KEY = ("KnowledgeBaseConfiguration", "ManagedKnowledgeBaseConfiguration",
               "ServerSideEncryptionConfiguration", "KmsKeyArn")


@per_resource("AWS::Bedrock::DataSource", "AWS::Bedrock::KnowledgeBase")
def check(ctx: Context, resource: Resource):
    if resource.type == "AWS::Bedrock::DataSource":
        yield from expect_cmk(ctx, resource, ("ServerSideEncryptionConfiguration", "KmsKeyArn"),
                              absent="ingestion data is encrypted with an AWS owned key",
                              why=" (Security Hub Bedrock.1)")
        return
    kinds = ctx.template.resolve(resource.prop("KnowledgeBaseConfiguration", "Type"))
    if any(v.known and v.raw == "MANAGED" for v in kinds):
        yield from expect_cmk(ctx, resource, MANAGED_KEY, absent="the managed vector store uses an AWS owned key",
                              why=" (create-only: choose it before the first deploy)")


RULE = Rule(
    id="AISEC-DATA-10",
    security_hub=("Bedrock.1",),
    prowler_aisf=("AISF-INFRA-05: knowledge-base data sources", "AISF-AI-10"),
    aiml_assessment=("BR-09: transient ingestion data", "BR-20: managed knowledge bases"),
    title="Knowledge base data sources use a customer managed key",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS},
    severity=Severity.MEDIUM,
    risks=("LLM08",),
    passes="Every `AWS::Bedrock::DataSource` sets `ServerSideEncryptionConfiguration.KmsKeyArn` to a customer managed "
           "key, and a `MANAGED` knowledge base sets `ManagedKnowledgeBaseConfiguration.ServerSideEncryptionConfiguration"
           ".KmsKeyArn`.",
    remediation="Pass a customer managed key to each data source (`server_side_encryption_configuration`) and to a "
                "managed knowledge base; `aisec_constructs.data.KnowledgeBase` does this by default.",
    construct="aisec_constructs.data.KnowledgeBase",
    check=check,
)
