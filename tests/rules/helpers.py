"""Helpers for rule tests: build a template from resources and list the findings of one rule."""
from typing import Dict, Iterable, List, Optional, Tuple

from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Phase
from aisec_rules.registry import BY_ID
from aisec_rules.read.template import Template


def template(resources: Dict[str, dict], **sections) -> Template:
    return Template({"Resources": resources, **sections}, path="test.template.json")


def findings(rule_id: str, resources: Dict[str, dict], phase: Phase = Phase.ADVANCED,
             capabilities: Optional[Iterable[Capability]] = None, **sections) -> List[Tuple[str, str]]:
    """(finding id, resource) pairs of one rule, sorted, with every capability on unless given."""
    caps = set(Capability) if capabilities is None else capabilities
    result = evaluate(template(resources, **sections), phase=phase, capabilities=caps, rules=[BY_ID[rule_id]])
    return sorted((f.id, f.resource) for f in result)


def messages(rule_id: str, resources: Dict[str, dict], phase: Phase = Phase.ADVANCED, **sections) -> List[str]:
    result = evaluate(template(resources, **sections), phase=phase, capabilities=set(Capability), rules=[BY_ID[rule_id]])
    return [f.message for f in result]
