"""Engine behaviour independent of any one rule: merging, internal errors, capability detection."""
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Layer, Phase, Rule, Severity, Violation
from aisec_rules.template import Template

TEMPLATE = Template({"Resources": {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {}},
                                   "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}}}, "t.json")


def rule(check):
    return Rule(id="AISEC-APP-99", title="t", layer=Layer.APPLICATION, phase=Phase.FOUNDATIONAL,
                capabilities={Capability.ACTS}, severity=Severity.LOW, risks=(), passes="", remediation="", check=check)


def test_same_finding_twice_keeps_both_messages():
    found = evaluate(TEMPLATE, rules=[rule(lambda ctx: [Violation("Topic", "first"), Violation("Topic", "second"),
                                                        Violation("Topic", "first")])])
    assert [(f.id, f.resource, f.message) for f in found] == [("AISEC-APP-99", "Topic", "first; also: second")]


def test_a_crashing_rule_becomes_a_finding_not_a_crash():
    def broken(ctx):
        raise KeyError("Properties")

    [finding] = evaluate(TEMPLATE, rules=[rule(broken)])
    assert finding.id == "AISEC-APP-99[internal-error]" and "KeyError" in finding.message
    assert finding.resource == "Agent" and finding.workload


def test_workload_finding_attaches_to_the_capability_evidence():
    [finding] = evaluate(TEMPLATE, rules=[rule(lambda ctx: [Violation(None, "missing")])])
    assert (finding.resource, finding.workload) == ("Agent", True)


def test_rules_apply_by_phase_and_capability():
    always = rule(lambda ctx: [Violation("Topic", "x")])
    assert evaluate(TEMPLATE, Phase.FOUNDATIONAL, {Capability.ANSWERS}, rules=[always]) == []
    assert len(evaluate(TEMPLATE, Phase.FOUNDATIONAL, None, rules=[always])) == 1  # detected: acts


def test_capability_detection():
    from aisec_rules.capabilities import detect

    def caps(resources):
        return detect(Template({"Resources": resources}))

    invoke = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}]}}}
    admin = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}}}
    assert caps({"P": invoke}) == {Capability.ANSWERS}
    assert caps({"P": admin}) == set()
    assert caps({"KB": {"Type": "AWS::Bedrock::KnowledgeBase", "Properties": {}}}) == {Capability.ANSWERS, Capability.CONNECTS}
    assert caps({"R": {"Type": "AWS::BedrockAgentCore::Runtime", "Properties": {}}}) == {Capability.ANSWERS, Capability.ACTS}
    assert caps({"C": {"Type": "AWS::OpenSearchServerless::Collection", "Properties": {"Type": "SEARCH"}}}) == set()
    assert caps({"T": {"Type": "AWS::SNS::Topic"}}) == set()
