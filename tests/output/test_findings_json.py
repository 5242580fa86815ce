"""``aisec check --format json``: the document, with one finding per line, as it is written."""
import json

from aisec_rules.cli import main
from aisec_rules.output.findings import findings_json
from aisec_rules.read.stack import Stack
from aisec_rules.read.template import Template

from .test_sarif import PUBLIC, REPO


def test_each_finding_is_one_line_of_the_document(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    main(["check", str(PUBLIC), "--capabilities", "acts", "--format", "json"])
    out = capsys.readouterr().out
    document = json.loads(out)
    lines = out.splitlines()
    start = lines.index('  "findings": [')
    assert [json.loads(line.rstrip(",")) for line in lines[start + 1:start + 1 + len(document["findings"])]] \
        == document["findings"]
    assert lines[start + 1 + len(document["findings"])] == "  ],"
    assert len(document["findings"]) > 1 and out.endswith("}\n")


def test_a_stack_named_like_the_place_of_the_findings_list_does_not_move_it():
    stacks = [Stack(Template({"Resources": {}}, "t.json"), name) for name in ("aisec:items:0", "aisec:items:1")]
    document = json.loads(findings_json([], stacks, "advanced"))
    assert [s["name"] for e in document["environments"] for s in e["stacks"]] == ["aisec:items:0", "aisec:items:1"]
    assert document["findings"] == []
