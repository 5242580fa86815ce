"""The Lambda functions an AI workload runs as tools: what agents, gateways and data sources
reference, resolved to the ``AWS::Lambda::Function`` in the template where possible.

References read (CloudFormation property paths, checked against the schemas):

* ``AWS::Bedrock::Agent.ActionGroups[].ActionGroupExecutor.Lambda``;
* ``AWS::BedrockAgentCore::GatewayTarget.TargetConfiguration.Mcp.Lambda.LambdaArn``;
* ``AWS::Bedrock::DataSource.VectorIngestionConfiguration.CustomTransformationConfiguration
  .Transformations[].TransformationFunction.TransformationLambdaConfiguration.LambdaArn``.

A value that is a ``Ref`` / ``Fn::GetAtt`` to a function (or to an ``AWS::Lambda::Alias`` /
``AWS::Lambda::Version`` whose ``FunctionName`` names one), or a string built with ``Fn::Join`` /
``Fn::Sub`` around such a reference (``${Fn.Arn}:live``), resolves to that function. Anything
else (a literal ARN, an import, a parameter) is a function outside the template.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ...read.template import MISSING, Resource, Template, as_list

FUNCTION = "AWS::Lambda::Function"
#: the resources whose tool references :func:`references` reads, and the function types it resolves them to
HOLDERS = ("AWS::Bedrock::Agent", "AWS::BedrockAgentCore::GatewayTarget", "AWS::Bedrock::DataSource")
FUNCTIONS = (FUNCTION, "AWS::Lambda::Alias", "AWS::Lambda::Version")


@dataclass(frozen=True)
class ToolReference:
    referrer: Resource
    path: str
    function: Optional[Resource]  # None: the function is outside the template
    shown: str  # the reference as text, for messages


def _function(template: Template, value: Any, depth: int = 0) -> Optional[Resource]:
    target = template.target(value)
    candidates = [target] if target is not None else template.references(value)
    for candidate in candidates:
        if candidate.type == FUNCTION:
            return candidate
        if candidate.type in ("AWS::Lambda::Alias", "AWS::Lambda::Version") and depth < 2:
            found = _function(template, candidate.prop("FunctionName"), depth + 1)
            if found is not None:
                return found
    return None


def references(template: Template) -> List[ToolReference]:
    """Every tool-function reference, in a stable order (cached on the template)."""
    cached = template.cache.get("tools.references")
    if cached is not None:
        return cached
    found: List[ToolReference] = []

    def add(referrer: Resource, path: str, value: Any) -> None:
        if value is MISSING or value is None:
            return
        found.append(ToolReference(referrer, path, _function(template, value), template.text(value) or "(an intrinsic)"))

    for agent in template.of_type("AWS::Bedrock::Agent"):
        groups = agent.prop("ActionGroups")
        for index, group in enumerate(groups if isinstance(groups, list) else []):
            if isinstance(group, dict):
                executor = group.get("ActionGroupExecutor")
                if isinstance(executor, dict):
                    add(agent, f"ActionGroups[{index}].ActionGroupExecutor.Lambda", executor.get("Lambda", MISSING))
    for target in template.of_type("AWS::BedrockAgentCore::GatewayTarget"):
        add(target, "TargetConfiguration.Mcp.Lambda.LambdaArn", target.prop("TargetConfiguration", "Mcp", "Lambda", "LambdaArn"))
    for source in template.of_type("AWS::Bedrock::DataSource"):
        transformations = source.prop("VectorIngestionConfiguration", "CustomTransformationConfiguration", "Transformations")
        for index, item in enumerate(as_list(transformations) if isinstance(transformations, list) else []):
            if isinstance(item, dict):
                arn = item.get("TransformationFunction", {})
                arn = arn.get("TransformationLambdaConfiguration", {}) if isinstance(arn, dict) else {}
                arn = arn.get("LambdaArn", MISSING) if isinstance(arn, dict) else MISSING
                add(source, "VectorIngestionConfiguration.CustomTransformationConfiguration.Transformations"
                            f"[{index}].TransformationFunction.TransformationLambdaConfiguration.LambdaArn", arn)
    template.cache["tools.references"] = found
    return found


@dataclass(frozen=True)
class Tools:
    """The tool references of a template grouped for a rule: the functions of the template (by logical id), what
    uses each (``Referrer.path``), and the references to functions outside the template (by referrer)."""

    functions: Dict[str, Resource] = field(default_factory=dict)
    users: Dict[str, List[str]] = field(default_factory=dict)
    external: Dict[str, List[str]] = field(default_factory=dict)


def grouped(template: Template) -> Tools:
    tools = Tools()
    for ref in references(template):
        if ref.function is None:
            tools.external.setdefault(ref.referrer.logical_id, []).append(f"{ref.path} = {ref.shown}")
        else:
            tools.functions[ref.function.logical_id] = ref.function
            tools.users.setdefault(ref.function.logical_id, []).append(f"{ref.referrer.logical_id}.{ref.path}")
    return tools
