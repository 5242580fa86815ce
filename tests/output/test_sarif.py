"""``aisec check --format sarif`` writes a SARIF 2.1.0 log that the official OASIS schema accepts
(validated with ``jsonschema``, formats checked), with the rule metadata and result fields GitHub
code scanning reads."""
import copy
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from aisec_rules.cli import main
from aisec_rules.registry import RULES

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
PUBLIC = TESTS / "fixtures" / "cli" / "public_interpreter.yaml"
SAM = TESTS / "fixtures" / "sam" / "agent_tool.yaml"
SCHEMA = json.loads((TESTS / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
DOCS = "https://example.com/aisec/blob/v1/docs/RULES.md"


def validator():
    """The validator of the draft the schema declares (draft-04), checking formats (``uri``)."""
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    return cls(SCHEMA, format_checker=cls.FORMAT_CHECKER)


def errors(log):
    return sorted(validator().iter_errors(log), key=lambda e: list(e.absolute_path))


def sarif(capsys, monkeypatch, *argv, root=REPO):
    monkeypatch.chdir(root)
    code = main(["check", *map(str, argv), "--format", "sarif"])
    out = capsys.readouterr().out
    return code, json.loads(out), out


def one_run(log):
    assert len(log["runs"]) == 1
    return log["runs"][0]


def test_the_validator_is_draft_4_and_checks_uri_format():
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert validator().__class__ is jsonschema.Draft4Validator
    assert not validator().is_valid({"$schema": "not a uri", "version": "2.1.0", "runs": []})


@pytest.mark.parametrize("argv", [
    (PUBLIC, "--capabilities", "acts"),
    (PUBLIC, "--phase", "advanced"),
    (SAM,),
    (SAM, "--phase", "advanced", "--docs-uri", DOCS),
    (PUBLIC, SAM, "--phase", "enhanced"),
    (PUBLIC, SAM, "--each", "--phase", "enhanced"),
], ids=["cli", "cli-advanced", "sam", "sam-docs-uri", "two-templates", "two-templates-each"])
def test_logs_validate_against_the_sarif_schema(capsys, monkeypatch, argv):
    code, log, _ = sarif(capsys, monkeypatch, *argv)
    assert code == 1
    assert errors(log) == []
    run = one_run(log)
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in RULES]
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_a_log_against_a_baseline_validates_and_marks_each_result(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("AISEC_TODAY", "2026-11-29")
    baseline = tmp_path / "baseline.json"
    monkeypatch.chdir(REPO)
    assert main(["baseline", str(PUBLIC), "--capabilities", "acts", "--output", str(baseline)]) == 0
    capsys.readouterr()
    code, log, _ = sarif(capsys, monkeypatch, PUBLIC, "--capabilities", "acts", "--phase", "enhanced", "--baseline",
                         baseline)
    assert errors(log) == []
    results = one_run(log)["results"]
    held = {e["fingerprint"] + ":1" for e in json.loads(baseline.read_text())["findings"]}
    assert held and {r["baselineState"] for r in results} == {"unchanged", "new"}
    for result in results:
        in_baseline = result["partialFingerprints"]["primaryLocationLineHash"] in held
        assert result["baselineState"] == ("unchanged" if in_baseline else "new")
    _, plain, _ = sarif(capsys, monkeypatch, PUBLIC, "--capabilities", "acts")
    assert all("baselineState" not in r for r in one_run(plain)["results"])  # no baseline, no state


def test_acknowledged_finding_is_an_accepted_suppression(capsys, monkeypatch, tmp_path):
    template = tmp_path / "acked stack.json"  # outside the scan root, with a space in its name
    template.write_text(json.dumps({
        "Metadata": {"cdk_nag": {"rules_to_suppress": [{"id": "AISEC-INF-06", "reason": "lab stack, torn down nightly"}]}},
        "Resources": {"CI": {"Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
                             "Properties": {"Name": "ci", "NetworkConfiguration": {"NetworkMode": "PUBLIC"}}}}}, indent=1))
    code, log, _ = sarif(capsys, monkeypatch, template, PUBLIC, "--capabilities", "acts")
    assert errors(log) == []
    inf06 = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r
             for r in one_run(log)["results"] if r["ruleId"] == "AISEC-INF-06"}
    assert {name: r.get("suppressions") for name, r in inf06.items()} == {
        "acked stack/CI": [{"kind": "external", "status": "accepted", "justification": "lab stack, torn down nightly"}],
        "public_interpreter/Acknowledged": [{"kind": "external", "status": "accepted",
                                             "justification": "isolated lab account"}],
        "public_interpreter/Interpreter": None,
    }
    outside = inf06["acked stack/CI"]["locations"][0]["physicalLocation"]
    assert outside["artifactLocation"] == {"uri": template.resolve().as_uri()}
    assert "%20" in outside["artifactLocation"]["uri"]
    lines = template.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.lstrip().startswith('"CI":'))
    column = lines[line - 1].index('"CI"') + 1
    assert outside["region"] == {"startLine": line, "startColumn": column, "endLine": line, "endColumn": column + 4}


def test_driver_metadata_of_one_rule(capsys, monkeypatch):
    _, log, _ = sarif(capsys, monkeypatch, PUBLIC, "--capabilities", "acts", "--docs-uri", DOCS)
    driver = one_run(log)["tool"]["driver"]
    assert (driver["name"], driver["informationUri"]) == ("aisec", DOCS)
    passes = ("`AWS::BedrockAgentCore::CodeInterpreterCustom` `NetworkConfiguration.NetworkMode` is not `PUBLIC` "
              "(Foundational) and is `VPC` with subnets and security groups (Enhanced and Advanced).")
    remediation = ("Run the code interpreter in `VPC` network mode inside private subnets (`SANDBOX` only while "
                   "prototyping); the network configuration is create-only, so choose it before the first deploy.")
    facts = ("Layer: Infrastructure; phase: Foundational; scope: resource; severity: high; risks: LLM05, T11; "
             "satisfied by: aisec_constructs.application.AgentCoreCodeInterpreter.")
    assert driver["rules"][5] == {
        "id": "AISEC-INF-06",
        "name": "CodeInterpretersAreNotOnThePublicNetwork",
        "shortDescription": {"text": "Code interpreters are not on the public network"},
        "fullDescription": {"text": passes},
        "defaultConfiguration": {"level": "error"},
        "help": {
            "text": f"Code interpreters are not on the public network\n\nWhat passes: {passes}\n\n"
                    f"Remediation: {remediation}\n\n{facts}\nDocumentation: {DOCS}#aisec-inf-06",
            "markdown": f"**Code interpreters are not on the public network**\n\nWhat passes: {passes}\n\n"
                        f"Remediation: {remediation}\n\n{facts}\n\n"
                        f"Documentation: [AISEC-INF-06]({DOCS}#aisec-inf-06)",
        },
        "helpUri": f"{DOCS}#aisec-inf-06",
        "properties": {
            "tags": ["security", "layer/infrastructure", "phase/foundational", "scope/resource", "LLM05", "T11",
                     "security-hub/BedrockAgentCore.7"],
            "security-severity": "8.0",
            "severity": "high", "layer": "INF", "phase": "foundational", "scope": "resource",
            "risks": ["LLM05", "T11"], "capabilities": ["acts"], "services": [],
            "security_hub": ["BedrockAgentCore.7"],
        },
    }
    # the docs anchor is the heading of docs/RULES.md that this rule's helpUri points to
    assert "\n## AISEC-INF-06\n" in (REPO / "docs" / "RULES.md").read_text(encoding="utf-8")


def test_docs_uri_must_be_absolute(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["check", str(PUBLIC), "--format", "sarif", "--docs-uri", "docs/RULES.md"])
    assert stop.value.code == 2 and "'docs/RULES.md' is not an absolute URI" in capsys.readouterr().err


def test_security_severity_follows_rule_severity(capsys, monkeypatch):
    _, log, _ = sarif(capsys, monkeypatch, PUBLIC, "--capabilities", "acts")
    rules = {r["id"]: r for r in one_run(log)["tool"]["driver"]["rules"]}
    expected = {"high": ("8.0", "error"), "medium": ("5.0", "warning"), "low": ("3.0", "note")}
    for rule in RULES:
        sarif_rule = rules[rule.id]
        assert (sarif_rule["properties"]["security-severity"], sarif_rule["defaultConfiguration"]["level"]) \
            == expected[rule.severity.value]
        assert "helpUri" not in sarif_rule  # SARIF wants an absolute helpUri: none without --docs-uri
        assert sarif_rule["help"]["text"].endswith(f"Documentation: docs/RULES.md#{rule.id.lower()}")


def test_one_result_exactly(capsys, monkeypatch):
    _, log, _ = sarif(capsys, monkeypatch, PUBLIC, "--capabilities", "acts")
    run = one_run(log)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == REPO.resolve().as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"
    [result] = [r for r in run["results"] if r["ruleId"] == "AISEC-INF-06"
                and r["locations"][0]["logicalLocations"][0]["name"] == "Interpreter"]
    assert result == {
        "ruleId": "AISEC-INF-06",
        "ruleIndex": 5,
        "level": "error",
        "message": {"text": "Interpreter: NetworkConfiguration.NetworkMode is PUBLIC (from the default of parameter "
                            "Mode); must not be PUBLIC (generated code with internet access can exfiltrate data)"},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": "tests/fixtures/cli/public_interpreter.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 9, "startColumn": 3, "endLine": 9, "endColumn": 14},
            },
            "logicalLocations": [{"name": "Interpreter", "fullyQualifiedName": "public_interpreter/Interpreter",
                                  "kind": "resource"}],
        }],
        "partialFingerprints": {
            "primaryLocationLineHash": "47cfef4c1408c37b:1",
            "aisecFinding/v1": "aws://unknown-account/unknown-region/public_interpreter/Interpreter/AISEC-INF-06",
        },
        "properties": {"findingId": "AISEC-INF-06", "scope": "resource", "stack": "public_interpreter",
                       "environment": "aws://unknown-account/unknown-region"},
    }


def test_generated_sam_resources_have_no_region_and_granular_findings_keep_apart(capsys, monkeypatch):
    _, log, _ = sarif(capsys, monkeypatch, SAM)
    results = one_run(log)["results"]
    by_name = {}
    for r in results:
        by_name.setdefault(r["locations"][0]["logicalLocations"][0]["name"], []).append(r)
    # ToolFunctionRole is generated by the SAM transform: it is not written in the file
    assert all("region" not in r["locations"][0]["physicalLocation"] for r in by_name["ToolFunctionRole"])
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 5 for r in by_name["ToolFunction"])
    fingerprints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(fingerprints)) == len(results)


def test_output_is_deterministic(capsys, monkeypatch):
    outputs = {sarif(capsys, monkeypatch, PUBLIC, SAM, "--phase", "advanced")[2] for _ in range(3)}
    assert len(outputs) == 1


def test_a_symlinked_template_is_reported_at_its_target(capsys, monkeypatch, tmp_path):
    (tmp_path / "src").mkdir()
    shutil.copy(PUBLIC, tmp_path / "src" / "real.yaml")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "src" / "real.yaml")
    _, log, _ = sarif(capsys, monkeypatch, "link.yaml", "--capabilities", "acts", root=tmp_path)
    assert errors(log) == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in one_run(log)["results"]}
    assert uris == {"src/real.yaml"}


@pytest.mark.parametrize("breakage, path", [
    (lambda log: log["runs"][0]["results"][0].pop("message"), ["runs", 0, "results", 0]),
    (lambda log: log["runs"][0]["results"][0]["suppressions"][0].update(kind="baseline"),
     ["runs", 0, "results", 0, "suppressions", 0, "kind"]),
    (lambda log: log["runs"][0]["tool"]["driver"]["rules"][0].update(helpUri="docs/RULES.md#aisec-inf-01"),
     ["runs", 0, "tool", "driver", "rules", 0, "helpUri"]),
    (lambda log: log["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"].append("security"),
     ["runs", 0, "tool", "driver", "rules", 0, "properties", "tags"]),
    (lambda log: log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].update(startLine=0),
     ["runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"]),
    (lambda log: log.update(version="2.0.0"), ["version"]),
], ids=["no-message", "bad-suppression-kind", "relative-help-uri", "duplicate-tag", "line-0", "version"])
def test_a_broken_log_fails_validation(capsys, monkeypatch, breakage, path):
    _, log, _ = sarif(capsys, monkeypatch, PUBLIC, "--capabilities", "acts")
    acknowledged = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    log["runs"][0]["results"].sort(key=lambda r: "suppressions" not in r)  # an acknowledged result first
    assert acknowledged and errors(log) == []
    broken = copy.deepcopy(log)
    breakage(broken)
    found = errors(broken)
    assert found, "the validator accepted a broken log"
    assert [list(e.absolute_path) for e in found] == [path]


def test_a_cloud_assembly_in_two_environments_validates(capsys, monkeypatch, tmp_path):
    """A cdk.out folder: stacks keep their display names and environments; URIs are relative to the root."""
    out = tmp_path / "cdk.out"
    out.mkdir()
    interpreter = {"Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
                   "Properties": {"Name": "ci", "NetworkConfiguration": {"NetworkMode": "PUBLIC"}}}
    artifacts = {}
    for name, environment in (("Dev", "aws://111111111111/eu-west-1"), ("Prod", "aws://222222222222/eu-west-1")):
        (out / f"{name}.template.json").write_text(json.dumps({"Resources": {"CI": interpreter}}, indent=1))
        artifacts[name] = {"type": "aws:cloudformation:stack", "environment": environment,
                           "displayName": f"App/{name}", "properties": {"templateFile": f"{name}.template.json"}}
    (out / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": artifacts}))
    code, log, _ = sarif(capsys, monkeypatch, "cdk.out", "--capabilities", "acts", root=tmp_path)
    assert code == 1 and errors(log) == []
    inf06 = [r for r in one_run(log)["results"] if r["ruleId"] == "AISEC-INF-06"]
    assert [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
             r["properties"]["environment"]) for r in inf06] == [
        ("cdk.out/Dev.template.json", 3, "App/Dev/CI", "aws://111111111111/eu-west-1"),
        ("cdk.out/Prod.template.json", 3, "App/Prod/CI", "aws://222222222222/eu-west-1")]
    assert len({r["partialFingerprints"]["primaryLocationLineHash"] for r in inf06}) == 2
