"""What ``aisec probe`` probes: guardrail versions named on the command line, or those the templates of a
system deploy, mapped to their physical ids with CloudFormation.

* ``--guardrail ID:VERSION``: an id or ARN (split at the last colon) and a version number or ``DRAFT``, as the
  ApplyGuardrail request path takes them.
* Templates (files or ``cdk.out``) with ``--deployed``: every ``AWS::Bedrock::GuardrailVersion`` of every
  stack. CloudFormation's ``DescribeStackResources`` (``StackName``, ``LogicalResourceId``) returns the
  version's ``PhysicalResourceId``, which is what ``Ref`` returns for that type: ``<guardrail id>|<version>``
  (CloudFormation user guide, ``AWS::Bedrock::GuardrailVersion`` return values). The stack name is the one the
  cdk.out manifest deploys the stack under (``stackName``, else the artifact id); a template outside a cloud
  assembly is looked up under its file name without suffixes (``chat.template.json``: stack ``chat``). The
  Region is the stack's environment's, or the caller's default for an environment-agnostic stack. The
  denied topics of the ``AWS::Bedrock::Guardrail`` the version publishes (its ``GuardrailIdentifier`` a
  ``Ref``/``Fn::GetAtt`` to a guardrail of the same template) become probes too; topic fields the template
  cannot show as one literal (an intrinsic, an ``Fn::If``) are left out.

A guardrail without a version resource is not probed (its consumers use DRAFT: AISEC-APP-05); a notice says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ..read import assembly
from ..read.stack import AGNOSTIC, Stack
from ..read.template import MISSING, Template, is_intrinsic
from .runner import ProbeError, Target
from .topics import Topic, from_config

GUARDRAIL = "AWS::Bedrock::Guardrail"
VERSION = "AWS::Bedrock::GuardrailVersion"
_IDENTIFIER = re.compile(r"[a-z0-9]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+")
_VERSION = re.compile(r"[1-9][0-9]{0,7}|DRAFT")


def parse(text: str) -> Target:
    """``ID:VERSION`` (the id may be an ARN); ValueError with the expected shape otherwise."""
    identifier, _, version = text.strip().rpartition(":")
    if not (_IDENTIFIER.fullmatch(identifier) and _VERSION.fullmatch(version)):
        raise ValueError(f"{text!r} is not ID:VERSION (a guardrail id such as abc123def456 or its ARN, then a version "
                         "number or DRAFT)")
    return Target(identifier, version)


@dataclass(frozen=True)
class Declared:
    """A guardrail version a template declares, before it is looked up in CloudFormation."""

    stack: Stack
    stack_name: str
    region: Optional[str]
    logical_id: str
    topics: Tuple[Topic, ...]


def stack_names(paths: Iterable[Any]) -> Dict[str, str]:
    """Template path -> the name CloudFormation deploys it under, for the stacks of the cdk.out folders in
    ``paths`` (other templates are not in the result)."""
    names: Dict[str, str] = {}
    for given in paths:
        folder = Path(given)
        if folder.is_dir() and assembly.is_assembly(folder):
            names.update({str(a.template_path): a.stack_name or a.name for a in assembly.read(folder)})
    return names


def region_of(environment: str) -> Optional[str]:
    """The Region of ``aws://account/region``; None for an environment-agnostic stack."""
    if environment == AGNOSTIC or not environment.startswith("aws://"):
        return None
    region = environment[len("aws://"):].partition("/")[2]
    return region if region and region != "unknown-region" else None


def declared(stacks: Sequence[Stack], names: Dict[str, str]) -> Tuple[List[Declared], List[str]]:
    """The guardrail versions the stacks declare, and notices for guardrails without one."""
    found: List[Declared] = []
    notices: List[str] = []
    for stack in stacks:
        template = stack.template
        published = set()
        for version in template.of_type(VERSION):
            guardrail = template.target(version.prop("GuardrailIdentifier"))
            topics: Tuple[Topic, ...] = ()
            if guardrail is not None and guardrail.type == GUARDRAIL:
                published.add(guardrail.logical_id)
                topics = tuple(from_config(_literal(template, guardrail.prop("TopicPolicyConfig", "TopicsConfig"))))
            found.append(Declared(stack, names.get(template.path, stack.name), region_of(stack.environment),
                                  version.logical_id, topics))
        for guardrail in template.of_type(GUARDRAIL):
            if guardrail.logical_id not in published:
                notices.append(f"{stack.name}/{guardrail.logical_id}: not probed: no AWS::Bedrock::GuardrailVersion "
                               "publishes it (probe its DRAFT with --guardrail ARN:DRAFT)")
    return found, notices


def _literal(template: Template, value: Any) -> Any:
    """``value`` with every intrinsic replaced by its one literal possibility; None where there is not one."""
    if value is MISSING:
        return None
    if is_intrinsic(value):
        options = [v for v in template.resolve(value) if v.known and not v.missing]
        return _literal(template, options[0].raw) if len(options) == 1 and not is_intrinsic(options[0].raw) else None
    if isinstance(value, dict):
        literal = {k: _literal(template, v) for k, v in value.items()}
        return {k: v for k, v in literal.items() if v is not None}
    if isinstance(value, list):
        return [item for item in (_literal(template, v) for v in value) if item is not None]
    return value


def resolve(found: Sequence[Declared], cloudformation: Callable[[Optional[str]], Any]) -> List[Target]:
    """Each declared version as a Target with its physical id; ``cloudformation(region)`` gives a client."""
    targets = []
    for d in found:
        physical = physical_id(cloudformation(d.region), d.stack_name, d.logical_id, d.region)
        identifier, _, version = physical.partition("|")
        if not (identifier and _VERSION.fullmatch(version)):
            raise ProbeError(f"stack {d.stack_name}: {d.logical_id} has the physical id {physical!r}, not "
                             "<guardrail id>|<version>")
        targets.append(Target(identifier, version, d.topics, d.region, d.stack.name, d.logical_id,
                              d.stack.template.path))
    return targets


def physical_id(client: Any, stack_name: str, logical_id: str, region: Optional[str]) -> str:
    """The ``PhysicalResourceId`` of one resource of a deployed stack; ProbeError when the stack or the
    resource is not deployed."""
    where = f"stack {stack_name}" + (f" in {region}" if region else "")
    try:
        answer = client.describe_stack_resources(StackName=stack_name, LogicalResourceId=logical_id)
    except Exception as error:  # noqa: BLE001 - botocore's ClientError and transport errors, told apart by shape
        response = getattr(error, "response", None)
        if not isinstance(response, dict):
            raise ProbeError(f"{where}: cannot ask CloudFormation: {error}") from None
        message = " ".join(str(response.get("Error", {}).get("Message", error)).split())
        raise ProbeError(f"{where}: {message} (deploy the stack, or check the Region and credentials)") from None
    for resource in answer.get("StackResources", []):
        if resource.get("LogicalResourceId") == logical_id and resource.get("PhysicalResourceId"):
            return str(resource["PhysicalResourceId"])
    raise ProbeError(f"{where}: {logical_id} is not deployed (deploy the current template first)")
