"""Fuzzing (hypothesis): random property trees and intrinsic wrappings over the resource types the
rules read. Whatever the template holds, no rule raises (no internal-error finding), the loader
answers with data or a TemplateError, every case finishes within a time bound, and wrapping an
insecure literal in an intrinsic that still yields it never removes its finding.

Derandomized, with an example budget, so the suite is reproducible and stays within a minute or two
in CI; raise AISEC_FUZZ_EXAMPLES for a longer local run."""
import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisec_rules.read import loader
from aisec_rules.engine import evaluate
from aisec_rules.model import INTERNAL_ERROR, Capability, Phase
from aisec_rules.registry import BY_ID, RULES
from aisec_rules.read.template import Template, TemplateError

BUDGET = int(os.environ.get("AISEC_FUZZ_EXAMPLES", "300"))
SECONDS_PER_CASE = 5.0
FUZZ = settings(max_examples=BUDGET, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

TYPES = [
    "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::Bedrock::Agent", "AWS::Bedrock::AgentAlias",
    "AWS::Bedrock::KnowledgeBase", "AWS::Bedrock::DataSource", "AWS::Bedrock::Guardrail", "AWS::Bedrock::Flow",
    "AWS::BedrockAgentCore::Runtime", "AWS::BedrockAgentCore::Gateway", "AWS::BedrockAgentCore::GatewayTarget",
    "AWS::BedrockAgentCore::CodeInterpreterCustom", "AWS::BedrockAgentCore::BrowserCustom", "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy", "AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::OpenSearchServerless::AccessPolicy",
    "AWS::OpenSearchServerless::Collection", "AWS::OpenSearchServerless::SecurityPolicy",
    "AWS::S3Vectors::VectorBucketPolicy", "AWS::EC2::VPCEndpoint", "AWS::Lambda::Function", "AWS::Lambda::Url",
    "AWS::SageMaker::NotebookInstance", "AWS::SageMaker::Endpoint", "AWS::SageMaker::EndpointConfig",
    "AWS::SageMaker::Model", "AWS::ApiGateway::Stage", "AWS::ApiGateway::Method", "AWS::CloudTrail::Trail",
    "AWS::SecretsManager::Secret", "AWS::Cognito::UserPool", "Custom::AisecModelInvocationLogging", "Custom::AWS",
    "Custom::Vendor", "AWS::Serverless::Function",
]
KEYS = [
    "Policies", "PolicyDocument", "PolicyName", "Statement", "Effect", "Action", "NotAction", "Resource",
    "NotResource", "Condition", "Principal", "Policy", "Type", "Rules", "Permission", "NetworkConfiguration",
    "NetworkMode", "VpcConfig", "BucketEncryption", "ServerSideEncryptionConfiguration",
    "ServerSideEncryptionByDefault", "SSEAlgorithm", "KmsKeyId", "EnableKeyRotation", "GuardrailConfiguration",
    "GuardrailIdentifier", "GuardrailVersion", "ActionGroups", "LoggingConfig", "loggingConfig",
    "TextDataDeliveryEnabled", "CloudWatchConfig", "LogGroupName", "S3Config", "BucketName", "Create",
    "ServiceName", "VpcEndpointType", "PrivateDnsEnabled", "AuthorizerType", "Environment", "Variables",
    "ProductionVariants", "DataCaptureConfig", "DirectInternetAccess", "RootAccess", "Tags", "AWS", "Service",
]
NAMES = ["A", "B", "Role", "P0", "P1", "Loop", "AWS::Region", "AWS::NoValue", "AWS::AccountId", "Missing"]
LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2 ** 40), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["*", "bedrock:*", "bedrock:?*", "iam:PassRole", "aoss:*", "Allow", "Deny", "PUBLIC", "true",
                     "false", "aws:kms", "arn:aws:iam::123456789012:root", "index/*/*", "${A.Arn}", "${P0}", "{",
                     '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}']),
)


def intrinsics(children):
    return st.one_of(
        st.builds(lambda n: {"Ref": n}, st.sampled_from(NAMES)),
        st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, st.sampled_from(["C", "Missing", 3]), children, children),
        st.builds(lambda s: {"Fn::Sub": s}, st.text(max_size=12) | st.sampled_from(["${A}", "x${P0}y", "${!Lit}"])),
        st.builds(lambda s, v: {"Fn::Sub": [s, v]}, st.sampled_from(["${X}", "a${Y}"]),
                  st.dictionaries(st.sampled_from(["X", "Y"]), children, max_size=2)),
        st.builds(lambda sep, parts: {"Fn::Join": [sep, parts]}, st.sampled_from(["", ":", ","]),
                  st.lists(children, max_size=3)),
        st.builds(lambda n, a: {"Fn::GetAtt": [n, a]}, st.sampled_from(NAMES), st.sampled_from(["Arn", "Name"])),
        st.builds(lambda c: {"Fn::ImportValue": c}, children),
        st.builds(lambda c: {"Fn::ToJsonString": c}, children),
        st.builds(lambda i, c: {"Fn::Select": [i, c]}, st.integers(-1, 2), st.lists(children, max_size=2)),
        st.builds(lambda c: {"Fn::Base64": c}, children),
        st.just({"Condition": "C"}),
    )


TREES = st.recursive(
    LEAVES | st.builds(json.dumps, st.dictionaries(st.sampled_from(KEYS), LEAVES, max_size=3)),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5),
        intrinsics(children),
    ),
    max_leaves=25,
)
#: defaults that refer back to their own parameter, directly or through the other parameters
SELF_REFERENCES = st.sampled_from([{"Ref": "Loop"}, {"Fn::If": ["C", {"Ref": "P1"}, {"Ref": "Loop"}]},
                                   {"Fn::Join": ["", [{"Ref": "P0"}]]}, {"Fn::If": ["C", {"Ref": "P0"}, "x"]}])
RESOURCE = st.fixed_dictionaries({"Type": st.sampled_from(TYPES)},
                                 optional={"Properties": st.dictionaries(st.sampled_from(KEYS), TREES, max_size=6),
                                           "Condition": st.sampled_from(["C", "Missing"]),
                                           "Metadata": st.just({"cdk_nag": {"rules_to_suppress": [
                                               {"id": "AISEC-DATA-01", "reason": "fuzz"}]}})})
#: a role whose statement fields are random trees: every IAM rule and capability detection reads them
ROLES = st.builds(
    lambda effect, action, resource, condition: {"Type": "AWS::IAM::Role", "Properties": {"Policies": [
        {"PolicyName": "p", "PolicyDocument": {"Statement": [
            {"Effect": effect, "Action": action, "Resource": resource, "Condition": condition}]}}]}},
    TREES | st.sampled_from(["Allow", {"Ref": "P0"}]), TREES | st.builds(lambda n: {"Ref": n}, st.sampled_from(NAMES)),
    TREES, TREES)
PARAMETER = st.fixed_dictionaries({"Type": st.sampled_from(["String", "CommaDelimitedList"])},
                                  optional={"Default": TREES | SELF_REFERENCES})
TEMPLATES = st.builds(
    lambda resources, role, parameters, more: {"Resources": {**resources, "FuzzRole": role},
                                               "Parameters": parameters, **more},
    st.dictionaries(st.sampled_from(NAMES[:5]) | st.text(min_size=1, max_size=6), RESOURCE, max_size=4),
    ROLES,
    st.fixed_dictionaries({"P0": PARAMETER, "P1": PARAMETER, "Loop": PARAMETER}),
    st.fixed_dictionaries({}, optional={"Conditions": st.just({"C": {"Fn::Equals": ["a", "b"]}}),
                                        "Transform": st.sampled_from(["AWS::LanguageExtensions"])}),
)


def judged(template: Template, capabilities=None):
    start = time.perf_counter()
    result = evaluate(template, Phase.ADVANCED, capabilities, RULES)
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS_PER_CASE, f"{elapsed:.1f}s"
    crashed = [f.message for f in result if f.detail == INTERNAL_ERROR]
    assert not crashed, crashed
    return result


@FUZZ
@given(TEMPLATES)
def test_no_rule_raises_on_random_templates(data):
    try:
        template = Template(data, "fuzz.json")
    except TemplateError:
        return
    judged(template)
    judged(template, set(Capability))


#: templates with Fn::ForEach loops (nested, over lists, parameters or what cannot be read)
LOOPS = st.recursive(
    st.builds(lambda name, resource: {f"R${{{name}}}": resource}, st.sampled_from(["X", "Y"]), RESOURCE),
    lambda inner: st.builds(
        lambda loop, name, collection, body: {f"Fn::ForEach::{loop}": [name, collection, body]},
        st.sampled_from(["A", "B"]), st.sampled_from(["X", "Y"]),
        st.lists(st.sampled_from(["a", "b-c", "1"]), max_size=3) | st.sampled_from([{"Ref": "P0"}, {"Ref": "Names"},
                                                                                    {"Fn::GetAtt": ["A", "B"]}]),
        inner),
    max_leaves=3)
FOREACH_TEMPLATES = st.builds(
    lambda loops, names: {"Transform": "AWS::LanguageExtensions", "Resources": loops,
                          "Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": names}}},
    LOOPS, st.sampled_from(["a,b", "", "x"]))


@FUZZ
@given(TEMPLATES | FOREACH_TEMPLATES, st.sampled_from(["json", "yaml"]))
def test_the_loader_answers_with_a_template_or_an_error(tmp_path_factory, data, form):
    import yaml

    text = json.dumps(data) if form == "json" else yaml.safe_dump(data)
    path = tmp_path_factory.mktemp("fuzz") / f"t.{form}"
    path.write_text(text)
    try:
        template = loader.load_file(path)
    except TemplateError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error)
        return
    judged(template)


@FUZZ
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_the_parser_answers_with_data_or_a_template_error(text):
    try:
        loader.parse(text, "fuzz.yaml")
    except TemplateError as error:
        assert str(error).startswith("fuzz.yaml: ") and "\n" not in str(error)


# -- the metamorphic property -------------------------------------------------------------------

def _role(statement):
    return {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": []},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}]}}}


#: (rule, insecure literal, resources with the literal in its slot)
CASES = {
    "wildcard action": ("AISEC-DATA-01", "bedrock:*",
                        lambda v: _role({"Effect": "Allow", "Action": v, "Resource": "*"})),
    "intrinsic effect": ("AISEC-DATA-01", "Allow",
                         lambda v: _role({"Effect": v, "Action": "bedrock:*", "Resource": "*"})),
    "action in a list": ("AISEC-DATA-01", "*",
                         lambda v: _role({"Effect": "Allow", "Action": ["s3:GetObject", v], "Resource": "*"})),
    "pass role on every role": ("AISEC-DATA-04", "*",
                                lambda v: _role({"Effect": "Allow", "Action": "iam:PassRole", "Resource": v})),
    "invoke every model": ("AISEC-DATA-02", "*",
                           lambda v: _role({"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": v})),
    "public code interpreter": ("AISEC-INF-06", "PUBLIC", lambda v: {"CI": {
        "Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
        "Properties": {"Name": "ci", "NetworkConfiguration": {"NetworkMode": v}}}}),
    "key rotation off": ("AISEC-DATA-16", "false", lambda v: {"Key": {
        "Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": []}, "EnableKeyRotation": v}}}),
    "notebook with internet access": ("AISEC-INF-14", "Enabled", lambda v: {"Notebook": {
        "Type": "AWS::SageMaker::NotebookInstance", "Properties": {
            "InstanceType": "ml.t3.medium", "RoleArn": {"Fn::GetAtt": ["R", "Arn"]}, "KmsKeyId": {"Ref": "K"},
            "DirectInternetAccess": v, "RootAccess": "Disabled", "SubnetId": {"Ref": "S"}}}}),
    "bucket encrypted with SSE-S3": ("AISEC-DATA-15", "AES256", lambda v: {"Bucket": {
        "Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": v}}]}}}}),
    "public vector store": ("AISEC-DATA-12", json.dumps([{"Rules": [{"ResourceType": "index", "Resource": [
        "index/kb/*"], "Permission": ["aoss:ReadDocument"]}], "Principal": ["*"]}]), lambda v: {"Access": {
            "Type": "AWS::OpenSearchServerless::AccessPolicy", "Properties": {"Name": "a", "Type": "data", "Policy": v}}}),
}
WRAPPERS = st.lists(st.sampled_from(["if", "param", "sub", "join"]), min_size=1, max_size=4)


def wrap(value, wrappers, parameters):
    """The value under each wrapper in turn (innermost first); each still yields the value."""
    for kind in wrappers:
        if kind == "if":
            value = {"Fn::If": ["C", value, value]}
        elif kind == "param":
            name = f"Wrapped{len(parameters)}"
            parameters[name] = {"Type": "String", "Default": value}
            value = {"Ref": name}
        elif kind == "sub" and isinstance(value, str) and "${" not in value:
            value = {"Fn::Sub": value}
        elif kind == "join":
            value = {"Fn::Join": ["", [value]]}
    return value


def _ids(rule_id, resources, parameters):
    data = {"Resources": resources, "Conditions": {"C": {"Fn::Equals": ["a", "b"]}}, "Parameters": parameters}
    result = evaluate(Template(data, "m.json"), Phase.ADVANCED, set(Capability), [BY_ID[rule_id]])
    return {f.id for f in result}


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=max(10, BUDGET // 6), derandomize=True, deadline=None, database=None)
@given(wrappers=WRAPPERS)
def test_wrapping_an_insecure_literal_never_removes_its_finding(case, wrappers):
    rule_id, literal, build = CASES[case]
    plain = _ids(rule_id, build(literal), {})
    assert plain, f"{case}: the literal itself must be reported"
    parameters = {}
    wrapped = _ids(rule_id, build(wrap(literal, wrappers, parameters)), parameters)
    assert plain <= wrapped, (case, wrappers, plain - wrapped)
