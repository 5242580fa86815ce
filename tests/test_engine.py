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


def test_a_rule_reads_the_whole_system_and_its_findings_stay_in_the_environment_it_judges():
    from aisec_rules.engine import evaluate_system
    from aisec_rules.read.stack import Stack

    seen = []

    def count_topics(ctx):
        topics = ctx.system_of_type("AWS::SNS::Topic")
        seen.append((ctx.environment, [(env, view.path, r.logical_id) for env, view, r in topics]))
        yield Violation(None, f"{len(topics)} topic(s) in the system")

    agent = Template({"Resources": {"Agent": {"Type": "AWS::Bedrock::Agent", "Properties": {}}}}, "agent.json")
    topic = Template({"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}}}, "topic.json")
    stacks = [Stack(agent, "Agent", "aws://222222222222/eu-west-1"), Stack(topic, "Topic", "aws://111111111111/us-east-1")]
    [finding] = evaluate_system(stacks, Phase.FOUNDATIONAL, rules=[rule(count_topics)])
    assert (finding.environment, finding.stack, finding.resource) == ("aws://222222222222/eu-west-1", "Agent", "Agent")
    assert finding.message == "1 topic(s) in the system"
    assert seen == [("aws://222222222222/eu-west-1", [("aws://111111111111/us-east-1", "topic.json", "Topic")])]
    # one template judged alone: its own view is the system
    assert [f.message for f in evaluate(TEMPLATE, rules=[rule(count_topics)])] == ["1 topic(s) in the system"]


def test_environment_names_give_account_and_region():
    from aisec_rules.read.stack import AGNOSTIC
    from aisec_rules.system.environments import account_and_region

    assert account_and_region("aws://111111111111/eu-west-1") == ("111111111111", "eu-west-1")
    assert account_and_region(AGNOSTIC) == (None, None)
    assert account_and_region("aws://111111111111/unknown-region") == ("111111111111", None)
    assert account_and_region("somewhere") == (None, None)
