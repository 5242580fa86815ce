"""The organization policies of a system, read for the environment being judged (AISEC-APP-09, AISEC-APP-33).

An ``AWS::Organizations::Policy`` usually sits in the management account's stack: another environment of
the same system, seen through ``Context.system_of_type``. Its values resolve in its own environment's view.

It **applies** to the environment being judged when its ``TargetIds`` (every ``Fn::If`` branch, parameter
defaults) name a root (``r-...``), an OU (``ou-...``), or this environment's account; any account when this
environment's account is unknown (environment-agnostic stacks). Which accounts an OU holds is organization
data that no template shows, so an OU is taken to hold the account. A ``Ref`` or ``Fn::GetAtt`` to an
``AWS::Organizations::OrganizationalUnit`` counts as an OU, one to an ``AWS::Organizations::Organization``
as the root; any other intrinsic cannot be verified, and the policy then does not count. A service control
policy never applies to the management account itself (the account of the environment that declares it):
AWS Organizations exempts that account from SCPs.

Contents (``Content``: an object, or a JSON string) are read with :func:`contents`; the Bedrock policy
(AWS Organizations user guide, "Amazon Bedrock policy syntax and examples") with :func:`bedrock_problems`
and the AI services opt-out policy ("AI services opt-out policy syntax and examples") with
:func:`opt_out_problems`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

from ...context import Context
from ...read.stack import stack_name_of
from ...read.template import MISSING, Resource, Template, dig
from ...system.environments import account_and_region, describe_environment

POLICY = "AWS::Organizations::Policy"
SCP = "SERVICE_CONTROL_POLICY"
BEDROCK = "BEDROCK_POLICY"
OPT_OUT = "AISERVICES_OPT_OUT_POLICY"
_ROOT_OR_OU = {"AWS::Organizations::OrganizationalUnit", "AWS::Organizations::Organization"}
_ACCOUNT_ID = re.compile(r"\d{12}")


@dataclass(frozen=True)
class OrgPolicy:
    """One organization policy of the system: the environment that declares it, that environment's view,
    the resource and its type."""

    environment: str
    view: Template
    resource: Resource
    kind: str

    @property
    def name(self) -> str:
        """``Scp of stack OrganizationBaseline (aws://111111111111/us-east-1)``"""
        path, logical_id = self.view.origin(self.resource.logical_id)
        return f"{logical_id} of stack {stack_name_of(path)} ({describe_environment(self.environment)})"


def policies(ctx: Context, kind: str) -> List[OrgPolicy]:
    """The system's organization policies whose ``Type`` may be ``kind``."""
    found = []
    for environment, view, resource in ctx.system_of_type(POLICY):
        if any(v.known and isinstance(v.raw, str) and v.raw.strip().upper() == kind
               for v in view.resolve(resource.prop("Type"))):
            found.append(OrgPolicy(environment, view, resource, kind))
    return found


def why_not_applying(ctx: Context, policy: OrgPolicy) -> str:
    """Why ``policy`` does not reach the environment being judged, or "" when it does."""
    account, _ = account_and_region(ctx.environment)
    if policy.kind == SCP and account is not None and account == account_and_region(policy.environment)[0]:
        return "service control policies do not restrict the management account, and this environment is that account"
    view = policy.view
    for targets in view.resolve(policy.resource.prop("TargetIds")):
        if not targets.known:
            return f"its TargetIds cannot be verified at synth time{targets.note()}"
        items = targets.raw if isinstance(targets.raw, list) else ([] if targets.missing else [targets.raw])
        others: List[str] = []
        unknown: List[str] = []
        reaches = False
        for item in items:
            for target in view.resolve(item):
                if target.known and isinstance(target.raw, str):
                    text = target.raw.strip()
                    if text.startswith(("r-", "ou-")) or text == account or (
                            account is None and _ACCOUNT_ID.fullmatch(text)):
                        reaches = True
                    else:
                        others.append(text)
                elif not target.missing:
                    referenced = view.target(target.raw)
                    if referenced is not None and referenced.type in _ROOT_OR_OU:
                        reaches = True
                    else:
                        unknown.append(view.text(target.raw) or "an intrinsic")
        if reaches:
            continue
        if unknown:
            return f"its TargetIds cannot be verified at synth time ({', '.join(unknown)}){targets.note()}"
        if others:
            whom = f"not to account {account}" if account else "none of them a root, an OU or an account id"
            return f"it is attached only to {', '.join(others)}, {whom}{targets.note()}"
        return f"it is attached to nothing (no TargetIds){targets.note()}"
    return ""


def applying(ctx: Context, kind: str) -> Tuple[List[OrgPolicy], List[str]]:
    """The system's policies of ``kind`` that reach this environment, and for the others why not."""
    reach, notes = [], []
    for policy in policies(ctx, kind):
        why = why_not_applying(ctx, policy)
        if why:
            notes.append(f"{policy.name} does not apply here: {why}")
        else:
            reach.append(policy)
    return reach, notes


def contents(policy: OrgPolicy) -> Tuple[List[dict], List[str]]:
    """Each possibility of the policy's ``Content`` as an object, and why the others cannot be read."""
    view = policy.view
    documents: List[dict] = []
    problems: List[str] = []
    for value in view.resolve(policy.resource.prop("Content")):
        raw = value.raw if value.known else view.text(value.raw)  # a Fn::Join / Fn::Sub string: placeholders stay
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except (ValueError, RecursionError):
                raw = None
        if isinstance(raw, dict):
            documents.append(raw)
        else:
            problems.append(f"its Content cannot be read as a policy document at synth time{value.note()}")
    return documents, problems


def assigned(view: Template, node: Any) -> Any:
    """The value an ``{"@@assign": ...}`` node sets: a literal, the text of an intrinsic (references as
    ``${...}``), or None when absent or unreadable."""
    value = dig(node, "@@assign")
    if value is MISSING:
        return None
    resolved = view.resolve(value)
    if len(resolved) == 1 and resolved[0].known:
        return resolved[0].raw
    return view.text(value)


def _entries(node: Any) -> List[Tuple[str, Any]]:
    """The named children of a management-policy node (``@@`` operators left out)."""
    return [(k, v) for k, v in node.items() if isinstance(k, str) and not k.startswith("@@")] \
        if isinstance(node, dict) else []


def bedrock_problems(ctx: Context, policy: OrgPolicy) -> List[str]:
    """What keeps a Bedrock policy from enforcing a pinned guardrail on every user message, for every
    model, in this environment's Region (every Region it names when the Region is unknown)."""
    _, region = account_and_region(ctx.environment)
    documents, problems = contents(policy)
    for document in documents:
        inference = dig(document, "bedrock", "guardrail_inference")
        regions = [region] if region else [name for name, _ in _entries(inference)]
        if not regions:
            problems.append("it enforces no guardrail (no bedrock.guardrail_inference.<region>)")
        for name in regions:
            configs = _entries(dig(inference, name))
            if not configs:
                problems.append(f"it enforces no guardrail in {name}")
            for config_name, config in configs:
                problems += [f"{name}.{config_name}: {p}" for p in _config_problems(policy.view, config)]
    return problems


def _config_problems(view: Template, config: Any) -> List[str]:
    problems = []
    identifier = assigned(view, dig(config, "identifier"))
    version = identifier.rsplit(":", 1)[1] if isinstance(identifier, str) and ":" in identifier else None
    if not isinstance(identifier, str):
        problems.append(f"identifier is {_unset(config, 'identifier')} (the guardrail ARN followed by :<version>)")
    elif version is None or not _pinned(view, version):
        problems.append(f"identifier {identifier} does not end in a published version number (:1, :2, ...)")
    messages = assigned(view, dig(config, "selective_content_guarding", "messages"))
    tags = assigned(view, dig(config, "input_tags"))
    if not (_lower(messages) == "comprehensive" or (messages is None and _lower(tags) == "ignore")):
        shown = messages if messages is not None else _unset(config, "selective_content_guarding", "messages")
        problems.append(f"user messages may be guarded only where the caller tags them (selective_content_guarding."
                        f"messages is {shown}; set it to comprehensive)")
    enforcement = dig(config, "model_enforcement")
    if enforcement is not MISSING:
        included = assigned(view, dig(enforcement, "included_models"))
        if not (isinstance(included, list) and any(_lower(i) == "all" for i in included)):
            problems.append(f"model_enforcement.included_models is {included}, not [ALL]")
        excluded = assigned(view, dig(enforcement, "excluded_models"))
        if excluded:
            problems.append(f"model_enforcement.excluded_models leaves {excluded} unguarded")
    return problems


def _unset(node: Any, *path: str) -> str:
    """How to name an ``@@assign`` that :func:`assigned` could not give: absent, or not readable."""
    return "not set" if dig(node, *path, "@@assign") is MISSING else "not readable at synth time"


def _pinned(view: Template, version: str) -> bool:
    """A published version number, or a reference to the ``Version`` of an ``AWS::Bedrock::GuardrailVersion``."""
    if re.fullmatch(r"[1-9][0-9]*", version):
        return True
    match = re.fullmatch(r"\$\{([A-Za-z0-9]+)\.Version\}", version)
    referenced = view.get(match.group(1)) if match else None
    return referenced is not None and referenced.type == "AWS::Bedrock::GuardrailVersion"


def _lower(value: Any) -> Optional[str]:
    return value.strip().lower() if isinstance(value, str) else None


def opt_out_problems(policy: OrgPolicy) -> List[str]:
    """What keeps an AI services opt-out policy from opting every AI service out (values are case-sensitive:
    ``optOut``, ``optIn``)."""
    documents, problems = contents(policy)
    for document in documents:
        services = dig(document, "services")
        default = assigned(policy.view, dig(services, "default", "opt_out_policy"))
        if default != "optOut":
            problems.append(f"services.default.opt_out_policy is {default if default is not None else 'not set'}, "
                            "not optOut (every AI service, present and future)")
        for service, entry in _entries(services):
            if service != "default" and assigned(policy.view, dig(entry, "opt_out_policy")) == "optIn":
                problems.append(f"it opts {service} in")
    return problems
