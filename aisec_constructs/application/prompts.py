"""ManagedPrompt: a system prompt under change control — a Bedrock prompt encrypted with a customer managed
key and published as a numbered version that consumers reference.

Claim: a :class:`ManagedPrompt` satisfies AISEC-APP-26 (versioned prompts) and DATA-13 (prompt CMK).

Defaults: one ``TEXT`` variant (``{{variable}}`` placeholders are declared from ``input_variables``), a new
:class:`~aisec_constructs.data.EncryptionKey` unless one is given, and an ``AWS::Bedrock::PromptVersion``
whose description carries a fingerprint of the prompt, so that a change to the text publishes a new
version (the version's ``Description`` replaces the resource). Consumers use :attr:`ManagedPrompt.version_arn`
(a prompt ARN ending in ``:<version>``), never the draft ARN. ``use_aws_owned_key=True`` is the recorded
opt-out for the key.
"""
from __future__ import annotations

import hashlib
import json
from typing import Optional, Sequence

from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..annotations import record_opt_out
from ..data import EncryptionKey
from ._common import resource_name


class ManagedPrompt(Construct):
    """A versioned, CMK-encrypted Bedrock prompt.

    :param text: the prompt template.
    :param model_id: the model the variant is tuned for.
    :param input_variables: names of ``{{placeholders}}`` in ``text``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        text: str,
        model_id: str,
        input_variables: Sequence[str] = (),
        prompt_name: Optional[str] = None,
        description: Optional[str] = None,
        variant_name: str = "default",
        max_tokens: Optional[int] = None,
        temperature: Optional[float] = None,
        encryption_key: Optional[EncryptionKey] = None,
        use_aws_owned_key: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        missing = [v for v in input_variables if "{{" + v + "}}" not in text]
        if missing:
            raise ValueError(f"ManagedPrompt: input variables not used in the text: {', '.join(missing)}")
        self.encryption_key: Optional[EncryptionKey] = None
        if use_aws_owned_key:
            if encryption_key is not None:
                raise ValueError("ManagedPrompt: give either encryption_key or use_aws_owned_key=True, not both")
            record_opt_out(self, "use_aws_owned_key", "the prompt is encrypted with an AWS owned key "
                           "(AISEC-DATA-13 reports it)")
        else:
            self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="Bedrock prompt")
        inference = None
        if max_tokens is not None or temperature is not None:
            inference = bedrock.CfnPrompt.PromptInferenceConfigurationProperty(
                text=bedrock.CfnPrompt.PromptModelInferenceConfigurationProperty(
                    max_tokens=max_tokens, temperature=temperature))
        self.prompt = bedrock.CfnPrompt(
            self, "Prompt", name=prompt_name or resource_name(self, max_length=100), description=description,
            customer_encryption_key_arn=self.encryption_key.key_arn if self.encryption_key else None,
            default_variant=variant_name,
            variants=[bedrock.CfnPrompt.PromptVariantProperty(
                name=variant_name, template_type="TEXT", model_id=model_id, inference_configuration=inference,
                template_configuration=bedrock.CfnPrompt.PromptTemplateConfigurationProperty(
                    text=bedrock.CfnPrompt.TextPromptTemplateConfigurationProperty(
                        text=text, input_variables=[bedrock.CfnPrompt.PromptInputVariableProperty(name=v)
                                                    for v in input_variables] or None)))])
        fingerprint = hashlib.sha256(json.dumps(
            [text, model_id, list(input_variables), variant_name, max_tokens, temperature, description],
            default=str).encode()).hexdigest()[:16]
        self.version = bedrock.CfnPromptVersion(self, "Version", prompt_arn=self.prompt.attr_arn,
                                                description=f"aisec prompt {fingerprint}")

    @property
    def version_arn(self) -> str:
        """The ARN of the published version (``...:prompt/<id>:<n>``)."""
        return self.version.attr_arn

    def grant_get(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read the published version (``bedrock:GetPrompt``) and decrypt it with the prompt's key."""
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=["bedrock:GetPrompt"],
                                           resource_arns=[self.version_arn])
        if self.encryption_key is not None:
            self.encryption_key.grant_decrypt(grantee)
        return grant
