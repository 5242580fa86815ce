#!/usr/bin/env python3
"""Reference deployment: a chat assistant (an AI system that answers) that passes the aisec pack.

Run it through the real CDK command line (``make synth``, which runs ``cdk synth`` with this file
as the app and ``-c aisec:phase=...``). The pack enforces the phase given by the context key
``aisec:phase``; any unacknowledged finding fails the synth.

The chat function calls the Converse API with a pinned guardrail version; its role may invoke
one foundation model and apply that guardrail, nothing else. The stack also turns on model
invocation logging (to a KMS-encrypted log group) and a multi-region CloudTrail trail with log
file validation.
"""
import aws_cdk as cdk
from aws_cdk import Stack, Validations
from aws_cdk import aws_bedrock as bedrock
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from aisec_constructs.data.invocation_logging import ModelInvocationLogging
from aisec_rules import AiSecurityChecks, Phase

MODEL_ID = "anthropic.claude-3-5-haiku-20241022-v1:0"

CHAT_HANDLER = '''
import os
import boto3

runtime = boto3.client("bedrock-runtime")


def handler(event, context):
    response = runtime.converse(
        modelId=os.environ["MODEL_ID"],
        messages=[{"role": "user", "content": [{"text": str(event.get("prompt", ""))}]}],
        guardrailConfig={"guardrailIdentifier": os.environ["GUARDRAIL_ID"],
                         "guardrailVersion": os.environ["GUARDRAIL_VERSION"]},
    )
    return {"answer": response["output"]["message"]["content"][0]["text"]}
'''

HARMFUL_CATEGORIES = ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT")
CREDENTIALS = ("AWS_ACCESS_KEY", "AWS_SECRET_KEY", "PASSWORD")
PERSONAL_DATA = ("EMAIL", "PHONE", "NAME", "ADDRESS", "US_SOCIAL_SECURITY_NUMBER", "CREDIT_DEBIT_CARD_NUMBER")


def guardrail(scope: Construct) -> bedrock.CfnGuardrail:
    Filter = bedrock.CfnGuardrail.ContentFilterConfigProperty
    filters = [Filter(type=t, input_strength="HIGH", output_strength="HIGH") for t in HARMFUL_CATEGORIES]
    filters.append(Filter(type="PROMPT_ATTACK", input_strength="HIGH", output_strength="NONE"))
    Pii = bedrock.CfnGuardrail.PiiEntityConfigProperty
    pii = [Pii(type=t, action="BLOCK") for t in CREDENTIALS] + [Pii(type=t, action="ANONYMIZE") for t in PERSONAL_DATA]
    return bedrock.CfnGuardrail(
        scope, "Guardrail",
        name=f"{Stack.of(scope).stack_name}-guardrail",
        blocked_input_messaging="Sorry, I can't help with that request.",
        blocked_outputs_messaging="Sorry, I can't provide that answer.",
        content_policy_config=bedrock.CfnGuardrail.ContentPolicyConfigProperty(filters_config=filters),
        sensitive_information_policy_config=bedrock.CfnGuardrail.SensitiveInformationPolicyConfigProperty(
            pii_entities_config=pii),
    )


class ChatAssistantStack(Stack):
    """A function that answers prompts with one model, through a pinned guardrail version."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.guardrail = guardrail(self)
        version = bedrock.CfnGuardrailVersion(self, "GuardrailVersion", guardrail_identifier=self.guardrail.attr_guardrail_id)

        log_group = logs.LogGroup(self, "ChatLogs", retention=logs.RetentionDays.ONE_YEAR)
        self.function = lambda_.Function(
            self, "Chat",
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler="index.handler",
            code=lambda_.Code.from_inline(CHAT_HANDLER),
            timeout=cdk.Duration.seconds(60),
            log_group=log_group,
            environment={"MODEL_ID": MODEL_ID, "GUARDRAIL_ID": self.guardrail.attr_guardrail_id,
                         "GUARDRAIL_VERSION": version.attr_version},
        )
        self.function.add_to_role_policy(iam.PolicyStatement(
            actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            resources=[f"arn:{self.partition}:bedrock:{self.region}::foundation-model/{MODEL_ID}"],
        ))
        self.function.add_to_role_policy(iam.PolicyStatement(
            actions=["bedrock:ApplyGuardrail"], resources=[self.guardrail.attr_guardrail_arn]))

        ModelInvocationLogging(self, "InvocationLogging")
        trail_bucket = s3.Bucket(self, "TrailBucket", block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                                 enforce_ssl=True, encryption=s3.BucketEncryption.S3_MANAGED, versioned=True)
        cloudtrail.Trail(self, "Trail", bucket=trail_bucket, is_multi_region_trail=True, enable_file_validation=True)


def build(app: cdk.App) -> list:
    """Add the reference stacks and the pack to ``app``; return the stacks."""
    stacks = [ChatAssistantStack(app, "ChatAssistant")]
    Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.FOUNDATIONAL))
    return stacks


if __name__ == "__main__":
    application = cdk.App()
    build(application)
    application.synth()
