"""The GuardrailProbe function's handler: ApplyGuardrail over the wire against the local server
(tests/guardrail_server.py) deciding with a synthesized guardrail's words, regexes and topics, CloudWatch and S3
with botocore's Stubber; metrics, the results object, a guardrail that cannot be probed."""
import datetime as dt
import json

import aws_cdk as cdk
import boto3
import botocore.config
import botocore.session
import pytest
from aws_cdk.assertions import Template
from botocore.stub import ANY, Stubber

from aisec_constructs.application import DeniedTopic, Guardrail, RegexFilter
from aisec_constructs.handlers import guardrail_probe as index
from aisec_rules.probe import suite, topics
from tests.guardrail_server import AwsServer, Evaluator

TOPIC = DeniedTopic("Investment", "Advice on buying or selling securities", ["Which stock should I buy"])
ENV = {"AISEC_PROBE_RESULTS_BUCKET": "results-bucket", "AISEC_PROBE_RESULTS_PREFIX": "guardrail-probes/",
       "AISEC_PROBE_NAMESPACE": "aisec/GuardrailProbe", "AISEC_PROBE_CONCURRENCY": "3", "AISEC_VERSION": "0.1.0"}
ARN = "arn:aws:bedrock:us-east-1:111111111111:guardrail/gr0abc"
MOMENT = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def server():
    stack = cdk.Stack(cdk.App(), "Guarded", env=cdk.Environment(account="111111111111", region="us-east-1"))
    Guardrail(stack, "Guard", word_filters=["ignore all previous instructions"], denied_topics=[TOPIC],
              regexes=[RegexFilter("AwsKeyId", r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")])
    props, = (r["Properties"] for r in Template.from_stack(stack).to_json()["Resources"].values()
              if r["Type"] == "AWS::Bedrock::Guardrail")
    evaluator = Evaluator(props)
    aws = AwsServer({(ARN, "2"): evaluator}, throttle_every=15)
    aws.evaluator = evaluator
    yield aws
    aws.close()


def clients(server):
    session = botocore.session.get_session()
    make = lambda name, **kw: session.create_client(  # noqa: E731
        name, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test", **kw)
    bedrock = make("bedrock-runtime", endpoint_url=server.url,
                   config=botocore.config.Config(retries={"total_max_attempts": 1}))
    return bedrock, make("cloudwatch"), make("s3")


EVENT = {"guardrails": [{"id": ARN, "version": "2", "topics": [
    {"name": TOPIC.name, "definition": TOPIC.definition, "examples": list(TOPIC.examples)}]}],
    "categories": ["prompt_injection", "credential_leak", "denied_topic", "benign"], "max_probes": 60,
    "thresholds": {"min_block_rate": 0.5, "max_benign_block_rate": 0.1, "categories": {}}}


def expected_probes():
    s = suite.load()
    extra = topics.probes_for(topics.from_config(EVENT["guardrails"][0]["topics"]), s.categories["denied_topic"])
    return s.select(EVENT["categories"], EVENT["max_probes"], extra)


def test_a_run_probes_over_the_wire_publishes_metrics_and_keeps_the_document(server):
    bedrock, cloudwatch, s3 = clients(server)
    probes = expected_probes()
    decided = {p.id: server.evaluator.decide(p.text) for p in probes}
    blocked = lambda category: sum(decided[p.id] for p in probes if p.category == category)  # noqa: E731
    count = lambda category: sum(p.category == category for p in probes)  # noqa: E731
    dims = [{"Name": "Guardrail", "Value": ARN}, {"Name": "GuardrailVersion", "Value": "2"}]
    rate = lambda category: round(blocked(category) / count(category), 4)  # noqa: E731
    with Stubber(cloudwatch) as cw, Stubber(s3) as bucket:
        cw.add_response("put_metric_data", {}, {"Namespace": "aisec/GuardrailProbe", "MetricData": [
            {"MetricName": "BlockRate", "Dimensions": dims + [{"Name": "Category", "Value": c}], "Value": rate(c),
             "Unit": "None"} for c in ("prompt_injection", "credential_leak", "denied_topic")] + [
            {"MetricName": "BenignBlockRate", "Dimensions": dims, "Value": rate("benign"), "Unit": "None"}]})
        bucket.add_response("put_object", {}, {"Bucket": "results-bucket",
                                               "Key": "guardrail-probes/2026/03/04/2026-03-04T05:06:07Z.json",
                                               "Body": ANY, "ContentType": "application/json",
                                               "ChecksumAlgorithm": "SHA256"})
        doc, key = index.handle(EVENT, bedrock, cloudwatch, s3, ENV, now=lambda: MOMENT)
        cw.assert_no_pending_responses()
        bucket.assert_no_pending_responses()
    entry, = doc["guardrails"]
    assert [r["id"] for r in entry["results"]] == [p.id for p in probes]
    assert {r["id"]: r["action"] == "GUARDRAIL_INTERVENED" for r in entry["results"]} == decided
    assert blocked("denied_topic") >= 1 and blocked("credential_leak") >= 1 and blocked("benign") == 0
    assert (doc["tool"]["runner"], doc["tool"]["version"], doc["errors"]) == ("GuardrailProbe", "0.1.0", [])
    assert doc["passed"] is (blocked("prompt_injection") / count("prompt_injection") >= 0.5 and
                             blocked("credential_leak") / count("credential_leak") >= 0.5 and
                             blocked("denied_topic") / count("denied_topic") >= 0.5)
    assert server.throttled >= 1 and {a["body"]["source"] for a in server.applied} == {"INPUT", "OUTPUT"}


def test_a_guardrail_that_cannot_be_probed_is_recorded_and_the_others_run(server):
    bedrock, cloudwatch, s3 = clients(server)
    event = dict(EVENT, guardrails=[{"id": "nope123", "version": "1"}] + EVENT["guardrails"], max_probes=8)
    with Stubber(cloudwatch) as cw, Stubber(s3) as bucket:
        cw.add_response("put_metric_data", {}, None)
        bucket.add_response("put_object", {}, None)
        doc, _ = index.handle(event, bedrock, cloudwatch, s3, ENV, now=lambda: MOMENT)
    assert doc["errors"] == ["guardrail nope123 version 1: no such guardrail or version in this account and Region"]
    assert [g["id"] for g in doc["guardrails"]] == [ARN] and doc["passed"] is False


def test_metric_data_is_sent_in_batches_of_20():
    doc = {"guardrails": [{"id": f"g{i}", "version": "1", "benign": {"probes": 1, "block_rate": 0.0},
                           "categories": {c: {"block_rate": 1.0} for c in ("a", "b", "c", "d")}} for i in range(5)]}
    assert len(index.metrics(doc)) == 25
    sent = []

    class Recorder:
        def put_metric_data(self, **kwargs):
            sent.append(len(kwargs["MetricData"]))

    index.publish(Recorder(), "ns", doc)
    assert sent == [20, 5]


def test_the_lambda_entry_point_fails_the_invocation_when_a_guardrail_could_not_be_probed(server, monkeypatch, capsys):
    bedrock, cloudwatch, s3 = clients(server)
    made = {"bedrock-runtime": bedrock, "cloudwatch": cloudwatch, "s3": s3}
    monkeypatch.setattr(boto3, "client", lambda name, **kwargs: made[name])
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    with Stubber(cloudwatch) as cw, Stubber(s3) as bucket:
        for _ in range(2):
            cw.add_response("put_metric_data", {}, None)
            bucket.add_response("put_object", {}, None)
        summary = index.handler(dict(EVENT, max_probes=6), None)
        assert summary["results"].startswith("s3://results-bucket/guardrail-probes/") and summary["errors"] == []
        assert json.loads(capsys.readouterr().out) == summary
        with pytest.raises(RuntimeError, match="1 guardrail\\(s\\) could not be probed: guardrail nope123 version 1"):
            index.handler(dict(EVENT, guardrails=[{"id": "nope123", "version": "1"}]), None)
