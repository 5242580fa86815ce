import json

from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-14"
ALL_BLOCKED = {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
               "RestrictPublicBuckets": True}


def bucket(block=ALL_BLOCKED, name=None):
    props = {}
    if block is not None:
        props["PublicAccessBlockConfiguration"] = block
    if name is not None:
        props["BucketName"] = name
    return {"Type": "AWS::S3::Bucket", "Properties": props}


def tls_statement(bucket_id="Docs", **overrides):
    statement = {
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Resource": [{"Fn::GetAtt": [bucket_id, "Arn"]},
                     {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/*"]]}],
    }
    statement.update(overrides)
    return statement


def policy(statements, bucket_ref=None):
    return {"Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": bucket_ref if bucket_ref is not None else {"Ref": "Docs"},
                           "PolicyDocument": {"Statement": statements, "Version": "2012-10-17"}}}


def cdk_bucket(**kw):
    """What CDK synthesizes for Bucket(blockPublicAccess=BLOCK_ALL, enforceSSL=True)."""
    return {"Docs": bucket(**kw), "DocsPolicy": policy([tls_statement()])}


def test_cdk_private_tls_only_bucket_passes():
    assert findings(RULE, cdk_bucket()) == []


def test_missing_block_and_missing_policy_fail_separately():
    resources = {"Docs": bucket(block=None)}
    assert findings(RULE, resources) == [(f"{RULE}[PublicAccessBlockConfiguration]", "Docs"),
                                         (f"{RULE}[SecureTransport]", "Docs")]
    assert any("April 2023" in m for m in messages(RULE, resources))


def test_each_false_or_absent_flag_is_its_own_finding():
    resources = cdk_bucket(block={"BlockPublicAcls": True, "BlockPublicPolicy": "false", "IgnorePublicAcls": "true"})
    assert findings(RULE, resources) == [(f"{RULE}[BlockPublicPolicy]", "Docs"), (f"{RULE}[RestrictPublicBuckets]", "Docs")]


def test_flag_from_parameter_default_is_judged_and_named():
    params = {"Parameters": {"Block": {"Type": "String", "Default": "false", "AllowedValues": ["true", "false"]}}}
    resources = cdk_bucket(block=dict(ALL_BLOCKED, RestrictPublicBuckets={"Ref": "Block"}))
    assert findings(RULE, resources, **params) == [(f"{RULE}[RestrictPublicBuckets]", "Docs")]
    assert "from the default of parameter Block" in messages(RULE, resources, **params)[0]


def test_block_under_fn_if_is_judged_per_branch():
    resources = cdk_bucket(block={"Fn::If": ["IsProd", ALL_BLOCKED, {"Ref": "AWS::NoValue"}]})
    assert findings(RULE, resources) == [(f"{RULE}[PublicAccessBlockConfiguration]", "Docs")]
    assert "IsProd is false" in messages(RULE, resources)[0]


def test_policy_without_tls_deny_fails_with_policy_named():
    allow_only = {"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "s3:GetObject",
                  "Resource": "arn:aws:s3:::acme-kb-docs/*"}
    resources = {"Docs": bucket(), "DocsPolicy": policy([allow_only])}
    assert findings(RULE, resources) == [(f"{RULE}[SecureTransport]", "Docs")]
    assert "DocsPolicy does not deny" in messages(RULE, resources)[0]


def test_incomplete_deny_statements_do_not_count():
    incomplete = [
        tls_statement(Action="s3:GetObject"),                                          # PutObject not denied
        tls_statement(Principal={"AWS": "arn:aws:iam::123456789012:root"}),            # not everyone
        tls_statement(Condition={"Bool": {"aws:SecureTransport": "true"}}),            # wrong value
        tls_statement(Condition={"StringEquals": {"aws:SecureTransport": "false"}}),  # wrong operator
        tls_statement(Effect="Allow"),
        tls_statement(Resource={"Fn::GetAtt": ["Docs", "Arn"]}),                       # bucket only, no objects
        tls_statement(NotAction="s3:GetObject"),                                       # GetObject excluded
    ]
    for statement in incomplete:
        statement.pop("Action") if "NotAction" in statement else None
        assert findings(RULE, {"Docs": bucket(), "DocsPolicy": policy([statement])}) == [
            (f"{RULE}[SecureTransport]", "Docs")], statement


def test_equivalent_deny_forms_count():
    forms = [
        tls_statement(Principal="*", Condition={"BoolIfExists": {"aws:SecureTransport": False}}),
        tls_statement(Action=["s3:GetObject", "s3:PutObject", "s3:ListBucket"]),
        tls_statement(Action=["s3:Get*", "s3:Put*"], Resource="arn:aws:s3:::acme-kb-docs/*"),
        dict({k: v for k, v in tls_statement().items() if k != "Action"}, NotAction="s3:ListBucket"),
    ]
    for statement in forms:
        assert findings(RULE, {"Docs": bucket(), "DocsPolicy": policy(statement)}) == [], statement


def test_policy_document_as_json_string_and_join():
    resources = cdk_bucket()
    document = json.dumps({"Statement": [tls_statement(Resource=["arn:aws:s3:::acme-kb-docs",
                                                                  "arn:aws:s3:::acme-kb-docs/*"])]})
    resources["DocsPolicy"]["Properties"]["PolicyDocument"] = document
    assert findings(RULE, resources) == []
    resources["DocsPolicy"]["Properties"]["PolicyDocument"] = {"Fn::Join": ["", [
        '{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::',
        {"Ref": "Docs"}, '/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}']]}
    assert findings(RULE, resources) == []


def test_unreadable_policy_cannot_be_verified():
    resources = cdk_bucket()
    resources["DocsPolicy"]["Properties"]["PolicyDocument"] = {"Fn::ImportValue": "SharedPolicy"}
    assert findings(RULE, resources) == [(f"{RULE}[SecureTransport]", "Docs")]
    assert "cannot be verified" in messages(RULE, resources)[0]


def test_policy_matched_by_literal_bucket_name():
    resources = {"Docs": bucket(name="acme-kb-docs"),
                 "DocsPolicy": policy([tls_statement()], bucket_ref="acme-kb-docs")}
    assert findings(RULE, resources) == []
    resources["DocsPolicy"]["Properties"]["Bucket"] = "other-bucket"
    assert findings(RULE, resources) == [(f"{RULE}[SecureTransport]", "Docs")]
    assert "no AWS::S3::BucketPolicy" in messages(RULE, resources)[0]


def test_policy_matched_by_same_parameter_or_sub_name():
    sub = {"Fn::Sub": "${AWS::StackName}-docs"}
    resources = {"Docs": bucket(name=sub), "DocsPolicy": policy([tls_statement()], bucket_ref=sub)}
    assert findings(RULE, resources) == []
    params = {"Parameters": {"BucketName": {"Type": "String"}}}
    ref = {"Ref": "BucketName"}
    resources = {"Docs": bucket(name=ref), "DocsPolicy": policy([tls_statement()], bucket_ref=ref)}
    assert findings(RULE, resources, **params) == []


def test_every_bucket_is_judged_and_policy_applies_only_to_its_bucket():
    resources = cdk_bucket()
    resources["Logs"] = bucket()
    assert findings(RULE, resources) == [(f"{RULE}[SecureTransport]", "Logs")]


def test_odd_shapes_do_not_crash():
    resources = {"Docs": bucket(block="yes"), "DocsPolicy": policy("not a list")}
    resources["DocsPolicy"]["Properties"]["PolicyDocument"] = {"Statement": ["x", {"Effect": ["Deny"]}, None]}
    assert findings(RULE, resources) == [(f"{RULE}[PublicAccessBlockConfiguration]", "Docs"),
                                         (f"{RULE}[SecureTransport]", "Docs")]
    resources["DocsPolicy"]["Properties"]["PolicyDocument"] = 7
    resources["DocsPolicy"]["Properties"]["Bucket"] = ["Docs"]
    assert findings(RULE, resources, Phase.FOUNDATIONAL) == [(f"{RULE}[PublicAccessBlockConfiguration]", "Docs"),
                                                             (f"{RULE}[SecureTransport]", "Docs")]


def test_no_bucket_no_finding():
    assert findings(RULE, {"Key": {"Type": "AWS::KMS::Key", "Properties": {}}}) == []
