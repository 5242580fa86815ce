"""Guardrail and EnforcedGuardrail: Bedrock guardrails that filter every model call, pinned by version.

Claim: a :class:`Guardrail` satisfies AISEC-APP-01, -02, -03, -05, -08 and DATA-13 with default props.
The phase it passes depends on two inputs only the application can supply: with default props it passes
Foundational; with at least one ``denied_topics`` entry (AISEC-APP-07) it passes Enhanced; with an
``automated_reasoning_policies`` entry too (AISEC-APP-10), or when it is the guardrail of an
:class:`EnforcedGuardrail` (which may not carry reasoning policies), and probed on a schedule by a
:class:`~aisec_constructs.detection.GuardrailProbe` (AISEC-APP-30), it passes Advanced. For RAG,
``contextual_grounding=True`` satisfies AISEC-APP-06. An :class:`EnforcedGuardrail` satisfies AISEC-APP-09.

Defaults (all in :data:`DEFAULTS` and the constructor, nowhere else):

* content filters HATE, INSULTS, SEXUAL, VIOLENCE and MISCONDUCT at ``HIGH`` on input and output, action
  ``BLOCK``; the prompt-attack filter at ``HIGH`` on input (its output strength is ``NONE``, the only
  value the service accepts for that type);
* the ``STANDARD`` content-filter tier (it detects prompt leakage) with the guardrail profile of the
  stack's geography in ``CrossRegionConfig`` (``us``/``eu``/``apac`` ``.guardrail.v1:0``, looked up
  from the Region through a ``CfnMapping`` when the stack is environment-agnostic, or given as
  ``guardrail_profile_id``);
* PII: credentials (AWS keys, passwords, PINs, card numbers and CVVs, bank and tax ids) are ``BLOCK``-ed,
  personal data (names, e-mail, phone, address, ...) is ``ANONYMIZE``-d; change the lists with
  ``blocked_pii`` / ``anonymized_pii`` (the credentials AISEC-APP-03 requires stay blocked whatever is given);
* a customer managed key (:class:`~aisec_constructs.data.EncryptionKey`, a new one unless given);
* publishing: a ``AWS::Bedrock::GuardrailVersion`` is always created. Its description carries a hash
  of the guardrail configuration, so any change to the configuration replaces the version resource and
  publishes a new numbered version (``Description`` is create-only). Consumers use :attr:`version`
  (``Fn::GetAtt <Version>.Version``), never ``DRAFT``.

Typed additions: ``denied_topics`` (:class:`DeniedTopic`), ``word_filters`` (words), the managed
profanity list (on by default), ``regexes`` (:class:`RegexFilter`), ``contextual_grounding`` with
thresholds, ``automated_reasoning_policies`` (ARNs).

Opt-outs (each recorded with :func:`~aisec_constructs.annotations.record_opt_out`; the rules still report
them): ``use_classic_tier=True`` (no prompt-leakage detection, AISEC-APP-08), ``use_aws_owned_key=True``
(AISEC-DATA-13).

:meth:`Guardrail.grant_apply` (alias :meth:`Guardrail.apply_to`) gives a role ``bedrock:ApplyGuardrail``
on the guardrail (the permission also needed to call a model with a guardrail) plus ``kms:Decrypt`` on
its key.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence

import aws_cdk as cdk
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..annotations import record_opt_out
from ..data import EncryptionKey

HARMFUL_CATEGORIES = ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT")
#: Credentials and financial identifiers: blocked (a response carrying one is withheld).
DEFAULT_BLOCKED_PII = (
    "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "PASSWORD", "PIN", "CREDIT_DEBIT_CARD_NUMBER", "CREDIT_DEBIT_CARD_CVV",
    "CREDIT_DEBIT_CARD_EXPIRY", "US_BANK_ACCOUNT_NUMBER", "INTERNATIONAL_BANK_ACCOUNT_NUMBER",
    "US_SOCIAL_SECURITY_NUMBER",
)
#: Personal data: anonymized (replaced by its type tag, the rest of the answer is kept).
DEFAULT_ANONYMIZED_PII = ("NAME", "EMAIL", "PHONE", "ADDRESS", "IP_ADDRESS", "DRIVER_ID", "US_PASSPORT_NUMBER")
#: The credential types AISEC-APP-03 requires; they are always blocked.
REQUIRED_BLOCKED_PII = ("AWS_ACCESS_KEY", "AWS_SECRET_KEY", "PASSWORD")

#: Guardrail profile (system-defined cross-Region profile) per Region, for the STANDARD tier.
GUARDRAIL_PROFILES = {
    **{r: "us.guardrail.v1:0" for r in ("us-east-1", "us-east-2", "us-west-1", "us-west-2")},
    **{r: "eu.guardrail.v1:0" for r in ("eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
                                        "eu-west-1", "eu-west-2", "eu-west-3")},
    **{r: "apac.guardrail.v1:0" for r in ("ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
                                          "ap-south-2", "ap-southeast-1", "ap-southeast-2")},
}

DEFAULTS: Dict[str, Any] = {
    "strength": "HIGH",
    "tier": "STANDARD",
    "grounding_threshold": 0.75,
    "relevance_threshold": 0.75,
    "blocked_input_messaging": "Sorry, I cannot help with that request.",
    "blocked_outputs_messaging": "Sorry, I cannot provide that answer.",
}


@dataclass(frozen=True)
class DeniedTopic:
    """A topic the application must not discuss (``TopicPolicyConfig``, ``Type: DENY``)."""

    name: str
    definition: str
    examples: Sequence[str] = ()


@dataclass(frozen=True)
class RegexFilter:
    """A custom sensitive-information pattern; ``action`` is ``BLOCK`` or ``ANONYMIZE``."""

    name: str
    pattern: str
    action: str = "BLOCK"
    description: Optional[str] = None

    def __post_init__(self) -> None:
        if self.action not in ("BLOCK", "ANONYMIZE"):
            raise ValueError(f"RegexFilter {self.name}: action must be BLOCK or ANONYMIZE, not {self.action!r}")


class Guardrail(Construct):
    """A Bedrock guardrail with a secure baseline, published as a numbered version.

    :param name: guardrail name (default: derived from the construct path).
    :param denied_topics: topics to deny (AISEC-APP-07 asks for at least one at Enhanced).
    :param word_filters: custom words to block; ``managed_profanity_filter`` adds AWS's profanity list.
    :param regexes: custom sensitive-information patterns.
    :param blocked_pii: PII types to block (the credential types of AISEC-APP-03 are always added).
    :param anonymized_pii: PII types to anonymize.
    :param contextual_grounding: add grounding and relevance checks (for RAG), thresholds below.
    :param automated_reasoning_policies: ARNs of ``AWS::Bedrock::AutomatedReasoningPolicy`` (at most two).
    :param encryption_key: key for the guardrail; default a new :class:`EncryptionKey`.
    :param guardrail_profile_id: e.g. ``eu.guardrail.v1:0``; default from the stack's Region.
    :param use_classic_tier: opt-out: CLASSIC content-filter tier (no prompt-leakage detection).
    :param use_aws_owned_key: opt-out: no customer managed key.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        blocked_input_messaging: str = DEFAULTS["blocked_input_messaging"],
        blocked_outputs_messaging: str = DEFAULTS["blocked_outputs_messaging"],
        denied_topics: Sequence[DeniedTopic] = (),
        word_filters: Sequence[str] = (),
        managed_profanity_filter: bool = True,
        regexes: Sequence[RegexFilter] = (),
        blocked_pii: Sequence[str] = DEFAULT_BLOCKED_PII,
        anonymized_pii: Sequence[str] = DEFAULT_ANONYMIZED_PII,
        contextual_grounding: bool = False,
        grounding_threshold: float = DEFAULTS["grounding_threshold"],
        relevance_threshold: float = DEFAULTS["relevance_threshold"],
        automated_reasoning_policies: Sequence[str] = (),
        encryption_key: Optional[EncryptionKey] = None,
        guardrail_profile_id: Optional[str] = None,
        use_classic_tier: bool = False,
        use_aws_owned_key: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if use_aws_owned_key and encryption_key is not None:
            raise ValueError("Guardrail: give either encryption_key or use_aws_owned_key=True, not both")
        for threshold in (grounding_threshold, relevance_threshold):
            if not 0.7 <= threshold < 1:
                raise ValueError("Guardrail: grounding and relevance thresholds must be in [0.7, 1) (AISEC-APP-06)")
        if len(automated_reasoning_policies) > 2:
            raise ValueError("Guardrail: a guardrail takes at most two automated reasoning policies")

        self.encryption_key: Optional[EncryptionKey] = None
        if use_aws_owned_key:
            record_opt_out(self, "use_aws_owned_key", "the guardrail configuration is encrypted with an AWS owned key "
                           "(AISEC-DATA-13 reports it)")
        else:
            self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="Bedrock guardrail")

        strength = DEFAULTS["strength"]
        filters = [bedrock.CfnGuardrail.ContentFilterConfigProperty(
            type=category, input_strength=strength, output_strength=strength,
            input_action="BLOCK", output_action="BLOCK", input_enabled=True, output_enabled=True)
            for category in HARMFUL_CATEGORIES]
        filters.append(bedrock.CfnGuardrail.ContentFilterConfigProperty(
            type="PROMPT_ATTACK", input_strength=strength, output_strength="NONE", input_action="BLOCK",
            input_enabled=True))
        tier = None
        cross_region = None
        if use_classic_tier:
            record_opt_out(self, "use_classic_tier", "the CLASSIC content-filter tier does not detect prompt leakage "
                           "(AISEC-APP-08 reports it)")
        else:
            tier = bedrock.CfnGuardrail.ContentFiltersTierConfigProperty(tier_name=DEFAULTS["tier"])
            cross_region = bedrock.CfnGuardrail.GuardrailCrossRegionConfigProperty(
                guardrail_profile_arn=self._profile_arn(guardrail_profile_id))

        blocked = list(dict.fromkeys([*REQUIRED_BLOCKED_PII, *blocked_pii]))
        anonymized = [t for t in dict.fromkeys(anonymized_pii) if t not in blocked]
        pii = [bedrock.CfnGuardrail.PiiEntityConfigProperty(
            type=t, action="BLOCK", input_action="BLOCK", output_action="BLOCK", input_enabled=True,
            output_enabled=True) for t in blocked]
        pii += [bedrock.CfnGuardrail.PiiEntityConfigProperty(
            type=t, action="ANONYMIZE", input_action="ANONYMIZE", output_action="ANONYMIZE", input_enabled=True,
            output_enabled=True) for t in anonymized]
        regex_configs = [bedrock.CfnGuardrail.RegexConfigProperty(
            name=r.name, pattern=r.pattern, action=r.action, description=r.description) for r in regexes] or None

        self.denied_topics = tuple(denied_topics)
        topics = None
        if denied_topics:
            topics = bedrock.CfnGuardrail.TopicPolicyConfigProperty(topics_config=[
                bedrock.CfnGuardrail.TopicConfigProperty(
                    name=t.name, definition=t.definition, type="DENY", examples=list(t.examples) or None,
                    input_action="BLOCK", output_action="BLOCK", input_enabled=True, output_enabled=True)
                for t in denied_topics])
        words = None
        if word_filters or managed_profanity_filter:
            words = bedrock.CfnGuardrail.WordPolicyConfigProperty(
                words_config=[bedrock.CfnGuardrail.WordConfigProperty(text=w) for w in word_filters] or None,
                managed_word_lists_config=[bedrock.CfnGuardrail.ManagedWordsConfigProperty(type="PROFANITY")]
                if managed_profanity_filter else None)
        grounding = None
        if contextual_grounding:
            grounding = bedrock.CfnGuardrail.ContextualGroundingPolicyConfigProperty(filters_config=[
                bedrock.CfnGuardrail.ContextualGroundingFilterConfigProperty(
                    type="GROUNDING", threshold=grounding_threshold, action="BLOCK", enabled=True),
                bedrock.CfnGuardrail.ContextualGroundingFilterConfigProperty(
                    type="RELEVANCE", threshold=relevance_threshold, action="BLOCK", enabled=True)])
        reasoning = bedrock.CfnGuardrail.AutomatedReasoningPolicyConfigProperty(
            policies=list(automated_reasoning_policies)) if automated_reasoning_policies else None

        self.guardrail = bedrock.CfnGuardrail(
            self, "Guardrail",
            name=name or cdk.Names.unique_resource_name(self, max_length=50, separator="-"),
            description=description,
            blocked_input_messaging=blocked_input_messaging,
            blocked_outputs_messaging=blocked_outputs_messaging,
            content_policy_config=bedrock.CfnGuardrail.ContentPolicyConfigProperty(
                filters_config=filters, content_filters_tier_config=tier),
            cross_region_config=cross_region,
            sensitive_information_policy_config=bedrock.CfnGuardrail.SensitiveInformationPolicyConfigProperty(
                pii_entities_config=pii, regexes_config=regex_configs),
            topic_policy_config=topics,
            word_policy_config=words,
            contextual_grounding_policy_config=grounding,
            automated_reasoning_policy_config=reasoning,
            kms_key_arn=self.encryption_key.key_arn if self.encryption_key else None,
        )
        fingerprint = hashlib.sha256(json.dumps({
            "messages": [blocked_input_messaging, blocked_outputs_messaging],
            "topics": [[t.name, t.definition, list(t.examples)] for t in denied_topics],
            "words": list(word_filters), "profanity": managed_profanity_filter,
            "regexes": [[r.name, r.pattern, r.action] for r in regexes], "blocked": blocked, "anonymized": anonymized,
            "grounding": [contextual_grounding, grounding_threshold, relevance_threshold],
            "reasoning": [str(p) for p in automated_reasoning_policies], "tier": not use_classic_tier,
            "profile": guardrail_profile_id, "description": description,
        }, sort_keys=True).encode()).hexdigest()[:16]
        self.version = bedrock.CfnGuardrailVersion(
            self, "Version", guardrail_identifier=self.guardrail.attr_guardrail_id,
            description=f"aisec configuration {fingerprint}")

    def _profile_arn(self, profile_id: Optional[str]) -> str:
        stack = cdk.Stack.of(self)
        if profile_id is None:
            if not cdk.Token.is_unresolved(stack.region):
                if stack.region not in GUARDRAIL_PROFILES:
                    raise ValueError(f"Guardrail: no known guardrail profile for Region {stack.region}; give "
                                     "guardrail_profile_id")
                profile_id = GUARDRAIL_PROFILES[stack.region]
            else:
                mapping = cdk.CfnMapping(self, "Profiles", mapping={
                    region: {"profile": profile} for region, profile in GUARDRAIL_PROFILES.items()})
                profile_id = mapping.find_in_map(stack.region, "profile")
        return stack.format_arn(service="bedrock", resource="guardrail-profile", resource_name=profile_id,
                                arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME)

    # -- references ----------------------------------------------------------------------------

    @property
    def guardrail_id(self) -> str:
        return self.guardrail.attr_guardrail_id

    @property
    def guardrail_arn(self) -> str:
        return self.guardrail.attr_guardrail_arn

    @property
    def guardrail_version(self) -> str:
        """The published, numbered version (never ``DRAFT``)."""
        return self.version.attr_version

    def agent_configuration(self) -> bedrock.CfnAgent.GuardrailConfigurationProperty:
        """``GuardrailConfiguration`` for an ``AWS::Bedrock::Agent``, on the published version."""
        return bedrock.CfnAgent.GuardrailConfigurationProperty(
            guardrail_identifier=self.guardrail_id, guardrail_version=self.guardrail_version)

    # -- grants --------------------------------------------------------------------------------

    def grant_apply(self, grantee: iam.IGrantable) -> iam.Grant:
        """``bedrock:ApplyGuardrail`` on this guardrail, plus ``kms:Decrypt`` on its key."""
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=["bedrock:ApplyGuardrail"],
                                           resource_arns=[self.guardrail_arn])
        if self.encryption_key is not None:
            self.encryption_key.grant_decrypt(grantee)
        return grant

    def apply_to(self, grantee: iam.IGrantable) -> iam.Grant:
        """Alias of :meth:`grant_apply`."""
        return self.grant_apply(grantee)


class EnforcedGuardrail(Construct):
    """The account-level enforced guardrail (``AWS::Bedrock::EnforcedGuardrailConfiguration``): every model
    call in the account and Region is guarded by a published version of ``guardrail``, on all models and on
    every user message (``SelectiveContentGuarding.Messages: COMPREHENSIVE``; system prompts too unless
    ``guard_system_prompts=False``). The configuration is an account and Region singleton.

    Key access: a guardrail encrypted with a customer managed key can only be applied by principals that
    may ``kms:Decrypt`` with that key (Bedrock user guide, guardrails-permissions-kms). Once the guardrail is
    enforced for the account, that is every principal that calls a model: grant them with
    :meth:`Guardrail.grant_apply`, or build the enforced guardrail with a key whose policy allows the
    account's inference roles.

    :param guardrail: an aisec :class:`Guardrail` (its published version is used).
    :param excluded_models: opt-out: model ids left unguarded (recorded; AISEC-APP-09 reports it).
    :param selective_messages: opt-out: guard only the message content callers tag.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        guardrail: Guardrail,
        excluded_models: Sequence[str] = (),
        guard_system_prompts: bool = True,
        selective_messages: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if excluded_models:
            record_opt_out(self, "excluded_models", f"{len(excluded_models)} model(s) are not covered by the "
                           "enforced guardrail (AISEC-APP-09 reports it)")
        if selective_messages:
            record_opt_out(self, "selective_messages", "only the message content callers tag is guarded "
                           "(AISEC-APP-09 reports it)")
        if guardrail.guardrail.automated_reasoning_policy_config is not None:
            raise ValueError("EnforcedGuardrail: automated reasoning policies are not allowed in an enforced guardrail")
        self.guardrail = guardrail
        self.configuration = bedrock.CfnEnforcedGuardrailConfiguration(
            self, "Configuration",
            guardrail_identifier=guardrail.guardrail_id,
            guardrail_version=guardrail.guardrail_version,
            model_enforcement=bedrock.CfnEnforcedGuardrailConfiguration.ModelEnforcementProperty(
                included_models=["ALL"], excluded_models=list(excluded_models)),
            selective_content_guarding=bedrock.CfnEnforcedGuardrailConfiguration.SelectiveContentGuardingProperty(
                messages="SELECTIVE" if selective_messages else "COMPREHENSIVE",
                system="COMPREHENSIVE" if guard_system_prompts else "SELECTIVE"),
        )
