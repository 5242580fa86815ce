"""Application and agent layer constructs: the secure API front door, guardrails, agents, AgentCore, prompts.

Inputs from the infrastructure layer: action-group executors and gateway targets take any
``aws_lambda.IFunction`` (the intended one is ``PrivateToolFunction``, a VPC-bound tool function), and
AgentCore compute takes a :class:`VpcPlacement` (intended: built from ``IsolatedNetwork``).
"""
from ._common import VpcPlacement
from .agent import (ActionGroup, ActionGroupFunction, Agent, Collaborator, FunctionParameter, GuardrailReference,
                    KnowledgeBaseAssociation)
from .api import SecureApi, regional_web_acl
from .agentcore import (AgentCoreBrowser, AgentCoreCodeInterpreter, AgentCoreGateway, AgentCoreGatewayTarget,
                        AgentCoreMemory, AgentCoreOnlineEvaluation, AgentCoreRuntime, GatewayAuthorizer,
                        RuntimeAuthorizer, ToolSpec)
from .guardrail import DeniedTopic, EnforcedGuardrail, Guardrail, RegexFilter
from .prompts import ManagedPrompt

__all__ = [
    "ActionGroup", "ActionGroupFunction", "Agent", "AgentCoreBrowser", "AgentCoreCodeInterpreter", "AgentCoreGateway",
    "AgentCoreGatewayTarget", "AgentCoreMemory", "AgentCoreOnlineEvaluation", "AgentCoreRuntime", "Collaborator",
    "DeniedTopic", "EnforcedGuardrail", "FunctionParameter", "GatewayAuthorizer", "Guardrail", "GuardrailReference",
    "KnowledgeBaseAssociation", "ManagedPrompt", "RegexFilter", "RuntimeAuthorizer", "SecureApi", "ToolSpec", "VpcPlacement", "regional_web_acl",
]
