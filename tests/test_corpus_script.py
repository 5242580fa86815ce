"""``scripts/corpus.py`` (not part of ``make test``) classifies each scan's outcome; its classification and the
way it picks templates out of a git folder are tested here."""
import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "corpus.py"
_spec = importlib.util.spec_from_file_location("corpus", SCRIPT)
assert _spec is not None and _spec.loader is not None
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

SARIF = json.dumps({"version": "2.1.0", "runs": []})


@pytest.mark.parametrize("returncode, stdout, stderr, expected", [
    (0, SARIF, "", ("scanned", "no finding")),
    (1, SARIF, "aisec: notice: x.yaml: skipped\n", ("scanned", "findings")),
    (1, "{not json", "", ("internal-error", "the SARIF output is not valid JSON")),
    (2, "", "aisec: error: /a/b.yaml: malformed YAML: duplicate key 'A': line 3 column 5\n",
     ("refused", "malformed YAML: duplicate key '…': line N column N")),
    (2, "", "aisec: error: t.yaml: invalid SAM template: Resource with id [F1] is invalid. 'X' must be set.\n",
     ("refused", "invalid SAM template: Resource with id [FN] is invalid. '…' must be set.")),
    (2, "", "aisec: internal error: KeyError: 'x'; please report this as a bug in aisec\n",
     ("internal-error", "KeyError: '…'; please report this as a bug in aisec")),
    (2, SARIF, "aisec: error: 3 rule(s) could not evaluate the input (internal error); see the findings\n",
     ("internal-error", "a rule could not evaluate the input")),
    (2, "", "Traceback (most recent call last):\n  File \"x.py\", line 1\nbotocore.exceptions.NoCredentialsError: "
            "Unable to locate credentials\n",
     ("internal-error", "traceback: botocore.exceptions.NoCredentialsError: Unable to locate credentials")),
    (2, "", "Plugin raised an exception\nTraceback (most recent call last):\n  File \"x.py\", line 1\n"
            "botocore.exceptions.NoCredentialsError: Unable to locate credentials\naisec: error: t.yaml: SAM template "
            "cannot be expanded: NoCredentialsError: Unable to locate credentials\n",
     ("internal-error", "traceback: botocore.exceptions.NoCredentialsError: Unable to locate credentials")),
    (2, "", "aisec: error: a\naisec: error: b\n", ("internal-error", "exit 2: aisec: error: b")),
    (-9, "", "", ("internal-error", "exit -9: no message")),
    (None, "", "", ("timeout", "timeout")),
])
def test_outcomes_are_classified_by_kind(returncode, stdout, stderr, expected):
    outcome = corpus.classify(returncode, stdout, stderr)
    assert (outcome.outcome, outcome.kind) == expected


def test_the_report_has_one_line_per_kind_with_counts():
    results = {"a": {"outcome": "refused", "kind": "k", "seconds": 0.5},
               "b": {"outcome": "refused", "kind": "k", "seconds": 1.25},
               "c": {"outcome": "scanned", "kind": "findings", "seconds": 0.1},
               "d": {"outcome": "timeout", "kind": "timeout", "seconds": 30.0}}
    assert corpus.report(results).splitlines() == [
        "4 files: 2 refused, 1 scanned, 1 timeout", "slowest scan: 30.00 s",
        "     2  refused: k", "     1  timeout: timeout", "     1  scanned: findings"]


def test_templates_are_picked_from_a_bare_git_folder(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "t.yaml").write_text("Resources:\n  T: {Type: AWS::SNS::Topic}\n")
    (work / "package.json").write_text('{"name": "x"}')
    (work / "notes.txt").write_text("Resources:")
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "t"], check=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(tmp_path / "bare")], check=True)
    found = {name: content for name, content in corpus.files(str(tmp_path / "bare"), tmp_path)}
    assert sorted(found) == ["package.json", "t.yaml"]
    assert [n for n, c in found.items() if corpus.looks_like_template(c)] == ["t.yaml"]
