"""ThreatDetection: GuardDuty with the protections an AI workload needs.

Guarantees (AISEC-APP-23, detector part): an enabled GuardDuty detector publishing findings every
15 minutes with the features, all ``ENABLED``:

* ``AI_PROTECTION`` (LLMjacking, anomalous model invocation, prompt-injection findings),
* ``S3_DATA_EVENTS`` (the knowledge-base corpus, prompt stores and logs live in S3),
* ``LAMBDA_NETWORK_LOGS`` (tool and action-group Lambdas),
* ``RUNTIME_MONITORING`` with the ECS Fargate and EC2 agent managed by GuardDuty (agent compute
  outside AgentCore).

Feature names are the enum of ``CFNFeatureConfiguration.Name`` in the CloudFormation schema of
``AWS::GuardDuty::Detector`` (cfn-lint schemas); the detector uses ``Features`` only, never the
legacy ``DataSources`` (the two cannot be combined). Optionally, GuardDuty Malware Protection for
S3 scans new objects of the buckets you name (knowledge-base source buckets: poisoned uploads),
with a role scoped to those buckets as in the GuardDuty user guide ("Create or update IAM role
policy"; the construct reproduces that policy per bucket).

A detector is an account/Region singleton that a delegated administrator often manages:
``existing_detector="<where it lives>"`` creates none and acknowledges the workload finding
``AISEC-APP-23`` on the stack with that text as the reason (malware protection plans are still
created: they do not need a detector of this stack). Turning a feature off takes a named flag
(``skip_s3_data_events``, ``skip_lambda_network_logs``, ``skip_runtime_monitoring``), recorded as an
annotation; the rule still reports it where the workload's capabilities need it.
"""
from __future__ import annotations

from typing import List, Optional, Sequence

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ..annotations import record_opt_out
from ..nag import acknowledge_iam5

VALID_EXTRA_FEATURES = ("EKS_AUDIT_LOGS", "EKS_RUNTIME_MONITORING", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS",
                        "AI_ANALYST")


class ThreatDetection(Construct):
    """An enabled GuardDuty detector with AI protection, or the acknowledgement of an existing one.

    :param existing_detector: where the account's detector lives (for example "delegated
        administrator account 111122223333"); no detector is created.
    :param malware_protection_buckets: buckets whose new objects GuardDuty scans for malware.
    :param extra_features: more detector features to enable (``VALID_EXTRA_FEATURES``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        existing_detector: Optional[str] = None,
        malware_protection_buckets: Sequence[s3.IBucket] = (),
        tag_scanned_objects: bool = True,
        extra_features: Sequence[str] = (),
        finding_publishing_frequency: str = "FIFTEEN_MINUTES",
        skip_s3_data_events: bool = False,
        skip_lambda_network_logs: bool = False,
        skip_runtime_monitoring: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        bad = sorted(set(extra_features) - set(VALID_EXTRA_FEATURES))
        if bad:
            raise ValueError(f"ThreatDetection: unknown extra feature {', '.join(bad)}; "
                             f"expected some of {', '.join(VALID_EXTRA_FEATURES)}")
        self.detector: Optional[guardduty.CfnDetector] = None
        if existing_detector is not None:
            if not existing_detector.strip():
                raise ValueError("ThreatDetection: existing_detector must say where the detector lives")
            Validations.of(cdk.Stack.of(self)).acknowledge(Acknowledgment(
                id="AISEC-APP-23", reason=f"GuardDuty detector managed outside this stack: {existing_detector}"))
        else:
            features = [self._feature("AI_PROTECTION")]
            for name, skipped, consequence in (
                ("S3_DATA_EVENTS", skip_s3_data_events, "no GuardDuty findings on access to the corpus buckets"),
                ("LAMBDA_NETWORK_LOGS", skip_lambda_network_logs, "no GuardDuty findings on tool Lambda network traffic"),
                ("RUNTIME_MONITORING", skip_runtime_monitoring, "no GuardDuty runtime findings on agent compute"),
            ):
                if skipped:
                    record_opt_out(self, f"skip_{name.lower()}", consequence)
                else:
                    features.append(self._feature(name))
            features += [self._feature(name) for name in extra_features]
            self.detector = guardduty.CfnDetector(
                self, "Detector", enable=True, features=features,
                finding_publishing_frequency=finding_publishing_frequency)
        self.malware_protection_plans: List[guardduty.CfnMalwareProtectionPlan] = [
            self._malware_protection(index, bucket, tag_scanned_objects)
            for index, bucket in enumerate(malware_protection_buckets)]

    @staticmethod
    def _feature(name: str) -> guardduty.CfnDetector.CFNFeatureConfigurationProperty:
        additional = None
        if name == "RUNTIME_MONITORING":
            additional = [guardduty.CfnDetector.CFNFeatureAdditionalConfigurationProperty(name=n, status="ENABLED")
                          for n in ("ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT")]
        return guardduty.CfnDetector.CFNFeatureConfigurationProperty(
            name=name, status="ENABLED", additional_configuration=additional)

    def _malware_protection(self, index: int, bucket: s3.IBucket, tag: bool) -> guardduty.CfnMalwareProtectionPlan:
        stack = cdk.Stack.of(self)
        scope = Construct(self, f"MalwareProtection{index}")
        rule_arn = (f"arn:{stack.partition}:events:{stack.region}:{stack.account}:rule/"
                    "DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*")
        role = iam.Role(scope, "Role", assumed_by=iam.ServicePrincipal("malware-protection-plan.guardduty.amazonaws.com"),
                        description="Lets GuardDuty Malware Protection scan and tag new objects of one bucket")
        statements = [
            iam.PolicyStatement(sid="AllowManagedRuleToSendS3EventsToGuardDuty",
                                actions=["events:PutRule", "events:DeleteRule", "events:PutTargets", "events:RemoveTargets"],
                                resources=[rule_arn],
                                conditions={"StringLike": {"events:ManagedBy": "malware-protection-plan.guardduty.amazonaws.com"}}),
            iam.PolicyStatement(sid="AllowGuardDutyToMonitorEventBridgeManagedRule",
                                actions=["events:DescribeRule", "events:ListTargetsByRule"], resources=[rule_arn]),
            iam.PolicyStatement(sid="AllowPostScanTag",
                                actions=["s3:PutObjectTagging", "s3:GetObjectTagging", "s3:PutObjectVersionTagging",
                                         "s3:GetObjectVersionTagging"],
                                resources=[bucket.arn_for_objects("*")]),
            iam.PolicyStatement(sid="AllowEnableS3EventBridgeEvents",
                                actions=["s3:PutBucketNotification", "s3:GetBucketNotification"],
                                resources=[bucket.bucket_arn]),
            iam.PolicyStatement(sid="AllowPutValidationObject", actions=["s3:PutObject"],
                                resources=[bucket.arn_for_objects("malware-protection-resource-validation-object")]),
            iam.PolicyStatement(sid="AllowCheckBucketOwnership", actions=["s3:ListBucket"], resources=[bucket.bucket_arn]),
            iam.PolicyStatement(sid="AllowMalwareScan", actions=["s3:GetObject", "s3:GetObjectVersion"],
                                resources=[bucket.arn_for_objects("*")]),
        ]
        if bucket.encryption_key is not None:
            statements.append(iam.PolicyStatement(
                sid="AllowDecryptForMalwareScan", actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=[bucket.encryption_key.key_arn],
                conditions={"StringLike": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"}}))
        policy = iam.Policy(scope, "Policy", statements=statements)
        policy.attach_to_role(role)
        acknowledge_iam5(policy, [rule_arn, bucket.arn_for_objects("*")],
                         "The GuardDuty-documented Malware Protection policy: scan and tag any new object of this one "
                         "bucket, and manage the EventBridge rule GuardDuty creates under a fixed name prefix.")
        plan = guardduty.CfnMalwareProtectionPlan(
            scope, "Plan", role=role.role_arn,
            protected_resource=guardduty.CfnMalwareProtectionPlan.CFNProtectedResourceProperty(
                s3_bucket=guardduty.CfnMalwareProtectionPlan.S3BucketProperty(bucket_name=bucket.bucket_name)),
            actions=guardduty.CfnMalwareProtectionPlan.CFNActionsProperty(
                tagging=guardduty.CfnMalwareProtectionPlan.CFNTaggingProperty(status="ENABLED" if tag else "DISABLED")),
        )
        plan.node.add_dependency(policy)
        return plan

    @property
    def detector_id(self) -> Optional[str]:
        return self.detector.ref if self.detector is not None else None
