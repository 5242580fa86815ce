"""Acknowledge granular cdk-nag findings whose ids embed a resource ARN built from tokens.

cdk-nag 3 matches acknowledgements exactly, and its ``AwsSolutions-IAM5`` ids name the resource
as it renders tokens: ``Resource::<LogicalId.Attr>/*``, ``<AWS::Region>``, ``<LogicalId>`` for a Ref.
This renders a resource string the same way (at construction time, with the logical ids the stack
has then), so a construct can acknowledge exactly the wildcard it needs, with its reason.
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
    """Acknowledge ``AwsSolutions-IAM5[Resource::...]`` for each wildcard resource string."""
    stack = cdk.Stack.of(scope)
    for resource in resources:
        text = render(stack.resolve(resource))
        if text is not None:
            Validations.of(scope).acknowledge(Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{text}]", reason=reason))
