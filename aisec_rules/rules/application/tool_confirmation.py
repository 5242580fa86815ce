"""AISEC-APP-11: agent tools that change things ask the user to confirm before they run.

For every action group of every ``AWS::Bedrock::Agent`` (``ActionGroups[]``) whose executor is not
``ActionGroupExecutor.CustomControl: RETURN_CONTROL`` (with return of control the application runs the
action itself and owns the confirmation) and whose ``ActionGroupState`` is not ``DISABLED``:

* **Function schemas** (``FunctionSchema.Functions[]``): a function whose ``Name`` starts with a mutating
  verb must set ``RequireConfirmation: ENABLED`` (the schema's ``RequireConfirmation`` enum is ``ENABLED`` /
  ``DISABLED``; absent means disabled). Detail ``Function::<action group>/<function>``.
* **OpenAPI schemas** given inline (``ApiSchema.Payload``, JSON or YAML, ``Fn::Sub`` rendered with
  placeholders): an operation with method ``POST``, ``PUT``, ``PATCH`` or ``DELETE``, or whose
  ``operationId`` starts with a mutating verb, must set ``x-requireConfirmation: ENABLED`` (the OpenAPI
  extension Bedrock documents for user confirmation). Detail ``Operation::<action group>/<method>:<path>``.
  A schema in S3 (``ApiSchema.S3``) cannot be read at synth time and is not judged (documented skip); an
  inline payload that does not parse is reported (detail ``ActionGroup::<name>``), as is an
  ``ActionGroups`` list the template cannot resolve (detail ``ActionGroups``).

The naming convention (decided for this library; the catalog asks for a "name allow-list"): the name
begins with one of :data:`MUTATING_VERBS` — create, update, delete, put, send, pay, transfer, write,
remove — compared case-insensitively, as a whole word: the verb is the whole name or is followed by a
non-letter (``delete_user``, ``send-email``, ``write2``) or by an upper-case letter (``createOrder``,
``PayInvoice``). So ``payload_summary`` and ``Updates`` are not mutating, while ``PAYLOAD`` (all capitals)
is: acknowledge such a false positive with a reason. A mutating function whose name hides the verb
(``createorder``, ``make_payment``) is not recognized: mark it with ``mutating=True`` in the aisec
``Agent`` construct, which sets ``RequireConfirmation: ENABLED`` for it.
"""
import json
import re
from typing import Any, Iterator, Optional

import yaml

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING
from ._app import note, possibilities, upper

MUTATING_VERBS = ("create", "update", "delete", "put", "send", "pay", "transfer", "write", "remove")
MUTATING_METHODS = ("post", "put", "patch", "delete")
_VERB = re.compile("(" + "|".join(MUTATING_VERBS) + ")", re.IGNORECASE)


def is_mutating_name(name: Any) -> bool:
    """True when ``name`` begins with a mutating verb as a whole word (see the module docstring)."""
    if not isinstance(name, str):
        return False
    match = _VERB.match(name)
    if not match:
        return False
    rest = name[match.end():]
    return rest == "" or not rest[0].isalpha() or rest[0].isupper()


def check(ctx: Context) -> Iterator[Violation]:
    for agent in ctx.template.of_type("AWS::Bedrock::Agent"):
        for groups in possibilities(ctx, agent.prop("ActionGroups")):
            if not groups.known:
                yield Violation(agent.logical_id, f"ActionGroups cannot be verified at synth time{note(groups.origin)}, "
                                "so its mutating functions cannot be checked for RequireConfirmation.", "ActionGroups")
                continue
            if not isinstance(groups.raw, list):
                continue
            for index, item in enumerate(groups.raw):
                for group in possibilities(ctx, item, groups.origin):
                    if group.known and isinstance(group.raw, dict):
                        yield from _group(ctx, agent.logical_id, group.raw, index, group.origin)


def _returns_control(ctx: Context, group: dict, origin: str) -> bool:
    for executor in possibilities(ctx, group.get("ActionGroupExecutor", MISSING), origin):
        if not (executor.known and isinstance(executor.raw, dict)):
            return False
        controls = possibilities(ctx, executor.raw.get("CustomControl", MISSING), executor.origin)
        if not all(upper(c) == "RETURN_CONTROL" for c in controls):
            return False
    return True


def _group(ctx: Context, agent: str, group: dict, index: int, origin: str) -> Iterator[Violation]:
    name = group.get("ActionGroupName")
    label = name if isinstance(name, str) else f"#{index}"
    if _returns_control(ctx, group, origin):
        return
    if all(upper(s) == "DISABLED" for s in possibilities(ctx, group.get("ActionGroupState", MISSING), origin)):
        return
    for schema in possibilities(ctx, group.get("FunctionSchema", MISSING), origin):
        functions = schema.raw.get("Functions", MISSING) if schema.known and isinstance(schema.raw, dict) else MISSING
        for listing in possibilities(ctx, functions, schema.origin):
            if not (listing.known and isinstance(listing.raw, list)):
                continue
            for function in listing.raw:
                if not isinstance(function, dict) or not is_mutating_name(function.get("Name")):
                    continue
                problems = [f"RequireConfirmation is {'not set' if v.missing else v.raw}{note(v.origin)}"
                            if v.known else f"RequireConfirmation cannot be verified at synth time{note(v.origin)}"
                            for v in possibilities(ctx, function.get("RequireConfirmation", MISSING), listing.origin)
                            if upper(v) != "ENABLED"]
                if problems:
                    fname = function["Name"]
                    yield Violation(agent, f"Action group {label} function {fname} changes state (its name starts "
                                    f"with a mutating verb) but {'; '.join(dict.fromkeys(problems))}. Set "
                                    "RequireConfirmation: ENABLED so that the user approves each call, or return "
                                    "control to the application (CustomControl: RETURN_CONTROL).",
                                    f"Function::{label}/{fname}")
    for api in possibilities(ctx, group.get("ApiSchema", MISSING), origin):
        if not (api.known and isinstance(api.raw, dict)) or "Payload" not in api.raw:
            continue
        for payload in possibilities(ctx, api.raw["Payload"], api.origin):
            text = payload.raw if payload.known and isinstance(payload.raw, str) else (
                None if payload.known else ctx.template.text(payload.raw))
            document = _parse(text)
            if not isinstance(document, dict):
                yield Violation(agent, f"Action group {label} ApiSchema.Payload cannot be read as an OpenAPI "
                                f"document at synth time{note(payload.origin)}, so its mutating operations cannot be "
                                "checked for x-requireConfirmation.", f"ActionGroup::{label}")
                continue
            yield from _operations(agent, label, document)


def _parse(text: Optional[str]) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _operations(agent: str, label: str, document: dict) -> Iterator[Violation]:
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if not isinstance(operation, dict) or not isinstance(method, str):
                continue
            mutating = method.lower() in MUTATING_METHODS or is_mutating_name(operation.get("operationId"))
            if not mutating:
                continue
            flag = operation.get("x-requireConfirmation")
            if not (isinstance(flag, str) and flag.strip().upper() == "ENABLED"):
                shown = "not set" if flag is None else f"is {flag}"
                yield Violation(agent, f"Action group {label} operation {method.upper()} {path} changes state but "
                                f"x-requireConfirmation is {shown}. Set x-requireConfirmation: ENABLED on the "
                                "operation so that the user approves each call.",
                                f"Operation::{label}/{method.upper()}:{path}")


RULE = Rule(
    id="AISEC-APP-11",
    prowler_aisf=("AISF-AGENT-05: confirmation on Bedrock agents' mutating functions",),
    title="Human confirmation for mutating tools",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM06", "T2"),
    passes="Every agent function whose name starts with create/update/delete/put/send/pay/transfer/write/remove "
           "sets `RequireConfirmation: ENABLED`, and every inline OpenAPI operation that is `POST`/`PUT`/`PATCH`/"
           "`DELETE` sets `x-requireConfirmation: ENABLED`, unless the action group returns control.",
    remediation="Set `RequireConfirmation: ENABLED` on functions that change state (or `x-requireConfirmation: "
                "ENABLED` on OpenAPI operations), or use `CustomControl: RETURN_CONTROL` and confirm in the "
                "application.",
    construct="aisec_constructs.application.Agent (ActionGroupFunction(mutating=True))",
    check=check,
    judges=("AWS::Bedrock::Agent",),
)
