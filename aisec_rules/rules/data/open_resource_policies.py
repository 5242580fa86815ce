"""AISEC-DATA-31: the resource policies of AI resources admit no one outside the account or organization.

Resource types judged (cfn-lint schemas; aws-cdk-lib has their L1 classes): ``AWS::BedrockAgentCore::ResourcePolicy``
(``Policy``, a JSON string, on an agent runtime, endpoint or gateway), ``AWS::Bedrock::KnowledgeBasePolicy``
(``PolicyDocument``, an object) and ``AWS::Bedrock::ResourcePolicy`` (``PolicyDocument`` of a guardrail or
guardrail profile). A document given as a JSON string, an ``Fn::Sub`` / ``Fn::Join`` or under ``Fn::If`` is read as
identity policies are (every branch).

Every ``Allow`` statement whose ``Principal`` is ``*`` or names ``*`` among its ``AWS`` principals must be
conditioned on who may call: a ``Condition`` key ``aws:SourceAccount``, ``aws:PrincipalAccount``,
``aws:PrincipalOrgID`` (the issue's three), ``aws:SourceOrgID`` or ``aws:PrincipalArn`` (named principals),
under a positive operator (``StringEquals``, ``StringLike``, ``ArnEquals``, ``ArnLike``; an ``...IfExists``
or negated operator lets a caller without the key through) with no value that is ``*`` alone. A statement that
names principals (accounts, roles, service principals) instead of ``*`` passes: naming them is the condition.
``NotPrincipal`` with ``Allow`` admits everyone it does not list and fails too.

Findings are granular, one per statement: ``AISEC-DATA-31[Statement::<Sid or position>]``. A document or
principal the template cannot show is ``Unverifiable::<part>``, never passed.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read import iam
from ...read.template import MISSING, Template, as_list
from ...read.values import classify

#: resource type -> the property that holds its policy document
DOCUMENTS: Dict[str, str] = {
    "AWS::BedrockAgentCore::ResourcePolicy": "Policy",
    "AWS::Bedrock::KnowledgeBasePolicy": "PolicyDocument",
    "AWS::Bedrock::ResourcePolicy": "PolicyDocument",
}
#: condition keys that bound the callers to an account, an organization or named principals (lower case)
CALLER_KEYS = ("aws:sourceaccount", "aws:principalaccount", "aws:principalorgid", "aws:sourceorgid",
               "aws:principalarn")
_POSITIVE = ("stringequals", "stringlike", "arnequals", "arnlike", "stringequalsignorecase")


def _principals(template: Template, principal: Any) -> Optional[List[str]]:
    """The literal principals of a ``Principal`` value (``*`` for ``"*"`` and ``{"AWS": "*"}``), or None when
    the template cannot show one of them."""
    found: List[str] = []
    for value in template.resolve(principal):
        if not value.known:
            return None
        if value.missing:
            continue
        raw = value.raw
        blocks = [raw] if isinstance(raw, str) else [v for v in raw.values()] if isinstance(raw, dict) else []
        for block in blocks:
            for possibilities in template.resolve(block):
                items = as_list(possibilities.raw) if possibilities.known else [possibilities.raw]
                for item in items:
                    for literal in template.resolve(item):
                        if not literal.known:
                            item = classify(template, literal)
                            if item.kind == "unknown" or item.text is None:
                                return None  # a parameter without default may be anyone
                            found.append(item.text)  # a role of the template, an import, an ARN with placeholders
                        elif isinstance(literal.raw, str):
                            found.append(literal.raw.strip())
    return found


def _bounded(condition: Any) -> bool:
    """The condition restricts callers with a positive operator on one of :data:`CALLER_KEYS`."""
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        name = str(operator).lower()
        if name.startswith("forallvalues:") or name.startswith("foranyvalue:"):
            name = name.split(":", 1)[1]
        if name not in _POSITIVE or not isinstance(block, dict):
            continue
        for key, values in block.items():
            literals = [v for v in as_list(values) if isinstance(v, str)]
            if str(key).lower() in CALLER_KEYS and not any(v.strip() == "*" for v in literals):
                return True
    return False


def _name(statement: iam.Statement, position: int) -> str:
    sid = statement.raw.get("Sid")
    return sid if isinstance(sid, str) and sid.strip() else str(position)


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    for rtype, prop in DOCUMENTS.items():
        for resource in template.of_type(rtype):
            statements, problems = iam.document_statements(template, resource.logical_id, resource.prop(prop))
            for problem in problems:
                yield Violation(resource.logical_id, f"{prop} cannot be verified at synth time ({problem.reason}), so "
                                                     f"whether the {rtype} admits anyone cannot be judged; write the "
                                                     "policy in the template", f"Unverifiable::{problem.part}")
            seen: Dict[int, int] = {}
            for statement in statements:
                position = seen.setdefault(id(statement.raw), len(seen))
                if not statement.allows:
                    continue
                yield from _judge(ctx, resource.logical_id, rtype, statement, _name(statement, position))


def _judge(ctx: Context, holder: str, rtype: str, statement: iam.Statement, name: str) -> Iterator[Violation]:
    where = f'statement "{name}" of the {rtype}'
    if "NotPrincipal" in statement.raw:
        yield Violation(holder, f"{where} allows with NotPrincipal, which admits every principal it does not list; "
                                "name the principals that may call in Principal", f"Statement::{name}")
        return
    principals = _principals(ctx.template, statement.raw.get("Principal", MISSING))
    if principals is None:
        yield Violation(holder, f"the Principal of {where} cannot be verified at synth time; name the principals in "
                                "the template", f"Unverifiable::Statement::{name}")
        return
    if "*" not in principals:
        return
    conditions = [c.raw for c in ctx.template.resolve(statement.condition if statement.condition is not None
                                                      else MISSING)]
    if conditions and all(_bounded(c) for c in conditions):
        return
    yield Violation(holder, f"{where} allows Principal * without a condition on aws:SourceAccount, "
                            "aws:PrincipalAccount or aws:PrincipalOrgID, so any AWS account can call the agent, "
                            "knowledge base or guardrail; condition it on your account or organization, or name "
                            "the principals", f"Statement::{name}")


RULE = Rule(
    id="AISEC-DATA-31",
    title="Resource policies of AI resources are not open",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM06", "T3"),
    passes="Every `Allow` statement of an `AWS::BedrockAgentCore::ResourcePolicy`, `AWS::Bedrock::KnowledgeBasePolicy` "
           "or `AWS::Bedrock::ResourcePolicy` names its principals, or, with `Principal` `*`, is conditioned on "
           "`aws:SourceAccount`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`, `aws:SourceOrgID` or "
           "`aws:PrincipalArn` (positive operator, no `*` value); no `Allow` uses `NotPrincipal`.",
    remediation="Name the accounts or roles that may call in `Principal`, or keep `*` with "
                "`\"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-...\"}}` (or `aws:PrincipalAccount` / "
                "`aws:SourceAccount` for one account).",
    check=check,
    judges=tuple(DOCUMENTS),
)
