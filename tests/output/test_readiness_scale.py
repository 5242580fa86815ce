"""The readiness report at scale: with more than 10,000 findings the HTML page stays readable (grouped by control,
long lists collapsed) and quick to open, and the JSON lists each finding once."""
import datetime as dt
import json
import time

from aisec_rules.model import Phase
from aisec_rules.output import readiness_html
from aisec_rules.output.readiness import assess
from aisec_rules.read.stack import Stack
from aisec_rules.read.template import Template
from tests.browser import WIDTH, widths

TODAY = dt.date(2026, 11, 29)
GUARDRAILS = 900
#: what the browser gets to open the page and lay it out
SECONDS = 60


def guardrails(count: int) -> Template:
    """``count`` guardrails with no filter at all, each a dozen findings."""
    return Template({"Resources": {f"Guardrail{i}": {"Type": "AWS::Bedrock::Guardrail", "Properties": {
        "Name": f"g{i}", "BlockedInputMessaging": "no", "BlockedOutputsMessaging": "no"}} for i in range(count)}},
        "guardrails.template.json")


def test_ten_thousand_findings_read_grouped_by_control_and_open_quickly(tmp_path):
    readiness = assess([Stack(guardrails(GUARDRAILS))], today=TODAY)
    [env] = readiness.environments
    due = [f for f in env.findings[Phase.ADVANCED] if not f.acknowledged]
    assert len(due) > 10_000
    html = readiness_html.render(readiness)
    controls = {f.rule.id: sum(g.rule.id == f.rule.id for g in due) for f in due}
    long = [i for i, n in controls.items() if n > readiness_html.SHOWN]
    assert len(long) == 9 and len(controls) - len(long) == 8  # per guardrail; per environment (one finding each)
    assert html.count("<details><summary><span class=") == len(long)  # long lists start collapsed
    assert html.count("<details open><summary><span class=") == len(controls) - len(long)
    assert f"Unacknowledged findings at Advanced ({len(due)}, in {len(controls)} controls)" in html
    assert f'<span class="count">{GUARDRAILS}:</span> <code>Guardrail0</code>' in html  # one row per message
    # the next phase's gaps name their first resources, the rest collapsed: APP-02 and APP-03 once per guardrail,
    # APP-01 once per missing filter (five) per guardrail
    shown = readiness_html.SHOWN
    assert [(g.rule.id, len(g.findings)) for g in env.gaps][:3] == [
        ("AISEC-APP-02", GUARDRAILS), ("AISEC-APP-03", GUARDRAILS), ("AISEC-APP-01", 5 * GUARDRAILS)]
    assert html.count(f"<details><summary>and {GUARDRAILS - shown} more</summary>") == 2
    assert html.count(f"<details><summary>and {5 * GUARDRAILS - shown} more</summary>") == 1
    page = tmp_path / "large.html"
    page.write_text(html, encoding="utf-8")
    start = time.monotonic()
    scroll, inner = widths(page, tmp_path, timeout=SECONDS)
    assert inner == WIDTH and scroll <= inner
    assert time.monotonic() - start < SECONDS


def test_the_json_lists_each_finding_once_with_its_phases():
    readiness = assess([Stack(guardrails(3))], today=TODAY)
    [env] = readiness.to_dict()["environments"]
    [judged] = readiness.environments
    assert len(env["findings"]) == len({f.identity for p in Phase for f in judged.findings[p]})
    assert sorted((f["id"], f["resource"], p) for f in env["findings"] for p in f["phases"]) == sorted(
        (f.id, f.resource, p.name.lower()) for p in Phase for f in judged.findings[p])
    assert json.loads(json.dumps(env))["findings"][0]["phases"][0] in ("foundational", "enhanced", "advanced")
