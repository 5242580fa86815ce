"""The AgentContainment function, in plain Python with botocore's Stubber for every AWS call: no AWS."""
import datetime as dt
import io
import json

import botocore.session
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from aisec_constructs.handlers import agent_containment as index

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)
BUCKET = "evidence-archive"
DENY = "arn:aws:iam::111111111111:policy/aisec-deny-all"
CONFIG = {"prefix": "containment/support/", "deny_policy_arn": DENY, "roles": ["agent-role"],
          "functions": ["order-tools"], "agents": ["AGENT12345"], "runtimes": ["rt_one-abcdefghij"], "lookback_hours": 6}
FINDING = {"id": "5f1e0c2a-1111-2222-3333-444455556666", "source": "aws.guardduty", "detail-type": "GuardDuty Finding",
           "time": "2026-12-01T09:55:00Z", "detail": {"type": "UnauthorizedAccess:IAMUser/AnomalousBehavior"}}
FOLDER = "containment/support/20261201T100000Z-5f1e0c2a-1111-2222-3333-444455556666/"
AGENT = {"agentId": "AGENT12345", "agentName": "support", "agentArn": "arn:aws:bedrock:us-east-1:111111111111:agent/AGENT12345",
         "agentStatus": "PREPARED", "idleSessionTTLInSeconds": 600, "agentResourceRoleArn": "arn:aws:iam::111111111111:role/agent-role",
         "createdAt": NOW, "updatedAt": NOW, "agentVersion": "DRAFT"}
ALIAS = {"agentAliasId": "LIVE123456", "agentAliasName": "live", "agentAliasStatus": "PREPARED", "createdAt": NOW, "updatedAt": NOW,
         "routingConfiguration": [{"agentVersion": "3"}]}


def clients():
    session = botocore.session.get_session()
    return {name: session.create_client(name, region_name="us-east-1", aws_access_key_id="test",
                                        aws_secret_access_key="test") for name in index.CLIENTS}


class Stubs:
    """One Stubber per client, activated together; ``assert_done`` checks none was left unused."""

    def __init__(self, clients):
        self.clients = clients
        self.stubs = {name: Stubber(client) for name, client in clients.items()}

    def __getitem__(self, name):
        return self.stubs[name]

    def __enter__(self):
        for stub in self.stubs.values():
            stub.activate()
        return self

    def __exit__(self, *exc):
        for stub in self.stubs.values():
            stub.deactivate()

    def assert_done(self):
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


def queue_snapshot(stubs, fail_agent=False):
    agent = stubs["bedrock-agent"]
    if fail_agent:
        agent.add_client_error("get_agent", "AccessDeniedException", "not allowed", expected_params={"agentId": "AGENT12345"})
    else:
        agent.add_response("get_agent", {"agent": AGENT}, {"agentId": "AGENT12345"})
    agent.add_response("list_agent_aliases", {"agentAliasSummaries": [ALIAS]}, {"agentId": "AGENT12345"})
    runtime = stubs["bedrock-agentcore-control"]
    runtime.add_response("get_agent_runtime", {
        "agentRuntimeArn": "arn:aws:bedrock-agentcore:us-east-1:111111111111:runtime/rt_one-abcdefghij",
        "agentRuntimeName": "rt_one", "agentRuntimeId": "rt_one-abcdefghij", "agentRuntimeVersion": "1",
        "createdAt": NOW, "lastUpdatedAt": NOW, "roleArn": "arn:aws:iam::111111111111:role/runtime",
        "networkConfiguration": {"networkMode": "VPC"}, "lifecycleConfiguration": {}, "status": "READY"},
        {"agentRuntimeId": "rt_one-abcdefghij"})
    runtime.add_response("list_agent_runtime_endpoints", {"runtimeEndpoints": []}, {"agentRuntimeId": "rt_one-abcdefghij"})
    iam = stubs["iam"]
    iam.add_response("list_role_policies", {"PolicyNames": ["tools"]}, {"RoleName": "agent-role"})
    iam.add_response("get_role_policy", {"RoleName": "agent-role", "PolicyName": "tools", "PolicyDocument": "%7B%7D"},
                     {"RoleName": "agent-role", "PolicyName": "tools"})
    iam.add_response("list_attached_role_policies", {"AttachedPolicies": []}, {"RoleName": "agent-role"})
    stubs["lambda"].add_response("get_function_configuration", {
        "FunctionName": "order-tools", "Environment": {"Variables": {"TABLE_NAME": "orders", "TOKEN": "s3cr3t"}},
        "LoggingConfig": {"LogGroup": "/aisec/order-tools"}}, {"FunctionName": "order-tools"})
    stubs["bedrock"].add_response("get_model_invocation_logging_configuration", {"loggingConfig": {
        "cloudWatchConfig": {"logGroupName": "invocations", "roleArn": "arn:aws:iam::111111111111:role/l"},
        "s3Config": {"bucketName": BUCKET, "keyPrefix": "bedrock-invocations"}, "textDataDeliveryEnabled": True}}, {})


def queue_put(stubs, key, error=None):
    params = {"Bucket": BUCKET, "Key": key, "Body": ANY, "ContentType": "application/json", "ChecksumAlgorithm": "SHA256"}
    if error:
        stubs["s3"].add_client_error("put_object", error, "denied", expected_params=params)
    else:
        stubs["s3"].add_response("put_object", {}, params)


def queue_quarantine(stubs, already_denied=False, concurrency=None, fail_role=False):
    iam = stubs["iam"]
    attached = [{"PolicyName": "aisec-deny-all", "PolicyArn": DENY}] if already_denied else []
    iam.add_response("list_attached_role_policies", {"AttachedPolicies": attached}, {"RoleName": "agent-role"})
    if not already_denied:
        if fail_role:
            iam.add_client_error("attach_role_policy", "AccessDenied", "no", expected_params={
                "RoleName": "agent-role", "PolicyArn": DENY})
        else:
            iam.add_response("attach_role_policy", {}, {"RoleName": "agent-role", "PolicyArn": DENY})
    fn = stubs["lambda"]
    fn.add_response("get_function_concurrency", {} if concurrency is None else {"ReservedConcurrentExecutions": concurrency},
                    {"FunctionName": "order-tools"})
    fn.add_response("put_function_concurrency", {"ReservedConcurrentExecutions": 0},
                    {"FunctionName": "order-tools", "ReservedConcurrentExecutions": 0})


def bodies(stubs_clients, calls):
    """The JSON documents written to S3, by key (captured from the stubbed put_object calls)."""
    return {c["Key"]: json.loads(c["Body"]) for c in calls}


def capture_puts(client):
    written = []
    client.meta.events.register("before-parameter-build.s3.PutObject", lambda params, **_: written.append(dict(params)))
    return written


def test_contain_copies_the_evidence_then_quarantines_and_records_every_change():
    c = clients()
    written = capture_puts(c["s3"])
    with Stubs(c) as stubs:
        queue_snapshot(stubs)
        queue_put(stubs, FOLDER + "evidence.json")
        queue_quarantine(stubs, concurrency=10)
        queue_put(stubs, FOLDER + "record.json")
        result = index.handle(FINDING, c, CONFIG, BUCKET, NOW)
        stubs.assert_done()
    assert result["status"] == "contained" and result["record"] == FOLDER + "record.json"
    documents = bodies(c, written)
    evidence = documents[FOLDER + "evidence.json"]
    assert evidence["agents"]["AGENT12345"]["aliases"][0]["routingConfiguration"] == [{"agentVersion": "3"}]
    assert evidence["roles"]["agent-role"]["inline_policies"] == {"tools": {}}
    assert evidence["functions"]["order-tools"]["Environment"] == {"Variables": ["TABLE_NAME", "TOKEN"]}  # no values
    assert "s3cr3t" not in json.dumps(documents)
    assert evidence["logs"] == {
        "window": {"start": "2026-12-01T03:55:00+00:00", "end": "2026-12-01T10:00:00+00:00"},
        "invocation_logging": {"cloudWatchConfig": {"logGroupName": "invocations", "roleArn": "arn:aws:iam::111111111111:role/l"},
                               "s3Config": {"bucketName": BUCKET, "keyPrefix": "bedrock-invocations"},
                               "textDataDeliveryEnabled": True},
        "tool_log_groups": ["/aisec/order-tools"]}
    record = documents[FOLDER + "record.json"]
    assert record["changes"] == [
        {"action": "attach_deny_policy", "role": "agent-role", "policy_arn": DENY, "status": "done"},
        {"action": "zero_concurrency", "function": "order-tools", "previous": 10, "status": "done"}]
    assert record["failures"] == [] and record["trigger"]["detail-type"] == "GuardDuty Finding"


def test_one_failing_step_does_not_stop_the_others_and_the_record_names_it():
    c = clients()
    written = capture_puts(c["s3"])
    with Stubs(c) as stubs:
        queue_snapshot(stubs, fail_agent=True)
        queue_put(stubs, FOLDER + "evidence.json")
        queue_quarantine(stubs, fail_role=True)
        queue_put(stubs, FOLDER + "record.json")
        result = index.handle(FINDING, c, CONFIG, BUCKET, NOW)
        stubs.assert_done()
    assert result["status"] == "partial"
    assert [f["step"] for f in result["failures"]] == ["GetAgent AGENT12345", "AttachRolePolicy agent-role"]
    assert "AccessDeniedException" in result["failures"][0]["error"]
    record = bodies(c, written)[FOLDER + "record.json"]
    assert record["changes"] == [{"action": "zero_concurrency", "function": "order-tools", "previous": None,
                                  "status": "done"}]
    assert record["failures"] == result["failures"]


def test_a_role_already_denied_is_recorded_unchanged_and_a_failed_archive_write_is_logged(capsys):
    c = clients()
    with Stubs(c) as stubs:
        queue_snapshot(stubs)
        queue_put(stubs, FOLDER + "evidence.json", error="AccessDenied")
        queue_quarantine(stubs, already_denied=True, concurrency=5)
        queue_put(stubs, FOLDER + "record.json", error="AccessDenied")
        result = index.handle(FINDING, c, CONFIG, BUCKET, NOW)
        stubs.assert_done()
    assert result["changes"][0] == {"action": "attach_deny_policy", "role": "agent-role", "policy_arn": DENY,
                                    "status": "unchanged"}
    assert [f["step"] for f in result["failures"]] == ["PutObject evidence.json", "PutObject record.json"]
    logged = json.loads(capsys.readouterr().out)
    assert logged["aisec_containment_record"]["changes"][1]["previous"] == 5


def record_body(record):
    data = json.dumps(record).encode()
    return {"Body": StreamingBody(io.BytesIO(data), len(data))}


def test_undo_reverses_exactly_what_the_record_says_it_changed():
    record = {"incident": "i-1", "changes": [
        {"action": "attach_deny_policy", "role": "agent-role", "policy_arn": DENY, "status": "done"},
        {"action": "attach_deny_policy", "role": "other-role", "policy_arn": DENY, "status": "unchanged"},
        {"action": "zero_concurrency", "function": "order-tools", "previous": 10, "status": "done"},
        {"action": "zero_concurrency", "function": "screen", "previous": None, "status": "done"}]}
    key = FOLDER + "record.json"
    c = clients()
    written = capture_puts(c["s3"])
    with Stubs(c) as stubs:
        stubs["s3"].add_response("get_object", record_body(record), {"Bucket": BUCKET, "Key": key})
        stubs["iam"].add_response("detach_role_policy", {}, {"RoleName": "agent-role", "PolicyArn": DENY})
        stubs["lambda"].add_response("put_function_concurrency", {"ReservedConcurrentExecutions": 10},
                                     {"FunctionName": "order-tools", "ReservedConcurrentExecutions": 10})
        stubs["lambda"].add_response("delete_function_concurrency", {}, {"FunctionName": "screen"})
        queue_put(stubs, FOLDER + "undo-20261201T100000Z.json")
        result = index.handle({"mode": "undo", "record": key}, c, CONFIG, BUCKET, NOW)
        stubs.assert_done()
    assert result["status"] == "undone" and result["undo"] == FOLDER + "undo-20261201T100000Z.json"
    assert [ch["action"] for ch in result["changes"]] == ["detach_deny_policy", "restore_concurrency", "restore_concurrency"]
    assert bodies(c, written)[result["undo"]]["record"] == key


def test_undo_goes_on_past_a_failing_step():
    record = {"changes": [
        {"action": "attach_deny_policy", "role": "agent-role", "policy_arn": DENY, "status": "done"},
        {"action": "zero_concurrency", "function": "order-tools", "previous": None, "status": "done"}]}
    key = FOLDER + "record.json"
    c = clients()
    with Stubs(c) as stubs:
        stubs["s3"].add_response("get_object", record_body(record), {"Bucket": BUCKET, "Key": key})
        stubs["iam"].add_client_error("detach_role_policy", "NoSuchEntity", "gone",
                                      expected_params={"RoleName": "agent-role", "PolicyArn": DENY})
        stubs["lambda"].add_response("delete_function_concurrency", {}, {"FunctionName": "order-tools"})
        queue_put(stubs, FOLDER + "undo-20261201T100000Z.json")
        result = index.handle({"mode": "undo", "record": key}, c, CONFIG, BUCKET, NOW)
        stubs.assert_done()
    assert result["status"] == "partial"
    assert [f["step"] for f in result["failures"]] == ["DetachRolePolicy agent-role"]
    assert [ch["action"] for ch in result["changes"]] == ["restore_concurrency"]


def test_undo_without_a_record_key_is_refused():
    with pytest.raises(ValueError, match="undo needs"):
        index.handle({"mode": "undo"}, clients(), CONFIG, BUCKET, NOW)


def test_a_manual_trigger_is_named_manual_and_the_handler_reads_its_environment(monkeypatch):
    seen = {}
    monkeypatch.setenv(index.CONFIG_VARIABLE, json.dumps(CONFIG))
    monkeypatch.setenv(index.BUCKET_VARIABLE, BUCKET)
    monkeypatch.setattr(index, "handle", lambda event, c, config, bucket, now: seen.update(
        event=event, config=config, bucket=bucket, clients=sorted(c)) or {"status": "contained"})
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert index.handler({"mode": "contain", "reason": "drill"}, None) == {"status": "contained"}
    assert seen == {"event": {"mode": "contain", "reason": "drill"}, "config": CONFIG, "bucket": BUCKET,
                    "clients": sorted(index.CLIENTS)}
    c = clients()
    with Stubs(c) as stubs:
        empty = dict(CONFIG, roles=[], functions=[], agents=[], runtimes=[])
        stubs["bedrock"].add_response("get_model_invocation_logging_configuration", {}, {})
        queue_put(stubs, "containment/support/20261201T100000Z-manual/evidence.json")
        queue_put(stubs, "containment/support/20261201T100000Z-manual/record.json")
        assert index.contain({"mode": "contain"}, c, empty, BUCKET, NOW)["incident"] == "20261201T100000Z-manual"
        stubs.assert_done()
