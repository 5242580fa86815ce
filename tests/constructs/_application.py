"""Shared helpers for the application-layer construct tests (guardrail, agent, AgentCore, prompts)."""
from typing import List

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from aisec_constructs.application import Guardrail
from aisec_constructs.data import EvidenceArchive
from aisec_constructs.detection import GuardrailProbe
from aisec_rules.engine import evaluate
from aisec_rules.model import Phase
from aisec_rules.cdk.pack import AiSecurityChecks
from aisec_rules.read.template import Template as AisecTemplate
from tests.constructs.compliance import report_only_app

SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
SECURITY_GROUP = "sg-0123456789abcdef0"
AR_POLICY = "arn:aws:bedrock:us-east-1:111111111111:automated-reasoning-policy/abcdefghijkl"


def probed(guard: Guardrail) -> Guardrail:
    """``guard`` probed every day by a GuardrailProbe (AISEC-APP-30 at Advanced), alarming into an encrypted,
    TLS-only topic (``<id>Alarms``) and writing to a write-once archive (``<id>Evidence``, AISEC-APP-31); the probe
    is ``<id>Probe``."""
    stack, name = cdk.Stack.of(guard), guard.node.id
    key = guard.encryption_key.key if guard.encryption_key is not None else None
    topic = sns.Topic(stack, f"{name}Alarms", master_key=key, enforce_ssl=True)
    GuardrailProbe(stack, f"{name}Probe", guardrails=[guard], alarm_topic=topic,
                   archive=EvidenceArchive(stack, f"{name}Evidence"))
    return guard


def pack_app(report_only: bool = False) -> cdk.App:
    """An app with the aisec pack's acknowledgement aspect, so construct-level acknowledgements reach
    the template metadata (as in a real synth with AiSecurityChecks)."""
    app = report_only_app() if report_only else cdk.App()
    AiSecurityChecks(app, phase=Phase.ADVANCED)
    return app


#: controls that another construct provides for the resources of the application constructs: the containment
#: of agents and runtimes (AISEC-APP-32) is AgentContainment's, tested with a real Agent in
#: tests/constructs/test_agent_containment.py
OTHER_CONSTRUCTS = ("AISEC-APP-32",)


def own_findings(stack: cdk.Stack, prefixes, phase: Phase = Phase.ADVANCED, capabilities=None) -> List[str]:
    """Unacknowledged resource-level findings on the resources whose logical id starts with one of
    ``prefixes`` (the construct under test; fixtures such as tool functions belong to other layers), except
    the controls of :data:`OTHER_CONSTRUCTS`."""
    template = AisecTemplate(Template.from_stack(stack).to_json(), stack.stack_name)
    return sorted(f"{f.id} @ {f.resource}" for f in evaluate(template, phase, capabilities)
                  if not f.acknowledged and not f.workload and f.resource.startswith(tuple(prefixes))
                  and f.rule.id not in OTHER_CONSTRUCTS)


def tool_function(scope, construct_id: str = "Tool") -> lambda_.Function:
    """A VPC-bound tool function, standing in for the infrastructure layer's PrivateToolFunction."""
    vpc = ec2.Vpc.from_vpc_attributes(scope, f"{construct_id}Vpc", vpc_id="vpc-0123456789abcdef0",
                                      availability_zones=["us-east-1a", "us-east-1b"], private_subnet_ids=SUBNETS)
    group = ec2.SecurityGroup.from_security_group_id(scope, f"{construct_id}Sg", SECURITY_GROUP)
    return lambda_.Function(scope, construct_id, runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                            code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
                            vpc=vpc, security_groups=[group], vpc_subnets=ec2.SubnetSelection(subnets=vpc.private_subnets))


def nag_errors(app: cdk.App, ignore=("/Tool",)) -> List[str]:
    """AwsSolutions errors of ``app`` outside the test fixtures (the stand-in tool function)."""
    from tests.constructs.compliance import aws_solutions_errors
    return [e for e in aws_solutions_errors(app) if not any(f"{part}/" in e for part in ignore)]
