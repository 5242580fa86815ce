"""Detect what an AI system does from its template: answers, connects to data, acts.

* acts: any Bedrock agent or agent alias, any ``AWS::BedrockAgentCore::*`` resource;
* connects: a Bedrock knowledge base or data source, a vector store (an OpenSearch Serverless
  collection of type VECTORSEARCH, S3 Vectors), a Kendra index;
* answers: any other ``AWS::Bedrock::*`` or ``AWS::SageMaker::*`` resource, a Bedrock VPC
  endpoint, model invocation logging, or an identity policy that grants ``bedrock:InvokeModel``
  through a statement naming the bedrock service (a bare ``"*"`` grant does not by itself make
  a stack an AI stack: every admin role would);
* connects and acts imply answers.

The evidence (logical ids per capability) is kept so that workload-level findings attach to a
deterministic resource.

Services (:func:`services`): Bedrock when the evidence shows anything but SageMaker (a Bedrock or
AgentCore resource, a Bedrock endpoint, invocation logging, a grant of ``bedrock:InvokeModel``);
SageMaker when there is an ``AWS::SageMaker::*`` resource. A template with no AI evidence at all
(judged because capabilities were given) counts as Bedrock, the framework's default service.
"""
from __future__ import annotations

from typing import Dict, FrozenSet, List

from ..read import iam
from ..aws import INVOCATION_LOGGING_TYPE
from ..model import Capability, Service, with_implied
from ..read.template import Template


_ACTS_TYPES = {"AWS::Bedrock::Agent", "AWS::Bedrock::AgentAlias"}
_CONNECTS_TYPES = {
    "AWS::Bedrock::KnowledgeBase", "AWS::Bedrock::DataSource", "AWS::S3Vectors::VectorBucket",
    "AWS::S3Vectors::Index", "AWS::Kendra::Index",
}
_INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")


def evidence(template: Template) -> Dict[Capability, List[str]]:
    """Logical ids that establish each capability, sorted (cached on the template)."""
    cached = template.cache.get("capabilities.evidence")
    if cached is not None:
        return cached
    found: Dict[Capability, set] = {c: set() for c in Capability}
    for rtype in list(template.types()):
        ids = [r.logical_id for r in template.of_type(rtype)]
        if rtype in _ACTS_TYPES or rtype.startswith("AWS::BedrockAgentCore::"):
            found[Capability.ACTS].update(ids)
        elif rtype in _CONNECTS_TYPES:
            found[Capability.CONNECTS].update(ids)
        elif rtype.startswith(("AWS::Bedrock::", "AWS::SageMaker::")) or rtype == INVOCATION_LOGGING_TYPE:
            found[Capability.ANSWERS].update(ids)
    for collection in template.of_type("AWS::OpenSearchServerless::Collection"):
        kind = collection.prop("Type")
        if not isinstance(kind, str) or kind == "VECTORSEARCH":
            found[Capability.CONNECTS].add(collection.logical_id)
    for endpoint in template.of_type("AWS::EC2::VPCEndpoint"):
        service = template.text(endpoint.prop("ServiceName")) or ""
        if ".bedrock" in service:
            found[Capability.ANSWERS].add(endpoint.logical_id)
    for statement in iam.statements(template):
        if statement.allows and not statement.not_actions and any(
            pattern.strip() != "*" and any(iam.action_matches(pattern, a) for a in _INVOKE_ACTIONS)
            for pattern, _ in statement.action_patterns()
        ):
            found[Capability.ANSWERS].add(statement.resource)
    result = {c: sorted(ids) for c, ids in found.items()}
    template.cache["capabilities.evidence"] = result
    return result


def detect(template: Template) -> FrozenSet[Capability]:
    """The capabilities a template shows, with the implied ones added."""
    return with_implied(c for c, ids in evidence(template).items() if ids)


def services(template: Template) -> FrozenSet[Service]:
    """The AI services the template uses (cached on the template)."""
    cached = template.cache.get("capabilities.services")
    if cached is not None:
        return cached
    sagemaker = {r.logical_id for rtype in template.types() if rtype.startswith("AWS::SageMaker::")
                 for r in template.of_type(rtype)}
    others = {i for ids in evidence(template).values() for i in ids} - sagemaker
    found = set()
    if sagemaker:
        found.add(Service.SAGEMAKER)
    if others or not sagemaker:
        found.add(Service.BEDROCK)
    result = frozenset(found)
    template.cache["capabilities.services"] = result
    return result
