"""AISEC-INF-09: OpenSearch Serverless vector stores are not reachable from the internet.

Network access to an OpenSearch Serverless collection is set by ``AWS::OpenSearchServerless::
SecurityPolicy`` resources with ``Type: network`` (schema enum ``encryption`` / ``network``; the
``Policy`` is a JSON *string*, usually built with ``Fn::Join`` / ``Fn::Sub``: it is rendered with
references as ``${...}`` placeholders, then parsed). The policy is a list of rule sets
``{"Rules": [{"ResourceType": "collection"|"dashboard", "Resource": ["collection/<pattern>"]}],
"AllowFromPublic": bool, "SourceVPCEs": [...], "SourceServices": ["bedrock.amazonaws.com"]}``.

* A network policy with a rule set that has ``AllowFromPublic: true`` fails (dashboards too: a
  public dashboard endpoint is the same corpus behind a sign-in page). A rule set without
  ``AllowFromPublic`` is not public (the service requires it to be true for public access).
* Each collection in the template (``AWS::OpenSearchServerless::Collection``; the rule is for
  RAG workloads, where any collection may hold the corpus) must be covered by a ``collection``
  rule of some network policy in the template: its pattern matches ``collection/<Name>``
  (``*`` wildcards; a ``${...}`` placeholder in a pattern matches anything; a collection whose
  name cannot be resolved is covered by any network policy). A collection with no network policy
  is unreachable, so the finding is about visibility: the policy that opens it lives elsewhere and
  cannot be checked here; if it is private, acknowledge with that reason.

A policy that cannot be rendered or parsed cannot be verified (reported on the policy).
"""
import json
import re
from typing import Any, Iterator, List, Optional, Tuple

from ...read.iam import wildcard_match
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import Resource, as_list, is_true

POLICY = "AWS::OpenSearchServerless::SecurityPolicy"
COLLECTION = "AWS::OpenSearchServerless::Collection"


def _document(ctx: Context, policy: Resource) -> Tuple[Optional[List[dict]], str]:
    """The policy's rule sets (every ``Fn::If`` branch and parameter default together), or None
    with the reason it cannot be read."""
    rule_sets: List[dict] = []
    for value in ctx.template.resolve(policy.prop("Policy")):
        raw = value.raw
        if value.known and isinstance(raw, (list, dict)):
            parsed: Any = raw
        else:
            text = raw if value.known and isinstance(raw, str) else ctx.template.text(raw)
            if text is None:
                return None, f"Policy cannot be verified at synth time{value.note()}"
            try:
                parsed = json.loads(text)
            except ValueError:
                return None, f"Policy{value.note()} is not valid JSON once references are rendered and cannot be verified"
        rule_sets.extend(s for s in (parsed if isinstance(parsed, list) else [parsed]) if isinstance(s, dict))
    return rule_sets, ""


def _network_policies(ctx: Context) -> List[Resource]:
    result = []
    for policy in ctx.template.of_type(POLICY):
        kinds = ctx.template.resolve(policy.prop("Type"))
        if any(v.known and isinstance(v.raw, str) and v.raw.lower() == "network" for v in kinds):
            result.append(policy)
    return result


def _patterns(rule_set: dict) -> List[str]:
    patterns: List[str] = []
    for rule in as_list(rule_set.get("Rules")):
        if isinstance(rule, dict) and str(rule.get("ResourceType", "")).lower() == "collection":
            patterns.extend(str(p).lower() for p in as_list(rule.get("Resource")) if isinstance(p, str))
    return patterns


def _matches(pattern: str, name: Optional[str]) -> bool:
    if name is None:
        return True
    return wildcard_match(re.sub(r"\$\{[^}]*\}", "*", pattern), f"collection/{name}")


def check(ctx: Context) -> Iterator[Violation]:
    policies = _network_policies(ctx)
    all_patterns: List[str] = []
    for policy in policies:
        rule_sets, problem = _document(ctx, policy)
        if rule_sets is None:
            yield Violation(policy.logical_id, problem + "; network policies of a RAG vector store must not allow "
                                                         "public access")
            continue
        public = []
        for index, rule_set in enumerate(rule_sets):
            all_patterns.extend(_patterns(rule_set))
            if is_true(rule_set.get("AllowFromPublic")):
                resources = [str(p) for r in as_list(rule_set.get("Rules")) if isinstance(r, dict)
                             for p in as_list(r.get("Resource"))]
                public.append(f"[{index}] ({', '.join(resources) or 'no resources'})")
        if public:
            yield Violation(policy.logical_id,
                            f"Policy rule set {', '.join(public)} has AllowFromPublic true; must be false with "
                            "SourceVPCEs or SourceServices [\"bedrock.amazonaws.com\"] (the vector store holds the corpus)")
    for collection in ctx.template.of_type(COLLECTION):
        names = ctx.template.resolve(collection.prop("Name"))
        name = names[0].raw.lower() if len(names) == 1 and names[0].known and isinstance(names[0].raw, str) else None
        covered = any(_matches(p, name) for p in all_patterns) or (name is None and bool(policies))
        if not covered:
            yield Violation(collection.logical_id,
                            f"no network security policy in this environment covers collection/{name or '?'}, so its "
                            "network access cannot be verified; add one with AllowFromPublic false and SourceVPCEs or "
                            "SourceServices, or, if the policy is managed outside this app and is private, acknowledge "
                            "this finding with that reason")


RULE = Rule(
    id="AISEC-INF-09",
    aiml_assessment=("FS-26",),
    title="Vector store is not public",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ENHANCED,
    capabilities={Capability.CONNECTS},
    severity=Severity.HIGH,
    risks=("LLM08",),
    passes="No OpenSearch Serverless network policy sets `AllowFromPublic: true`, and every collection is covered "
           "by a network policy in the template.",
    remediation="Give each collection a network policy with `AllowFromPublic: false` and `SourceVPCEs` (the "
                "workload's OpenSearch Serverless VPC endpoint) or `SourceServices: [\"bedrock.amazonaws.com\"]`.",
    construct="aisec_constructs.data.OpenSearchVectorCollection",
    check=check,
    judges=("AWS::OpenSearchServerless::Collection",),
    reads=("AWS::OpenSearchServerless::SecurityPolicy",),
)
