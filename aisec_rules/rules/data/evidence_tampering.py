"""AISEC-DATA-29: the identities an AI workload runs as cannot erase or switch off the evidence of what it did.

Resource types judged: ``AWS::IAM::Role``, ``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy``,
``AWS::IAM::RolePolicy``, ``AWS::Lambda::Function``, and the resources that name the roles and tools of a
workload: ``AWS::Bedrock::Agent``, ``AWS::Bedrock::KnowledgeBase``, ``AWS::Bedrock::DataSource``,
``AWS::BedrockAgentCore::Runtime``, ``AWS::BedrockAgentCore::Gateway``, ``AWS::BedrockAgentCore::GatewayTarget``.

AI workload roles (the ``AWS::IAM::Role`` s of the environment that):

* trust ``bedrock.amazonaws.com``, ``bedrock-agentcore.amazonaws.com`` or ``sagemaker.amazonaws.com`` (agents,
  knowledge bases, AgentCore runtimes and gateways, SageMaker execution roles);
* are named by an agent, knowledge base, AgentCore runtime or gateway (``AgentResourceRoleArn`` / ``RoleArn``);
* are the ``Role`` of a Lambda function that a workload runs as a tool or transformation (action groups,
  gateway Lambda targets, custom transformations), or of a function that invokes a model, agent, knowledge
  base, flow, AgentCore runtime or SageMaker endpoint: a role trusted by ``lambda.amazonaws.com`` whose
  policies allow one of :data:`INVOKE_ACTIONS` through an action naming the service (a bare ``*`` alone does
  not make a function an AI handler, or every administrator function would be one).

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

from typing import Dict, Iterator, List, Optional, Set, Tuple

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read import iam
from ...read.template import Resource
from ...read.values import where
from ..infrastructure import _tools
from ._trust import attached_roles, role_resource, role_users, service_matches, trust_statements

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

#: calls that make a function the handler of an AI resource
INVOKE_ACTIONS = (
    "bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:InvokeAgent", "bedrock:Retrieve",
    "bedrock:RetrieveAndGenerate", "bedrock:InvokeFlow", "bedrock-agentcore:InvokeAgentRuntime",
    "sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync", "sagemaker:InvokeEndpointWithResponseStream",
)
_AI_PRINCIPALS = ("bedrock.amazonaws.com", "bedrock-agentcore.amazonaws.com", "sagemaker.amazonaws.com")
_AI_SERVICES = ("bedrock", "bedrock-agentcore", "sagemaker")


def _trusts(ctx: Context, role_id: str, services: Tuple[str, ...]) -> List[str]:
    role = ctx.template.get(role_id)
    if role is None:
        return []
    found: List[str] = []
    for _, principals in trust_statements(ctx.template, role):
        found.extend(s for s in services if any(service_matches(p, s) for p in principals) and s not in found)
    return found


def role_statements(ctx: Context) -> Dict[str, List[iam.Statement]]:
    """Role logical id -> the statements of the policies attached to it (cached on the view)."""
    cached = ctx.template.cache.get("data.role_statements")
    if cached is not None:
        return cached
    by_role: Dict[str, List[iam.Statement]] = {}
    managed: Dict[str, Set[str]] = {}  # managed policy -> roles listing it in ManagedPolicyArns
    for holder in ctx.template.of_type("AWS::IAM::Role"):
        for target in ctx.template.references(holder.prop("ManagedPolicyArns")):
            if target.type == "AWS::IAM::ManagedPolicy":
                managed.setdefault(target.logical_id, set()).add(holder.logical_id)
    for statement in iam.statements(ctx.template):
        roles = attached_roles(ctx.template, statement.resource) | managed.get(statement.resource, set())
        for role_id in roles - {"?"}:
            by_role.setdefault(role_id, []).append(statement)
    ctx.template.cache["data.role_statements"] = by_role
    return by_role


def workload_roles(ctx: Context) -> Dict[str, str]:
    """Role logical id -> why it is an AI workload identity (the first reason found)."""
    found: Dict[str, str] = {}
    for trusted in ctx.template.of_type("AWS::IAM::Role"):
        services = _trusts(ctx, trusted.logical_id, _AI_PRINCIPALS)
        if services:
            found[trusted.logical_id] = f"trusted by {', '.join(services)}"
    role: Optional[Resource]
    for key, users in sorted(role_users(ctx.template).items()):
        role = role_resource(ctx.template, key)
        if role is not None and role.type == "AWS::IAM::Role":
            resource, prop = users[0]
            found.setdefault(role.logical_id, f"the {prop} of {resource.logical_id}")
    for reference in _tools.references(ctx.template):
        if reference.function is not None:
            role = ctx.template.target(reference.function.prop("Role"))
            if role is not None and role.type == "AWS::IAM::Role":
                found.setdefault(role.logical_id, f"the role of {reference.function.logical_id}, a tool of "
                                                  f"{reference.referrer.logical_id}")
    statements = role_statements(ctx)
    for function in ctx.template.of_type("AWS::Lambda::Function"):
        role = ctx.template.target(function.prop("Role"))
        if role is None or role.logical_id in found or not _trusts(ctx, role.logical_id, ("lambda.amazonaws.com",)):
            continue
        invoked = [a for a in INVOKE_ACTIONS for s in statements.get(role.logical_id, []) if _names_ai(s, a)]
        if invoked:
            found[role.logical_id] = f"the role of {function.logical_id}, which calls {invoked[0]}"
    return found


def _names_ai(statement: iam.Statement, action: str) -> bool:
    """The statement allows ``action`` through a pattern that names an AI service (not a bare ``*``)."""
    return statement.allows and not statement.not_actions and any(
        pattern.split(":", 1)[0].lower().strip("*?") in _AI_SERVICES and iam.action_matches(pattern, action)
        for pattern, _ in statement.action_patterns())


def _denied(statements: List[iam.Statement], action: str) -> bool:
    """An unconditional Deny of ``action`` on every resource among the role's statements."""
    for statement in statements:
        if statement.effect != "Deny" or statement.condition or statement.not_actions or statement.not_resources:
            continue
        if any(v.known and v.raw == "*" for v in statement.resources) and any(
                iam.action_matches(pattern, action) for pattern, _ in statement.action_patterns()):
            return True
    return False


def _pattern(statement: iam.Statement, action: str) -> str:
    if statement.not_actions:
        return "NotAction (every action it does not list)"
    for pattern, note in statement.action_patterns():
        if iam.action_matches(pattern, action):
            return f"Action {pattern}{note}"
    return "an action"


def check(ctx: Context) -> Iterator[Violation]:
    roles = workload_roles(ctx)
    if not roles:
        return
    statements = role_statements(ctx)
    for part in iam.unverifiable(ctx.template):
        attached = sorted(r for r in attached_roles(ctx.template, part.resource) if r in roles)
        if attached:
            yield Violation(part.resource, f"{part.part} cannot be verified at synth time ({part.reason}), so whether "
                                           f"the AI workload role {', '.join(attached)} may erase evidence cannot be "
                                           "judged; write the policy in the template", f"Unverifiable::{part.part}")
    grants: Dict[Tuple[str, str], Dict[str, str]] = {}  # (policy, action) -> role -> how
    for role_id in sorted(roles):
        mine = statements.get(role_id, [])
        for statement in mine:
            if not statement.allows:
                continue
            for action in FORBIDDEN:
                if statement.grants(action) and not _denied(mine, action):
                    how = f"{where(statement)} allows it through {_pattern(statement, action)}"
                    grants.setdefault((statement.resource, action), {}).setdefault(role_id, how)
    for (holder, action), by_role in sorted(grants.items()):
        who = "; ".join(f"{role} ({roles[role]}): {how}" for role, how in sorted(by_role.items()))
        yield Violation(holder, f"an AI workload identity may call {action}, so a hijacked agent or tool could "
                                f"{FORBIDDEN[action]} and cover its tracks; {who}. Remove the action (narrow the "
                                "wildcard) or add an explicit Deny of it", f"Action::{action}")


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
    reads=("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::User", "AWS::IAM::Group",
           "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy", "AWS::Lambda::Function", "AWS::Lambda::Alias",
           "AWS::Lambda::Version", "AWS::Bedrock::Agent", "AWS::Bedrock::KnowledgeBase", "AWS::Bedrock::DataSource",
           "AWS::BedrockAgentCore::Runtime", "AWS::BedrockAgentCore::Gateway", "AWS::BedrockAgentCore::GatewayTarget"),
)
