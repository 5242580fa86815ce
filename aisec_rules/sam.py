"""Expand AWS SAM templates into plain CloudFormation before evaluating them.

Many AI samples are SAM templates (``Transform: AWS::Serverless-2016-10-31``, agent tools as
``AWS::Serverless::Function``). Rather than teach every rule the serverless shorthand, the
scanner expands them with the SAM translator that AWS publishes (``aws-sam-translator``,
installed with ``pip install "aisec-cdk[sam]"``), offline: managed policy names resolve through
the translator's bundled policy map (never an IAM call), and the Region used for ARNs is
``us-east-1`` unless ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` says otherwise (ARNs keep their
``${AWS::Region}`` references either way).
"""
from __future__ import annotations

import copy
import os
from typing import Any, Dict

from .template import TemplateError

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


def is_sam(data: Any) -> bool:
    transform = data.get("Transform") if isinstance(data, dict) else None
    transforms = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in transforms


class _BundledPoliciesOnly:
    """A managed-policy loader that never calls IAM: names the bundled map lacks stay unresolved."""

    def load(self) -> Dict[str, str]:
        return {}


def expand(data: Dict[str, Any], name: str) -> Dict[str, Any]:
    """The CloudFormation template a SAM template deploys as; TemplateError when it cannot be expanded."""
    try:
        from samtranslator.model.exceptions import InvalidDocumentException
        from samtranslator.translator.transform import transform
    except ImportError:
        raise TemplateError(f"{name}: is a SAM template; install the SAM translator to scan it: "
                            'pip install "aisec-cdk[sam]"') from None
    parameters = {k: v["Default"] for k, v in (data.get("Parameters") or {}).items()
                  if isinstance(v, dict) and "Default" in v}
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    try:
        if region is None:  # the translator reads the Region from a boto3 session: give it one, offline
            os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
        return transform(copy.deepcopy(data), parameters, _BundledPoliciesOnly())
    except InvalidDocumentException as error:
        causes = "; ".join(str(cause.message) for cause in error.causes) or str(error)
        raise TemplateError(f"{name}: invalid SAM template: {causes}") from None
    except Exception as error:  # the translator raises assorted errors on malformed input
        raise TemplateError(f"{name}: SAM template cannot be expanded: {type(error).__name__}: {error}") from None
    finally:
        if region is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
