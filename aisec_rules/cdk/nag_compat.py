"""What differs between cdk-nag 2 and cdk-nag 3, in one place, so the pack itself does not care.

The pack is a CDK policy-validation plugin (``aws_cdk.IPolicyValidationPlugin``, implemented in
Python through ``@jsii.implements``), not a subclass of cdk-nag's ``NagPack``: cdk-nag 2's
``NagPack`` is an aspect (``Aspects.of(app).add(...)``) and cdk-nag 3's is a validation plugin,
so no one base class serves both, while CDK's plugin interface does. It is registered the same
way whichever cdk-nag is installed: ``Validations.of(app).add_plugins(AiSecurityChecks(app))``.

Acknowledgements reach the engine through template metadata (``Metadata.cdk_nag.rules_to_suppress``):

- cdk-nag 2's ``NagSuppressions.add_resource_suppressions`` / ``add_stack_suppressions`` write
  there themselves (granular ids as ``applies_to``; the engine expands them);
- CDK's ``Validations.of(x).acknowledge(Acknowledgment(...))`` only records construct metadata
  (``aws:cdk:acknowledged-rules``) on ``x``; an aspect copies every acknowledgement of a resource
  and of its ancestors into the resource's template metadata. With cdk-nag 3 (>= 3.0.2) that is
  cdk-nag's own ``WriteNagSuppressionsToCloudFormationAspect``, in JavaScript. cdk-nag 2 has no
  such aspect, so :class:`WriteAcknowledgements` does the same in Python. It reads metadata
  through jsii only for CloudFormation resources and, once each, their ancestors, but CDK calls an
  aspect for every construct: about 3 ms per construct in all (bench/nag2_aspect.py, numbers in
  bench/README.md).
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Dict, List, Optional, Tuple

import aws_cdk as cdk
import jsii
from constructs import IConstruct

#: CDK's construct-metadata type for ``Validations.of(x).acknowledge(...)``.
ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
#: The template-metadata key cdk-nag (2 and 3) uses for acknowledgements.
NAG_METADATA_KEY = "cdk_nag"
#: The namespace CDK gives an acknowledged id that has none (spelled `Annotation::` or `annotation::`, by release).
_CDK_NAMESPACE = "annotation::"


def cdk_nag_major() -> Optional[int]:
    """The installed cdk-nag major version, or None when cdk-nag is not installed."""
    try:
        return int(version("cdk-nag").split(".")[0])
    except (PackageNotFoundError, ValueError):
        return None


def acknowledgements_to_template(scope: IConstruct) -> None:
    """Register the aspect that copies CDK acknowledgements under ``scope`` into template metadata."""
    aspect: cdk.IAspect
    if (cdk_nag_major() or 0) >= 3:
        from cdk_nag import WriteNagSuppressionsToCloudFormationAspect

        aspect = WriteNagSuppressionsToCloudFormationAspect()
    else:
        aspect = WriteAcknowledgements()
    cdk.Aspects.of(scope).add(aspect)


@jsii.implements(cdk.IAspect)
class WriteAcknowledgements:
    """Copy ``aws:cdk:acknowledged-rules`` of a resource and its ancestors into the resource's
    ``Metadata.cdk_nag.rules_to_suppress`` (``{id, reason}``; the closest acknowledgement of an id
    wins), keeping the entries cdk-nag 2's ``NagSuppressions`` already wrote there."""

    def __init__(self) -> None:
        self._by_ref: Dict[str, List[Tuple[str, str]]] = {}

    def visit(self, node: IConstruct) -> None:
        # isinstance is answered in Python (jsii proxies carry their class), so the many
        # constructs that are not resources cost one callback and no further jsii call.
        if not isinstance(node, cdk.CfnResource):
            return
        acknowledged = self._inherited(node)
        if not acknowledged:
            return
        existing = node.get_metadata(NAG_METADATA_KEY)
        entries = list(existing.get("rules_to_suppress") or []) if isinstance(existing, dict) else []
        present = {entry.get("id") for entry in entries if isinstance(entry, dict)}
        entries.extend({"id": rule, "reason": reason} for rule, reason in acknowledged if rule not in present)
        node.add_metadata(NAG_METADATA_KEY, {**(existing if isinstance(existing, dict) else {}),
                                             "rules_to_suppress": entries})

    def _inherited(self, construct: IConstruct) -> List[Tuple[str, str]]:
        """(id, reason) acknowledged on ``construct`` or an ancestor, nearest first, each id once.

        Cached per construct, keyed by its jsii object reference (a Python attribute, no jsii call):
        an ancestor is read once however many resources it holds, so a resource costs the read of
        its own metadata and of its parent link (about 2.5 ms through jsii, most of it the metadata
        entries' stack traces)."""
        key = _jsii_ref(construct)
        if key is not None and key in self._by_ref:
            return self._by_ref[key]
        node = construct.node
        own: Dict[str, str] = {}
        for entry in node.metadata:
            if entry.type == ACKNOWLEDGED_RULES and isinstance(entry.data, dict):
                for qualified, reason in entry.data.items():
                    rule = qualified[len(_CDK_NAMESPACE):] if qualified.lower().startswith(_CDK_NAMESPACE) else qualified
                    own[rule] = str(reason)
        parent = node.scope
        for rule, reason in self._inherited(parent) if parent is not None else []:
            own.setdefault(rule, reason)
        result = list(own.items())
        if key is not None:
            self._by_ref[key] = result
        return result


def _jsii_ref(construct: IConstruct) -> Optional[str]:
    reference = getattr(construct, "__jsii_ref__", None)
    return getattr(reference, "ref", None)
