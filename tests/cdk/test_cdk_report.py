"""The report the pack hands back to CDK (aisec_rules.cdk.report): lossless grouping of findings
into violations, and wire names that match aws-cdk-lib's jsii structs."""
import aws_cdk as cdk

from aisec_rules.cdk.report import SHOWN, policy_report
from aisec_rules.model import Capability, Finding, Layer, Phase, Rule, Severity

RULE = Rule(id="AISEC-APP-99", title="t", layer=Layer.APPLICATION, phase=Phase.FOUNDATIONAL,
            capabilities={Capability.ACTS}, severity=Severity.LOW, risks=(), passes="", remediation="fix it",
            check=lambda ctx: [])


def finding(resource, message="open", detail=None, template="a.json", reason=None):
    return Finding(RULE, resource, message, template, detail, acknowledged=reason is not None, reason=reason)


FINDINGS = [finding("A"), finding("B"), finding("C", "other"), finding("A", detail="x"), finding("D", reason="ok"),
            finding("E", reason="ok"), finding("F", reason="different"), finding("A", template="b.json")]


def flat(report):
    return sorted((v["ruleName"], r["templatePath"], r["resourceLogicalId"], v["severity"], v["description"])
                  for v in report["violations"] for r in v["violatingResources"])


def test_grouping_is_lossless():
    report = policy_report(FINDINGS)
    singles = [policy_report([f])["violations"][0] for f in FINDINGS]
    assert flat(report) == flat({"violations": singles})
    # same id, description and severity share one violation; anything that differs keeps its own
    assert len(report["violations"]) == 5
    assert [len(v["violatingResources"]) for v in report["violations"]] == [3, 1, 1, 2, 1]


def test_acknowledgements_keep_their_reason_and_do_not_fail():
    report = policy_report(FINDINGS)
    acked = [v for v in report["violations"] if v["severity"] == "info"]
    assert {v["ruleMetadata"]["reason"] for v in acked} == {"ok", "different"}
    assert all(v["description"].startswith("Acknowledged (") and "fix" not in v for v in acked)
    assert report["success"] is False
    assert policy_report([f for f in FINDINGS if f.acknowledged])["success"] is True
    assert policy_report([]) == {"success": True, "violations": []}


def test_wire_names_are_those_of_the_cdk_structs():
    """jsii accepts a mapping wherever a struct is expected, keyed by the struct's jsii property names."""
    def names(struct_class):
        return set(struct_class.__jsii_name_mapping__.values())

    report = policy_report(FINDINGS)
    assert set(report) <= names(cdk.PolicyValidationPluginReport)
    for v in report["violations"]:
        assert set(v) <= names(cdk.PolicyViolation)
        for resource in v["violatingResources"]:
            assert set(resource) <= names(cdk.PolicyViolatingResource)


MANY = [finding(f"R{i:02d}", "open" if i % 2 else "other") for i in range(25)] + [finding("X", reason="ok")]


def test_with_the_readiness_report_a_violation_names_the_first_resources_and_points_to_it():
    """The readiness report lists every finding, so CDK is handed one violation per finding id and severity with its
    first SHOWN resources: CDK's work after validate() is per violating resource."""
    report = policy_report(MANY, listed_in="cdk.out/aisec-report.json")
    [open_, acked] = report["violations"]
    assert [r["resourceLogicalId"] for r in open_["violatingResources"]] == [f"R{i:02d}" for i in range(SHOWN)]
    assert open_["severity"] == "error" and report["success"] is False
    assert open_["description"] == (
        "other [t; phase Foundational; see docs/RULES.md#aisec-app-99] (25 resources have this finding; the first 10 "
        "are listed here; the message is that of R00, the others' differ): every one, with its own message, is in "
        "cdk.out/aisec-report.json.")
    assert acked["severity"] == "info" and acked["ruleMetadata"]["reason"] == "ok"
    assert acked["description"] == "Acknowledged (ok): open [t; phase Foundational; see docs/RULES.md#aisec-app-99]"


def test_without_the_readiness_report_every_resource_is_listed():
    report = policy_report(MANY)
    assert sorted(r["resourceLogicalId"] for v in report["violations"] for r in v["violatingResources"]) == sorted(
        f.resource for f in MANY)
    assert len(report["violations"]) == 3  # two messages, one acknowledgement
