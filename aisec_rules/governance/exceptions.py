"""Governed exceptions: an acknowledgement silences a finding only while it is valid and in force.

An acknowledgement is CDK's ``Acknowledgment(id, reason)`` (or cdk-nag's suppression), which
reaches templates as ``Metadata.cdk_nag.rules_to_suppress`` entries ``{id, reason}`` (cdk-nag 2 may
add ``applies_to: [finding]`` for granular findings and base64-encode the reason). aisec adds:

* **Expiry.** A reason that ends with ``[expires YYYY-MM-DD]`` (what :func:`expiring` writes), or a
  template entry with an ``expires`` key, expires at the end of that day (UTC). From the next day on
  the finding counts again and fails the synth; the exception register lists it as expired, and as
  expiring soon during the :data:`SOON_DAYS` days before.
* **Validity.** An acknowledgement does not silence anything, and is reported as invalid with what
  is wrong, when its reason has fewer than :data:`MIN_REASON_CHARS` characters of text (an empty or
  placeholder reason is no justification), when its rule id holds a wildcard (``AISEC-*``; a granular
  finding's detail may hold ``*``, as in ``AISEC-DATA-01[Action::bedrock:*]``), or when the
  organization's policy (:mod:`aisec_rules.governance.policy`) forbids acknowledging that rule, requires an
  expiry it lacks, or allows a shorter exception than it asks for; or when the rule asks its reason to
  name something (``Rule.reason_must_name``: AISEC-APP-33 asks for the management account's id) and it
  does not.
"""
from __future__ import annotations

import base64
import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from .policy import Policy

#: Namespaces an acknowledgement id may carry: CDK's hint suggests ``AISEC::AISEC-DATA-01``.
ACK_PREFIXES = ("AISEC::", "annotation::", "Annotation::")
MIN_REASON_CHARS = 12
SOON_DAYS = 30
_EXPIRY = re.compile(r"\s*\[expires (\d{4}-\d{2}-\d{2})\]\s*$")


@dataclass(frozen=True)
class Acknowledgement:
    """One acknowledgement as written: the id it names, its reason (without the expiry suffix) and
    its expiry date, if any."""

    id: str
    reason: str
    expires: Optional[dt.date] = None
    problem: str = ""  # set when the expiry could not be read

    def state(self, today: dt.date, policy: Optional["Policy"] = None, must_name: Tuple[str, ...] = ()) -> str:
        """``in force``, ``expiring`` (in force, ends within SOON_DAYS), ``expired`` or ``invalid``."""
        if self.invalid_because(today, policy, must_name):
            return "invalid"
        if self.expires is not None and self.expires < today:
            return "expired"
        if self.expires is not None and (self.expires - today).days <= SOON_DAYS:
            return "expiring"
        return "in force"

    def in_force(self, today: dt.date, policy: Optional["Policy"] = None) -> bool:
        return self.state(today, policy) in ("in force", "expiring")

    def invalid_because(self, today: dt.date, policy: Optional["Policy"] = None, must_name: Tuple[str, ...] = ()) -> str:
        """What makes the acknowledgement invalid, or "" when it is valid. ``must_name`` is the rule's
        (regular expression, what it names) that the reason must match, if any."""
        if self.problem:
            return self.problem
        rule_part = self.id.split("[", 1)[0]  # a detail may hold "*" (AISEC-DATA-01[Action::bedrock:*])
        if "*" in rule_part or "?" in rule_part:
            return f"the id {self.id!r} holds a wildcard: acknowledge exact finding ids"
        if len(re.sub(r"\W", "", self.reason)) < MIN_REASON_CHARS:
            return (f"the reason {self.reason.strip()!r} is empty or too short: say why the exception is "
                    f"acceptable (at least {MIN_REASON_CHARS} characters)")
        if must_name and not re.search(must_name[0], self.reason):
            return f"the reason does not name {must_name[1]}"
        if policy is not None:
            return policy.violation(self, today)
        return ""

    def describe(self) -> str:
        return self.reason + (f" [expires {self.expires.isoformat()}]" if self.expires else "")


def parse(entry: Dict[str, Any]) -> Optional[Acknowledgement]:
    """An acknowledgement from a ``rules_to_suppress`` entry; None when it names no id."""
    ack_id = entry.get("id")
    if not isinstance(ack_id, str):
        return None
    for prefix in ACK_PREFIXES:
        if ack_id.startswith(prefix):
            ack_id = ack_id[len(prefix):]
    reason = str(entry.get("reason", "") or "")
    if entry.get("is_reason_encoded") is True:  # cdk-nag 2 base64-encodes non-Latin-1 reasons
        try:
            reason = base64.b64decode(reason).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            pass
    written = entry.get("expires")
    match = _EXPIRY.search(reason)
    if match:
        reason = reason[: match.start()]
        written = written or match.group(1)
    if written is None:
        return Acknowledgement(ack_id, reason)
    try:
        return Acknowledgement(ack_id, reason, dt.date.fromisoformat(str(written)))
    except ValueError:
        return Acknowledgement(ack_id, reason, None, f"the expiry {written!r} is not a date (YYYY-MM-DD)")


def from_metadata(metadata: Dict[str, Any]) -> Dict[str, Acknowledgement]:
    """Acknowledgements by finding id, from a resource's or template's ``cdk_nag.rules_to_suppress``."""
    nag = metadata.get("cdk_nag")
    entries = nag.get("rules_to_suppress") if isinstance(nag, dict) else None
    result: Dict[str, Acknowledgement] = {}
    for entry in entries if isinstance(entries, list) else []:
        ack = parse(entry) if isinstance(entry, dict) else None
        if ack is None:
            continue
        applies_to = entry.get("applies_to")
        if isinstance(applies_to, list):
            # cdk-nag 2's NagSuppressions name granular findings as {id, applies_to: [finding]}. Regex
            # entries ({"regex": ...}) are not honoured: only exact finding names are.
            for finding in applies_to:
                if isinstance(finding, str):
                    result[f"{ack.id}[{finding}]"] = replace(ack, id=f"{ack.id}[{finding}]")
        else:
            result[ack.id] = ack
    return result


def reason_with_expiry(reason: str, expires: "dt.date | str") -> str:
    """The reason text that carries an expiry: ``"<reason> [expires 2027-03-31]"``."""
    date = expires if isinstance(expires, dt.date) else dt.date.fromisoformat(expires)
    return f"{reason.rstrip()} [expires {date.isoformat()}]"


def expiring(id: str, reason: str, expires: "dt.date | str") -> Any:
    """CDK's ``Acknowledgment`` for ``id`` whose reason carries ``expires`` (a date or YYYY-MM-DD)::

        Validations.of(role).acknowledge(expiring("AISEC-DATA-01", "break-glass role", "2027-03-31"))
    """
    from aws_cdk import Acknowledgment  # late import: the scanner never loads aws_cdk

    return Acknowledgment(id=id, reason=reason_with_expiry(reason, expires))


def today() -> dt.date:
    """Today in UTC; ``AISEC_TODAY=YYYY-MM-DD`` fixes it (reproducible reports and tests)."""
    fixed = os.environ.get("AISEC_TODAY")
    if fixed:
        return dt.date.fromisoformat(fixed)
    return dt.datetime.now(dt.timezone.utc).date()

