"""The pre-commit hook (.pre-commit-hooks.yaml) through `pre-commit try-repo`, on a fixture repository:
a bad template fails the commit, the fixed one passes.

try-repo installs the hook the way users get it (pip installs this project into pre-commit's own
environment: PyPI only). The project is snapshotted into a local repository at one commit first, so
both runs share that one environment, and uncommitted work is what gets tested."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ACKNOWLEDGED_ELSEWHERE = """\
Metadata:
  cdk_nag:
    rules_to_suppress:
      - {id: AISEC-APP-01, reason: the account guardrail filters every model call}
      - {id: AISEC-APP-18, reason: invocation logging is set by the baseline stack}
      - {id: AISEC-APP-19, reason: organization trail in the management account}
Resources:
  Interpreter:
    Type: AWS::BedrockAgentCore::CodeInterpreterCustom
    Properties:
      Name: interpreter
      NetworkConfiguration:
        NetworkMode: %s
"""


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


def snapshot_project(into: Path) -> str:
    """Tracked and untracked (not ignored) files of this project, committed in a repository of their own."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    git(into, "init", "-q")
    git(into, "add", "-A")
    git(into, "commit", "-q", "-m", "snapshot")
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=into, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_hook_fails_on_a_bad_template_and_passes_on_the_fixed_one(tmp_path):
    project, fixture = tmp_path / "project", tmp_path / "fixture"
    project.mkdir()
    fixture.mkdir()
    rev = snapshot_project(project)
    git(fixture, "init", "-q")
    (fixture / "template.yaml").write_text(ACKNOWLEDGED_ELSEWHERE % "PUBLIC")
    git(fixture, "add", "template.yaml")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def try_repo():
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(project), "aisec-check",
                               "--ref", rev, "--files", "template.yaml"],
                              cwd=fixture, env=env, capture_output=True, text=True, timeout=600)

    bad = try_repo()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "aisec check (CloudFormation templates)" in bad.stdout and "Failed" in bad.stdout
    assert "    Interpreter: AISEC-INF-06 HIGH: NetworkConfiguration.NetworkMode is PUBLIC" in bad.stdout
    assert "1 finding(s), 3 acknowledged" in bad.stdout

    (fixture / "template.yaml").write_text(ACKNOWLEDGED_ELSEWHERE % "SANDBOX")
    git(fixture, "add", "template.yaml")
    fixed = try_repo()
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout
