"""Security testing: the guardrail probe suite as data, the ApplyGuardrail runner and the scoring.

The same modules run in two places: ``aisec probe`` (after a deployment, in CI) and the scheduled function
of ``aisec_constructs.detection.GuardrailProbe`` inside the account. The function's asset carries
:data:`RUNTIME` (the suite file and the modules it runs) copied from this package at synth time, so those
modules import only each other and the standard library; :mod:`.targets` and :mod:`.clients` serve the
command line only (they read templates and make boto3 clients). This file imports nothing.
"""

#: The files of this package that the scheduled function runs (its asset carries exactly these).
RUNTIME = ("__init__.py", "suite.json", "suite.py", "variants.py", "topics.py", "runner.py", "scoring.py")
