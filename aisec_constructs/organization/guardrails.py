"""OrganizationGuardrails: what the management account enforces on the member accounts of AI workloads.

Guarantees (AISEC-APP-33, and AISEC-APP-09 in every environment the policies reach), three AWS Organizations
policies attached to the target roots, OUs or accounts you give:

* a **service control policy** that denies, to every principal of the member accounts except the pipeline
  roles you name (``ArnNotLike`` on ``aws:PrincipalArn``): deleting or changing guardrails and the
  account-enforced guardrail configuration (``bedrock:DeleteGuardrail``, ``UpdateGuardrail``,
  ``PutEnforcedGuardrailConfiguration``, ``DeleteEnforcedGuardrailConfiguration``), changing or deleting
  model invocation logging (``bedrock:PutModelInvocationLoggingConfiguration``,
  ``DeleteModelInvocationLoggingConfiguration``), and stopping, deleting or re-pointing trails
  (``cloudtrail:StopLogging``, ``DeleteTrail``, ``UpdateTrail``, ``PutEventSelectors``); and to everyone,
  creating or updating AgentCore runtimes and creating code interpreters and browsers outside a VPC (the
  request names no subnets: ``Null`` on ``bedrock-agentcore:subnets``, the condition key of the AgentCore
  developer guide, "Use IAM condition keys with AgentCore VPC settings");
* a **Bedrock policy** (``BEDROCK_POLICY``) that enforces a numbered version of a guardrail of the
  management account on every model call in the guardrail's Region, guarding every user message
  (``selective_content_guarding.messages`` ``comprehensive``) for all models (``included_models`` ``ALL``);
  syntax of the AWS Organizations user guide, "Amazon Bedrock policy syntax and examples";
* an **AI services opt-out policy** (``AISERVICES_OPT_OUT_POLICY``): every AI service, present and future
  (``default``), opted out of using the organization's content, and child policies cannot change that
  (``@@operators_allowed_for_child_policies: ["@@none"]``).

The action lists AISEC-APP-33 checks come from ``aisec_rules.aws.ORGANIZATION_DENIALS``; the construct adds
``cloudtrail:UpdateTrail`` and ``PutEventSelectors``, which the rule does not require.

Choices:

* Deploy it in the management account's app, in ``us-east-1`` (the AWS Organizations endpoint). Service
  control policies never restrict the management account itself.
* The guardrail must belong to the management account, live in the Region it is enforced in and carry a
  resource-based policy that lets the organization's accounts call ``bedrock:ApplyGuardrail`` (Organizations
  user guide); the construct checks the account and the numbered version it can see, not the resource policy.
* ``pipeline_role_arns`` are role ARNs or ``ArnNotLike`` patterns (CDK's CloudFormation execution role:
  ``arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*``); without any, nobody in the target accounts can
  change guardrails, logging or trails: changes go through detaching the policy in the management account.
* Opt-outs, each recorded as a warning annotation (AISEC-APP-33 keeps reporting them until acknowledged):
  ``allow_agentcore_outside_vpc=True`` leaves out the AgentCore statement; ``opt_in_services`` names AI
  services that may keep using content (``rekognition``, ...).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence

import aws_cdk as cdk
from aws_cdk import aws_organizations as organizations
from constructs import Construct

from aisec_rules.aws import AGENTCORE_SUBNETS_KEY, ORGANIZATION_DENIALS, VPC_DENIALS

from ..annotations import record_opt_out

#: the schema's TargetIds pattern (AWS::Organizations::Policy): a root, an OU or an account id
_TARGET = re.compile(r"^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")
_GUARDRAIL_ARN = re.compile(r"^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):(\d{12}):guardrail/[a-z0-9]+$")
_VERSION = re.compile(r"^[1-9][0-9]{0,7}$")  # the API's pattern for an enforced guardrail version
#: statement id -> (the denials of aisec_rules.aws.ORGANIZATION_DENIALS it makes, actions it denies beyond them)
_STATEMENTS = {
    "DenyGuardrailChanges": (("GuardrailChanges",), ()),
    "DenyInvocationLoggingChanges": (("InvocationLoggingChanges",), ()),
    "DenyTrailChanges": (("TrailChanges",), ("cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors")),
    "DenyAgentCoreOutsideVpc": (("RuntimeOutsideVpc", "CodeInterpreterOutsideVpc", "BrowserOutsideVpc"), ()),
}


def _literal(value: str) -> bool:
    return not cdk.Token.is_unresolved(value)


class OrganizationGuardrails(Construct):
    """A service control policy, a Bedrock policy and an AI services opt-out policy for the target OUs/accounts.

    :param target_ids: the roots (``r-...``), OUs (``ou-...``) or account ids the three policies attach to.
    :param guardrail_arn: the ARN of a guardrail of the management account (``arn:aws:bedrock:<region>:<account>:guardrail/<id>``).
    :param guardrail_version: its published version number (never ``DRAFT``).
    :param guardrail_region: the Region to enforce it in; read from ``guardrail_arn`` unless that is a token.
    :param pipeline_role_arns: roles (ARNs or ``ArnNotLike`` patterns) still allowed to change guardrails,
        invocation logging and trails: the deployment pipeline's.
    :param allow_agentcore_outside_vpc: leave out the denial of AgentCore runtimes, code interpreters and
        browsers outside a VPC (opt-out, annotated).
    :param opt_in_services: AI services that may keep using the organization's content (opt-out, annotated).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target_ids: Sequence[str],
        guardrail_arn: str,
        guardrail_version: str,
        guardrail_region: Optional[str] = None,
        pipeline_role_arns: Sequence[str] = (),
        allow_agentcore_outside_vpc: bool = False,
        opt_in_services: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        targets = list(target_ids)
        if not targets:
            raise ValueError("OrganizationGuardrails: give the roots, OUs or accounts to attach the policies to "
                             "(target_ids)")
        for target in targets:
            if _literal(target) and not _TARGET.match(target):
                raise ValueError(f"OrganizationGuardrails: target {target!r} is not a root (r-...), an OU "
                                 "(ou-...-...) or a 12-digit account id")
        region = self._check_guardrail(guardrail_arn, guardrail_version, guardrail_region)
        for role in pipeline_role_arns:
            if _literal(role) and (":role/" not in role or not role.split(":role/", 1)[1].strip("*?/")):
                raise ValueError(f"OrganizationGuardrails: pipeline role {role!r} must name a role "
                                 "(arn:aws:iam::<account or *>:role/<name or pattern>)")
        if allow_agentcore_outside_vpc:
            record_opt_out(self, "allow_agentcore_outside_vpc", "member accounts may create AgentCore runtimes, code "
                                                                "interpreters and browsers outside a VPC (AISEC-APP-33)")
        if opt_in_services:
            cdk.Annotations.of(self).add_warning_v2(
                "aisec:opt_in_services", f"opt_in_services={list(opt_in_services)}: these AI services may use the "
                                         "organization's content to improve themselves (AISEC-APP-33)")

        self.service_control_policy = organizations.CfnPolicy(
            self, "ServiceControlPolicy", name="aisec-ai-guardrails", type="SERVICE_CONTROL_POLICY",
            description="Member accounts cannot weaken AI guardrails, invocation logging or trails, nor run "
                        "AgentCore outside a VPC",
            content=self._scp(pipeline_role_arns, allow_agentcore_outside_vpc), target_ids=targets)
        identifier = f"{guardrail_arn}:{guardrail_version}"
        self.bedrock_policy = organizations.CfnPolicy(
            self, "BedrockPolicy", name="aisec-enforced-guardrail", type="BEDROCK_POLICY",
            description="Every model call in the member accounts goes through the organization's guardrail",
            content={"bedrock": {"guardrail_inference": {region: {"config_1": {
                "identifier": {"@@assign": identifier},
                "selective_content_guarding": {"messages": {"@@assign": "comprehensive"}},
                "model_enforcement": {"included_models": {"@@assign": ["ALL"]}},
            }}}}},
            target_ids=targets)
        services: Dict[str, Any] = {"default": {"opt_out_policy": {
            "@@operators_allowed_for_child_policies": ["@@none"], "@@assign": "optOut"}}}
        for service in opt_in_services:
            services[service] = {"opt_out_policy": {"@@assign": "optIn"}}
        self.ai_opt_out_policy = organizations.CfnPolicy(
            self, "AiServicesOptOutPolicy", name="aisec-ai-services-opt-out", type="AISERVICES_OPT_OUT_POLICY",
            description="AWS AI services do not use the organization's content to improve themselves",
            content={"services": services}, target_ids=targets)

    def _check_guardrail(self, arn: str, version: str, region: Optional[str]) -> str:
        """The Region to enforce the guardrail in; raise when what can be seen is wrong."""
        if _literal(version) and not _VERSION.match(version):
            raise ValueError(f"OrganizationGuardrails: guardrail_version {version!r} must be a published version "
                             "number (create one with CfnGuardrailVersion); DRAFT cannot be enforced")
        if not _literal(arn):
            if not region:
                raise ValueError("OrganizationGuardrails: guardrail_arn is a token, so give guardrail_region")
            return region
        match = _GUARDRAIL_ARN.match(arn)
        if match is None:
            raise ValueError(f"OrganizationGuardrails: guardrail_arn {arn!r} is not a guardrail ARN "
                             "(arn:aws:bedrock:<region>:<account>:guardrail/<id>)")
        account = cdk.Stack.of(self).account
        if _literal(account) and match.group(2) != account:
            raise ValueError(f"OrganizationGuardrails: the guardrail belongs to account {match.group(2)}, not to the "
                             f"management account {account}; AWS Organizations enforces only the management "
                             "account's guardrails")
        if region and region != match.group(1):
            raise ValueError(f"OrganizationGuardrails: guardrail_region {region!r} differs from the guardrail's "
                             f"Region {match.group(1)!r}")
        return match.group(1)

    @staticmethod
    def _scp(pipeline_roles: Sequence[str], allow_outside_vpc: bool) -> Dict[str, Any]:
        exempt = {"ArnNotLike": {"aws:PrincipalArn": list(pipeline_roles)}} if pipeline_roles else None
        statements: List[Dict[str, Any]] = []
        for sid, (details, more) in _STATEMENTS.items():
            vpc = all(d in VPC_DENIALS for d in details)
            if vpc and allow_outside_vpc:
                continue
            actions = [a for d in details for a in ORGANIZATION_DENIALS[d]] + list(more)
            statement: Dict[str, Any] = {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": "*"}
            condition = {"Null": {AGENTCORE_SUBNETS_KEY: "true"}} if vpc else exempt
            if condition:
                statement["Condition"] = condition
            statements.append(statement)
        return {"Version": "2012-10-17", "Statement": statements}
