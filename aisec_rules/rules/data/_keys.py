"""Shared helpers of the data-layer encryption rules: is a key property set to a customer managed key?

A key property passes when it holds a reference (``Ref`` / ``Fn::GetAtt`` to a key or alias,
``Fn::ImportValue``, an ``Fn::Sub`` / ``Fn::Join`` ARN, a parameter without default) or a literal
key id, key ARN or alias of the account. It fails when it is absent, empty, or names an AWS
managed key (``alias/aws/<service>``, whose policy the account cannot change or revoke).
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator, Optional

from ...context import Context
from ...model import Violation
from ...read.template import Resource
from ..base import path_text

_AWS_MANAGED = re.compile(r"(^|[:/])alias/aws/", re.IGNORECASE)


def expect_cmk(
    ctx: Context,
    resource: Resource,
    path: Iterable[Any],
    *,
    detail: Optional[str] = None,
    absent: str = "the service then encrypts with a key the account does not control",
    why: str = "",
) -> Iterator[Violation]:
    """Violations when the property at ``path`` is not a customer managed key (see module docstring)."""
    path = tuple(path)
    where = path_text(path)
    for value in ctx.template.resolve(resource.prop(*path)):
        if not value.known:
            continue  # a reference or an import counts as a key the template cannot show
        raw = value.raw
        if value.missing or raw == "":
            yield Violation(resource.logical_id,
                            f"{where} is not set{value.note()} ({absent}); set a customer managed KMS key{why}", detail)
        elif not isinstance(raw, str):
            yield Violation(resource.logical_id,
                            f"{where} is not a key id or ARN{value.note()}; set a customer managed KMS key{why}", detail)
        elif _AWS_MANAGED.search(raw):
            yield Violation(resource.logical_id,
                            f"{where} is the AWS managed key {raw}{value.note()}, whose policy the account cannot "
                            f"change; set a customer managed KMS key{why}", detail)


def is_aws_managed_alias(text: str) -> bool:
    return bool(_AWS_MANAGED.search(text))
