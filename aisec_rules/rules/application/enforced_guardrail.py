"""AISEC-APP-09: a guardrail is enforced for the whole account (or organization), not opt-in per call.

Workload level: the environment has an ``AWS::Bedrock::EnforcedGuardrailConfiguration`` (account-level
enforcement), or the system, in any of its environments, has an ``AWS::Organizations::Policy`` of ``Type``
``BEDROCK_POLICY`` that applies to this environment (the organization variant: a management account's stack
is an environment of its own, and its policy reaches the member accounts it is attached to, see
``_organization``; its content is judged by AISEC-APP-33). Without either, one workload-level finding (no
detail) that names the Bedrock policies that do not apply here and why: when enforcement is configured in
another app or by the organization's management account, acknowledge it with a reason naming where.

Each ``AWS::Bedrock::EnforcedGuardrailConfiguration`` (names and enums from its cfn-lint schema):

* ``GuardrailIdentifier`` is set and ``GuardrailVersion`` is a numbered version (not ``DRAFT``; a
  ``Fn::GetAtt`` to the guardrail's own ``Version`` attribute is the draft) — detail ``GuardrailVersion``;
* ``ModelEnforcement`` covers every model — detail ``ModelEnforcement``. The schema says the configuration
  applies to all models when ``ModelEnforcement`` is absent; when present, ``IncludedModels`` must contain
  ``ALL`` (the schema's item pattern accepts ``ALL``; the catalog marked it unverified) and
  ``ExcludedModels`` must be empty (every exclusion is a model that callers can use unguarded);
* ``SelectiveContentGuarding.Messages`` is ``COMPREHENSIVE`` — detail ``Messages``. With ``SELECTIVE``
  only content the caller tags is evaluated, so a caller decides what the guardrail sees. The schema and
  the API reference give no default, so an absent value is reported too (choice: require it explicitly).
  ``System`` (system prompts) is not judged: system prompts come from the application, not the user.
"""
from typing import Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Service, Severity, Violation
from ...read.template import MISSING
from ._app import note, possibilities, show, upper, version_problems
from ._organization import BEDROCK, applying

ENFORCED = "AWS::Bedrock::EnforcedGuardrailConfiguration"

NONE_FOUND = (
    "This environment's stacks have no AWS::Bedrock::EnforcedGuardrailConfiguration, and no AWS::Organizations::Policy "
    "of type BEDROCK_POLICY in the system applies to it{notes}, so guardrails apply only to the calls that ask for "
    "them. Enforce a published guardrail version for the account; if enforcement is configured elsewhere (another "
    "app or the organization's management account), acknowledge this finding with a reason naming where."
)


def check(ctx: Context) -> Iterator[Violation]:
    configs = ctx.template.of_type(ENFORCED)
    if not configs:
        organization, notes = applying(ctx, BEDROCK)
        if not organization:
            yield Violation(None, NONE_FOUND.format(notes=f" ({'; '.join(notes)})" if notes else ""))
        return
    for config in configs:
        version = []
        for value in possibilities(ctx, config.prop("GuardrailIdentifier")):
            if value.known and (value.missing or value.raw == ""):
                version.append(f"GuardrailIdentifier is not set{note(value.origin)}")
        version += version_problems(ctx, config.prop("GuardrailVersion"), "GuardrailVersion")
        if version:
            yield Violation(config.logical_id, "; ".join(dict.fromkeys(version)) + ". Enforce a published, numbered "
                            "guardrail version.", "GuardrailVersion")
        models: List[str] = []
        for enforcement in possibilities(ctx, config.prop("ModelEnforcement")):
            if not enforcement.known:
                models.append(f"ModelEnforcement cannot be verified at synth time{note(enforcement.origin)}")
                continue
            if enforcement.missing:
                continue
            if not isinstance(enforcement.raw, dict):
                models.append(f"ModelEnforcement is not an object the rule can read{note(enforcement.origin)}")
                continue
            for included in possibilities(ctx, enforcement.raw.get("IncludedModels", MISSING), enforcement.origin):
                items = included.raw if included.known and isinstance(included.raw, list) else None
                if included.known and included.missing:
                    models.append(f"ModelEnforcement.IncludedModels is not set{note(included.origin)} (must include ALL)")
                elif items is None:
                    models.append(f"ModelEnforcement.IncludedModels cannot be verified{note(included.origin)} "
                                  "(must include ALL)")
                elif not any(isinstance(i, str) and i.strip().upper() == "ALL" for i in items):
                    models.append(f"ModelEnforcement.IncludedModels is {show([show(i) for i in items])}"
                                  f"{note(included.origin)}, not ALL")
            for excluded in possibilities(ctx, enforcement.raw.get("ExcludedModels", MISSING), enforcement.origin):
                if not excluded.known:
                    models.append(f"ModelEnforcement.ExcludedModels cannot be verified at synth time"
                                  f"{note(excluded.origin)}")
                elif isinstance(excluded.raw, list) and excluded.raw:
                    models.append(f"ModelEnforcement.ExcludedModels excludes {len(excluded.raw)} model(s)"
                                  f"{note(excluded.origin)}")
        if models:
            yield Violation(config.logical_id, "; ".join(dict.fromkeys(models)) + ". The enforced guardrail must "
                            "cover every model (IncludedModels [ALL], no exclusions).", "ModelEnforcement")
        messages: List[str] = []
        for guarding in possibilities(ctx, config.prop("SelectiveContentGuarding")):
            values = [guarding] if not guarding.known else possibilities(
                ctx, guarding.raw.get("Messages", MISSING) if isinstance(guarding.raw, dict) else MISSING,
                guarding.origin)
            for value in values:
                where = "SelectiveContentGuarding.Messages"
                if not value.known:
                    messages.append(f"{where} cannot be verified at synth time{note(value.origin)}")
                elif value.missing:
                    messages.append(f"{where} is not set{note(value.origin)}")
                elif upper(value) != "COMPREHENSIVE":
                    messages.append(f"{where} is {show(value.raw)}{note(value.origin)}")
        if messages:
            yield Violation(config.logical_id, "; ".join(dict.fromkeys(messages)) + "; must be COMPREHENSIVE, so "
                            "that every user message is evaluated whatever the caller tags.", "Messages")


RULE = Rule(
    id="AISEC-APP-09",
    title="Account or organization enforced guardrail",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM01", "LLM02"),
    passes="The environment has an `AWS::Bedrock::EnforcedGuardrailConfiguration`, or an organization `BEDROCK_POLICY` "
           "declared anywhere in the system applies to it; "
           "each enforced configuration pins a numbered guardrail version, covers all models and guards messages "
           "`COMPREHENSIVE`ly.",
    remediation="Add an `AWS::Bedrock::EnforcedGuardrailConfiguration` with a published `GuardrailVersion`, no "
                "`ModelEnforcement` (or `IncludedModels: [ALL]` without exclusions) and "
                "`SelectiveContentGuarding.Messages: COMPREHENSIVE`; or enforce it through an organization "
                "Bedrock policy.",
    construct="aisec_constructs.application.EnforcedGuardrail",
    check=check,
    judges=(ENFORCED, "AWS::Organizations::Policy"),
    system_wide=("AWS::Organizations::Policy",),
    scope=Scope.ENVIRONMENT,
    services={Service.BEDROCK},
)
