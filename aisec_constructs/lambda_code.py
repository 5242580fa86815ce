"""The code asset of a construct's custom-resource function: the :mod:`aisec_constructs.handlers` package with
only that function's handler module and the shared CloudFormation response module.

The asset's root is this package's folder, from which every file is excluded except those three (CDK's glob
exclusion, with negated patterns), so a function carries no code it does not run and each asset is
self-contained: the Lambda handler is ``handlers.<module>.handler``.
"""
from pathlib import Path

from aws_cdk import aws_lambda as lambda_

PACKAGE_DIR = Path(__file__).parent
HANDLERS = "handlers"
SHARED = ("__init__.py", "cfn_response.py")


def handler_code(module: str) -> lambda_.Code:
    """The asset of the handler in ``aisec_constructs/handlers/<module>.py``."""
    if not (PACKAGE_DIR / HANDLERS / f"{module}.py").is_file() or module in ("__init__", "cfn_response"):
        raise ValueError(f"no handler module {module!r} in {PACKAGE_DIR / HANDLERS}")
    keep = [HANDLERS] + [f"{HANDLERS}/{name}" for name in SHARED + (f"{module}.py",)]
    return lambda_.Code.from_asset(str(PACKAGE_DIR), exclude=["*"] + [f"!{path}" for path in keep])


def handler_name(module: str) -> str:
    """The Lambda handler setting for the handler module: ``handlers.<module>.handler``."""
    return f"{HANDLERS}.{module}.handler"
