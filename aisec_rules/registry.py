"""The single list of rules: discovered from the modules under ``aisec_rules.rules``.

The pack, the command line and the generated docs all read :data:`RULES`. A rule is any
module-level :class:`~aisec_rules.model.Rule` instance; ids must be unique.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Dict, List

from . import rules as _rules_package
from .model import Layer, Rule

_LAYER_ORDER = {Layer.INFRASTRUCTURE: 0, Layer.DATA: 1, Layer.APPLICATION: 2}


def discover() -> List[Rule]:
    found: Dict[str, Rule] = {}
    for info in pkgutil.walk_packages(_rules_package.__path__, _rules_package.__name__ + "."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Rule):
                other = found.get(value.id)
                if other is not None and other is not value:
                    raise RuntimeError(f"rule id {value.id} is declared twice (second time in {info.name})")
                found[value.id] = value
    return sorted(found.values(), key=lambda r: (_LAYER_ORDER[r.layer], int(r.id.rsplit("-", 1)[1])))


RULES: List[Rule] = discover()
BY_ID: Dict[str, Rule] = {rule.id: rule for rule in RULES}
