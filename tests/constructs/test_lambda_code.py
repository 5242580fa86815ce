"""Each custom-resource function's asset holds exactly its handler, the shared response module and the package
marker, and runs on its own: the handler imports from the asset folder alone, as Lambda imports it. The
GuardrailProbe asset holds its handler and the probe runtime of aisec_rules, the same files aisec probe runs."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

import aisec_rules.probe
import aisec_rules.probe.suite
from aisec_constructs.lambda_code import PACKAGE_MARKER, PROBE_HANDLER, handler_code, handler_name, probe_code

MODULES = ("invocation_logging", "macie_classification", "opensearch_index")


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir), context={"aws:cdk:enable-asset-metadata": True})
    stack = cdk.Stack(app, "Handlers")
    for module in MODULES:
        lambda_.Function(stack, module, runtime=lambda_.Runtime.PYTHON_3_14, handler=handler_name(module),
                         code=handler_code(module))
    app.synth()
    template = json.loads((outdir / "Handlers.template.json").read_text())
    found = {}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            found[resource["Properties"]["Handler"]] = outdir / resource["Metadata"]["aws:asset:path"]
    return found


@pytest.mark.parametrize("module", MODULES)
def test_the_asset_holds_only_its_handler_and_the_shared_module(assets, module):
    folder = assets[f"handlers.{module}.handler"]
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == ["handlers/__init__.py", "handlers/cfn_response.py", f"handlers/{module}.py"]


@pytest.mark.parametrize("module", MODULES)
def test_the_handler_imports_from_its_asset_alone(assets, module):
    folder = assets[f"handlers.{module}.handler"]
    code = (f"import sys; sys.path.insert(0, {str(folder)!r}); "
            f"import handlers.{module} as m; assert callable(m.handler); print(m.cfn_response.__file__)")
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=folder)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == folder / "handlers" / "cfn_response.py"


def test_a_module_that_is_not_a_handler_is_refused():
    for name in ("cfn_response", "__init__", "nope"):
        with pytest.raises(ValueError, match=f"no handler module '{name}'"):
            handler_code(name)


# -- the GuardrailProbe asset: the handler with the very suite and runner of aisec probe ------------------------------

@pytest.fixture(scope="module")
def probe_asset(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir), context={"aws:cdk:enable-asset-metadata": True})
    stack = cdk.Stack(app, "Probe")
    lambda_.Function(stack, "Probe", runtime=lambda_.Runtime.PYTHON_3_14, handler=handler_name(PROBE_HANDLER),
                     code=probe_code())
    app.synth()
    template = json.loads((outdir / "Probe.template.json").read_text())
    function, = (r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function")
    return outdir / function["Metadata"]["aws:asset:path"]


def test_the_probe_asset_holds_the_handler_and_the_probe_runtime_byte_for_byte(probe_asset):
    files = sorted(str(p.relative_to(probe_asset)) for p in probe_asset.rglob("*") if p.is_file())
    assert files == sorted(["handlers/__init__.py", "handlers/guardrail_probe.py", "aisec_rules/__init__.py"]
                           + [f"aisec_rules/probe/{name}" for name in aisec_rules.probe.RUNTIME])
    probe_dir = Path(aisec_rules.probe.__file__).parent
    for name in aisec_rules.probe.RUNTIME:
        assert (probe_asset / "aisec_rules" / "probe" / name).read_bytes() == (probe_dir / name).read_bytes(), name
    assert (probe_asset / "aisec_rules" / "__init__.py").read_text() == PACKAGE_MARKER


def test_the_probe_handler_runs_the_suite_from_its_asset_alone(probe_asset):
    """-I -S: no site-packages, no user paths; the asset must carry everything the handler imports."""
    code = ("import sys; sys.path.insert(0, %r); import handlers.guardrail_probe as h; "
            "from aisec_rules.probe import suite, runner; s = suite.load(); "
            "print(h.__file__, runner.__file__, suite.SUITE_FILE, len(s.probes))") % str(probe_asset)
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, cwd=probe_asset)
    assert done.returncode == 0, done.stderr
    handler_file, runner_file, suite_file, count = done.stdout.split()
    assert Path(handler_file) == probe_asset / "handlers" / "guardrail_probe.py"
    assert Path(runner_file) == probe_asset / "aisec_rules" / "probe" / "runner.py"
    assert Path(suite_file) == probe_asset / "aisec_rules" / "probe" / "suite.json"
    assert int(count) == len(aisec_rules.probe.suite.load().probes)


def test_the_probe_runtime_imports_only_itself_and_the_standard_library():
    probe_dir = Path(aisec_rules.probe.__file__).parent
    for name in (n for n in aisec_rules.probe.RUNTIME if n.endswith(".py")):
        for node in ast.walk(ast.parse((probe_dir / name).read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 1 or node.module.split(".")[0] in sys.stdlib_module_names, (name, node.module)
            elif isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] in sys.stdlib_module_names for a in node.names), name


def test_the_probe_handler_is_packed_with_probe_code_only():
    with pytest.raises(ValueError, match="pack it with probe_code"):
        handler_code(PROBE_HANDLER)
