"""Lambda handler of AgentContainment: snapshot the evidence of a compromised agent, then quarantine it;
or undo a quarantine from its record.

Configuration (set by the construct): the environment variable ``AISEC_EVIDENCE_BUCKET`` names the evidence
archive, ``AISEC_CONTAINMENT_CONFIG`` holds JSON::

    {"prefix": "containment/<workload>/", "deny_policy_arn": "arn:...:policy/...",
     "roles": ["role name", ...], "functions": ["function name", ...],
     "agents": ["Bedrock agent id", ...], "runtimes": ["AgentCore runtime id", ...], "lookback_hours": 24}

**Contain** (an EventBridge event: a GuardDuty finding or a CloudWatch alarm state change; or by hand
``{"mode": "contain", "reason": "..."}``), every step on its own, a failing step never stops the others:

1. evidence, written to ``<prefix><incident>/evidence.json``: each agent's configuration (``GetAgent``) and
   alias routing (``ListAgentAliases``), each runtime's configuration (``GetAgentRuntime``) and endpoints
   (``ListAgentRuntimeEndpoints``), each role's inline policies (``ListRolePolicies``, ``GetRolePolicy``) and
   attached policies (``ListAttachedRolePolicies``), each tool function's configuration without its
   environment values (``GetFunctionConfiguration``), and pointers to the invocation logs of the period: the
   account's model invocation logging destinations (``GetModelInvocationLoggingConfiguration``), the tool
   functions' log groups and the time window (``lookback_hours`` before the trigger until now);
2. quarantine: attach the deny-all managed policy to each role (``AttachRolePolicy``; a role that already
   has it is recorded as unchanged, so that an undo leaves it attached), and set each tool function's
   reserved concurrency to zero (``PutFunctionConcurrency``) after reading the previous value
   (``GetFunctionConcurrency``);
3. the record, ``<prefix><incident>/record.json``: the trigger, every change with what it replaced, every
   failed step with its error. It is what an operator needs to undo the quarantine.

**Undo** (``{"mode": "undo", "record": "<key of record.json>"}``): reads the record from the archive and
reverses each change it lists: ``DetachRolePolicy``, and the previous reserved concurrency back
(``PutFunctionConcurrency``) or none (``DeleteFunctionConcurrency``); writes ``undo-<time>.json`` beside it
(the archive is write-once: the record itself is never changed). Standard library and boto3 only.
"""
import datetime as dt
import json
import os

CONFIG_VARIABLE = "AISEC_CONTAINMENT_CONFIG"
BUCKET_VARIABLE = "AISEC_EVIDENCE_BUCKET"
CLIENTS = ("s3", "iam", "lambda", "bedrock", "bedrock-agent", "bedrock-agentcore-control")


class Run:
    """The outcome of one invocation: what each step returned, what it changed, what failed."""

    def __init__(self):
        self.evidence = {}
        self.changes = []
        self.failures = []

    def step(self, name, call, *args, **kwargs):
        """Run one step; record its error instead of raising. Returns the step's result or None."""
        try:
            return call(*args, **kwargs)
        except Exception as error:  # each step stands alone: the others still run
            self.failures.append({"step": name, "error": f"{type(error).__name__}: {error}"[:1000]})
            return None


def _strip(response):
    return {k: v for k, v in (response or {}).items() if k != "ResponseMetadata"}


def snapshot(clients, config, run, start, end):
    """Copy the configuration of every agent, runtime, role and tool, and the pointers to the logs."""
    agent, runtime, iam, functions = (clients["bedrock-agent"], clients["bedrock-agentcore-control"], clients["iam"],
                                      clients["lambda"])
    for agent_id in config.get("agents", []):
        found = run.step(f"GetAgent {agent_id}", agent.get_agent, agentId=agent_id)
        aliases = run.step(f"ListAgentAliases {agent_id}", agent.list_agent_aliases, agentId=agent_id)
        run.evidence.setdefault("agents", {})[agent_id] = {
            "agent": _strip(found).get("agent"), "aliases": _strip(aliases).get("agentAliasSummaries")}
    for runtime_id in config.get("runtimes", []):
        found = run.step(f"GetAgentRuntime {runtime_id}", runtime.get_agent_runtime, agentRuntimeId=runtime_id)
        endpoints = run.step(f"ListAgentRuntimeEndpoints {runtime_id}", runtime.list_agent_runtime_endpoints,
                             agentRuntimeId=runtime_id)
        run.evidence.setdefault("runtimes", {})[runtime_id] = {
            "runtime": _strip(found), "endpoints": _strip(endpoints).get("runtimeEndpoints")}
    for role in config.get("roles", []):
        inline = {}
        names = run.step(f"ListRolePolicies {role}", iam.list_role_policies, RoleName=role)
        for name in _strip(names).get("PolicyNames", []):
            document = run.step(f"GetRolePolicy {role}/{name}", iam.get_role_policy, RoleName=role, PolicyName=name)
            inline[name] = _strip(document).get("PolicyDocument")
        attached = run.step(f"ListAttachedRolePolicies {role}", iam.list_attached_role_policies, RoleName=role)
        run.evidence.setdefault("roles", {})[role] = {
            "inline_policies": inline, "attached_policies": _strip(attached).get("AttachedPolicies")}
    log_groups = []
    for function in config.get("functions", []):
        found = _strip(run.step(f"GetFunctionConfiguration {function}", functions.get_function_configuration,
                                FunctionName=function))
        if "Environment" in found:  # names only: values may hold secrets
            found["Environment"] = {"Variables": sorted(found["Environment"].get("Variables", {}))}
        log_groups.append(found.get("LoggingConfig", {}).get("LogGroup", f"/aws/lambda/{function}"))
        run.evidence.setdefault("functions", {})[function] = found
    logging = run.step("GetModelInvocationLoggingConfiguration",
                       clients["bedrock"].get_model_invocation_logging_configuration)
    run.evidence["logs"] = {"window": {"start": start.isoformat(), "end": end.isoformat()},
                            "invocation_logging": _strip(logging).get("loggingConfig"),
                            "tool_log_groups": log_groups}


def quarantine(clients, config, run):
    """Deny everything to the workload's roles and stop its tools, recording what each change replaced."""
    iam, functions = clients["iam"], clients["lambda"]
    policy = config["deny_policy_arn"]
    for role in config.get("roles", []):
        attached = run.step(f"ListAttachedRolePolicies {role}", iam.list_attached_role_policies, RoleName=role)
        if attached is not None and any(p.get("PolicyArn") == policy for p in attached.get("AttachedPolicies", [])):
            run.changes.append({"action": "attach_deny_policy", "role": role, "policy_arn": policy,
                                "status": "unchanged"})
            continue
        done = run.step(f"AttachRolePolicy {role}", iam.attach_role_policy, RoleName=role, PolicyArn=policy)
        if done is not None:
            run.changes.append({"action": "attach_deny_policy", "role": role, "policy_arn": policy, "status": "done"})
    for function in config.get("functions", []):
        previous = run.step(f"GetFunctionConcurrency {function}", functions.get_function_concurrency,
                            FunctionName=function)
        if previous is None:
            continue  # without the previous value the change could not be undone: leave the function alone
        done = run.step(f"PutFunctionConcurrency {function}", functions.put_function_concurrency,
                        FunctionName=function, ReservedConcurrentExecutions=0)
        if done is not None:
            run.changes.append({"action": "zero_concurrency", "function": function,
                                "previous": previous.get("ReservedConcurrentExecutions"), "status": "done"})


def put_json(clients, bucket, key, body):
    """Write ``body`` as JSON (with a checksum: Object Lock buckets require one on every put); returns the key."""
    clients["s3"].put_object(Bucket=bucket, Key=key, Body=json.dumps(body, indent=1, sort_keys=True, default=str).encode(),
                             ContentType="application/json", ChecksumAlgorithm="SHA256")
    return key


def contain(event, clients, config, bucket, now):
    run = Run()
    trigger_time = _time(event.get("time")) or now
    incident = f"{now.strftime('%Y%m%dT%H%M%SZ')}-{str(event.get('id') or 'manual')[:36]}"
    folder = f"{config.get('prefix', 'containment/')}{incident}/"
    start = trigger_time - dt.timedelta(hours=float(config.get("lookback_hours", 24)))
    snapshot(clients, config, run, start, now)
    evidence_key = f"{folder}evidence.json"
    run.step("PutObject evidence.json", put_json, clients, bucket, evidence_key, run.evidence)
    quarantine(clients, config, run)
    record = {"incident": incident, "mode": "contain", "time": now.isoformat(), "trigger": event,
              "evidence": evidence_key, "changes": run.changes, "failures": list(run.failures),
              "status": "partial" if run.failures else "contained"}
    record_key = f"{folder}record.json"
    if run.step("PutObject record.json", put_json, clients, bucket, record_key, record) is None:
        print(json.dumps({"aisec_containment_record": record}, default=str))  # the log keeps it when S3 cannot
        record.update(failures=list(run.failures), status="partial")
    return dict(record, record=record_key)


def undo(event, clients, bucket, now):
    key = event.get("record")
    if not isinstance(key, str) or not key.endswith("record.json"):
        raise ValueError("undo needs {\"mode\": \"undo\", \"record\": \"<key of a record.json in the archive>\"}")
    original = json.loads(clients["s3"].get_object(Bucket=bucket, Key=key)["Body"].read())
    run = Run()
    iam, functions = clients["iam"], clients["lambda"]
    for change in original.get("changes", []):
        if change.get("status") != "done":
            continue
        if change["action"] == "attach_deny_policy":
            if run.step(f"DetachRolePolicy {change['role']}", iam.detach_role_policy, RoleName=change["role"],
                        PolicyArn=change["policy_arn"]) is not None:
                run.changes.append(dict(change, action="detach_deny_policy"))
        elif change["action"] == "zero_concurrency":
            previous = change.get("previous")
            if previous is None:
                result = run.step(f"DeleteFunctionConcurrency {change['function']}", functions.delete_function_concurrency,
                                  FunctionName=change["function"])
            else:
                result = run.step(f"PutFunctionConcurrency {change['function']}", functions.put_function_concurrency,
                                  FunctionName=change["function"], ReservedConcurrentExecutions=previous)
            if result is not None:
                run.changes.append(dict(change, action="restore_concurrency"))
    result = {"incident": original.get("incident"), "mode": "undo", "time": now.isoformat(), "record": key,
              "changes": run.changes, "failures": list(run.failures),
              "status": "partial" if run.failures else "undone"}
    undo_key = key[: -len("record.json")] + f"undo-{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    if run.step("PutObject undo.json", put_json, clients, bucket, undo_key, result) is None:
        print(json.dumps({"aisec_containment_undo": result}, default=str))
        result.update(failures=list(run.failures), status="partial")
    return dict(result, undo=undo_key)


def handle(event, clients, config, bucket, now):
    """Contain (default) or undo; returns the record. Raises only on a malformed undo request."""
    if not isinstance(event, dict):
        event = {}
    if event.get("mode") == "undo":
        return undo(event, clients, bucket, now)
    return contain(event, clients, config, bucket, now)


def _time(text):
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def handler(event, context):
    import boto3

    clients = {name: boto3.client(name) for name in CLIENTS}
    config = json.loads(os.environ[CONFIG_VARIABLE])
    result = handle(event, clients, config, os.environ[BUCKET_VARIABLE], dt.datetime.now(dt.timezone.utc))
    print(json.dumps({"aisec_containment": {k: result.get(k) for k in ("incident", "mode", "status", "record", "undo")}}))
    return result
