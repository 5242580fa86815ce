"""AISEC-INF-10: public entry points of an AI workload sit behind a WAF web ACL with a rate-based
rule.

Which entry points: see ``_entry`` (REST API stages that are not private, internet-facing
application load balancers, public AppSync APIs, Cognito user pools, CloudFront distributions).
In an AI workload's template they front the model calls or the users who make them. Each must be
covered by an ``AWS::WAFv2::WebACLAssociation`` (``ResourceArn``) or, for CloudFront,
``DistributionConfig.WebACLId``. The web ACL, when it is in the template, must have a rule whose
``Statement`` is a ``RateBasedStatement`` (or references an ``AWS::WAFv2::RuleGroup`` of the
template that has one): rate limiting is what stops scraping and denial-of-wallet, managed rule
groups alone do not.

AgentCore gateways (issue 22): every ``AWS::BedrockAgentCore::Gateway`` is a public entry point (its
``GatewayUrl`` is reachable from the internet; the schema has no private mode), so it must be covered by an
``AWS::WAFv2::WebACLAssociation`` whose ``ResourceArn`` is the gateway's ARN, with a rate-based rule as
above; the granular detail is ``AgentCoreGateway`` (a web ACL without a rate-based rule is reported on the
web ACL, as for the other entry points). The gateway's ``WebAclArn`` is read-only in the schema (the
ACL CloudFormation reports back), so the association is the only way a template attaches one.
``WafConfiguration.FailureMode`` is AISEC-APP-16's.

Not covered: API Gateway HTTP / WebSocket APIs and Lambda function URLs, which WAF cannot protect
(AISEC-INF-11 asks HTTP API stages for throttling instead). A web ACL outside the template
(Firewall Manager, a shared security stack) cannot be verified: the finding says so; acknowledge
it with that reason.
"""
from typing import Dict, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import Resource
from . import _entry

GATEWAY = "AWS::BedrockAgentCore::Gateway"


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    weak_acls: Dict[str, List[str]] = {}
    acl_resources: Dict[str, Resource] = {}
    for entry in (*_entry.entry_points(template), *template.of_type(GATEWAY)):
        acls = _entry.web_acls_of(template, entry)
        where = "DistributionConfig.WebACLId is not set" if entry.type == _entry.DISTRIBUTION else \
            "no AWS::WAFv2::WebACLAssociation in this template covers it"
        detail = "AgentCoreGateway" if entry.type == GATEWAY else None
        if not acls:
            yield Violation(entry.logical_id,
                            f"{entry.type} {entry.logical_id} is a public entry point without a WAF web ACL ({where}); "
                            "attach a web ACL with a rate-based rule. If a web ACL is attached outside this template "
                            "(Firewall Manager), acknowledge this finding with that reason", detail)
            continue
        external = []
        for value in acls:
            acl = _entry.web_acl_resource(template, value)
            if acl is None:
                external.append(template.text(value) or "(an intrinsic)")
            elif not _entry.rate_limited(template, acl):
                acl_resources[acl.logical_id] = acl
                weak_acls.setdefault(acl.logical_id, []).append(entry.logical_id)
        if external and len(external) == len(acls):
            yield Violation(entry.logical_id,
                            f"the web ACL in front of {entry.logical_id} ({', '.join(external)}) is outside this "
                            "template, so its rate-based rule cannot be verified; if it has one, acknowledge this "
                            "finding with that reason", detail)
    for logical_id in sorted(weak_acls):
        rules = acl_resources[logical_id].prop("Rules")
        state = "Rules is empty" if not rules else "no rule of Rules is a RateBasedStatement"
        yield Violation(logical_id,
                        f"{state}; the web ACL protects {', '.join(sorted(set(weak_acls[logical_id])))} and must rate-limit "
                        "requests per client (RateBasedStatement) against scraping and denial-of-wallet")


RULE = Rule(
    id="AISEC-INF-10",
    prowler_aisf=(
        "AISF-INFRA-03: a web ACL with a rule on public REST APIs and Cognito user pools, not WAF logging",
        "AISF-IAM-07: a web ACL on user pools",
    ),
    aiml_assessment=(
        "FS-01: a web ACL with a rate-based rule on public entry points, not Shield Advanced or a body-size rule",
        "AG-27",
    ),
    title="WAF on public AI entry points",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM10", "LLM01"),
    passes="Every public REST API stage, internet-facing ALB, public AppSync API, Cognito user pool and CloudFront "
           "distribution, and every AgentCore gateway, has a WAF web ACL, and that web ACL has a `RateBasedStatement` "
           "rule.",
    remediation="Associate a WAFv2 web ACL (`AWS::WAFv2::WebACLAssociation`, or `WebACLId` for CloudFront) with a "
                "rate-based rule and managed rule groups.",
    construct="aisec_constructs.application.SecureApi (regional web ACL: managed rule groups and a rate-based rule), "
              "AgentCoreGateway (the same web ACL)",
    check=check,
    judges=(*_entry.ENTRY_POINTS, GATEWAY),
    reads=_entry.WAF,
)
