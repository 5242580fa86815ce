"""AISEC-APP-27: configuration drift of AI resources is evaluated continuously, and incidents can be investigated.

At the Advanced phase the framework automates governance: Security Hub CSPM evaluates the AI
Security Best Practices standard (Bedrock.1, BedrockAgentCore.1-7, SageMaker controls), AWS Config
records the resources those controls read, and Detective or Security Lake keeps the history an
investigation needs.

Four workload-level requirements, each its own finding (resource None) with a detail so each can
be acknowledged on its own when the account-level singleton lives elsewhere (a delegated
administrator account, an organization-wide Config aggregator, a platform stack):

* ``SecurityHub``: an ``AWS::SecurityHub::Hub`` (Security Hub CSPM; ``AWS::SecurityHub::HubV2``
  alone does not run CSPM standards and does not count).
* ``AiStandard``: an ``AWS::SecurityHub::Standard`` whose ``StandardsArn`` contains
  ``standards/ai-security-best-practices/v/`` (ARN
  ``arn:aws:securityhub:<region>::standards/ai-security-best-practices/v/1.0.0`` per the Security Hub
  user guide page "AI Security Best Practices standard"; a ``Fn::Sub``/``Fn::Join`` with
  ``${AWS::Region}`` counts). Alternative: ``AWS::Config::ConfigRule`` s with ``Source.Owner`` ``AWS``
  whose ``SourceIdentifier`` s cover every managed rule that evaluates an AI resource type present
  in the template (table in ``aisec_rules.aws``).
* ``ConfigRecorder``: an ``AWS::Config::ConfigurationRecorder`` (Security Hub controls and Config
  rules evaluate what the recorder records).
* ``Forensics``: an ``AWS::Detective::Graph`` or an ``AWS::SecurityLake::DataLake``.
"""
from __future__ import annotations

from typing import Iterator, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Severity, Violation
from ...aws import AI_CONFIG_RULES

AI_STANDARD_MARK = "standards/ai-security-best-practices/v/"
_ELSEWHERE = "If it is managed in another account or app (for example a delegated administrator), acknowledge " \
             "AISEC-APP-27[{detail}] naming where it lives"


def _ai_standard(ctx: Context) -> bool:
    for standard in ctx.template.of_type("AWS::SecurityHub::Standard"):
        for value in ctx.template.resolve(standard.prop("StandardsArn")):
            text = ctx.template.text(value.raw)
            if isinstance(text, str) and AI_STANDARD_MARK in text:
                return True
    return False


def _managed_rules(ctx: Context) -> Set[str]:
    found: Set[str] = set()
    for rule in ctx.template.of_type("AWS::Config::ConfigRule"):
        if rule.prop("Source", "Owner") != "AWS":
            continue
        for value in ctx.template.resolve(rule.prop("Source", "SourceIdentifier")):
            if value.known and isinstance(value.raw, str):
                found.add(value.raw)
    return found


def missing_config_rules(ctx: Context) -> Set[str]:
    """Managed rule identifiers needed for the AI resource types of the template but absent."""
    needed = {ident for rtype, idents in AI_CONFIG_RULES.items() if ctx.template.of_type(rtype) for ident in idents}
    return needed - _managed_rules(ctx)


def check(ctx: Context) -> Iterator[Violation]:
    if not ctx.template.of_type("AWS::SecurityHub::Hub"):
        yield Violation(None, "this environment's stacks have no AWS::SecurityHub::Hub; enable Security Hub CSPM "
                              "(aisec_constructs.detection.SecurityPosture). " + _ELSEWHERE.format(detail="SecurityHub"),
                        "SecurityHub")
    if not _ai_standard(ctx):
        needed = {i for rtype, idents in AI_CONFIG_RULES.items() if ctx.template.of_type(rtype) for i in idents}
        missing = missing_config_rules(ctx)
        if not needed or missing:
            extra = f" (or AWS Config managed rules {', '.join(sorted(missing))})" if needed else ""
            yield Violation(None, "no AWS::SecurityHub::Standard enables the AI Security Best Practices standard "
                                  f"(arn:aws:securityhub:<region>::{AI_STANDARD_MARK}1.0.0){extra}. "
                                  + _ELSEWHERE.format(detail="AiStandard"), "AiStandard")
    if not ctx.template.of_type("AWS::Config::ConfigurationRecorder"):
        yield Violation(None, "this environment's stacks have no AWS::Config::ConfigurationRecorder; Security Hub controls and Config "
                              "rules only evaluate recorded resources. " + _ELSEWHERE.format(detail="ConfigRecorder"),
                        "ConfigRecorder")
    if not ctx.template.of_type("AWS::Detective::Graph", "AWS::SecurityLake::DataLake"):
        yield Violation(None, "the template has neither an AWS::Detective::Graph nor an AWS::SecurityLake::DataLake "
                              "for investigations. " + _ELSEWHERE.format(detail="Forensics"), "Forensics")


RULE = Rule(
    id="AISEC-APP-27",
    prowler_aisf=(
        "AISF-DETECT-04: a hub with the AI standard, or the matching Config rules instead",
        "AISF-DETECT-06: a Detective graph, or a Security Lake instead",
        "AISF-GOV-01: a Config recorder in each environment, not its service-linked role",
    ),
    title="Continuous compliance and forensics",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=(),
    passes="The template has a Security Hub CSPM hub with the AI Security Best Practices standard (or the matching AWS "
           "Config managed rules), an AWS Config recorder, and a Detective graph or Security Lake data lake; each part "
           "can be acknowledged on its own when it lives in another account or app.",
    remediation="Add `aisec_constructs.detection.SecurityPosture`, or acknowledge `AISEC-APP-27[SecurityHub]`, "
                "`[AiStandard]`, `[ConfigRecorder]`, `[Forensics]` naming where each lives.",
    construct="aisec_constructs.detection.SecurityPosture",
    check=check,
    judges=("AWS::SecurityHub::Hub", "AWS::SecurityHub::Standard", "AWS::Config::ConfigRule", "AWS::Config::ConfigurationRecorder", "AWS::Detective::Graph", "AWS::SecurityLake::DataLake"),
    reads=tuple(AI_CONFIG_RULES),
    scope=Scope.ENVIRONMENT,
)
