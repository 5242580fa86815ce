"""Runtime AI security assessments, check by check: which aisec rules catch each check before deployment.

Two public tools assess a live AWS account for AI security: Prowler's compliance framework for the AWS AI
Security Framework (:mod:`.prowler_aisf`) and the AWS AI/ML security assessment sample
(:mod:`.aiml_sample`). They judge deployed resources; aisec judges the template. The mapping lives in the
rules' metadata (``Rule.prowler_aisf``, ``Rule.aiml_assessment``): an entry ``"ID"`` says the rule catches
what the requirement or check catches, ``"ID: part"`` names the part it catches. Each framework module holds
only what no rule can carry:

* the ids and titles, exactly as the source names them (and the source's file and commit);
* what a template cannot decide, with the reason;
* what a template could decide but no rule catches yet, with the reason;
* the requirements whose parts, caught by different rules, add up to the whole (``together``);
* the checks the source derives from its other checks (``derived``: the sample's agentic and OWASP views),
  whose status follows from those checks'.

:meth:`coverage.Assessment.coverage` joins them; :meth:`coverage.Assessment.problems` reports an id with no status or two, an
unknown id, and a derivation or a "together" that does not hold (a test asserts there are none).
"""
from __future__ import annotations

from typing import Tuple

from .aiml_sample import AIML_SAMPLE
from .coverage import FULLY, NOT_COVERED, NOT_DECIDABLE, PARTLY, STATUSES, Assessment, Catch, Row, entry
from .prowler_aisf import PROWLER_AISF

__all__ = ["ASSESSMENTS", "AIML_SAMPLE", "PROWLER_AISF", "Assessment", "Catch", "Row", "entry", "STATUSES", "FULLY",
           "PARTLY", "NOT_DECIDABLE", "NOT_COVERED"]

#: the assessments, in the order the docs show them
ASSESSMENTS: Tuple[Assessment, ...] = (PROWLER_AISF, AIML_SAMPLE)
