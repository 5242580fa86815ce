"""AISEC-DATA-24: Amazon Macie is enabled where a workload connects models to data.

A workload-level control: a template that connects to data (knowledge bases, vector stores) must
contain an ``AWS::Macie::Session`` whose ``Status`` is ``ENABLED`` (schema: enum ``ENABLED`` /
``PAUSED``, default ``ENABLED``, so an absent ``Status`` passes). Without one, the finding is
workload-level (attached to the resource that makes the template a RAG workload). A session with
``Status`` ``PAUSED`` fails on the session itself.

Macie is an account-and-Region singleton: when it is enabled by another app or by the
organization's delegated administrator, acknowledge the workload finding with that reason.
Automated sensitive-data discovery (``AutomatedDiscoveryStatus``) is read-only in CloudFormation, and
classification jobs have no resource type: ``aisec_constructs.data.DataClassification`` creates the
session and a classification job over the knowledge base source buckets through a custom resource.
"""
from __future__ import annotations

from typing import Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Severity, Violation
from ..base import expect_value


def check(ctx: Context) -> Iterator[Violation]:
    sessions = ctx.template.of_type("AWS::Macie::Session")
    if not sessions:
        yield Violation(None, "this environment's stacks have no AWS::Macie::Session: enable Amazon Macie so the corpus behind the "
                              "knowledge base is classified for sensitive data before retrieval exposes it (acknowledge "
                              "if Macie is enabled by another app or the organization)")
        return
    for session in sessions:
        yield from expect_value(ctx, session, ("Status",), allowed={"ENABLED"}, default="ENABLED",
                                why=" (a paused Macie session stops sensitive-data discovery)")


RULE = Rule(
    id="AISEC-DATA-24",
    prowler_aisf=("AISF-DATA-01: Macie is enabled, not automated sensitive data discovery",),
    aiml_assessment=("FS-44: Macie is enabled, not automated sensitive data discovery",),
    title="Sensitive-data discovery with Macie",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS},
    severity=Severity.MEDIUM,
    risks=("LLM02", "LLM04"),
    passes="The template has an `AWS::Macie::Session` with `Status` `ENABLED` (or absent, the default).",
    remediation="Add `aisec_constructs.data.DataClassification` (Macie session plus a classification job over the "
                "knowledge base source buckets), or acknowledge when Macie is managed centrally.",
    construct="aisec_constructs.data.DataClassification",
    check=check,
    judges=("AWS::Macie::Session",),
    scope=Scope.ENVIRONMENT,
)
