"""Infrastructure layer constructs: the isolated network, private tool functions, the network
configuration of AgentCore runtimes, tools and gateway targets, and SageMaker notebooks, model registry
groups and model endpoints."""
from .agentcore import (
    browser_network_configuration,
    code_interpreter_network_configuration,
    gateway_target_private_endpoint,
    runtime_network_configuration,
)
from .network import IsolatedNetwork, ai_services
from .sagemaker import ModelPackageGroup, SecureFeatureGroup, SecureModelEndpoint, SecureNotebook
from .tool_function import PrivateToolFunction

__all__ = [
    "IsolatedNetwork", "ModelPackageGroup", "PrivateToolFunction", "SecureFeatureGroup", "SecureModelEndpoint", "SecureNotebook", "ai_services", "browser_network_configuration", "code_interpreter_network_configuration",
    "gateway_target_private_endpoint", "runtime_network_configuration",
]
