"""AWS names both packages need: the interface endpoint services of AI callers, the AWS Config
managed rules and Security Hub standard of the AI Security Best Practices standard, the resource
type of aisec's model invocation logging custom resource, and the denials of the organization's guardrails.

The rule pack reads these to judge templates and the constructs use them to build resources, so each
name is written once, here.

Endpoint services are the suffix of a VPC endpoint's ``ServiceName`` after the Region
(``com.amazonaws.<region>.bedrock-runtime``); the AgentCore developer guide ("Use interface VPC
endpoints") names ``bedrock-agentcore`` for the data plane and ``bedrock-agentcore.gateway`` for
gateways.

Config rules: The AWS Config managed rules behind the Security Hub AI Security Best Practices standard, per
resource type they evaluate. Used by AISEC-APP-27 and ``aisec_constructs.detection.SecurityPosture``.

``Source.SourceIdentifier`` values are the upper-case, underscore form of the rule names (AWS Config
developer guide, one page per rule). Verified on their pages: ``BEDROCK_DATA_SOURCE_ENCRYPTION_ENABLED``
and ``BEDROCKAGENTCORE_RUNTIME_PRIVATE_NETWORK_REQUIRED``. The others follow the same convention from
the names in the Config document history (2026-04-27) and the Security Hub control pages, but their
identifier pages could not be read here (unverified): the construct takes the list as a prop so a
wrong identifier can be replaced without a release.
"""
from typing import Dict, Tuple

BEDROCK_RUNTIME = "bedrock-runtime"
BEDROCK_AGENT_RUNTIME = "bedrock-agent-runtime"
BEDROCK_AGENT = "bedrock-agent"
AGENTCORE = "bedrock-agentcore"
AGENTCORE_GATEWAY = "bedrock-agentcore.gateway"

#: Model invocation logging has no CloudFormation resource: aisec's ``ModelInvocationLogging`` construct
#: configures it through this custom resource, which the rules read as the evidence of logging.
INVOCATION_LOGGING_TYPE = "Custom::AisecModelInvocationLogging"

#: Environment variables by which a function names the bucket it writes audit evidence to: the results
#: bucket of a guardrail probe (issue 20's ``GuardrailProbe``) and the evidence archive of
#: ``AgentContainment``. AISEC-APP-31 treats the bucket each names (a ``Ref``) as an evidence destination.
PROBE_RESULTS_VARIABLE = "AISEC_PROBE_RESULTS_BUCKET"
EVIDENCE_BUCKET_VARIABLE = "AISEC_EVIDENCE_BUCKET"
EVIDENCE_VARIABLES = (PROBE_RESULTS_VARIABLE, EVIDENCE_BUCKET_VARIABLE)

AI_STANDARD_PATH = "standards/ai-security-best-practices/v/1.0.0"

#: resource type -> managed rule identifiers that evaluate it
AI_CONFIG_RULES: Dict[str, Tuple[str, ...]] = {
    "AWS::Bedrock::DataSource": ("BEDROCK_DATA_SOURCE_ENCRYPTION_ENABLED",),
    "AWS::BedrockAgentCore::Runtime": ("BEDROCKAGENTCORE_RUNTIME_PRIVATE_NETWORK_REQUIRED",),
    "AWS::BedrockAgentCore::Gateway": ("BEDROCKAGENTCORE_GATEWAY_AUTHORIZER_ENABLED",
                                       "BEDROCKAGENTCORE_GATEWAY_ENCRYPTION_ENABLED"),
    "AWS::BedrockAgentCore::Memory": ("BEDROCK_AGENTCORE_MEMORY_ENCRYPTION_ENABLED",),
    "AWS::BedrockAgentCore::BrowserCustom": ("BEDROCKAGENTCORE_BROWSERCUSTOM_NETWORK_MODE_NOT_PUBLIC",
                                             "BEDROCKAGENTCORE_BROWSERCUSTOM_RECORDING_ENABLED"),
    "AWS::BedrockAgentCore::CodeInterpreterCustom": ("BEDROCKAGENTCORE_CODEINTERPRETER_NETWORKMODE_CHECK",),
    "AWS::SageMaker::NotebookInstance": ("SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS",
                                         "SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED"),
    "AWS::SageMaker::Model": ("SAGEMAKER_MODEL_MULTICONTAINER_PRIVATE_REGISTRY",),
    "AWS::SageMaker::FeatureGroup": ("SAGEMAKER_FEATUREGROUP_ONLINE_STORE_ENCRYPTION",),
}

#: CloudTrail data events: a template resource type -> (the ``resources.type`` value an advanced event
#: selector must select for it, alternatives that also count). Read by AISEC-APP-20 and ``AuditTrail``.
DATA_EVENT_TYPES: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "AWS::Bedrock::Agent": ("AWS::Bedrock::AgentAlias", ()),
    "AWS::Bedrock::AgentAlias": ("AWS::Bedrock::AgentAlias", ()),
    "AWS::Bedrock::KnowledgeBase": ("AWS::Bedrock::KnowledgeBase", ()),
    "AWS::Bedrock::Flow": ("AWS::Bedrock::FlowAlias", ()),
    "AWS::Bedrock::FlowAlias": ("AWS::Bedrock::FlowAlias", ()),
    "AWS::Bedrock::Guardrail": ("AWS::Bedrock::Guardrail", ()),
    "AWS::Bedrock::Prompt": ("AWS::Bedrock::PromptVersion", ("AWS::Bedrock::Prompt",)),
    "AWS::Bedrock::PromptVersion": ("AWS::Bedrock::PromptVersion", ("AWS::Bedrock::Prompt",)),
    "AWS::BedrockAgentCore::Runtime": ("AWS::BedrockAgentCore::Runtime", ()),
    "AWS::BedrockAgentCore::RuntimeEndpoint": ("AWS::BedrockAgentCore::RuntimeEndpoint", ()),
    "AWS::BedrockAgentCore::Gateway": ("AWS::BedrockAgentCore::Gateway", ()),
    "AWS::BedrockAgentCore::Memory": ("AWS::BedrockAgentCore::Memory", ()),
}

#: What AISEC-APP-33 asks an organization's service control policies to deny, and what
#: ``aisec_constructs.organization.OrganizationGuardrails`` denies: finding detail -> the IAM actions
#: (service authorization reference) that Deny statements must cover, every one of them.
ORGANIZATION_DENIALS: Dict[str, Tuple[str, ...]] = {
    "GuardrailChanges": ("bedrock:DeleteGuardrail", "bedrock:UpdateGuardrail",
                         "bedrock:PutEnforcedGuardrailConfiguration", "bedrock:DeleteEnforcedGuardrailConfiguration"),
    "InvocationLoggingChanges": ("bedrock:PutModelInvocationLoggingConfiguration",
                                 "bedrock:DeleteModelInvocationLoggingConfiguration"),
    "TrailChanges": ("cloudtrail:StopLogging", "cloudtrail:DeleteTrail"),
    "RuntimeOutsideVpc": ("bedrock-agentcore:CreateAgentRuntime", "bedrock-agentcore:UpdateAgentRuntime"),
    "CodeInterpreterOutsideVpc": ("bedrock-agentcore:CreateCodeInterpreter",),
    "BrowserOutsideVpc": ("bedrock-agentcore:CreateBrowser",),
}
#: The denials that hold only for requests outside a VPC: conditioned on the request naming no subnets
#: (``Null`` on these keys, AgentCore developer guide, "Use IAM condition keys with AgentCore VPC settings").
VPC_DENIALS = frozenset({"RuntimeOutsideVpc", "CodeInterpreterOutsideVpc", "BrowserOutsideVpc"})
AGENTCORE_SUBNETS_KEY = "bedrock-agentcore:subnets"
AGENTCORE_SECURITY_GROUPS_KEY = "bedrock-agentcore:securityGroups"
