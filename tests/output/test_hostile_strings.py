"""Every output format survives any string a template can hold: lone surrogates (``"\\ud800"`` is valid JSON),
control characters, line separators and very long values. JSON and SARIF stay valid: they parse, hold no
character outside ASCII (JSON escapes them), and the SARIF log validates against the schema."""
import json

import pytest

from aisec_rules.cli import main
from tests.output.test_sarif import errors

#: a logical id and an action that hold what a template may: a lone surrogate, NUL, an escape sequence, a line
#: separator, and 100,000 characters
LONG = "x" * 100_000
TEMPLATE = ('{"Resources": {"Role\\ud800\\u001b": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{'
            '"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": ["bedrock:*", '
            '"s3:\\udfff\\u0000\\u001b[31m\\u2028' + LONG + '"], "Resource": "*"}]}}]}}}}')


def _strict(text):
    """The parsed output; raise if it is not ASCII JSON (a lone surrogate stays the escape ``\\ud800``, which JSON
    allows)."""
    text.encode("ascii")
    return json.loads(text)


@pytest.fixture
def path(tmp_path):
    file = tmp_path / "hostile.json"
    file.write_text(TEMPLATE, encoding="utf-8")
    return file


def run(capsys, path, form):
    code = main(["check", str(path), "--format", form, "--capabilities", "answers"])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    return out


def test_json_stays_valid(capsys, path):
    findings = _strict(run(capsys, path, "json"))["findings"]
    resources = {f["resource"] for f in findings}
    assert resources == {"Role\ud800\x1b"}  # as the template holds them
    [wildcard] = [f for f in findings if f["id"] == "AISEC-DATA-01[Action::bedrock:*]"]
    assert wildcard["fingerprint"] and len(wildcard["fingerprint"]) == 16


def test_sarif_stays_valid_against_the_schema(capsys, path):
    log = _strict(run(capsys, path, "sarif"))
    assert errors(log) == []
    results = log["runs"][0]["results"]
    assert results and all("Role\\ud800" in json.dumps(r["locations"]) for r in results)


def test_text_is_one_line_per_finding(capsys, path):
    out = run(capsys, path, "text")
    out.encode("utf-8")
    lines = out.splitlines()
    assert all(line.isprintable() for line in lines)
    assert any(line.startswith("    Role\\ud800\\x1b: AISEC-DATA-01[Action::bedrock:*] ") for line in lines)
