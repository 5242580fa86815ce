"""The packages keep their shape: no import cycle, each stage of aisec_rules imports only the stages below
it, and few modules sit directly in aisec_rules.

Every ``import`` and ``from ... import`` statement counts, wherever it stands: at module level, inside a
function (a late import hides a cycle, it does not remove it) or under ``if TYPE_CHECKING``.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("aisec_rules", "aisec_constructs")

#: The stages of aisec_rules, lowest first: a module may import its own stage and the stages before it.
#: The vocabulary (model, the AWS names, the version, the Security Hub standard, the runtime assessments) is
#: below everything; governance sits below the judging core because the engine consults acknowledgements as it
#: judges; the probe suite (security testing) reads templates and the policy, and output renders its results.
STAGES = (
    ("aisec_rules.model", "aisec_rules.aws", "aisec_rules.version", "aisec_rules.security_hub",
     "aisec_rules.assessments"),
    ("aisec_rules.read",),
    ("aisec_rules.system",),
    ("aisec_rules.governance",),
    ("aisec_rules.context", "aisec_rules.rules", "aisec_rules.registry", "aisec_rules.engine"),
    ("aisec_rules.probe",),
    ("aisec_rules.output",),
    ("aisec_rules.cdk",),
    ("aisec_rules.cli", "aisec_rules"),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> Dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imports_of(name: str, path: Path, known: Set[str]) -> Set[str]:
    """The project modules that ``name`` imports, anywhere in its text."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # "from package import module" imports the module; "from module import name" the module
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # "import a.b.c" of a name inside a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> Dict[str, Set[str]]:
    known = modules()
    return {name: imports_of(name, path, set(known)) for name, path in known.items()}


def cycles(edges: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def stage_of(name: str) -> int:
    best, rank = -1, -1
    for position, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), position
    return rank


def test_the_graph_sees_late_and_relative_imports():
    edges = graph()
    assert "aisec_rules.cdk.pack" in edges["aisec_rules"]  # the lazy import in __getattr__
    assert "aisec_rules.output.findings" in edges["aisec_rules.cli"]  # an import inside a function
    assert "aisec_rules.context" in edges["aisec_rules.rules.data.agent_keys"]  # "from ...context import"
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_each_stage_imports_only_the_stages_below_it():
    edges = graph()
    upward = sorted(f"{name} -> {target}" for name, targets in edges.items() if name.startswith("aisec_rules")
                    for target in targets if stage_of(target) > stage_of(name))
    assert upward == []
    unplaced = sorted(name for name in edges if name.startswith("aisec_rules") and stage_of(name) < 0)
    assert unplaced == []


def test_the_rule_pack_does_not_import_the_constructs():
    edges = graph()
    assert sorted(f"{n} -> {t}" for n, ts in edges.items() if n.startswith("aisec_rules")
                  for t in ts if t.startswith("aisec_constructs")) == []


def test_few_modules_sit_directly_in_aisec_rules():
    top = sorted(p.name for p in (ROOT / "aisec_rules").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= 10, top
