"""Governed exceptions: acknowledgements with expiry and validity, and the organization's policy file."""
