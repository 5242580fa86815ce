"""ModelInvocationLogging masks personal data by default (AISEC-DATA-23); mask_pii=False is a recorded opt-out."""
import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from aisec_constructs.data import ModelInvocationLogging
from aisec_rules.engine import evaluate
from aisec_rules.model import Phase
from aisec_rules.registry import BY_ID
from aisec_rules.read.template import Template as RuleTemplate
from tests.cfn_lint import lint_errors
from tests.constructs.compliance import aws_solutions_errors, report_only_app


@pytest.fixture(scope="module")
def template():
    stack = cdk.Stack(cdk.App(), "Logging")
    ModelInvocationLogging(stack, "Logging")
    return Template.from_stack(stack)


def test_both_log_groups_mask_personal_data(template):
    groups = template.find_resources("AWS::Logs::LogGroup")
    assert len(groups) == 2
    for group in groups.values():
        statements = group["Properties"]["DataProtectionPolicy"]["Statement"]
        assert [s["Sid"] for s in statements] == ["audit-statement-cdk", "redact-statement-cdk"]
        assert statements[1]["Operation"] == {"Deidentify": {"MaskConfig": {}}}
        assert any("EmailAddress" in str(identifier) for identifier in statements[0]["DataIdentifier"])
    assert lint_errors(template.to_json()) == []


def test_masking_satisfies_the_rule(template):
    assert evaluate(RuleTemplate(template.to_json()), Phase.ADVANCED, rules=[BY_ID["AISEC-DATA-23"]]) == []


def test_mask_pii_false_is_recorded_and_still_reported():
    stack = cdk.Stack(cdk.App(), "Clear")
    ModelInvocationLogging(stack, "Logging", mask_pii=False)
    template = Template.from_stack(stack)
    assert lint_errors(template.to_json()) == []
    template.all_resources_properties("AWS::Logs::LogGroup", {"DataProtectionPolicy": Match.absent()})
    Annotations.from_stack(stack).has_warning("/Clear/Logging", Match.string_like_regexp("mask_pii=True"))
    findings = evaluate(RuleTemplate(template.to_json()), Phase.ADVANCED, rules=[BY_ID["AISEC-DATA-23"]])
    assert len(findings) == 2 and {f.id for f in findings} == {"AISEC-DATA-23"}


def test_passes_aws_solutions_checks():
    """The handler has its own role (no AWSLambdaBasicExecutionRole), the latest runtime, and the one inherent
    wildcard (the logging configuration actions have no resource type) is acknowledged with its reason."""
    app = report_only_app()
    ModelInvocationLogging(cdk.Stack(app, "Logging"), "Logging")
    assert aws_solutions_errors(app) == []
