"""The compliance helper judges what it is given, even after an assertion test synthesized the app first."""
import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from tests.constructs.compliance import aws_solutions_errors, report_only_app


def test_aws_solutions_runs_on_an_app_that_was_already_synthesized():
    app = report_only_app()
    stack = cdk.Stack(app, "S")
    s3.Bucket(stack, "B")  # no access logs, no TLS-only policy
    Template.from_stack(stack)  # synthesizes and caches the assembly, as a module fixture's assertions do
    assert aws_solutions_errors(app) == ["AwsSolutions-S1 @ S/B/Resource", "AwsSolutions-S10 @ S/B/Resource"]
