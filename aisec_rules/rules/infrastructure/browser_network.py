"""AISEC-INF-07: AgentCore browsers run in VPC network mode, inside private subnets.

``AWS::BedrockAgentCore::BrowserCustom.NetworkConfiguration.NetworkMode`` must be ``VPC`` (schema
enum: ``PUBLIC``, ``VPC``; the schema's default is ``PUBLIC``, so an absent mode fails) with
``NetworkConfiguration.VpcConfig.Subnets`` and ``VpcConfig.SecurityGroups``. Security Hub
BedrockAgentCore.5 only fails ``PUBLIC``; with two modes in the schema that is the same test. A
browser in a VPC still reaches the web through the VPC's egress path (NAT, proxy, Network
Firewall), where that traffic can be filtered and logged, which is the point of the control.
``NetworkConfiguration`` is create-only.

Security Hub mapping (BedrockAgentCore.5, metadata ``security_hub``): the control list of the AI Security Best
Practices v1.0.0 standard, https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html;
definition: https://docs.aws.amazon.com/securityhub/latest/userguide/bedrockagentcore-controls.html#bedrockagentcore-5.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity
from ...read.template import Resource
from ..base import expect_set, expect_value, per_resource

MODE = ("NetworkConfiguration", "NetworkMode")


@per_resource("AWS::BedrockAgentCore::BrowserCustom")
def check(ctx: Context, browser: Resource):
    violations = list(expect_value(ctx, browser, MODE, allowed={"VPC"}, default="PUBLIC",
                                   why=" (Security Hub BedrockAgentCore.5: a public browser exfiltrates without a trace)"))
    yield from violations
    if not violations:
        yield from expect_set(ctx, browser, ("NetworkConfiguration", "VpcConfig", "Subnets"))
        yield from expect_set(ctx, browser, ("NetworkConfiguration", "VpcConfig", "SecurityGroups"))


RULE = Rule(
    id="AISEC-INF-07",
    security_hub=("BedrockAgentCore.5",),
    title="AgentCore browsers run in VPC mode",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T2",),
    passes="`AWS::BedrockAgentCore::BrowserCustom` `NetworkConfiguration.NetworkMode` is `VPC` with "
           "`VpcConfig.Subnets` and `VpcConfig.SecurityGroups`.",
    remediation="Create the browser in `VPC` network mode in private subnets whose egress is filtered "
                "(`aisec_constructs.infrastructure.browser_network_configuration(network)` builds the block); the "
                "network configuration is create-only.",
    construct="aisec_constructs.infrastructure.browser_network_configuration",
    check=check,
)
