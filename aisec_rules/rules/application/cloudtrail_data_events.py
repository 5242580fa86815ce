"""AISEC-APP-20: CloudTrail records the data events of the workload's Bedrock and AgentCore resources.

Agent invocations, knowledge-base retrievals, flow invocations, guardrail evaluations, prompt
rendering and AgentCore runtime / gateway / memory calls are CloudTrail *data events*: no trail
logs them unless an advanced event selector asks for them. This rule derives the data-event
``resources.type`` values the template needs from the resource types it contains, and checks that
the trails (``AWS::CloudTrail::Trail``) and CloudTrail Lake event data stores
(``AWS::CloudTrail::EventDataStore``) of the template select them.

Resource type in the template -> required ``resources.type``:

* ``AWS::Bedrock::Agent`` / ``AgentAlias`` -> ``AWS::Bedrock::AgentAlias``
* ``AWS::Bedrock::KnowledgeBase`` -> ``AWS::Bedrock::KnowledgeBase``
* ``AWS::Bedrock::Flow`` / ``FlowAlias`` -> ``AWS::Bedrock::FlowAlias``
* ``AWS::Bedrock::Guardrail`` -> ``AWS::Bedrock::Guardrail``
* ``AWS::Bedrock::Prompt`` / ``PromptVersion`` -> ``AWS::Bedrock::PromptVersion`` (``AWS::Bedrock::Prompt``
  is accepted too: both names appear in public material; the CloudTrail data-event table uses
  ``PromptVersion``)
* ``AWS::BedrockAgentCore::Runtime`` -> ``AWS::BedrockAgentCore::Runtime``;
  ``RuntimeEndpoint`` -> ``AWS::BedrockAgentCore::RuntimeEndpoint``; ``Gateway`` ->
  ``AWS::BedrockAgentCore::Gateway``; ``Memory`` -> ``AWS::BedrockAgentCore::Memory``

Evidence: the Bedrock values and ``AWS::BedrockAgentCore::Gateway`` come from the CloudTrail and
AgentCore developer guides ("Enable CloudTrail data event logging for AgentCore Gateway" uses
``resources.type`` ``AWS::BedrockAgentCore::Gateway``); ``Runtime``, ``RuntimeEndpoint`` and
``Memory`` follow the catalog (Prowler's tests) and public CDK code, not a page of the CloudTrail
guide that could be read here.

Choices:

* A selector counts for a type when its field selectors contain ``eventCategory`` ``Equals``
  ``Data`` and ``resources.type`` ``Equals`` the type (the schema says ``Equals`` is the only
  operator valid for both fields). Extra narrowing (``resources.ARN``, ``eventName``,
  ``readOnly``) still counts, as in the CIS benchmark: narrowing is how teams control cost.
  Basic ``EventSelectors`` cannot log these types (only S3 objects, Lambda and DynamoDB) and do
  not count. Coverage may be spread across several trails/stores of the template.
* A trail with ``IsLogging`` literally false, or an event data store with ``IngestionEnabled``
  false, records nothing and does not count.
* No trail or event data store in the template at all: one workload finding (resource None)
  saying how to acknowledge when an organization trail or a trail of another app selects these
  data events. Otherwise each missing type is a finding on the first trail/store (by logical id)
  with the type as detail (``AISEC-APP-20[AWS::Bedrock::KnowledgeBase]``); a ``resources.type``
  value that cannot be resolved (an import, a parameter without default), or that holds on one
  ``Fn::If`` branch only, does not count and makes the message say that coverage cannot be verified.
* A template without any of these resource types (a plain chat app calling ``InvokeModel``, which
  CloudTrail logs as a management event) needs nothing from this rule.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, Set, Tuple

from ...aws import DATA_EVENT_TYPES
from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Scope, Service, Severity, Violation
from ...read.template import Resource, Template, as_list, is_false

REQUIRED = DATA_EVENT_TYPES

TRAIL_TYPES = ("AWS::CloudTrail::Trail", "AWS::CloudTrail::EventDataStore")


def required_types(template: Template) -> Dict[str, Tuple[str, ...]]:
    """The data-event ``resources.type`` values the template needs, each with its alternatives."""
    needed: Dict[str, Tuple[str, ...]] = {}
    for rtype, (value, alternatives) in REQUIRED.items():
        if template.of_type(rtype):
            needed[value] = alternatives
    return needed


def _equals(ctx: Context, selector: object) -> Tuple[Set[str], bool]:
    """Literal ``Equals`` values of one field selector that hold on every ``Fn::If`` branch, and
    whether some value was unresolvable or differed between branches."""
    if not isinstance(selector, dict):
        return set(), False
    options: List[Set[str]] = []
    unknown = False
    for option in ctx.template.resolve(selector.get("Equals")):
        if not option.known:
            unknown = True
            continue
        values: Set[str] = set()
        for item in as_list(option.raw):
            for value in ctx.template.resolve(item):
                if not value.known:
                    unknown = True
                elif isinstance(value.raw, str):
                    values.add(value.raw)
        options.append(values)
    if not options:
        return set(), unknown
    common = set.intersection(*options)
    return common, unknown or any(values != common for values in options)


def coverage(ctx: Context, store: Resource) -> Tuple[Set[str], bool]:
    """The data-event resource types one trail or event data store selects, and whether a
    selector had values that could not be resolved."""
    covered: Set[str] = set()
    unknown = False
    if store.type == "AWS::CloudTrail::Trail" and is_false(store.prop("IsLogging")):
        return covered, False
    if store.type == "AWS::CloudTrail::EventDataStore" and is_false(store.prop("IngestionEnabled")):
        return covered, False
    selectors = store.prop("AdvancedEventSelectors")
    if not isinstance(selectors, list):
        return covered, False
    for selector in selectors:
        fields = selector.get("FieldSelectors") if isinstance(selector, dict) else None
        if not isinstance(fields, list):
            continue
        category: Set[str] = set()
        types: Set[str] = set()
        category_unknown = types_unknown = False
        for field in fields:
            name = field.get("Field") if isinstance(field, dict) else None
            if name == "eventCategory":
                values, maybe = _equals(ctx, field)
                category |= values
                category_unknown |= maybe
            elif name == "resources.type":
                values, maybe = _equals(ctx, field)
                types |= values
                types_unknown |= maybe
        if "Data" in category:
            covered |= types
            unknown |= types_unknown
        elif category_unknown:
            unknown = True
    return covered, unknown


def check(ctx: Context) -> Iterator[Violation]:
    needed = required_types(ctx.template)
    if not needed:
        return
    stores: List[Resource] = ctx.template.of_type(*TRAIL_TYPES)
    names = ", ".join(sorted(needed))
    if not stores:
        yield Violation(None,
                        f"this environment's stacks have no AWS::CloudTrail::Trail or EventDataStore recording the data events of its "
                        f"AI resources ({names}); add advanced event selectors with eventCategory=Data for these "
                        "resources.type values (aisec_constructs.detection.AuditTrail does). If an organization trail or "
                        "a trail of another app selects them, acknowledge this finding with a reason naming that trail")
        return
    covered: Set[str] = set()
    unknown = False
    for store in stores:
        types, maybe = coverage(ctx, store)
        covered |= types
        unknown |= maybe
    anchor = stores[0].logical_id
    for value in sorted(needed):
        if value in covered or any(alt in covered for alt in needed[value]):
            continue
        if unknown:
            message = (f"data events of resources.type {value} cannot be verified: a selector's values are not known at "
                       "synth time or differ between Fn::If branches; select them with literal eventCategory=Data and resources.type values")
        else:
            message = (f"no trail or event data store in this environment selects data events of resources.type {value}; "
                       "add an advanced event selector with eventCategory Equals Data and resources.type Equals "
                       f"{value} (basic EventSelectors cannot log it)")
        yield Violation(anchor, message, value)


RULE = Rule(
    id="AISEC-APP-20",
    title="Bedrock and AgentCore data events are recorded",
    layer=Layer.APPLICATION,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("T8",),
    passes="For every Bedrock agent, knowledge base, flow, guardrail or prompt and every AgentCore runtime, endpoint, "
           "gateway or memory in the template, a trail or event data store has an advanced event selector with "
           "`eventCategory` = `Data` and the matching `resources.type`.",
    remediation="Add advanced event selectors for the workload's data-event resource types (CDK: "
                "`aisec_constructs.detection.AuditTrail`), or acknowledge the finding naming the organization trail "
                "that selects them.",
    construct="aisec_constructs.detection.AuditTrail",
    check=check,
    judges=TRAIL_TYPES,
    reads=tuple(REQUIRED),
    scope=Scope.ENVIRONMENT,
    services={Service.BEDROCK},
)
