"""AISEC-DATA-08: model invocation is only allowed with a guardrail, enforced by IAM.

Every ``Allow`` statement of an identity policy that grants ``bedrock:InvokeModel`` or
``bedrock:InvokeModelWithResponseStream`` (which also authorize Converse / ConverseStream; granted
explicitly, by a wildcard or by a ``NotAction``) must have a ``Condition`` on the key
``bedrock:GuardrailIdentifier``. The key name is verified: the Amazon Bedrock user guide, "Enforce the
use of specific guardrails in model inference requests" (guardrails-permissions-id), uses
``"StringEquals": {"bedrock:GuardrailIdentifier": "arn:aws:bedrock:<region>:<account>:guardrail/<id>:<version>"}``
for Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream. Any operator counts except
``Null`` with ``"true"`` (which allows calls WITHOUT a guardrail).

Choices where the catalog row is open (the condition would break calls that cannot carry a guardrail):

* statements whose every ``Resource`` is an embedding model (a ``foundation-model/`` ARN whose model id
  contains ``embed``, such as ``amazon.titan-embed-text-v2:0`` or ``cohere.embed-english-v3``) are not
  judged: embedding requests do not take a guardrail;
* roles whose trust policy lets in only ``bedrock.amazonaws.com`` (knowledge base, Bedrock agent, flow
  service roles) are not judged: the service makes the call, and the guardrail is attached to the
  agent or flow itself (AISEC-APP-04).

One finding per policy resource (the message names the first offending statement).
"""
from __future__ import annotations

from typing import Iterator, Set

from ...read import iam
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from .model_scoped_invocation import INVOKE_ACTIONS, classify, where
from ._trust import attached_roles, trust_statements

KEY = "bedrock:guardrailidentifier"


def _bedrock_service_roles(ctx: Context) -> Set[str]:
    roles = set()
    for role in ctx.template.of_type("AWS::IAM::Role"):
        principals = [p for _, ps in trust_statements(ctx.template, role) for p in ps]
        if principals and all(p.replace("${aws::urlsuffix}", "amazonaws.com") == "bedrock.amazonaws.com"
                              for p in principals):
            roles.add(role.logical_id)
    return roles


def _embedding_only(ctx: Context, statement: iam.Statement) -> bool:
    if statement.not_resources or not statement.resources:
        return False
    for value in statement.resources:
        item = classify(ctx.template, value)
        if item.kind != "text" or item.text is None or "foundation-model/" not in item.text:
            return False
        model = item.text.split("foundation-model/", 1)[1]
        if "embed" not in model.lower():
            return False
    return True


def _guarded(statement: iam.Statement) -> bool:
    condition = statement.condition
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        if not isinstance(block, dict):
            continue
        for key, value in block.items():
            if str(key).lower() != KEY:
                continue
            if str(operator).lower() == "null" and str(value).lower() == "true":
                continue
            return True
    return False


def check(ctx: Context) -> Iterator[Violation]:
    service_roles = _bedrock_service_roles(ctx)
    for statement in iam.statements(ctx.template):
        if not any(statement.grants(action) for action in INVOKE_ACTIONS) or _guarded(statement):
            continue
        holders = attached_roles(ctx.template, statement.resource)
        if holders and holders <= service_roles:
            continue
        if _embedding_only(ctx, statement):
            continue
        yield Violation(statement.resource,
                        f"{where(statement)} allows bedrock:InvokeModel without a Condition on "
                        "bedrock:GuardrailIdentifier, so callers can skip the guardrail; add StringEquals "
                        "bedrock:GuardrailIdentifier with the guardrail ARN and version "
                        "(arn:aws:bedrock:<region>:<account>:guardrail/<id>:<version>)")


RULE = Rule(
    id="AISEC-DATA-08",
    aiml_assessment=("BR-10",),
    title="Guardrail enforced through IAM",
    layer=Layer.DATA,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=("LLM01",),
    passes="Every identity-policy `Allow` granting `bedrock:InvokeModel*` has a `Condition` on "
           "`bedrock:GuardrailIdentifier` (embedding-model-only statements and Bedrock service roles excepted).",
    remediation="Add `\"Condition\": {\"StringEquals\": {\"bedrock:GuardrailIdentifier\": \"<guardrail ARN>:<version>\"}}` "
                "to the invocation statement (`aisec_constructs.data.ModelAccess(guardrail_arn=..., guardrail_version=...)`).",
    construct="aisec_constructs.data.ModelAccess",
    check=check,
    judges=iam.POLICY_TYPES,
    services={Service.BEDROCK},
)
