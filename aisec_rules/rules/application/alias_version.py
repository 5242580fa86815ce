"""AISEC-APP-13: agent (and flow) aliases route to numbered versions, never to the working draft.

* ``AWS::Bedrock::AgentAlias.RoutingConfiguration[].AgentVersion`` is not ``DRAFT`` (literal, parameter
  default, any ``Fn::If`` branch, or ``Fn::GetAtt <Agent>.AgentVersion``, a read-only attribute that is
  always ``DRAFT``). An alias without ``RoutingConfiguration`` passes: Bedrock then creates a new numbered
  version from the draft and routes the alias to it. (The cfn-lint schemas have no
  ``AWS::Bedrock::AgentVersion`` type: an alias is the only way a template creates an agent version.)
* Choice beyond the catalog row, same risk: ``AWS::Bedrock::FlowAlias.RoutingConfiguration[].FlowVersion``
  is not ``DRAFT`` either (a ``Fn::GetAtt <FlowVersion>.Version`` is numbered; ``<Flow>.Version`` is the
  draft).

Every alias in a template is treated as a production alias (CloudFormation cannot create the test alias
``TSTALIASID``); acknowledge a development alias with a reason. One finding per alias (no detail).
"""
from typing import Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ._app import possibilities, version_problems

ALIASES = (("AWS::Bedrock::AgentAlias", "AgentVersion", "agent"), ("AWS::Bedrock::FlowAlias", "FlowVersion", "flow"))


def check(ctx: Context) -> Iterator[Violation]:
    for rtype, field, what in ALIASES:
        for alias in ctx.template.of_type(rtype):
            problems: List[str] = []
            for routing in possibilities(ctx, alias.prop("RoutingConfiguration")):
                if not routing.known or not isinstance(routing.raw, list):
                    continue
                for index, item in enumerate(routing.raw):
                    for entry in possibilities(ctx, item, routing.origin):
                        if entry.known and isinstance(entry.raw, dict):
                            problems += version_problems(ctx, entry.raw.get(field),
                                                         f"RoutingConfiguration[{index}].{field}", entry.origin,
                                                         required=False)
            if problems:
                yield Violation(alias.logical_id, "; ".join(dict.fromkeys(problems)) + f". A production alias must "
                                f"route to a numbered {what} version, so that unreviewed changes to the draft do not "
                                "go live.")


RULE = Rule(
    id="AISEC-APP-13",
    title="Production alias on numbered version",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM06",),
    passes="No `AWS::Bedrock::AgentAlias` (or `FlowAlias`) routes to `DRAFT`; an agent alias without routing "
           "configuration gets a new numbered version and passes.",
    remediation="Leave `RoutingConfiguration` out of the agent alias (Bedrock snapshots a numbered version) or name "
                "a numbered `AgentVersion`; route flow aliases to an `AWS::Bedrock::FlowVersion`.",
    construct="aisec_constructs.application.Agent (production alias)",
    check=check,
    judges=tuple(rtype for rtype, _, _ in ALIASES),
)
