"""Lambda handler of :class:`aisec_constructs.detection.GuardrailProbe`: run the aisec probe suite against guardrail
versions on a schedule, publish the block rates as CloudWatch metrics, keep the full result in S3.

It runs the very suite file and runner of ``aisec probe`` (the asset carries ``aisec_rules/probe``'s runtime
files, see :func:`aisec_constructs.lambda_code.probe_code`). The schedule's input names the guardrails and the
thresholds::

    {"guardrails": [{"id": "<guardrail ARN or id>", "version": "3", "topics": [{"name", "definition", "examples"}]}],
     "categories": null, "max_probes": null,
     "thresholds": {"min_block_rate": 0.8, "max_benign_block_rate": 0.1, "categories": {}}}

and the environment where the results go: ``AISEC_PROBE_RESULTS_BUCKET`` (bucket name),
``AISEC_PROBE_RESULTS_PREFIX``, ``AISEC_PROBE_NAMESPACE`` (CloudWatch namespace), ``AISEC_PROBE_CONCURRENCY``,
``AISEC_VERSION``. Metrics, per guardrail version: ``BlockRate`` (0 to 1) with dimensions ``Guardrail``,
``GuardrailVersion``, ``Category`` for each category probed, and ``BenignBlockRate`` with ``Guardrail``,
``GuardrailVersion``. The results document (``aisec probe --format json``'s shape) is written to
``<prefix><yyyy>/<mm>/<dd>/<started>.json`` with a SHA-256 checksum (which an Object Lock bucket requires).

A guardrail that cannot be probed (no access, no such version, throttled past every retry) is recorded in the
document's ``errors`` and the run goes on with the others; the function then fails, so its error alarm and
dead-letter queue see it. Runs on the Lambda Python runtime with the standard library and boto3 only.
"""
import datetime as dt
import json
import os

from aisec_rules.probe import runner, scoring, suite, topics

METRIC_BATCH = 20


def _now():
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _stamp(moment):
    return moment.isoformat().replace("+00:00", "Z")


def handle(event, bedrock, cloudwatch, s3, env, now=_now):
    """Probe every guardrail of ``event``; return (results document, S3 key). Never raises for one guardrail's
    failure: it is in the document's ``errors``."""
    started = now()
    probe_suite = suite.load()
    thresholds = scoring.Thresholds.from_mapping(event.get("thresholds") or {}, probe_suite.categories,
                                                 "the schedule's thresholds")
    results, errors = [], []
    for entry in event.get("guardrails") or []:
        target = runner.Target(str(entry["id"]), str(entry["version"]),
                               tuple(topics.from_config(entry.get("topics") or [])))
        extra = topics.probes_for(target.topics, probe_suite.categories[suite.DENIED_TOPIC])
        probes = probe_suite.select(event.get("categories"), event.get("max_probes"), extra)
        try:
            outcomes = runner.run(bedrock, target, probes, concurrency=int(env.get("AISEC_PROBE_CONCURRENCY", "4")))
        except runner.ProbeError as error:
            errors.append(str(error))
            continue
        results.append(scoring.GuardrailResult(target, outcomes))
    doc = scoring.document(results, probe_suite, thresholds, started=_stamp(started), finished=_stamp(now()),
                           version=env.get("AISEC_VERSION", ""), runner="GuardrailProbe", errors=errors)
    publish(cloudwatch, env["AISEC_PROBE_NAMESPACE"], doc)
    key = f"{env.get('AISEC_PROBE_RESULTS_PREFIX', '')}{started:%Y/%m/%d}/{_stamp(started)}.json"
    s3.put_object(Bucket=env["AISEC_PROBE_RESULTS_BUCKET"], Key=key, Body=json.dumps(doc, indent=2).encode("utf-8"),
                  ContentType="application/json", ChecksumAlgorithm="SHA256")
    return doc, key


def metrics(doc):
    """The metric data of a results document (PutMetricData's ``MetricData`` entries)."""
    data = []
    for g in doc["guardrails"]:
        base = [{"Name": "Guardrail", "Value": g["id"]}, {"Name": "GuardrailVersion", "Value": g["version"]}]
        for category, score in g["categories"].items():
            data.append({"MetricName": "BlockRate", "Dimensions": base + [{"Name": "Category", "Value": category}],
                         "Value": score["block_rate"], "Unit": "None"})
        if g["benign"]["probes"]:
            data.append({"MetricName": "BenignBlockRate", "Dimensions": base, "Value": g["benign"]["block_rate"],
                         "Unit": "None"})
    return data


def publish(cloudwatch, namespace, doc):
    data = metrics(doc)
    for start in range(0, len(data), METRIC_BATCH):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[start:start + METRIC_BATCH])


def handler(event, context):
    import boto3
    import botocore.config

    env = dict(os.environ)
    bedrock = boto3.client("bedrock-runtime", config=botocore.config.Config(
        retries={"total_max_attempts": 1}, max_pool_connections=10))  # the runner retries with backoff
    doc, key = handle(event, bedrock, boto3.client("cloudwatch"), boto3.client("s3"), env)
    summary = {"results": f"s3://{env['AISEC_PROBE_RESULTS_BUCKET']}/{key}", "passed": doc["passed"],
               "guardrails": [{"id": g["id"], "version": g["version"], "passed": g["passed"], "problems": g["problems"]}
                              for g in doc["guardrails"]], "errors": doc["errors"]}
    print(json.dumps(summary))
    if doc["errors"]:
        raise RuntimeError(f"{len(doc['errors'])} guardrail(s) could not be probed: {'; '.join(doc['errors'])}")
    return summary
