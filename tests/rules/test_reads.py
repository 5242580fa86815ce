"""Every rule declares what it judges (``Rule.judges``) and what else its check reads (``Rule.reads``), and its
check reads nothing else.

The fixtures of every rule test check the second half as they run (tests/rules/helpers.py); here: the declarations
themselves, the recorder (it must see a read, or the fixture checks prove nothing), and every rule over the CLI
fixture templates. tests/test_reference_app.py runs every rule over the reference app."""
import json
from pathlib import Path

import cfnlint
import pytest

from aisec_rules.context import Context
from aisec_rules.model import Capability, Layer, Phase, Rule, Severity, Violation
from aisec_rules.read.loader import load_stacks
from aisec_rules.registry import RULES
from aisec_rules.rules.base import per_resource
from aisec_rules.system.environments import environments
from tests.rules.helpers import template
from tests.rules.reads import assert_reads_declared, recorded_reads, undeclared

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas" / "providers" / "us-east-1.json"


def known_types() -> set:
    return set(json.loads(SCHEMAS.read_text()))


def test_every_rule_declares_the_types_it_judges():
    known = known_types()
    for rule in RULES:
        assert rule.judges, f"{rule.id} declares no judges: say which resource types it judges"
        assert not set(rule.judges) & set(rule.reads), rule.id
        assert set(rule.system_wide) <= set(rule.judges) | set(rule.reads), rule.id
        for rtype in (*rule.judges, *rule.reads):
            if rtype.endswith("::*"):  # a family: some type of the schemas (or any custom resource) must start so
                assert rtype == "Custom::*" or any(k.startswith(rtype[:-1]) for k in known), (rule.id, rtype)
            else:  # a CloudFormation type of the schemas cfn-lint ships, or a custom resource type
                assert rtype in known or rtype.startswith("Custom::"), (rule.id, rtype)


def test_declarative_rules_take_their_types_from_the_helper():
    @per_resource("AWS::KMS::Key", "AWS::Logs::LogGroup")
    def check(ctx, resource):
        return iter(())

    rule = Rule("AISEC-DATA-99", "t", Layer.DATA, Phase.FOUNDATIONAL, {Capability.ANSWERS}, Severity.LOW, (), "p", "r",
                check)
    assert rule.judges == ("AWS::KMS::Key", "AWS::Logs::LogGroup") and rule.reads == ()


def _rule(check, judges=("AWS::Lambda::Function",), reads=(), system_wide=()) -> Rule:
    return Rule("AISEC-DATA-98", "t", Layer.DATA, Phase.FOUNDATIONAL, {Capability.ANSWERS}, Severity.LOW, (), "p",
                "r", check, judges=judges, reads=reads, system_wide=system_wide)


VIEW = {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/"}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}}}


def test_the_recorder_sees_what_a_check_reads():
    def follows_the_role(ctx: Context):
        for fn in ctx.template.of_type("AWS::Lambda::Function"):
            role = ctx.template.target(fn.prop("Role"))
            if role is not None and role.prop("Path") == "/":  # reads the role's content
                yield Violation(fn.logical_id, "role at the root path")

    rule = _rule(follows_the_role)
    assert recorded_reads(rule, template(VIEW)) == {"AWS::Lambda::Function", "AWS::IAM::Role"}
    assert undeclared(rule, recorded_reads(rule, template(VIEW))) == ["AWS::IAM::Role"]
    with pytest.raises(AssertionError, match="AISEC-DATA-98 reads AWS::IAM::Role but declares only"):
        assert_reads_declared(rule, template(VIEW))
    assert_reads_declared(_rule(follows_the_role, reads=("AWS::IAM::Role",)), template(VIEW))


def test_the_recorder_counts_asking_for_a_type_and_not_looking_at_a_reference():
    def asks(ctx: Context):
        ctx.template.of_type("AWS::Bedrock::Guardrail")  # none there: asking is still reading
        for fn in ctx.template.of_type("AWS::Lambda::Function"):
            role = ctx.template.target(fn.prop("Role"))
            if role is not None and role.type == "AWS::IAM::Role":  # its type and id only: not its content
                yield Violation(fn.logical_id, "has a role")

    assert recorded_reads(_rule(asks), template(VIEW)) == {"AWS::Lambda::Function", "AWS::Bedrock::Guardrail"}


def test_the_recorder_sees_families_and_refuses_a_listing_of_every_type():
    def family(ctx: Context):
        return [Violation(r.logical_id, "custom") for r in ctx.template.of_family("Custom::")]

    def everything(ctx: Context):
        return [Violation(None, t) for t in ctx.template.types()]

    assert recorded_reads(_rule(family), template(VIEW)) == {"Custom::*"}
    assert recorded_reads(_rule(everything), template(VIEW)) == {"*"}
    assert undeclared(_rule(family, reads=("Custom::*",)), {"Custom::*", "Custom::AWS"}) == []


#: every template under tests/fixtures (the SAM ones are expanded first)
FIXTURES = ("cli/public_interpreter.yaml", "readiness/agent_app.json", "sam/agent_tool.yaml", "sam/agent_app/template.yaml")


def test_the_recorder_sees_reads_across_the_system():
    def across(ctx: Context):
        return [Violation(None, "policy") for _, _, r in ctx.system_of_type("AWS::Organizations::Policy")
                if r.prop("Type") == "SERVICE_CONTROL_POLICY"]

    management = template({"Scp": {"Type": "AWS::Organizations::Policy", "Properties": {"Type": "SERVICE_CONTROL_POLICY"}}})
    workload = template(VIEW)
    system = [("aws://111111111111/us-east-1", management), ("aws://222222222222/eu-west-1", workload)]
    rule = _rule(across, judges=("AWS::Organizations::Policy",))
    with pytest.raises(AssertionError, match="reads AWS::Organizations::Policy across the system but declares "
                                             r"system_wide=\(\)"):
        assert_reads_declared(rule, workload, system=system, environment=system[1][0])
    wide = _rule(across, judges=("AWS::Organizations::Policy",), system_wide=("AWS::Organizations::Policy",))
    assert assert_reads_declared(wide, workload, system=system, environment=system[1][0]) == {
        "AWS::Organizations::Policy"}


@pytest.mark.parametrize("path", FIXTURES)
def test_every_rule_reads_only_what_it_declares_on_the_fixture_templates(path):
    for environment in environments(load_stacks([str(ROOT / "tests" / "fixtures" / path)])):
        view = environment.view()
        for rule in RULES:
            assert_reads_declared(rule, view, Phase.ADVANCED, set(Capability))
