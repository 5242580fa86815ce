"""AISEC-DATA-12: vector stores grant data access only to named principals, never to everyone.

Amazon OpenSearch Serverless does not check KMS permissions on reads: the data access policy is
the only boundary around the embeddings (which leak the source text). Two resource types are
judged:

* ``AWS::OpenSearchServerless::AccessPolicy`` (schema: ``Type`` enum is only ``data``; ``Policy``
  is a JSON *string*). The policy is a list of ``{"Rules": [{"ResourceType", "Resource",
  "Permission"}], "Principal": [...]}`` objects. CDK usually builds the string with
  ``Fn::Join``/``Fn::Sub``; it is rendered with ``Template.text`` (references become
  ``${Role.Arn}`` placeholders inside the JSON strings) and parsed. A policy that cannot be
  rendered or parsed is reported as "cannot be verified". A literal list/object ``Policy`` (a
  YAML template written by hand) is read as the parsed document.

  - Fail ``Principal::<principal>`` for every principal that is ``*`` or contains a ``*``
    (``arn:aws:iam::123456789012:role/*`` grants every role of the account). A ``${Param}``
    placeholder naming a template parameter is judged by the parameter's default; without a
    default the principal cannot be verified.
  - Fail ``Principal::<principal>`` for the account root (``arn:aws:iam::<account>:root``, a bare
    account id): it admits every identity of the account.
  - Fail ``Permission::aoss:*`` for a rule granting ``aoss:*`` (or ``*``, ``aoss*:*``) on any
    index or collection, named or not (on ``index/*/*`` or ``collection/*`` that is every
    collection of the account, including ones created later). Listed permissions pass, also on
    ``index/*/*``.

* ``AWS::S3Vectors::VectorBucketPolicy`` (schema: ``Policy`` is an object or a JSON string, an
  IAM-style resource policy). Fail ``Principal::*`` for an ``Allow`` statement whose
  ``Principal`` is ``*`` or ``{"AWS": "*"}`` (or a list containing ``*``), or an ``Allow`` with
  ``NotPrincipal`` (everyone except the named principals). Conditions are not evaluated: a
  statement that limits ``*`` with ``aws:PrincipalOrgID`` or ``aws:SourceVpce`` is still
  reported, and is acknowledged with that reason.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator, List, Optional, Tuple

from ...read import iam
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, Value, as_list

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_:.@]+)\}")


def _account_root(principal: str) -> bool:
    """``arn:aws:iam::123456789012:root`` (also with ``${AWS::AccountId}``) or a bare account id."""
    text = principal.strip()
    return (text.startswith("arn:") and text.endswith(":root") and ":iam::" in text) or \
        (len(text) == 12 and text.isdigit()) or text == "${AWS::AccountId}"


def check(ctx: Context) -> Iterator[Violation]:
    for policy in ctx.template.of_type("AWS::OpenSearchServerless::AccessPolicy"):
        yield from _aoss_policy(ctx, policy)
    for policy in ctx.template.of_type("AWS::S3Vectors::VectorBucketPolicy"):
        yield from _vector_bucket_policy(ctx, policy)


# -- shared -------------------------------------------------------------------------------------

def _documents(ctx: Context, raw: Any) -> Iterator[Tuple[Any, str, Optional[str]]]:
    """Each possibility of a policy property as (parsed document, note, problem)."""
    for value in ctx.template.resolve(raw):
        if value.missing:
            continue  # no policy in this branch: nothing is granted
        if value.known and isinstance(value.raw, (list, dict)):
            yield value.raw, value.note(), None
            continue
        text = value.raw if value.known and isinstance(value.raw, str) else ctx.template.text(value.raw)
        if text is None:
            yield None, value.note(), "it is not a string the template can show"
            continue
        try:
            yield json.loads(text), value.note(), None
        except json.JSONDecodeError as error:
            yield None, value.note(), f"it is not valid JSON ({error.msg})"


def _detail(text: str) -> str:
    return re.sub(r"[\s\[\]]+", "_", text)


def _expand_parameters(ctx: Context, text: str) -> Tuple[str, str, List[str]]:
    """Replace ``${Param}`` placeholders by the parameter defaults; return the text, an origin
    note and the parameters that have no usable default."""
    notes: List[str] = []
    unknown: List[str] = []

    def replace(match: "re.Match[str]") -> str:
        name = match.group(1)
        param = ctx.template.parameters.get(name)
        if not isinstance(param, dict):
            return match.group(0)  # a resource attribute or pseudo parameter: a concrete ARN
        default = param.get("Default")
        if isinstance(default, str):
            notes.append(f"from the default of parameter {name}")
            return default
        unknown.append(name)
        return match.group(0)

    expanded = _PLACEHOLDER.sub(replace, text)
    return expanded, (f" ({'; '.join(notes)})" if notes else ""), unknown


# -- OpenSearch Serverless ----------------------------------------------------------------------

def _aoss_policy(ctx: Context, policy: Resource) -> Iterator[Violation]:
    kinds = ctx.template.resolve(policy.prop("Type"))
    if kinds and all(k.known and isinstance(k.raw, str) and k.raw != "data" for k in kinds):
        return  # not a data access policy (the schema allows only "data" today)
    for document, note, problem in _documents(ctx, policy.prop("Policy")):
        if problem:
            yield Violation(policy.logical_id,
                            f"Policy cannot be verified at synth time{note}: {problem}; the data access policy "
                            "must name explicit principals and scoped collections")
            continue
        entries = document if isinstance(document, list) else [document]
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                yield Violation(policy.logical_id,
                                f"Policy[{index}] is not a policy object{note}; it cannot be verified")
                continue
            yield from _aoss_principals(ctx, policy, index, entry, note)
            yield from _aoss_rules(policy, index, entry, note)


def _aoss_principals(ctx: Context, policy: Resource, index: int, entry: dict, note: str) -> Iterator[Violation]:
    for principal in as_list(entry.get("Principal", MISSING)):
        if not isinstance(principal, str):
            continue
        expanded, origin, unknown = _expand_parameters(ctx, principal)
        if "*" in expanded:
            yield Violation(policy.logical_id,
                            f"Policy[{index}].Principal includes {expanded!r}{note}{origin}; grant data access to "
                            "explicit role or user ARNs, never to a wildcard",
                            f"Principal::{_detail(expanded)}")
        elif _account_root(expanded):
            yield Violation(policy.logical_id,
                            f"Policy[{index}].Principal includes the account root {expanded!r}{note}{origin}, which "
                            "admits every identity of the account; grant data access to explicit role or user ARNs",
                            f"Principal::{_detail(expanded)}")
        elif unknown:
            yield Violation(policy.logical_id,
                            f"Policy[{index}].Principal {principal!r} cannot be verified at synth time (parameter "
                            f"{', '.join(unknown)} has no default){note}; it must be an explicit role or user ARN",
                            f"Principal::{_detail(principal)}")


def _aoss_rules(policy: Resource, index: int, entry: dict, note: str) -> Iterator[Violation]:
    for rule_index, rule in enumerate(as_list(entry.get("Rules", MISSING))):
        if not isinstance(rule, dict):
            continue
        permissions = [p for p in as_list(rule.get("Permission", MISSING)) if isinstance(p, str)]
        broad = next((p for p in permissions if iam.is_service_wildcard(p, ("aoss",))), None)
        if broad is None:
            continue
        resources = [r for r in as_list(rule.get("Resource", MISSING)) if isinstance(r, str)]
        every = any(_every_collection(r) for r in resources)
        scope = "every collection of the account, including future ones" if every else "every operation on its data"
        yield Violation(policy.logical_id,
                        f"Policy[{index}].Rules[{rule_index}] grants {broad} on {', '.join(map(repr, resources)) or 'its resources'}"
                        f"{note} ({scope}); name the collections and grant only the permissions the principal uses "
                        "(e.g. aoss:ReadDocument)",
                        "Permission::aoss:*")


def _every_collection(pattern: str) -> bool:
    parts = pattern.strip().split("/")
    if len(parts) < 2 or parts[0].lower() not in ("index", "collection"):
        return False
    return parts[1] != "" and set(parts[1]) == {"*"}


# -- S3 Vectors ---------------------------------------------------------------------------------

def _vector_bucket_policy(ctx: Context, policy: Resource) -> Iterator[Violation]:
    for document, note, problem in _documents(ctx, policy.prop("Policy")):
        if problem:
            yield Violation(policy.logical_id,
                            f"Policy cannot be verified at synth time{note}: {problem}; no Allow statement may "
                            "have Principal \"*\"")
            continue
        statements = document.get("Statement", MISSING) if isinstance(document, dict) else MISSING
        for index, statement in enumerate(as_list(statements)):
            if not isinstance(statement, dict) or not _is_allow(ctx, statement.get("Effect")):
                continue
            public = _public_principal(ctx, statement.get("Principal", MISSING))
            if public is not None:
                yield Violation(policy.logical_id,
                                f"Policy.Statement[{index}] allows Principal \"*\"{note}{public.note()}; name the "
                                "roles that may read or write vectors",
                                "Principal::*")
            elif "NotPrincipal" in statement:
                yield Violation(policy.logical_id,
                                f"Policy.Statement[{index}] allows everyone except its NotPrincipal{note}; name the "
                                "roles that may read or write vectors",
                                "Principal::*")


def _is_allow(ctx: Context, effect: Any) -> bool:
    return any(v.known and v.raw == "Allow" for v in ctx.template.resolve(effect))


def _public_principal(ctx: Context, principal: Any) -> Optional[Value]:
    """The literal possibility that makes a principal public (``*`` or ``{"AWS": "*"}``), or None."""
    for value in ctx.template.resolve(principal):
        if not value.known:
            continue
        candidates = [value]
        if isinstance(value.raw, dict) and "AWS" in value.raw:
            candidates = [Value(v.raw, v.known, v.origin or value.origin)
                          for v in ctx.template.resolve(value.raw["AWS"])]
        for candidate in candidates:
            if not candidate.known:
                continue
            for item in as_list(candidate.raw):
                for literal in ctx.template.resolve(item):
                    if literal.known and literal.raw == "*":
                        return Value(literal.raw, True, literal.origin or candidate.origin)
    return None


RULE = Rule(
    id="AISEC-DATA-12",
    title="Vector store access is least privilege",
    layer=Layer.DATA,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.CONNECTS},
    severity=Severity.HIGH,
    risks=("LLM08",),
    passes="`AWS::OpenSearchServerless::AccessPolicy` data policies name explicit principals (no `*` in any "
           "principal, no account root) and list permissions (no `aoss:*` or `*` on any index or collection, named or "
           "not); `AWS::S3Vectors::VectorBucketPolicy` has no `Allow` statement for `Principal: \"*\"`.",
    remediation="List the knowledge base and application role ARNs as principals, scope rules to the collection "
                "(`collection/<name>`, `index/<name>/*`) and to the permissions each role uses; in vector bucket "
                "policies name the roles instead of `*`.",
    construct="aisec_constructs.data.OpenSearchVectorCollection (grant_data_access), S3VectorStore",
    check=check,
    judges=("AWS::OpenSearchServerless::AccessPolicy", "AWS::S3Vectors::VectorBucketPolicy"),
)
