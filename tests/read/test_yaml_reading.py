"""The YAML reader accepts what YAML and CloudFormation accept (tabs that separate tokens or precede a comment) and
refuses, in one line naming the line and column, what CloudFormation refuses (a mapping key that carries a tag):
nothing is read as another template than the one written."""
import pytest

from aisec_rules.cli import main
from aisec_rules.read.loader import parse
from aisec_rules.read.template import TemplateError

TOPIC = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}


@pytest.mark.parametrize("text", [
    "Resources:\n  T:\n    Type: AWS::SNS::Topic\t# a trailing comment after a tab\n",
    "Resources:\n  T:\n    Type: AWS::SNS::Topic \t # blanks of both kinds\n",
    "Resources:\n  T:\n    Type: AWS::SNS::Topic\t\n",
    "Resources:\n\t# a comment line that starts with a tab\n  T:\n    Type: AWS::SNS::Topic\n",
    "Resources:\n  T:\n    Type:\tAWS::SNS::Topic\n",
    "Resources: {T: {Type: AWS::SNS::Topic\t}}\n",
])
def test_tabs_that_separate_or_precede_a_comment_are_read(text):
    assert parse(text, "t.yaml") == TOPIC


def test_a_tab_between_words_of_a_plain_scalar_is_kept_as_written():
    data = parse("Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Description: a\tb \tc\t# note\n", "t.yaml")
    assert data["Resources"]["T"]["Description"] == "a\tb \tc"


def test_a_tab_that_indents_is_still_an_error():
    with pytest.raises(TemplateError) as error:
        parse("Resources:\n\tT:\n    Type: AWS::SNS::Topic\n", "t.yaml")
    assert str(error.value) == ("t.yaml: malformed YAML: while scanning for the next token found character '\\t' "
                                "that cannot start any token: line 2 column 1")


@pytest.mark.parametrize("text, tag, where", [
    ('Resources:\n  T:\n    Type: X\n    Properties:\n      A: [!ImportValue Fn::Sub: "x"]\n', "!ImportValue",
     "line 5 column 11"),
    ("Resources:\n  !Ref T:\n    Type: X\n", "!Ref", "line 2 column 3"),
    ("Resources:\n  ? !Sub T\n  : {Type: X}\n", "!Sub", "line 2 column 5"),
    ("Resources: {!GetAtt A.B: {Type: X}}\n", "!GetAtt", "line 1 column 13"),
    ("!Condition Resources: {}\n", "!Condition", "line 1 column 1"),
    ('Resources:\n  T:\n    Type: X\n    Properties: !If [C, {!Ref K: v}, {}]\n', "!Ref", "line 4 column 26"),
])
def test_a_tagged_mapping_key_is_a_one_line_error(text, tag, where):
    with pytest.raises(TemplateError) as error:
        parse(text, "t.yaml")
    assert str(error.value) == f"t.yaml: malformed YAML: a mapping key may not carry a tag ({tag}): {where}"


def test_the_cli_refuses_a_tagged_key_in_one_line(tmp_path, capsys):
    path = tmp_path / "t.yaml"
    path.write_text('Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      A: [!ImportValue Fn::Sub: "x"]\n')
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"aisec: error: {path}: malformed YAML: a mapping key may not carry a tag (!ImportValue): "
                              "line 5 column 11\n")


def test_keys_stay_the_text_written():
    assert parse("Resources: {1: {Type: X}, true: {Type: Y}, !!str 2: {Type: Z}}\n", "t.yaml") == {
        "Resources": {"1": {"Type": "X"}, "true": {"Type": "Y"}, "2": {"Type": "Z"}}}
