"""AISEC-INF-05: AgentCore runtimes run in VPC network mode, inside private subnets.

``AWS::BedrockAgentCore::Runtime.NetworkConfiguration.NetworkMode`` must be ``VPC`` (schema enum:
``PUBLIC``, ``VPC``; the property is required by the schema, so an absent value is reported as not
set) with ``NetworkModeConfig.Subnets`` and ``NetworkModeConfig.SecurityGroups`` (Security Hub
BedrockAgentCore.1, Config rule ``bedrockagentcore-runtime-private-network-required``). A
parameter default and each ``Fn::If`` branch are judged; a mode that cannot be resolved is
reported as unverifiable. Subnets and security groups are only checked once the mode passes, so a
``PUBLIC`` runtime gets one finding, not three.

Security Hub mapping (BedrockAgentCore.1, metadata ``security_hub``): the control list of the AI Security Best
Practices v1.0.0 standard, https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html;
definition: https://docs.aws.amazon.com/securityhub/latest/userguide/bedrockagentcore-controls.html#bedrockagentcore-1.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity
from ...read.template import Resource
from ..base import expect_set, expect_value, per_resource

MODE = ("NetworkConfiguration", "NetworkMode")


@per_resource("AWS::BedrockAgentCore::Runtime")
def check(ctx: Context, runtime: Resource):
    violations = list(expect_value(ctx, runtime, MODE, allowed={"VPC"},
                                   why=" (Security Hub BedrockAgentCore.1: agent compute must not be internet-exposed)"))
    yield from violations
    if not violations:
        yield from expect_set(ctx, runtime, ("NetworkConfiguration", "NetworkModeConfig", "Subnets"))
        yield from expect_set(ctx, runtime, ("NetworkConfiguration", "NetworkModeConfig", "SecurityGroups"))


RULE = Rule(
    id="AISEC-INF-05",
    security_hub=("BedrockAgentCore.1",),
    aiml_assessment=("AC-01",),
    title="AgentCore runtimes run in VPC mode",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T11",),
    passes="`AWS::BedrockAgentCore::Runtime` `NetworkConfiguration.NetworkMode` is `VPC` with "
           "`NetworkModeConfig.Subnets` and `NetworkModeConfig.SecurityGroups`.",
    remediation="Set the runtime's network mode to `VPC` in the private subnets of an isolated network "
                "(`aisec_constructs.infrastructure.runtime_network_configuration(network)` builds the block).",
    construct="aisec_constructs.infrastructure.runtime_network_configuration",
    check=check,
)
