"""AISEC-INF-04: the Lambda functions that agents, gateways and knowledge-base ingestion run as
tools sit in a VPC.

A tool function runs with whatever the model asked for; outside a VPC its egress cannot be
controlled (no security groups, no endpoint policies, no flow logs). Every function referenced by
an agent action group, an AgentCore gateway Lambda target or a data source transformation (see
``_tools`` for the paths) must set ``VpcConfig.SubnetIds`` and ``VpcConfig.SecurityGroupIds``
(both non-empty; a reference counts as set; an ``Fn::If`` around ``VpcConfig`` is judged per
branch, and ``AWS::NoValue`` in a branch means "not in a VPC").

The finding is on the function, naming what uses it. A function outside the template (a literal
ARN, an import, a parameter) cannot be verified: the finding is on the referring resource and says
so; if that function runs in a VPC, acknowledge the finding with that reason.

Issue 22 (the rule starts at Enhanced, so these apply from Enhanced on, and to systems that answer too):

* Every function that may call a model sets ``VpcConfig`` as above, detail ``ModelCaller``: an
  ``AWS::Lambda::Function`` whose ``Role`` (a role of the template) is allowed one of :data:`CALLS`
  (``bedrock:InvokeModel*``, which also authorizes Converse; the ``bedrock-agent-runtime`` calls
  ``Retrieve``, ``RetrieveAndGenerate``, ``InvokeAgent``, ``InvokeInlineAgent``, ``InvokeFlow``;
  ``bedrock-agentcore:InvokeAgentRuntime``) through an action that names the service (``bedrock:Invoke*``
  counts, a bare ``*`` does not: that is AISEC-DATA-01's), in any policy attached to it. A tool function is
  judged once, as a tool.
* AI compute sits in private subnets, detail ``PublicSubnet``: the subnets of those functions, of AgentCore
  runtimes, code interpreters and browsers in ``VPC`` mode and of SageMaker notebook instances are not public
  (``MapPublicIpOnLaunch`` true, or an associated route table with a route whose ``GatewayId`` is an
  ``AWS::EC2::InternetGateway``; see :func:`._network.subnet_exposure`). A subnet the template does not define
  (a literal id, an import, a parameter) cannot be verified, detail ``Unverifiable::Subnet``: acknowledge it
  naming the network stack that makes it private.
"""
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read import iam
from ...read.template import MISSING, Resource, as_list
from ..data._workload import names_ai, role_statements
from . import _network, _tools

#: the calls that make a function a model caller (the Converse APIs are authorized by bedrock:InvokeModel*)
CALLS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:Retrieve",
         "bedrock:RetrieveAndGenerate", "bedrock:InvokeAgent", "bedrock:InvokeInlineAgent", "bedrock:InvokeFlow",
         "bedrock-agentcore:InvokeAgentRuntime")
#: where AgentCore tools and runtimes, and notebooks, name their subnets
_SUBNETS: Dict[str, Tuple[str, ...]] = {"AWS::BedrockAgentCore::Runtime": ("NetworkConfiguration", "NetworkModeConfig", "Subnets"),
            "AWS::BedrockAgentCore::CodeInterpreterCustom": ("NetworkConfiguration", "VpcConfig", "Subnets"),
            "AWS::BedrockAgentCore::BrowserCustom": ("NetworkConfiguration", "VpcConfig", "Subnets"),
            "AWS::SageMaker::NotebookInstance": ("SubnetId",)}


def vpc_problems(ctx: Context, function: Resource) -> List[str]:
    """What is wrong with a function's VPC placement ([] when it is in a VPC)."""
    problems = []
    for config in ctx.template.resolve(function.prop("VpcConfig")):
        if not config.known:
            problems.append(f"VpcConfig cannot be verified at synth time{config.note()}")
            continue
        if not isinstance(config.raw, dict):
            problems.append(f"VpcConfig is not set{config.note()}")
            continue
        for key in ("SubnetIds", "SecurityGroupIds"):
            for value in ctx.template.resolve(config.raw.get(key, MISSING)):
                if value.known and (value.missing or value.raw in ([], "")):
                    problems.append(f"VpcConfig.{key} is not set{config.note() or value.note()}")
    return list(dict.fromkeys(problems))


def check(ctx: Context) -> Iterator[Violation]:
    tools = _tools.grouped(ctx.template) if ctx.capabilities & {Capability.CONNECTS, Capability.ACTS} else \
        _tools.Tools()
    functions, users, external = tools.functions, tools.users, tools.external
    for logical_id in sorted(functions):
        problems = vpc_problems(ctx, functions[logical_id])
        if problems:
            yield Violation(logical_id,
                            f"{'; '.join(problems)}; the function is a tool ({', '.join(users[logical_id])}) and must "
                            "run in private subnets with a security group (VpcConfig.SubnetIds and SecurityGroupIds)")
    for logical_id in sorted(external):
        yield Violation(logical_id,
                        f"{'; '.join(external[logical_id])}: the tool function is outside this template, so its "
                        "VpcConfig cannot be verified; if it runs in a VPC, acknowledge this finding with that reason")
    callers = model_callers(ctx)
    for logical_id, action in sorted(callers.items()):
        if logical_id in functions:
            continue
        problems = vpc_problems(ctx, ctx.template.resources[logical_id])
        if problems:
            yield Violation(logical_id,
                            f"{'; '.join(problems)}; the function may call a model (its role allows {action}) and must "
                            "run in private subnets with a security group, so its prompts and egress stay in the VPC",
                            "ModelCaller")
    placed: List[Tuple[Resource, Tuple[str, ...]]] = [
        (functions.get(i) or ctx.template.resources[i], ("VpcConfig", "SubnetIds"))
        for i in sorted(set(functions) | set(callers))]
    placed += [(r, _SUBNETS[r.type]) for r in ctx.template.of_type(*_SUBNETS)]
    for resource, path in placed:
        yield from _public_subnets(ctx, resource, path)


def model_callers(ctx: Context) -> Dict[str, str]:
    """Function logical id -> the call its role allows (see :data:`CALLS`)."""
    statements = role_statements(ctx)
    found: Dict[str, str] = {}
    for function in ctx.template.of_type("AWS::Lambda::Function"):
        role = ctx.template.target(function.prop("Role"))
        if role is None:
            continue
        action: Optional[str] = next((a for a in CALLS for s in statements.get(role.logical_id, []) if names_ai(s, a)),
                                     None)
        if action is not None:
            found[function.logical_id] = action
    return found


def _public_subnets(ctx: Context, resource: Resource, path: Tuple[str, ...]) -> Iterator[Violation]:
    public: List[str] = []
    unknown: List[str] = []
    for value in ctx.template.resolve(resource.prop(*path[:-1]) if len(path) > 1 else resource.properties):
        container: Any = value.raw
        if not value.known or not isinstance(container, dict):
            continue
        for subnets in ctx.template.resolve(container.get(path[-1], MISSING)):
            if subnets.missing:
                continue
            items = as_list(subnets.raw) if subnets.known else [subnets.raw]
            for item in items:
                state, why = _network.subnet_exposure(ctx.template, item)
                (public if state == "public" else unknown if state == "unknown" else []).append(why + subnets.note())
    where = ".".join(path)
    if public:
        yield Violation(resource.logical_id,
                        f"{'; '.join(dict.fromkeys(public))}: {where} places AI compute in a public subnet; use private "
                        "subnets without a route to an internet gateway and without MapPublicIpOnLaunch",
                        "PublicSubnet")
    if unknown:
        yield Violation(resource.logical_id,
                        f"{'; '.join(dict.fromkeys(unknown))}, so whether {where} keeps this AI compute off the internet "
                        "cannot be verified; if the subnet is private, acknowledge this finding naming the network "
                        "that makes it so", "Unverifiable::Subnet")


RULE = Rule(
    id="AISEC-INF-04",
    prowler_aisf=(
        "AISF-INFRA-08: subnets of AI compute map no public IPs and have no route to an internet gateway",
        "AISF-RUNTIME-03: tool, transformation and model-calling functions run in a VPC",
    ),
    title="Tool and action-group Lambdas run in a VPC",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM06", "T2"),
    passes="Every Lambda function referenced by an agent action group, an AgentCore gateway target or a data "
           "source transformation, and every function whose role may call a model, sets `VpcConfig.SubnetIds` and "
           "`VpcConfig.SecurityGroupIds`; AI compute (those functions, AgentCore runtimes and tools in VPC mode, "
           "notebooks) sits in subnets without a route to an internet gateway and without `MapPublicIpOnLaunch`.",
    remediation="Run tool functions in the private subnets of an isolated network with a security group (the "
                "`PrivateToolFunction` construct always does).",
    construct="aisec_constructs.infrastructure.PrivateToolFunction",
    check=check,
    judges=(*_tools.HOLDERS, "AWS::Lambda::Function", *_SUBNETS),
    reads=(*(t for t in _tools.FUNCTIONS if t != "AWS::Lambda::Function"), *_network.ROUTING,
           *(t for t in iam.POLICY_TYPES)),
)
