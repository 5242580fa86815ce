"""AISEC-APP-28: production AgentCore runtimes are evaluated continuously.

* Each ``AWS::BedrockAgentCore::OnlineEvaluationConfig`` is running and evaluates something:
  ``ExecutionStatus`` is ``ENABLED`` (enum ``ENABLED`` / ``DISABLED``; no default in the schema, so an
  absent value is reported — detail ``ExecutionStatus``) and ``Evaluators`` lists at least one evaluator
  (the schema allows an empty list — detail ``Evaluators``).
* Each ``AWS::BedrockAgentCore::Runtime`` is covered by such a configuration: one whose
  ``DataSourceConfig`` (the CloudWatch log groups and service names it reads traces from) references the
  runtime (a ``Ref``/``Fn::GetAtt``/``Fn::Sub`` variable naming it, as in
  ``/aws/bedrock-agentcore/runtimes/${Runtime.AgentRuntimeId}-DEFAULT``) or contains the runtime's literal
  ``AgentRuntimeName`` as a whole word (``support_agent.DEFAULT``). One finding per uncovered runtime
  (no detail). The template cannot tell production from development runtimes: every runtime is judged,
  and a development runtime can be acknowledged with that reason.
"""
import json
import re
from typing import Iterator, List, Set

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ._app import note, possibilities, show, upper

CONFIG = "AWS::BedrockAgentCore::OnlineEvaluationConfig"
RUNTIME = "AWS::BedrockAgentCore::Runtime"


def _config_problems(ctx: Context, config):
    status: List[str] = []
    for value in possibilities(ctx, config.prop("ExecutionStatus")):
        if not value.known:
            status.append(f"ExecutionStatus cannot be verified at synth time{note(value.origin)}")
        elif value.missing:
            status.append(f"ExecutionStatus is not set{note(value.origin)}")
        elif upper(value) != "ENABLED":
            status.append(f"ExecutionStatus is {show(value.raw)}{note(value.origin)}")
    evaluators: List[str] = []
    for value in possibilities(ctx, config.prop("Evaluators")):
        if value.known and (value.missing or value.raw == [] or not isinstance(value.raw, list)):
            evaluators.append(f"Evaluators is {'not set' if value.missing else 'empty'}{note(value.origin)}")
    return status, evaluators


def check(ctx: Context) -> Iterator[Violation]:
    covered: Set[str] = set()
    runtimes = ctx.template.of_type(RUNTIME)
    names = {r.logical_id: r.prop("AgentRuntimeName") for r in runtimes}
    for config in ctx.template.of_type(CONFIG):
        status, evaluators = _config_problems(ctx, config)
        if status:
            yield Violation(config.logical_id, "; ".join(dict.fromkeys(status)) + "; must be ENABLED so that agent "
                            "sessions are evaluated.", "ExecutionStatus")
        if evaluators:
            yield Violation(config.logical_id, "; ".join(dict.fromkeys(evaluators)) + "; list at least one evaluator "
                            "(for example Builtin.Helpfulness, Builtin.Harmfulness, a custom evaluator).", "Evaluators")
        if status or evaluators:
            continue
        source = config.prop("DataSourceConfig")
        covered.update(r.logical_id for r in ctx.template.references(source))
        try:
            text = json.dumps(source, default=str)
        except (TypeError, ValueError):
            text = ""
        covered.update(rid for rid, name in names.items() if isinstance(name, str) and name and
                       re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", text))
    for runtime in runtimes:
        if runtime.logical_id not in covered:
            yield Violation(runtime.logical_id, f"No enabled AWS::BedrockAgentCore::OnlineEvaluationConfig with "
                            f"evaluators reads the traces of runtime {runtime.logical_id}, so drift in the agent's "
                            "behaviour goes unnoticed. Add an online evaluation configuration whose DataSourceConfig "
                            "names the runtime's log group and service; acknowledge this finding for a "
                            "non-production runtime.")


RULE = Rule(
    id="AISEC-APP-28",
    prowler_aisf=("AISF-AGENT-03: online evaluation of AgentCore runtimes",),
    title="Continuous agent evaluation",
    layer=Layer.APPLICATION,
    phase=Phase.ADVANCED,
    capabilities={Capability.ACTS},
    severity=Severity.LOW,
    risks=("T7", "LLM09"),
    passes="Every `AWS::BedrockAgentCore::Runtime` is read by an `AWS::BedrockAgentCore::OnlineEvaluationConfig` "
           "with `ExecutionStatus: ENABLED` and at least one evaluator.",
    remediation="Add an `AWS::BedrockAgentCore::OnlineEvaluationConfig` per production runtime (its log group and "
                "service name in `DataSourceConfig`, built-in or custom `Evaluators`, `ExecutionStatus: ENABLED`).",
    construct="aisec_constructs.application.AgentCoreOnlineEvaluation",
    check=check,
    judges=(RUNTIME, CONFIG),
)
