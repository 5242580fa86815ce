"""AISEC-DATA-03: no broad AWS-managed policies on identities.

``ManagedPolicyArns`` of ``AWS::IAM::Role``, ``AWS::IAM::User`` and ``AWS::IAM::Group`` must not
attach these AWS-managed policies (one finding per policy, detail = the policy name):

* ``AmazonBedrockFullAccess``, ``AmazonSageMakerFullAccess``;
* ``BedrockAgentCoreFullAccess`` (verified: ``arn:aws:iam::aws:policy/BedrockAgentCoreFullAccess``,
  AWS managed policy reference and the AgentCore developer guide; it grants ``bedrock-agentcore:*``);
* ``AdministratorAccess`` and ``PowerUserAccess`` (added to the catalog row: PowerUserAccess allows
  every action outside IAM, Organizations and Account management, which covers every AI action).

Choices where the catalog row is open:

* Only AWS-managed ARNs count (``…:iam::aws:policy/…``, any partition); the name is what follows
  the last ``/`` of the policy path, so ``policy/service-role/…`` and ``policy/job-function/…``
  paths are matched too. A customer-managed policy of the same name in the account is not reported.
  Names are compared case-insensitively.
* ARNs built with ``Fn::Join`` / ``Fn::Sub`` (CDK writes
  ``{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AdministratorAccess"]]}``)
  are judged on their text; ``${Param}`` placeholders of parameters with defaults are substituted.
  Each ``Fn::If`` branch and parameter default are judged. A ``Ref`` / ``Fn::GetAtt`` to a resource of
  the template (an ``AWS::IAM::ManagedPolicy``) or an ``Fn::ImportValue`` passes; a parameter without
  default is reported as unverifiable (no detail).
* AI workload roles (issue 22; :func:`aisec_rules.rules.data._workload.workload_roles`) also fail any other
  AWS-managed policy whose name ends with ``FullAccess`` (``AmazonS3FullAccess``, ``IAMFullAccess``,
  ``AWSLambda_FullAccess``, ``AmazonDynamoDBFullAccess``, ...): each grants a whole service to an identity
  a prompt can steer. The detail is the policy name as written in the ARN; the message says why the role is a
  workload identity.
* ``AWS::IAM::ManagedPolicy`` is not in scope: it has no ``ManagedPolicyArns`` property (its
  document is checked by AISEC-DATA-01/02/04). A ``ManagedPolicyArns`` given as a single string is
  read as a one-item list.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import Template, Value
from ..base import per_resource
from ...read.values import classify
from ._workload import READS as WORKLOAD_READS, workload_roles

HOLDERS = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")

#: Lower-cased name -> (canonical name, why it is too broad).
BROAD_POLICIES = {
    "amazonbedrockfullaccess": ("AmazonBedrockFullAccess", "grants every Amazon Bedrock action"),
    "amazonsagemakerfullaccess": ("AmazonSageMakerFullAccess", "grants every SageMaker action"),
    "bedrockagentcorefullaccess": ("BedrockAgentCoreFullAccess", "grants every Bedrock AgentCore action"),
    "administratoraccess": ("AdministratorAccess", "grants every action of every service"),
    "poweruseraccess": ("PowerUserAccess", "grants every action outside IAM and Organizations, including all AI actions"),
}

_AWS_MANAGED = re.compile(r":iam::aws:policy/(?:[^\s]*/)?([^/\s]+)\s*$", re.IGNORECASE)


def flatten(template: Template, value: Any) -> Iterable[Value]:
    """Each item of a list property, every Fn::If branch and parameter default resolved."""
    for possibility in template.resolve(value):
        if possibility.known and isinstance(possibility.raw, list):
            for item in possibility.raw:
                for inner in template.resolve(item):
                    if inner.missing:
                        continue
                    origin = inner.origin or possibility.origin
                    yield Value(inner.raw, inner.known, origin)
        elif not possibility.missing:
            yield possibility


@per_resource(*HOLDERS)
def check(ctx: Context, holder) -> Iterator[Violation]:
    seen = set()
    for value in flatten(ctx.template, holder.prop("ManagedPolicyArns")):
        item = classify(ctx.template, value)
        if item.kind in ("import", "resource"):
            continue
        if item.kind == "unknown":
            yield Violation(holder.logical_id,
                            f"ManagedPolicyArns item {item.text or 'value'}{item.note} cannot be verified at synth time; "
                            f"it must not be one of the AWS-managed {', '.join(n for n, _ in BROAD_POLICIES.values())} "
                            f"policies")
            continue
        match = _AWS_MANAGED.search(item.text or "")
        if not match:
            continue
        if "${" in match.group(1):
            yield Violation(holder.logical_id,
                            f"ManagedPolicyArns item {item.text}{item.note} names an AWS-managed policy that cannot be "
                            f"verified at synth time; it must not be one of "
                            f"{', '.join(n for n, _ in BROAD_POLICIES.values())}")
            continue
        known = BROAD_POLICIES.get(match.group(1).lower())
        if known is None and match.group(1).lower().endswith("fullaccess") and holder.type == "AWS::IAM::Role":
            why = workload_roles(ctx).get(holder.logical_id)
            if why is not None:
                known = (match.group(1), f"grants a whole service to an AI workload identity ({why})")
        if known is None or known[0] in seen:
            continue
        name, why = known
        seen.add(name)
        yield Violation(holder.logical_id,
                        f"ManagedPolicyArns attaches the AWS-managed policy {name}{item.note}, which {why}; attach a "
                        f"policy that grants only the actions and resources the workload needs",
                        name)


RULE = Rule(
    id="AISEC-DATA-03",
    prowler_aisf=("AISF-IAM-02: no AdministratorAccess or AmazonBedrockFullAccess attached",),
    aiml_assessment=(
        "SM-02: no AmazonSageMakerFullAccess, not stale access or IAM Identity Center",
        "BR-01",
        "BR-08: no AmazonBedrockFullAccess on agent roles",
        "BR-21: no AdministratorAccess or AWS-managed FullAccess policies",
        "FS-07: no AdministratorAccess or AWS-managed FullAccess policies on agent roles",
        "AC-02: the BedrockAgentCoreFullAccess policy",
    ),
    title="No broad AWS-managed policies",
    layer=Layer.DATA,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM06",),
    passes="`ManagedPolicyArns` of IAM roles, users and groups attach none of the AWS-managed "
           "`AmazonBedrockFullAccess`, `AmazonSageMakerFullAccess`, `BedrockAgentCoreFullAccess`, `AdministratorAccess`, "
           "`PowerUserAccess` policies, and the roles of AI workloads attach no other AWS-managed `*FullAccess` policy.",
    remediation="Detach the AWS-managed full-access policy and grant the specific actions on the specific resources the "
                "workload uses in an inline or customer-managed policy.",
    construct="the roles aisec constructs create attach no broad AWS-managed policy",
    check=check,
    reads=tuple(t for t in WORKLOAD_READS if t not in HOLDERS),
)
