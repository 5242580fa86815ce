"""AiSecurityChecks: the cdk-nag pack that enforces the AWS AI Security Framework at synth time.

Register it the same way whether cdk-nag 2 or cdk-nag 3 is installed::

    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ENHANCED))

It is a CDK policy-validation plugin (``aws_cdk.IPolicyValidationPlugin``) rather than a
subclass of either cdk-nag major's ``NagPack``; what differs between the majors lives in
``_nag_compat``.

Why it is shaped this way (DESIGN.md section 4): one Python rule applied through jsii costs
about a millisecond per resource, so the naive pack (one ``_apply_rule`` per rule per resource)
would add minutes to a real app's synth. This pack crosses into jsii a constant number of times
per synth instead: CDK hands ``validate(context)`` the paths of the synthesized templates, and
the pure-Python engine evaluates those files.

Acknowledgements: ``Validations.of(construct).acknowledge(Acknowledgment(id="AISEC-DATA-01",
reason=...))`` on a resource or any ancestor, or cdk-nag 2's ``NagSuppressions``. An aspect
registered by this pack (cdk-nag 3's ``WriteNagSuppressionsToCloudFormationAspect``, or its
Python equivalent with cdk-nag 2: ``_nag_compat``) copies every CDK acknowledgement, inherited
ones included, into the resource's ``Metadata.cdk_nag.rules_to_suppress``, where cdk-nag 2's
``NagSuppressions`` write theirs; the engine reads them there, exactly as ``aisec check`` does
for templates synthesized elsewhere. Both the bare id
and CDK's suggested ``AISEC::AISEC-DATA-01`` form work; an id matches exactly (a granular
finding ``AISEC-DATA-01[Action::bedrock:*]`` needs its own acknowledgement, as in cdk-nag 3).
Acknowledged findings stay in the validation report as ``info`` entries carrying the reason, so
the audit trail shows every exception; only unacknowledged findings fail the synth.

Phase: the CDK context key ``aisec:phase`` (``cdk synth -c aisec:phase=enhanced``) overrides the
``phase`` argument, which is the default for when the key is absent; with neither, Foundational.
"""
from __future__ import annotations

import json
from typing import Iterable, List, Optional

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from ._nag_compat import acknowledgements_to_template
from .cli import version
from .engine import evaluate
from .model import Capability, Finding, Phase
from .registry import RULES
from .template import Template

PACK_NAME = "AISEC"
PHASE_CONTEXT_KEY = "aisec:phase"


@jsii.implements(cdk.IPolicyValidationPlugin)
class AiSecurityChecks:
    """Enforce the rules of ``phase`` (cumulative) for the capabilities each stack shows."""

    def __init__(
        self,
        scope: IConstruct,
        *,
        phase: "Phase | str" = Phase.FOUNDATIONAL,
        capabilities: Optional[Iterable[Capability]] = None,
        verbose: bool = False,
    ) -> None:
        if scope is None:
            raise ValueError("AiSecurityChecks needs the scope it validates (the App or Stage), to carry acknowledgements")
        acknowledgements_to_template(scope)
        from_context = scope.node.try_get_context(PHASE_CONTEXT_KEY)
        try:
            self._phase = Phase.parse(from_context if from_context is not None else phase)
        except ValueError as error:
            source = f"context key {PHASE_CONTEXT_KEY}" if from_context is not None else "phase argument"
            raise ValueError(f"AiSecurityChecks: {source}: {error}") from None
        self._capabilities = frozenset(capabilities) if capabilities is not None else None
        self._verbose = verbose

    @property
    def name(self) -> str:
        return PACK_NAME

    @property
    def version(self) -> str:
        return version()

    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def rule_ids(self) -> List[str]:
        return [rule.id for rule in RULES]

    def validate(self, context) -> cdk.PolicyValidationPluginReport:
        findings: List[Finding] = []
        for path in context.template_paths:
            with open(path, encoding="utf-8") as handle:
                template = Template(json.load(handle), path)
            findings.extend(evaluate(template, self._phase, self._capabilities, RULES))
        violations = [self._violation(f) for f in findings]
        return cdk.PolicyValidationPluginReport(
            success=all(f.acknowledged for f in findings), violations=violations)

    def validate_scope(self, scope) -> cdk.PolicyValidationPluginReport:
        raise NotImplementedError(
            "AiSecurityChecks judges synthesized templates: register it with "
            "Validations.of(app).add_plugins(AiSecurityChecks(app)) and synthesize the app (findings fail "
            "app.synth()), or evaluate a template dict with aisec_rules.engine.evaluate")

    def _violation(self, finding: Finding) -> cdk.PolicyViolation:
        rule = finding.rule
        description = finding.message
        if finding.acknowledged:
            description = f"Acknowledged ({finding.reason}): {description}"
        description = f"{description} [{rule.title}; phase {rule.phase.label}; see {rule.docs_link}]"
        if self._verbose:
            description = f"{description} {rule.remediation}"
        return cdk.PolicyViolation(
            rule_name=finding.id,
            description=description,
            severity="info" if finding.acknowledged else "error",
            fix=None if finding.acknowledged else rule.remediation,
            rule_metadata={"layer": rule.layer.value, "phase": rule.phase.name.lower(),
                           "severity": rule.severity.value, **({"reason": finding.reason or ""} if finding.acknowledged else {})},
            violating_resources=[cdk.PolicyViolatingResource(
                locations=["Properties"], resource_logical_id=finding.resource, template_path=finding.template)],
        )
