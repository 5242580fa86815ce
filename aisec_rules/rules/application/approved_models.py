"""AISEC-APP-29: SageMaker models are deployed from approved model packages.

Each ``AWS::SageMaker::Model`` takes every container (``PrimaryContainer`` and each ``Containers[]``
item) from a model package (``ModelPackageName``, schema definition ``ContainerDefinition``), and the
package is approved:

* a ``Ref``/``Fn::GetAtt`` to an ``AWS::SageMaker::ModelPackage`` of the template whose
  ``ModelApprovalStatus`` is ``Approved`` (enum ``Approved`` / ``Rejected`` / ``PendingManualApproval``;
  absent means pending) passes; any other status fails;
* a literal model-package name or ARN, an import or a parameter names a package of a registry the
  template cannot see: it counts as set (the registry's approval workflow is the control there).

A container built from an image and model artefacts (``Image`` / ``ModelDataUrl`` without
``ModelPackageName``) fails: it bypasses the model registry. One finding per model (no detail).
"""
from typing import Iterator, List

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import MISSING
from ._app import note, possibilities, show, upper

PACKAGE = "AWS::SageMaker::ModelPackage"


def _containers(ctx: Context, model):
    for value in possibilities(ctx, model.prop("PrimaryContainer")):
        if not (value.known and value.missing):
            yield "PrimaryContainer", value
    for listing in possibilities(ctx, model.prop("Containers")):
        if listing.known and isinstance(listing.raw, list):
            for index, item in enumerate(listing.raw):
                for value in possibilities(ctx, item, listing.origin):
                    yield f"Containers[{index}]", value


def check(ctx: Context) -> Iterator[Violation]:
    for model in ctx.template.of_type("AWS::SageMaker::Model"):
        problems: List[str] = []
        seen = False
        for where, container in _containers(ctx, model):
            seen = True
            if not container.known:
                continue  # a container the template cannot show: counts as set
            if not isinstance(container.raw, dict):
                problems.append(f"{where} is not an object the rule can read{note(container.origin)}")
                continue
            for name in possibilities(ctx, container.raw.get("ModelPackageName", MISSING), container.origin):
                if name.known and (name.missing or name.raw == ""):
                    problems.append(f"{where}.ModelPackageName is not set{note(name.origin)}, so the model does not "
                                    "come from the model registry")
                    continue
                package = None if name.known else ctx.template.target(name.raw)
                if package is None or package.type != PACKAGE:
                    continue
                for status in possibilities(ctx, package.prop("ModelApprovalStatus")):
                    if not status.known:
                        problems.append(f"{where}.ModelPackageName references {package.logical_id}, whose "
                                        f"ModelApprovalStatus cannot be verified at synth time{note(status.origin)}")
                    elif upper(status) != "APPROVED":
                        shown = "not set (PendingManualApproval)" if status.missing else show(status.raw)
                        problems.append(f"{where}.ModelPackageName references {package.logical_id}, whose "
                                        f"ModelApprovalStatus is {shown}{note(status.origin)}")
        if not seen:
            problems.append("the model has no PrimaryContainer or Containers")
        if problems:
            yield Violation(model.logical_id, "; ".join(dict.fromkeys(problems)) + ". Deploy models from an approved "
                            "model package (ModelApprovalStatus: Approved) in the SageMaker model registry.")


RULE = Rule(
    id="AISEC-APP-29",
    prowler_aisf=("AISF-ML-04: models come from approved model packages, not domain SSO",),
    aiml_assessment=("SM-08: models come from approved model packages",),
    title="Approved models only (SageMaker)",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=("LLM03",),
    passes="Every container of every `AWS::SageMaker::Model` names a `ModelPackageName`, and a model package of the "
           "same template has `ModelApprovalStatus: Approved`.",
    remediation="Register models in the SageMaker model registry, approve them (`ModelApprovalStatus: Approved`) "
                "after review, and create `AWS::SageMaker::Model` from the package (`ModelPackageName`).",
    construct="aisec_constructs.infrastructure.ModelPackageGroup, SecureModelEndpoint (approved packages only)",
    check=check,
    judges=("AWS::SageMaker::Model",),
    reads=(PACKAGE,),
    services={Service.SAGEMAKER},
)
