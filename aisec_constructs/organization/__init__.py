"""Management-account constructs: the AWS Organizations policies that member accounts cannot switch off."""
from .guardrails import OrganizationGuardrails

__all__ = ["OrganizationGuardrails"]
