"""Helpers for rule tests: build a template from resources and list the findings of one rule.

Every fixture a rule test judges through :func:`findings` or :func:`messages` also checks that the rule's check
reads nothing but the resource types the rule declares (``Rule.judges`` and ``Rule.reads``; see
tests/rules/reads.py)."""
from typing import Dict, Iterable, List, Optional, Tuple

from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from aisec_rules.read.template import Template
from tests.rules.reads import assert_reads_declared


def template(resources: Dict[str, dict], **sections) -> Template:
    return Template({"Resources": resources, **sections}, path="test.template.json")


def findings(rule_id: str, resources: Dict[str, dict], phase: Phase = Phase.ADVANCED,
             capabilities: Optional[Iterable[Capability]] = None, **sections) -> List[Tuple[str, str]]:
    """(finding id, resource) pairs of one rule, sorted, with every capability on unless given."""
    caps = set(Capability) if capabilities is None else capabilities
    view = template(resources, **sections)
    result = evaluate(view, phase=phase, capabilities=caps, rules=[BY_ID[rule_id]])
    assert_reads_declared(BY_ID[rule_id], view, phase, caps)
    return sorted((f.id, f.resource) for f in result)


def messages(rule_id: str, resources: Dict[str, dict], phase: Phase = Phase.ADVANCED, **sections) -> List[str]:
    view = template(resources, **sections)
    result = evaluate(view, phase=phase, capabilities=set(Capability), rules=[BY_ID[rule_id]])
    assert_reads_declared(BY_ID[rule_id], view, phase, set(Capability))
    return [f.message for f in result]


def role(service: str, *statements: dict, name: str = "Role", **extra) -> Dict[str, dict]:
    """An ``AWS::IAM::Role`` trusted by ``service`` with ``statements`` as one inline policy."""
    props = {"AssumeRolePolicyDocument": {"Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}, **extra}
    if statements:
        props["Policies"] = [{"PolicyName": "p", "PolicyDocument": {"Statement": list(statements)}}]
    return {name: {"Type": "AWS::IAM::Role", "Properties": props}}


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def ids(result: List[Tuple[str, str]]) -> List[str]:
    """The finding ids of :func:`findings`."""
    return [f for f, _ in result]
