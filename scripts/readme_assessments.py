"""Write the README's tables of runtime-assessment checks caught before deployment from the rule metadata.

Usage: python scripts/readme_assessments.py [--check]
Replaces the block between the generated markers in README.md with
``aisec_rules.output.catalog.readme_assessments``; with ``--check`` it writes nothing and exits 1 when the
README differs (tests/output/test_assessments.py fails the same way). ``make docs`` runs it after ``aisec docs``.
"""
import sys
from pathlib import Path

from aisec_rules.output.catalog import README_BEGIN, README_END, readme_assessments
from aisec_rules.registry import RULES

README = Path(__file__).resolve().parent.parent / "README.md"


def updated(text: str) -> str:
    """The README text with its generated block replaced (one line error when the markers are missing)."""
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < start:
        sys.exit(f"{README}: the generated-table markers are missing")
    return text[:start] + readme_assessments(RULES) + text[end + len(README_END):]


def main(argv: list) -> int:
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print(f"{README} is out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    if new != text:
        README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
