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

Offline means no network call and no AWS credentials read: the translator gets a Region, never a boto3 session,
and a Serverless Application Repository plugin that cannot reach AWS (the default one asks the repository for
each application's template); each repository application becomes a nested stack whose template is not known.
What ``sam build`` or the deploy-time transform completes (an image built from a Dockerfile, a ``CodeUri`` or an
``AutoPublishAlias`` given by a parameter without a default or a ``Fn::Sub``, an API whose OpenAPI body is not
inline) is handed to the translator as a placeholder, and every placeholder left in the expanded template becomes
the value it stands for again: the parameter reference, the ``Fn::Sub``, or a
:func:`~aisec_rules.read.template.not_known` value. A finding that depends on one says the value was not known.
The translator's own log lines are kept out of aisec's output.
"""
from __future__ import annotations

import copy
import logging
import os
import re
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional

from .template import NOT_KNOWN, TemplateError, is_intrinsic, not_known

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


def is_sam(data: Any) -> bool:
    transform = data.get("Transform") if isinstance(data, dict) else None
    transforms = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in transforms


def _bundled_policies_only() -> Dict[str, str]:
    """The managed-policy map the translator asks for: empty, so that it never calls IAM (names its bundled map
    lacks stay unresolved)."""
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
#: how every placeholder handed to the translator starts (:meth:`Placeholders.token`)
_TOKEN = "aisecnotknown"
#: a logical id, or one with an attribute (``Fn::GetAtt`` in its string form)
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]+(\.[A-Za-z0-9.]+)?")


def _reference(stands_for: Any) -> Optional[str]:
    """The name a placeholder's value refers to (``{"Ref": name}``), or None."""
    name = stands_for.get("Ref") if isinstance(stands_for, dict) and len(stands_for) == 1 else None
    return name if isinstance(name, str) else None


def _label(stands_for: Any) -> str:
    """The name a placeholder takes in a logical id: the parameter's, the not-known value's label, or NotKnown."""
    name = _reference(stands_for)
    if name is None:
        return "NotKnown"
    name = name[len(NOT_KNOWN):].split(":", 1)[0] if name.startswith(NOT_KNOWN) else name
    return re.sub(r"[^A-Za-z0-9]", "", name) or "NotKnown"


class Placeholders:
    """The values handed to the translator in place of what only ``sam build`` or the deploy-time transform
    knows, and what each stands for; :meth:`restore` puts the latter back into the expanded template."""

    def __init__(self) -> None:
        self.stands_for: Dict[str, Any] = {}

    def token(self, stands_for: Any) -> str:
        """A new placeholder for ``stands_for``: lower-case letters and digits, valid where the translator
        wants a name (an alias), a key or a path segment."""
        token = f"{_TOKEN}{len(self.stands_for)}x"
        self.stands_for[token] = stands_for
        return token

    def restore(self, value: Any) -> Any:
        """``value`` with every placeholder replaced by what it stands for. A logical id the translator built around
        one (``FunctionAlias<placeholder>``, in a key or a reference) gets the name of what it stands for in its place
        (``FunctionAliasStage``); any other string built around one (an ARN, a URL) is as unknown as the placeholder."""
        if not self.stands_for:
            return value
        if isinstance(value, dict):
            sub = self._in_sub(value["Fn::Sub"]) if len(value) == 1 and "Fn::Sub" in value else None
            if sub is not None:
                return {"Fn::Sub": sub}
            return {self._relabel(k): self.restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.restore(v) for v in value]
        if isinstance(value, str) and _TOKEN in value:
            if value in self.stands_for:
                return copy.deepcopy(self.stands_for[value])
            if _LOGICAL_ID.fullmatch(value):
                return self._relabel(value)
            return copy.deepcopy(next(s for t, s in self.stands_for.items() if t in value))
        return value

    def _relabel(self, key: Any) -> Any:
        if not (isinstance(key, str) and _TOKEN in key):
            return key
        for token, stands_for in self.stands_for.items():
            key = key.replace(token, _label(stands_for))
        return key

    def _in_sub(self, arg: Any) -> Any:
        """The argument of a ``Fn::Sub`` with each placeholder of a parameter in its text written ``${Parameter}``
        (an ARN the translator built around a path); None when it holds none, or one of another kind."""
        text = arg if isinstance(arg, str) else (arg[0] if isinstance(arg, list) and arg and isinstance(arg[0], str)
                                                 else None)
        if text is None or _TOKEN not in text:
            return None
        for token, stands_for in self.stands_for.items():
            if token in text:
                name = _reference(stands_for)
                if name is None or name.startswith(NOT_KNOWN):
                    return None
                text = text.replace(token, "${" + name + "}")
        return text if isinstance(arg, str) else [text, *(self.restore(v) for v in arg[1:])]


def _placeholder(value: Any, kind: str) -> Any:
    """An uploaded-artifact placeholder for a local path; anything else (an S3 URI, an object, an
    intrinsic) is kept."""
    if not isinstance(value, str) or value.startswith(("s3://", "https://", "http://")):
        return value
    return _artifact(value.strip().lstrip("./") or "source", kind)


def _artifact(key: str, kind: str) -> Any:
    if kind == "url":
        return f"https://{PLACEHOLDER_BUCKET}.s3.amazonaws.com/{key}"
    return {"Bucket": PLACEHOLDER_BUCKET, "Key": key}


#: what an image function's placeholder image, a repository application's placeholder template and an API's
#: placeholder body stand for
_IMAGE = "the image is built by sam build (ImageUri is not set)"
_REPOSITORY_APPLICATION = "a Serverless Application Repository application: its template is read at deploy time"
_NOT_INLINE = "the OpenAPI definition is not inline (DefinitionUri, or DefinitionBody through Fn::Transform)"
_EMPTY_BODY = {"AWS::Serverless::Api": {"swagger": "2.0"}, "AWS::Serverless::HttpApi": {"openapi": "3.0.1"}}


class _Localizer:
    """Replaces, in the properties of one SAM resource (or a Globals section), what only ``sam build`` or the
    deploy-time transform knows by placeholders the translator accepts."""

    def __init__(self, data: Dict[str, Any], placeholders: Placeholders):
        parameters = data.get("Parameters")
        self.parameters: Dict[str, Any] = parameters if isinstance(parameters, dict) else {}
        self.placeholders = placeholders

    def unknown(self, value: Any) -> bool:
        """True for an intrinsic the translator cannot resolve: anything but a parameter with a default (the
        translator is given the defaults)."""
        if not is_intrinsic(value):
            return False
        parameter = self.parameters.get(value.get("Ref")) if isinstance(value.get("Ref"), str) else None
        return not (isinstance(parameter, dict) and "Default" in parameter)

    def text(self, value: Any) -> Any:
        """A name or path given by a parameter with a default, or by a ``Fn::Sub`` without variables, as the text
        the transform sees at deploy time; anything else is kept."""
        if isinstance(value, dict) and len(value) == 1:
            (key, arg), = value.items()
            if key == "Fn::Sub" and isinstance(arg, str) and "${" not in arg.replace("${!", ""):
                return arg.replace("${!", "${")
            if key == "Ref" and not self.unknown(value) and isinstance(self.parameters[arg].get("Default"), str):
                return self.parameters[arg]["Default"]
        return value

    def properties(self, rtype: str, props: Dict[str, Any], global_props: Dict[str, Any], resource: bool) -> None:
        if rtype in _EMPTY_BODY:
            self._api(rtype, props, global_props)
        if rtype in _LOCAL_SOURCES:
            prop, kind = _LOCAL_SOURCES[rtype]
            if prop in props:
                props[prop] = self._location(props[prop], kind)
            elif resource and rtype == "AWS::Serverless::Function" and not {"InlineCode", "ImageUri"} & set(props) \
                    and "CodeUri" not in global_props and props.get("PackageType") != "Image" \
                    and global_props.get("PackageType") != "Image":
                props[prop] = _placeholder(".", kind)
        for prop in ("AutoPublishAlias", "AutoPublishCodeSha256"):  # functions and state machines
            if self.unknown(props.get(prop)):
                props[prop] = self.placeholders.token(props[prop])
        if rtype != "AWS::Serverless::Function":
            return
        if resource and "Image" in (props.get("PackageType"), global_props.get("PackageType")) and \
                not props.get("ImageUri") and not global_props.get("ImageUri"):
            props["ImageUri"] = self.placeholders.token(not_known("ImageUri", _IMAGE))
        events = props.get("Events")
        for event in (events.values() if isinstance(events, dict) else ()):
            event_props = event.get("Properties") if isinstance(event, dict) else None
            if not isinstance(event_props, dict):
                continue
            if "Path" in event_props:
                path = self.text(event_props["Path"])
                event_props["Path"] = "/" + self.placeholders.token(path) if self.unknown(path) else path
            auth = event_props.get("Auth")
            if isinstance(auth, dict) and "Authorizer" in auth:
                auth["Authorizer"] = self.text(auth["Authorizer"])

    def _location(self, value: Any, kind: str) -> Any:
        if isinstance(value, dict) and "ApplicationId" in value:
            return _artifact(self.placeholders.token(not_known("Location", _REPOSITORY_APPLICATION)), kind)
        if self.unknown(value):
            return _artifact(self.placeholders.token(value), kind)
        return _placeholder(self.text(value), kind)  # a parameter's default may be a local path too

    def _api(self, rtype: str, props: Dict[str, Any], global_props: Dict[str, Any]) -> None:
        """An API whose Cors or Auth the translator must write into an OpenAPI body that is not inline gets an
        empty placeholder body (the translator refuses to expand it otherwise)."""
        auth = props.get("Auth")
        if isinstance(auth, dict) and "DefaultAuthorizer" in auth:
            auth["DefaultAuthorizer"] = self.text(auth["DefaultAuthorizer"])
        if not {"Cors", "Auth", "CorsConfiguration"} & (set(props) | set(global_props)):
            return
        if ("DefinitionUri" in props or is_intrinsic(props.get("DefinitionBody"))) and not props.get("MergeDefinitions"):
            props.pop("DefinitionUri", None)
            title = self.placeholders.token(not_known("DefinitionBody", _NOT_INLINE))
            props["DefinitionBody"] = {**_EMPTY_BODY[rtype], "info": {"title": title, "version": "1.0"}, "paths": {}}


def localize(data: Dict[str, Any], placeholders: Optional[Placeholders] = None) -> Dict[str, Any]:
    """A copy of a SAM template in source form with every local ``CodeUri``, ``ContentUri``,
    ``DefinitionUri`` or ``Location`` replaced by a placeholder artifact (``sam package`` would upload
    it), offline: every other property, the security-relevant ones included, is kept as written. A
    function without any code property gets a placeholder too (SAM CLI builds ``.`` then). What ``sam build``
    or the deploy-time transform completes gets a placeholder recorded in ``placeholders`` (see the module
    docstring)."""
    data = copy.deepcopy(data)
    local = _Localizer(data, placeholders if placeholders is not None else Placeholders())
    global_props: Dict[str, Dict[str, Any]] = {}
    sections: Dict[str, Any] = data["Globals"] if isinstance(data.get("Globals"), dict) else {}
    for section, rtype in _GLOBALS.items():
        props = sections.get(section)
        if isinstance(props, dict):
            local.properties(rtype, props, {}, resource=False)
            global_props[rtype] = props
    resources = data.get("Resources")
    for body in (resources.values() if isinstance(resources, dict) else ()):
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str) or \
                not body["Type"].startswith("AWS::Serverless::"):
            continue
        props = body.setdefault("Properties", {})
        if isinstance(props, dict):
            local.properties(body["Type"], props, global_props.get(body["Type"], {}), resource=True)
    return data


class _Region:
    """What the translator reads of a boto3 session: its Region. A real session would read the AWS configuration
    files (and fail on a profile they lack); this one reads nothing."""

    def __init__(self, region_name: str):
        self.region_name = region_name


def _offline_repository_plugin(base: Any, parameters: Dict[str, Any]) -> Any:
    """The translator's Serverless Application Repository plugin (``base``) without its calls to the repository
    (boto3, with the AWS configuration and credentials): :func:`localize` has replaced every repository location
    by a placeholder; one it missed is an error, never a call."""

    class OfflineRepository(base):
        def on_before_transform_template(self, template_dict: Dict[str, Any]) -> None:
            resources = template_dict.get("Resources")
            for body in resources.values() if isinstance(resources, dict) else ():
                if isinstance(body, dict) and body.get("Type") == "AWS::Serverless::Application" and \
                        isinstance(body.get("Properties"), dict) and isinstance(body["Properties"].get("Location"), dict):
                    raise TemplateError("a Serverless Application Repository application cannot be read offline")

    return OfflineRepository(parameters=parameters)


@contextmanager
def _translator_quiet() -> Iterator[None]:
    """The translator's log lines ("Feature ... not available in Feature Toggle Config") go nowhere while it runs:
    its own logger stops passing them on; no other logger is touched."""
    logger = logging.getLogger("samtranslator")
    handler, propagate = logging.NullHandler(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def expand(data: Dict[str, Any], name: str) -> Dict[str, Any]:
    """The CloudFormation template a SAM template deploys as; TemplateError when it cannot be expanded."""
    try:
        from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
        from samtranslator.model.exceptions import InvalidDocumentException
        from samtranslator.parser.parser import Parser
        from samtranslator.plugins.application.serverless_app_plugin import ServerlessAppPlugin
        from samtranslator.translator.translator import Translator
        from samtranslator.utils.py27hash_fix import to_py27_compatible_template, undo_mark_unicode_str_in_template
    except ImportError:
        raise TemplateError(f"{name}: is a SAM template; install the SAM translator to scan it: "
                            'pip install "aisec-cdk[sam]"') from None
    parameters = {k: v["Default"] for k, v in (data.get("Parameters") or {}).items()
                  if isinstance(v, dict) and "Default" in v}
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    placeholders = Placeholders()
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    # given a repository plugin, the translator does not add its default one, which asks the repository through boto3
    offline = _offline_repository_plugin(ServerlessAppPlugin, parameters)
    translator = Translator(None, Parser(), plugins=[offline], boto_session=_Region(region),
                            metrics=metrics)
    try:
        with _translator_quiet():
            template = localize(data, placeholders)
            to_py27_compatible_template(template, parameters)
            try:
                expanded = translator.translate(template, parameter_values=parameters,
                                                get_managed_policy_map=_bundled_policies_only)
            finally:
                metrics.publish()  # else it says so in a log line when it is collected
    except InvalidDocumentException as error:
        causes = "; ".join(str(cause.message) for cause in error.causes) or str(error)
        raise TemplateError(f"{name}: invalid SAM template: {causes}") from None
    except Exception as error:  # the translator raises assorted errors on malformed input
        raise TemplateError(f"{name}: SAM template cannot be expanded: {type(error).__name__}: {error}") from None
    return placeholders.restore(undo_mark_unicode_str_in_template(expanded))
