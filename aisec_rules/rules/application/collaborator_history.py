"""AISEC-APP-12: a supervisor agent does not relay the conversation history to its collaborators.

Every ``AWS::Bedrock::Agent.AgentCollaborators[]`` entry sets ``RelayConversationHistory`` to
``DISABLED`` (the schema's ``RelayConversationHistory`` is ``TO_COLLABORATOR`` or ``DISABLED``). Neither
the schema nor the API reference states a default, so an absent value is reported too (choice: the
setting must be explicit). Where a collaborator really needs the history, acknowledge the finding with
the reason. Detail ``Collaborator::<CollaboratorName>`` (``#<index>`` when the name is not a literal).
"""
from typing import Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING
from ._app import note, possibilities, show, upper


def check(ctx: Context) -> Iterator[Violation]:
    for agent in ctx.template.of_type("AWS::Bedrock::Agent"):
        for listing in possibilities(ctx, agent.prop("AgentCollaborators")):
            if not listing.known:
                yield Violation(agent.logical_id, f"AgentCollaborators cannot be verified at synth time"
                                f"{note(listing.origin)}; RelayConversationHistory cannot be confirmed DISABLED.")
                continue
            if not isinstance(listing.raw, list):
                continue
            for index, item in enumerate(listing.raw):
                for collaborator in possibilities(ctx, item, listing.origin):
                    if not (collaborator.known and isinstance(collaborator.raw, dict)):
                        continue
                    name = collaborator.raw.get("CollaboratorName")
                    label = name if isinstance(name, str) else f"#{index}"
                    problems = []
                    for value in possibilities(ctx, collaborator.raw.get("RelayConversationHistory", MISSING),
                                               collaborator.origin):
                        if not value.known:
                            problems.append(f"cannot be verified at synth time{note(value.origin)}")
                        elif value.missing:
                            problems.append(f"is not set{note(value.origin)}")
                        elif upper(value) != "DISABLED":
                            problems.append(f"is {show(value.raw)}{note(value.origin)}")
                    if problems:
                        yield Violation(agent.logical_id,
                                        f"AgentCollaborators[{label}].RelayConversationHistory "
                                        f"{'; '.join(dict.fromkeys(problems))}; must be DISABLED, so that the whole "
                                        "conversation (and anything injected into it) does not spread to other "
                                        "agents.", f"Collaborator::{label}")


RULE = Rule(
    id="AISEC-APP-12",
    title="Multi-agent history relay off",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T12", "T13"),
    passes="Every `AWS::Bedrock::Agent` collaborator sets `RelayConversationHistory: DISABLED`.",
    remediation="Set `RelayConversationHistory: DISABLED` on each collaborator and pass the collaborator only what "
                "its task needs in the collaboration instruction; acknowledge a justified exception.",
    construct="aisec_constructs.application.Agent (Collaborator(relay_conversation_history=False))",
    check=check,
    judges=("AWS::Bedrock::Agent",),
)
