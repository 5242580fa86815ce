"""AISEC-DATA-17: no secrets in the environment variables of functions, agent runtimes and containers.

Environment variables are plaintext configuration: anyone with ``lambda:GetFunctionConfiguration``,
``ecs:DescribeTaskDefinition`` or read access to the template sees them, and code that an LLM can
steer (tools, agents) can read and leak its own environment. Judged (property names from the
cfn-lint schemas):

* ``AWS::Lambda::Function`` ``Environment.Variables`` (a map of name to value);
* ``AWS::BedrockAgentCore::Runtime`` ``EnvironmentVariables`` (a map of name to string, at most 50);
* ``AWS::ECS::TaskDefinition`` ``ContainerDefinitions[].Environment[]`` (``{Name, Value}`` pairs).
  ``ContainerDefinitions[].Secrets`` (``ValueFrom``) is the right place and is not judged.

One finding per variable, detail ``Env::<NAME>`` (ECS: ``Env::<container>.<NAME>``). Messages never
repeat the value. A variable fails when:

(a) its value contains a CloudFormation dynamic reference ``{{resolve:secretsmanager:`` or
    ``{{resolve:ssm-secure:``: CloudFormation resolves it *into* the plaintext configuration. This
    is checked on literals and on the text of ``Fn::Sub`` / ``Fn::Join``, whatever the name;
(b) its value is a literal and its name looks secret: the name is split on ``_ - .`` and camelCase
    into words, and is secret when the words include PASSWORD, PASSWD, PWD, SECRET, TOKEN,
    CREDENTIAL(S), APIKEY, PRIVATEKEY or the pairs API KEY, ACCESS KEY, PRIVATE KEY, SECRET KEY,
    SIGNING KEY, CLIENT SECRET; it is not secret when its last word names a reference or a setting
    (ARN, NAME, ID, PARAM, PARAMETER, PATH, URL, URI, ENDPOINT, HEADER, TTL, EXPIRY, LIMIT, MAX,
    COUNT, TYPE, FIELD, PREFIX, REGION, ALIAS), and the value does not count when it is empty, a
    number, a boolean word or an ARN. A word matches when it is, or ends with, one of the secret
    words, so run-together names count (``PGPASSWORD``, ``GHTOKEN``); plurals do not
    (``MAX_TOKENS`` has TOKENS, not TOKEN). A secret-named variable holding an SSM parameter path
    fails too: rename it with a reference suffix (``DB_PASSWORD_PARAM``);
(c) its literal value has a known credential format, whatever the name: AWS access key ids
    (``AKIA``/``ASIA`` + 16), PEM private keys, GitHub tokens (``ghp_``, ``gho_``,
    ``github_pat_``), Slack tokens (``xoxa-``/``xoxb-``/``xoxp-``/``xoxr-``), ``sk-`` API keys
    (OpenAI and Anthropic style, 20+ alphanumerics after optional ``proj-``/``ant-api03-`` parts);
(d) its literal value looks generated: at least 24 characters of ``[A-Za-z0-9+/=_-]`` only (so no
    ``:`` or ``.``), not path-like (no leading or trailing ``/``, no ``//``), not a UUID, at least
    three of the classes upper, lower, digit, symbol, and Shannon entropy of at least 4.0 bits per
    character. Added to the agreed criteria after measuring: a value at least half made of
    word-like runs (a letter followed by 3+ lower-case letters, as in ``ProdKnowledgeBaseQueue2024``
    or a CDK physical name ``MyStack-ToolsFunctionServiceRole9F2C4-AbC1dEf``) is an identifier,
    not a generated secret; such names pass the other criteria and are common in configuration,
    while random base64/alphanumeric keys of 24-48 characters reach that share about 1% of the time.

(e) its value is, or builds in, an ``Fn::GetAtt`` of an attribute that returns a secret, whatever the
    name: CloudFormation writes the secret itself into the configuration. Secret-bearing attributes
    (``readOnlyProperties`` of the cfn-lint schemas): ``AWS::Cognito::UserPoolClient.ClientSecret``,
    ``AWS::IAM::AccessKey.SecretAccessKey``, ``AWS::AppSync::ApiKey.ApiKey``; and an attribute of a
    custom resource (``Custom::*``, ``AWS::CloudFormation::CustomResource``) whose name looks secret
    by the words of (b), e.g. ``UserPoolClient.ClientSecret`` (a custom resource that describes the
    Cognito client) or ``SecretString`` (one that reads a Secrets Manager value). A Secrets Manager
    secret has no attribute holding its value; its dynamic reference is (a);
(f) it builds literal text into an ``Fn::Join`` / ``Fn::Sub`` and a literal piece (the text between
    the references) has a known credential format (c) or looks generated (d), whatever the name;
    or the name looks secret (b) and a literal piece holds at least 6 letters or digits and is not
    an ARN, a path or a URL part (``DB_PASSWORD = "${Stage}-Sup3rS3cret"``).

"Literal" includes a parameter default (the message names the parameter), except for parameters of
type ``AWS::SSM::Parameter::Value<...>`` whose default is a parameter name, not the value. Any other
intrinsic (``Ref``/``Fn::GetAtt`` of other attributes, ``Fn::ImportValue``, an ``Fn::Sub`` of
references only) never fails (b) to (f).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any, Iterator, List, Optional, Tuple

from ...context import Context
from ...model import Capability, Layer, Phase, Rule, Severity, Violation
from ...read.template import MISSING, Resource

_DYNAMIC_SECRET = re.compile(r"\{\{resolve:(secretsmanager|ssm-secure):", re.IGNORECASE)

_SECRET_WORDS = {"PASSWORD", "PASSWD", "PWD", "SECRET", "TOKEN", "CREDENTIAL", "CREDENTIALS", "APIKEY", "PRIVATEKEY"}
_SECRET_PAIRS = {("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"), ("SECRET", "KEY"), ("SIGNING", "KEY"),
                 ("CLIENT", "SECRET")}
_REFERENCE_SUFFIXES = {"ARN", "NAME", "ID", "PARAM", "PARAMETER", "PATH", "URL", "URI", "ENDPOINT", "HEADER", "TTL",
                       "EXPIRY", "LIMIT", "MAX", "COUNT", "TYPE", "FIELD", "PREFIX", "REGION", "ALIAS"}
_BOOLEAN_WORDS = {"true", "false", "yes", "no", "on", "off", "enabled", "disabled"}

_KNOWN_FORMATS: List[Tuple[str, "re.Pattern[str]"]] = [
    ("an AWS access key id", re.compile(r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("a PEM private key", re.compile(r"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----")),
    ("a GitHub token", re.compile(r"(?<![A-Za-z0-9])(ghp_|gho_|github_pat_)[A-Za-z0-9_]{20,}")),
    ("a Slack token", re.compile(r"(?<![A-Za-z0-9])xox[abpr]-[A-Za-z0-9-]{10,}")),
    ("an API secret key (sk-...)", re.compile(r"(?<![A-Za-z0-9])sk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_]{20,}")),
]
_GENERATED_CHARSET = re.compile(r"[A-Za-z0-9+/=_-]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_WORD_RUN = re.compile(r"[A-Za-z][a-z]{3,}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

#: (resource type, attribute) whose Fn::GetAtt returns a secret (cfn-lint schemas, readOnlyProperties)
SECRET_ATTRIBUTES = {
    ("AWS::Cognito::UserPoolClient", "ClientSecret"): "the Cognito app client secret",
    ("AWS::IAM::AccessKey", "SecretAccessKey"): "the IAM access key's secret",
    ("AWS::AppSync::ApiKey", "ApiKey"): "the AppSync API key",
}
_CUSTOM = "AWS::CloudFormation::CustomResource"
_PLACEHOLDER = re.compile(r"\$\{([^}!][^}]*)\}")
_ALNUM = re.compile(r"[A-Za-z0-9]")

_FIX = ("keep the secret in AWS Secrets Manager, pass its ARN (e.g. DB_SECRET_ARN) and read it at run time "
        "(ECS: ContainerDefinitions[].Secrets)")


def check(ctx: Context) -> Iterator[Violation]:
    for function in ctx.template.of_type("AWS::Lambda::Function"):
        yield from _variables_map(ctx, function, ("Environment", "Variables"))
    for runtime in ctx.template.of_type("AWS::BedrockAgentCore::Runtime"):
        yield from _variables_map(ctx, runtime, ("EnvironmentVariables",))
    for task in ctx.template.of_type("AWS::ECS::TaskDefinition"):
        yield from _container_environment(ctx, task)


def _variables_map(ctx: Context, resource: Resource, path: Tuple[str, ...]) -> Iterator[Violation]:
    where = ".".join(path)
    for variables in ctx.template.resolve(resource.prop(*path)):
        if not variables.known or not isinstance(variables.raw, dict):
            continue  # absent, or a whole map the template cannot show: nothing to judge
        for name in sorted(variables.raw, key=str):
            found = _judge(ctx, str(name), variables.raw[name])
            if found:
                yield Violation(resource.logical_id, f"{where}.{name} {found}{variables.note()}; {_FIX}",
                                f"Env::{_safe(str(name))}")


def _container_environment(ctx: Context, task: Resource) -> Iterator[Violation]:
    containers = task.prop("ContainerDefinitions")
    if not isinstance(containers, list):
        return
    for index, container in enumerate(containers):
        if not isinstance(container, dict):
            continue
        container_name = ctx.template.text(container.get("Name")) or f"#{index}"
        environment = container.get("Environment", MISSING)
        if not isinstance(environment, list):
            continue
        for pair in environment:
            if not isinstance(pair, dict) or not isinstance(pair.get("Name"), str):
                continue
            name = pair["Name"]
            found = _judge(ctx, name, pair.get("Value", MISSING))
            if found:
                yield Violation(task.logical_id,
                                f"ContainerDefinitions[{container_name}].Environment[{name}] {found}; {_FIX}",
                                f"Env::{_safe(container_name)}.{_safe(name)}")


def _safe(text: str) -> str:
    return re.sub(r"[\s\[\]]+", "_", text)


# -- judging one variable -----------------------------------------------------------------------

def _judge(ctx: Context, name: str, raw: Any) -> Optional[str]:
    """Why the variable holds a secret (a phrase for the message), or None."""
    if _is_ssm_parameter_ref(ctx, raw):
        return None
    for value in ctx.template.resolve(raw):
        if value.missing:
            continue
        if not value.known:
            text = ctx.template.text(value.raw)
            if text is not None and _DYNAMIC_SECRET.search(text):
                return _dynamic_reference(value.note())
            if text is not None:
                found = _secret_attribute(ctx, text) or _built_in_literal(name, text)
                if found:
                    return f"{found}{value.note()}"
            continue
        literal = value.raw
        if isinstance(literal, bool) or isinstance(literal, (int, float)):
            continue
        if not isinstance(literal, str):
            continue
        if _DYNAMIC_SECRET.search(literal):
            return _dynamic_reference(value.note())
        for label, pattern in _KNOWN_FORMATS:
            if pattern.search(literal):
                return f"holds a literal value that looks like {label}{value.note()}"
        if _secret_name(name) and _counts_as_secret_value(literal):
            return f"has a secret-looking name and a literal value{value.note()}"
        if _looks_generated(literal):
            return f"holds a literal high-entropy value that looks like a key or token{value.note()}"
    return None


def _secret_attribute(ctx: Context, text: str) -> Optional[str]:
    """Why a ``${Id.Attr}`` reference in the rendered value returns a secret (e), or None."""
    for match in _PLACEHOLDER.finditer(text):
        logical_id, _, attribute = match.group(1).partition(".")
        resource = ctx.template.get(logical_id)
        if resource is None or not attribute:
            continue
        what = SECRET_ATTRIBUTES.get((resource.type, attribute))
        if what is None and (resource.type.startswith("Custom::") or resource.type == _CUSTOM) and any(
                _secret_name(part) for part in attribute.split(".")):
            what = f"the attribute {attribute} of the custom resource {logical_id}, which is named as a secret"
        if what is not None:
            return (f"takes its value from Fn::GetAtt {logical_id}.{attribute} ({what}), so CloudFormation writes "
                    "the secret itself into the plaintext configuration")
    return None


def _built_in_literal(name: str, text: str) -> Optional[str]:
    """Why the literal pieces of an ``Fn::Join`` / ``Fn::Sub`` hold a secret (f), or None."""
    pieces = [piece for piece in _PLACEHOLDER.split(text)[::2] if piece.strip()]
    for piece in pieces:
        for label, pattern in _KNOWN_FORMATS:
            if pattern.search(piece):
                return f"builds a literal value that looks like {label} into an Fn::Join / Fn::Sub"
        if any(_looks_generated(token) for token in re.split(r"[\s:@]+", piece)):
            return "builds a literal high-entropy value that looks like a key or token into an Fn::Join / Fn::Sub"
    if _secret_name(name) and not text.lstrip().startswith("arn:") and any(_literal_secret_piece(p) for p in pieces):
        return "has a secret-looking name and builds literal text into an Fn::Join / Fn::Sub"
    return None


def _literal_secret_piece(piece: str) -> bool:
    text = piece.strip()
    if len(_ALNUM.findall(text)) < 6 or "arn:" in text or "/" in text or "." in text:
        return False
    return _counts_as_secret_value(text.strip(":@-_"))


def _dynamic_reference(note: str) -> str:
    return (f"embeds a {{{{resolve:secretsmanager:...}}}} or {{{{resolve:ssm-secure:...}}}} dynamic reference{note}, "
            "which CloudFormation resolves into the plaintext configuration")


def _is_ssm_parameter_ref(ctx: Context, raw: Any) -> bool:
    if isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get("Ref"), str):
        param = ctx.template.parameters.get(raw["Ref"])
        return isinstance(param, dict) and str(param.get("Type", "")).startswith("AWS::SSM::Parameter::Value")
    return False


def name_words(name: str) -> List[str]:
    """Upper-cased words of a variable name: split on ``_ - .`` (and spaces) and camelCase."""
    words: List[str] = []
    for part in re.split(r"[_\-.\s]+", name):
        words.extend(w.upper() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", part))
    return words


def _secret_name(name: str) -> bool:
    words = name_words(name)
    if not words or words[-1] in _REFERENCE_SUFFIXES:
        return False
    if any(w.endswith(secret) for w in words for secret in _SECRET_WORDS):
        return True
    return any(pair in _SECRET_PAIRS for pair in zip(words, words[1:], strict=False))


def _counts_as_secret_value(literal: str) -> bool:
    text = literal.strip()
    if not text or text.lower() in _BOOLEAN_WORDS or _NUMBER.fullmatch(text):
        return False
    return not text.startswith("arn:")


def shannon_entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def _looks_generated(literal: str) -> bool:
    text = literal.strip()
    if len(text) < 24 or not _GENERATED_CHARSET.fullmatch(text):
        return False
    if text.startswith("/") or text.endswith("/") or "//" in text or _UUID.fullmatch(text):
        return False
    classes = sum((
        any(c.isupper() for c in text),
        any(c.islower() for c in text),
        any(c.isdigit() for c in text),
        any(c in "+/=_-" for c in text),
    ))
    if classes < 3 or shannon_entropy(text) < 4.0:
        return False
    return sum(len(run) for run in _WORD_RUN.findall(text)) * 2 < len(text)


RULE = Rule(
    id="AISEC-DATA-17",
    prowler_aisf=(
        "AISF-DATA-05: Lambda and ECS environment variables",
        "AISF-RUNTIME-02: no secrets in container environments",
        "AISF-RUNTIME-03: no secrets in environment variables",
    ),
    title="No secrets in environment variables",
    layer=Layer.DATA,
    phase=Phase.FOUNDATIONAL,
    capabilities={Capability.ANSWERS, Capability.CONNECTS, Capability.ACTS},
    severity=Severity.HIGH,
    risks=("LLM02", "LLM07"),
    passes="No Lambda, AgentCore Runtime or ECS container environment variable holds a literal secret (a "
           "secret-looking name with a literal value, a known credential format or a high-entropy literal, also as a "
           "literal piece of an `Fn::Join` / `Fn::Sub`), a `{{resolve:secretsmanager:...}}` / "
           "`{{resolve:ssm-secure:...}}` dynamic reference, or an `Fn::GetAtt` of a secret-bearing attribute (a "
           "Cognito app client's `ClientSecret`, an access key's `SecretAccessKey`, an AppSync `ApiKey`, a custom "
           "resource attribute named as a secret).",
    remediation="Store secrets in AWS Secrets Manager and pass only the secret ARN or name "
                "(`DB_SECRET_ARN`); read the value at run time (Lambda: the Parameters and Secrets extension or "
                "the SDK; ECS: `Secrets` with `ValueFrom`). Rotate any secret that was already deployed.",
    construct="no construct can enforce it: the rule judges the values an application puts into environment variables; keep "
              "credentials in aisec_constructs.data.ConnectorSecret (or any secret) and pass its ARN",
    check=check,
    judges=("AWS::Lambda::Function", "AWS::BedrockAgentCore::Runtime", "AWS::ECS::TaskDefinition"),
)
