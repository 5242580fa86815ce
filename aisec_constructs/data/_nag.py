"""Acknowledge the granular cdk-nag findings that a data construct causes on purpose, with reasons.

cdk-nag 3 matches acknowledgements exactly, and ``AwsSolutions-IAM5`` ids name the wildcard as it
renders tokens (``Resource::<LogicalId.Arn>/*``, ``<AWS::Region>`` for a pseudo parameter, ``<Id>`` for
a Ref). :func:`acknowledge_iam5` renders a resource string the same way at construction time.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def render(value: Any) -> Optional[str]:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Ref" and isinstance(arg, str):
            return f"<{arg}>"
        if key == "Fn::GetAtt" and isinstance(arg, list) and len(arg) == 2:
            return f"<{arg[0]}.{arg[1]}>"
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            parts = [render(p) for p in arg[1]]
            return None if any(p is None for p in parts) else arg[0].join(parts)
    return None


def acknowledge_iam5(scope: IConstruct, resources: Iterable[str], reason: str) -> None:
    """Acknowledge ``AwsSolutions-IAM5[Resource::...]`` for each wildcard resource string, on ``scope``."""
    stack = cdk.Stack.of(scope)
    for resource in resources:
        text = render(stack.resolve(resource))
        if text is not None:
            Validations.of(scope).acknowledge(Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{text}]", reason=reason))
