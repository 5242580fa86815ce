"""Send probes to one guardrail version with bedrock-runtime ``ApplyGuardrail``: bounded concurrency,
retries with exponential backoff on throttling, one :class:`Outcome` per probe.

The request is ``POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`` with
``{"source": "INPUT"|"OUTPUT", "content": [{"text": {"text": ...}}]}``; the answer's ``action`` is
``GUARDRAIL_INTERVENED`` or ``NONE``, ``assessments`` say which policy acted and ``usage`` counts the text
units each policy processed (botocore's service model of bedrock-runtime 2023-09-30). A probe is *blocked*
when the guardrail intervened: it blocked the text or masked what it found (an anonymized credential does
not reach the user either).

``client`` is a botocore ``bedrock-runtime`` client (or anything with its ``apply_guardrail`` method). This
module imports neither boto3 nor botocore: service errors are told apart by the code botocore puts in
``error.response["Error"]["Code"]``. Throttling, ``ServiceUnavailableException`` and
``InternalServerException`` are retried (up to ``max_attempts`` calls per probe, waiting ``backoff`` *
2^(attempt-1) seconds with jitter, at most ``max_backoff``); any other error stops the run with a
:class:`ProbeError` whose message names the guardrail and the problem, because the results of a run that
cannot reach its guardrail measure nothing.
"""
from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .suite import Probe
from .topics import Topic

INTERVENED = "GUARDRAIL_INTERVENED"
RETRYABLE = frozenset({"ThrottlingException", "ServiceUnavailableException", "InternalServerException"})
#: transport errors worth another attempt (a dropped connection), by botocore's class name
RETRYABLE_TRANSPORT = frozenset({"ReadTimeoutError", "ConnectionClosedError"})
DEFAULT_CONCURRENCY = 4
DEFAULT_MAX_ATTEMPTS = 8


class ProbeError(Exception):
    """A run cannot go on (no access to the guardrail, no such guardrail, an unreachable endpoint,
    throttled past every retry); the message is one line for the person who runs it."""


class _Stopped(ProbeError):
    """Another probe of the run failed first."""


@dataclass(frozen=True)
class Target:
    """One guardrail version to probe: its id or ARN and version, the denied topics to derive probes from,
    the Region it lives in (None: the caller's default) and, when a template declares it, where (stack,
    logical id of the ``AWS::Bedrock::GuardrailVersion``, template file)."""

    identifier: str
    version: str
    topics: Tuple[Topic, ...] = ()
    region: Optional[str] = None
    stack: str = ""
    resource: str = ""
    template: str = ""

    @property
    def label(self) -> str:
        return f"{self.stack}/{self.resource}" if self.resource else ""

    def to_dict(self) -> dict:
        return {"id": self.identifier, "version": self.version, "region": self.region, "stack": self.stack or None,
                "resource": self.resource or None, "template": self.template or None,
                "topics": [t.to_dict() for t in self.topics]}


@dataclass(frozen=True)
class Outcome:
    probe: Probe
    action: str
    policies: Tuple[str, ...] = ()  # what acted, e.g. "content:PROMPT_ATTACK", "pii:AWS_ACCESS_KEY:BLOCKED"
    usage: Dict[str, int] = field(default_factory=dict)
    attempts: int = 1

    @property
    def blocked(self) -> bool:
        return self.action == INTERVENED

    def to_dict(self) -> dict:
        return {"id": self.probe.id, "category": self.probe.category, "source": self.probe.source,
                "expect": self.probe.expect, "action": self.action, "policies": list(self.policies)}


def request(target: Target, probe: Probe) -> Dict[str, Any]:
    """The ApplyGuardrail parameters for one probe."""
    return {"guardrailIdentifier": target.identifier, "guardrailVersion": target.version, "source": probe.source,
            "content": [{"text": {"text": probe.text}}]}


def run(client: Any, target: Target, probes: Sequence[Probe], *, concurrency: int = DEFAULT_CONCURRENCY,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS, backoff: float = 0.5, max_backoff: float = 20.0,
        sleep: Callable[[float], None] = time.sleep) -> List[Outcome]:
    """The outcome of every probe, in the order of ``probes``; ProbeError when the run cannot go on."""
    if concurrency < 1 or max_attempts < 1:
        raise ValueError("concurrency and max_attempts must be at least 1")
    stop = threading.Event()
    jitter = random.Random()

    def one(probe: Probe) -> Outcome:
        for attempt in range(1, max_attempts + 1):
            if stop.is_set():
                raise _Stopped()
            try:
                answer = client.apply_guardrail(**request(target, probe))
            except Exception as error:  # noqa: BLE001 - classified below, never swallowed
                problem = _classify(error, target)
                if problem is not None or attempt == max_attempts:
                    stop.set()
                    raise ProbeError(problem or f"guardrail {target.identifier} version {target.version}: still "
                                     f"throttled or unavailable after {max_attempts} attempts ({_code(error)}); lower "
                                     "the concurrency or raise the account's ApplyGuardrail quota") from None
                sleep(min(max_backoff, backoff * 2 ** (attempt - 1)) * (0.5 + jitter.random() / 2))
                continue
            return Outcome(probe, str(answer.get("action", "")), policies(answer), usage(answer), attempt)
        raise AssertionError("unreachable")

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(one, probe) for probe in probes]
        outcomes: List[Outcome] = []
        failure: Optional[BaseException] = None
        for future in futures:
            try:
                outcomes.append(future.result())
            except ProbeError as error:
                if failure is None or isinstance(failure, _Stopped):
                    failure = error
    if failure is not None:
        raise failure
    return outcomes


def _code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "")) or type(error).__name__
    return type(error).__name__


def _classify(error: Exception, target: Target) -> Optional[str]:
    """None when the call is worth another attempt, else the one-line problem."""
    code = _code(error)
    if code in RETRYABLE or (getattr(error, "response", None) is None and code in RETRYABLE_TRANSPORT):
        return None
    where = f"guardrail {target.identifier} version {target.version}"
    if code == "AccessDeniedException":
        return (f"{where}: access denied: the caller needs bedrock:ApplyGuardrail on the guardrail (and kms:Decrypt "
                "on its key when it has one)")
    if code == "ResourceNotFoundException":
        return f"{where}: no such guardrail or version in this account and Region"
    if code in ("EndpointConnectionError", "ConnectTimeoutError"):
        return f"cannot reach the bedrock-runtime endpoint: {error}"
    if code in ("NoCredentialsError", "PartialCredentialsError"):
        return f"no AWS credentials: {error}"
    return f"{where}: {code}: {' '.join(str(error).split())}"


#: the assessment entries that can act on a text: (policy, list, how an acting entry is named)
_ACTING = (
    ("topicPolicy", "topics", lambda i: f"topic:{i.get('name')}"),
    ("contentPolicy", "filters", lambda i: f"content:{i.get('type')}"),
    ("wordPolicy", "customWords", lambda i: "word:custom"),
    ("wordPolicy", "managedWordLists", lambda i: f"word:{i.get('type')}"),
    ("sensitiveInformationPolicy", "piiEntities", lambda i: f"pii:{i.get('type')}:{i.get('action')}"),
    ("sensitiveInformationPolicy", "regexes", lambda i: f"regex:{i.get('name')}:{i.get('action')}"),
    ("contextualGroundingPolicy", "filters", lambda i: f"grounding:{i.get('type')}"),
)


def policies(answer: Dict[str, Any]) -> Tuple[str, ...]:
    """What acted on the text, from the answer's ``assessments``: topics, content filters, word lists,
    PII entities and regexes, grounding filters (those with an action other than NONE)."""
    found: List[str] = []
    for assessment in answer.get("assessments") or []:
        if isinstance(assessment, dict):
            found += [name(item) for policy, key, name in _ACTING for item in _items(assessment, policy, key)
                      if item.get("action") != "NONE"]
    return tuple(dict.fromkeys(found))


def _items(assessment: Dict[str, Any], policy: str, key: str) -> List[Dict[str, Any]]:
    section = assessment.get(policy)
    items = section.get(key) if isinstance(section, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def usage(answer: Dict[str, Any]) -> Dict[str, int]:
    """The text units each policy processed (``usage``), integers only."""
    given = answer.get("usage")
    return {k: v for k, v in given.items() if isinstance(v, int) and not isinstance(v, bool)} \
        if isinstance(given, dict) else {}
