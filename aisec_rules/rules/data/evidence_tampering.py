"""AISEC-DATA-29: the identities an AI workload runs as cannot erase or switch off the evidence of what it did.

Resource types judged: ``AWS::IAM::Role``, ``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy``,
``AWS::IAM::RolePolicy``, ``AWS::Lambda::Function``, and the resources that name the roles and tools of a
workload: ``AWS::Bedrock::Agent``, ``AWS::Bedrock::KnowledgeBase``, ``AWS::Bedrock::DataSource``,
``AWS::BedrockAgentCore::Runtime``, ``AWS::BedrockAgentCore::Gateway``, ``AWS::BedrockAgentCore::GatewayTarget``.

AI workload roles: see :mod:`._workload` (roles trusted by Bedrock, AgentCore or SageMaker, named by an
agent, knowledge base, AgentCore runtime or gateway, or the role of a tool, transformation or model-calling
function).

None of them may be allowed any action of :data:`FORBIDDEN` (from the catalog row; each verified in the
service authorization reference): directly, through a wildcard (``s3:*``, ``logs:Delete*``, ``*``) or through
``NotAction``, in its inline policies, in an ``AWS::IAM::Policy`` / ``ManagedPolicy`` / ``RolePolicy``
attached to it (``Roles`` / ``RoleName``), or in a managed policy of the template listed in its
``ManagedPolicyArns``. The ``Resource`` of the statement is not considered: an identity allowed
``s3:DeleteObjectVersion`` on its own bucket today is one edit away from the archive, and the archive of
another account cannot be told apart here. An explicit ``Deny`` of the action (``Resource`` ``*``, no
``Condition``) in the same role's policies neutralizes the grant. A permissions boundary is not read.

Findings are granular, one per policy resource and action: ``AISEC-DATA-29[Action::cloudtrail:StopLogging]``;
the message names the roles, why each is a workload identity, and the pattern that grants the action. A policy
document of an AI workload role that cannot be read is ``Unverifiable::<part>`` (never passed). Roles outside
the environment are judged where they are declared.
"""
from __future__ import annotations

from typing import Dict, Iterator

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from . import _workload

#: action -> what an agent could do to the evidence with it
FORBIDDEN: Dict[str, str] = {
    "cloudtrail:StopLogging": "stop the trail that records its calls",
    "cloudtrail:DeleteTrail": "delete the trail that records its calls",
    "cloudtrail:UpdateTrail": "redirect or weaken the trail",
    "cloudtrail:PutEventSelectors": "drop its own calls from the trail's selectors",
    "logs:DeleteLogGroup": "delete log groups",
    "logs:DeleteLogStream": "delete log streams",
    "logs:PutRetentionPolicy": "shorten the retention of log groups",
    "logs:DeleteRetentionPolicy": "change the retention of log groups",
    "logs:DisassociateKmsKey": "remove the key of log groups",
    "s3:DeleteObjectVersion": "delete object versions (the archived evidence)",
    "s3:PutBucketVersioning": "suspend versioning",
    "s3:PutObjectRetention": "change the Object Lock retention of archived objects",
    "s3:PutBucketObjectLockConfiguration": "change the default Object Lock retention",
    "s3:BypassGovernanceRetention": "bypass GOVERNANCE-mode Object Lock",
    "s3:PutBucketPolicy": "rewrite the bucket policy that protects an archive",
    "s3:DeleteBucketPolicy": "remove the bucket policy that protects an archive",
    "bedrock:DeleteModelInvocationLoggingConfiguration": "turn model invocation logging off",
    "bedrock:PutModelInvocationLoggingConfiguration": "redirect or narrow model invocation logging",
    "bedrock:DeleteGuardrail": "delete the guardrail",
    "bedrock:UpdateGuardrail": "weaken the guardrail",
    "guardduty:DeleteDetector": "delete the GuardDuty detector",
    "guardduty:UpdateDetector": "disable GuardDuty or its protections",
    "guardduty:DisassociateFromMasterAccount": "leave the GuardDuty administrator account",
    "guardduty:DisassociateFromAdministratorAccount": "leave the GuardDuty administrator account",
}

def check(ctx: Context) -> Iterator[Violation]:
    roles = _workload.workload_roles(ctx)
    if not roles:
        return
    yield from _workload.unverifiable(ctx, roles, "may erase evidence")
    for (holder, action), by_role in sorted(_workload.grants(ctx, roles, FORBIDDEN).items()):
        yield Violation(holder, f"an AI workload identity may call {action}, so a hijacked agent or tool could "
                                f"{FORBIDDEN[action]} and cover its tracks; {_workload.who(roles, by_role)}. Remove the "
                                "action (narrow the wildcard) or add an explicit Deny of it", f"Action::{action}")


RULE = Rule(
    id="AISEC-DATA-29",
    title="Workload identities cannot erase evidence",
    layer=Layer.DATA,
    phase=Phase.ENHANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("T8", "T9"),
    passes="No role an AI workload runs as (trusted by `bedrock`, `bedrock-agentcore` or `sagemaker`, named by an "
           "agent, knowledge base, AgentCore runtime or gateway, or the role of a tool, transformation or model-calling "
           "function) is allowed, directly or through a wildcard, to stop or change the trail, delete or shorten log "
           "groups or remove their keys, delete object versions, change Object Lock or bucket policies, bypass "
           "governance retention, change or delete model invocation logging or guardrails, or disable GuardDuty; an "
           "unconditional explicit Deny of the action neutralizes a grant.",
    remediation="Grant workload roles only the actions they call (no `s3:*`, `logs:*`, `*`); keep evidence "
                "administration in separate, human-approved roles; where a broad grant must stay, add an explicit "
                "`Deny` of the evidence actions (see the rule's list) to the role.",
    construct="aisec_constructs.data.KnowledgeBase, aisec_constructs.application.Agent, "
              "aisec_constructs.infrastructure.PrivateToolFunction (least-privilege roles)",
    check=check,
    judges=("AWS::IAM::Role",),
    reads=_workload.READS,
)
