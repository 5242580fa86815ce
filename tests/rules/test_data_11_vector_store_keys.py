import json

from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-11"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


def collection(name="kb-vectors", encryption=None):
    props = {"Name": name, "Type": "VECTORSEARCH"}
    if encryption is not None:
        props["EncryptionConfig"] = encryption
    return {"Collection": {"Type": "AWS::OpenSearchServerless::Collection", "Properties": props}}


def encryption_policy(document, name="Enc"):
    policy = json.dumps(document) if isinstance(document, dict) and "Rules" in document else document
    return {name: {"Type": "AWS::OpenSearchServerless::SecurityPolicy",
                   "Properties": {"Name": "kb-enc", "Type": "encryption", "Policy": policy}}}


def cmk_policy(pattern="collection/kb-vectors", key=KEY):
    return {"Rules": [{"ResourceType": "collection", "Resource": [pattern]}], "AWSOwnedKey": False, "KmsARN": key}


def test_collection_covered_by_cmk_policy_passes():
    assert findings(RULE, {**collection(), **encryption_policy(cmk_policy())}) == []
    assert findings(RULE, {**collection(), **encryption_policy(cmk_policy("collection/kb-*"))}) == []


def test_policy_built_with_fn_join_and_key_reference_passes():
    policy = {"Fn::Join": ["", ['{"Rules":[{"ResourceType":"collection","Resource":["collection/kb-vectors"]}],'
                                '"AWSOwnedKey":false,"KmsARN":"', {"Fn::GetAtt": ["Key", "Arn"]}, '"}']]}
    assert findings(RULE, {**collection(), **encryption_policy(policy)}) == []


def test_aws_owned_key_policy_fails_once_on_the_policy():
    owned = {"Rules": [{"ResourceType": "collection", "Resource": ["collection/kb-vectors"]}], "AWSOwnedKey": True}
    assert findings(RULE, {**collection(), **encryption_policy(owned)}) == [(RULE, "Enc")]


def test_uncovered_collection_fails():
    other = encryption_policy(cmk_policy("collection/other"))
    assert findings(RULE, {**collection(), **other}) == [(RULE, "Collection")]
    assert "no AWS::OpenSearchServerless::SecurityPolicy" in messages(RULE, collection())[0]


def test_encryption_config_on_the_collection():
    assert findings(RULE, collection(encryption={"AWSOwnedKey": False, "KmsKeyArn": {"Ref": "Key"}})) == []
    assert findings(RULE, collection(encryption={"AWSOwnedKey": True})) == [(RULE, "Collection")]


def test_collection_name_from_parameter_default_and_unreadable_policy():
    params = {"Parameters": {"Name": {"Type": "String", "Default": "kb-vectors"}}}
    assert findings(RULE, {**collection({"Ref": "Name"}), **encryption_policy(cmk_policy())}, **params) == []
    assert findings(RULE, {**collection(), **encryption_policy({"Fn::GetAtt": ["X", "Y"]})}) == [(RULE, "Collection")]
    assert "cannot be verified" in messages(RULE, {**collection(), **encryption_policy("{not json")})[0]


def vector_bucket(encryption=None):
    props = {"VectorBucketName": "kb-vectors"}
    if encryption is not None:
        props["EncryptionConfiguration"] = encryption
    return {"Bucket": {"Type": "AWS::S3Vectors::VectorBucket", "Properties": props}}


def test_s3_vectors_bucket():
    assert findings(RULE, vector_bucket({"SseType": "aws:kms", "KmsKeyArn": {"Fn::GetAtt": ["Key", "Arn"]}})) == []
    assert findings(RULE, vector_bucket()) == [(RULE, "Bucket")]
    assert "defaults to AES256" in messages(RULE, vector_bucket())[0]
    assert findings(RULE, vector_bucket({"SseType": "aws:kms"})) == [(RULE, "Bucket")]
    assert findings(RULE, vector_bucket({"SseType": {"Fn::If": ["C", "aws:kms", "AES256"]}, "KmsKeyArn": KEY})) == [
        (RULE, "Bucket")]


def test_s3_vectors_index_override():
    def index(encryption):
        props = {"DataType": "float32", "Dimension": 1024, "DistanceMetric": "cosine", "VectorBucketName": "kb-vectors"}
        if encryption is not None:
            props["EncryptionConfiguration"] = encryption
        return {"Index": {"Type": "AWS::S3Vectors::Index", "Properties": props}}
    assert findings(RULE, index(None)) == []
    assert findings(RULE, index({"SseType": "AES256"})) == [(RULE, "Index")]
    assert findings(RULE, index({"SseType": "aws:kms"})) == [(RULE, "Index")]


def test_aurora_cluster_behind_a_knowledge_base():
    def stack(encrypted, key):
        cluster = {"Engine": "aurora-postgresql", "StorageEncrypted": encrypted}
        if key:
            cluster["KmsKeyId"] = key
        return {"Cluster": {"Type": "AWS::RDS::DBCluster", "Properties": cluster},
                "Other": {"Type": "AWS::RDS::DBCluster", "Properties": {"Engine": "aurora-mysql"}},
                "KB": {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {"StorageConfiguration": {
                    "Type": "RDS", "RdsConfiguration": {"ResourceArn": {"Fn::GetAtt": ["Cluster", "DBClusterArn"]}}}}}}
    assert findings(RULE, stack(True, {"Ref": "Key"})) == []
    assert findings(RULE, stack(True, None)) == [(RULE, "Cluster")]
    assert findings(RULE, stack("false", KEY)) == [(RULE, "Cluster")]


def test_phase_and_odd_shapes():
    assert findings(RULE, collection(), Phase.FOUNDATIONAL) == []
    odd = {**collection(), **encryption_policy(json.dumps({"Rules": "x", "AWSOwnedKey": False}))}
    assert findings(RULE, odd) == [(RULE, "Collection"), (RULE, "Enc")]
