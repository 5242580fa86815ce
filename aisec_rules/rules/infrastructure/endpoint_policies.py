"""AISEC-INF-03: VPC endpoint policies confine each endpoint to the workload's own principals or
resources.

Every ``AWS::EC2::VPCEndpoint`` of type ``Interface`` or ``Gateway`` (the types that take a
policy; CloudFormation's default is ``Gateway``) in an AI workload's template:

* sets ``PolicyDocument`` (absent means the default policy, full access for any principal to any
  resource through the endpoint, which lets stolen or foreign credentials and foreign buckets /
  models be used from inside the VPC);
* has no ``Allow`` statement that is open on both sides with no perimeter condition: the
  principal is everyone (``"*"``, ``{"AWS": "*"}``, absent, or ``NotPrincipal``), the resource
  is everything (``"*"``, an ARN whose account and resource parts are wildcards such as
  ``arn:aws:s3:::*`` or ``arn:aws:bedrock:*:*:*``, absent, or ``NotResource``), and the
  ``Condition`` names none of the perimeter keys ``aws:PrincipalAccount``,
  ``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``, ``aws:PrincipalArn``, ``aws:userid``,
  ``aws:ResourceAccount``, ``aws:ResourceOrgID``, ``aws:ResourceOrgPaths``. The actions do not
  matter: ``bedrock:InvokeModel`` for everyone on everything is as open as ``*``.

AgentCore callers that authenticate with a bearer token (OAuth) have no IAM principal, so the
AgentCore guide says their endpoint policy must use ``Principal: "*"``; such a statement passes
when its ``Resource`` names the account's own AgentCore ARNs
(``arn:aws:bedrock-agentcore:<region>:<account>:*``) or a resource-account condition restricts it.

The document may be an object or a JSON string; an ``Fn::If`` is judged per branch; a document
that is only a reference, or a string that is not JSON, cannot be verified. Statements whose
values are intrinsics are judged on their text (``${AWS::AccountId}`` is a specific account).
"""
import json
from typing import Any, Iterator, List, Optional

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, as_list
from . import _network as net

PERIMETER_KEYS = {
    "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths", "aws:principalarn", "aws:userid",
    "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths",
}


def _everyone(ctx: Context, statement: dict) -> bool:
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal", MISSING)
    if principal is MISSING or principal == "*":
        return True
    if isinstance(principal, dict) and "AWS" in principal:
        items = principal["AWS"] if isinstance(principal["AWS"], list) else [principal["AWS"]]
        return any(ctx.template.text(i) == "*" for i in items)
    return False


def _all_resources(ctx: Context, statement: dict) -> bool:
    if "NotResource" in statement or "Resource" not in statement:
        return True
    for item in as_list(statement["Resource"]):
        text = ctx.template.text(item)
        if text is None:
            continue
        if text == "*":
            return True
        fields = text.split(":", 5)
        if text.startswith("arn:") and len(fields) == 6 and fields[4] in ("", "*") and fields[5] == "*":
            return True
    return False


def _perimeter(statement: dict) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return False
    return any(isinstance(block, dict) and any(str(k).lower() in PERIMETER_KEYS for k in block)
               for block in condition.values())


def _open_statements(ctx: Context, document: dict) -> List[str]:
    found = []
    for index, statement in enumerate(as_list(document.get("Statement"))):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if _everyone(ctx, statement) and _all_resources(ctx, statement) and not _perimeter(statement):
            sid = statement.get("Sid")
            found.append(f"Statement[{index}]" + (f" ({sid})" if isinstance(sid, str) else ""))
    return found


def _judge(ctx: Context, raw: Any, origin: str) -> Optional[str]:
    """A problem description, or None when the document passes."""
    if raw is MISSING or raw is None or raw == "" or raw == {}:
        return f"PolicyDocument is not set{origin}; the default policy allows any principal to use the endpoint on any resource"
    document = raw
    if isinstance(raw, str):
        try:
            document = json.loads(raw)
        except ValueError:
            return f"PolicyDocument{origin} is not valid JSON and cannot be verified"
    if not isinstance(document, dict):
        return f"PolicyDocument{origin} cannot be verified at synth time"
    open_statements = _open_statements(ctx, document)
    if open_statements:
        return (f"PolicyDocument {', '.join(open_statements)}{origin} allows every principal on every resource with "
                "no account or organization condition")
    return None


def check(ctx: Context) -> Iterator[Violation]:
    for endpoint in net.endpoints(ctx.template):
        if endpoint.kind not in ("Interface", "Gateway", "?"):
            continue
        problems = []
        for value in ctx.template.resolve(endpoint.resource.prop("PolicyDocument")):
            if not value.known:
                problems.append(f"PolicyDocument cannot be verified at synth time{value.note()}")
                continue
            problem = _judge(ctx, value.raw, value.note())
            if problem:
                problems.append(problem)
        if problems:
            yield Violation(endpoint.resource.logical_id,
                            "; ".join(dict.fromkeys(problems)) + "; restrict the principals to this account "
                            "(aws:PrincipalAccount) or the resources to the workload's own (Resource ARNs, "
                            "aws:ResourceAccount)")


RULE = Rule(
    id="AISEC-INF-03",
    prowler_aisf=("AISF-INFRA-08: VPC endpoint policies not open to every principal",),
    title="Restrictive VPC endpoint policies",
    layer=Layer.INFRASTRUCTURE,
    phase=Phase.ADVANCED,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.MEDIUM,
    risks=("LLM10",),
    passes="Every `Interface`/`Gateway` VPC endpoint has a `PolicyDocument` with no `Allow` statement open to "
           "every principal on every resource without an account or organization condition.",
    remediation="Give each endpoint a policy that restricts principals to the account (`aws:PrincipalAccount`) "
                "or resources to the workload's own ARNs; AgentCore OAuth callers need `Principal: \"*\"` with the "
                "account's AgentCore ARNs as `Resource`.",
    construct="aisec_constructs.infrastructure.IsolatedNetwork",
    check=check,
    judges=(net.ENDPOINT,),
)
