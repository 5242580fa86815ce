#!/usr/bin/env python3
"""Prove that aisec installs and runs without this checkout: the way the README tells users to install it.

1. Build the wheel (``make dist``'s command) and fail on any deprecation warning of the project's own making
   (its pyproject.toml); print the wheel's path.
2. Install the wheel into a fresh venv (no editable install), and from a working folder outside the checkout:
   check that ``aisec_rules`` and ``aisec_constructs`` are imported from that venv, run ``aisec check`` on a
   fixture template (exit 1 with the expected finding), and run a two-stack CDK app with the pack
   (``tests/fixtures/wheel_app/app.py``): the pack judges both stacks as one system, writes its readiness report, and
   ``aisec check`` on the synthesized cdk.out finds exactly what the pack reported.
3. Install again from a git URL at a tag (a temporary clone of this checkout, tagged there), the README's other
   install line, and check the CLI runs.

Usage: ``python scripts/check_dist.py [--keep]`` (exit 0 when everything holds, 1 otherwise). Needs PyPI for the
dependencies (pip's cache makes repeated runs fast) and git.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "cli" / "public_interpreter.yaml"
APP = ROOT / "tests" / "fixtures" / "wheel_app" / "app.py"
#: what setuptools prints when this project's packaging settings (pyproject.toml) are deprecated
OWN_WARNINGS = re.compile(r"(SetuptoolsDeprecationWarning|BuildBackendWarning|DeprecationWarning):")


class Failure(Exception):
    pass


def run(args: List[str], cwd: Path, env: Optional[Dict[str, str]] = None, expect: int = 0) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != expect:
        raise Failure(f"{' '.join(args)} exited {done.returncode}, expected {expect}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build_wheel(into: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(into), str(ROOT)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure(f"building the wheel failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    warnings = sorted({line.strip() for line in (done.stdout + done.stderr).splitlines() if OWN_WARNINGS.search(line)})
    if warnings:
        raise Failure("building the wheel warned about deprecated settings:\n" + "\n".join(warnings[:10]))
    wheels = sorted(into.glob("aisec_cdk-*.whl"))
    if len(wheels) != 1:
        raise Failure(f"expected one aisec_cdk wheel in {into}, found {wheels}")
    return wheels[0]


def clean_env(work: Path) -> Dict[str, str]:
    """The environment of a user's shell: no PYTHONPATH, no virtualenv of this checkout, the banner of jsii
    silenced on Node.js 20 as the Makefile does."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    env["HOME"] = os.environ.get("HOME", str(work))
    return env


def check_installed(python: Path, work: Path, env: Dict[str, str]) -> None:
    where = run([str(python), "-c", "import aisec_rules, aisec_constructs; "
                 "print(aisec_rules.__file__); print(aisec_constructs.__file__)"], work, env).split()
    prefix = str(python.parent.parent.resolve())
    if not all(str(Path(w).resolve()).startswith(prefix) for w in where):
        raise Failure(f"the packages were imported from {where}, not from the venv {prefix}")
    aisec = str(python.parent / "aisec")
    template = work / "template.yaml"
    shutil.copyfile(FIXTURE, template)
    found = json.loads(run([aisec, "check", str(template), "--format", "json"], work, env, expect=1))
    ids = sorted(f["id"] for f in found["findings"] if not f["acknowledged"])
    if "AISEC-INF-06" not in ids:
        raise Failure(f"aisec check on {FIXTURE.name} did not find AISEC-INF-06 (public code interpreter): {ids}")
    print(f"  aisec check on a fixture: exit 1, {len(ids)} open findings ({', '.join(ids)})")


def check_pack(python: Path, work: Path, env: Dict[str, str]) -> None:
    app_dir = work / "app"
    app_dir.mkdir()
    shutil.copyfile(APP, app_dir / "app.py")
    outdir = app_dir / "cdk.out"
    app_env = dict(env, CDK_OUTDIR=str(outdir),
                   CDK_CONTEXT_JSON=json.dumps({"@aws-cdk/core:failSynthOnValidationErrors": False}))
    run([str(python), "app.py"], app_dir, app_env)
    report = json.loads((outdir / "validation-report.json").read_text())
    pack = [p for p in report["pluginReports"] if p["pluginName"] == "AISEC"]
    if not pack:
        raise Failure("the pack wrote nothing into validation-report.json")
    by_pack = sorted((v["ruleName"], c["cloudFormationResource"]["templatePath"], c["cloudFormationResource"]["logicalId"])
                     for v in pack[0]["violations"] for c in v["violatingConstructs"])
    stacks = {path for _, path, _ in by_pack}
    if stacks != {"Agent.template.json", "Roles.template.json"} or not any(r == "AISEC-DATA-06" for r, _, _ in by_pack):
        raise Failure(f"the pack did not judge the two stacks as one system: {by_pack}")
    readiness = json.loads((outdir / "aisec-report.json").read_text())
    if not readiness.get("environments"):
        raise Failure("the pack wrote no readiness report")
    checked = json.loads(run([str(python.parent / "aisec"), "check", str(outdir), "--phase", "enhanced", "--format", "json"], app_dir, env,
                             expect=1))
    by_cli = sorted((f["id"], Path(f["template"]).name, f["resource"]) for f in checked["findings"])
    if by_cli != by_pack:
        raise Failure(f"aisec check and the pack disagree:\n  pack: {by_pack}\n  check: {by_cli}")
    print(f"  the pack on a two-stack app: {len(by_pack)} findings over both stacks, the same as aisec check")


def install_from_git_tag(python: Path, work: Path, env: Dict[str, str]) -> None:
    clone = work / "repo"
    run(["git", "clone", "--quiet", str(ROOT), str(clone)], work, env)
    tag_env = dict(env, GIT_COMMITTER_NAME="aisec", GIT_COMMITTER_EMAIL="aisec@example.com")
    run(["git", "tag", "-a", "v0.0.0-dist-check", "-m", "check_dist"], clone, tag_env)
    run([str(python), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps",
         f"aisec-cdk @ git+file://{clone}@v0.0.0-dist-check"], work, env)
    version = run([str(python.parent / "aisec"), "--version"], work, env).strip()
    print(f"  installed from a git URL at a tag: {version}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aisec-dist-"))
    try:
        wheel = build_wheel(work / "dist")
        print(f"built {wheel.name} with no deprecation warning")
        venv.EnvBuilder(with_pip=True, clear=True).create(work / "venv")
        python = work / "venv" / "bin" / "python"
        env = clean_env(work)
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], work, env)
        run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], work, env)
        print(f"installed {wheel.name} into a fresh venv")
        check_installed(python, work, env)
        check_pack(python, work, env)
        install_from_git_tag(python, work, env)
        check_installed(python, work, env)
    except Failure as error:
        print(f"check_dist: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("the wheel and the git install work without this checkout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
