"""SecurityPosture: continuous compliance of AI resources and an investigation graph.

Guarantees (AISEC-APP-27): Security Hub CSPM enabled with consolidated control findings, new
controls enabled automatically and only the standards you choose (the AI Security Best Practices
standard always, others through ``additional_standards``); an AWS Config recorder of all supported
resource types (global ones included) delivering to a private, KMS-encrypted bucket; the AWS
Config managed rules behind the AI standard's controls (Bedrock data source CMK, AgentCore runtime
network, gateway authorizer and key, memory key, browser network and recording, code interpreter
network, SageMaker notebook, model and feature store checks); and Amazon Detective (default) or
Amazon Security Lake for forensics.

Choices and evidence:

* Standard ARN ``arn:<partition>:securityhub:<region>::standards/ai-security-best-practices/v/1.0.0``
  (Security Hub user guide, "AI Security Best Practices standard").
* Config managed rule identifiers come from ``aisec_rules.aws`` (two
  verified on their Config pages, the rest by the documented naming convention; see that module).
  ``ai_config_rules`` replaces the list: some AgentCore rules exist only in the Regions where
  AgentCore is offered, so narrow the list for other Regions.
* The recorder uses a role with the AWS managed policy ``service-role/AWS_ConfigRole`` (the policy
  AWS maintains for Config's read-only describe calls; the construct acknowledges AwsSolutions-IAM4
  for it) plus write access to the delivery bucket; ``recorder_role_arn`` uses your role instead.
* Account singletons (a hub, a recorder, a Detective graph) often exist already:
  ``existing_security_hub``, ``existing_standards``, ``existing_config_recorder`` and
  ``existing_forensics`` say where; the construct then creates none and acknowledges the matching
  workload finding (``AISEC-APP-27[SecurityHub]``, ``[AiStandard]``, ``[ConfigRecorder]``,
  ``[Forensics]``) on the stack with that text as the reason.
* ``skip_forensics=True`` creates no forensics service (recorded as an annotation; the rule reports it).
"""
from __future__ import annotations

from typing import List, Optional, Sequence

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_config as config
from aws_cdk import aws_detective as detective
from aws_cdk import aws_iam as iam
from aws_cdk import aws_securityhub as securityhub
from aws_cdk import aws_securitylake as securitylake
from constructs import Construct

from aisec_rules.aws import AI_CONFIG_RULES, AI_STANDARD_PATH

from ..annotations import record_opt_out
from ..data import EncryptionKey, SecureBucket
from ..nag import acknowledge_iam5

DEFAULT_AI_CONFIG_RULES = tuple(sorted({rule for rules in AI_CONFIG_RULES.values() for rule in rules}))
FORENSICS = ("detective", "security_lake")


def ai_standard_arn(scope: Construct) -> str:
    stack = cdk.Stack.of(scope)
    return f"arn:{stack.partition}:securityhub:{stack.region}::{AI_STANDARD_PATH}"


class SecurityPosture(Construct):
    """Security Hub with the AI standard, AWS Config with the AI managed rules, Detective or Security Lake.

    :param additional_standards: more standard ARNs to enable (e.g. AWS Foundational Security Best Practices).
    :param ai_config_rules: managed rule identifiers to deploy (default: all of ``DEFAULT_AI_CONFIG_RULES``).
    :param forensics: ``"detective"`` or ``"security_lake"`` (the latter needs ``security_lake_meta_store_role_arn``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        additional_standards: Sequence[str] = (),
        ai_config_rules: Optional[Sequence[str]] = None,
        forensics: str = "detective",
        security_lake_meta_store_role_arn: Optional[str] = None,
        recorder_role_arn: Optional[str] = None,
        encryption_key: Optional[EncryptionKey] = None,
        existing_security_hub: Optional[str] = None,
        existing_standards: Optional[str] = None,
        existing_config_recorder: Optional[str] = None,
        existing_forensics: Optional[str] = None,
        skip_forensics: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if forensics not in FORENSICS:
            raise ValueError(f"SecurityPosture: forensics {forensics!r} must be one of {', '.join(FORENSICS)}")
        if forensics == "security_lake" and not security_lake_meta_store_role_arn and not existing_forensics:
            raise ValueError("SecurityPosture: forensics='security_lake' needs security_lake_meta_store_role_arn")
        stack = cdk.Stack.of(self)
        self._key = encryption_key

        # -- Security Hub --------------------------------------------------------------------
        self.hub: Optional[securityhub.CfnHub] = None
        if self._existing(existing_security_hub, "SecurityHub", "Security Hub CSPM"):
            pass
        else:
            self.hub = securityhub.CfnHub(self, "Hub", enable_default_standards=False, auto_enable_controls=True,
                                          control_finding_generator="SECURITY_CONTROL")
        self.standards: List[securityhub.CfnStandard] = []
        if not self._existing(existing_standards, "AiStandard", "Security Hub AI Security Best Practices standard"):
            for index, arn in enumerate([ai_standard_arn(self), *additional_standards]):
                standard = securityhub.CfnStandard(self, "AiStandard" if index == 0 else f"Standard{index}",
                                                   standards_arn=arn)
                if self.hub is not None:
                    standard.node.add_dependency(self.hub)
                self.standards.append(standard)

        # -- AWS Config ----------------------------------------------------------------------
        self.recorder: Optional[config.CfnConfigurationRecorder] = None
        self.delivery_bucket: Optional[SecureBucket] = None
        if not self._existing(existing_config_recorder, "ConfigRecorder", "AWS Config recorder"):
            self._recorder(stack, recorder_role_arn)
        rules = DEFAULT_AI_CONFIG_RULES if ai_config_rules is None else tuple(ai_config_rules)
        self.config_rules: List[config.CfnConfigRule] = []
        for identifier in rules:
            rule = config.CfnConfigRule(self, f"Rule{identifier.title().replace('_', '')}",
                                        source=config.CfnConfigRule.SourceProperty(owner="AWS",
                                                                                   source_identifier=identifier))
            if self.recorder is not None:
                rule.node.add_dependency(self.recorder)
            self.config_rules.append(rule)

        # -- forensics -----------------------------------------------------------------------
        self.graph: Optional[detective.CfnGraph] = None
        self.data_lake: Optional[securitylake.CfnDataLake] = None
        if skip_forensics:
            record_opt_out(self, "skip_forensics", "no Detective graph or Security Lake for investigations (AISEC-APP-27)")
        elif not self._existing(existing_forensics, "Forensics", "forensics (Detective or Security Lake)"):
            if forensics == "detective":
                self.graph = detective.CfnGraph(self, "Graph", auto_enable_members=False)
            else:
                self.encryption_key.allow_service("securitylake.amazonaws.com",
                                                  actions=["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"])

                self.data_lake = securitylake.CfnDataLake(
                    self, "DataLake", meta_store_manager_role_arn=security_lake_meta_store_role_arn,
                    encryption_configuration=securitylake.CfnDataLake.EncryptionConfigurationProperty(
                        kms_key_id=self.encryption_key.key_arn))

    @property
    def encryption_key(self) -> EncryptionKey:
        """The key of the Config bucket and the Security Lake data (created when first needed)."""
        if self._key is None:
            self._key = EncryptionKey(self, "Key", purpose="security posture")
        return self._key

    def _existing(self, where: Optional[str], detail: str, what: str) -> bool:
        """True when ``where`` names an existing singleton: acknowledge the workload finding on the stack."""
        if where is None:
            return False
        if not where.strip():
            raise ValueError(f"SecurityPosture: say where the existing {what} lives")
        Validations.of(cdk.Stack.of(self)).acknowledge(Acknowledgment(
            id=f"AISEC-APP-27[{detail}]", reason=f"{what} managed outside this stack: {where}"))
        return True

    def _recorder(self, stack: cdk.Stack, role_arn: Optional[str]) -> None:
        key = self.encryption_key
        key.allow_service("config.amazonaws.com", actions=["kms:Decrypt", "kms:GenerateDataKey"])
        self.delivery_bucket = SecureBucket(self, "ConfigBucket", encryption_key=key)
        bucket = self.delivery_bucket.bucket
        source = {"StringEquals": {"AWS:SourceAccount": stack.account}}
        principal = iam.ServicePrincipal("config.amazonaws.com")
        bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="AWSConfigBucketPermissionsCheck", principals=[principal], actions=["s3:GetBucketAcl", "s3:ListBucket"],
            resources=[bucket.bucket_arn], conditions=source))
        bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="AWSConfigBucketDelivery", principals=[principal], actions=["s3:PutObject"],
            resources=[bucket.arn_for_objects(f"AWSLogs/{stack.account}/Config/*")],
            conditions={"StringEquals": {"AWS:SourceAccount": stack.account,
                                         "s3:x-amz-acl": "bucket-owner-full-control"}}))
        if role_arn is None:
            role = iam.Role(self, "RecorderRole", assumed_by=iam.ServicePrincipal("config.amazonaws.com"),
                            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWS_ConfigRole")],
                            description="Lets AWS Config record resource configurations and deliver them")
            objects = bucket.arn_for_objects(f"AWSLogs/{stack.account}/Config/*")
            policy = iam.Policy(self, "RecorderDelivery", roles=[role], statements=[
                iam.PolicyStatement(actions=["s3:PutObject"], resources=[objects]),
                iam.PolicyStatement(actions=["s3:GetBucketAcl"], resources=[bucket.bucket_arn]),
                iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[key.key_arn]),
            ])
            acknowledge_iam5(policy, [objects], "Config writes snapshot and history objects under its own "
                                                "AWSLogs/<account>/Config/ prefix of the delivery bucket only.")
            Validations.of(role).acknowledge(Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]",
                reason="AWS_ConfigRole is the AWS-maintained read-only policy AWS Config needs to describe every "
                       "supported resource type; a hand-written copy would fall behind new resource types."))
            role_arn = role.role_arn
        self.recorder = config.CfnConfigurationRecorder(
            self, "Recorder", role_arn=role_arn,
            recording_group=config.CfnConfigurationRecorder.RecordingGroupProperty(
                all_supported=True, include_global_resource_types=True))
        channel = config.CfnDeliveryChannel(self, "DeliveryChannel", s3_bucket_name=bucket.bucket_name,
                                            s3_kms_key_arn=key.key_arn,
                                            config_snapshot_delivery_properties=config.CfnDeliveryChannel.
                                            ConfigSnapshotDeliveryPropertiesProperty(delivery_frequency="TwentyFour_Hours"))
        channel.node.add_dependency(self.delivery_bucket)
        channel.node.add_dependency(self.recorder)  # Config needs the recorder before the channel
        self.delivery_channel = channel
