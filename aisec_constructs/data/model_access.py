"""ModelAccess: least-privilege permission to invoke named Bedrock models, only through a guardrail.

What it guarantees (AISEC-DATA-01, AISEC-DATA-02, AISEC-DATA-08):

* the only actions are ``bedrock:InvokeModel`` and (``streaming=True``) ``bedrock:InvokeModelWithResponseStream``,
  which also authorize Converse / ConverseStream (there is no ``bedrock:Converse`` IAM action); never
  ``bedrock:*``, never ``Resource: *``;
* the resources are the named models only: foundation-model ARNs in the stack's Region
  (``foundation_models``), system-defined cross-Region inference profiles (``inference_profiles``: the
  profile ARN in this account and Region plus the foundation-model ARN of its model in every Region it
  may route to, ``arn:<partition>:bedrock:*::foundation-model/<model>``, as Bedrock requires), and
  application inference profiles by ARN;
* the invocation statement carries ``"StringEquals": {"bedrock:GuardrailIdentifier": "<guardrail ARN>:<version>"}``,
  so a caller cannot invoke without that guardrail (the key and value format are those of the Bedrock
  user guide, "Enforce the use of specific guardrails in model inference requests"), and a second
  statement allows ``bedrock:ApplyGuardrail`` on that guardrail only, which a call with a guardrail needs.

Invoking without a guardrail takes ``allow_without_guardrail=True``, recorded as an opt-out; AISEC-DATA-08
still reports it at Advanced. Embedding models called by a knowledge base do not go through this
construct (:class:`KnowledgeBase` grants its role the one embedding model).
"""
from __future__ import annotations

from typing import List, Optional, Sequence, cast

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from ..annotations import record_opt_out
from ..nag import acknowledge_iam5

INVOKE = "bedrock:InvokeModel"
INVOKE_STREAM = "bedrock:InvokeModelWithResponseStream"


#: Geography prefixes of system-defined cross-Region inference profile ids.
PROFILE_PREFIXES = ("us", "us-gov", "eu", "apac", "jp", "au", "ca", "global")


def _model_of_profile(profile_id: str) -> str:
    """``us.anthropic.claude-3-haiku-20240307-v1:0`` -> ``anthropic.claude-3-haiku-20240307-v1:0``."""
    head, _, rest = profile_id.partition(".")
    return rest if head in PROFILE_PREFIXES and rest else profile_id


class ModelAccess(Construct):
    """A reusable grant: invoke these models, with this guardrail.

    :param foundation_models: model ids (``anthropic.claude-3-haiku-20240307-v1:0``).
    :param inference_profiles: system-defined inference profile ids (``us.anthropic.claude-...``).
    :param application_inference_profile_arns: ARNs (or tokens) of application inference profiles.
    :param guardrail_arn: the guardrail every invocation must use (an ARN or ``CfnGuardrail.attr_guardrail_arn``).
    :param guardrail_version: its published version (``CfnGuardrailVersion.attr_version``); not ``DRAFT``.
    :param allow_without_guardrail: allow invocation without a guardrail (recorded opt-out).
    :param streaming: also allow ``InvokeModelWithResponseStream`` / ``ConverseStream``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        foundation_models: Sequence[str] = (),
        inference_profiles: Sequence[str] = (),
        application_inference_profile_arns: Sequence[str] = (),
        guardrail_arn: Optional[str] = None,
        guardrail_version: Optional[str] = None,
        allow_without_guardrail: bool = False,
        streaming: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        names = list(foundation_models) + list(inference_profiles)
        if not names and not application_inference_profile_arns:
            raise ValueError("ModelAccess: name at least one model, inference profile or application inference profile")
        for name in names:
            if not cdk.Token.is_unresolved(name) and name.strip().strip("*") == "":
                raise ValueError(f"ModelAccess: {name!r} is not a model id; name the models to allow")
        if guardrail_arn is None:
            if not allow_without_guardrail:
                raise ValueError("ModelAccess: give guardrail_arn and guardrail_version (AISEC-DATA-08), or "
                                 "allow_without_guardrail=True (recorded as an opt-out)")
            record_opt_out(self, "allow_without_guardrail", "callers may invoke the models without a guardrail "
                                                            "(AISEC-DATA-08)")
        elif guardrail_version is None or (not cdk.Token.is_unresolved(guardrail_version)
                                           and guardrail_version.upper() == "DRAFT"):
            raise ValueError("ModelAccess: give the published guardrail_version (a number, not DRAFT)")
        stack = cdk.Stack.of(self)
        partition, region, account = stack.partition, stack.region, stack.account
        resources: List[str] = [f"arn:{partition}:bedrock:{region}::foundation-model/{m}" for m in foundation_models]
        self.routed_model_arns: List[str] = []
        for profile in inference_profiles:
            routed = f"arn:{partition}:bedrock:*::foundation-model/{_model_of_profile(profile)}"
            resources.append(f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{profile}")
            resources.append(routed)
            self.routed_model_arns.append(routed)
        resources.extend(application_inference_profile_arns)
        self.model_arns = resources
        self.actions = [INVOKE, INVOKE_STREAM] if streaming else [INVOKE]
        self.guardrail_arn = guardrail_arn
        self.guardrail_identifier = f"{guardrail_arn}:{guardrail_version}" if guardrail_arn is not None else None

    @property
    def conditions(self) -> Optional[dict]:
        if self.guardrail_identifier is None:
            return None
        return {"StringEquals": {"bedrock:GuardrailIdentifier": self.guardrail_identifier}}

    def statements(self) -> List[iam.PolicyStatement]:
        """The policy statements of the grant (for identity policies or permissions boundaries)."""
        result = [iam.PolicyStatement(sid="InvokeNamedModels", actions=list(self.actions),
                                      resources=list(self.model_arns), conditions=self.conditions)]
        if self.guardrail_arn is not None:
            result.append(iam.PolicyStatement(sid="ApplyGuardrail", actions=["bedrock:ApplyGuardrail"],
                                              resources=[self.guardrail_arn]))
        return result

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Add the invocation (and guardrail) statements to the grantee's identity policy."""
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=list(self.actions),
                                           resource_arns=list(self.model_arns), conditions=self.conditions)
        if self.guardrail_arn is not None:
            iam.Grant.add_to_principal(grantee=grantee, actions=["bedrock:ApplyGuardrail"],
                                       resource_arns=[self.guardrail_arn])
        if self.routed_model_arns and hasattr(grantee, "node"):
            acknowledge_iam5(cast(IConstruct, grantee), self.routed_model_arns,
                             "A cross-Region inference profile routes each request to its foundation model in one of "
                             "the Regions of its geography; Bedrock authorizes the foundation-model ARN in the "
                             "destination Region, so the Region part is a wildcard while the model is named.")
        return grant
