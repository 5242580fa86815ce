"""Prowler's compliance framework for the AWS AI Security Framework: which aisec rules catch each requirement.

Source: ``prowler/compliance/aws/aws_ai_security_framework_aws.json`` of prowler-cloud/prowler at commit
3e000faa3109230b748e4418a13c11c9e59f5cfb (framework "AWS-AI-Security-Framework", version 1.0): 63
requirements listing 218 distinct Prowler checks (236 with repeats), 15 requirements with none ("Manual").
A requirement is judged by the checks it lists (for a manual one, by its description); a rule catches it
when it fails the template that would fail those checks once deployed. The mapping is in the rules'
metadata (``Rule.prowler_aisf``); this module holds the titles and what no rule can carry.
"""
from .coverage import Assessment

SOURCE = ("https://github.com/prowler-cloud/prowler/blob/3e000faa3109230b748e4418a13c11c9e59f5cfb/"
          "prowler/compliance/aws/aws_ai_security_framework_aws.json")

#: requirement id -> name, as the framework file lists them
TITLES = {
    "AISF-INFRA-01": "Bedrock VPC Private Connectivity",
    "AISF-INFRA-02": "Network Firewall for AI Workloads",
    "AISF-INFRA-03": "WAF Protection for AI Endpoints",
    "AISF-INFRA-04": "DDoS Protection for AI Infrastructure",
    "AISF-INFRA-05": "Encryption at Rest for AI Data",
    "AISF-INFRA-06": "Encryption in Transit for AI Workloads",
    "AISF-INFRA-07": "Customer-Managed Key Governance",
    "AISF-INFRA-08": "VPC Security for AI Workloads",
    "AISF-INFRA-09": "Hardware-Enforced Compute Isolation",
    "AISF-IAM-01": "Multi-Factor Authentication for AI Access",
    "AISF-IAM-02": "Least Privilege for AI Identities",
    "AISF-IAM-03": "Temporary Scoped Credentials",
    "AISF-IAM-04": "Root Account Security",
    "AISF-IAM-05": "AI Service Role Security",
    "AISF-IAM-06": "Password Policy for AI Service Access",
    "AISF-IAM-07": "Cognito User Authentication for AI Apps",
    "AISF-IAM-08": "API Authorization for AI Endpoints",
    "AISF-DATA-01": "Data Classification for AI",
    "AISF-DATA-02": "Access Analysis for AI Resources",
    "AISF-DATA-03": "Secrets Management for AI Workloads",
    "AISF-DATA-04": "S3 Data Protection for AI",
    "AISF-DATA-05": "No Hardcoded Secrets in AI Workloads",
    "AISF-DATA-06": "AI Services Data Opt-Out",
    "AISF-AI-01": "Bedrock Guardrails Configuration",
    "AISF-AI-02": "Prompt Injection Defense",
    "AISF-AI-03": "PII and Sensitive Data Filtering",
    "AISF-AI-04": "Agent Guardrail Protection",
    "AISF-AI-05": "Model Invocation Logging",
    "AISF-AI-06": "Bedrock API Audit Trail",
    "AISF-AI-07": "Prompt Encryption and Management",
    "AISF-AI-08": "Automated Reasoning for Output Validation",
    "AISF-AI-09": "Contextual Grounding for RAG Validation",
    "AISF-AI-10": "Knowledge Base Security for RAG",
    "AISF-AI-11": "WAF AI Activity Monitoring",
    "AISF-AGENT-01": "Agent Identity and Authentication",
    "AISF-AGENT-02": "Agent Least-Privilege Authorization",
    "AISF-AGENT-03": "Agent Behavioral Monitoring",
    "AISF-AGENT-04": "Agent Registry and Catalog",
    "AISF-AGENT-05": "Human Approval for Critical Agent Actions",
    "AISF-ML-01": "ML Model Network Isolation",
    "AISF-ML-02": "SageMaker Notebook Security",
    "AISF-ML-03": "ML Training Job Security",
    "AISF-ML-04": "Model Governance and Registry",
    "AISF-ML-05": "Model Monitoring and Bias Detection",
    "AISF-DETECT-01": "Comprehensive Audit Logging",
    "AISF-DETECT-02": "GuardDuty Threat Detection",
    "AISF-DETECT-03": "AI-Specific Threat Detection",
    "AISF-DETECT-04": "Security Hub Centralized Findings",
    "AISF-DETECT-05": "Security Event Alerting",
    "AISF-DETECT-06": "AI Incident Investigation",
    "AISF-DETECT-07": "GuardDuty AI Threat Patterns",
    "AISF-GOV-01": "Configuration Compliance Monitoring",
    "AISF-GOV-02": "Organization Governance",
    "AISF-GOV-03": "Security Contact Information",
    "AISF-GOV-04": "Control Tower Automated Governance",
    "AISF-GOV-05": "AI Workload Inventory and Audit",
    "AISF-GOV-06": "AI Threat Modeling",
    "AISF-GOV-07": "AI Incident Response Planning",
    "AISF-RUNTIME-01": "EKS Security for AI Runtimes",
    "AISF-RUNTIME-02": "ECS Security for AI Workloads",
    "AISF-RUNTIME-03": "Lambda Security for AI Functions",
    "AISF-MODEL-01": "Model Security Evaluation",
    "AISF-MODEL-02": "Model Selection Governance",
}

#: requirements a template cannot decide, with the reason
NOT_DECIDABLE = {
    "AISF-IAM-03": "the age, use and rotation of access keys and Bedrock API keys are account state",
    "AISF-IAM-04": "root credentials, their MFA and their use are account state; no template declares them",
    "AISF-AI-06": "its check (cloudtrail_threat_detection_llm_jacking) analyses recorded CloudTrail events; the "
                  "trail that records them is AISEC-APP-19 and AISEC-APP-20",
    "AISF-AI-11": "a WAF console dashboard over observed traffic (manual, no Prowler check)",
    "AISF-AGENT-04": "an organization's registry of its agents, kept outside the templates (manual)",
    "AISF-DETECT-03": "its checks analyse recorded CloudTrail events (LLM jacking, privilege escalation, "
                      "enumeration) and observed enclave attestations",
    "AISF-GOV-03": "account contacts have no CloudFormation resource",
    "AISF-GOV-05": "an inventory process, including AI use outside any template (manual)",
    "AISF-GOV-06": "threat modeling is a review before deployment, not a resource (manual)",
    "AISF-GOV-07": "incident response plans are documents, not resources (manual); the automated containment "
                   "path is AISEC-APP-32",
    "AISF-MODEL-01": "a security evaluation of the model before deployment, not a resource (manual)",
    "AISF-MODEL-02": "a governance decision about the model, not a resource (manual)",
}

#: requirements a template could decide but no rule catches yet, with the reason
NOT_COVERED = {
    "AISF-INFRA-02": "decidable (AWS::NetworkFirewall::Firewall, FirewallPolicy, LoggingConfiguration); no rule "
                     "yet: aisec keeps AI traffic on VPC endpoints (AISEC-INF-01) instead of inspecting it",
    "AISF-INFRA-04": "decidable (an AWS::Shield::Protection for each distribution, load balancer, hosted zone, "
                     "Elastic IP and accelerator); no rule yet",
    "AISF-INFRA-09": "decidable (kms:RecipientAttestation conditions in key policies); no rule yet: aisec "
                     "deploys no Nitro Enclaves",
    "AISF-IAM-06": "the Cognito password policy is decidable (UserPool Policies.PasswordPolicy), no rule yet; the "
                   "IAM account password policy has no CloudFormation resource",
    "AISF-DATA-02": "an analyzer is decidable (AWS::AccessAnalyzer::Analyzer), no rule yet; its findings are "
                    "account state",
    "AISF-DETECT-05": "decidable (AWS::Logs::MetricFilter on the trail's log group with an AWS::CloudWatch::Alarm); "
                      "no rule yet",
    "AISF-GOV-02": "region-restricting service control policies and tag policies are decidable in the management "
                   "account's app, no rule yet; membership and delegated administrators are account state",
    "AISF-GOV-04": "decidable in the management account's app (AWS::ControlTower::LandingZone); no rule: aisec "
                   "asks for the AI-specific organization policies instead (AISEC-APP-33)",
    "AISF-RUNTIME-01": "decidable (AWS::EKS::Cluster endpoint access, logging, secrets encryption, version); no "
                       "rule yet: aisec's AI compute is Lambda, AgentCore and SageMaker",
}

#: requirements caught in parts by several rules whose parts add up to the whole
TOGETHER = {
    "AISF-ML-02": "AISEC-INF-14 (internet access, VPC, root access) and AISEC-DATA-26 (encryption)",
    "AISF-ML-03": "AISEC-INF-15 (isolation, VPC), AISEC-DATA-27 (inter-container encryption) and AISEC-DATA-26 (keys) "
                  "of the training and tuning steps a pipeline declares (a training job started outside a pipeline "
                  "has no CloudFormation resource)",
}

PROWLER_AISF = Assessment(
    name="Prowler: AWS AI Security Framework", unit="requirement", field="prowler_aisf", source=SOURCE,
    titles=TITLES, not_decidable=NOT_DECIDABLE, not_covered=NOT_COVERED, together=TOGETHER)
