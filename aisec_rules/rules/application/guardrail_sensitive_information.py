"""AISEC-APP-03: every Bedrock guardrail masks or blocks PII and credentials in prompts and responses.

Each ``AWS::Bedrock::Guardrail`` has a non-empty
``SensitiveInformationPolicyConfig.PiiEntitiesConfig`` that

* includes the credential types ``AWS_ACCESS_KEY``, ``AWS_SECRET_KEY`` and ``PASSWORD`` (names
  checked against the schema's ``PiiEntityType`` enum), each configured in every case (not only
  under one ``Fn::If`` branch);
* protects both directions for every entry it lists: the effective input action and the
  effective output action are ``BLOCK`` or ``ANONYMIZE``, and ``InputEnabled`` / ``OutputEnabled``
  are not ``false``.

``Action`` vs ``InputAction`` / ``OutputAction`` (schema ``PiiEntityConfig``): ``Action`` is the
required original field and applies to both directions; the later optional ``InputAction`` /
``OutputAction`` override it for one direction (all three take ``BLOCK``, ``ANONYMIZE``,
``NONE``). So the effective input action is ``InputAction`` when set, else ``Action``; likewise
for output. ``NONE`` only reports the detection in the trace. A direction with ``...Enabled:
false`` is not evaluated at all, so it does not protect whatever its action says.

Choice for the credential types: ``ANONYMIZE`` is accepted on output as well as ``BLOCK`` (the
catalog row allows both). Masking replaces the detected value with its type tag
(``{AWS_SECRET_KEY}``), so the secret itself never reaches the caller either way; ``BLOCK`` only
additionally withholds the rest of the response, which is a product decision rather than a
confidentiality difference. Both depend on the same detection.

``RegexesConfig`` (custom patterns) is optional and not judged.

Findings are granular: ``AISEC-APP-03[PiiEntitiesConfig]`` when the list is missing, empty,
unresolvable or holds an entry whose type cannot be read; ``AISEC-APP-03[AWS_SECRET_KEY]`` (the
entity type) for a missing credential type or an entity whose actions do not protect. A template
without any guardrail is reported by AISEC-APP-01, not here.
"""
from typing import Dict, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import Value, is_false
from ._guardrail import (GUARDRAIL, PII_PATH, Entry, by_type, field_values, note, show, unknown_entry,
                         variant_problem, variants)

REQUIRED = ("AWS_ACCESS_KEY", "AWS_SECRET_KEY", "PASSWORD")
PROTECTING = {"BLOCK", "ANONYMIZE"}
WHERE = "SensitiveInformationPolicyConfig.PiiEntitiesConfig"
LIST_DETAIL = "PiiEntitiesConfig"


def check(ctx: Context) -> Iterator[Violation]:
    for guardrail in ctx.template.of_type(GUARDRAIL):
        problems: Dict[str, List[str]] = {}

        def add(detail: str, text: str) -> None:
            problems.setdefault(detail, []).append(text)  # noqa: B023 (called only in this iteration)

        for variant in variants(ctx, guardrail, PII_PATH):
            if variant.state != "list":
                add(LIST_DETAIL, variant_problem(variant, "PII entity filter"))
                continue
            if variant.empty:
                add(LIST_DETAIL, f"{WHERE} is empty{note(variant.origin)}")
                continue
            groups = by_type(ctx, variant)
            untyped = groups.pop("*", None)
            if untyped is not None:
                for entry in untyped.untyped:
                    add(LIST_DETAIL, unknown_entry(ctx, entry, WHERE))
                    if entry.known:
                        for text in judge_entity(ctx, entry, f"{WHERE}[{entry.index}]"):
                            add(LIST_DETAIL, text)
            for kind in REQUIRED:
                coverage = groups.get(kind)
                if coverage is None:
                    add(kind, f"{WHERE} has no {kind} entity{note(variant.origin)}")
                elif not coverage.unconditional:
                    add(kind, f"{WHERE}[{kind}] is conditional (Fn::If) and missing in some case"
                              f"{note(variant.origin)}; it must be configured in every case")
            for kind in sorted(groups):
                for entry in groups[kind].entries:
                    for text in judge_entity(ctx, entry, f"{WHERE}[{kind}]"):
                        add(_detail(kind), text)
        for detail, texts in problems.items():
            text = "; ".join(dict.fromkeys(texts))
            if detail == LIST_DETAIL:
                expectation = (f"The guardrail must mask or block PII and credentials: list PII entities including "
                               f"{', '.join(REQUIRED)} with action BLOCK or ANONYMIZE.")
            elif detail in REQUIRED:
                expectation = (f"{detail} must be listed with BLOCK or ANONYMIZE on input and output, so the "
                               "credential is neither passed to nor returned by the model.")
            else:
                expectation = "Each PII entity must be BLOCK or ANONYMIZE on both input and output."
            yield Violation(guardrail.logical_id, f"{text}. {expectation}", detail)


def _detail(kind: str) -> str:
    """Entity type names are upper-case words; keep details free of whitespace and brackets."""
    cleaned = "".join(ch for ch in kind if not ch.isspace() and ch not in "[]")
    return cleaned or LIST_DETAIL


def judge_entity(ctx: Context, entry: Entry, label: str) -> List[str]:
    """Problems of one PII entity: a direction disabled, or its effective action not protecting."""
    problems: List[str] = []
    for direction in ("Input", "Output"):
        side = "prompts" if direction == "Input" else "model responses"
        for value in field_values(ctx, entry, f"{direction}Enabled"):
            prop = f"{label}.{direction}Enabled"
            if not value.known:
                problems.append(f"{prop} cannot be verified at synth time{note(value.origin)} (must not be false)")
            elif is_false(value.raw):
                problems.append(f"{prop} is false{note(value.origin)}, so {side} are not checked for this entity")
        for prop, value in _effective_actions(ctx, entry, direction):
            where = f"{label}.{prop}"
            if not value.known:
                problems.append(f"{where} cannot be verified at synth time{note(value.origin)} "
                                "(must be BLOCK or ANONYMIZE)")
            elif value.missing:
                problems.append(f"{label} sets neither {direction}Action nor Action{note(value.origin)} "
                                "(must be BLOCK or ANONYMIZE)")
            elif not (isinstance(value.raw, str) and value.raw.strip().upper() in PROTECTING):
                inherited = "" if prop != "Action" else f" and {direction}Action is not set"
                problems.append(f"{where} is {show(value.raw)}{note(value.origin)}{inherited}, so {side} "
                                "keep the value (must be BLOCK or ANONYMIZE)")
    return problems


def _effective_actions(ctx: Context, entry: Entry, direction: str) -> List[tuple]:
    """(property name, value) pairs of the action that applies to ``direction``: the
    direction's own action where set, else ``Action``."""
    result = []
    for value in field_values(ctx, entry, f"{direction}Action"):
        if value.known and value.missing:
            for fallback in field_values(ctx, entry, "Action"):
                origin = "; ".join(o for o in (value.origin, fallback.origin) if o)
                result.append(("Action", Value(fallback.raw, fallback.known, origin)))
        else:
            result.append((f"{direction}Action", value))
    return result


RULE = Rule(
    id="AISEC-APP-03",
    prowler_aisf=("AISF-AI-03",),
    aiml_assessment=("BR-26", "FS-45: PII entities blocked or anonymized, not the financial entity list"),
    title="PII and secret filter",
    layer=Layer.APPLICATION,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM02",),
    passes="Every `AWS::Bedrock::Guardrail` lists PII entities in "
           "`SensitiveInformationPolicyConfig.PiiEntitiesConfig`, "
           "including `AWS_ACCESS_KEY`, `AWS_SECRET_KEY` and `PASSWORD`, and each entity is `BLOCK` or `ANONYMIZE` "
           "on both input and output.",
    remediation="Add a sensitive-information policy to the guardrail: PII entities for at least AWS_ACCESS_KEY, "
                "AWS_SECRET_KEY and PASSWORD (plus the personal data your application handles) with `Action` BLOCK "
                "or ANONYMIZE, and do not override `InputAction`/`OutputAction` to NONE or disable a direction.",
    construct="aisec_constructs.application.Guardrail",
    check=check,
    judges=(GUARDRAIL,),
    services={Service.BEDROCK},
)
