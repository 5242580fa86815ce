"""The engine pauses Python's cyclic garbage collector while it judges, and leaves it as it found it."""
import gc

import pytest

from aisec_rules import engine
from aisec_rules.read.stack import Stack
from aisec_rules.read.template import Template

TEMPLATE = {"Resources": {"CI": {"Type": "AWS::BedrockAgentCore::CodeInterpreterCustom",
                                 "Properties": {"Name": "ci", "NetworkConfiguration": {"NetworkMode": "PUBLIC"}}}}}


@pytest.fixture
def collector():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_judging_runs_with_the_collector_paused_and_restores_it(collector, monkeypatch, enabled):
    (gc.enable if enabled else gc.disable)()
    seen = []
    run = engine._run
    monkeypatch.setattr(engine, "_run", lambda rule, context: seen.append(gc.isenabled()) or run(rule, context))
    findings = engine.evaluate_system([Stack(Template(TEMPLATE, "t.json"))], "foundational")
    assert "AISEC-INF-06" in [f.id for f in findings if f.resource == "CI"]
    assert seen and not any(seen)
    assert gc.isenabled() is enabled


def test_the_pause_nests_and_ends_on_an_error(collector):
    gc.enable()
    with pytest.raises(ValueError):
        with engine.collector_paused():
            with engine.collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the inner block found it paused and leaves it paused
            raise ValueError
    assert gc.isenabled()
