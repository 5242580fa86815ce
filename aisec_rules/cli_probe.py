"""``aisec probe``: run the guardrail probe suite against deployed guardrail versions and judge the block rates
against the policy's ``[probe]`` thresholds.

Targets are ``--guardrail ID:VERSION`` (repeatable) and, with ``--deployed``, every guardrail version of the
templates or cdk.out folders given (:mod:`aisec_rules.probe.targets`). Each version gets the suite (limited by
``--categories`` and ``--max-probes``) plus the probes derived from its denied topics when a template declares
it. Exit codes: 0 every version meets the thresholds, 1 one does not, 2 bad input, no credentials or an
unreachable endpoint (one line on stderr, never a traceback). boto3 is imported only here, when the command
runs (:mod:`aisec_rules.probe.clients`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import List, Optional, Tuple, Union

from .governance import policy as policies
from .output import probe_results
from .output.findings import escape
from .probe import scoring, suite, targets, topics
from .probe.runner import ProbeError, Target, run as run_probes
from .read.template import TemplateError
from .version import version

EXIT_OK, EXIT_BELOW, EXIT_USAGE = 0, 1, 2


def run(args: argparse.Namespace) -> Union[int, Tuple[str, int]]:
    """(the rendered results, the exit code) for the command line to write; EXIT_USAGE once a bad input has
    been reported in one line."""
    try:
        doc = _probe(args)
    except (ProbeError, TemplateError, suite.SuiteError) as error:
        print(f"aisec: error: {escape(' '.join(str(error).split()))}", file=sys.stderr)
        return EXIT_USAGE
    render = {"json": lambda d: json.dumps(d, indent=2) + "\n", "text": probe_results.text,
              "markdown": probe_results.markdown, "sarif": lambda d: probe_results.sarif(d, version()) + "\n"}
    return render[args.format](doc), EXIT_OK if doc["passed"] else EXIT_BELOW


def _probe(args: argparse.Namespace) -> dict:
    """The results document of the run; ProbeError / TemplateError / SuiteError for bad input."""
    started = _now()
    policy = policies.load(args.policy) if args.policy else policies.discover()
    probe_suite = suite.load()
    try:
        thresholds = scoring.Thresholds.from_mapping(policy.probe, probe_suite.categories,
                                                     f"{policy.source or 'policy'} [probe]")
    except ValueError as error:
        raise TemplateError(str(error)) from None
    categories = _categories(args.categories)
    probe_suite.select(categories)  # an unknown category is bad input before any call is made
    if args.paths and not args.deployed:
        raise ProbeError("templates were given without --deployed: add --deployed to probe the guardrail versions "
                         "they deploy, or name versions with --guardrail ID:VERSION")
    if args.deployed and not args.paths:
        raise ProbeError("--deployed needs the templates or cdk.out folders whose guardrails to probe")
    if not args.paths and not args.guardrail:
        raise ProbeError("nothing to probe: name guardrail versions with --guardrail ID:VERSION, or give templates "
                         "or cdk.out with --deployed")

    from .probe.clients import Clients

    clients = Clients(args.profile, args.region, args.endpoint_url, args.concurrency)
    found: List[Target] = list(args.guardrail)
    if args.deployed:
        from .read.loader import load_stacks

        notices: List[str] = []
        stacks = load_stacks(args.paths, notices)
        declared, skipped = targets.declared(stacks, targets.stack_names(args.paths))
        for notice in sorted(notices) + skipped:
            print(f"aisec: notice: {escape(notice)}", file=sys.stderr)
        if not declared:
            raise ProbeError("the templates declare no AWS::Bedrock::GuardrailVersion to probe")
        found += targets.resolve(declared, clients.cloudformation)

    results = []
    for target in found:
        extra = topics.probes_for(target.topics, probe_suite.categories[suite.DENIED_TOPIC])
        probes = probe_suite.select(categories, args.max_probes, extra)
        where = f" ({target.label})" if target.label else ""
        print(escape(f"aisec: probing guardrail {target.identifier} version {target.version}{where} with "
                     f"{len(probes)} probes"), file=sys.stderr)
        outcomes = run_probes(clients.bedrock_runtime(target.region), target, probes, concurrency=args.concurrency)
        results.append(scoring.GuardrailResult(target, outcomes))
    return scoring.document(results, probe_suite, thresholds, started=started, finished=_now(), version=version())


def _categories(text: Optional[str]) -> Optional[List[str]]:
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise ProbeError("--categories is empty: give comma-separated category names")
    return names


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
