"""AiSecurityChecks: the cdk-nag pack that enforces the AWS AI Security Framework at synth time.

Register it the same way whether cdk-nag 2 or cdk-nag 3 is installed::

    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ENHANCED))

It is a CDK policy-validation plugin (``aws_cdk.IPolicyValidationPlugin``) rather than a
subclass of either cdk-nag major's ``NagPack``; what differs between the majors lives in
:mod:`aisec_rules.cdk.nag_compat`.

Why it is shaped this way (DESIGN.md section 4): one Python rule applied through jsii costs
about a millisecond per resource, so the naive pack (one ``_apply_rule`` per rule per resource)
would add minutes to a real app's synth. This pack crosses into jsii a constant number of times
per synth instead: CDK hands ``validate(context)`` the paths of the synthesized templates, and
the pure-Python engine evaluates those files.

Acknowledgements: ``Validations.of(construct).acknowledge(Acknowledgment(id="AISEC-DATA-01",
reason=...))`` on a resource or any ancestor, or cdk-nag 2's ``NagSuppressions``. An aspect
registered by this pack (cdk-nag 3's ``WriteNagSuppressionsToCloudFormationAspect``, or its
Python equivalent with cdk-nag 2: :mod:`aisec_rules.cdk.nag_compat`) copies every CDK acknowledgement, inherited
ones included, into the resource's ``Metadata.cdk_nag.rules_to_suppress``, where cdk-nag 2's
``NagSuppressions`` write theirs; the engine reads them there, exactly as ``aisec check`` does
for templates synthesized elsewhere. Both the bare id
and CDK's suggested ``AISEC::AISEC-DATA-01`` form work; an id matches exactly (a granular
finding ``AISEC-DATA-01[Action::bedrock:*]`` needs its own acknowledgement, as in cdk-nag 3).
Acknowledged findings stay in the validation report as ``info`` entries carrying the reason, so
the audit trail shows every exception; only unacknowledged findings fail the synth. An
acknowledgement that has expired, or that is invalid (no real reason, a wildcard id, forbidden by
the policy) silences nothing: its finding is reported as ``fatal``, the one severity CDK's own
acknowledgement matching leaves alone (see :mod:`aisec_rules.governance.exceptions`).

Phase: the CDK context key ``aisec:phase`` (``cdk synth -c aisec:phase=enhanced``) overrides the
``phase`` argument; with neither, the policy's phase, else Foundational. Policy: the ``policy``
argument (a :class:`~aisec_rules.governance.policy.Policy` or a file path) or the context key ``aisec:policy``
(a path, which wins); with neither, the nearest ``aisec.toml`` / ``[tool.aisec]`` from the working
directory up (:mod:`aisec_rules.governance.policy`).

Baseline: the ``baseline`` argument (a path to a file ``aisec baseline`` wrote) or the context key
``aisec:baseline`` (a path, which wins): the findings it holds are reported as baselined (``info``)
and do not fail the synth (:mod:`aisec_rules.governance.baseline`).

Mode: ``mode="warn"``, the context key ``aisec:mode`` (``warn`` or ``enforce``, which wins) or the
policy's ``mode``: in warn mode every finding is reported (open ones as ``warning``) and the synth
never fails, with cdk-nag 2 or 3 beside it (:mod:`aisec_rules.cdk.report`); the readiness report says
it was produced in warn mode. The default is ``enforce``.

Unused acknowledgements: an acknowledgement of an aisec id that matches no finding is reported as a
``warning`` violation (:mod:`aisec_rules.governance.unused`), which fails the synth when the policy
sets ``fail_on_unused_acknowledgements`` (outside warn mode).

Reports: every synth writes the readiness report (``aisec-report.html`` and ``aisec-report.json``,
:mod:`aisec_rules.output.readiness`) into the cloud assembly folder next to CDK's validation-report.json;
``report=False`` turns that off. With the report written, CDK's report holds one violation per finding id
naming its first resources, and points to ``aisec-report.json`` for every one; without it, every resource
(:mod:`aisec_rules.cdk.report`).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from ..engine import Judgement, collector_paused, judge
from ..governance import baseline as baselines
from ..governance import exceptions
from ..governance import policy as policies
from ..governance.policy import Policy
from ..governance.unused import Unused
from ..governance.unused import unused as unused_acknowledgements
from ..model import Capability, Finding, Phase
from ..read import loader
from ..read.assembly import artifacts_of, outermost_assembly
from ..read.stack import Stack
from ..read.template import TemplateError
from ..registry import RULES
from ..version import version
from .nag_compat import acknowledgements_to_template
from .report import policy_report

PACK_NAME = "AISEC"
PHASE_CONTEXT_KEY = "aisec:phase"
POLICY_CONTEXT_KEY = "aisec:policy"
BASELINE_CONTEXT_KEY = "aisec:baseline"
MODE_CONTEXT_KEY = "aisec:mode"
REPORT_HTML = "aisec-report.html"
REPORT_JSON = "aisec-report.json"


@jsii.implements(cdk.IPolicyValidationPlugin)
class AiSecurityChecks:
    """Enforce the rules of ``phase`` (cumulative) for the capabilities each stack shows."""

    def __init__(
        self,
        scope: IConstruct,
        *,
        phase: "Phase | str | None" = None,
        capabilities: Optional[Iterable[Capability]] = None,
        verbose: bool = False,
        policy: "Policy | str | None" = None,
        report: bool = True,
        baseline: Optional[str] = None,
        mode: Optional[str] = None,
    ) -> None:
        if scope is None:
            raise ValueError("AiSecurityChecks needs the scope it validates (the App or Stage), to carry acknowledgements")
        acknowledgements_to_template(scope)
        policy_path = scope.node.try_get_context(POLICY_CONTEXT_KEY)
        try:
            if policy_path is not None:
                self._policy = policies.load(str(policy_path))
            elif isinstance(policy, str):
                self._policy = policies.load(policy)
            else:
                self._policy = policy if policy is not None else policies.discover()
        except TemplateError as error:
            raise ValueError(f"AiSecurityChecks: {error}") from None
        from_context = scope.node.try_get_context(PHASE_CONTEXT_KEY)
        try:
            chosen = from_context if from_context is not None else phase
            self._phase = Phase.parse(chosen) if chosen is not None else (self._policy.phase or Phase.FOUNDATIONAL)
        except ValueError as error:
            source = f"context key {PHASE_CONTEXT_KEY}" if from_context is not None else "phase argument"
            raise ValueError(f"AiSecurityChecks: {source}: {error}") from None
        self._capabilities = frozenset(capabilities) if capabilities is not None else None
        self._verbose = verbose
        self._report = report
        baseline_path = scope.node.try_get_context(BASELINE_CONTEXT_KEY) or baseline
        try:
            self._baseline = baselines.load(str(baseline_path)) if baseline_path else None
        except TemplateError as error:
            raise ValueError(f"AiSecurityChecks: {error}") from None
        mode_context = scope.node.try_get_context(MODE_CONTEXT_KEY)
        chosen_mode = mode_context if mode_context is not None else (mode or self._policy.mode)
        if chosen_mode not in policies.MODES:
            source = f"context key {MODE_CONTEXT_KEY}" if mode_context is not None else "mode argument"
            raise ValueError(f"AiSecurityChecks: {source}: mode {chosen_mode!r} is not one of "
                             f"{', '.join(policies.MODES)}")
        self._warn = chosen_mode == "warn"

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
    def warn(self) -> bool:
        """True in warn mode: every finding is reported, none fails the synth."""
        return self._warn

    @property
    def rule_ids(self) -> List[str]:
        return [rule.id for rule in RULES]

    def validate(self, context) -> Dict[str, Any]:  # a cdk.PolicyValidationPluginReport as jsii wire data
        """Judge the templates of this synth as one system: stacks grouped by the environment the
        cloud assembly manifest gives them, each environment judged once (see aisec_rules.system.environments)."""
        # inside a synth every live object includes the whole app's jsii proxies, so on a large app each collection
        # cost more than the rules (at 4000 resources: judging 1.2 s with it, 0.5 s without; bench/README.md)
        with collector_paused():
            return self._validate(list(context.template_paths))

    def _validate(self, paths: List[str]) -> Dict[str, Any]:
        artifacts = artifacts_of(paths)
        stacks = []
        for path in paths:
            template = loader.load_file(path, path)
            artifact = artifacts.get(path)
            stacks.append(Stack(template, artifact.name, artifact.environment) if artifact else Stack(template))
        today = exceptions.today()
        phases = list(Phase) if self._report else [self._phase]
        judgements = judge(stacks, phases, self._capabilities, RULES, self._policy, today, self._baseline)
        findings: List[Finding] = [f for j in judgements for f in j.findings[self._phase]]
        unused = unused_acknowledgements(stacks, [f for j in judgements for p in phases for f in j.findings[p]],
                                         RULES, phases)
        listed_in = None
        if self._report and paths:
            listed_in = self._write_report(judgements, today, Path(paths[0]), unused)
        # The report goes back as jsii wire data; with the readiness report written, a violation per finding id
        # names its first resources and points to the report for the rest: CDK's work after validate() is per
        # violating resource, and cost more than the rules (aisec_rules.cdk.report)
        return policy_report(findings, verbose=self._verbose, warn=self._warn, unused=unused,
                             fail_on_unused=self._policy.fail_on_unused_acknowledgements, listed_in=listed_in)

    def _write_report(self, judgements: List[Judgement], today, template_path: Path, unused: List[Unused]) -> str:
        """The readiness report (HTML and JSON) in the cloud assembly folder, next to CDK's
        validation-report.json; ``unused``: the acknowledgements that match no finding of any phase. Returns
        the JSON report's path as a user finds it (relative to the working directory when below it)."""
        from ..output import readiness
        from ..output import readiness_html

        folder = outermost_assembly(template_path.resolve().parent) or template_path.resolve().parent
        result = readiness.from_judgements(judgements, enforced=self._phase, policy=self._policy, today=today,
                                           rules=RULES, version=version(), baseline=self._baseline, warn=self._warn,
                                           unused=unused)
        # compact, no spaces: json.dumps with an indent runs the pure-Python encoder, six times slower on a large app
        # (`aisec report --format json` indents for people)
        (folder / REPORT_JSON).write_text(json.dumps(result.to_dict(), separators=(",", ":")) + "\n", encoding="utf-8")
        (folder / REPORT_HTML).write_text(readiness_html.render(result), encoding="utf-8")
        written = folder / REPORT_JSON
        here = Path.cwd().resolve()
        return str(written.relative_to(here)) if written.is_relative_to(here) else str(written)

    def validate_scope(self, scope) -> cdk.PolicyValidationPluginReport:
        raise NotImplementedError(
            "AiSecurityChecks judges synthesized templates: register it with "
            "Validations.of(app).add_plugins(AiSecurityChecks(app)) and synthesize the app (findings fail "
            "app.synth()), or judge templates with aisec_rules.engine.evaluate_system (or `aisec check cdk.out`)")
