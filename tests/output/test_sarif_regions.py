"""Where a SARIF result points: a template written as JSON is read with the JSON scanner, and gives exactly the
regions the YAML composer gives (which reads every other template)."""
import json

import pytest
import yaml

from aisec_rules.output.findings import _json_resource_regions, _sarif_resource_regions

RESOURCES = {"Key": {"Type": "AWS::KMS::Key", "Properties": {"Description": "é \u2603", "Tags": [{"x": 1}]}},
             "Bücket": {"Type": "AWS::S3::Bucket"}, 'Quo"ted\\': {"Type": "AWS::SNS::Topic", "Properties": {}}}
DOCUMENTS = {
    "cdk": {"Resources": RESOURCES, "Parameters": {"BootstrapVersion": {"Type": "String"}}},
    "resources-last": {"Outputs": {"Resources": {"Value": "x"}}, "Conditions": {}, "Resources": RESOURCES},
    "empty": {"Resources": {}},
    "no-resources": {"AWSTemplateFormatVersion": "2010-09-09"},
}
LAYOUTS = {"indent-1": {"indent": 1}, "indent-2": {"indent": 2}, "compact": {"separators": (",", ":")},
           "spaced": {}, "tabs": {"indent": "\t"}, "raw-unicode": {"indent": 3, "ensure_ascii": False}}


def composed(text):
    """The regions as the YAML composer gives them (the reader of every template before the JSON scanner)."""
    document = yaml.compose(text, Loader=yaml.CSafeLoader)
    for key, value in document.value:
        if key.value == "Resources" and isinstance(value, yaml.MappingNode):
            return {node.value: {"startLine": node.start_mark.line + 1, "startColumn": node.start_mark.column + 1,
                                 "endLine": node.end_mark.line + 1, "endColumn": node.end_mark.column + 1}
                    for node, _ in value.value}
    return {}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("document", DOCUMENTS)
def test_json_templates_get_the_regions_the_yaml_composer_gives(document, layout):
    text = "\n " + json.dumps(DOCUMENTS[document], **LAYOUTS[layout]) + "\n"
    assert _json_resource_regions(text) == composed(text)


def test_a_resource_key_is_located_at_its_quotes():
    text = '{\n "Resources": {\n  "Key": {"Type": "AWS::KMS::Key"},\n\t"B": {}}}'
    assert _json_resource_regions(text) == {
        "Key": {"startLine": 3, "startColumn": 3, "endLine": 3, "endColumn": 8},
        "B": {"startLine": 4, "startColumn": 2, "endLine": 4, "endColumn": 5}}


@pytest.mark.parametrize("text", [
    '{"Resources": {"A": {}}\r\n}',  # a line break JSON and YAML count apart: the composer decides
    '\ufeff{"Resources": {"A": {}}}',  # a byte order mark
    '{"Resources": {"A": {}',  # malformed
    '{"Resources": {"A" {}}}',
    '{"Resources": {"A": {}} "B": 1}',
    '{"Resources": {"A": {}}} {}',
    'Resources:\n  A: {}\n',  # YAML
])
def test_what_the_json_scanner_cannot_read_exactly_is_left_to_the_composer(text):
    assert _json_resource_regions(text) is None


def test_a_crlf_template_still_gets_its_regions_from_the_composer(tmp_path):
    path = tmp_path / "t.json"
    path.write_bytes(b'{\r\n  "Resources": {\r\n    "A": {"Type": "AWS::SNS::Topic"}\r\n  }\r\n}\r\n')
    assert _sarif_resource_regions(str(path)) == {"A": {"startLine": 3, "startColumn": 5, "endLine": 3,
                                                        "endColumn": 8}}

