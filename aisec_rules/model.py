"""The vocabulary of the rule pack: phases, capabilities, layers, rule metadata and findings.

Everything here is plain Python with no AWS CDK import, so the command-line scanner and the
tests can use it without starting the jsii runtime.
"""
from __future__ import annotations

import enum
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import AbstractSet, Callable, FrozenSet, Iterable, Optional, Protocol, Tuple


#: the detail of the finding an engine guard makes of a rule that raised (a bug in aisec, not in the input)
INTERNAL_ERROR = "internal-error"

#: The threats rules name in ``risks``: the OWASP Top 10 for LLM Applications 2025 (``LLM01``-``LLM10``) and the
#: OWASP Agentic AI - Threats and Mitigations taxonomy (``T1``-``T15``, Agentic Security Initiative, February 2025)
RISKS = {
    "LLM01": "Prompt Injection", "LLM02": "Sensitive Information Disclosure", "LLM03": "Supply Chain",
    "LLM04": "Data and Model Poisoning", "LLM05": "Improper Output Handling", "LLM06": "Excessive Agency",
    "LLM07": "System Prompt Leakage", "LLM08": "Vector and Embedding Weaknesses", "LLM09": "Misinformation",
    "LLM10": "Unbounded Consumption",
    "T1": "Memory Poisoning", "T2": "Tool Misuse", "T3": "Privilege Compromise", "T4": "Resource Overload",
    "T5": "Cascading Hallucination Attacks", "T6": "Intent Breaking and Goal Manipulation",
    "T7": "Misaligned and Deceptive Behaviors", "T8": "Repudiation and Untraceability",
    "T9": "Identity Spoofing and Impersonation", "T10": "Overwhelming Human in the Loop",
    "T11": "Unexpected RCE and Code Attacks", "T12": "Agent Communication Poisoning",
    "T13": "Rogue Agents in Multi-Agent Systems", "T14": "Human Attacks on Multi-Agent Systems",
    "T15": "Human Manipulation",
}


class Phase(enum.IntEnum):
    """Lifecycle phase of the AWS AI Security Framework. Phases are cumulative: a rule of a lower
    phase stays on in every higher phase."""

    FOUNDATIONAL = 1
    ENHANCED = 2
    ADVANCED = 3

    @classmethod
    def parse(cls, value: "Phase | str") -> "Phase":
        """Accept a Phase or its name in any case (``"enhanced"``); raise ValueError otherwise."""
        if isinstance(value, Phase):
            return value
        if isinstance(value, str) and value.strip().upper() in cls.__members__:
            return cls[value.strip().upper()]
        names = ", ".join(p.name.lower() for p in cls)
        raise ValueError(f"unknown phase {value!r}: expected one of {names}")

    @property
    def label(self) -> str:
        return self.name.capitalize()


class Capability(enum.Enum):
    """What an AI system does. A system that connects to data or acts also answers: a RAG
    assistant and an agent are generative applications too. Acting does not imply connecting
    to data (an agent without a knowledge base has no corpus to protect)."""

    ANSWERS = "answers"
    CONNECTS = "connects"
    ACTS = "acts"

    @classmethod
    def parse_list(cls, text: str) -> FrozenSet["Capability"]:
        """Parse ``"answers,connects"``; raise ValueError naming the bad item."""
        items = [part.strip().lower() for part in text.split(",") if part.strip()]
        if not items:
            raise ValueError("no capability given: expected a comma-separated list of answers, connects, acts")
        result = set()
        for item in items:
            try:
                result.add(cls(item))
            except ValueError:
                raise ValueError(f"unknown capability {item!r}: expected answers, connects or acts") from None
        return frozenset(result)


def with_implied(capabilities: Iterable[Capability]) -> FrozenSet[Capability]:
    """Add the capabilities that the given ones imply (connects and acts imply answers)."""
    caps = set(capabilities)
    if caps & {Capability.CONNECTS, Capability.ACTS}:
        caps.add(Capability.ANSWERS)
    return frozenset(caps)


class Layer(enum.Enum):
    """Layer of the framework; the value is the rule-id infix."""

    INFRASTRUCTURE = "INF"
    DATA = "DATA"
    APPLICATION = "APP"

    @property
    def label(self) -> str:
        return {"INF": "Infrastructure", "DATA": "Data and model", "APP": "Application and agent"}[self.value]


class Scope(enum.Enum):
    """What a rule judges.

    * ``RESOURCE``: each resource on its own, following references (``Ref``, ``Fn::GetAtt``, and
      across stacks ``Fn::ImportValue`` and SSM parameters) into the other stacks of the environment.
    * ``ENVIRONMENT``: a control that must exist once for the workload or the account and Region (a
      trail, invocation logging, a guardrail, GuardDuty). Judged once per environment over all its
      stacks: a control any stack provides counts for every stack, and a missing control is reported
      once, on a deterministic resource of the stack that makes the system an AI system. The
      resources that provide the control are judged one by one as well.
    """

    RESOURCE = "resource"
    ENVIRONMENT = "environment"


class Service(enum.Enum):
    """The AI service a rule is about. A rule with no service applies to any AI system; one with
    services applies only where the environment uses one of them, so a SageMaker-only system is not
    asked for Bedrock guardrails and a Bedrock system is not asked for SageMaker model approval."""

    BEDROCK = "bedrock"  # Amazon Bedrock and Amazon Bedrock AgentCore
    SAGEMAKER = "sagemaker"


class Severity(enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Violation:
    """What a rule check yields: one problem on one resource.

    ``resource`` is the logical id of the offending resource, or None for a workload-level
    problem (something missing from the template), which the engine attaches to a
    deterministic resource. ``detail`` makes the finding granular: its id becomes
    ``RULE-ID[detail]`` and can be acknowledged on its own.
    """

    resource: Optional[str]
    message: str
    detail: Optional[str] = None


@dataclass(frozen=True)
class Rule:
    """A control: metadata declared once, plus a pure check over template data.

    ``check`` receives a :class:`aisec_rules.context.Context` and yields :class:`Violation` s.
    """

    id: str
    title: str
    layer: Layer
    phase: Phase
    capabilities: AbstractSet[Capability]  # any set; stored as a frozenset
    severity: Severity
    risks: Tuple[str, ...]
    passes: str
    remediation: str
    check: Callable[..., Iterable[Violation]] = field(repr=False, compare=False)
    construct: str = ""
    scope: Scope = Scope.RESOURCE
    services: AbstractSet[Service] = frozenset()  # any set; stored as a frozenset
    #: the AWS Security Hub CSPM controls this rule catches before deployment, named exactly as the
    #: standard names them (``("SageMaker.9",)``); see :mod:`aisec_rules.security_hub`
    security_hub: Tuple[str, ...] = ()
    #: the requirements of Prowler's AWS AI Security Framework this rule catches before deployment
    #: (``"AISF-ML-01"``), and the checks of the AWS AI/ML security assessment sample (``"SM-11"``): an
    #: entry ``"ID"`` says the rule catches what the requirement or check catches, ``"ID: part"`` names
    #: the part it catches; see :mod:`aisec_rules.assessments`
    prowler_aisf: Tuple[str, ...] = ()
    aiml_assessment: Tuple[str, ...] = ()
    #: the check reads the phase it runs at (``ctx.phase``) and asks more at a later one; the engine
    #: then runs it again for each phase it judges instead of reusing the highest phase's findings
    tightens: bool = False
    #: the CloudFormation resource types the control judges (``"Custom::*"`` names a family of types): the
    #: evidence behind "met", which needs at least one of them in the environment; for an environment rule,
    #: the resources that establish the control. Taken from the check when the declarative helper
    #: :func:`aisec_rules.rules.base.per_resource` built it.
    judges: Tuple[str, ...] = ()
    #: the further types the check reads to judge those (the key a bucket names, the Lambda functions whose
    #: subnets place a VPC): never evidence on their own. The check reads nothing outside ``judges`` and
    #: ``reads`` (tests/rules/test_reads.py runs every rule through a view that records what it reads).
    reads: Tuple[str, ...] = ()
    #: the types (of ``judges`` or ``reads``) the check reads across every environment of the system
    #: (``Context.system_of_type``), not only the one it judges; another environment's resources of a judged
    #: one are evidence too (the management account's organization policies)
    system_wide: Tuple[str, ...] = ()
    #: what an acknowledgement's reason must name to silence this rule's findings, as (regular expression,
    #: what it names); a reason that does not match makes the acknowledgement invalid (AISEC-APP-33: the
    #: 12-digit id of the management account that enforces the control)
    reason_must_name: Tuple[str, ...] = ()
    #: what the check relied on without a finding that a reviewer should still see (AISEC-APP-31: the
    #: evidence archives outside the system), as lines of text from the same context; the readiness
    #: report lists them per environment
    evidence: Optional[Callable[..., Iterable[str]]] = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        expected_prefix = f"AISEC-{self.layer.value}-"
        if not (self.id.startswith(expected_prefix) and self.id[len(expected_prefix):].isdigit()):
            raise ValueError(f"rule id {self.id!r} does not match its layer ({expected_prefix}NN)")
        object.__setattr__(self, "capabilities", frozenset(self.capabilities))
        object.__setattr__(self, "risks", tuple(self.risks))
        object.__setattr__(self, "services", frozenset(self.services))
        object.__setattr__(self, "security_hub", tuple(self.security_hub))
        object.__setattr__(self, "prowler_aisf", tuple(self.prowler_aisf))
        object.__setattr__(self, "aiml_assessment", tuple(self.aiml_assessment))
        object.__setattr__(self, "judges", tuple(self.judges) or tuple(getattr(self.check, "judges", ())))
        object.__setattr__(self, "reads", tuple(self.reads))
        object.__setattr__(self, "system_wide", tuple(self.system_wide))

    @property
    def docs_anchor(self) -> str:
        return self.id.lower()

    @property
    def docs_link(self) -> str:
        return f"docs/RULES.md#{self.docs_anchor}"

    def applies(self, phase: Phase, capabilities: AbstractSet[Capability],
                services: AbstractSet[Service] = frozenset(Service)) -> bool:
        """True when the rule runs at ``phase`` for a system with these capabilities and services."""
        return (self.phase <= phase and bool(self.capabilities & capabilities)
                and (not self.services or bool(self.services & services)))


class ExceptionRecord(Protocol):
    """What a finding records of the acknowledgement that names it: the id it names, its reason and its
    expiry (:class:`aisec_rules.governance.exceptions.Acknowledgement`, which also decides its state)."""

    @property
    def id(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def expires(self) -> Optional[dt.date]: ...


@dataclass(frozen=True)
class Finding:
    """A violation of one rule on one resource of one template, with its acknowledgement state.

    ``template`` and ``resource`` are the file and logical id the resource was declared with;
    ``stack`` and ``environment`` say where it deploys (:mod:`aisec_rules.system.environments`)."""

    rule: Rule
    resource: str
    message: str
    template: str
    detail: Optional[str] = None
    acknowledged: bool = False
    reason: Optional[str] = None
    workload: bool = False  # something is missing from the environment; attached to an anchor resource
    stack: str = ""
    environment: str = ""
    #: the acknowledgement that names this finding (an aisec_rules.governance.exceptions.Acknowledgement), whether
    #: or not it silences it, and its state: "in force", "expiring", "expired", "invalid" ("" without one)
    exception: Optional[ExceptionRecord] = field(default=None, compare=False)
    exception_state: str = ""
    exception_problem: str = ""
    #: in the baseline given (:mod:`aisec_rules.governance.baseline`) and not acknowledged: accepted debt,
    #: reported but never failing; ``baseline_since`` is the day its entry was written, ``baseline_problem``
    #: why an entry that matches does not apply (the policy forbids it, or the entry is too old)
    baselined: bool = False
    baseline_since: Optional[dt.date] = None
    baseline_problem: str = ""

    @property
    def id(self) -> str:
        """The id to acknowledge: ``AISEC-DATA-01`` or, for a granular finding, ``AISEC-DATA-01[detail]``."""
        return f"{self.rule.id}[{self.detail}]" if self.detail else self.rule.id

    @property
    def identity(self) -> str:
        """``environment/stack/resource/finding id``: what stays the same from one run to the next while the
        finding does (never a line number or the message text). SARIF carries it as ``aisecFinding/v1``."""
        return f"{self.environment}/{self.stack}/{self.resource}/{self.id}"

    @property
    def fingerprint(self) -> str:
        """The stable fingerprint of :attr:`identity` (16 hex digits of its SHA-256): SARIF's
        ``primaryLocationLineHash`` (with ``:1``) and the key of a baseline entry."""
        return hashlib.sha256(self.identity.encode("utf-8")).hexdigest()[:16]

    @property
    def open(self) -> bool:
        """Neither acknowledged nor baselined: what fails the synth and the exit code (outside warn mode)."""
        return not (self.acknowledged or self.baselined)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "rule_id": self.rule.id,
            "detail": self.detail,
            "title": self.rule.title,
            "layer": self.rule.layer.value,
            "phase": self.rule.phase.name.lower(),
            "severity": self.rule.severity.value,
            "template": self.template,
            "resource": self.resource,
            "message": self.message,
            "acknowledged": self.acknowledged,
            "reason": self.reason,
            "workload": self.workload,
            "scope": self.rule.scope.value,
            "security_hub": list(self.rule.security_hub),
            "stack": self.stack,
            "environment": self.environment,
            "exception": None if self.exception is None else {
                "id": self.exception.id, "state": self.exception_state, "reason": self.exception.reason,
                "expires": self.exception.expires.isoformat() if self.exception.expires else None,
                "problem": self.exception_problem or None,
            },
            "baselined": self.baselined,
            "baseline": None if self.baseline_since is None else {
                "since": self.baseline_since.isoformat(), "problem": self.baseline_problem or None},
            "fingerprint": self.fingerprint,
        }
