"""AISEC-INF-20: the entry point of an AI workload rejects oversized prompts before they reach the model.

A prompt becomes tokens, and tokens are cost and latency: a body of megabytes is a denial-of-wallet request
(LLM10) and room for a long injected instruction. Judged: the public entry points AISEC-INF-10 recognises (see
``_entry``) that carry request bodies: REST API stages that are not private, internet-facing application load
balancers, public AppSync APIs and CloudFront distributions (a user pool's sign-in requests are not prompts).

An entry point passes when a WAF web ACL of the template in front of it blocks oversized bodies, with a rule
(directly, or in an ``AWS::WAFv2::RuleGroup`` of the template that a ``RuleGroupReferenceStatement`` names) that

* has ``Action.Block`` and a ``SizeConstraintStatement`` whose ``FieldToMatch`` is ``Body`` or ``JsonBody`` with
  ``ComparisonOperator`` ``GT`` or ``GE``, and that sees oversized bodies: ``OversizeHandling`` ``MATCH``, or
  ``CONTINUE`` (the default) with a ``Size`` within the inspection window (``GT``: below it, ``GE``: at most it).
  ``NO_MATCH`` lets every body past the window through. The window is 8 KB for load balancers and AppSync, and
  for API Gateway and CloudFront the ``AssociationConfig.RequestBody.<API_GATEWAY|CLOUDFRONT>.
  DefaultSizeInspectionLimit`` of the web ACL (``KB_16`` to ``KB_64``; 16 KB when absent);
* or is the AWS managed ``AWSManagedRulesCommonRuleSet`` with ``OverrideAction.None``, whose
  ``SizeRestrictions_BODY`` rule blocks bodies over 8 KB, unless that rule is in ``ExcludedRules`` or its
  ``RuleActionOverrides`` entry uses another action than ``Block``.

A REST API stage also passes when every method of its API that takes a body (``POST``, ``PUT``, ``PATCH``,
``ANY``) has a ``RequestValidatorId`` naming an ``AWS::ApiGateway::RequestValidator`` with
``ValidateRequestBody`` true and ``RequestModels`` naming an ``AWS::ApiGateway::Model`` whose ``Schema`` sets a
``maxLength`` (API Gateway then rejects a longer prompt with 400 before the integration runs). Methods defined in
an OpenAPI ``Body`` are not read.

One finding per entry point; a web ACL outside the template cannot be verified, and the finding says so.
Statements nested in ``And``/``Or``/``Not`` statements are not read.
"""
from __future__ import annotations

import json
from typing import Any, Iterator, List, Optional

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, Template, as_list
from . import _entry

METHOD = "AWS::ApiGateway::Method"
MODEL = "AWS::ApiGateway::Model"
VALIDATOR = "AWS::ApiGateway::RequestValidator"
#: entry points that carry request bodies (INF-10's, without user pools)
JUDGED = tuple(t for t in _entry.ENTRY_POINTS if t != _entry.USER_POOL)
COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet"
SIZE_RULE = "SizeRestrictions_BODY"
_FIXED_WINDOW = 8 * 1024  # load balancers and AppSync: not configurable
_LIMITS = {"KB_16": 16 * 1024, "KB_32": 32 * 1024, "KB_48": 48 * 1024, "KB_64": 64 * 1024}
_BODY_METHODS = ("POST", "PUT", "PATCH", "ANY")


def _literal(template: Template, value: Any) -> Optional[Any]:
    """The single literal a value takes, else None."""
    values = template.resolve(value)
    return values[0].raw if len(values) == 1 and values[0].known and not values[0].missing else None


def _window(template: Template, acl: Resource, entry: Resource) -> int:
    key = {_entry.STAGE: "API_GATEWAY", _entry.DISTRIBUTION: "CLOUDFRONT"}.get(entry.type)
    if key is None:
        return _FIXED_WINDOW
    limit = _literal(template, acl.prop("AssociationConfig", "RequestBody", key, "DefaultSizeInspectionLimit"))
    return _LIMITS.get(str(limit), 16 * 1024) if limit is not None else 16 * 1024


def _size_rule(template: Template, statement: dict, window: int) -> bool:
    """A SizeConstraintStatement that matches every body larger than its Size, oversized ones included."""
    size = statement.get("SizeConstraintStatement")
    if not isinstance(size, dict):
        return False
    field = size.get("FieldToMatch")
    part = next((field[k] for k in ("Body", "JsonBody") if isinstance(field, dict) and k in field), None)
    operator = _literal(template, size.get("ComparisonOperator", MISSING))
    limit = _literal(template, size.get("Size", MISSING))
    if part is None or operator not in ("GT", "GE") or not isinstance(limit, (int, float)) or isinstance(limit, bool):
        return False
    handling = _literal(template, part.get("OversizeHandling", "CONTINUE")) if isinstance(part, dict) else "CONTINUE"
    if handling == "MATCH":
        return True
    return handling == "CONTINUE" and (limit < window if operator == "GT" else limit <= window)


def _common_rule_set(template: Template, rule: dict, statement: dict) -> bool:
    group = statement.get("ManagedRuleGroupStatement")
    if not isinstance(group, dict) or _literal(template, group.get("Name", MISSING)) != COMMON_RULE_SET or \
            _literal(template, group.get("VendorName", MISSING)) != "AWS":
        return False
    override = rule.get("OverrideAction")
    if not (isinstance(override, dict) and "None" in override):
        return False  # Count (or no override action) turns every rule of the group into a count
    if any(isinstance(e, dict) and e.get("Name") == SIZE_RULE for e in as_list(group.get("ExcludedRules", []))):
        return False
    for item in as_list(group.get("RuleActionOverrides", [])):
        if isinstance(item, dict) and item.get("Name") == SIZE_RULE:
            action = item.get("ActionToUse")
            return isinstance(action, dict) and list(action) == ["Block"]
    return True


def _bounds(template: Template, rules: Any, window: int, depth: int = 0) -> bool:
    for rule in rules if isinstance(rules, list) else []:
        statement = rule.get("Statement") if isinstance(rule, dict) else None
        if not isinstance(statement, dict):
            continue
        action = rule.get("Action")
        if isinstance(action, dict) and "Block" in action and _size_rule(template, statement, window):
            return True
        if _common_rule_set(template, rule, statement):
            return True
        reference = statement.get("RuleGroupReferenceStatement")
        if isinstance(reference, dict) and depth == 0:
            group = template.target(reference.get("Arn", MISSING))
            if group is not None and group.type == _entry.RULE_GROUP and \
                    _bounds(template, group.prop("Rules"), window, 1):
                return True
    return False


def _waf(template: Template, entry: Resource) -> Optional[str]:
    """None when a web ACL in front of the entry point blocks oversized bodies, else what is missing."""
    acls = _entry.web_acls_of(template, entry)
    if not acls:
        return "no WAF web ACL is in front of it"
    outside = []
    for value in acls:
        acl = _entry.web_acl_resource(template, value)
        if acl is None:
            outside.append(template.text(value) or "(an intrinsic)")
        elif _bounds(template, acl.prop("Rules"), _window(template, acl, entry)):
            return None
    if outside:
        return f"its web ACL ({', '.join(outside)}) is outside this template and cannot be verified"
    return "its web ACL has no blocking SizeConstraintStatement on Body / JsonBody that sees oversized bodies " \
           "and no active AWSManagedRulesCommonRuleSet SizeRestrictions_BODY rule"


def _schema_bounded(template: Template, model: Resource) -> bool:
    for value in template.resolve(model.prop("Schema")):
        raw = value.raw
        if value.known and isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                return False
        if not (value.known and _has_max_length(raw, 0)):
            return False
    return True


def _has_max_length(node: Any, depth: int) -> bool:
    if depth > 32:
        return False
    if isinstance(node, dict):
        return "maxLength" in node or any(_has_max_length(v, depth + 1) for v in node.values())
    if isinstance(node, list):
        return any(_has_max_length(v, depth + 1) for v in node)
    return False


def _unbounded_methods(template: Template, stage: Resource) -> Optional[List[str]]:
    """The body-taking methods of the stage's API without a validated, length-bounded model (None when the API is
    not in the template or defines its methods in an OpenAPI body)."""
    api = template.target(stage.prop("RestApiId"))
    if api is None or api.type != _entry.REST_API or api.prop("Body") is not MISSING or \
            api.prop("BodyS3Location") is not MISSING:
        return None
    unbounded = []
    for method in template.of_type(METHOD):
        owner = template.target(method.prop("RestApiId"))
        verb = _literal(template, method.prop("HttpMethod"))
        if owner is None or owner.logical_id != api.logical_id or (isinstance(verb, str) and
                                                                   verb.upper() not in _BODY_METHODS):
            continue
        validator = template.target(method.prop("RequestValidatorId"))
        validated = validator is not None and validator.type == VALIDATOR and \
            _literal(template, validator.prop("ValidateRequestBody")) in (True, "true")
        models = method.prop("RequestModels")
        targets = [template.target(v) for v in (models.values() if isinstance(models, dict) else [])]
        bounded = bool(targets) and all(t is not None and t.type == MODEL and _schema_bounded(template, t)
                                        for t in targets)
        if not (validated and bounded):
            unbounded.append(method.logical_id)
    return sorted(unbounded)


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    for entry in _entry.entry_points(template):
        if entry.type not in JUDGED:
            continue
        missing = _waf(template, entry)
        if missing is None:
            continue
        if entry.type == _entry.STAGE:
            methods = _unbounded_methods(template, entry)
            if methods == []:
                continue
            models = "and its API's methods are defined outside the template or in an OpenAPI body" if methods is None \
                else f"and methods {', '.join(methods)} have no request model with maxLength checked by a request " \
                     "validator with ValidateRequestBody"
            yield Violation(entry.logical_id,
                            f"the REST API stage {entry.logical_id} accepts prompts of any size: {missing}, {models}. "
                            "Block oversized bodies with WAF (a SizeConstraintStatement on Body, or the AWS managed "
                            "common rule set's SizeRestrictions_BODY) or validate a request model with maxLength")
            continue
        yield Violation(entry.logical_id,
                        f"{entry.type} {entry.logical_id} accepts prompts of any size: {missing}. Add a web ACL rule "
                        "that blocks bodies larger than the prompts you expect (SizeConstraintStatement on Body with "
                        "OversizeHandling MATCH, or the AWS managed common rule set's SizeRestrictions_BODY)")


RULE = Rule(
    id="AISEC-INF-20",
    aiml_assessment=(
        "FS-01: a body-size limit on public entry points, by WAF or a validated request model",
        "FS-68: a WAF body size constraint or a validated request model with maxLength; the AWS common rule set's "
        "body size rule passes here, not in FS-68",
        "FS-69: oversized prompts are rejected at the entry point; the check looks for functions by name",
    ),
    title="Prompt size bounded at the entry point",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM10", "LLM01"),
    passes="Every public REST API stage, internet-facing ALB, public AppSync API and CloudFront distribution has a "
           "web ACL that blocks oversized bodies (a `Block` rule with a `SizeConstraintStatement` on `Body` / "
           "`JsonBody`, `GT`/`GE`, that sees bodies beyond the inspection window through `OversizeHandling: MATCH` "
           "or a `Size` within it; or the AWS managed common rule set with `SizeRestrictions_BODY` active), or, for a "
           "REST API, every method that takes a body validates a request model with `maxLength`.",
    remediation="Keep `SizeRestrictions_BODY` of `AWSManagedRulesCommonRuleSet` blocking (8 KB), or add a web ACL rule "
                "with `SizeConstraintStatement` on `Body` (`ComparisonOperator: GT`, the largest prompt you expect, "
                "`OversizeHandling: MATCH`) and `Action: Block`; on API Gateway, validate the body against a model whose "
                "prompt field has `maxLength`.",
    construct="aisec_constructs.application.SecureApi (the managed common rule set blocks bodies over 8 KB; "
              "request models from add_method(request_schema=...))",
    check=check,
    judges=JUDGED,
    reads=(_entry.USER_POOL, *_entry.WAF, METHOD, MODEL, VALIDATOR),  # entry_points lists user pools too
)
