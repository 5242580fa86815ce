"""AISEC-INF-18: SageMaker endpoints run more than one instance per production variant.

Security Hub CSPM control SageMaker.4 ("SageMaker endpoint production variants should have an initial
instance count greater than 1", AI Security Best Practices v1.0.0) caught before deployment. AWS's
definition (https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-4):
resource type ``AWS::SageMaker::EndpointConfig``; fails if the production variants have only 1 initial
instance; applies only to instance-based endpoint configurations. More than one instance lets SageMaker
spread a variant over Availability Zones (category Recover > Resilience > High availability).

Each ``ProductionVariants[]`` item of an ``AWS::SageMaker::EndpointConfig`` (cfn-lint 1.58 schema; the list
is create-only) without ``ServerlessConfig`` needs ``InitialInstanceCount`` above 1. One finding per
variant, detail = the variant's ``VariantName`` (or its index when the name is not a literal), so one
variant can be acknowledged on its own. Serverless variants are skipped (the control applies to
instance-based configurations only); shadow variants are not judged (the control names production
variants).

Layer Infrastructure: resilience of the serving compute. Phase Enhanced: availability of the inference
service joins the other Enhanced SageMaker hosting controls (INF-15, DATA-26, APP-25); a single instance is
acceptable while building the Foundational baseline. Capability answers.
"""
from typing import Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Service, Severity, Violation
from ...read.template import MISSING


def check(ctx: Context) -> Iterator[Violation]:
    for config in ctx.template.of_type("AWS::SageMaker::EndpointConfig"):
        variants = config.prop("ProductionVariants")
        if not isinstance(variants, list):
            continue  # a required list given by an intrinsic: the schema check's business, nothing to count here
        for index, variant in enumerate(variants):
            if not isinstance(variant, dict) or variant.get("ServerlessConfig") not in (None, MISSING):
                continue
            name = variant.get("VariantName")
            detail = name if isinstance(name, str) and name else str(index)
            path = ("ProductionVariants", index, "InitialInstanceCount")
            for value in ctx.template.resolve(config.prop(*path)):
                if not value.known:
                    yield Violation(config.logical_id, f"ProductionVariants[{index}].InitialInstanceCount cannot be "
                                                       f"verified at synth time{value.note()}; must be above 1", detail)
                    continue
                count = value.raw
                if isinstance(count, str) and count.strip().isdigit():
                    count = int(count)
                if count is MISSING or count is None:
                    yield Violation(config.logical_id, f"ProductionVariants[{index}].InitialInstanceCount is not "
                                                       f"set{value.note()}; must be above 1 so the variant survives "
                                                       f"an instance or Availability Zone failure", detail)
                elif not isinstance(count, int) or isinstance(count, bool) or count <= 1:
                    yield Violation(config.logical_id, f"ProductionVariants[{index}].InitialInstanceCount is "
                                                       f"{count!r}{value.note()}; must be above 1 so the variant "
                                                       f"survives an instance or Availability Zone failure", detail)


RULE = Rule(
    id="AISEC-INF-18",
    security_hub=("SageMaker.4",),
    aiml_assessment=("SM-12",),
    title="SageMaker endpoint redundancy",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS},
    severity=Severity.MEDIUM,
    risks=("LLM10",),
    passes="Every instance-based production variant of an `AWS::SageMaker::EndpointConfig` sets "
           "`InitialInstanceCount` above 1.",
    remediation="Set `InitialInstanceCount` to 2 or more on each instance-based production variant (SageMaker spreads "
                "the instances over Availability Zones); the variants are create-only, so a change deploys a new "
                "endpoint configuration.",
    construct="aisec_constructs.infrastructure.SecureModelEndpoint (initial_instance_count, default 2)",
    check=check,
    judges=("AWS::SageMaker::EndpointConfig",),
    services={Service.SAGEMAKER},
)
