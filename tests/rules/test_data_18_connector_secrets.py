from aisec_rules.model import Phase
from tests.rules.helpers import findings, messages

RULE = "AISEC-DATA-18"


def confluence(secret_arn, name="Source"):
    return {name: {"Type": "AWS::Bedrock::DataSource", "Properties": {
        "Name": "wiki", "KnowledgeBaseId": "ABCDEFGHIJ",
        "DataSourceConfiguration": {"Type": "CONFLUENCE", "ConfluenceConfiguration": {"SourceConfiguration": {
            "HostUrl": "https://example.atlassian.net", "HostType": "SAAS", "AuthType": "BASIC",
            "CredentialsSecretArn": secret_arn}}}}}}


def pinecone_kb(secret_arn):
    return {"KB": {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {
        "Name": "kb", "RoleArn": "arn:aws:iam::1:role/kb",
        "StorageConfiguration": {"Type": "PINECONE", "PineconeConfiguration": {
            "ConnectionString": "https://index.pinecone.io", "CredentialsSecretArn": secret_arn,
            "FieldMapping": {"TextField": "text", "MetadataField": "meta"}}}}}}


def secret(key=None, rotated=True):
    props = {"Description": "connector"}
    if key is not None:
        props["KmsKeyId"] = key
    result = {"Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": props}}
    if rotated:
        result["Rotation"] = {"Type": "AWS::SecretsManager::RotationSchedule", "Properties": {
            "SecretId": {"Ref": "Secret"}, "RotationRules": {"AutomaticallyAfterDays": 30}}}
    return result


def test_cmk_and_rotated_secret_passes():
    assert findings(RULE, {**confluence({"Ref": "Secret"}), **secret({"Fn::GetAtt": ["Key", "Arn"]})}) == []
    assert findings(RULE, {**pinecone_kb({"Ref": "Secret"}), **secret("arn:aws:kms:us-east-1:1:key/k")}) == []


def test_missing_key_and_rotation_are_separate_findings_on_the_secret():
    resources = {**confluence({"Ref": "Secret"}), **confluence({"Ref": "Secret"}, "Source2"), **secret(None, rotated=False)}
    assert findings(RULE, resources) == [(RULE + "[KmsKeyId]", "Secret"), (RULE + "[RotationSchedule]", "Secret")]
    assert findings(RULE, {**pinecone_kb({"Ref": "Secret"}), **secret("alias/aws/secretsmanager")}) == [
        (RULE + "[KmsKeyId]", "Secret")]


def test_secret_outside_the_template_cannot_be_verified():
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:wiki-AbCdEf"
    assert findings(RULE, confluence(arn)) == [(RULE + "[CredentialsSecretArn]", "Source")]
    assert findings(RULE, pinecone_kb({"Fn::ImportValue": "Secret"})) == [(RULE + "[CredentialsSecretArn]", "KB")]
    assert "cannot be verified" in messages(RULE, confluence(arn))[0]


def test_phase_and_odd_shapes():
    assert findings(RULE, confluence("arn:x"), Phase.FOUNDATIONAL) == []
    odd = {"S": {"Type": "AWS::Bedrock::DataSource", "Properties": {"DataSourceConfiguration": "x"}},
           "K": {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {"StorageConfiguration": ["x"]}}}
    assert findings(RULE, odd) == []
