"""AISEC-INF-06: AgentCore code interpreters do not run on the public network.

Foundational: ``NetworkConfiguration.NetworkMode`` must not be ``PUBLIC``. From Enhanced on it
must be ``VPC`` (Security Hub BedrockAgentCore.7 fails both ``PUBLIC`` and ``SANDBOX``), with
subnets and security groups. ``NetworkConfiguration`` is create-only: changing it later replaces
the interpreter, which is why the control starts at Foundational.

Security Hub mapping (BedrockAgentCore.7, metadata ``security_hub``): the control list of the AI Security Best
Practices v1.0.0 standard, https://docs.aws.amazon.com/securityhub/latest/userguide/standards-ai-security.html;
definition: https://docs.aws.amazon.com/securityhub/latest/userguide/bedrockagentcore-controls.html#bedrockagentcore-7.
"""
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity
from ...read.template import Resource
from ..base import expect_set, expect_value, per_resource

MODE = ("NetworkConfiguration", "NetworkMode")


@per_resource("AWS::BedrockAgentCore::CodeInterpreterCustom")
def check(ctx: Context, interpreter: Resource):
    if ctx.phase < Phase.ENHANCED:
        yield from expect_value(ctx, interpreter, MODE, forbidden={"PUBLIC"}, default="SANDBOX",
                                why=" (generated code with internet access can exfiltrate data)")
        return
    violations = list(expect_value(ctx, interpreter, MODE, allowed={"VPC"},
                                   why=" from the Enhanced phase on (Security Hub BedrockAgentCore.7)"))
    yield from violations
    if not violations:
        yield from expect_set(ctx, interpreter, ("NetworkConfiguration", "VpcConfig", "Subnets"))
        yield from expect_set(ctx, interpreter, ("NetworkConfiguration", "VpcConfig", "SecurityGroups"))


RULE = Rule(
    id="AISEC-INF-06",
    security_hub=("BedrockAgentCore.7",),
    title="Code interpreters are not on the public network",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM05", "T11"),
    passes="`AWS::BedrockAgentCore::CodeInterpreterCustom` `NetworkConfiguration.NetworkMode` is not `PUBLIC` "
           "(Foundational) and is `VPC` with subnets and security groups (Enhanced and Advanced).",
    remediation="Run the code interpreter in `VPC` network mode inside private subnets (`SANDBOX` only while "
                "prototyping); the network configuration is create-only, so choose it before the first deploy.",
    construct="aisec_constructs.application.AgentCoreCodeInterpreter",
    check=check,
    tightens=True,
)
