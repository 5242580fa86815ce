"""AISEC-DATA-21: DynamoDB tables of an AI workload (chat history, agent state) use a customer managed key.

Scope: every ``AWS::DynamoDB::Table`` and ``AWS::DynamoDB::GlobalTable`` of a template the rule
applies to: a template cannot tell a chat-history table from another, and tables in an AI stack are
presumed to hold conversations or agent state (acknowledge a table that holds neither).

Pass (cfn-lint schemas):

* ``Table``: ``SSESpecification.SSEEnabled`` true, ``SSEType`` ``KMS`` and ``KMSMasterKeyId`` of a
  customer managed key (``SSEEnabled`` true without a key id uses the AWS managed key
  ``aws/dynamodb``; absent ``SSESpecification`` means an AWS owned key);
* ``GlobalTable``: ``SSESpecification.SSEEnabled`` true and ``SSEType`` ``KMS``, and every
  ``Replicas[].SSESpecification.KMSMasterKeyId`` set to a customer managed key.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity
from ...read.template import Resource, as_list
from ..base import expect_value, per_resource
from ._keys import expect_cmk

_WHY = " (conversation history must be encrypted with a key the account controls)"


@per_resource("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")
def check(ctx: Context, table: Resource):
    yield from expect_value(ctx, table, ("SSESpecification", "SSEEnabled"), allowed={True}, why=_WHY)
    yield from expect_value(ctx, table, ("SSESpecification", "SSEType"), allowed={"KMS"}, why=_WHY)
    if table.type == "AWS::DynamoDB::Table":
        yield from expect_cmk(ctx, table, ("SSESpecification", "KMSMasterKeyId"),
                              absent="the AWS managed key aws/dynamodb or an AWS owned key is used")
        return
    for replicas in ctx.template.resolve(table.prop("Replicas")):
        if replicas.known:
            for index, _ in enumerate(as_list(replicas.raw)):
                yield from expect_cmk(ctx, table, ("Replicas", index, "SSESpecification", "KMSMasterKeyId"),
                                      absent="the replica uses an AWS managed or AWS owned key")
            break


RULE = Rule(
    id="AISEC-DATA-21",
    prowler_aisf=("AISF-INFRA-05: DynamoDB tables",),
    title="Conversation stores use a customer managed key",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM02",),
    passes="Every `AWS::DynamoDB::Table` sets `SSESpecification` `SSEEnabled: true`, `SSEType: KMS` and "
           "`KMSMasterKeyId` of a customer managed key (global tables: the key on every replica).",
    remediation="Set `encryption: TableEncryption.CUSTOMER_MANAGED` with `encryptionKey` (CDK), using "
                "`aisec_constructs.data.EncryptionKey`.",
    construct="aisec_constructs.data.EncryptionKey",
    check=check,
)
