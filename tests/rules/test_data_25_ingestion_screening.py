from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-25"
LAMBDA = {"Fn::GetAtt": ["Scrubber", "Arn"]}


def source(bucket_arn=None, transform=True, step="POST_CHUNKING"):
    bucket_arn = bucket_arn if bucket_arn is not None else {"Fn::GetAtt": ["Corpus", "Arn"]}
    props = {"Name": "docs", "KnowledgeBaseId": "ABCDEFGHIJ",
             "DataSourceConfiguration": {"Type": "S3", "S3Configuration": {"BucketArn": bucket_arn}}}
    if transform:
        props["VectorIngestionConfiguration"] = {"CustomTransformationConfiguration": {
            "IntermediateStorage": {"S3Location": {"URI": "s3://scratch/"}},
            "Transformations": [{"StepToApply": step,
                                 "TransformationFunction": {"TransformationLambdaConfiguration": {"LambdaArn": LAMBDA}}}]}}
    return {"Source": {"Type": "AWS::Bedrock::DataSource", "Properties": props}}


def corpus(versioning="Enabled"):
    props = {} if versioning is None else {"VersioningConfiguration": {"Status": versioning}}
    return {"Corpus": {"Type": "AWS::S3::Bucket", "Properties": props}}


def test_screened_source_and_versioned_bucket_pass():
    assert findings(RULE, {**source(), **corpus()}) == []
    sub = {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Corpus}"}
    assert findings(RULE, {**source(sub), **corpus()}) == []


def test_missing_transformation_and_versioning_are_separate_findings():
    resources = {**source(transform=False), **corpus(None)}
    assert findings(RULE, resources) == [(RULE + "[Transformation]", "Source"), (RULE + "[Versioning]", "Corpus")]
    assert findings(RULE, {**source(), **corpus("Suspended")}) == [(RULE + "[Versioning]", "Corpus")]


def test_bucket_outside_the_template_cannot_be_verified():
    resources = source("arn:aws:s3:::external-corpus")
    assert findings(RULE, resources) == [(RULE + "[Versioning]", "Source")]
    assert "cannot be verified" in messages(RULE, resources)[0]


def test_parameter_default_and_fn_if():
    params = {"Parameters": {"Step": {"Type": "String", "Default": "PRE_CHUNKING"}}}
    assert findings(RULE, {**source(step={"Ref": "Step"}), **corpus()}, **params) == [(RULE + "[Transformation]", "Source")]
    versioning = {"Fn::If": ["Prod", "Enabled", "Suspended"]}
    assert findings(RULE, {**source(), **corpus(versioning)}) == [(RULE + "[Versioning]", "Corpus")]


def test_only_at_advanced_and_odd_shapes():
    assert findings(RULE, source(transform=False), Phase.ENHANCED) == []
    odd = {"Source": {"Type": "AWS::Bedrock::DataSource", "Properties": {
        "VectorIngestionConfiguration": {"CustomTransformationConfiguration": {"Transformations": "x"}}}}}
    assert findings(RULE, odd) == [(RULE + "[Transformation]", "Source")]
