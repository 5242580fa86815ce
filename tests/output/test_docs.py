"""docs/RULES.md is generated from the registry and must not drift."""
from pathlib import Path

from aisec_rules.registry import RULES
from aisec_rules.output.catalog import rules_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "RULES.md"


def test_rules_md_matches_registry():
    assert DOCS.read_text(encoding="utf-8") == rules_markdown(RULES), "docs/RULES.md is stale: run `make docs`"


def test_every_rule_has_its_section():
    text = DOCS.read_text(encoding="utf-8")
    for rule in RULES:
        assert f"\n## {rule.id}\n" in text
