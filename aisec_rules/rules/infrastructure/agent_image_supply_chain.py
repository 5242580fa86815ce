"""AISEC-INF-13: agent container images come from repositories that scan them and never let a tag
be overwritten; at Advanced, tool functions verify code signatures.

For each ``AWS::BedrockAgentCore::Runtime`` with ``AgentRuntimeArtifact.ContainerConfiguration
.ContainerUri``, the repository is found through the references in the URI (``Fn::GetAtt
[Repo, RepositoryUri]``, ``Fn::Join`` / ``Fn::Sub`` around it) to an ``AWS::ECR::Repository``:

* ``[ScanOnPush]``: ``ImageScanningConfiguration.ScanOnPush`` is true (absent means false), or an
  ``AWS::ECR::RegistryScanningConfiguration`` of the template has a rule whose ``RepositoryFilters``
  wildcard matches the repository name (AWS deprecates the repository-level setting in favour of
  the registry-level one, so both count);
* ``[ImageTagMutability]``: ``ImageTagMutability`` is ``IMMUTABLE`` (absent means ``MUTABLE``;
  ``IMMUTABLE_WITH_EXCLUSION`` fails because the excluded tags are the ones that get
  redeployed), unless the URI pins the image by digest (``@sha256:``), which makes the tag
  irrelevant.

Images from the CDK bootstrap container-assets repository (``ContainerImage.from_asset``; the URI
names ``...container-assets-...``): that repository is created by ``cdk bootstrap``; the default
bootstrap template makes it ``IMMUTABLE`` (trusted here, asset tags are content hashes) but does
not scan on push, so scanning passes only with a registry scanning configuration in the template
that covers it. Any other repository outside the template cannot be verified: the finding on the
runtime says so; acknowledge it with the reason (the registry's scanning and immutability are
managed elsewhere).

SageMaker model images (issue 22): the same two checks apply to the ECR repository behind each container
image of an ``AWS::SageMaker::Model`` (``PrimaryContainer.Image`` and ``Containers[].Image``), so the rule
also runs for systems that answer (the runtime images stay a control of stacks that act). A container that deploys a model package (``ModelPackageName``, no
``Image``) is not judged here (the package's images are fixed at registration; AISEC-APP-29 judges the
package). An image in a repository outside the template (an AWS deep learning container, another account's
registry, a parameter) cannot be verified: the finding is on the model, detail ``ModelImage``; acknowledge it
with the reason (AWS-maintained images are scanned by AWS). Each ``Fn::If`` branch of an image is judged.

Advanced only, ``[CodeSigningConfigArn]``: every tool function of an agent workload (the Lambda
functions referenced by agent action groups, gateway targets and data source transformations,
see ``_tools``, from a stack that acts, see ``Context.capabilities_of``) sets ``CodeSigningConfigArn``. The catalog marks this part optional: it is a
separate granular finding so a team that does not sign its tool code yet acknowledges exactly
that.
"""
import re
from typing import Iterator, List, Optional

from ...read.iam import wildcard_match
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource, as_list, is_true
from . import _tools

REPOSITORY = "AWS::ECR::Repository"
MODEL = "AWS::SageMaker::Model"
URI = ("AgentRuntimeArtifact", "ContainerConfiguration", "ContainerUri")


def _registry_filters(ctx: Context) -> List[str]:
    filters = []
    for config in ctx.template.of_type("AWS::ECR::RegistryScanningConfiguration"):
        for rule in as_list(config.prop("Rules")):
            if isinstance(rule, dict):
                for item in as_list(rule.get("RepositoryFilters")):
                    if isinstance(item, dict) and isinstance(item.get("Filter"), str):
                        filters.append(item["Filter"])
    return filters


def _registry_scans(ctx: Context, name: Optional[str]) -> bool:
    filters = _registry_filters(ctx)
    if name is None:
        return "*" in filters
    concrete = re.sub(r"\$\{[^}]*\}", "x", name)
    return any(wildcard_match(f, concrete) for f in filters)


def _repository_name(ctx: Context, repo: Resource) -> Optional[str]:
    values = ctx.template.resolve(repo.prop("RepositoryName"))
    return values[0].raw if len(values) == 1 and values[0].known and isinstance(values[0].raw, str) else None


def _repository(ctx: Context, repo: Resource, user: str, pinned: bool) -> Iterator[Violation]:
    scans = [v for v in ctx.template.resolve(repo.prop("ImageScanningConfiguration", "ScanOnPush"))]
    if not all(not v.known or is_true(v.raw) for v in scans) and not _registry_scans(ctx, _repository_name(ctx, repo)):
        yield Violation(repo.logical_id,
                        f"ImageScanningConfiguration.ScanOnPush is not true and no registry scanning configuration covers "
                        f"the repository; images of {user} must be scanned on push",
                        "ScanOnPush")
    if pinned:
        return
    for value in ctx.template.resolve(repo.prop("ImageTagMutability")):
        if value.known and (value.missing or value.raw != "IMMUTABLE"):
            shown = "not set (defaults to MUTABLE)" if value.missing else f"is {value.raw}"
            yield Violation(repo.logical_id,
                            f"ImageTagMutability {shown}{value.note()}; must be IMMUTABLE (or the runtime must pin the "
                            f"image by digest) so that the code {user} runs cannot be "
                            "replaced under the same tag", "ImageTagMutability")


def check(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    for runtime in template.of_type("AWS::BedrockAgentCore::Runtime"):
        raw = runtime.prop(*URI)
        if raw is MISSING or Capability.ACTS not in ctx.capabilities_of(runtime.logical_id):
            continue
        text = template.text(raw)
        pinned = bool(text and "@sha256:" in text)
        repos = [r for r in template.references(raw) if r.type == REPOSITORY]
        for repo in repos:
            yield from _repository(ctx, repo, f"agent runtime {runtime.logical_id}", pinned)
        if repos:
            continue
        if text and "container-assets-" in text:
            name = text.split("/", 1)[1].split(":", 1)[0].split("@", 1)[0] if "/" in text else None
            if not _registry_scans(ctx, name):
                yield Violation(runtime.logical_id,
                                f"{'.'.join(URI)} is an image of the CDK bootstrap container-assets repository, which "
                                "does not scan on push; add an AWS::ECR::RegistryScanningConfiguration rule covering it, "
                                "or, if the registry scans images already, acknowledge this finding with that reason")
            continue
        yield Violation(runtime.logical_id,
                        f"{'.'.join(URI)} = {text or '(an intrinsic)'} is in a repository outside this template, so scan "
                        "on push and tag immutability cannot be verified; if that repository has both, acknowledge this "
                        "finding with that reason")
    yield from _model_images(ctx)
    if ctx.phase < Phase.ADVANCED:
        return
    seen = set()
    for ref in _tools.references(template):
        fn = ref.function
        if fn is None or fn.logical_id in seen or Capability.ACTS not in ctx.capabilities_of(ref.referrer.logical_id):
            continue
        seen.add(fn.logical_id)
        for value in template.resolve(fn.prop("CodeSigningConfigArn")):
            if value.known and (value.missing or value.raw == ""):
                yield Violation(fn.logical_id,
                                f"CodeSigningConfigArn is not set{value.note()} on tool function {fn.logical_id} "
                                f"({ref.referrer.logical_id}); at Advanced, tool code must be signed and verified",
                                "CodeSigningConfigArn")


def _model_images(ctx: Context) -> Iterator[Violation]:
    template = ctx.template
    for model in template.of_type(MODEL):
        containers = [("PrimaryContainer", model.prop("PrimaryContainer"))]
        listed = model.prop("Containers")
        containers += [(f"Containers[{i}]", c) for i, c in enumerate(listed if isinstance(listed, list) else [])]
        external: List[str] = []
        for where, container in containers:
            if not isinstance(container, dict) or "Image" not in container:
                continue
            for image in template.resolve(container["Image"]):
                if image.missing:
                    continue
                raw = image.raw
                text = raw if image.known and isinstance(raw, str) else template.text(raw)
                repos = [r for r in template.references(raw) if r.type == REPOSITORY] if not image.known else []
                for repo in repos:
                    yield from _repository(ctx, repo, f"SageMaker model {model.logical_id}",
                                           bool(text and "@sha256:" in text))
                if not repos:
                    external.append(f"{where}.Image = {text or '(an intrinsic)'}{image.note()}")
        if external:
            yield Violation(model.logical_id,
                            f"{'; '.join(dict.fromkeys(external))}: the image is in a repository outside this template, so "
                            "scan on push and tag immutability cannot be verified; if that repository has both (or AWS "
                            "maintains the image), acknowledge this finding with that reason", "ModelImage")


RULE = Rule(
    id="AISEC-INF-13",
    aiml_assessment=("FS-16: the repositories of AgentCore runtime and SageMaker model images scan on push",),
    title="Agent image and tool code supply chain",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM03",),
    passes="The ECR repository of each AgentCore runtime image and SageMaker model image scans on push (or registry scanning covers it) and "
           "has `ImageTagMutability: IMMUTABLE` (or the image is pinned by digest); at Advanced, tool functions "
           "set `CodeSigningConfigArn`.",
    remediation="Create agent image repositories with `ScanOnPush` and `IMMUTABLE` tags (or pin images by digest); "
                "sign tool function code with AWS Signer and set a code signing configuration.",
    construct="aisec_constructs.infrastructure.PrivateToolFunction (code signing)",
    check=check,
    judges=("AWS::BedrockAgentCore::Runtime", MODEL, *_tools.HOLDERS),
    reads=("AWS::ECR::Repository", "AWS::ECR::RegistryScanningConfiguration", *_tools.FUNCTIONS),
    tightens=True,
)
