"""Detection, response and governance constructs: CloudTrail, GuardDuty, incident response, agent
containment, AI monitoring alarms, guardrail probes, Security Hub / Config posture and agent observability."""
from .ai_monitoring import AiMonitoring, AlarmThresholds
from .audit_trail import AuditTrail
from .containment import AgentContainment
from .guardrail_probe import GuardrailProbe, ProbeTarget
from .incident_response import IncidentResponse
from .observability import AgentObservability, ResourceLogDelivery
from .security_posture import SecurityPosture
from .threat_detection import ThreatDetection

__all__ = ["AgentContainment", "AgentObservability", "AiMonitoring", "AlarmThresholds", "AuditTrail", "GuardrailProbe",
           "IncidentResponse", "ProbeTarget", "ResourceLogDelivery", "SecurityPosture", "ThreatDetection"]
