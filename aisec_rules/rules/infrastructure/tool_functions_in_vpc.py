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
"""
from typing import Dict, Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource
from . import _tools


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
    users: Dict[str, List[str]] = {}
    functions: Dict[str, Resource] = {}
    external: Dict[str, List[str]] = {}
    for ref in _tools.references(ctx.template):
        if ref.function is None:
            external.setdefault(ref.referrer.logical_id, []).append(f"{ref.path} = {ref.shown}")
        else:
            functions[ref.function.logical_id] = ref.function
            users.setdefault(ref.function.logical_id, []).append(f"{ref.referrer.logical_id}.{ref.path}")
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


RULE = Rule(
    id="AISEC-INF-04",
    prowler_aisf=("AISF-RUNTIME-03: tool and transformation functions run in a VPC",),
    title="Tool and action-group Lambdas run in a VPC",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM06", "T2"),
    passes="Every Lambda function referenced by an agent action group, an AgentCore gateway target or a data "
           "source transformation sets `VpcConfig.SubnetIds` and `VpcConfig.SecurityGroupIds`.",
    remediation="Run tool functions in the private subnets of an isolated network with a security group (the "
                "`PrivateToolFunction` construct always does).",
    construct="aisec_constructs.infrastructure.PrivateToolFunction",
    check=check,
    judges=_tools.HOLDERS,
    reads=_tools.FUNCTIONS,
)
