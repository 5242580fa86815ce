"""Expand AWS SAM templates into plain CloudFormation before evaluating them.

Many AI samples are SAM templates (``Transform: AWS::Serverless-2016-10-31``, agent tools as
``AWS::Serverless::Function``). Rather than teach every rule the serverless shorthand, the
scanner expands them with the SAM translator that AWS publishes (``aws-sam-translator``,
installed with ``pip install "aisec-cdk[sam]"``), offline: managed policy names resolve through
the translator's bundled policy map (never an IAM call), and the Region used for ARNs is
``us-east-1`` unless ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` says otherwise (ARNs keep their
``${AWS::Region}`` references either way). Templates in source form (``CodeUri: ./src``, before
``sam package``) are scanned as they are: local code locations become placeholder artifacts
(:func:`localize`).
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


#: where SAM resources point at local source (``CodeUri: ./src`` before ``sam package``): the
#: property, and the placeholder shape the translator accepts for an uploaded artifact
_LOCAL_SOURCES = {
    "AWS::Serverless::Function": ("CodeUri", "s3"),
    "AWS::Serverless::LayerVersion": ("ContentUri", "s3"),
    "AWS::Serverless::Api": ("DefinitionUri", "s3"),
    "AWS::Serverless::HttpApi": ("DefinitionUri", "s3"),
    "AWS::Serverless::StateMachine": ("DefinitionUri", "s3"),
    "AWS::Serverless::Application": ("Location", "url"),
}
_GLOBALS = {"Function": "AWS::Serverless::Function", "Api": "AWS::Serverless::Api",
            "HttpApi": "AWS::Serverless::HttpApi"}
#: the bucket named in place of local source: the code is not what the rules judge, its settings are
PLACEHOLDER_BUCKET = "aisec-local-source"


def _placeholder(value: Any, kind: str) -> Any:
    """An uploaded-artifact placeholder for a local path; anything else (an S3 URI, an object, an
    intrinsic) is kept."""
    if not isinstance(value, str) or value.startswith(("s3://", "https://", "http://")):
        return value
    key = value.strip().lstrip("./") or "source"
    if kind == "url":
        return f"https://{PLACEHOLDER_BUCKET}.s3.amazonaws.com/{key}"
    return {"Bucket": PLACEHOLDER_BUCKET, "Key": key}


def localize(data: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a SAM template in source form with every local ``CodeUri``, ``ContentUri``,
    ``DefinitionUri`` or ``Location`` replaced by a placeholder artifact (``sam package`` would upload
    it), offline: every other property, the security-relevant ones included, is kept as written. A
    function without any code property gets a placeholder too (SAM CLI builds ``.`` then)."""
    data = copy.deepcopy(data)
    global_props = {}
    for section, rtype in _GLOBALS.items():
        props = data.get("Globals", {}).get(section) if isinstance(data.get("Globals"), dict) else None
        if isinstance(props, dict):
            prop, kind = _LOCAL_SOURCES[rtype]
            if prop in props:
                props[prop] = _placeholder(props[prop], kind)
            global_props[rtype] = props
    resources = data.get("Resources")
    for body in (resources.values() if isinstance(resources, dict) else ()):
        if not isinstance(body, dict) or body.get("Type") not in _LOCAL_SOURCES:
            continue
        props = body.setdefault("Properties", {})
        if not isinstance(props, dict):
            continue
        prop, kind = _LOCAL_SOURCES[body["Type"]]
        if prop in props:
            props[prop] = _placeholder(props[prop], kind)
        elif body["Type"] == "AWS::Serverless::Function" and not {"InlineCode", "ImageUri"} & set(props) and \
                "CodeUri" not in global_props.get(body["Type"], {}) and props.get("PackageType") != "Image":
            props[prop] = _placeholder(".", kind)
    return data


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
        return transform(localize(data), parameters, _BundledPoliciesOnly())
    except InvalidDocumentException as error:
        causes = "; ".join(str(cause.message) for cause in error.causes) or str(error)
        raise TemplateError(f"{name}: invalid SAM template: {causes}") from None
    except Exception as error:  # the translator raises assorted errors on malformed input
        raise TemplateError(f"{name}: SAM template cannot be expanded: {type(error).__name__}: {error}") from None
    finally:
        if region is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
