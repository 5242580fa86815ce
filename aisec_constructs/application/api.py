"""SecureApi: the front door of an assistant or agent, authenticated, rate limited, logged and traced.

Why a REST API (``AWS::ApiGateway::RestApi``) and not an HTTP API: AWS WAF can be associated with REST API
stages only (HTTP and WebSocket APIs cannot carry a web ACL, AISEC-INF-10), REST APIs authorize each method
with IAM (SigV4) or a Cognito user pool authorizer, they have a ``PRIVATE`` endpoint type (reachable only
through interface VPC endpoints, for internal assistants) and a resource policy, and they validate request
bodies against a JSON schema before the model is called.

What it guarantees by default (every value below comes from :data:`DEFAULTS` or the constructor):

* **every method has an authorizer** (AISEC-APP-17): IAM (``AWS_IAM``) unless ``user_pool`` is given, then a
  Cognito user pool authorizer (``COGNITO_USER_POOLS``). The authorization is the API's default method
  option, so methods added with :meth:`add_method` (or directly on :attr:`rest_api`) inherit it. A method
  without one exists only when it is named in ``unauthenticated_methods`` (``"GET /health"``): recorded as an
  opt-out on that method, and AISEC-APP-17 keeps reporting it until it is acknowledged; any other method
  without authorization (added directly with ``AuthorizationType.NONE``) fails the synth (a construct
  validation);
* **a regional WAF web ACL** (AISEC-INF-10, -11) associated with the stage: the AWS managed common, known bad
  inputs and IP reputation rule groups and a per-IP rate-based rule (``rate_limit`` requests per 5 minutes),
  also associated with ``user_pool`` (its sign-in endpoints are an entry point too) unless
  ``protect_user_pool=False``. The pool's own settings (MFA from Enhanced on, AISEC-APP-17) are the pool's.
  ``allow_without_waf=True`` leaves it out (recorded; AISEC-INF-10 still reports the stage). A ``PRIVATE``
  API gets no web ACL: AISEC-INF-10 counts only public entry points, and its resource policy admits only
  the VPC endpoints given;
* **stage throttling** (AISEC-INF-11): ``throttling_rate_limit`` / ``throttling_burst_limit`` for every method;
* **access logs** in JSON to a :class:`~aisec_constructs.data.SecureLogGroup` (KMS, one year, personal data
  masked) and **X-Ray tracing** on the stage;
* **TLS**: the execute-api endpoint has no plain-HTTP listener at all, so a resource-policy statement denying
  ``aws:SecureTransport=false`` (the S3 idiom) never matches anything on API Gateway. The control that does
  apply is the minimum TLS version: a new regional REST API defaults to ``TLS_1_0``; this construct sets the
  enhanced security policy ``SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09`` (TLS 1.3 and 1.2 with forward secrecy)
  with endpoint access mode ``STRICT`` (requests must arrive through the API's own endpoint type, SNI must
  match), both from the API Gateway developer guide ("Security policies for REST APIs");
* **request validation**: one validator (body and parameters); :meth:`add_method` attaches a JSON-schema model
  when given ``request_schema``;
* **endpoint type** ``REGIONAL``; ``endpoint_type="PRIVATE"`` with ``vpc_endpoints`` creates a private API
  whose resource policy allows ``execute-api:Invoke`` only through those endpoints (``aws:SourceVpce``), for
  this account's principals with IAM authorization (any caller with a Cognito token otherwise; the
  authorizer still checks the token).

cdk-nag: ``AwsSolutions-APIG6`` (execution logging) is acknowledged with its reason (it needs API Gateway's
account-wide CloudWatch role and would copy prompts outside the masked log groups); with IAM authorization,
``AwsSolutions-COG4`` on each method (callers are IAM principals, which AISEC-APP-17 accepts); on a private API,
``AwsSolutions-APIG3`` (no WAF in front of a private endpoint).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, cast

import aws_cdk as cdk
import jsii
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct, IValidation

from ..annotations import record_opt_out
from ..data import EncryptionKey, SecureLogGroup

#: The secure defaults of a SecureApi, in one place.
DEFAULTS: Dict[str, Any] = {
    "stage_name": "prod",
    "throttling_rate_limit": 20,
    "throttling_burst_limit": 40,
    "rate_limit": 1000,
    "security_policy": "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
    "endpoint_access_mode": "STRICT",
}
#: AWS managed rule groups of the web ACL, in priority order.
MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                       "AWSManagedRulesAmazonIpReputationList")
REGIONAL = "REGIONAL"
PRIVATE = "PRIVATE"


def regional_web_acl(scope: Construct, construct_id: str, *, rate_limit: int = DEFAULTS["rate_limit"],
                     metric_name: Optional[str] = None) -> wafv2.CfnWebACL:
    """A regional web ACL: the AWS managed common, known-bad-inputs and IP reputation rule groups, and a
    rate-based rule blocking any client IP above ``rate_limit`` requests per 5 minutes."""
    def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(cloud_watch_metrics_enabled=True, metric_name=name,
                                                        sampled_requests_enabled=True)

    rules = [wafv2.CfnWebACL.RuleProperty(
        name=name, priority=priority, override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(vendor_name="AWS", name=name)),
        visibility_config=visibility(name)) for priority, name in enumerate(MANAGED_RULE_GROUPS)]
    rules.append(wafv2.CfnWebACL.RuleProperty(
        name="RateLimit", priority=len(rules), action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
            limit=rate_limit, aggregate_key_type="IP")),
        visibility_config=visibility("RateLimit")))
    return wafv2.CfnWebACL(
        scope, construct_id, scope="REGIONAL", default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        rules=rules, visibility_config=visibility(metric_name or f"{cdk.Stack.of(scope).stack_name}-waf"))


class SecureApi(Construct):
    """A REST API where every method is authorized, behind WAF, throttled, access-logged, traced, TLS 1.2+.

    :param description: the API's description.
    :param user_pool: authorize methods with this Cognito user pool (default: IAM / SigV4).
    :param endpoint_type: ``"REGIONAL"`` (default) or ``"PRIVATE"`` (needs ``vpc_endpoints``).
    :param vpc_endpoints: the interface endpoints (``execute-api``) a private API is reachable through.
    :param encryption_key: key of the access log group (default: the log group's own new key).
    :param access_log_group: an existing :class:`SecureLogGroup` for access logs.
    :param unauthenticated_methods: ``"METHOD /path"`` keys of methods that get no authorizer (opt-out).
    :param allow_without_waf: no web ACL in front of a regional API (opt-out).
    :param protect_user_pool: associate the web ACL with ``user_pool`` as well (default; a pool has one web ACL,
        so pass False when the pool is shared and guarded elsewhere).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        description: str = "aisec: front door of an AI assistant",
        user_pool: Optional[cognito.IUserPool] = None,
        endpoint_type: str = REGIONAL,
        vpc_endpoints: Sequence[ec2.IInterfaceVpcEndpoint] = (),
        encryption_key: Optional[EncryptionKey] = None,
        access_log_group: Optional[SecureLogGroup] = None,
        stage_name: str = DEFAULTS["stage_name"],
        throttling_rate_limit: float = DEFAULTS["throttling_rate_limit"],
        throttling_burst_limit: int = DEFAULTS["throttling_burst_limit"],
        rate_limit: int = DEFAULTS["rate_limit"],
        security_policy: str = DEFAULTS["security_policy"],
        unauthenticated_methods: Sequence[str] = (),
        allow_without_waf: bool = False,
        protect_user_pool: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        endpoint_type = endpoint_type.upper()
        if endpoint_type not in (REGIONAL, PRIVATE):
            raise ValueError("SecureApi: endpoint_type is REGIONAL or PRIVATE (edge-optimized APIs cannot carry a "
                             "regional web ACL)")
        if endpoint_type == PRIVATE and not vpc_endpoints:
            raise ValueError("SecureApi: a PRIVATE API needs vpc_endpoints (the execute-api interface endpoints "
                             "it is reachable through)")
        self.endpoint_type = endpoint_type
        self.unauthenticated_methods = frozenset(_method_key(k) for k in unauthenticated_methods)
        self.access_log_group = access_log_group or SecureLogGroup(self, "AccessLogs", encryption_key=encryption_key)
        self.authorizer: Optional[apigw.IAuthorizer] = None
        if user_pool is not None:
            self.authorizer = apigw.CognitoUserPoolsAuthorizer(self, "Authorizer", cognito_user_pools=[user_pool])
            options = apigw.MethodOptions(authorization_type=apigw.AuthorizationType.COGNITO, authorizer=self.authorizer)
        else:
            options = apigw.MethodOptions(authorization_type=apigw.AuthorizationType.IAM)

        self.rest_api = apigw.RestApi(
            self, "Api", description=description,
            endpoint_configuration=apigw.EndpointConfiguration(
                types=[apigw.EndpointType.PRIVATE if endpoint_type == PRIVATE else apigw.EndpointType.REGIONAL],
                vpc_endpoints=list(vpc_endpoints) or None),
            policy=self._private_policy(vpc_endpoints, iam_auth=user_pool is None) if endpoint_type == PRIVATE else None,
            cloud_watch_role=False,
            default_method_options=options,
            deploy_options=apigw.StageOptions(
                stage_name=stage_name, throttling_rate_limit=throttling_rate_limit,
                throttling_burst_limit=throttling_burst_limit, tracing_enabled=True,
                access_log_destination=apigw.LogGroupLogDestination(self.access_log_group.log_group),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True, http_method=True, ip=True, protocol=True, request_time=True, resource_path=True,
                    response_length=True, status=True, user=True)),
        )
        cfn_api = cast(apigw.CfnRestApi, self.rest_api.node.default_child)
        cfn_api.security_policy = security_policy
        cfn_api.endpoint_access_mode = DEFAULTS["endpoint_access_mode"]
        self.request_validator = self.rest_api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True)
        self.methods: Dict[str, apigw.Method] = {}
        self.node.add_validation(_EveryMethodAuthorized(self))

        self.web_acl: Optional[wafv2.CfnWebACL] = None
        self.web_acl_association: Optional[wafv2.CfnWebACLAssociation] = None
        stage = self.rest_api.deployment_stage
        if endpoint_type == PRIVATE:
            Validations.of(stage).acknowledge(Acknowledgment(
                id="AwsSolutions-APIG3",
                reason="A private API is reachable only through the VPC endpoints its resource policy names; it is not "
                       "a public entry point (AISEC-INF-10), and the stage throttles every method (AISEC-INF-11)."))
        elif allow_without_waf:
            record_opt_out(self, "allow_without_waf", "the public API stage has no WAF web ACL: no managed rules and no "
                                                      "per-client rate limit (AISEC-INF-10)")
        else:
            self.web_acl = regional_web_acl(self, "WebAcl", rate_limit=rate_limit,
                                            metric_name=f"{cdk.Names.unique_id(self)[:100]}-waf")
            self.web_acl_association = wafv2.CfnWebACLAssociation(
                self, "WebAclAssociation", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn)
            if user_pool is not None and protect_user_pool:
                # the sign-in endpoints are an entry point too (AISEC-INF-10): the same rules guard them
                wafv2.CfnWebACLAssociation(self, "UserPoolWebAclAssociation", resource_arn=user_pool.user_pool_arn,
                                           web_acl_arn=self.web_acl.attr_arn)
        Validations.of(stage).acknowledge(Acknowledgment(
            id="AwsSolutions-APIG6",
            reason="Access logging is on for the stage (JSON, KMS-encrypted log group masking personal data); execution "
                   "logging needs API Gateway's account-wide CloudWatch role (AWS::ApiGateway::Account), an account "
                   "setting this construct does not take over, and it would copy prompts into logs outside the "
                   "PII-masked groups."))

    # -- methods --------------------------------------------------------------------------------------

    def add_method(self, path: str, http_method: str, integration: apigw.Integration, *,
                   request_schema: Optional[apigw.JsonSchema] = None) -> apigw.Method:
        """Add ``http_method`` on ``path`` (``/chat``), authorized like every method unless its key is in
        ``unauthenticated_methods``; with ``request_schema`` the JSON body is validated before the integration."""
        key = _method_key(f"{http_method} {path}")
        resource = self.rest_api.root.resource_for_path(path) if path.strip("/") else self.rest_api.root
        models = None
        if request_schema is not None:
            model = self.rest_api.add_model(f"Model{len(self.methods)}", content_type="application/json",
                                            schema=request_schema)
            models = {"application/json": model}
        open_method = key in self.unauthenticated_methods
        method = resource.add_method(
            key.split(" ")[0], integration, request_validator=self.request_validator, request_models=models,
            authorization_type=apigw.AuthorizationType.NONE if open_method else None)
        if open_method:
            record_opt_out(method, "unauthenticated_methods", f"{key} has no authorizer: anyone who can reach the "
                                                              "API can call it (AISEC-APP-17)")
            Validations.of(method).acknowledge(Acknowledgment(
                id="AwsSolutions-APIG4", reason=f"{key} is named in SecureApi(unauthenticated_methods=...); AISEC-APP-17 "
                                                "still reports it until it is acknowledged with the aisec reason."))
        if self.authorizer is None or open_method:
            Validations.of(method).acknowledge(Acknowledgment(
                id="AwsSolutions-COG4",
                reason="The method uses IAM (SigV4) authorization instead of a Cognito user pool authorizer: callers "
                       "are IAM principals (for example users federated through a Cognito identity pool or IAM "
                       "Identity Center), and AISEC-APP-17 accepts IAM authorization." if not open_method else
                       f"{key} is named in SecureApi(unauthenticated_methods=...), an explicit opt-out."))
        self.methods[key] = method
        return method

    def grant_invoke(self, grantee: iam.IGrantable, http_method: str = "*", path: str = "/*") -> iam.Grant:
        """Let an IAM principal call ``http_method`` on ``path`` of the deployed stage (IAM authorization)."""
        return iam.Grant.add_to_principal(grantee=grantee, actions=["execute-api:Invoke"], resource_arns=[
            self.rest_api.arn_for_execute_api(http_method, path, self.rest_api.deployment_stage.stage_name)])

    @property
    def url(self) -> str:
        return self.rest_api.url

    @property
    def stage(self) -> apigw.Stage:
        return self.rest_api.deployment_stage

    def _private_policy(self, endpoints: Sequence[ec2.IInterfaceVpcEndpoint], *, iam_auth: bool) -> iam.PolicyDocument:
        ids = [e.vpc_endpoint_id for e in endpoints]
        principal = iam.AccountRootPrincipal() if iam_auth else iam.AnyPrincipal()
        return iam.PolicyDocument(statements=[
            iam.PolicyStatement(principals=[principal], actions=["execute-api:Invoke"], resources=["execute-api:/*"],
                                conditions={"StringEquals": {"aws:SourceVpce": ids}}),
            iam.PolicyStatement(effect=iam.Effect.DENY, principals=[iam.AnyPrincipal()], actions=["execute-api:Invoke"],
                                resources=["execute-api:/*"], conditions={"StringNotEquals": {"aws:SourceVpce": ids}}),
        ])


@jsii.implements(IValidation)
class _EveryMethodAuthorized:
    """Synth fails when a method of the API (added through :meth:`SecureApi.add_method` or directly on
    ``rest_api``) has no authorizer and is not named in ``unauthenticated_methods``. CORS preflight
    (``OPTIONS``) methods are exempt: browsers send them without credentials."""

    def __init__(self, api: SecureApi) -> None:
        self.api = api

    def validate(self) -> List[str]:
        errors = []
        for method in self.api.rest_api.methods:
            key = _method_key(f"{method.http_method} {method.resource.path}")
            cfn = cast(apigw.CfnMethod, method.node.default_child)
            if method.http_method.upper() == "OPTIONS" or key in self.api.unauthenticated_methods:
                continue
            if (cfn.authorization_type or "NONE").upper() == "NONE":
                errors.append(f"SecureApi: {key} has no authorizer; every method is authorized (IAM or Cognito) "
                              "unless it is named in unauthenticated_methods (AISEC-APP-17)")
        return errors


def _method_key(key: str) -> str:
    method, _, path = key.strip().partition(" ")
    return f"{method.upper()} /{path.strip().strip('/')}"
