"""AiSecurityChecks: the cdk-nag pack that enforces the AWS AI Security Framework at synth time.

Register it the cdk-nag 3 way::

    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ENHANCED))

Why it is shaped this way (DESIGN.md section 4): one Python rule applied through jsii costs
about a millisecond per resource, so the naive pack (one ``_apply_rule`` per rule per resource)
would add minutes to a real app's synth. This pack crosses into jsii a constant number of times
per synth instead: CDK hands ``validate(context)`` the paths of the synthesized templates, and
the pure-Python engine evaluates those files.

Acknowledgements: ``Validations.of(construct).acknowledge(Acknowledgment(id="AISEC-DATA-01",
reason=...))`` on a resource or any ancestor. cdk-nag's ``WriteNagSuppressionsToCloudFormation``
aspect (JavaScript, registered by this pack) copies every acknowledgement, inherited ones
included, into the resource's ``Metadata.cdk_nag.rules_to_suppress``; the engine reads them
there, exactly as ``aisec check`` does for templates synthesized elsewhere. Both the bare id
and CDK's suggested ``AISEC::AISEC-DATA-01`` form work; an id matches exactly (a granular
finding ``AISEC-DATA-01[Action::bedrock:*]`` needs its own acknowledgement, as in cdk-nag 3).
Acknowledged findings stay in the validation report as ``info`` entries carrying the reason, so
the audit trail shows every exception; only unacknowledged findings fail the synth.

Phase: the CDK context key ``aisec:phase`` (``cdk synth -c aisec:phase=enhanced``) overrides the
``phase`` argument, which is the default for when the key is absent; with neither, Foundational.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Optional

import aws_cdk as cdk
from cdk_nag import NagPack
from constructs import IConstruct

from .cli import version
from .assembly import artifacts_of
from .cdk_report import policy_report
from .engine import evaluate_system
from .model import Capability, Finding, Phase
from .registry import RULES
from .system import Stack
from .template import Template

PACK_NAME = "AISEC"
PHASE_CONTEXT_KEY = "aisec:phase"


class AiSecurityChecks(NagPack):
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
        super().__init__(scope, verbose=verbose, write_suppressions_to_cloud_formation=True)
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

    def _check_resource(self, node) -> None:  # cdk-nag's per-resource path is not used: see module docstring
        return None

    def validate(self, context) -> Dict[str, Any]:  # a cdk.PolicyValidationPluginReport as jsii wire data
        """Judge the templates of this synth as one system: stacks grouped by the environment the
        cloud assembly manifest gives them, each environment judged once (see aisec_rules.system)."""
        paths = list(context.template_paths)
        artifacts = artifacts_of(paths)
        stacks = []
        for path in paths:
            with open(path, encoding="utf-8") as handle:
                template = Template(json.load(handle), path)
            artifact = artifacts.get(path)
            stacks.append(Stack(template, artifact.name, artifact.environment) if artifact else Stack(template))
        findings: List[Finding] = evaluate_system(stacks, self._phase, self._capabilities, RULES)
        # The report goes back as jsii wire data, findings that read the same grouped into one
        # violation: CDK's per-violation work after validate() cost more than the rules (cdk_report).
        return policy_report(findings, verbose=self._verbose)

    def validate_scope(self, scope) -> cdk.PolicyValidationPluginReport:
        raise NotImplementedError(
            "AiSecurityChecks judges synthesized templates: register it with "
            "Validations.of(app).add_plugins(AiSecurityChecks(app)) and synthesize the app (findings fail "
            "app.synth()), or judge templates with aisec_rules.engine.evaluate_system (or `aisec check cdk.out`)")
