"""Detection, response and governance constructs: CloudTrail, GuardDuty, incident response,
AI monitoring alarms, guardrail probes, Security Hub / Config posture and agent observability."""
from .ai_monitoring import AiMonitoring, AlarmThresholds
from .audit_trail import AuditTrail
from .guardrail_probe import GuardrailProbe, ProbeTarget
from .incident_response import IncidentResponse
from .observability import AgentObservability, ResourceLogDelivery
from .security_posture import SecurityPosture
from .threat_detection import ThreatDetection

__all__ = ["AgentObservability", "AiMonitoring", "AlarmThresholds", "AuditTrail", "GuardrailProbe", "IncidentResponse",
           "ProbeTarget", "ResourceLogDelivery", "SecurityPosture", "ThreatDetection"]
