"""AISEC-DATA-02: identity policies that allow model invocation name the models.

Every ``Allow`` statement of an identity policy (inline ``Policies`` of roles, users and groups;
``AWS::IAM::Policy``, ``ManagedPolicy``, ``RolePolicy``, ``UserPolicy``, ``GroupPolicy``) that
grants ``bedrock:InvokeModel`` or ``bedrock:InvokeModelWithResponseStream`` (explicitly, through a
wildcard such as ``bedrock:Invoke*``, ``bedrock:*`` or ``*``, or through a ``NotAction`` that does not
exclude them) must list only model resources in ``Resource``. There is no ``bedrock:Converse`` IAM
action: ``Converse`` / ``ConverseStream`` are authorized by ``bedrock:InvokeModel`` /
``bedrock:InvokeModelWithResponseStream``, so this rule covers them too.

A model resource is an ARN of service ``bedrock`` whose resource type is one of
``foundation-model``, ``inference-profile``, ``application-inference-profile``,
``provisioned-model``, ``custom-model``, ``custom-model-deployment``, ``imported-model``,
``prompt-router``, ``default-prompt-router`` (the model-like resource types of ``bedrock:InvokeModel``
in the Service Authorization Reference; the InvokeModel ``modelId`` documentation names base models,
inference profiles, provisioned models, custom model deployments and imported models, and the
``AWS::Bedrock::IntelligentPromptRouter`` schema gives ``(default-)prompt-router/`` ARNs), and whose
id after the ``/`` is not solely ``*``. Region and account may be ``*`` (cross-Region inference
profiles need foundation-model ARNs in several Regions). ``foundation-model/anthropic.*`` passes: it
names a model family, not every model.

Choices where the catalog row is open:

* ``Resource: "*"`` fails (detail ``Resource::*``); ``NotResource`` on such an Allow fails (detail
  ``NotResource``). A statement with neither is not a valid identity-policy statement (IAM rejects
  it at deploy) and is skipped.
* Every other resource of such a statement must be a model: a statement ``bedrock:Invoke*`` on an
  agent alias, or ``bedrock:InvokeModel`` mixed with ``s3:GetObject`` on a bucket, fails for the
  non-model ARN (split the statement so that invocation is granted on models only).
* ARNs built with ``Fn::Join`` / ``Fn::Sub`` are judged on their text with ``${...}`` placeholders;
  a placeholder for a template parameter with a string default is replaced by the default (and the
  message says so); any other placeholder counts as specific (``foundation-model/${ModelId}``).
* A ``Ref`` / ``Fn::GetAtt`` to an ``AWS::Bedrock::ApplicationInferenceProfile`` or
  ``AWS::Bedrock::IntelligentPromptRouter`` passes (the only Bedrock model resource types in the
  CloudFormation schemas: custom models, provisioned throughput and imported models have no resource
  type); a reference to any other resource type fails naming that type. ``Fn::ImportValue`` passes
  (an external, plausibly specific ARN). A ``Ref`` to a parameter is judged by its default; a
  parameter without default is reported as unverifiable.
* A ``prompt/`` (Prompt management version) ARN is not in the list: a statement allowing
  ``bedrock:InvokeModel`` together with ``bedrock:RenderPrompt`` on a prompt ARN is reported; split it.

"""
from __future__ import annotations

from typing import Iterator, Optional

from ...read import iam
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.values import PLACEHOLDER, classify, detail_text, where

INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")

#: Bedrock resource types that an InvokeModel permission may name (Service Authorization Reference).
MODEL_RESOURCE_TYPES = frozenset({
    "foundation-model", "inference-profile", "application-inference-profile", "provisioned-model",
    "custom-model", "custom-model-deployment", "imported-model", "prompt-router", "default-prompt-router",
})

#: CloudFormation resource types whose Ref / ARN attributes are Bedrock model resources (cfn-lint schemas).
MODEL_CFN_TYPES = frozenset({"AWS::Bedrock::ApplicationInferenceProfile", "AWS::Bedrock::IntelligentPromptRouter"})

_MARK = "\x00"

# -- the rule -----------------------------------------------------------------------------------

def model_arn_problem(text: str) -> Optional[str]:
    """Why ``text`` is not a specific Bedrock model ARN, or None when it is one."""
    stripped = text.strip()
    if stripped.strip("*") == "":
        return "allows invoking every model"
    masked = PLACEHOLDER.sub(_MARK, stripped)
    parts = masked.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return "is not a Bedrock model ARN"
    if parts[2] != "bedrock":
        return "is not a Bedrock model ARN (service is not bedrock)"
    rtype, slash, rid = parts[5].partition("/")
    if rtype not in MODEL_RESOURCE_TYPES:
        return f"is not a Bedrock model ARN (resource type {rtype.replace(_MARK, '${...}') or 'missing'})"
    if not slash or rid.strip("*") == "":
        return f"allows invoking every {rtype}"
    return None


def _granted_by(statement: iam.Statement) -> str:
    """`` (through bedrock:*)`` when a wildcard or NotAction grants invocation; "" for the plain action."""
    if statement.not_actions:
        return " (through NotAction: every action it does not list)"
    patterns = [(pattern, note) for pattern, note in statement.action_patterns()
                if any(iam.action_matches(pattern, action) for action in INVOKE_ACTIONS)]
    if all(not note and pattern.strip().lower() in {a.lower() for a in INVOKE_ACTIONS} for pattern, note in patterns):
        return ""
    return " (through " + ", ".join(f"{pattern}{note}" for pattern, note in patterns) + ")"


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    expectation = ("; name specific foundation-model, inference-profile or application-inference-profile ARNs "
                   "(bedrock:InvokeModel also authorizes Converse / ConverseStream)")
    for statement in iam.statements(template):
        if not any(statement.grants(action) for action in INVOKE_ACTIONS):
            continue
        prefix = f"{where(statement)} allows bedrock:InvokeModel{_granted_by(statement)}"
        if statement.not_resources:
            yield Violation(statement.resource, f"{prefix} with NotResource, which allows invoking every model not "
                                                f"listed{expectation}", "NotResource")
        for value in statement.resources:
            if value.missing:  # an Fn::If branch with AWS::NoValue
                continue
            item = classify(template, value)
            if item.kind == "import":
                continue
            if item.kind == "resource" and item.resource is not None:
                if item.resource.type in MODEL_CFN_TYPES:
                    continue
                yield Violation(statement.resource,
                                f"{prefix} on Resource {item.text}{item.note}, a reference to {item.resource.logical_id} "
                                f"of type {item.resource.type}, which is not a Bedrock model{expectation}",
                                f"Resource::{detail_text(item.text)}")
                continue
            if item.kind == "unknown":
                yield Violation(statement.resource,
                                f"{prefix} on Resource {item.text or 'value'}{item.note}, which cannot be verified at "
                                f"synth time{expectation}",
                                f"Resource::{detail_text(item.text)}")
                continue
            problem = model_arn_problem(item.text or "")
            if problem:
                yield Violation(statement.resource,
                                f"{prefix} on Resource {item.text}{item.note}, which {problem}{expectation}",
                                f"Resource::{detail_text(item.text)}")


RULE = Rule(
    id="AISEC-DATA-02",
    aiml_assessment=("BR-08: model invocation on named models, not other actions on Resource *",),
    title="Model invocation is scoped to named models",
    layer=Layer.DATA,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM10",),
    passes="Every identity-policy `Allow` that grants `bedrock:InvokeModel` / `InvokeModelWithResponseStream` (which "
           "also authorize Converse) lists only specific Bedrock model ARNs (`foundation-model/…`, "
           "`inference-profile/…`, `application-inference-profile/…`, provisioned, custom, imported models, prompt "
           "routers) or references to model resources; never `*`, `…/*` or `NotResource`.",
    remediation="Grant `bedrock:InvokeModel` and `bedrock:InvokeModelWithResponseStream` on the ARNs of the models and "
                "inference profiles the workload uses (for a cross-Region inference profile: the profile ARN and the "
                "foundation-model ARNs it routes to), in a statement of their own.",
    construct="aisec_constructs.data.ModelAccess",
    check=check,
    judges=iam.POLICY_TYPES,
    services={Service.BEDROCK},
)
