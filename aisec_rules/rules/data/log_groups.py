"""AISEC-DATA-22 and AISEC-DATA-23: log groups of an AI workload are encrypted, retained and mask personal data.

Scope: every ``AWS::Logs::LogGroup`` of a template the rules apply to. The catalog names the
invocation-log, tool-Lambda and AgentCore log groups; a template cannot tell which group a function
writes prompts to (a tool Lambda logs its event, which holds model output), so every group in an AI
stack is judged, and a group that never sees prompts is acknowledged with that reason. Log groups
that services create on their own (a Lambda function without ``LoggingConfig.LogGroup``, the
AgentCore runtime's group) are not in the template and cannot be judged here.

AISEC-DATA-22 (Enhanced), two granular findings per group:

* ``KmsKeyId``: set (a reference or a literal key ARN; CloudWatch Logs accepts only key ARNs). Absent
  means the service's own encryption, with no key the account can revoke or audit.
* ``RetentionInDays``: set. Absent means events are kept forever (schema: absent = never expire).

AISEC-DATA-23 (Advanced): ``DataProtectionPolicy`` is set and, when it is a literal document (object
or JSON string), has a statement whose ``Operation`` contains ``Deidentify`` (masking). An
audit-only policy finds personal data but still stores and shows it, so it fails. A policy built from
intrinsics that cannot be read counts as set. An account-level data protection policy in the
environment satisfies it for every group (issue 22): an ``AWS::Logs::AccountPolicy`` of
``PolicyType`` ``DATA_PROTECTION_POLICY`` (every possible value) whose ``PolicyDocument`` masks (a
JSON string by the schema; an intrinsic counts as set, as for a group) and that has no
``SelectionCriteria`` (a policy for a subset of groups cannot be matched to a group here; the schema
allows only ``Scope: ALL``). CloudWatch Logs applies it to every log group of the account and Region,
in addition to a group's own policy. A group then passes without its own policy.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import Resource, as_list
from ..base import expect_set, per_resource
from ._keys import expect_cmk

ALL = {Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS}


@per_resource("AWS::Logs::LogGroup")
def check_encrypted_retained(ctx: Context, group: Resource):
    yield from expect_cmk(ctx, group, ("KmsKeyId",), detail="KmsKeyId",
                          absent="events holding prompts and responses are encrypted with a service key the account "
                                 "cannot revoke")
    yield from expect_set(ctx, group, ("RetentionInDays",), detail="RetentionInDays",
                          why=" (events are then kept forever); set a finite retention")


def _masks(document: Any) -> bool:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return False
    if not isinstance(document, dict):
        return False
    for statement in as_list(document.get("Statement")):
        operation = statement.get("Operation") if isinstance(statement, dict) else None
        if isinstance(operation, dict) and "Deidentify" in operation:
            return True
    return False


ACCOUNT_POLICY = "AWS::Logs::AccountPolicy"


def _account_masking(ctx: Context) -> str:
    """The logical id of an account data protection policy of the environment that masks, or ""."""
    for policy in ctx.template.of_type(ACCOUNT_POLICY):
        kinds = ctx.template.resolve(policy.prop("PolicyType"))
        if not kinds or not all(k.known and k.raw == "DATA_PROTECTION_POLICY" for k in kinds):
            continue
        if policy.prop("SelectionCriteria"):
            continue
        documents = ctx.template.resolve(policy.prop("PolicyDocument"))
        if documents and all((not d.known) or _masks(d.raw) for d in documents):
            return policy.logical_id
    return ""


@per_resource("AWS::Logs::LogGroup")
def check_masking(ctx: Context, group: Resource) -> Iterator[Violation]:
    if _account_masking(ctx):
        return
    for value in ctx.template.resolve(group.prop("DataProtectionPolicy")):
        expected = ("; set a data protection policy with a Deidentify (mask) statement for the personal data "
                    "identifiers the prompts may carry (or one AWS::Logs::AccountPolicy of type "
                    "DATA_PROTECTION_POLICY for the account and Region)")
        if value.missing:
            yield Violation(group.logical_id, f"DataProtectionPolicy is not set{value.note()}{expected}")
        elif value.known and not _masks(value.raw):  # an intrinsic (not known) counts as set
            yield Violation(group.logical_id,
                            f"DataProtectionPolicy has no statement with a Deidentify operation{value.note()} "
                            f"(an audit-only policy still stores personal data in clear){expected}")


RULE_ENCRYPTED = Rule(
    id="AISEC-DATA-22",
    prowler_aisf=("AISF-INFRA-05: log groups",),
    title="Log groups are encrypted and retained",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities=ALL,
    severity=Severity.MEDIUM,
    risks=("LLM02",),
    passes="Every `AWS::Logs::LogGroup` sets `KmsKeyId` (a customer managed key) and `RetentionInDays`.",
    remediation="Use `aisec_constructs.data.SecureLogGroup` (KMS key, one-year retention), or set `encryptionKey` and "
                "`retention` on each log group and give Lambda functions an explicit `logGroup`.",
    construct="aisec_constructs.data.SecureLogGroup",
    check=check_encrypted_retained,
)

RULE_MASKING = Rule(
    id="AISEC-DATA-23",
    aiml_assessment=("FS-43: a data protection policy on each log group; an account-level policy passes here, not in "
                     "FS-43, which reads each log group's own",),
    title="Log groups mask personal data",
    layer=Layer.DATA,
    phase=Phase.ADVANCED,
    capabilities=ALL,
    severity=Severity.MEDIUM,
    risks=("LLM02",),
    passes="Every `AWS::Logs::LogGroup` has a `DataProtectionPolicy` with a `Deidentify` (mask) statement, or the "
           "environment holds an `AWS::Logs::AccountPolicy` of type `DATA_PROTECTION_POLICY` that masks, for all "
           "log groups.",
    remediation="Use `SecureLogGroup(mask_pii=True)` or `ModelInvocationLogging(mask_pii=True)`, or set "
                "`dataProtectionPolicy` with the data identifiers to mask.",
    construct="aisec_constructs.data.SecureLogGroup",
    check=check_masking,
    reads=(ACCOUNT_POLICY,),
)
