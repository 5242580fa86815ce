"""The organization's policy for the pack and the scanner, in one file both read.

Where: ``aisec.toml`` (top-level keys) or the ``[tool.aisec]`` table of ``pyproject.toml``, found in
the working directory or the nearest parent that has one (``aisec.toml`` wins in the same folder).
``aisec check --policy FILE`` and ``aisec report --policy FILE`` name a file explicitly, and so does
the context key ``aisec:policy`` for the pack. Keys, all optional::

    phase = "enhanced"                 # the phase enforced when none is given (CLI flag, pack argument,
                                       # context key aisec:phase win over it)
    forbid_acknowledging = ["AISEC-DATA-01", "AISEC-APP-01"]  # these rules may not be acknowledged
                                       # at all (a granular id AISEC-DATA-01[...] counts as its rule)
    max_exception_days = 180           # an acknowledgement may not run longer than this from today
    require_expiry = true              # every acknowledgement must carry an expiry
    mode = "warn"                      # report every finding, fail nothing (rollout); default "enforce"
                                       # (aisec check --warn and the context key aisec:mode win over it)
    forbid_baselining = ["AISEC-APP-01"]  # findings of these rules are never baselined
    max_baseline_days = 90             # a baseline entry older than this no longer applies
    fail_on_unused_acknowledgements = true  # an acknowledgement that matches no finding fails the run
    evidence_retention_days = 730      # how long audit evidence must stay write-once and retained
                                       # (AISEC-APP-31; default 365)
    [probe]                            # thresholds of `aisec probe` (aisec_rules.probe.scoring)
    min_block_rate = 0.8

An acknowledgement that breaks the policy is invalid (it silences nothing) and the finding's message
and the exception register say which policy key it breaks and where the policy came from; so does a
baseline entry the policy does not accept (:mod:`aisec_rules.governance.baseline`).
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, Mapping, Optional

from ..model import Phase
from ..read.files import read_text
from ..read.template import TemplateError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

POLICY_FILE = "aisec.toml"
_KEYS = {"phase", "forbid_acknowledging", "max_exception_days", "require_expiry", "evidence_retention_days", "probe",
         "mode", "forbid_baselining", "max_baseline_days", "fail_on_unused_acknowledgements"}
#: the retention AISEC-APP-31 asks of audit evidence when the policy does not say
DEFAULT_EVIDENCE_RETENTION_DAYS = 365
#: ``mode``: ``enforce`` fails on an open finding, ``warn`` reports every finding and fails nothing
MODES = ("enforce", "warn")


@dataclass(frozen=True)
class Policy:
    """What the organization allows. The default policy allows every valid acknowledgement."""

    phase: Optional[Phase] = None
    forbid_acknowledging: FrozenSet[str] = frozenset()
    max_exception_days: Optional[int] = None
    require_expiry: bool = False
    source: str = ""  # the file it came from, for messages
    #: days that audit evidence (trail, invocation logs, vended AI logs, probe results) must be kept
    #: write-once; rules read it through :attr:`aisec_rules.context.Context.policy`
    evidence_retention_days: int = DEFAULT_EVIDENCE_RETENTION_DAYS
    #: the ``[probe]`` table as written; :class:`aisec_rules.probe.scoring.Thresholds` reads and checks it
    probe: Mapping[str, Any] = field(default_factory=dict, hash=False)
    mode: str = "enforce"
    forbid_baselining: FrozenSet[str] = frozenset()
    max_baseline_days: Optional[int] = None
    fail_on_unused_acknowledgements: bool = False

    def violation(self, ack: Any, today: dt.date) -> str:
        """Why ``ack`` (an :class:`aisec_rules.governance.exceptions.Acknowledgement`) breaks the policy, or ""."""
        where = f" (policy {self.source})" if self.source else " (policy)"
        if ack.id in self.forbid_acknowledging or ack.id.split("[", 1)[0] in self.forbid_acknowledging:
            return f"{ack.id.split('[', 1)[0]} may not be acknowledged: forbid_acknowledging{where}"
        if self.require_expiry and ack.expires is None:
            return f"the acknowledgement has no expiry and require_expiry is true{where}"
        if self.max_exception_days is not None and ack.expires is not None and \
                (ack.expires - today).days > self.max_exception_days:
            return (f"the expiry {ack.expires.isoformat()} is more than max_exception_days = "
                    f"{self.max_exception_days} days away{where}")
        return ""

    def baseline_violation(self, finding_id: str, since: dt.date, today: dt.date) -> str:
        """Why a baseline entry written on ``since`` may not cover ``finding_id``, or ""."""
        where = f" (policy {self.source})" if self.source else " (policy)"
        rule_id = finding_id.split("[", 1)[0]
        if finding_id in self.forbid_baselining or rule_id in self.forbid_baselining:
            return f"{rule_id} may not be baselined: forbid_baselining{where}"
        if self.max_baseline_days is not None and (today - since).days > self.max_baseline_days:
            return (f"the baseline entry of {since.isoformat()} is more than max_baseline_days = "
                    f"{self.max_baseline_days} days old{where}")
        return ""

    def to_dict(self) -> Dict[str, Any]:
        return {"source": self.source or None, "phase": self.phase.name.lower() if self.phase else None,
                "forbid_acknowledging": sorted(self.forbid_acknowledging),
                "max_exception_days": self.max_exception_days, "require_expiry": self.require_expiry,
                "evidence_retention_days": self.evidence_retention_days,
                "mode": self.mode, "forbid_baselining": sorted(self.forbid_baselining),
                "max_baseline_days": self.max_baseline_days,
                "fail_on_unused_acknowledgements": self.fail_on_unused_acknowledgements}


def from_mapping(data: Dict[str, Any], source: str) -> Policy:
    """A policy from parsed TOML keys; TemplateError naming the file and key when a value is wrong."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise TemplateError(f"{source}: unknown policy key(s) {', '.join(unknown)}; expected {', '.join(sorted(_KEYS))}")
    try:
        phase = Phase.parse(data["phase"]) if "phase" in data else None
    except ValueError as error:
        raise TemplateError(f"{source}: phase: {error}") from None
    forbid = data.get("forbid_acknowledging", [])
    if not isinstance(forbid, list) or not all(isinstance(i, str) for i in forbid):
        raise TemplateError(f"{source}: forbid_acknowledging must be a list of rule ids")
    days = data.get("max_exception_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise TemplateError(f"{source}: max_exception_days must be a whole number of days, at least 1")
    require = data.get("require_expiry", False)
    if not isinstance(require, bool):
        raise TemplateError(f"{source}: require_expiry must be true or false")
    retention = data.get("evidence_retention_days", DEFAULT_EVIDENCE_RETENTION_DAYS)
    if isinstance(retention, bool) or not isinstance(retention, int) or retention < 1:
        raise TemplateError(f"{source}: evidence_retention_days must be a whole number of days, at least 1")
    probe = data.get("probe", {})
    if not isinstance(probe, dict):
        raise TemplateError(f"{source}: probe must be a table ([probe])")
    mode = data.get("mode", "enforce")
    if mode not in MODES:
        raise TemplateError(f"{source}: mode must be one of {', '.join(MODES)}")
    return Policy(phase, frozenset(forbid), days, require, source, evidence_retention_days=retention, probe=probe,
                  mode=mode, forbid_baselining=_ids(data, "forbid_baselining", source),
                  max_baseline_days=_days(data, "max_baseline_days", source),
                  fail_on_unused_acknowledgements=_flag(data, "fail_on_unused_acknowledgements", source))


def _ids(data: Dict[str, Any], key: str, source: str) -> FrozenSet[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
        raise TemplateError(f"{source}: {key} must be a list of rule ids")
    return frozenset(value)


def _days(data: Dict[str, Any], key: str, source: str) -> Optional[int]:
    value = data.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise TemplateError(f"{source}: {key} must be a whole number of days, at least 1")
    return value


def _flag(data: Dict[str, Any], key: str, source: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise TemplateError(f"{source}: {key} must be true or false")
    return value


def load(path: "Path | str") -> Policy:
    """The policy in ``path``: an ``aisec.toml``, or a ``pyproject.toml`` (its ``[tool.aisec]``)."""

    path = Path(path)
    if not path.exists():
        raise TemplateError(f"{path}: no such policy file")
    try:
        data = tomllib.loads(read_text(path))
    except TemplateError as error:
        raise TemplateError(f"{path}: cannot read the policy: {error.problem(path)}") from None
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(f"{path}: cannot read the policy: {error}") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("aisec", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise TemplateError(f"{path}: [tool.aisec] must be a table")
        return from_mapping(data, f"{path} [tool.aisec]")
    return from_mapping(data, str(path))


def discover(start: "Path | str | None" = None) -> Policy:
    """The policy of the nearest folder (from ``start``, default the working directory, upwards) that
    has an ``aisec.toml`` or a ``pyproject.toml`` with a ``[tool.aisec]`` table; the default policy
    when there is none."""
    folder = Path(start or Path.cwd()).resolve()
    for candidate in [folder, *folder.parents]:
        if (candidate / POLICY_FILE).is_file():
            return load(candidate / POLICY_FILE)
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_tool_aisec(pyproject):
            return load(pyproject)
    return Policy()


def _has_tool_aisec(pyproject: Path) -> bool:

    try:
        data = tomllib.loads(read_text(pyproject))
    except (TemplateError, tomllib.TOMLDecodeError):
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "aisec" in tool

