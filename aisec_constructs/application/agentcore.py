"""AgentCore constructs: runtime, gateway (with Cedar policy engine), gateway targets, memory, code
interpreter, browser, online evaluation — private, authenticated, encrypted and bounded by default.

Claim: with default props, :class:`AgentCoreRuntime`, :class:`AgentCoreGateway` (given interceptors),
:class:`AgentCoreGatewayTarget`, :class:`AgentCoreMemory`, :class:`AgentCoreCodeInterpreter`,
:class:`AgentCoreBrowser` and :class:`AgentCoreOnlineEvaluation` satisfy the AgentCore controls of the
catalog at the Advanced phase: INF-05, -06, -07, -08; DATA-05, -06, -07, -09, -13, -19, -20; APP-14, -15,
-16, -22, -28.

Choices (all defaults in the constructors; property names verified against the cfn-lint schemas of
``AWS::BedrockAgentCore::*``; the runtime uses the schema names ``ProtocolConfiguration`` and
``LifecycleConfiguration``, not the ``ServerProtocol``/``SessionConfiguration`` seen in public code):

* **Network.** Runtime, code interpreter and browser run in ``VPC`` mode in the subnets and security groups
  of a :class:`VpcPlacement` (the intended input is the infrastructure layer's ``IsolatedNetwork``).
  ``allow_public_network=True`` (and ``allow_sandbox_network=True`` for the code interpreter) is the
  recorded opt-out; without a placement and without the flag the construct refuses to build.
* **Inbound authorization is explicit.** A runtime takes a :class:`RuntimeAuthorizer` (IAM/SigV4, or a
  custom JWT authorizer with an https discovery URL and allowed clients or audiences); a gateway takes a
  :class:`GatewayAuthorizer` (``AWS_IAM`` or ``CUSTOM_JWT``); ``GatewayAuthorizer.none()`` needs
  ``allow_no_authorizer=True`` (recorded; AISEC-APP-14 reports it).
* **Identity.** Each resource that needs a role gets its own (:class:`~._common.ServiceRole`): trusted by
  ``bedrock-agentcore.amazonaws.com`` for this account's AgentCore resources only, with a permissions
  boundary that mirrors the role's own policy. Model access from a runtime is granted with a condition on
  ``bedrock:GuardrailIdentifier`` (AISEC-DATA-08): give ``guardrail`` with ``models``.
* **Lifecycle.** Runtime sessions end after 15 idle minutes and live at most 8 hours; memory events
  expire after 30 days (longer needs ``long_retention=True``, recorded).
* **Gateway.** Customer managed key; a Cedar policy engine (encrypted with the same key) in ``ENFORCE``
  mode with the given Cedar policies (``ACTIVE``, ``FAIL_ON_ANY_FINDINGS``; no policy means default deny);
  request and response interceptors (Lambda functions you give; ``allow_no_interceptors=True`` is the
  recorded opt-out); a web ACL is associated with ``FAIL_CLOSE`` (AISEC-INF-10): ``web_acl_arn`` or, by
  default, the regional web ACL :class:`~aisec_constructs.application.SecureApi` uses (managed rule groups and
  a rate-based rule; ``allow_no_web_acl=True`` is the recorded opt-out); never a ``DEBUG`` exception level
  (``debug_exceptions=True`` is recorded).
* **Targets** use credential providers, never static keys: Lambda targets the gateway's IAM role, MCP
  servers (``https://`` only) an OAuth credential provider.
* **Browser** sessions are recorded to a :class:`~aisec_constructs.data.SecureBucket`.
* **Observability.** Runtime, gateway and memory deliver their application logs to a
  :class:`~aisec_constructs.data.SecureLogGroup` (CMK, one year, PII masked; share one with ``log_group``).
  The gateway gets a rate limit per tool (``requests_per_minute_per_tool``, 600).
* **Online evaluation** reads the runtime's traces (log group ``/aws/bedrock-agentcore/runtimes/<id>-DEFAULT``,
  service ``<runtime name>.DEFAULT``) with built-in evaluators, enabled.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Sequence, Union

import aws_cdk as cdk
from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from ..annotations import record_opt_out
from ..data import EncryptionKey, SecureBucket, SecureLogGroup
from ._common import LogDelivery, ServiceRole, VpcPlacement, acknowledge_wildcards, resource_name
from .agent import GuardrailReference
from .api import regional_web_acl
from .guardrail import Guardrail

DEFAULTS: Dict[str, Any] = {
    "idle_session_timeout": cdk.Duration.minutes(15),
    "max_lifetime": cdk.Duration.hours(8),
    "memory_event_expiry_days": 30,
    "evaluators": ("Builtin.Helpfulness", "Builtin.Correctness", "Builtin.Faithfulness"),
    "sampling_percentage": 10,
}
MAX_MEMORY_DAYS = 30


def _placement(scope: Construct, network: Optional[VpcPlacement], allow_public: bool, what: str,
               public_mode: str = "PUBLIC"):
    if network is not None:
        return "VPC", network
    if not allow_public:
        raise ValueError(f"{what}: give network=VpcPlacement(...) (private subnets and security groups); "
                         "allow_public_network=True is the explicit opt-out")
    record_opt_out(scope, "allow_public_network", f"the {what} runs in {public_mode} network mode "
                   "(the infrastructure rules report it)")
    return public_mode, None


# -- runtime ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuntimeAuthorizer:
    """Who may invoke a runtime: ``RuntimeAuthorizer.iam()`` (SigV4) or ``RuntimeAuthorizer.jwt(...)``."""

    kind: str
    discovery_url: Optional[str] = None
    allowed_clients: Sequence[str] = ()
    allowed_audience: Sequence[str] = ()

    @classmethod
    def iam(cls) -> "RuntimeAuthorizer":
        return cls("AWS_IAM")

    @classmethod
    def jwt(cls, discovery_url: str, *, allowed_clients: Sequence[str] = (),
            allowed_audience: Sequence[str] = ()) -> "RuntimeAuthorizer":
        if not cdk.Token.is_unresolved(discovery_url) and not discovery_url.startswith("https://"):
            raise ValueError("RuntimeAuthorizer.jwt: the discovery URL must be https://")
        if not allowed_clients and not allowed_audience:
            raise ValueError("RuntimeAuthorizer.jwt: restrict tokens with allowed_clients or allowed_audience")
        if any(v == "*" or "*" in str(v) for v in [*allowed_clients, *allowed_audience]
               if not cdk.Token.is_unresolved(v)):
            raise ValueError("RuntimeAuthorizer.jwt: no wildcards in allowed clients or audiences")
        return cls("CUSTOM_JWT", discovery_url, tuple(allowed_clients), tuple(allowed_audience))


class AgentCoreRuntime(Construct):
    """An AgentCore runtime in VPC mode, with an explicit inbound authorizer and bounded sessions.

    :param repository: ECR repository of the agent image (scan-on-push, immutable tags: AISEC-INF-13).
    :param tag: image tag or ``sha256:`` digest.
    :param models: model or inference-profile ARNs the agent code may invoke (through ``guardrail``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository: ecr.IRepository,
        tag: str,
        authorizer: RuntimeAuthorizer,
        network: Optional[VpcPlacement] = None,
        runtime_name: Optional[str] = None,
        description: Optional[str] = None,
        protocol: str = "HTTP",
        environment: Optional[Mapping[str, str]] = None,
        idle_session_timeout: cdk.Duration = DEFAULTS["idle_session_timeout"],
        max_lifetime: cdk.Duration = DEFAULTS["max_lifetime"],
        models: Sequence[str] = (),
        guardrail: Optional[Union[Guardrail, GuardrailReference]] = None,
        log_group: Optional[SecureLogGroup] = None,
        allow_public_network: bool = False,
        no_permissions_boundary: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        if authorizer is None:
            raise ValueError("AgentCoreRuntime: give an explicit authorizer (RuntimeAuthorizer.iam() or .jwt(...))")
        if models and guardrail is None:
            raise ValueError("AgentCoreRuntime: model access is granted only through a guardrail; give guardrail=")
        mode, placement = _placement(self, network, allow_public_network, "AgentCore runtime")
        self.runtime_name = runtime_name or resource_name(self)
        log_groups = stack.format_arn(service="logs", resource="log-group",
                                      resource_name="/aws/bedrock-agentcore/runtimes/*",
                                      arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
        self.service_role = ServiceRole(self, "ExecutionRole", description=f"aisec: AgentCore runtime {self.runtime_name}",
                                        no_permissions_boundary=no_permissions_boundary, statements=[
            iam.PolicyStatement(sid="Logs", actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                                     "logs:DescribeLogStreams"],
                                resources=[log_groups, f"{log_groups}:log-stream:*"]),
            iam.PolicyStatement(sid="Traces", actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords",
                                                       "xray:GetSamplingRules", "xray:GetSamplingTargets"],
                                resources=["*"]),
            iam.PolicyStatement(sid="Metrics", actions=["cloudwatch:PutMetricData"], resources=["*"],
                                conditions={"StringEquals": {"cloudwatch:namespace": "bedrock-agentcore"}}),
            iam.PolicyStatement(sid="Image", actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                                resources=[repository.repository_arn]),
            iam.PolicyStatement(sid="RegistryToken", actions=["ecr:GetAuthorizationToken"], resources=["*"]),
        ])
        self.role = self.service_role.role
        if models:
            assert guardrail is not None  # required with models (checked above)
            guard = guardrail.guardrail_arn if isinstance(guardrail, Guardrail) else (guardrail.arn or guardrail.identifier)
            version = guardrail.guardrail_version if isinstance(guardrail, Guardrail) else guardrail.version
            self.service_role.add_to_policy(iam.PolicyStatement(
                sid="InvokeModelsThroughGuardrail",
                actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], resources=list(models),
                conditions={"StringEquals": {"bedrock:GuardrailIdentifier": f"{guard}:{version}"}}))
            if isinstance(guardrail, Guardrail):
                self.service_role.add_to_policy(iam.PolicyStatement(
                    sid="ApplyGuardrail", actions=["bedrock:ApplyGuardrail"], resources=[guardrail.guardrail_arn]))
                if guardrail.encryption_key is not None:
                    self.service_role.add_to_policy(iam.PolicyStatement(
                        sid="GuardrailKey", actions=["kms:Decrypt"], resources=[guardrail.encryption_key.key_arn]))
        for target in filter(None, (self.service_role.policy, self.service_role.boundary)):
            acknowledge_wildcards(
                target, resources=["*", log_groups, f"{log_groups}:log-stream:*"],
                reason="The AgentCore runtime execution policy AWS documents: X-Ray and CloudWatch metric actions "
                       "have no resource type (metrics are limited to the bedrock-agentcore namespace), "
                       "ecr:GetAuthorizationToken is account-wide, and the runtime writes to log groups the "
                       "service names per runtime under /aws/bedrock-agentcore/runtimes/.")

        if authorizer.kind == "CUSTOM_JWT":
            assert authorizer.discovery_url is not None  # a CUSTOM_JWT authorizer always has one
            auth = agentcore.CfnRuntime.AuthorizerConfigurationProperty(
                custom_jwt_authorizer=agentcore.CfnRuntime.CustomJWTAuthorizerConfigurationProperty(
                    discovery_url=authorizer.discovery_url,
                    allowed_clients=list(authorizer.allowed_clients) or None,
                    allowed_audience=list(authorizer.allowed_audience) or None))
        else:
            auth = None  # no authorizer configuration: callers must sign with SigV4 and hold IAM permissions
        self.runtime = agentcore.CfnRuntime(
            self, "Runtime",
            agent_runtime_name=self.runtime_name,
            description=description,
            agent_runtime_artifact=agentcore.CfnRuntime.AgentRuntimeArtifactProperty(
                container_configuration=agentcore.CfnRuntime.ContainerConfigurationProperty(
                    container_uri=repository.repository_uri_for_tag_or_digest(tag))),
            role_arn=self.role.role_arn,
            network_configuration=agentcore.CfnRuntime.NetworkConfigurationProperty(
                network_mode=mode,
                network_mode_config=agentcore.CfnRuntime.VpcConfigProperty(
                    subnets=list(placement.subnet_ids), security_groups=list(placement.security_group_ids))
                if placement else None),
            authorizer_configuration=auth,
            protocol_configuration=protocol,
            environment_variables=dict(environment) if environment else None,
            lifecycle_configuration=agentcore.CfnRuntime.LifecycleConfigurationProperty(
                idle_runtime_session_timeout=int(idle_session_timeout.to_seconds()),
                max_lifetime=int(max_lifetime.to_seconds())),
        )
        self.runtime.node.add_dependency(self.service_role)
        self.logs = LogDelivery(self, "ApplicationLogs", resource_arn=self.runtime.attr_agent_runtime_arn,
                                log_group=log_group)

    @property
    def runtime_arn(self) -> str:
        return self.runtime.attr_agent_runtime_arn

    @property
    def runtime_id(self) -> str:
        return self.runtime.attr_agent_runtime_id

    @property
    def log_group_name(self) -> str:
        """The log group the service writes the DEFAULT endpoint's logs and traces to."""
        return f"/aws/bedrock-agentcore/runtimes/{self.runtime_id}-DEFAULT"

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """``bedrock-agentcore:InvokeAgentRuntime`` on this runtime and its ``DEFAULT`` endpoint."""
        return iam.Grant.add_to_principal(grantee=grantee, actions=["bedrock-agentcore:InvokeAgentRuntime"],
                                          resource_arns=[self.runtime_arn,
                                                         f"{self.runtime_arn}/runtime-endpoint/DEFAULT"])


# -- gateway ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayAuthorizer:
    """Who may call a gateway: ``iam()``, ``jwt(...)``; ``none()`` needs ``allow_no_authorizer=True``."""

    kind: str
    discovery_url: Optional[str] = None
    allowed_clients: Sequence[str] = ()
    allowed_audience: Sequence[str] = ()

    @classmethod
    def iam(cls) -> "GatewayAuthorizer":
        return cls("AWS_IAM")

    @classmethod
    def none(cls) -> "GatewayAuthorizer":
        return cls("NONE")

    @classmethod
    def jwt(cls, discovery_url: str, *, allowed_clients: Sequence[str] = (),
            allowed_audience: Sequence[str] = ()) -> "GatewayAuthorizer":
        checked = RuntimeAuthorizer.jwt(discovery_url, allowed_clients=allowed_clients,
                                        allowed_audience=allowed_audience)
        return cls("CUSTOM_JWT", checked.discovery_url, checked.allowed_clients, checked.allowed_audience)


class AgentCoreGateway(Construct):
    """An MCP gateway: authenticated callers, customer managed key, Cedar policy engine, interceptors.

    :param cedar_policies: Cedar statements evaluated for every tool call (none: everything is denied).
    :param request_interceptor: Lambda called on each request (screen tool inputs).
    :param response_interceptor: Lambda called on each response (screen tool outputs); may be the same.
    :param web_acl_arn: a WAFv2 web ACL to associate (fail-closed); by default the construct creates one with a
        rate-based rule (``allow_no_web_acl=True`` leaves the gateway without one, recorded).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        authorizer: GatewayAuthorizer,
        gateway_name: Optional[str] = None,
        description: Optional[str] = None,
        encryption_key: Optional[EncryptionKey] = None,
        cedar_policies: Sequence[str] = (),
        request_interceptor: Optional[lambda_.IFunction] = None,
        response_interceptor: Optional[lambda_.IFunction] = None,
        web_acl_arn: Optional[str] = None,
        instructions: Optional[str] = None,
        requests_per_minute_per_tool: int = 600,
        log_group: Optional[SecureLogGroup] = None,
        allow_no_authorizer: bool = False,
        allow_no_interceptors: bool = False,
        policy_engine_log_only: bool = False,
        debug_exceptions: bool = False,
        no_permissions_boundary: bool = False,
        allow_no_web_acl: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if allow_no_web_acl and web_acl_arn:
            raise ValueError("AgentCoreGateway: give web_acl_arn or allow_no_web_acl=True, not both")
        if authorizer is None:
            raise ValueError("AgentCoreGateway: give an explicit authorizer (GatewayAuthorizer.iam() or .jwt(...))")
        if authorizer.kind == "NONE":
            if not allow_no_authorizer:
                raise ValueError("AgentCoreGateway: AuthorizerType NONE lets anyone call the tools; "
                                 "allow_no_authorizer=True is the explicit opt-out")
            record_opt_out(self, "allow_no_authorizer", "the gateway accepts unauthenticated calls (AISEC-APP-14 reports it)")
        interceptors = {"REQUEST": request_interceptor, "RESPONSE": response_interceptor}
        if None in interceptors.values():
            if not allow_no_interceptors:
                raise ValueError("AgentCoreGateway: give request_interceptor and response_interceptor (screening of tool "
                                 "inputs and outputs, AISEC-APP-16); allow_no_interceptors=True is the explicit opt-out")
            record_opt_out(self, "allow_no_interceptors", "tool inputs or outputs pass the gateway unscreened "
                           "(AISEC-APP-16 reports it at Advanced)")
        if policy_engine_log_only:
            record_opt_out(self, "policy_engine_log_only", "Cedar policy decisions are only logged, not enforced "
                           "(AISEC-APP-15 reports it at Advanced)")
        if debug_exceptions:
            record_opt_out(self, "debug_exceptions", "the gateway returns detailed errors (AISEC-APP-16 reports it)")
        self.web_acl: Optional[wafv2.CfnWebACL] = None
        if allow_no_web_acl:
            record_opt_out(self, "allow_no_web_acl", "the public gateway has no web ACL and no per-client rate limit "
                           "(AISEC-INF-10 reports it)")
        elif web_acl_arn is None:
            self.web_acl = regional_web_acl(self, "DefaultWebAcl", metric_name=f"{resource_name(self)}-waf")
            web_acl_arn = self.web_acl.attr_arn

        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="AgentCore gateway")
        self.service_role = ServiceRole(self, "ServiceRole", description="aisec: AgentCore gateway",
                                        no_permissions_boundary=no_permissions_boundary, statements=[
            iam.PolicyStatement(sid="GatewayKey", actions=["kms:Decrypt", "kms:GenerateDataKey"],
                                resources=[self.encryption_key.key_arn])])
        self.role = self.service_role.role

        self.policy_engine = agentcore.CfnPolicyEngine(
            self, "PolicyEngine", name=resource_name(self), description="aisec: tool authorization for a gateway",
            encryption_key_arn=self.encryption_key.key_arn)
        self.policies = [agentcore.CfnPolicy(
            self, f"Policy{index}", name=f"policy_{index}", policy_engine_id=self.policy_engine.attr_policy_engine_id,
            definition=agentcore.CfnPolicy.PolicyDefinitionProperty(
                cedar=agentcore.CfnPolicy.CedarPolicyProperty(statement=statement)),
            enforcement_mode="LOG_ONLY" if policy_engine_log_only else "ACTIVE",
            validation_mode="FAIL_ON_ANY_FINDINGS") for index, statement in enumerate(cedar_policies)]

        interceptor_configs = []
        functions = {id(f): f for f in interceptors.values() if f is not None}
        for function in functions.values():
            points = [p for p, f in interceptors.items() if f is function]
            interceptor_configs.append(agentcore.CfnGateway.GatewayInterceptorConfigurationProperty(
                interception_points=points,
                interceptor=agentcore.CfnGateway.InterceptorConfigurationProperty(
                    lambda_=agentcore.CfnGateway.LambdaInterceptorConfigurationProperty(arn=function.function_arn)),
                input_configuration=agentcore.CfnGateway.InterceptorInputConfigurationProperty(
                    pass_request_headers=False)))
            self.service_role.add_to_policy(iam.PolicyStatement(
                actions=["lambda:InvokeFunction"], resources=[function.function_arn]))

        auth = None
        if authorizer.kind == "CUSTOM_JWT":
            assert authorizer.discovery_url is not None  # a CUSTOM_JWT authorizer always has one
            auth = agentcore.CfnGateway.AuthorizerConfigurationProperty(
                custom_jwt_authorizer=agentcore.CfnGateway.CustomJWTAuthorizerConfigurationProperty(
                    discovery_url=authorizer.discovery_url,
                    allowed_clients=list(authorizer.allowed_clients) or None,
                    allowed_audience=list(authorizer.allowed_audience) or None))
        self.gateway = agentcore.CfnGateway(
            self, "Gateway",
            name=gateway_name or cdk.Names.unique_resource_name(self, max_length=48, separator="-").replace("_", "-"),
            description=description,
            authorizer_type=authorizer.kind,
            authorizer_configuration=auth,
            role_arn=self.role.role_arn,
            protocol_type="MCP",
            protocol_configuration=agentcore.CfnGateway.GatewayProtocolConfigurationProperty(
                mcp=agentcore.CfnGateway.MCPGatewayConfigurationProperty(instructions=instructions))
            if instructions else None,
            kms_key_arn=self.encryption_key.key_arn,
            policy_engine_configuration=agentcore.CfnGateway.GatewayPolicyEngineConfigurationProperty(
                arn=self.policy_engine.attr_policy_engine_arn, mode="LOG_ONLY" if policy_engine_log_only else "ENFORCE"),
            interceptor_configurations=interceptor_configs or None,
            waf_configuration=agentcore.CfnGateway.WafConfigurationProperty(failure_mode="FAIL_CLOSE")
            if web_acl_arn else None,
            exception_level="DEBUG" if debug_exceptions else None,
        )
        self.gateway.node.add_dependency(self.service_role)
        self.rate_limit = agentcore.CfnGatewayRateLimit(
            self, "RateLimit", gateway_identifier=self.gateway.attr_gateway_identifier, dimension_keys=["toolName"],
            description="aisec: calls per tool per minute",
            entries=[agentcore.CfnGatewayRateLimit.LimitEntryProperty(
                dimensions={"toolName": "*"},
                requests=[agentcore.CfnGatewayRateLimit.RateConfigProperty(period="minute",
                                                                           rate=requests_per_minute_per_tool)])])
        self.logs = LogDelivery(self, "ApplicationLogs", resource_arn=self.gateway.attr_gateway_arn, log_group=log_group)
        self.web_acl_association = wafv2.CfnWebACLAssociation(
            self, "WebAcl", resource_arn=self.gateway.attr_gateway_arn, web_acl_arn=web_acl_arn) if web_acl_arn else None

    @property
    def gateway_arn(self) -> str:
        return self.gateway.attr_gateway_arn

    @property
    def gateway_id(self) -> str:
        return self.gateway.attr_gateway_identifier

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """``bedrock-agentcore:InvokeGateway`` on this gateway (for ``AWS_IAM`` authorization)."""
        return iam.Grant.add_to_principal(grantee=grantee, actions=["bedrock-agentcore:InvokeGateway"],
                                          resource_arns=[self.gateway_arn])


@dataclass(frozen=True)
class ToolSpec:
    """A tool of a Lambda gateway target: name, description and a JSON-schema-like input."""

    name: str
    description: str
    properties: Mapping[str, str] = field(default_factory=dict)  # parameter name -> JSON type
    required: Sequence[str] = ()


class AgentCoreGatewayTarget(Construct):
    """A gateway target that authenticates with a credential provider, never a static key.

    Either ``function`` (a private tool function; the gateway's IAM role invokes it) with ``tools``, or
    ``mcp_endpoint`` (``https://`` only) with ``oauth_provider_arn`` and ``scopes`` (an
    ``AWS::BedrockAgentCore::OAuth2CredentialProvider``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        gateway: AgentCoreGateway,
        function: Optional[lambda_.IFunction] = None,
        tools: Sequence[ToolSpec] = (),
        mcp_endpoint: Optional[str] = None,
        oauth_provider_arn: Optional[str] = None,
        scopes: Sequence[str] = (),
        target_name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if (function is None) == (mcp_endpoint is None):
            raise ValueError("AgentCoreGatewayTarget: give exactly one of function or mcp_endpoint")
        name = target_name or cdk.Names.unique_resource_name(self, max_length=100, separator="-").replace("_", "-")
        if function is not None:
            if not tools:
                raise ValueError("AgentCoreGatewayTarget: a Lambda target needs its tools")
            gateway.service_role.add_to_policy(iam.PolicyStatement(
                actions=["lambda:InvokeFunction"], resources=[function.function_arn]))
            config = agentcore.CfnGatewayTarget.TargetConfigurationProperty(
                mcp=agentcore.CfnGatewayTarget.McpTargetConfigurationProperty(
                    lambda_=agentcore.CfnGatewayTarget.McpLambdaTargetConfigurationProperty(
                        lambda_arn=function.function_arn,
                        tool_schema=agentcore.CfnGatewayTarget.ToolSchemaProperty(inline_payload=[
                            agentcore.CfnGatewayTarget.ToolDefinitionProperty(
                                name=tool.name, description=tool.description,
                                input_schema=agentcore.CfnGatewayTarget.SchemaDefinitionProperty(
                                    type="object", required=list(tool.required) or None,
                                    properties={k: agentcore.CfnGatewayTarget.SchemaDefinitionProperty(type=v)
                                                for k, v in tool.properties.items()} or None))
                            for tool in tools]))))
            credentials = [agentcore.CfnGatewayTarget.CredentialProviderConfigurationProperty(
                credential_provider_type="GATEWAY_IAM_ROLE")]
        else:
            assert mcp_endpoint is not None  # exactly one of function and mcp_endpoint (checked above)
            if not cdk.Token.is_unresolved(mcp_endpoint) and not mcp_endpoint.startswith("https://"):
                raise ValueError("AgentCoreGatewayTarget: MCP servers are reached over https:// only")
            if not oauth_provider_arn or not scopes:
                raise ValueError("AgentCoreGatewayTarget: an MCP server target needs oauth_provider_arn and scopes")
            config = agentcore.CfnGatewayTarget.TargetConfigurationProperty(
                mcp=agentcore.CfnGatewayTarget.McpTargetConfigurationProperty(
                    mcp_server=agentcore.CfnGatewayTarget.McpServerTargetConfigurationProperty(endpoint=mcp_endpoint)))
            credentials = [agentcore.CfnGatewayTarget.CredentialProviderConfigurationProperty(
                credential_provider_type="OAUTH",
                credential_provider=agentcore.CfnGatewayTarget.CredentialProviderProperty(
                    oauth_credential_provider=agentcore.CfnGatewayTarget.OAuthCredentialProviderProperty(
                        provider_arn=oauth_provider_arn, scopes=list(scopes))))]
        self.target = agentcore.CfnGatewayTarget(
            self, "Target", gateway_identifier=gateway.gateway_id, name=name, description=description,
            target_configuration=config, credential_provider_configurations=credentials)
        self.target.node.add_dependency(gateway.service_role)


# -- memory -----------------------------------------------------------------------------------------


class AgentCoreMemory(Construct):
    """AgentCore memory encrypted with a customer managed key; events expire after 30 days."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        memory_name: Optional[str] = None,
        description: Optional[str] = None,
        event_expiry_days: int = DEFAULTS["memory_event_expiry_days"],
        encryption_key: Optional[EncryptionKey] = None,
        strategies: Sequence[agentcore.CfnMemory.MemoryStrategyProperty] = (),
        log_group: Optional[SecureLogGroup] = None,
        long_retention: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if not 3 <= event_expiry_days <= 365:
            raise ValueError("AgentCoreMemory: event_expiry_days must be between 3 and 365")
        if event_expiry_days > MAX_MEMORY_DAYS:
            if not long_retention:
                raise ValueError(f"AgentCoreMemory: events kept more than {MAX_MEMORY_DAYS} days need long_retention=True")
            record_opt_out(self, "long_retention", f"memory events are kept {event_expiry_days} days "
                           "(AISEC-DATA-20 reports it)")
        self.encryption_key = encryption_key or EncryptionKey(self, "Key", purpose="AgentCore memory")
        self.memory = agentcore.CfnMemory(
            self, "Memory", name=memory_name or resource_name(self), description=description,
            event_expiry_duration=event_expiry_days, encryption_key_arn=self.encryption_key.key_arn,
            memory_strategies=list(strategies) or None)
        self.logs = LogDelivery(self, "ApplicationLogs", resource_arn=self.memory.attr_memory_arn, log_group=log_group)

    @property
    def memory_arn(self) -> str:
        return self.memory.attr_memory_arn

    @property
    def memory_id(self) -> str:
        return self.memory.attr_memory_id

    def grant_read_write(self, grantee: iam.IGrantable) -> iam.Grant:
        """Short- and long-term memory operations on this memory, plus the key."""
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=[
            "bedrock-agentcore:CreateEvent", "bedrock-agentcore:GetEvent", "bedrock-agentcore:ListEvents",
            "bedrock-agentcore:ListSessions", "bedrock-agentcore:ListActors", "bedrock-agentcore:RetrieveMemoryRecords",
            "bedrock-agentcore:GetMemoryRecord", "bedrock-agentcore:ListMemoryRecords"], resource_arns=[self.memory_arn])
        iam.Grant.add_to_principal(grantee=grantee, actions=["kms:Decrypt", "kms:GenerateDataKey"],
                                   resource_arns=[self.encryption_key.key_arn])
        return grant


# -- tools ------------------------------------------------------------------------------------------


class AgentCoreCodeInterpreter(Construct):
    """A custom code interpreter in VPC mode (``SANDBOX`` and ``PUBLIC`` are recorded opt-outs)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        network: Optional[VpcPlacement] = None,
        interpreter_name: Optional[str] = None,
        description: Optional[str] = None,
        allow_sandbox_network: bool = False,
        allow_public_network: bool = False,
        no_permissions_boundary: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if network is None and allow_sandbox_network:
            record_opt_out(self, "allow_sandbox_network", "the code interpreter runs in SANDBOX mode outside your VPC "
                           "(AISEC-INF-06 reports it from Enhanced on)")
            mode, placement = "SANDBOX", None
        else:
            mode, placement = _placement(self, network, allow_public_network, "AgentCore code interpreter")
        log_groups = cdk.Stack.of(self).format_arn(
            service="logs", resource="log-group", resource_name="/aws/bedrock-agentcore/code-interpreters/*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
        self.service_role = ServiceRole(self, "ExecutionRole", description="aisec: AgentCore code interpreter",
                                        no_permissions_boundary=no_permissions_boundary, statements=[
            iam.PolicyStatement(sid="Logs", actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                                resources=[f"{log_groups}:log-stream:*"])])
        self.role = self.service_role.role
        for target in filter(None, (self.service_role.policy, self.service_role.boundary)):
            acknowledge_wildcards(target, resources=[f"{log_groups}:log-stream:*"],
                                  reason="Log streams of the service-named code interpreter log groups.")
        self.code_interpreter = agentcore.CfnCodeInterpreterCustom(
            self, "CodeInterpreter", name=interpreter_name or resource_name(self), description=description,
            execution_role_arn=self.role.role_arn,
            network_configuration=agentcore.CfnCodeInterpreterCustom.CodeInterpreterNetworkConfigurationProperty(
                network_mode=mode,
                vpc_config=agentcore.CfnCodeInterpreterCustom.VpcConfigProperty(
                    subnets=list(placement.subnet_ids), security_groups=list(placement.security_group_ids))
                if placement else None))
        self.code_interpreter.node.add_dependency(self.service_role)

    @property
    def code_interpreter_arn(self) -> str:
        return self.code_interpreter.attr_code_interpreter_arn

    def grant_use(self, grantee: iam.IGrantable) -> iam.Grant:
        return iam.Grant.add_to_principal(grantee=grantee, actions=[
            "bedrock-agentcore:StartCodeInterpreterSession", "bedrock-agentcore:InvokeCodeInterpreter",
            "bedrock-agentcore:StopCodeInterpreterSession", "bedrock-agentcore:GetCodeInterpreterSession"],
            resource_arns=[self.code_interpreter_arn])


class AgentCoreBrowser(Construct):
    """A custom browser in VPC mode whose sessions are recorded to a secure bucket."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        network: Optional[VpcPlacement] = None,
        browser_name: Optional[str] = None,
        description: Optional[str] = None,
        recording_bucket: Optional[SecureBucket] = None,
        recording_prefix: str = "browser-sessions/",
        allow_public_network: bool = False,
        no_session_recording: bool = False,
        no_permissions_boundary: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        mode, placement = _placement(self, network, allow_public_network, "AgentCore browser")
        self.service_role: Optional[ServiceRole] = None
        self.role: Optional[iam.IRole] = None
        self.recording_bucket: Optional[SecureBucket] = None
        recording = None
        if no_session_recording:
            record_opt_out(self, "no_session_recording", "browser sessions are not recorded (AISEC-APP-22 reports it)")
        else:
            # the execution role exists to write the recordings
            self.recording_bucket = recording_bucket or SecureBucket(self, "Recordings")
            prefix = recording_prefix.rstrip("/") + "/"
            self.service_role = ServiceRole(self, "ExecutionRole", description="aisec: AgentCore browser",
                                            no_permissions_boundary=no_permissions_boundary, statements=[
                iam.PolicyStatement(sid="Recordings", actions=["s3:PutObject"],
                                    resources=[self.recording_bucket.bucket.arn_for_objects(f"{prefix}*")]),
                iam.PolicyStatement(sid="RecordingKey", actions=["kms:GenerateDataKey", "kms:Decrypt"],
                                    resources=[self.recording_bucket.encryption_key.key_arn])])
            self.role = self.service_role.role
            for target in filter(None, (self.service_role.policy, self.service_role.boundary)):
                acknowledge_wildcards(target, resources=[self.recording_bucket.bucket.arn_for_objects(f"{prefix}*")],
                                      reason="Session recordings are new objects under one prefix of one bucket.")
            recording = agentcore.CfnBrowserCustom.RecordingConfigProperty(
                enabled=True, s3_location=agentcore.CfnBrowserCustom.S3LocationProperty(
                    bucket=self.recording_bucket.bucket_name, prefix=prefix))
        self.browser = agentcore.CfnBrowserCustom(
            self, "Browser", name=browser_name or resource_name(self), description=description,
            execution_role_arn=self.role.role_arn if self.role is not None else None, recording_config=recording,
            network_configuration=agentcore.CfnBrowserCustom.BrowserNetworkConfigurationProperty(
                network_mode=mode,
                vpc_config=agentcore.CfnBrowserCustom.VpcConfigProperty(
                    subnets=list(placement.subnet_ids), security_groups=list(placement.security_group_ids))
                if placement else None))
        if self.service_role is not None:
            self.browser.node.add_dependency(self.service_role)

    @property
    def browser_arn(self) -> str:
        return self.browser.attr_browser_arn


# -- evaluation -------------------------------------------------------------------------------------


class AgentCoreOnlineEvaluation(Construct):
    """Continuous evaluation of a production runtime's sessions with built-in (or custom) evaluators."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: AgentCoreRuntime,
        evaluators: Sequence[str] = DEFAULTS["evaluators"],
        sampling_percentage: float = DEFAULTS["sampling_percentage"],
        config_name: Optional[str] = None,
        service_name: Optional[str] = None,
        no_permissions_boundary: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if not evaluators:
            raise ValueError("AgentCoreOnlineEvaluation: give at least one evaluator")
        if not 0.01 <= sampling_percentage <= 100:
            raise ValueError("AgentCoreOnlineEvaluation: sampling_percentage must be between 0.01 and 100")
        stack = cdk.Stack.of(self)
        log_group_arn = stack.format_arn(service="logs", resource="log-group", resource_name=runtime.log_group_name,
                                         arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
        self.service_role = ServiceRole(self, "ExecutionRole", description="aisec: AgentCore online evaluation",
                                        no_permissions_boundary=no_permissions_boundary, statements=[
            iam.PolicyStatement(sid="ReadTraces", actions=["logs:StartQuery", "logs:GetQueryResults",
                                                           "logs:FilterLogEvents", "logs:DescribeLogStreams",
                                                           "logs:GetLogEvents"],
                                resources=[log_group_arn, f"{log_group_arn}:log-stream:*"])])
        self.role = self.service_role.role
        for target in filter(None, (self.service_role.policy, self.service_role.boundary)):
            acknowledge_wildcards(target, resources=[f"{log_group_arn}:log-stream:*"],
                                  reason="Log streams of the one runtime log group that is evaluated.")
        self.configuration = agentcore.CfnOnlineEvaluationConfig(
            self, "Configuration",
            online_evaluation_config_name=config_name or resource_name(self),
            evaluation_execution_role_arn=self.role.role_arn,
            data_source_config=agentcore.CfnOnlineEvaluationConfig.DataSourceConfigProperty(
                cloud_watch_logs=agentcore.CfnOnlineEvaluationConfig.CloudWatchLogsInputConfigProperty(
                    log_group_names=[runtime.log_group_name],
                    service_names=[service_name or f"{runtime.runtime_name}.DEFAULT"])),
            evaluators=[agentcore.CfnOnlineEvaluationConfig.EvaluatorReferenceProperty(evaluator_id=e)
                        for e in evaluators],
            rule=agentcore.CfnOnlineEvaluationConfig.RuleProperty(
                sampling_config=agentcore.CfnOnlineEvaluationConfig.SamplingConfigProperty(
                    sampling_percentage=sampling_percentage)),
            execution_status="ENABLED",
        )
        self.configuration.node.add_dependency(self.service_role)
