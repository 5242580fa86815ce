#!/usr/bin/env python3
"""Measure what the aisec cdk-nag pack adds to `cdk synth`, next to plain synth and cdk-nag's
AwsSolutionsChecks, and what `aisec check` costs next to `checkov -f`.

What the table backs (see bench/README.md for a measured run):

* every synth runs in a fresh Python process, the way `cdk synth` runs a Python app: jsii and
  its Node.js kernel start in every run. "synth" is the time of app construction plus
  `app.synth()` measured inside that process; "wall" is the whole process, start-up included;
* the variants synthesize the same deterministic app of N L1 resources: `plain`, `aisec`
  (`Validations.of(app).add_plugins(AiSecurityChecks(app, phase=Phase.ADVANCED))`),
  `awssolutions` (`Validations.of(app).add_plugins(AwsSolutionsChecks(app))`) and, for
  reference, `plain-novalidate` (plain with aws-cdk-lib's built-in CloudFormation validation off);
  the context flag `@aws-cdk/core:failSynthOnValidationErrors=false` (cx-api
  FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT) is set in all, so a synth with findings completes and
  is timed in full; each process imports only what its variant needs;
* the time inside each pack's `validate()` is recorded too: it is the pack's own cost measured
  directly, where a difference of two synth times carries the noise of both;
* runs are interleaved (plain, aisec, awssolutions, plain-novalidate, plain, ...), each figure is
  the median of --repeat runs, overhead = median(with pack) - median(plain); before each run the
  driver waits (--quiet-wait) for other processes on the machine to go idle;
* `aisec check` and `checkov -f` scan the same synthesized templates of the largest N, each
  started as its own process; `aisec check` is also verified not to import aws_cdk or jsii.

Usage::

    .venv/bin/python bench/run.py                 # sizes 250,1000,4000, 3 repeats
    .venv/bin/python bench/run.py --quick         # smoke run: sizes 50,200, 1 repeat
    .venv/bin/python bench/run.py --sizes 1000 --repeat 5 --quiet-wait 90
    .venv/bin/python bench/run.py --render bench/out/runs.json    # report of a saved run, no measuring
    .venv/bin/python bench/run.py check-series --against main      # the `aisec check` series (bench/check_series.py)

Output: a markdown report on stdout and in bench/out/results.md, every run's raw figures in
bench/out/runs.json; the last synthesized app of each variant and size stays in
bench/out/cdk.out/<variant>-<N>/.
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
VARIANTS = ("plain", "aisec", "awssolutions", "plain-novalidate")
#: --per-finding adds this variant: the aisec pack with the report shape it had before
#: aisec_rules.cdk.report (one typed cdk.PolicyViolation per finding), so that the two shapes are
#: measured side by side, interleaved, in one run.
PER_FINDING = "aisec-per-finding"
AISEC_VARIANTS = ("aisec", PER_FINDING)
#: plain-novalidate is plain synth without aws-cdk-lib's built-in "CloudFormation Validate" plugin
#: (on by default since 2.262; CDK_VALIDATION=false turns it off): a reference for how much of
#: plain synth that plugin is, and the baseline of users who turn it off or run an older CDK.
VARIANT_ENV = {"plain-novalidate": {"CDK_VALIDATION": "false"}}
MAX_PER_STACK = 450  # CloudFormation allows 500 resources per stack; stay well below it
BUSY_LIMIT = 0.3  # cores kept busy by other processes above which the machine counts as busy
FAIL_SYNTH_FLAG = "@aws-cdk/core:failSynthOnValidationErrors"
RESULT_MARK = "BENCH-RESULT "
ACCOUNT = "111122223333"
REGION = "us-east-1"
MODEL = f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
EMBEDDING_MODEL = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-embed-text-v2:0"

# --------------------------------------------------------------------------------------------
# The synthetic app (runs in the child process only: the parent never imports aws_cdk)
# --------------------------------------------------------------------------------------------


def stack_sizes(total: int, cap: int = MAX_PER_STACK) -> List[int]:
    """Split `total` resources evenly over the fewest stacks of at most `cap` resources."""
    count = max(1, math.ceil(total / cap))
    return [total // count + (1 if i < total % count else 0) for i in range(count)]


def _doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _trust(service: str, guarded: bool = True) -> dict:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if guarded:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    return _doc(statement)


def _deny_insecure(bucket_arn) -> dict:
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def _base_factories():
    """Shared network and audit resources at the top of every stack (10 resources).

    Each factory is `(name, fn(scope, i, env) -> CfnResource)`; a factory only reads resources
    created before it (`env`), so any prefix of the list is a valid app."""
    from aws_cdk import Fn, aws_cloudtrail as trail, aws_ec2 as ec2, aws_s3 as s3

    def vpc(scope, i, env):
        return ec2.CfnVPC(scope, "Vpc", cidr_block="10.0.0.0/16", enable_dns_hostnames=True, enable_dns_support=True)

    def subnet(zone, cidr):
        def make(scope, i, env):
            return ec2.CfnSubnet(scope, f"Subnet{'AB'[zone]}", vpc_id=env["vpc"].ref, cidr_block=cidr,
                                 availability_zone=Fn.select(zone, Fn.get_azs()), map_public_ip_on_launch=False)
        return make

    def security_group(scope, i, env):
        return ec2.CfnSecurityGroup(scope, "AiSg", group_description="AI workloads: HTTPS to endpoints only",
                                    vpc_id=env["vpc"].ref, security_group_egress=[ec2.CfnSecurityGroup.EgressProperty(
                                        ip_protocol="tcp", from_port=443, to_port=443, cidr_ip="10.0.0.0/16")])

    def route_table(scope, i, env):
        return ec2.CfnRouteTable(scope, "PrivateRoutes", vpc_id=env["vpc"].ref)

    def s3_endpoint(scope, i, env):
        return ec2.CfnVPCEndpoint(scope, "S3Endpoint", vpc_id=env["vpc"].ref, vpc_endpoint_type="Gateway",
                                  service_name=f"com.amazonaws.{REGION}.s3", route_table_ids=[env["route_table"].ref])

    def bedrock_endpoint(scope, i, env):
        return ec2.CfnVPCEndpoint(
            scope, "BedrockRuntimeEndpoint", vpc_id=env["vpc"].ref, vpc_endpoint_type="Interface",
            service_name=f"com.amazonaws.{REGION}.bedrock-runtime", private_dns_enabled=True,
            subnet_ids=[env["subnet_a"].ref, env["subnet_b"].ref], security_group_ids=[env["sg"].attr_group_id],
            policy_document=_doc({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "bedrock:InvokeModel",
                                  "Resource": MODEL}))

    def trail_bucket(scope, i, env):
        return s3.CfnBucket(scope, "TrailBucket", bucket_encryption=_bucket_encryption(None),
                            public_access_block_configuration=_block_public(True))

    def trail_bucket_policy(scope, i, env):
        bucket = env["trail_bucket"]
        return s3.CfnBucketPolicy(scope, "TrailBucketPolicy", bucket=bucket.ref, policy_document=_doc(
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": f"{bucket.attr_arn}/AWSLogs/{ACCOUNT}/*"}, _deny_insecure(bucket.attr_arn)))

    def cloud_trail(scope, i, env):
        cfn = trail.CfnTrail
        selector = cfn.AdvancedEventSelectorProperty(name="Bedrock agent data events", field_selectors=[
            cfn.AdvancedFieldSelectorProperty(field="eventCategory", equal_to=["Data"]),
            cfn.AdvancedFieldSelectorProperty(field="resources.type", equal_to=["AWS::Bedrock::AgentAlias"])])
        made = cfn(scope, "Trail", is_logging=True, s3_bucket_name=env["trail_bucket"].ref, is_multi_region_trail=True,
                   enable_log_file_validation=True, include_global_service_events=True,
                   advanced_event_selectors=[selector])
        made.add_resource_dependency(env["trail_bucket_policy"])
        return made

    return [("vpc", vpc), ("subnet_a", subnet(0, "10.0.0.0/20")), ("subnet_b", subnet(1, "10.0.16.0/20")),
            ("sg", security_group), ("route_table", route_table), ("s3_endpoint", s3_endpoint),
            ("bedrock_endpoint", bedrock_endpoint), ("trail_bucket", trail_bucket),
            ("trail_bucket_policy", trail_bucket_policy), ("trail", cloud_trail)]


def _bucket_encryption(key):
    from aws_cdk import aws_s3 as s3

    by_default = (s3.CfnBucket.ServerSideEncryptionByDefaultProperty(sse_algorithm="aws:kms", kms_master_key_id=key.attr_arn)
                  if key is not None else s3.CfnBucket.ServerSideEncryptionByDefaultProperty(sse_algorithm="AES256"))
    return s3.CfnBucket.BucketEncryptionProperty(server_side_encryption_configuration=[
        s3.CfnBucket.ServerSideEncryptionRuleProperty(server_side_encryption_by_default=by_default, bucket_key_enabled=True)])


def _block_public(flag: bool):
    from aws_cdk import aws_s3 as s3

    return s3.CfnBucket.PublicAccessBlockConfigurationProperty(
        block_public_acls=flag, block_public_policy=flag, ignore_public_acls=flag, restrict_public_buckets=flag)


def _workload_factories():
    """One RAG + agent workload (25 resources): key, log group, KB source bucket and policy,
    OpenSearch Serverless vector collection and its policies, knowledge base, data source,
    guardrail and version, tool Lambda (inline code) and its role, Bedrock agent and alias,
    AgentCore runtime, gateway, gateway target, code interpreter and memory, SageMaker notebook.

    Workload `i` is deterministic; some are deliberately non-compliant (every 3rd agent role grants
    `bedrock:*`, every 3rd code interpreter is PUBLIC, ...) so both packs report findings."""
    from aws_cdk import (aws_bedrock as bedrock, aws_bedrockagentcore as agentcore, aws_iam as iam, aws_kms as kms,
                         aws_lambda as lambda_, aws_logs as logs, aws_opensearchserverless as aoss, aws_s3 as s3,
                         aws_sagemaker as sagemaker)

    def key(scope, i, env):
        return kms.CfnKey(scope, f"Key{i}", description=f"workload {i} data key", enable_key_rotation=i % 4 != 3,
                          key_policy=_doc({"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                           "Action": "kms:*", "Resource": "*"}))

    def log_group(scope, i, env):
        return logs.CfnLogGroup(scope, f"Logs{i}", log_group_name=f"/aisec/bench/workload-{i}", retention_in_days=90,
                                kms_key_id=env["key"].attr_arn)

    def bucket(scope, i, env):
        return s3.CfnBucket(scope, f"Corpus{i}", bucket_encryption=_bucket_encryption(env["key"]),
                            public_access_block_configuration=_block_public(i % 5 != 4),
                            versioning_configuration=s3.CfnBucket.VersioningConfigurationProperty(status="Enabled"))

    def bucket_policy(scope, i, env):
        return s3.CfnBucketPolicy(scope, f"CorpusPolicy{i}", bucket=env["bucket"].ref,
                                  policy_document=_doc(_deny_insecure(env["bucket"].attr_arn)))

    def kb_role(scope, i, env):
        return iam.CfnRole(scope, f"KbRole{i}", assume_role_policy_document=_trust("bedrock.amazonaws.com"), policies=[
            iam.CfnRole.PolicyProperty(policy_name="kb", policy_document=_doc(
                {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": EMBEDDING_MODEL},
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": [env["bucket"].attr_arn, f"{env['bucket'].attr_arn}/*"]},
                {"Effect": "Allow", "Action": "aoss:APIAccessAll", "Resource": "*"}))])

    def encryption_policy(scope, i, env):
        return aoss.CfnSecurityPolicy(scope, f"VectorEncryption{i}", name=f"kb-{i}-enc", type="encryption", policy=json.dumps(
            {"Rules": [{"ResourceType": "collection", "Resource": [f"collection/kb-{i}"]}], "AWSOwnedKey": i % 2 == 0,
             **({} if i % 2 == 0 else {"KmsARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{i:08d}-0000-0000-0000-000000000000"})}))

    def network_policy(scope, i, env):
        return aoss.CfnSecurityPolicy(scope, f"VectorNetwork{i}", name=f"kb-{i}-net", type="network", policy=json.dumps(
            [{"Rules": [{"ResourceType": "collection", "Resource": [f"collection/kb-{i}"]}], "AllowFromPublic": False,
              "SourceServices": ["bedrock.amazonaws.com"]}]))

    def collection(scope, i, env):
        made = aoss.CfnCollection(scope, f"Vectors{i}", name=f"kb-{i}", type="VECTORSEARCH", standby_replicas="DISABLED")
        made.add_resource_dependency(env["encryption_policy"])
        return made

    def access_policy(scope, i, env):
        return aoss.CfnAccessPolicy(scope, f"VectorAccess{i}", name=f"kb-{i}-data", type="data", policy=json.dumps(
            [{"Rules": [{"ResourceType": "index", "Resource": [f"index/kb-{i}/*"],
                         "Permission": ["aoss:ReadDocument", "aoss:WriteDocument", "aoss:CreateIndex", "aoss:DescribeIndex"]}],
              "Principal": [f"arn:aws:iam::{ACCOUNT}:role/kb-role-{i}"]}]))

    def knowledge_base(scope, i, env):
        kb = bedrock.CfnKnowledgeBase
        return kb(scope, f"Kb{i}", name=f"kb-{i}", role_arn=env["kb_role"].attr_arn,
                  knowledge_base_configuration=kb.KnowledgeBaseConfigurationProperty(
                      type="VECTOR", vector_knowledge_base_configuration=kb.VectorKnowledgeBaseConfigurationProperty(
                          embedding_model_arn=EMBEDDING_MODEL)),
                  storage_configuration=kb.StorageConfigurationProperty(
                      type="OPENSEARCH_SERVERLESS", opensearch_serverless_configuration=kb.OpenSearchServerlessConfigurationProperty(
                          collection_arn=env["collection"].attr_arn, vector_index_name="bedrock-kb-index",
                          field_mapping=kb.OpenSearchServerlessFieldMappingProperty(
                              metadata_field="AMAZON_BEDROCK_METADATA", text_field="AMAZON_BEDROCK_TEXT_CHUNK",
                              vector_field="bedrock-kb-vector"))))

    def data_source(scope, i, env):
        ds = bedrock.CfnDataSource
        return ds(scope, f"Source{i}", name=f"corpus-{i}", knowledge_base_id=env["knowledge_base"].attr_knowledge_base_id,
                  data_source_configuration=ds.DataSourceConfigurationProperty(
                      type="S3", s3_configuration=ds.S3DataSourceConfigurationProperty(bucket_arn=env["bucket"].attr_arn)),
                  server_side_encryption_configuration=(ds.ServerSideEncryptionConfigurationProperty(
                      kms_key_arn=env["key"].attr_arn) if i % 2 == 0 else None))

    def guardrail(scope, i, env):
        g = bedrock.CfnGuardrail
        strength = "HIGH" if i % 3 else "LOW"
        filters = [g.ContentFilterConfigProperty(type=kind, input_strength=strength, output_strength=strength)
                   for kind in ("HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT")]
        filters.append(g.ContentFilterConfigProperty(type="PROMPT_ATTACK", input_strength="HIGH", output_strength="NONE"))
        return g(scope, f"Guardrail{i}", name=f"guardrail-{i}", blocked_input_messaging="Sorry, I cannot help with that.",
                 blocked_outputs_messaging="Sorry, I cannot answer that.", kms_key_arn=env["key"].attr_arn,
                 content_policy_config=g.ContentPolicyConfigProperty(filters_config=filters),
                 sensitive_information_policy_config=g.SensitiveInformationPolicyConfigProperty(pii_entities_config=[
                     g.PiiEntityConfigProperty(type="EMAIL", action="ANONYMIZE"),
                     g.PiiEntityConfigProperty(type="CREDIT_DEBIT_CARD_NUMBER", action="BLOCK")]))

    def guardrail_version(scope, i, env):
        return bedrock.CfnGuardrailVersion(scope, f"GuardrailVersion{i}", guardrail_identifier=env["guardrail"].attr_guardrail_id)

    def tool_role(scope, i, env):
        return iam.CfnRole(scope, f"ToolRole{i}", assume_role_policy_document=_trust("lambda.amazonaws.com", guarded=False),
                           managed_policy_arns=["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"],
                           policies=[iam.CfnRole.PolicyProperty(policy_name="logs", policy_document=_doc(
                               {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": env["log_group"].attr_arn}))])

    def tool(scope, i, env):
        fn = lambda_.CfnFunction
        variables = {"TABLE": f"orders-{i}", "LOG_LEVEL": "INFO"}
        if i % 6 == 5:
            variables["API_KEY"] = "sk-live-0123456789abcdef"
        code = ("import json\n\ndef handler(event, context):\n"
                f"    return {{'messageVersion': '1.0', 'response': {{'tool': 'orders-{i}', 'input': json.dumps(event)[:200]}}}}\n")
        return fn(scope, f"Tool{i}", role=env["tool_role"].attr_arn, runtime="python3.12", handler="index.handler",
                  code=fn.CodeProperty(zip_file=code), timeout=30, memory_size=256,
                  environment=fn.EnvironmentProperty(variables=variables),
                  vpc_config=fn.VpcConfigProperty(subnet_ids=[env["subnet_a"].ref, env["subnet_b"].ref],
                                                  security_group_ids=[env["sg"].attr_group_id]) if i % 4 else None)

    def agent_role(scope, i, env):
        actions = "bedrock:*" if i % 3 == 0 else ["bedrock:InvokeModel", "bedrock:Retrieve"]
        return iam.CfnRole(scope, f"AgentRole{i}", assume_role_policy_document=_trust("bedrock.amazonaws.com", i % 2 == 0),
                           policies=[iam.CfnRole.PolicyProperty(policy_name="agent", policy_document=_doc(
                               {"Effect": "Allow", "Action": actions, "Resource": [MODEL, env["knowledge_base"].attr_knowledge_base_arn]},
                               {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": env["tool"].attr_arn}))])

    def agent(scope, i, env):
        a = bedrock.CfnAgent
        functions = [a.FunctionProperty(name=name, description=f"{name} for workload {i}",
                                        require_confirmation="ENABLED" if name.startswith(("cancel", "refund")) else "DISABLED",
                                        parameters={"order_id": a.ParameterDetailProperty(type="string", required=True)})
                     for name in ("get_order", "cancel_order", "refund_order")]
        return a(scope, f"Agent{i}", agent_name=f"support-agent-{i}", agent_resource_role_arn=env["agent_role"].attr_arn,
                 foundation_model=MODEL, instruction="You are a customer support agent. Answer using the order tools only.",
                 idle_session_ttl_in_seconds=600, auto_prepare=True,
                 customer_encryption_key_arn=env["key"].attr_arn if i % 2 else None,
                 guardrail_configuration=a.GuardrailConfigurationProperty(
                     guardrail_identifier=env["guardrail"].attr_guardrail_id,
                     guardrail_version=env["guardrail_version"].attr_version if i % 5 else "DRAFT"),
                 knowledge_bases=[a.AgentKnowledgeBaseProperty(description="order policies",
                                                               knowledge_base_id=env["knowledge_base"].attr_knowledge_base_id)],
                 action_groups=[a.AgentActionGroupProperty(
                     action_group_name="orders", action_group_executor=a.ActionGroupExecutorProperty(lambda_=env["tool"].attr_arn),
                     function_schema=a.FunctionSchemaProperty(functions=functions))])

    def agent_alias(scope, i, env):
        return bedrock.CfnAgentAlias(scope, f"AgentAlias{i}", agent_alias_name="live", agent_id=env["agent"].attr_agent_id)

    def runtime_role(scope, i, env):
        return iam.CfnRole(scope, f"RuntimeRole{i}", assume_role_policy_document=_trust("bedrock-agentcore.amazonaws.com"),
                           policies=[iam.CfnRole.PolicyProperty(policy_name="runtime", policy_document=_doc(
                               {"Effect": "Allow", "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                                "Resource": MODEL},
                               {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                                "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/agent-{i}"}))])

    def runtime(scope, i, env):
        r = agentcore.CfnRuntime
        network = (r.NetworkConfigurationProperty(network_mode="PUBLIC") if i % 4 == 1 else r.NetworkConfigurationProperty(
            network_mode="VPC", network_mode_config=r.VpcConfigProperty(
                subnets=[env["subnet_a"].ref, env["subnet_b"].ref], security_groups=[env["sg"].attr_group_id])))
        return r(scope, f"Runtime{i}", agent_runtime_name=f"agent_runtime_{i}", role_arn=env["runtime_role"].attr_arn,
                 agent_runtime_artifact=r.AgentRuntimeArtifactProperty(container_configuration=r.ContainerConfigurationProperty(
                     container_uri=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/agent-{i}:1.0.{i}")),
                 network_configuration=network, environment_variables={"MODEL_ID": MODEL, "MEMORY": f"memory-{i}"},
                 lifecycle_configuration=r.LifecycleConfigurationProperty(idle_runtime_session_timeout=900, max_lifetime=28800))

    def gateway(scope, i, env):
        g = agentcore.CfnGateway
        jwt = g.AuthorizerConfigurationProperty(custom_jwt_authorizer=g.CustomJWTAuthorizerConfigurationProperty(
            discovery_url=f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_pool{i}/.well-known/openid-configuration",
            allowed_clients=[f"client-{i}"]))
        open_gateway = i % 5 == 2
        return g(scope, f"Gateway{i}", name=f"tools-{i}", role_arn=env["runtime_role"].attr_arn, protocol_type="MCP",
                 authorizer_type="NONE" if open_gateway else "CUSTOM_JWT", authorizer_configuration=None if open_gateway else jwt,
                 kms_key_arn=env["key"].attr_arn)

    def gateway_target(scope, i, env):
        t = agentcore.CfnGatewayTarget
        tool_def = t.ToolDefinitionProperty(name="get_order", description="Look up an order",
                                            input_schema=t.SchemaDefinitionProperty(type="object", properties={
                                                "order_id": t.SchemaDefinitionProperty(type="string")}, required=["order_id"]))
        return t(scope, f"GatewayTarget{i}", name=f"orders-{i}", gateway_identifier=env["gateway"].attr_gateway_identifier,
                 target_configuration=t.TargetConfigurationProperty(mcp=t.McpTargetConfigurationProperty(
                     lambda_=t.McpLambdaTargetConfigurationProperty(lambda_arn=env["tool"].attr_arn,
                                                                   tool_schema=t.ToolSchemaProperty(inline_payload=[tool_def])))),
                 credential_provider_configurations=[t.CredentialProviderConfigurationProperty(credential_provider_type="GATEWAY_IAM_ROLE")])

    def code_interpreter(scope, i, env):
        c = agentcore.CfnCodeInterpreterCustom
        mode = ("SANDBOX", "VPC", "PUBLIC")[i % 3]
        vpc = c.VpcConfigProperty(subnets=[env["subnet_a"].ref], security_groups=[env["sg"].attr_group_id]) if mode == "VPC" else None
        return c(scope, f"Interpreter{i}", name=f"interpreter_{i}", execution_role_arn=env["runtime_role"].attr_arn,
                 network_configuration=c.CodeInterpreterNetworkConfigurationProperty(network_mode=mode, vpc_config=vpc))

    def memory(scope, i, env):
        return agentcore.CfnMemory(scope, f"Memory{i}", name=f"memory_{i}", event_expiry_duration=30 if i % 4 else 365,
                                   encryption_key_arn=env["key"].attr_arn if i % 3 else None,
                                   memory_execution_role_arn=env["runtime_role"].attr_arn)

    def notebook(scope, i, env):
        return sagemaker.CfnNotebookInstance(
            scope, f"Notebook{i}", instance_type="ml.t3.medium", role_arn=env["runtime_role"].attr_arn,
            direct_internet_access="Enabled" if i % 3 == 2 else "Disabled", root_access="Disabled",
            subnet_id=env["subnet_a"].ref, security_group_ids=[env["sg"].attr_group_id], kms_key_id=env["key"].ref,
            volume_size_in_gb=20)

    return [("key", key), ("log_group", log_group), ("bucket", bucket), ("bucket_policy", bucket_policy),
            ("kb_role", kb_role), ("encryption_policy", encryption_policy), ("network_policy", network_policy),
            ("collection", collection), ("access_policy", access_policy), ("knowledge_base", knowledge_base),
            ("data_source", data_source), ("guardrail", guardrail), ("guardrail_version", guardrail_version),
            ("tool_role", tool_role), ("tool", tool), ("agent_role", agent_role), ("agent", agent),
            ("agent_alias", agent_alias), ("runtime_role", runtime_role), ("runtime", runtime), ("gateway", gateway),
            ("gateway_target", gateway_target), ("code_interpreter", code_interpreter), ("memory", memory),
            ("notebook", notebook)]


def build_app(size: int, variant: str, outdir: str):
    """The app of `size` L1 resources over `stack_sizes(size)` stacks, with `variant`'s pack registered.

    Each stack holds the 10 shared resources, then whole workloads of 25, the last one cut short
    where the stack is full. No assets, no lookups, no environment: synth needs no network."""
    import aws_cdk as cdk

    app = cdk.App(outdir=outdir, context={FAIL_SYNTH_FLAG: False}, analytics_reporting=False)
    base, workload = _base_factories(), _workload_factories()
    workload_index = 0
    for number, count in enumerate(stack_sizes(size)):
        stack = cdk.Stack(app, f"AiBench{number:02d}")
        env: Dict[str, object] = {}
        made = 0
        for name, factory in base:
            if made == count:
                break
            env[name] = factory(stack, number, env)
            made += 1
        while made < count:
            for name, factory in workload:
                if made == count:
                    break
                env[name] = factory(stack, workload_index, env)
                made += 1
            workload_index += 1
    _register(app, variant)
    return app


def _register(app, variant: str) -> None:
    from aws_cdk import Validations

    if variant in AISEC_VARIANTS:
        import aisec_rules.cdk.pack
        from aisec_rules import AiSecurityChecks, Phase

        aisec_rules.cdk.pack.judge = _timed_function(aisec_rules.cdk.pack.judge, ENGINE_SECONDS)
        if variant == PER_FINDING:
            aisec_rules.cdk.pack.policy_report = per_finding_report
        Validations.of(app).add_plugins(_timed(AiSecurityChecks)(app, phase=Phase.ADVANCED))
    elif variant == "awssolutions":
        from cdk_nag import AwsSolutionsChecks

        Validations.of(app).add_plugins(_timed(AwsSolutionsChecks)(app))
    elif variant not in ("plain", "plain-novalidate"):
        raise ValueError(f"unknown variant {variant!r}")


def per_finding_report(findings, verbose: bool = False):
    """The aisec pack's report as it was built before aisec_rules.cdk.report (the
    `aisec-per-finding` variant): one typed `cdk.PolicyViolation` with one typed
    `cdk.PolicyViolatingResource` per finding. Same content, other shape."""
    import aws_cdk as cdk
    from aisec_rules.cdk.report import description

    def violation(finding):
        rule = finding.rule
        return cdk.PolicyViolation(
            rule_name=finding.id, description=description(finding, verbose),
            severity="info" if finding.acknowledged else "error",
            fix=None if finding.acknowledged else rule.remediation,
            rule_metadata={"layer": rule.layer.value, "phase": rule.phase.name.lower(), "severity": rule.severity.value,
                           **({"reason": finding.reason or ""} if finding.acknowledged else {})},
            violating_resources=[cdk.PolicyViolatingResource(
                locations=["Properties"], resource_logical_id=finding.resource, template_path=finding.template)])

    return cdk.PolicyValidationPluginReport(success=all(f.acknowledged for f in findings),
                                            violations=[violation(f) for f in findings])


VALIDATE_SECONDS: List[float] = []
ENGINE_SECONDS: List[float] = []


def _timed_function(function, seconds: List[float]):
    """`function`, with the seconds each call takes appended to `seconds`: splits the aisec pack's
    `validate` into the rule engine (`engine.judge`: every phase, for the readiness report the pack
    writes) and the rest (reading templates, writing the readiness report, building the report for CDK)."""

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - start)

    return timed


def _timed(pack_class):
    """`pack_class` unchanged except that the seconds spent inside its `validate` (the whole
    evaluation, jsii crossings and result marshalling included) are added to VALIDATE_SECONDS.
    This figure is much less noisy than a difference of two synth times."""

    class Timed(pack_class):
        def validate(self, context):
            start = time.perf_counter()
            try:
                return super().validate(context)
            finally:
                VALIDATE_SECONDS.append(time.perf_counter() - start)

    return Timed


def tree_cpu_seconds() -> Optional[float]:
    """User + system CPU seconds of this process and its live descendants: the jsii Node.js
    kernel does most of the synth work in child processes. Linux /proc only; None elsewhere.
    CPU time is what a busy shared machine distorts least (wall time grows, CPU time hardly)."""
    if not Path("/proc/self/stat").exists():
        return None
    parent, ticks = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...
        except OSError:
            continue  # the process ended while we looked
        pid = int(stat.parent.name)
        parent[pid], ticks[pid] = int(fields[1]), int(fields[11]) + int(fields[12])  # ppid; utime + stime

    def descends(pid: int) -> bool:
        while pid in parent and pid > 1:
            pid = parent[pid]
            if pid == os.getpid():
                return True
        return False

    own = os.times()
    return own.user + own.system + sum(t for pid, t in ticks.items() if descends(pid)) / os.sysconf("SC_CLK_TCK")


def child(variant: str, size: int, outdir: str) -> None:
    """Synthesize once and print one result line: synth seconds (app construction + synth) and
    what the synthesized assembly holds (resource count, findings per pack)."""
    import aws_cdk  # noqa: F401  (imports start jsii and load assemblies: process start-up, not synth time)

    if variant in ("awssolutions", *AISEC_VARIANTS):
        import cdk_nag  # noqa: F401
    if variant in AISEC_VARIANTS:
        import aisec_rules.cdk.pack  # noqa: F401
        import aisec_rules.registry  # noqa: F401  (discovers the rule modules)

    start, cpu_start = time.perf_counter(), tree_cpu_seconds()
    app = build_app(size, variant, outdir)
    app.synth()
    synth_seconds, cpu_end = time.perf_counter() - start, tree_cpu_seconds()

    result = {"variant": variant, "size": size, "synth": synth_seconds,
              "cpu": None if cpu_start is None or cpu_end is None else cpu_end - cpu_start, **_assembly_facts(Path(outdir))}
    if variant in AISEC_VARIANTS:
        from aisec_rules.registry import RULES

        result["rules"], result["engine"] = len(RULES), sum(ENGINE_SECONDS)
    if variant in ("awssolutions", *AISEC_VARIANTS):
        result["validate"] = sum(VALIDATE_SECONDS)
    print(RESULT_MARK + json.dumps(result), flush=True)


def _assembly_facts(outdir: Path) -> dict:
    resources = sum(len(json.loads(p.read_text()).get("Resources", {})) for p in outdir.glob("*.template.json"))
    findings: Dict[str, int] = {}
    violations: Dict[str, int] = {}
    report = outdir / "validation-report.json"
    if report.exists():
        for plugin in json.loads(report.read_text()).get("pluginReports", []):
            findings[plugin["pluginName"]] = sum(len(v.get("violatingConstructs", [])) for v in plugin.get("violations", []))
            violations[plugin["pluginName"]] = len(plugin.get("violations", []))
    return {"resources": resources, "stacks": len(list(outdir.glob("*.template.json"))), "findings": findings,
            "violations": violations}


# --------------------------------------------------------------------------------------------
# The driver (parent process)
# --------------------------------------------------------------------------------------------


def child_env(variant: str = "") -> Dict[str, str]:
    """The environment of every measured process: silence jsii's end-of-life banner for the
    installed Node.js (the Makefile does the same), never phone home, and the variant's settings."""
    env = dict(os.environ)
    env.pop("CDK_VALIDATION", None)
    env.update(VARIANT_ENV.get(variant, {}))
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", node_version().lstrip("v").split(".")[0])
    env.setdefault("CDK_DISABLE_CLI_TELEMETRY", "true")
    env.setdefault("CKV_SKIP_PACKAGE_UPDATE_CHECK", "true")
    env.pop("CDK_CONTEXT_JSON", None)  # context from a surrounding `cdk` CLI run would change the apps
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python caches bytecode: do not recompile every module per run
    return env


def busy_cores(sample: float = 1.0) -> float:
    """How many cores other processes kept busy over `sample` seconds (from /proc/stat); 0 when unknown."""
    def read() -> Tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total0, idle0 = read()
        time.sleep(sample)
        total1, idle1 = read()
    except (OSError, ValueError, IndexError):
        return 0.0
    return (1 - (idle1 - idle0) / max(1, total1 - total0)) * (os.cpu_count() or 1)


def wait_for_quiet(max_wait: float, limit: float = BUSY_LIMIT) -> float:
    """Wait up to `max_wait` seconds for the machine to be idle (others busy < `limit` cores),
    so that other people's jobs on a shared machine do not land in the measurement. Returns the
    last load seen, in busy cores."""
    deadline = time.monotonic() + max_wait
    load = busy_cores() if max_wait > 0 else 0.0
    while load >= limit and time.monotonic() < deadline:
        load = busy_cores(2.0)
    return load


def run_synth(variant: str, size: int, quiet_wait: float = 0.0) -> dict:
    """One synth in a fresh process; adds the process wall time to the child's result."""
    outdir = OUT / "cdk.out" / f"{variant}-{size}"
    shutil.rmtree(outdir, ignore_errors=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", variant, str(size), str(outdir)]
    load = wait_for_quiet(quiet_wait)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=child_env(variant), capture_output=True, text=True)
    wall = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"synth {variant} N={size} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1][len(RESULT_MARK):])
    if result["resources"] != size:
        raise SystemExit(f"synth {variant} N={size} produced {result['resources']} resources")
    result["wall"], result["load_before"] = wall, load
    return result


def measure_synth(sizes: Sequence[int], repeat: int, quiet_wait: float,
                  variants: Sequence[str] = VARIANTS) -> Dict[Tuple[str, int], List[dict]]:
    """Every variant at every size, `repeat` times, interleaved so that drift hits all alike."""
    runs: Dict[Tuple[str, int], List[dict]] = {}
    for size in sizes:
        for round_ in range(repeat):
            for variant in variants:
                result = run_synth(variant, size, quiet_wait)
                runs.setdefault((variant, size), []).append(result)
                print(f"  N={size:<5} run {round_ + 1}/{repeat} {variant:<16} synth {result['synth']:7.2f} s"
                      f"  cpu {result['cpu'] or 0:7.2f} s  wall {result['wall']:7.2f} s  validate {result.get('validate', 0):5.2f} s"
                      f"  busy before {result['load_before']:.1f} cores  findings {result['findings']}", file=sys.stderr, flush=True)
    return runs


def time_command(command: List[str], repeat: int) -> Tuple[float, int, str]:
    """Median wall seconds of `command` over `repeat` runs, its last exit code and stderr tail."""
    times, done = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=child_env(), capture_output=True, text=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), done.returncode, done.stderr[-500:]


def aisec_starts_jsii(templates: List[Path]) -> bool:
    """True when `aisec check` imports aws_cdk or jsii (it must not: scanning needs no Node.js)."""
    probe = ("import sys\nfrom aisec_rules.cli import main\nmain(sys.argv[1:])\n"
             "print('JSII' if {'aws_cdk', 'jsii'} & set(sys.modules) else 'NO-JSII')")
    done = subprocess.run([sys.executable, "-c", probe, "check", "--phase", "advanced", *map(str, templates)],
                          cwd=ROOT, env=child_env(), capture_output=True, text=True)
    if "JSII" not in done.stdout:
        raise SystemExit(f"aisec check probe failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return "NO-JSII" not in done.stdout


def find_checkov(explicit: Optional[str]) -> Tuple[Optional[List[str]], str]:
    """The command that runs checkov and where it came from, or (None, why there is none).

    Looked up in order: --checkov PATH; checkov installed in this Python's environment (`pip
    install -e ".[bench]"`); a checkov on PATH; an isolated install in bench/out/checkov-venv."""
    if explicit:
        return [explicit], f"--checkov {explicit}"
    try:
        import checkov  # noqa: F401

        script = Path(sys.executable).with_name("checkov")
        return ([str(script)] if script.exists() else [sys.executable, "-m", "checkov.main"]), "this Python's environment"
    except ImportError as error:
        why = f"checkov is not importable by {sys.executable} ({error})"
    for candidate in (shutil.which("checkov"), OUT / "checkov-venv" / "bin" / "checkov"):
        if candidate and Path(candidate).exists():
            return [str(candidate)], str(Path(candidate).relative_to(ROOT) if Path(candidate).is_relative_to(ROOT) else candidate)
    return None, f"{why}, and there is no checkov on PATH or in bench/out/checkov-venv"


def measure_scanners(size: int, repeat: int, checkov_path: Optional[str]) -> dict:
    """`aisec check` and `checkov -f` on the plain synth's templates of `size` resources."""
    templates = sorted((OUT / "cdk.out" / f"plain-{size}").glob("*.template.json"))
    aisec = [str(Path(sys.executable).with_name("aisec")), "check", "--phase", "advanced"]
    if not Path(aisec[0]).exists():
        aisec[:1] = [sys.executable, "-m", "aisec_rules.cli"]
    result = {"size": size, "templates": len(templates), "aisec": time_command(aisec + list(map(str, templates)), repeat),
              "aisec_jsii": aisec_starts_jsii(templates), "aisec_command": "aisec check --phase advanced <templates>"}
    checkov, source = find_checkov(checkov_path)
    result["checkov_source"] = source
    if checkov is not None:
        options = ["--framework", "cloudformation", "--quiet", "--compact", "--skip-download"]
        result["checkov"] = time_command([*checkov, *options, *(a for t in templates for a in ("-f", str(t)))], repeat)
        result["checkov_version"] = subprocess.run([*checkov, "--version"], env=child_env(), capture_output=True,
                                                   text=True).stdout.strip()
        result["checkov_command"] = f"checkov {' '.join(options)} -f <template> -f <template> ..."
    return result


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def median(runs: List[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _percent(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole > 0 else "n/a"


def pack_table(runs: Dict[Tuple[str, int], List[dict]], sizes: Sequence[int]) -> List[str]:
    """The packs' own cost, measured directly: seconds inside each pack's `validate()`, against
    plain synth and against each other, per 1000 resources, and split for aisec into the rule
    engine and the rest."""
    lines = ["| N | stacks | aisec rules | aisec `validate()` s | AwsSolutions `validate()` s | aisec / plain synth "
             "| aisec / plain synth without CDK validation | aisec / AwsSolutions | aisec s per 1000 res. "
             "| AwsSolutions s per 1000 res. | aisec: rule engine / rest s | findings aisec / AwsSolutions |",
             "|" + "---|" * 12]
    for size in sizes:
        plain, ours, nag, bare = (runs[(v, size)] for v in VARIANTS)
        own, theirs = median(ours, "validate"), median(nag, "validate")
        rest = statistics.median(r["validate"] - r["engine"] for r in ours)
        lines.append(
            f"| {size} | {plain[0]['stacks']} | {'-'.join(map(str, sorted({r['rules'] for r in ours})))} | {own:.3f} "
            f"| {theirs:.3f} | {_percent(own, median(plain, 'synth'))} | {_percent(own, median(bare, 'synth'))} "
            f"| {_percent(own, theirs)} | {own / size * 1000:.3f} | {theirs / size * 1000:.3f} "
            f"| {median(ours, 'engine'):.3f} / {rest:.3f} "
            f"| {ours[-1]['findings'].get('AISEC', 0)} / {nag[-1]['findings'].get('AwsSolutions', 0)} |")
    return lines


def synth_table(runs: Dict[Tuple[str, int], List[dict]], sizes: Sequence[int], key: str) -> List[str]:
    """Medians of `key` ("synth" or "cpu" seconds) per variant, and the overheads as differences
    of medians, over plain synth, relative to each other and per 1000 resources."""
    lines = ["| N | plain | plain, no CDK validation | + aisec | + AwsSolutions | aisec overhead | AwsSolutions overhead "
             "| aisec overhead / plain | aisec / AwsSolutions overhead | aisec overhead per 1000 res. "
             "| AwsSolutions overhead per 1000 res. |", "|" + "---|" * 11]
    for size in sizes:
        plain, ours, nag, bare = (median(runs[(v, size)], key) for v in VARIANTS)
        own, theirs = ours - plain, nag - plain
        lines.append(f"| {size} | {plain:.2f} | {bare:.2f} | {ours:.2f} | {nag:.2f} | {own:+.2f} | {theirs:+.2f} "
                     f"| {own / plain:+.1%} | {_percent(own, theirs)} | {own / size * 1000:+.3f} | {theirs / size * 1000:+.3f} |")
    return lines


def process_table(runs: Dict[Tuple[str, int], List[dict]], sizes: Sequence[int]) -> List[str]:
    """Process wall time (what a user waits for, start-up included) and how busy the machine was."""
    lines = ["| N | plain | + aisec | + AwsSolutions | plain, no CDK validation | runs started on a busy machine |",
             "|---|---|---|---|---|---|"]
    for size in sizes:
        walls = [f"{median(runs[(v, size)], 'wall'):.2f}" for v in VARIANTS]
        busy = sum(r["load_before"] >= BUSY_LIMIT for v in VARIANTS for r in runs[(v, size)])
        lines.append(f"| {size} | {' | '.join(walls)} | {busy} of {sum(len(runs[(v, size)]) for v in VARIANTS)} |")
    return lines


def _ratio(part: float, whole: float) -> str:
    return f"{part / whole:.2f}" if whole > 0 and part >= 0 else "n/a"


def shape_table(runs: Dict[Tuple[str, int], List[dict]], sizes: Sequence[int]) -> List[str]:
    """aisec, aisec with the per-finding report shape (before aisec_rules.cdk.report) and
    AwsSolutionsChecks, measured in the same interleaved run: what each adds to plain synth
    (wall, CPU, whole process) and how long its `validate()` took, with the ratios."""
    lines = ["| N | measure | plain | aisec | aisec, per-finding shape (before) | AwsSolutions "
             "| aisec / AwsSolutions | aisec / per-finding (after / before) | per-finding / AwsSolutions |",
             "|---|---|---|---|---|---|---|---|---|"]
    for size in sizes:
        plain, ours, before, nag = (runs[(v, size)] for v in ("plain", "aisec", PER_FINDING, "awssolutions"))
        for key, label in (("synth", "synth s"), ("cpu", "synth CPU s"), ("wall", "process wall s")):
            if any(r[key] is None for r in plain + ours + before + nag):
                continue
            base = median(plain, key)
            own, old, theirs = (median(rs, key) - base for rs in (ours, before, nag))
            lines.append(f"| {size} | {label} overhead | {base:.2f} | {own:+.2f} | {old:+.2f} | {theirs:+.2f} "
                         f"| {_ratio(own, theirs)} | {_ratio(own, old)} | {_ratio(old, theirs)} |")
        own, old, theirs = (median(rs, "validate") for rs in (ours, before, nag))
        lines.append(f"| {size} | `validate()` s | | {own:.3f} | {old:.3f} | {theirs:.3f} | {_ratio(own, theirs)} "
                     f"| {_ratio(own, old)} | {_ratio(old, theirs)} |")
        counts = [f"{r[-1]['violations'].get(name, 0)} / {r[-1]['findings'].get(name, 0)}"
                  for r, name in ((ours, "AISEC"), (before, "AISEC"), (nag, "AwsSolutions"))]
        lines.append(f"| {size} | violations / violating resources in the report | | {' | '.join(counts)} | | | |")
    return lines


def scanner_table(scan: dict) -> List[str]:
    lines = [f"| scanner on the {scan['templates']} templates of N={scan['size']} | process wall s | exit code | notes |",
             "|---|---|---|---|"]
    seconds, code, _ = scan["aisec"]
    jsii = "imports aws_cdk/jsii (it must not!)" if scan["aisec_jsii"] else "does not import aws_cdk or jsii (checked)"
    lines.append(f"| `{scan['aisec_command']}` | {seconds:.2f} | {code} | {jsii} |")
    if "checkov" in scan:
        seconds, code, _ = scan["checkov"]
        lines += [f"| `{scan['checkov_command']}` | {seconds:.2f} | {code} | checkov {scan['checkov_version']} "
                  f"from {scan['checkov_source']} |", "",
                  f"`aisec check` took {_percent(scan['aisec'][0], seconds)} of checkov's time here "
                  "(the two check different things: this compares cost, not coverage)."]
    else:
        lines += ["", f"checkov skipped: {scan['checkov_source']}."]
    return lines


def machine_facts() -> List[str]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return [f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='minutes')}",
            f"- machine: {platform.platform()}, nproc {os.cpu_count()}",
            f"- python {platform.python_version()}, node {node_version()}",
            f"- aws-cdk-lib {version('aws-cdk-lib')}, cdk-nag {version('cdk-nag')}, jsii {version('jsii')}, "
            f"aisec-cdk {version('aisec-cdk')}"]


def node_version() -> str:
    try:
        return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() or "unknown"
    except OSError:
        return "not found"


def report(saved: dict) -> str:
    """The markdown report of a measurement (`saved`: as written to bench/out/runs.json)."""
    runs: Dict[Tuple[str, int], List[dict]] = {}
    for run in saved["runs"]:
        runs.setdefault((run["variant"], run["size"]), []).append(run)
    sizes = sorted({size for _, size in runs})
    repeat = len(runs[(VARIANTS[0], sizes[0])])
    lines = ["# aisec synth-time benchmark", "", f"Command: `{saved['command']}`", "", *saved["facts"], "",
             f"Medians of {repeat} fresh-process run(s) per variant and size. The app has N L1 resources spread "
             f"evenly over the fewest stacks of at most {MAX_PER_STACK}; aisec runs at `Phase.ADVANCED`; findings "
             f"do not fail the synth (`{FAIL_SYNTH_FLAG}=false`). \"CDK validation\" is aws-cdk-lib's built-in "
             "CloudFormation Validate plugin (on by default; off in the `plain-novalidate` reference variant).", "",
             "What each pack costs, timed inside its `validate()` (the direct, low-noise measure):", "",
             *pack_table(runs, sizes), "",
             "Synth seconds (wall clock inside the process: app construction + `app.synth()`); overheads are "
             "differences of medians and carry the noise of both:", "", *synth_table(runs, sizes, "synth"), ""]
    if all(r["cpu"] is not None for r in saved["runs"]):
        lines += ["Synth CPU seconds (same span; user + system time of the Python process and its Node.js children):",
                  "", *synth_table(runs, sizes, "cpu"), ""]
    lines += ["Process wall seconds (Python and jsii start-up, synth, exit):", "", *process_table(runs, sizes), ""]
    if all((PER_FINDING, size) in runs for size in sizes):
        lines += ["Side by side in this run (`--per-finding`): overheads over plain synth (differences of medians), "
                  "`validate()` medians, and ratios (below 1: the first costs less; n/a: an overhead below the noise):",
                  "", *shape_table(runs, sizes), ""]
    if saved.get("scan"):
        lines += [*scanner_table(saved["scan"]), ""]
    return "\n".join(lines)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,1000,4000", help="comma-separated resource counts (default 250,1000,4000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: sizes 50,200 and one repeat (overrides both)")
    parser.add_argument("--quiet-wait", type=float, default=60.0, metavar="SECONDS",
                        help="before each synth, wait up to this long for other processes to go idle (default 60; 0: never)")
    parser.add_argument("--per-finding", action="store_true",
                        help=f"also measure the variant {PER_FINDING}: the aisec pack with its earlier report shape "
                             "(one typed PolicyViolation per finding), interleaved with the others")
    parser.add_argument("--checkov", metavar="PATH", help="checkov executable to compare with (default: looked up)")
    parser.add_argument("--render", metavar="RUNS_JSON", type=Path,
                        help="measure nothing: print the report of a saved measurement (bench/out/runs.json)")
    parser.add_argument("--child", nargs=3, metavar=("VARIANT", "N", "OUTDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "50,200", 1
    args.sizes = [int(s) for s in str(args.sizes).split(",") if s.strip()]
    if not args.sizes or min(args.sizes) < 1 or args.repeat < 1:
        parser.error("--sizes needs positive integers and --repeat at least 1")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    if list(argv if argv is not None else sys.argv[1:])[:1] == ["check-series"]:
        from check_series import main as check_series  # bench/ is the script's folder, first on sys.path

        return check_series(list(argv if argv is not None else sys.argv[1:])[1:])
    args = parse_args(argv)
    if args.child:
        variant, size, outdir = args.child
        child(variant, int(size), outdir)
        return 0
    if args.render:
        print(report(json.loads(args.render.read_text(encoding="utf-8"))))
        return 0
    python = Path(sys.executable)
    command = " ".join([python.relative_to(ROOT).as_posix() if python.is_relative_to(ROOT) else str(python),
                        "bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    OUT.mkdir(parents=True, exist_ok=True)
    variants = VARIANTS + ((PER_FINDING,) if args.per_finding else ())
    print(f"measuring sizes {args.sizes}, {args.repeat} run(s) each, variants {', '.join(variants)}", file=sys.stderr)
    saved = {"command": command, "facts": machine_facts(),
             "runs": [r for rs in measure_synth(args.sizes, args.repeat, args.quiet_wait, variants).values() for r in rs]}
    print("scanning templates with aisec check and checkov", file=sys.stderr)
    saved["scan"] = measure_scanners(max(args.sizes), args.repeat, args.checkov)
    (OUT / "runs.json").write_text(json.dumps(saved, indent=1), encoding="utf-8")
    text = report(saved)
    (OUT / "results.md").write_text(text, encoding="utf-8")
    print(text)
    print("(written to bench/out/results.md; raw figures in bench/out/runs.json)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
