"""Agent: a Bedrock agent that always runs behind a pinned guardrail, with its own narrow identity.

Claim: an :class:`Agent` with default props satisfies AISEC-APP-04, -05, -11, -12, -13 and DATA-02, -05,
-06, -07, -09 and -20 at the Advanced phase.

Defaults (all in :data:`DEFAULTS` and the constructor):

* a guardrail is required: an aisec :class:`~aisec_constructs.application.Guardrail` (its published
  version is used) or a :class:`GuardrailReference` to a numbered version. ``DRAFT`` needs
  ``allow_draft_guardrail=True``; no guardrail at all needs ``allow_no_guardrail=True`` (both recorded);
* a customer managed key for the agent (:class:`~aisec_constructs.data.EncryptionKey`, new unless given);
* its own role, trusted by ``bedrock.amazonaws.com`` only for this account (``aws:SourceAccount``) and
  this account's agents (``aws:SourceArn``), allowed to invoke the one foundation model (or inference
  profile), apply its guardrail, use its keys, retrieve from its knowledge bases and call its
  collaborators, and nothing else; capped by a permissions boundary that mirrors the role's default
  policy (CDK grants to :attr:`Agent.role` reach both; a policy attached outside CDK has no effect;
  ``permissions_boundary`` replaces it,
  ``no_permissions_boundary=True`` drops it, recorded). The boundary carries an acknowledgement of
  AISEC-DATA-08 (a boundary grants nothing, and the agent role itself is exempt from that rule);
* idle sessions end after 10 minutes; memory across sessions is off (``memory_storage_days`` turns on
  session summaries, at most 30 days);
* action groups (:class:`ActionGroup`) run on the Lambda functions you give (the intended input is the
  infrastructure layer's ``PrivateToolFunction``, a VPC-bound tool function; any ``lambda_.IFunction``
  is accepted); each gets a resource-based permission for this agent only. A function is confirmed by
  the user (``RequireConfirmation: ENABLED``) when marked ``mutating=True`` or when its name follows the
  mutating-verb convention of AISEC-APP-11 (create/update/delete/put/send/pay/transfer/write/remove);
  ``mutating=False`` on such a name is an opt-out (recorded). ``return_control=True`` hands execution
  back to the application (which then owns the confirmation);
* collaborators (:class:`Collaborator`) never get the conversation history unless
  ``relay_conversation_history=True`` (recorded);
* a production alias without routing configuration: Bedrock snapshots a numbered version for it. Its
  description carries a fingerprint of the agent configuration, so a change updates the alias and
  publishes a new version.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union, cast

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from aisec_rules.rules.application.tool_confirmation import is_mutating_name

from ..annotations import record_opt_out
from ..data import EncryptionKey
from .guardrail import Guardrail

DEFAULTS: Dict[str, Any] = {
    "idle_session_ttl": cdk.Duration.minutes(10),
    "max_memory_days": 30,
    "alias_name": "production",
}
_GEO_PREFIXES = ("us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca.")


@dataclass(frozen=True)
class GuardrailReference:
    """An existing guardrail: its id or ARN and a numbered version."""

    identifier: str
    version: str
    arn: Optional[str] = None


@dataclass(frozen=True)
class FunctionParameter:
    type: str = "string"  # string | number | integer | boolean | array
    description: str = ""
    required: bool = True


@dataclass(frozen=True)
class ActionGroupFunction:
    """A function of an action group. ``mutating``: True asks the user to confirm each call; None
    follows the naming convention; False on a mutating-looking name is a recorded opt-out."""

    name: str
    description: str
    parameters: Mapping[str, FunctionParameter] = field(default_factory=dict)
    mutating: Optional[bool] = None


@dataclass(frozen=True)
class ActionGroup:
    """Tools the agent may call: ``executor`` (a private tool function) or ``return_control``."""

    name: str
    functions: Sequence[ActionGroupFunction]
    executor: Optional[lambda_.IFunction] = None
    return_control: bool = False
    description: Optional[str] = None


@dataclass(frozen=True)
class Collaborator:
    """A collaborator agent (by alias ARN) of a supervisor agent."""

    name: str
    alias_arn: str
    instruction: str
    relay_conversation_history: bool = False


@dataclass(frozen=True)
class KnowledgeBaseAssociation:
    knowledge_base_id: str
    description: str
    knowledge_base_arn: Optional[str] = None


class Agent(Construct):
    """A Bedrock agent with a pinned guardrail, CMK, own bounded role and a production alias.

    :param instruction: the agent's instructions (at least 40 characters, Bedrock's minimum).
    :param foundation_model: model id or cross-Region inference profile id (``us.anthropic...``).
    :param guardrail: a :class:`Guardrail` or :class:`GuardrailReference` (required).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        instruction: str,
        foundation_model: str,
        guardrail: Optional[Union[Guardrail, GuardrailReference]] = None,
        agent_name: Optional[str] = None,
        description: Optional[str] = None,
        action_groups: Sequence[ActionGroup] = (),
        collaborators: Sequence[Collaborator] = (),
        collaboration: str = "SUPERVISOR",
        knowledge_bases: Sequence[KnowledgeBaseAssociation] = (),
        encryption_key: Optional[EncryptionKey] = None,
        idle_session_ttl: cdk.Duration = DEFAULTS["idle_session_ttl"],
        memory_storage_days: Optional[int] = None,
        permissions_boundary: Optional[iam.IManagedPolicy] = None,
        alias_name: str = DEFAULTS["alias_name"],
        allow_no_guardrail: bool = False,
        allow_draft_guardrail: bool = False,
        no_permissions_boundary: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        if len(instruction) < 40:
            raise ValueError("Agent: the instruction must be at least 40 characters (Bedrock's minimum)")
        if memory_storage_days is not None and not 1 <= memory_storage_days <= DEFAULTS["max_memory_days"]:
            raise ValueError(f"Agent: memory_storage_days must be between 1 and {DEFAULTS['max_memory_days']}")
        if idle_session_ttl.to_seconds() > 1800 or idle_session_ttl.to_seconds() < 60:
            raise ValueError("Agent: idle_session_ttl must be between 1 and 30 minutes (AISEC-DATA-20)")

        self.guardrail = guardrail
        #: the functions the agent runs as tools (what containment stops)
        self.tool_functions = tuple(group.executor for group in action_groups if group.executor is not None)
        guardrail_config = None
        if guardrail is None:
            if not allow_no_guardrail:
                raise ValueError("Agent: a guardrail is required (give guardrail=Guardrail(...) or a "
                                 "GuardrailReference); allow_no_guardrail=True removes the requirement")
            record_opt_out(self, "allow_no_guardrail", "the agent runs without a guardrail (AISEC-APP-04 reports it)")
        else:
            identifier = guardrail.guardrail_id if isinstance(guardrail, Guardrail) else guardrail.identifier
            version = guardrail.guardrail_version if isinstance(guardrail, Guardrail) else guardrail.version
            if not cdk.Token.is_unresolved(version) and str(version).strip().upper() == "DRAFT":
                if not allow_draft_guardrail:
                    raise ValueError("Agent: the guardrail version is DRAFT; pin a numbered version or set "
                                     "allow_draft_guardrail=True")
                record_opt_out(self, "allow_draft_guardrail", "the agent uses the guardrail's mutable DRAFT "
                               "(AISEC-APP-05 reports it)")
            guardrail_config = bedrock.CfnAgent.GuardrailConfigurationProperty(
                guardrail_identifier=identifier, guardrail_version=version)

        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="Bedrock agent")
        agent_arns = stack.format_arn(service="bedrock", resource="agent", resource_name="*",
                                      arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME)
        model_arns = self._model_arns(stack, foundation_model)

        self.role = iam.Role(
            self, "Role",
            assumed_by=iam.ServicePrincipal("bedrock.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {"aws:SourceArn": agent_arns}}),
            description="aisec: service role of one Bedrock agent",
        )
        for statement in self._statements(stack, guardrail, model_arns, knowledge_bases, collaborators):
            self.role.add_to_principal_policy(statement)
        self.permissions_boundary: Optional[iam.IManagedPolicy] = None
        if no_permissions_boundary:
            record_opt_out(self, "no_permissions_boundary", "the agent role has no permissions boundary "
                           "(AISEC-DATA-07 reports it)")
        else:
            self.permissions_boundary = permissions_boundary or self._boundary()
            iam.PermissionsBoundary.of(self.role).apply(self.permissions_boundary)

        groups = [self._action_group(group) for group in action_groups]
        collaborator_props = []
        for collaborator in collaborators:
            if collaborator.relay_conversation_history:
                record_opt_out(self, "relay_conversation_history",
                               f"collaborator {collaborator.name} receives the whole conversation history "
                               "(AISEC-APP-12 reports it)")
            collaborator_props.append(bedrock.CfnAgent.AgentCollaboratorProperty(
                agent_descriptor=bedrock.CfnAgent.AgentDescriptorProperty(alias_arn=collaborator.alias_arn),
                collaboration_instruction=collaborator.instruction,
                collaborator_name=collaborator.name,
                relay_conversation_history="TO_COLLABORATOR" if collaborator.relay_conversation_history else "DISABLED",
            ))
        memory = bedrock.CfnAgent.MemoryConfigurationProperty(
            enabled_memory_types=["SESSION_SUMMARY"], storage_days=memory_storage_days) \
            if memory_storage_days is not None else None

        self.agent = bedrock.CfnAgent(
            self, "Agent",
            agent_name=agent_name or cdk.Names.unique_resource_name(self, max_length=100, separator="-"),
            description=description,
            instruction=instruction,
            foundation_model=foundation_model,
            agent_resource_role_arn=self.role.role_arn,
            customer_encryption_key_arn=self.encryption_key.key_arn,
            guardrail_configuration=guardrail_config,
            idle_session_ttl_in_seconds=int(idle_session_ttl.to_seconds()),
            memory_configuration=memory,
            action_groups=groups or None,
            agent_collaboration=collaboration if collaborators else None,
            agent_collaborators=collaborator_props or None,
            knowledge_bases=[bedrock.CfnAgent.AgentKnowledgeBaseProperty(
                knowledge_base_id=kb.knowledge_base_id, description=kb.description) for kb in knowledge_bases] or None,
            auto_prepare=True,
        )
        # The role's policy must exist before the agent is prepared with it.
        self.agent.node.add_dependency(self.role)
        for group in action_groups:
            if group.executor is not None:
                group.executor.add_permission(
                    f"InvokedBy{cdk.Names.unique_id(self)}{group.name}"[:200],
                    principal=iam.ServicePrincipal("bedrock.amazonaws.com"),
                    action="lambda:InvokeFunction",
                    source_account=stack.account,
                    source_arn=self.agent.attr_agent_arn,
                )
        fingerprint = hashlib.sha256(json.dumps({
            "instruction": instruction, "model": foundation_model, "ttl": idle_session_ttl.to_seconds(),
            "memory": memory_storage_days,
            "groups": [[g.name, g.return_control, [[f.name, f.description, f.mutating,
                                                    sorted(f.parameters)] for f in g.functions]] for g in action_groups],
            "collaborators": [[c.name, c.instruction, c.relay_conversation_history] for c in collaborators],
            "kbs": [[k.knowledge_base_id, k.description] for k in knowledge_bases],
        }, sort_keys=True, default=str).encode()).hexdigest()[:16]
        self.alias = bedrock.CfnAgentAlias(
            self, "Alias", agent_alias_name=alias_name, agent_id=self.agent.attr_agent_id,
            description=f"aisec production alias, configuration {fingerprint}")

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _model_arns(stack: cdk.Stack, model_id: str) -> List[str]:
        """The resources ``bedrock:InvokeModel`` needs for ``model_id``: the foundation model; for a
        cross-Region inference profile id the profile and the model in every Region it routes to; an ARN
        (application inference profile, provisioned model, a reference) as given."""
        if cdk.Token.is_unresolved(model_id) or model_id.startswith("arn:"):
            return [model_id]
        if model_id.startswith(_GEO_PREFIXES):
            base = model_id.split(".", 1)[1]
            return [
                stack.format_arn(service="bedrock", resource="inference-profile", resource_name=model_id,
                                 arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME),
                stack.format_arn(service="bedrock", region="*", account="", resource="foundation-model",
                                 resource_name=base, arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME),
            ]
        return [stack.format_arn(service="bedrock", account="", resource="foundation-model", resource_name=model_id,
                                 arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME)]

    def _statements(self, stack: cdk.Stack, guardrail, model_arns: List[str],
                    knowledge_bases: Sequence[KnowledgeBaseAssociation],
                    collaborators: Sequence[Collaborator]) -> List[iam.PolicyStatement]:
        """Everything the agent's role needs, and nothing else: the role's policy and its boundary."""
        statements = [iam.PolicyStatement(sid="InvokeModel", actions=["bedrock:InvokeModel",
                                                                       "bedrock:InvokeModelWithResponseStream"],
                                          resources=model_arns)]
        keys = [self.encryption_key.key_arn]
        if isinstance(guardrail, Guardrail):
            statements.append(iam.PolicyStatement(sid="ApplyGuardrail", actions=["bedrock:ApplyGuardrail"],
                                                  resources=[guardrail.guardrail_arn]))
            if guardrail.encryption_key is not None:
                keys.append(guardrail.encryption_key.key_arn)
        elif isinstance(guardrail, GuardrailReference):
            arn = guardrail.arn or (guardrail.identifier if guardrail.identifier.startswith("arn:") else
                                    stack.format_arn(service="bedrock", resource="guardrail",
                                                     resource_name=guardrail.identifier,
                                                     arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME))
            statements.append(iam.PolicyStatement(sid="ApplyGuardrail", actions=["bedrock:ApplyGuardrail"],
                                                  resources=[arn]))
        statements.append(iam.PolicyStatement(sid="UseKeys", actions=["kms:Decrypt", "kms:GenerateDataKey"],
                                              resources=keys))
        if knowledge_bases:
            statements.append(iam.PolicyStatement(sid="Retrieve", actions=["bedrock:Retrieve"], resources=[
                kb.knowledge_base_arn or stack.format_arn(
                    service="bedrock", resource="knowledge-base", resource_name=kb.knowledge_base_id,
                    arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME) for kb in knowledge_bases]))
        if collaborators:
            statements.append(iam.PolicyStatement(sid="Collaborators",
                                                  actions=["bedrock:InvokeAgent", "bedrock:GetAgentAlias"],
                                                  resources=[c.alias_arn for c in collaborators]))
        return statements

    def _boundary(self) -> iam.ManagedPolicy:
        """The most the agent role may ever do: its own default policy (the very same document object, so
        a later CDK grant to the role is mirrored), so that a policy attached to the role outside CDK's
        grants has no effect."""
        default_policy = cast(iam.Policy, self.role.node.find_child("DefaultPolicy"))
        boundary = iam.ManagedPolicy(self, "Boundary", description="aisec: permissions boundary of a Bedrock agent role",
                                     document=default_policy.document)
        Validations.of(boundary).acknowledge(Acknowledgment(
            id="AISEC-DATA-08",
            reason="A permissions boundary grants nothing: it caps the agent's service role, which only Bedrock "
                   "assumes and which AISEC-DATA-08 exempts (the guardrail is attached to the agent itself, "
                   "AISEC-APP-04)."))
        return boundary

    def _action_group(self, group: ActionGroup) -> bedrock.CfnAgent.AgentActionGroupProperty:
        if (group.executor is None) == (not group.return_control):
            raise ValueError(f"Agent: action group {group.name} needs exactly one of executor or return_control=True")
        functions = []
        for function in group.functions:
            convention = is_mutating_name(function.name)
            confirm = function.mutating if function.mutating is not None else convention
            if convention and function.mutating is False and not group.return_control:
                record_opt_out(self, f"mutating_false_{function.name}",
                               f"function {function.name} of action group {group.name} looks mutating but runs "
                               "without user confirmation (AISEC-APP-11 reports it)")
            functions.append(bedrock.CfnAgent.FunctionProperty(
                name=function.name, description=function.description,
                parameters={name: bedrock.CfnAgent.ParameterDetailProperty(
                    type=p.type, description=p.description or None, required=p.required)
                    for name, p in function.parameters.items()} or None,
                require_confirmation="ENABLED" if confirm else "DISABLED",
            ))
        if group.return_control:
            executor = bedrock.CfnAgent.ActionGroupExecutorProperty(custom_control="RETURN_CONTROL")
        else:
            assert group.executor is not None  # exactly one of executor and return_control (checked above)
            executor = bedrock.CfnAgent.ActionGroupExecutorProperty(lambda_=group.executor.function_arn)
        return bedrock.CfnAgent.AgentActionGroupProperty(
            action_group_name=group.name, description=group.description, action_group_executor=executor,
            function_schema=bedrock.CfnAgent.FunctionSchemaProperty(functions=functions),
            action_group_state="ENABLED")

    # -- references ----------------------------------------------------------------------------

    @property
    def agent_id(self) -> str:
        return self.agent.attr_agent_id

    @property
    def agent_arn(self) -> str:
        return self.agent.attr_agent_arn

    @property
    def alias_arn(self) -> str:
        return self.alias.attr_agent_alias_arn

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """``bedrock:InvokeAgent`` on the production alias only, plus the agent key for this agent's
        sessions (``kms:EncryptionContext:aws:bedrock:arn`` = the agent ARN, as the Bedrock user guide
        asks of InvokeAgent callers when the agent uses a customer managed key)."""
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=["bedrock:InvokeAgent"],
                                           resource_arns=[self.alias_arn])
        grantee.grant_principal.add_to_principal_policy(iam.PolicyStatement(
            actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[self.encryption_key.key_arn],
            conditions={"StringEquals": {"kms:EncryptionContext:aws:bedrock:arn": self.agent_arn}}))
        return grant
