"""Infrastructure layer constructs: the isolated network, private tool functions, and the network
configuration of AgentCore runtimes, tools and gateway targets."""
from .agentcore import (
    browser_network_configuration,
    code_interpreter_network_configuration,
    gateway_target_private_endpoint,
    runtime_network_configuration,
)
from .network import IsolatedNetwork, ai_services
from .tool_function import PrivateToolFunction

__all__ = [
    "IsolatedNetwork", "PrivateToolFunction", "ai_services", "browser_network_configuration", "code_interpreter_network_configuration",
    "gateway_target_private_endpoint", "runtime_network_configuration",
]
