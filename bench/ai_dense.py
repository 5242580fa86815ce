"""The AI-dense app of issue 25: the shape the pack exists for, built only from L1 classes.

Every stack holds groups of five resources, numbered across the whole app (group ``i``):

* a KMS key, with rotation on every second one (``i % 2 == 0``);
* an S3 bucket, encrypted with the group's key on two of every three (``i % 3 != 2``; S3-managed keys otherwise);
* a Bedrock service role, granting ``bedrock:*`` on every fourth (``i % 4 == 0``) and ``bedrock:InvokeModel`` on one
  model otherwise;
* a guardrail, with all six content filters on every second one (``i % 2 == 0``) and ``HATE`` only otherwise;
* an agent, with the group's guardrail on every second one (``i % 2 == 0``) and the group's key as its customer
  managed key on two of every three (``i % 3 != 2``).

``PER_STACK`` (250) resources per stack, every stack in one environment (account ``ACCOUNT``, Region ``REGION``), so
the pack judges the whole app as one system. No assets, lookups or network: synth runs offline.

``bench/run.py`` synthesizes it as its ``ai-dense`` shape, and ``tests/cdk/test_pack_ai_dense.py`` imports it as
``bench.ai_dense`` (the repository root is on the test path; ``bench`` is a namespace package, no ``__init__``).
Runs in the synth process only: importing this module does not import ``aws_cdk``.
"""
from __future__ import annotations

from typing import List

#: resources per stack, and per group
PER_STACK = 250
GROUP = 5
ACCOUNT = "111122223333"
REGION = "us-east-1"
MODEL = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
FILTERS = ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT", "PROMPT_ATTACK")


def stack_sizes(resources: int, per_stack: int = PER_STACK) -> List[int]:
    """Resources per stack: full stacks of ``per_stack``, the rest in a last one; whole groups only."""
    if resources < GROUP or resources % GROUP or per_stack % GROUP:
        raise ValueError(f"the AI-dense app is made of groups of {GROUP}: {resources} resources, {per_stack} per stack")
    return [min(per_stack, resources - start) for start in range(0, resources, per_stack)]


def build(app, resources: int, per_stack: int = PER_STACK) -> list:
    """Add the stacks of an AI-dense app of ``resources`` resources to ``app``; returns the stacks."""
    import aws_cdk as cdk

    environment = cdk.Environment(account=ACCOUNT, region=REGION)
    stacks, group = [], 0
    for number, size in enumerate(stack_sizes(resources, per_stack)):
        stack = cdk.Stack(app, f"AiDense{number:02d}", env=environment)
        for _ in range(size // GROUP):
            add_group(stack, group)
            group += 1
        stacks.append(stack)
    return stacks


def add_group(scope, i: int) -> None:
    """Group ``i``: key, bucket, service role, guardrail, agent."""
    from aws_cdk import aws_bedrock as bedrock, aws_iam as iam, aws_kms as kms, aws_s3 as s3

    key = kms.CfnKey(scope, f"Key{i}", description=f"group {i} data key", enable_key_rotation=i % 2 == 0,
                     key_policy=_document({"Sid": "Account", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
                                           "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}))
    by_default = (s3.CfnBucket.ServerSideEncryptionByDefaultProperty(sse_algorithm="aws:kms", kms_master_key_id=key.attr_arn)
                  if i % 3 != 2 else s3.CfnBucket.ServerSideEncryptionByDefaultProperty(sse_algorithm="AES256"))
    s3.CfnBucket(scope, f"Bucket{i}", bucket_encryption=s3.CfnBucket.BucketEncryptionProperty(
        server_side_encryption_configuration=[s3.CfnBucket.ServerSideEncryptionRuleProperty(
            server_side_encryption_by_default=by_default)]))
    role = iam.CfnRole(scope, f"ServiceRole{i}", assume_role_policy_document=_document(
        {"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}),
        policies=[iam.CfnRole.PolicyProperty(policy_name="model", policy_document=_document(
            {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"} if i % 4 == 0 else
            {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": MODEL}))])
    g = bedrock.CfnGuardrail
    kinds = FILTERS if i % 2 == 0 else FILTERS[:1]
    guardrail = g(scope, f"Guardrail{i}", name=f"guardrail-{i}", blocked_input_messaging="Sorry, I cannot help with that.",
                  blocked_outputs_messaging="Sorry, I cannot answer that.",
                  content_policy_config=g.ContentPolicyConfigProperty(filters_config=[
                      g.ContentFilterConfigProperty(type=kind, input_strength="HIGH",
                                                    output_strength="NONE" if kind == "PROMPT_ATTACK" else "HIGH")
                      for kind in kinds]))
    a = bedrock.CfnAgent
    a(scope, f"Agent{i}", agent_name=f"agent-{i}", agent_resource_role_arn=role.attr_arn, foundation_model=MODEL,
      instruction="You are a support agent. Answer questions about orders politely and briefly.",
      customer_encryption_key_arn=key.attr_arn if i % 3 != 2 else None,
      guardrail_configuration=a.GuardrailConfigurationProperty(
          guardrail_identifier=guardrail.attr_guardrail_id, guardrail_version=guardrail.attr_version) if i % 2 == 0
      else None)


def _document(statement: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": [statement]}
