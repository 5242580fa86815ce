"""Engine behaviour independent of any one rule: merging, internal errors, capability detection."""
from aisec_rules.engine import evaluate
from aisec_rules.model import Capability, Layer, Phase, Rule, Severity, Violation
from aisec_rules.read.template import Template

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
    from aisec_rules.system.capabilities import detect

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


def test_a_rule_declares_that_it_tightens_with_the_phase_exactly_when_its_check_reads_it():
    """The engine reuses a rule's highest-phase findings at lower phases unless the rule tightens."""
    import importlib
    import inspect
    import pkgutil

    from aisec_rules import rules as package
    from aisec_rules.model import Rule

    seen = 0
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        reads_phase = "ctx.phase" in inspect.getsource(module)
        for rule in (v for v in vars(module).values() if isinstance(v, Rule)):
            seen += 1
            assert rule.tightens == reads_phase, rule.id
    assert seen >= 70


def test_one_pass_over_every_phase_equals_one_evaluation_per_phase():
    from aisec_rules.engine import evaluate_phases, evaluate_system
    from aisec_rules.read.stack import Stack
    from aisec_rules.read.template import Template

    template = Template({"Resources": {
        "Interpreter": {"Type": "AWS::BedrockAgentCore::CodeInterpreterCustom", "Properties": {
            "Name": "i", "NetworkConfiguration": {"NetworkMode": "SANDBOX"}}},
        "Gateway": {"Type": "AWS::BedrockAgentCore::Gateway", "Properties": {
            "Name": "g", "ProtocolType": "MCP", "AuthorizerType": "AWS_IAM", "RoleArn": "arn:aws:iam::1:role/g",
            "PolicyEngineConfiguration": {"Arn": "arn:aws:bedrock-agentcore:us-east-1:1:policy-engine/p",
                                          "Mode": "LOG_ONLY"}}},
    }}, "t.json")
    together = evaluate_phases([Stack(template)], list(Phase))
    for phase in Phase:
        alone = evaluate_system([Stack(template)], phase)
        assert [(f.id, f.resource, f.message) for f in together[phase]] == \
            [(f.id, f.resource, f.message) for f in alone], phase
    assert {f.id for f in together[Phase.ADVANCED]} - {f.id for f in together[Phase.ENHANCED]}
