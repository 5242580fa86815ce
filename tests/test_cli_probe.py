"""``aisec probe`` end to end: a subprocess against a local server that speaks bedrock-runtime's and
CloudFormation's own wire formats (tests/guardrail_server.py), for a guardrail synthesized by the aisec
Guardrail construct; plus the command's input errors, its formats, and the readiness report's evidence."""
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import aws_cdk as cdk
import jsonschema
import pytest

from aisec_constructs.application.guardrail import DeniedTopic, Guardrail, RegexFilter
from aisec_rules.cli import main
from aisec_rules.probe import suite, topics
from tests.guardrail_server import AwsServer, Evaluator

SUITE = suite.load()
SARIF_SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text())
TOPIC = DeniedTopic("InvestmentAdvice", "Recommendations about buying or selling stocks.", ("Which stocks should I buy",))


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """A cdk.out with one stack (deployed as ``chat-assistant``) holding an aisec Guardrail, and the server that
    plays its deployment: CloudFormation knows the stack, bedrock-runtime the guardrail version."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Chat", stack_name="chat-assistant", env=cdk.Environment(account="111111111111",
                                                                                     region="us-east-1"))
    Guardrail(stack, "Guardrail", word_filters=["ignore all previous instructions", "system prompt", "developer mode"],
              regexes=[RegexFilter("AwsKeyId", r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
                       RegexFilter("PrivateKey", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
                       RegexFilter("ExampleMail", r"[a-z.]+@example\.(com|org|net)", action="ANONYMIZE")],
              denied_topics=[TOPIC])
    app.synth()
    template = json.loads((outdir / "Chat.template.json").read_text())
    ids = {r["Type"]: lid for lid, r in template["Resources"].items()}
    evaluator = Evaluator(template["Resources"][ids["AWS::Bedrock::Guardrail"]]["Properties"])
    server = AwsServer({("gr0abc", "1"): evaluator}, stacks={"chat-assistant": {
        ids["AWS::Bedrock::GuardrailVersion"]: ("AWS::Bedrock::GuardrailVersion", "gr0abc|1")}}, throttle_every=40)
    yield outdir, server, evaluator, ids["AWS::Bedrock::GuardrailVersion"]
    server.close()


def aisec(*argv, server=None, cwd=None, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="test-secret",
                       AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    if server is not None:
        environment.update(AWS_ENDPOINT_URL_CLOUDFORMATION=server.url, AWS_ENDPOINT_URL_BEDROCK_RUNTIME=server.url)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "aisec_rules.cli", "probe", *argv], capture_output=True, text=True,
                          cwd=cwd, env=environment, timeout=600)


@pytest.fixture(scope="module")
def full_run(deployed, tmp_path_factory):
    outdir, server, evaluator, version_id = deployed
    cwd = tmp_path_factory.mktemp("run")
    done = aisec(str(outdir), "--deployed", "--format", "json", "--concurrency", "4", server=server, cwd=cwd)
    return done, server


def test_the_deployed_guardrail_is_found_and_every_probe_decided_over_the_wire(deployed, full_run):
    outdir, server, evaluator, version_id = deployed
    done, _ = full_run
    assert done.returncode == 1, done.stderr  # the word/regex/topic evaluator stops far too little: below thresholds
    doc = json.loads(done.stdout)
    entry, = doc["guardrails"]
    assert (entry["id"], entry["version"], entry["region"], entry["stack"], entry["resource"]) == (
        "gr0abc", "1", "us-east-1", "Chat", version_id)
    assert server.described[0] == {"Action": "DescribeStackResources", "StackName": "chat-assistant",
                                   "LogicalResourceId": version_id}
    expected = SUITE.probes + topics.probes_for([topics.Topic(TOPIC.name, TOPIC.definition, TOPIC.examples)],
                                                SUITE.categories["denied_topic"])
    assert [r["id"] for r in entry["results"]] == [p.id for p in expected]
    decided = {p.id: evaluator.decide(p.text) for p in expected}
    assert {r["id"]: r["action"] == "GUARDRAIL_INTERVENED" for r in entry["results"]} == decided
    counts = Counter((p.category, decided[p.id]) for p in expected)
    for category, score in entry["categories"].items():
        assert (score["probes"], score["blocked"]) == (counts[(category, True)] + counts[(category, False)],
                                                       counts[(category, True)])
    assert entry["categories"]["denied_topic"]["blocked"] >= 1 and entry["categories"]["credential_leak"]["blocked"] >= 12
    assert entry["benign"] == {"probes": 60, "blocked": 0, "block_rate": 0.0, "max_block_rate": 0.1, "passed": True}
    assert set(entry["got_through"]) == {p.id for p in expected if p.expect == "block" and not decided[p.id]}
    assert "prompt_injection: " in " ".join(entry["problems"]) and doc["passed"] is False


def test_requests_are_signed_in_the_service_shape_and_throttling_is_retried(deployed, full_run):
    done, server = full_run
    probes = len(json.loads(done.stdout)["guardrails"][0]["results"])
    assert server.throttled >= probes // 40 and len(server.applied) == probes
    assert server.calls == probes + server.throttled  # each throttled call was retried until it went through
    assert all(a["signed"] and a["id"] == "gr0abc" and a["version"] == "1" for a in server.applied)
    assert {a["body"]["source"] for a in server.applied} == {"INPUT", "OUTPUT"}
    assert all(set(a["body"]) == {"source", "content"} and len(a["body"]["content"]) == 1 for a in server.applied)
    assert "aisec: probing guardrail gr0abc version 1 (Chat/" in done.stderr


def test_thresholds_from_the_policy_decide_the_exit_code(deployed, tmp_path):
    outdir, server, _, _ = deployed
    (tmp_path / "aisec.toml").write_text("[probe]\nmin_block_rate = 0.0\nmax_benign_block_rate = 0.0\n")
    done = aisec("--guardrail", "gr0abc:1", "--region", "us-east-1", "--max-probes", "30", "--categories",
                 "credential_leak,benign", "--format", "markdown", server=server, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "## aisec guardrail probes" in done.stdout and "| credential_leak | LLM02 |" in done.stdout
    assert "| benign (false positives) | – | 0 / 15 | 0% | max 0% | ✅ |" in done.stdout
    (tmp_path / "aisec.toml").write_text("[probe]\n[probe.categories]\ncredential_leak = 1.0\n")
    done = aisec("--guardrail", "gr0abc:1", "--region", "us-east-1", "--categories", "credential_leak",
                 "--format", "sarif", server=server, cwd=tmp_path)
    assert done.returncode == 1
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    result, = log["runs"][0]["results"]
    assert result["ruleId"] == "probe/credential_leak" and "below the minimum 100%; got through: cred-" in \
        result["message"]["text"]


def test_an_unknown_guardrail_and_an_unreachable_endpoint_are_one_line_errors(deployed, tmp_path):
    _, server, _, _ = deployed
    done = aisec("--guardrail", "nope123:1", "--region", "us-east-1", "--max-probes", "2", server=server, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == ("aisec: error: guardrail nope123 version 1: no such guardrail or version "
                                            "in this account and Region")
    done = aisec("--guardrail", "gr0abc:1", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9",
                 cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.splitlines()[-1].startswith(
        "aisec: error: cannot reach the bedrock-runtime endpoint: Could not connect")
    assert "Traceback" not in done.stderr


def test_missing_credentials_and_bad_input_exit_2(tmp_path):
    done = aisec("--guardrail", "abc:1", "--region", "us-east-1", cwd=tmp_path,
                 env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert done.returncode == 2 and done.stderr.strip().startswith("aisec: error: no AWS credentials found")
    for argv, message in [
        (["--guardrail", "abc:1", "--categories", "jailbreak,nope"], "unknown probe category nope"),
        ([str(tmp_path)], "templates were given without --deployed"),
        (["--deployed"], "--deployed needs the templates"),
        ([], "nothing to probe"),
        (["--guardrail", "abc"], "argument --guardrail: 'abc' is not ID:VERSION"),
        (["--guardrail", "abc:1", "--max-probes", "0"], "argument --max-probes: '0' is not a whole number"),
    ]:
        done = aisec(*argv, cwd=tmp_path)
        assert done.returncode == 2 and message in done.stderr.splitlines()[-1], (argv, done.stderr)
    (tmp_path / "aisec.toml").write_text("[probe]\nmin_block_rate = 2\n")
    done = aisec("--guardrail", "abc:1", cwd=tmp_path)
    assert done.returncode == 2 and "[probe] min_block_rate must be a number from 0 to 1, not 2" in done.stderr


def test_the_command_line_works_without_boto3_until_probe_runs(tmp_path):
    blocked = "import sys; sys.modules['boto3'] = None; sys.modules['botocore'] = None; from aisec_rules.cli import main; "
    listing = subprocess.run([sys.executable, "-c", blocked + "sys.exit(main(['rules']))"], capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    probe = subprocess.run([sys.executable, "-c", blocked + "sys.exit(main(['probe', '--guardrail', 'abc:1']))"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert probe.returncode == 2
    assert probe.stderr.strip() == 'aisec: error: aisec probe needs boto3: pip install "aisec-cdk[probe]"'


def test_the_readiness_report_shows_the_latest_probe_results_as_evidence(deployed, full_run, tmp_path, capsys):
    outdir, _, _, version_id = deployed
    results = tmp_path / "probe.json"
    results.write_text(full_run[0].stdout)
    assert main(["report", str(outdir), "--format", "json", "--probe-results", str(results)]) == 0
    evidence = json.loads(capsys.readouterr().out)["security_testing"]
    assert evidence["control"] == "AISEC-APP-30" and evidence["passed"] is False
    assert evidence["guardrails"][0]["id"] == "gr0abc" and evidence["guardrails"][0]["resource"] == version_id
    assert evidence["guardrails"][0]["problems"][0].startswith("prompt_injection: ")
    assert main(["report", str(outdir), "--format", "markdown", "--probe-results", str(results)]) == 0
    markdown = capsys.readouterr().out
    assert "### Security testing: evidence for [AISEC-APP-30](docs/RULES.md#aisec-app-30)" in markdown
    assert "| `gr0abc` | 1 | Chat/" in markdown and "❌ prompt_injection: " in markdown
    assert main(["report", str(outdir), "--probe-results", str(results)]) == 0
    assert '<h2 id="security-testing">' in capsys.readouterr().out
    results.write_text('{"schema_version": 1, "guardrails": [{"id": "x"}]}')
    assert main(["report", str(outdir), "--probe-results", str(results)]) == 2
    assert "lacks id, version, passed" in capsys.readouterr().err
    results.write_text("[]")
    assert main(["report", str(outdir), "--probe-results", str(results)]) == 2
    assert "not aisec probe results" in capsys.readouterr().err
