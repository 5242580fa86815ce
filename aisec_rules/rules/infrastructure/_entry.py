"""Public entry points of an AI workload and the WAF web ACLs in front of them, shared by the WAF
(AISEC-INF-10) and throttling (AISEC-INF-11) rules.

Entry points that WAF can protect (regional ``AWS::WAFv2::WebACLAssociation`` or a CloudFront
``DistributionConfig.WebACLId``):

* ``AWS::ApiGateway::Stage`` of a REST API that is not ``PRIVATE``
  (``RestApi.EndpointConfiguration.Types``);
* ``AWS::ElasticLoadBalancingV2::LoadBalancer`` of type ``application`` (the default) and scheme
  ``internet-facing`` (the default);
* ``AWS::AppSync::GraphQLApi`` with ``Visibility`` ``GLOBAL`` (the default);
* ``AWS::Cognito::UserPool`` (sign-up and sign-in abuse in front of the assistant);
* ``AWS::CloudFront::Distribution``.

An association covers the resources its ``ResourceArn`` references (a stage ARN built with
``Fn::Join`` references the ``AWS::ApiGateway::Stage``; one that references the REST API and a
literal ``/stages/<name>`` covers the stage of that name).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Set

from ...read.template import MISSING, Resource, Template

STAGE = "AWS::ApiGateway::Stage"
REST_API = "AWS::ApiGateway::RestApi"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
GRAPHQL = "AWS::AppSync::GraphQLApi"
USER_POOL = "AWS::Cognito::UserPool"
DISTRIBUTION = "AWS::CloudFront::Distribution"
ASSOCIATION = "AWS::WAFv2::WebACLAssociation"
WEB_ACL = "AWS::WAFv2::WebACL"
RULE_GROUP = "AWS::WAFv2::RuleGroup"
#: what :func:`entry_points` returns (a REST API stage only when the API is not private)
ENTRY_POINTS = (STAGE, LOAD_BALANCER, GRAPHQL, USER_POOL, DISTRIBUTION)
#: what tells whether an entry point is private and which web ACL protects it
WAF = (REST_API, ASSOCIATION, WEB_ACL, RULE_GROUP)


def _literal(template: Template, value: Any, default: Any) -> List[Any]:
    """Every literal the value may take (``default`` when absent); unknown values are left out."""
    result = []
    for v in template.resolve(value):
        if v.known:
            result.append(default if v.missing else v.raw)
    return result


def private_rest_api(template: Template, stage: Resource) -> bool:
    api = template.target(stage.prop("RestApiId"))
    if api is None or api.type != REST_API:
        return False
    types = api.prop("EndpointConfiguration", "Types")
    return isinstance(types, list) and any(isinstance(t, str) and t.upper() == "PRIVATE" for t in types)


def entry_points(template: Template) -> List[Resource]:
    """The public entry points WAF can protect, sorted by logical id (cached)."""
    cached = template.cache.get("entry.points")
    if cached is not None:
        return cached
    found = [s for s in template.of_type(STAGE) if not private_rest_api(template, s)]
    for balancer in template.of_type(LOAD_BALANCER):
        kinds = _literal(template, balancer.prop("Type"), "application")
        schemes = _literal(template, balancer.prop("Scheme"), "internet-facing")
        if "application" in kinds and "internet-facing" in schemes:
            found.append(balancer)
    for api in template.of_type(GRAPHQL):
        if "GLOBAL" in _literal(template, api.prop("Visibility"), "GLOBAL"):
            found.append(api)
    found.extend(template.of_type(USER_POOL))
    found.extend(template.of_type(DISTRIBUTION))
    found.sort(key=lambda r: r.logical_id)
    template.cache["entry.points"] = found
    return found


def stage_name(template: Template, stage: Resource) -> Optional[str]:
    names = _literal(template, stage.prop("StageName"), None)
    return names[0] if len(names) == 1 and isinstance(names[0], str) else None


def covered(template: Template, arn: Any) -> Set[str]:
    """Logical ids of the resources a ``ResourceArn`` value designates."""
    result: Set[str] = set()
    refs = template.references(arn)
    for resource in refs:
        result.add(resource.logical_id)
    text = template.text(arn) or ""
    match = re.search(r"/stages/([A-Za-z0-9_-]+)$", text)
    if match:
        apis = {r.logical_id for r in refs if r.type == REST_API}
        for stage in template.of_type(STAGE):
            api = template.target(stage.prop("RestApiId"))
            if api is not None and api.logical_id in apis and stage_name(template, stage) == match.group(1):
                result.add(stage.logical_id)
    return result


def associations(template: Template) -> Dict[str, List[Resource]]:
    """Entry point logical id -> the associations that cover it (cached)."""
    cached = template.cache.get("entry.associations")
    if cached is not None:
        return cached
    result: Dict[str, List[Resource]] = {}
    for association in template.of_type(ASSOCIATION):
        for logical_id in covered(template, association.prop("ResourceArn")):
            result.setdefault(logical_id, []).append(association)
    template.cache["entry.associations"] = result
    return result


def _rules_have_rate_limit(template: Template, rules: Any, depth: int = 0) -> bool:
    for rule in rules if isinstance(rules, list) else []:
        statement = rule.get("Statement") if isinstance(rule, dict) else None
        if not isinstance(statement, dict):
            continue
        if "RateBasedStatement" in statement:
            return True
        reference = statement.get("RuleGroupReferenceStatement")
        if isinstance(reference, dict) and depth == 0:
            group = template.target(reference.get("Arn", MISSING))
            if group is not None and group.type == RULE_GROUP and _rules_have_rate_limit(template, group.prop("Rules"), 1):
                return True
    return False


def rate_limited(template: Template, web_acl: Resource) -> bool:
    """True when the web ACL has a rate-based rule (directly or in a rule group of the template)."""
    return _rules_have_rate_limit(template, web_acl.prop("Rules"))


def web_acls_of(template: Template, entry_point: Resource) -> List[Any]:
    """The web ACL values (``WebACLArn`` / ``WebACLId``) in front of an entry point."""
    if entry_point.type == DISTRIBUTION:
        value = entry_point.prop("DistributionConfig", "WebACLId")
        return [] if value is MISSING or value in ("", None) else [value]
    return [a.prop("WebACLArn") for a in associations(template).get(entry_point.logical_id, [])]


def web_acl_resource(template: Template, value: Any) -> Optional[Resource]:
    target = template.target(value)
    return target if target is not None and target.type == WEB_ACL else None
