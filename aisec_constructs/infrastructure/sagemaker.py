"""SageMaker, secure by default: a notebook, an approved model package registry, and a model endpoint.

L1 resources (``aws_cdk.aws_sagemaker``); property names and enums checked against the cfn-lint resource
schemas (``scripts/cfn_schema.py AWS::SageMaker::<Type>``).

:class:`SecureNotebook` (AISEC-INF-14, INF-17, DATA-26; Security Hub SageMaker.1, .2, .3, .8, .21):

* in a workload subnet of an :class:`IsolatedNetwork` (``SubnetId``, the network's workload security group),
  ``DirectInternetAccess: Disabled``, ``RootAccess: Disabled``, IMDSv2 only
  (``InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion: "2"``);
* its storage volume encrypted with a customer managed key (``KmsKeyId``; create-only);
* its own execution role trusted by ``sagemaker.amazonaws.com`` for this account, with no policy: grant it what
  the notebook's users need;
* the ``sagemaker.api`` and ``sagemaker.runtime`` interface endpoints are added to the network (an isolated
  notebook reaches SageMaker only through them).

Opt-outs (recorded; the rule keeps reporting them): ``allow_root_access``, ``allow_direct_internet_access``.

:class:`ModelPackageGroup` (AISEC-APP-29): an ``AWS::SageMaker::ModelPackageGroup``; :meth:`add_version`
registers a package (``AWS::SageMaker::ModelPackage``) that stays ``PendingManualApproval`` unless it is
approved with an ``approval_description`` naming the review. The approval is then a reviewed change of
the template; a package approved in the registry (``UpdateModelPackage``) is deployed by its ARN.

:class:`SecureModelEndpoint` (AISEC-INF-15, INF-16, INF-18, DATA-26, DATA-27, APP-25, APP-29):

* the model comes from a model package (``PrimaryContainer.ModelPackageName``): an approved
  ``add_version`` package (anything else is refused at synth time) or the ARN of a package version approved
  in a registry (the construct cannot see its status);
* ``EnableNetworkIsolation: true`` and ``VpcConfig`` (the network's workload subnets and security group);
* two instances in the production variant by default (``initial_instance_count``; Security Hub SageMaker.4 and
  AISEC-INF-18 ask for more than one, so the variant survives an instance or Availability Zone failure; set 1
  for a development endpoint and acknowledge the finding);
* the endpoint configuration's ``KmsKeyId`` (instance storage) and ``DataCaptureConfig.KmsKeyId`` (captured
  requests and responses) are a customer managed key;
* data capture on (``EnableCapture: true``, input and output, ``InitialSamplingPercentage`` 100 by default) to
  a :class:`~aisec_constructs.data.SecureBucket`;
* with ``monitoring_image_uri`` (the Region's Model Monitor analyzer image): a data-quality job definition
  (network-isolated, in the VPC, encrypted volume and output, inter-container traffic encryption) and an hourly
  ``AWS::SageMaker::MonitoringSchedule`` on the endpoint (APP-25, an Enhanced control). Drift is judged
  against a baseline: ``baseline_uri`` is the S3 folder where a baselining job (``suggest_baseline`` in the
  SageMaker Python SDK, over the training data) wrote ``constraints.json`` and ``statistics.json``; without
  one the schedule only records statistics of the captured traffic;
* an execution role trusted by SageMaker for this account: read the model data, write capture and monitoring
  output, use the key, and the ENI permissions SageMaker needs to place the containers in the VPC.

Opt-outs (recorded; the rules keep reporting them): ``allow_without_vpc`` (no ``VpcConfig``; network isolation
stays on), ``allow_without_monitoring`` (no monitoring schedule).

:class:`SecureFeatureGroup` (AISEC-DATA-28; Security Hub SageMaker.17, .18): a feature group whose online store
(standard storage, ``OnlineStoreConfig.SecurityConfig.KmsKeyId``) and offline store (a
:class:`~aisec_constructs.data.SecureBucket`, ``OfflineStoreConfig.S3StorageConfig.KmsKeyId``) are encrypted with
one customer managed key (both create-only), and its own role trusted by SageMaker for this account that may write
the offline store and use the key. ``online_store`` / ``offline_store`` choose the stores (at least one).
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Union

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from ..annotations import record_opt_out
from ..data.buckets import SecureBucket
from ..data.keys import EncryptionKey
from ..nag import acknowledge_iam5
from .network import IsolatedNetwork

#: The secure defaults of the SageMaker constructs, in one place.
DEFAULTS: Dict[str, Any] = {
    "notebook_instance_type": "ml.t3.medium",
    "notebook_volume_gb": 20,
    "endpoint_instance_type": "ml.m5.large",
    "capture_sampling_percentage": 100,
    "monitoring_schedule": "cron(0 * ? * * *)",
    "monitoring_instance_type": "ml.m5.xlarge",
}
SAGEMAKER = "sagemaker.amazonaws.com"
#: What SageMaker needs in the execution role to attach a model's containers to the VPC (IAM has no
#: resource-level scoping for the Describe calls; CreateNetworkInterface is scoped by the VPC condition).
VPC_ACTIONS = ("ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
               "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs",
               "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups")
KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:DescribeKey")


def sagemaker_role(scope: Construct, construct_id: str, description: str) -> iam.Role:
    """A role only SageMaker in this account may assume (``aws:SourceAccount``)."""
    return iam.Role(scope, construct_id, description=description, assumed_by=iam.ServicePrincipal(
        SAGEMAKER, conditions={"StringEquals": {"aws:SourceAccount": cdk.Stack.of(scope).account}}))


class SecureNotebook(Construct):
    """A notebook instance without internet or root, in an isolated subnet, on a CMK-encrypted volume."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        network: IsolatedNetwork,
        encryption_key: Optional[EncryptionKey] = None,
        instance_type: str = DEFAULTS["notebook_instance_type"],
        volume_size_gb: int = DEFAULTS["notebook_volume_gb"],
        role: Optional[iam.IRole] = None,
        allow_root_access: bool = False,
        allow_direct_internet_access: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="SageMaker notebook volume")
        self.role = role or sagemaker_role(self, "Role", "Execution role of one SageMaker notebook instance")
        for service in ("sagemaker.api", "sagemaker.runtime"):
            network.add_interface_endpoint(service)
        if allow_root_access:
            record_opt_out(self, "allow_root_access", "notebook users are root on the instance (AISEC-INF-14)")
        if allow_direct_internet_access:
            record_opt_out(self, "allow_direct_internet_access",
                           "the notebook reaches the internet directly, bypassing the VPC (AISEC-INF-14)")
        self.notebook = sagemaker.CfnNotebookInstance(
            self, "Notebook",
            instance_type=instance_type,
            role_arn=self.role.role_arn,
            subnet_id=network.subnet_ids[0],
            security_group_ids=network.workload_security_group_ids,
            direct_internet_access="Enabled" if allow_direct_internet_access else "Disabled",
            root_access="Enabled" if allow_root_access else "Disabled",
            kms_key_id=self.encryption_key.key_arn,
            volume_size_in_gb=volume_size_gb,
            instance_metadata_service_configuration=sagemaker.CfnNotebookInstance
            .InstanceMetadataServiceConfigurationProperty(minimum_instance_metadata_service_version="2"),
        )
        self.encryption_key.key.grant(self.role, *KEY_ACTIONS)

    @property
    def notebook_name(self) -> str:
        return self.notebook.attr_notebook_instance_name


class SecureFeatureGroup(Construct):
    """A SageMaker feature group whose online and offline stores are encrypted with a customer managed key."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        feature_group_name: str,
        record_identifier: str,
        event_time: str,
        features: Dict[str, str],
        encryption_key: Optional[EncryptionKey] = None,
        online_store: bool = True,
        offline_store: bool = True,
    ) -> None:
        """``features`` maps each feature name to its type (``String``, ``Integral``, ``Fractional``); it must
        hold ``record_identifier`` and ``event_time``."""
        super().__init__(scope, construct_id)
        if not (online_store or offline_store):
            raise ValueError("SecureFeatureGroup needs an online store, an offline store or both")
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="SageMaker feature store")
        self.role = sagemaker_role(self, "Role", "Role of one SageMaker feature group (offline store writes)")
        self.offline_bucket: Optional[SecureBucket] = None
        offline = None
        if offline_store:
            self.offline_bucket = SecureBucket(self, "OfflineStore", encryption_key=self.encryption_key)
            # what AmazonSageMakerFeatureStoreAccess grants, on this bucket only (no Object Lock or version actions)
            objects = self.offline_bucket.bucket.arn_for_objects("offline-store/*")
            self.role.add_to_policy(iam.PolicyStatement(
                actions=["s3:PutObject", "s3:PutObjectAcl", "s3:GetObject"], resources=[objects]))
            acknowledge_iam5(self.role, [objects], "the feature group writes one object per record batch under "
                                                   "the offline-store/ prefix of its own bucket; object keys are "
                                                   "chosen by SageMaker")
            self.role.add_to_policy(iam.PolicyStatement(
                actions=["s3:GetBucketAcl", "s3:ListBucket"], resources=[self.offline_bucket.bucket_arn]))
            offline = {"S3StorageConfig": {"S3Uri": f"s3://{self.offline_bucket.bucket_name}/offline-store",
                                           "KmsKeyId": self.encryption_key.key_arn}}
        online = {"EnableOnlineStore": True, "SecurityConfig": {"KmsKeyId": self.encryption_key.key_arn}} \
            if online_store else None
        self.encryption_key.key.grant(self.role, *KEY_ACTIONS)
        self.feature_group = sagemaker.CfnFeatureGroup(
            self, "FeatureGroup",
            feature_group_name=feature_group_name,
            record_identifier_feature_name=record_identifier,
            event_time_feature_name=event_time,
            feature_definitions=[sagemaker.CfnFeatureGroup.FeatureDefinitionProperty(feature_name=name,
                                                                                     feature_type=kind)
                                 for name, kind in features.items()],
            online_store_config=online,
            offline_store_config=offline,
            role_arn=self.role.role_arn,
        )
        self.feature_group.node.add_dependency(self.role)


class ModelPackageGroup(Construct):
    """A model registry group whose packages wait for approval before they can be deployed."""

    def __init__(self, scope: Construct, construct_id: str, *, name: str,
                 description: str = "aisec: models are deployed only once approved") -> None:
        super().__init__(scope, construct_id)
        self.group = sagemaker.CfnModelPackageGroup(self, "Group", model_package_group_name=name,
                                                    model_package_group_description=description)
        self.name = name

    def add_version(self, construct_id: str, *, image_uri: str, model_data_url: Optional[str] = None,
                    content_types: Sequence[str] = ("application/json",),
                    response_types: Sequence[str] = ("application/json",),
                    approval_description: Optional[str] = None) -> sagemaker.CfnModelPackage:
        """Register a model version. It stays ``PendingManualApproval`` unless ``approval_description`` (who
        reviewed what) is given, which approves it."""
        package = sagemaker.CfnModelPackage(
            self, construct_id,
            model_package_group_name=self.name,
            model_package_description=f"{self.name} {construct_id}",
            inference_specification=sagemaker.CfnModelPackage.InferenceSpecificationProperty(
                containers=[sagemaker.CfnModelPackage.ModelPackageContainerDefinitionProperty(
                    image=image_uri, model_data_url=model_data_url)],
                supported_content_types=list(content_types), supported_response_mime_types=list(response_types)),
            model_approval_status="Approved" if approval_description else "PendingManualApproval",
            approval_description=approval_description,
        )
        package.node.add_dependency(self.group)
        return package


ModelSource = Union[sagemaker.CfnModelPackage, str]


class SecureModelEndpoint(Construct):
    """A real-time endpoint for a model from an approved package: network-isolated, in the VPC, CMK-encrypted,
    capturing its traffic, watched by a Model Monitor schedule."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model_package: ModelSource,
        network: Optional[IsolatedNetwork] = None,
        encryption_key: Optional[EncryptionKey] = None,
        capture_bucket: Optional[SecureBucket] = None,
        model_data_bucket: Optional[SecureBucket] = None,
        instance_type: str = DEFAULTS["endpoint_instance_type"],
        initial_instance_count: int = 2,
        capture_sampling_percentage: int = DEFAULTS["capture_sampling_percentage"],
        monitoring_image_uri: Optional[str] = None,
        monitoring_schedule: str = DEFAULTS["monitoring_schedule"],
        baseline_uri: Optional[str] = None,
        allow_without_vpc: bool = False,
        allow_without_monitoring: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if isinstance(model_package, sagemaker.CfnModelPackage):
            status = model_package.model_approval_status
            if status != "Approved":
                raise ValueError(f"SecureModelEndpoint: model package {model_package.node.path} is {status or 'not set'}; "
                                 "deploy only approved packages (ModelPackageGroup.add_version(approval_description=...)) "
                                 "(AISEC-APP-29)")
            package_name = model_package.attr_model_package_arn
        else:
            package_name = model_package
        if network is None and not allow_without_vpc:
            raise ValueError("SecureModelEndpoint: give network (an IsolatedNetwork), or allow_without_vpc=True "
                             "(recorded opt-out, AISEC-INF-15)")
        if monitoring_image_uri is None and not allow_without_monitoring:
            raise ValueError("SecureModelEndpoint: give monitoring_image_uri (the Region's Model Monitor analyzer "
                             "image) for the data-quality schedule, or allow_without_monitoring=True (recorded "
                             "opt-out, AISEC-APP-25)")
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="SageMaker endpoint data")
        self.encryption_key.allow_service(SAGEMAKER)
        self.capture_bucket = capture_bucket or SecureBucket(self, "Capture", encryption_key=self.encryption_key)
        self.role = sagemaker_role(self, "Role", "Execution role of one SageMaker model")
        self._grant_buckets(model_data_bucket)

        vpc_config = None
        if network is not None:
            vpc_config = sagemaker.CfnModel.VpcConfigProperty(subnets=network.subnet_ids,
                                                              security_group_ids=network.workload_security_group_ids)
            self.role.add_to_principal_policy(iam.PolicyStatement(sid="PlaceContainersInVpc", actions=list(VPC_ACTIONS),
                                                                  resources=["*"]))
            Validations.of(self.role).acknowledge(Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="SageMaker creates and describes the network interfaces of the model containers in the VPC; "
                       "these EC2 actions do not support resource-level permissions (the SageMaker developer guide's "
                       "VPC policy)."))
        else:
            record_opt_out(self, "allow_without_vpc", "the model containers run outside your VPC; network isolation "
                                                      "still blocks their calls (AISEC-INF-15)")

        self.model = sagemaker.CfnModel(
            self, "Model",
            execution_role_arn=self.role.role_arn,
            enable_network_isolation=True,
            vpc_config=vpc_config,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(model_package_name=package_name),
        )
        self.model.node.add_dependency(self.role)
        capture_uri = f"s3://{self.capture_bucket.bucket_name}/capture"
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self, "Config",
            kms_key_id=self.encryption_key.key_arn,
            production_variants=[sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                variant_name="AllTraffic", model_name=self.model.attr_model_name, instance_type=instance_type,
                initial_instance_count=initial_instance_count, initial_variant_weight=1)],
            data_capture_config=sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
                enable_capture=True, initial_sampling_percentage=capture_sampling_percentage,
                destination_s3_uri=capture_uri, kms_key_id=self.encryption_key.key_arn,
                capture_options=[sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode=m)
                                 for m in ("Input", "Output")]),
        )
        self.endpoint = sagemaker.CfnEndpoint(self, "Endpoint",
                                              endpoint_config_name=self.endpoint_config.attr_endpoint_config_name)

        self.monitoring_schedule: Optional[sagemaker.CfnMonitoringSchedule] = None
        if monitoring_image_uri is not None:
            self._monitor(monitoring_image_uri, monitoring_schedule, network, baseline_uri)
        else:
            record_opt_out(self, "allow_without_monitoring", "no Model Monitor schedule watches the endpoint for "
                                                             "drift (AISEC-APP-25)")

    @property
    def endpoint_name(self) -> str:
        return self.endpoint.attr_endpoint_name

    @property
    def endpoint_arn(self) -> str:
        return self.endpoint.attr_endpoint_arn

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """``sagemaker:InvokeEndpoint`` on this endpoint only."""
        return iam.Grant.add_to_principal(grantee=grantee, actions=["sagemaker:InvokeEndpoint"],
                                          resource_arns=[self.endpoint_arn])

    def _grant_buckets(self, model_data: Optional[SecureBucket]) -> None:
        """Least privilege on the buckets: write and read capture and monitoring objects (the monitoring job reads
        what the endpoint captured), read the model artefacts; the keys of both buckets."""
        capture = self.capture_bucket
        self.role.add_to_principal_policy(iam.PolicyStatement(
            sid="CaptureObjects", actions=["s3:PutObject", "s3:GetObject"], resources=[capture.bucket.arn_for_objects("*")]))
        self.role.add_to_principal_policy(iam.PolicyStatement(
            sid="CaptureBucket", actions=["s3:ListBucket"], resources=[capture.bucket_arn]))
        wildcards = [capture.bucket.arn_for_objects("*")]
        keys = [self.encryption_key.key, capture.encryption_key.key]
        if model_data is not None:
            self.role.add_to_principal_policy(iam.PolicyStatement(
                sid="ModelArtefacts", actions=["s3:GetObject"], resources=[model_data.bucket.arn_for_objects("*")]))
            wildcards.append(model_data.bucket.arn_for_objects("*"))
            keys.append(model_data.encryption_key.key)
        for key in dict.fromkeys(keys):
            key.grant(self.role, *KEY_ACTIONS)
        acknowledge_iam5(self.role, wildcards,
                         "SageMaker writes captured traffic and monitoring reports under generated keys, and reads the "
                         "model artefacts, in buckets that belong to this endpoint.")

    def _monitor(self, image_uri: str, schedule: str, network: Optional[IsolatedNetwork],
                 baseline_uri: Optional[str]) -> None:
        name = "".join(c for c in cdk.Names.unique_id(self) if c.isalnum())[-50:]
        output = f"s3://{self.capture_bucket.bucket_name}/monitoring"
        network_config = sagemaker.CfnDataQualityJobDefinition.NetworkConfigProperty(
            enable_network_isolation=True, enable_inter_container_traffic_encryption=True,
            vpc_config=sagemaker.CfnDataQualityJobDefinition.VpcConfigProperty(
                subnets=network.subnet_ids, security_group_ids=network.workload_security_group_ids)
            if network is not None else None)
        self.job_definition = sagemaker.CfnDataQualityJobDefinition(
            self, "DataQuality",
            job_definition_name=f"{name}-dq",
            role_arn=self.role.role_arn,
            data_quality_app_specification=sagemaker.CfnDataQualityJobDefinition.DataQualityAppSpecificationProperty(
                image_uri=image_uri),
            data_quality_job_input=sagemaker.CfnDataQualityJobDefinition.DataQualityJobInputProperty(
                endpoint_input=sagemaker.CfnDataQualityJobDefinition.EndpointInputProperty(
                    endpoint_name=self.endpoint.attr_endpoint_name, local_path="/opt/ml/processing/input")),
            data_quality_job_output_config=sagemaker.CfnDataQualityJobDefinition.MonitoringOutputConfigProperty(
                kms_key_id=self.encryption_key.key_arn,
                monitoring_outputs=[sagemaker.CfnDataQualityJobDefinition.MonitoringOutputProperty(
                    s3_output=sagemaker.CfnDataQualityJobDefinition.S3OutputProperty(
                        local_path="/opt/ml/processing/output", s3_uri=output))]),
            job_resources=sagemaker.CfnDataQualityJobDefinition.MonitoringResourcesProperty(
                cluster_config=sagemaker.CfnDataQualityJobDefinition.ClusterConfigProperty(
                    instance_count=1, instance_type=DEFAULTS["monitoring_instance_type"], volume_size_in_gb=20,
                    volume_kms_key_id=self.encryption_key.key_arn)),
            network_config=network_config,
            data_quality_baseline_config=sagemaker.CfnDataQualityJobDefinition.DataQualityBaselineConfigProperty(
                constraints_resource=sagemaker.CfnDataQualityJobDefinition.ConstraintsResourceProperty(
                    s3_uri=f"{baseline_uri.rstrip('/')}/constraints.json"),
                statistics_resource=sagemaker.CfnDataQualityJobDefinition.StatisticsResourceProperty(
                    s3_uri=f"{baseline_uri.rstrip('/')}/statistics.json")) if baseline_uri else None,
            stopping_condition=sagemaker.CfnDataQualityJobDefinition.StoppingConditionProperty(
                max_runtime_in_seconds=1800),
        )
        self.job_definition.node.add_dependency(self.role)
        self.monitoring_schedule = sagemaker.CfnMonitoringSchedule(
            self, "Monitoring",
            monitoring_schedule_name=f"{name}-monitor",
            endpoint_name=self.endpoint.attr_endpoint_name,
            monitoring_schedule_config=sagemaker.CfnMonitoringSchedule.MonitoringScheduleConfigProperty(
                monitoring_job_definition_name=self.job_definition.job_definition_name,
                monitoring_type="DataQuality",
                schedule_config=sagemaker.CfnMonitoringSchedule.ScheduleConfigProperty(schedule_expression=schedule)),
        )
        self.monitoring_schedule.node.add_dependency(self.job_definition)

