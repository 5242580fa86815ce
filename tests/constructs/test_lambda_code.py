"""Each custom-resource function's asset holds exactly its handler, the shared response module and the package
marker, and runs on its own: the handler imports from the asset folder alone, as Lambda imports it."""
import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from aisec_constructs.lambda_code import handler_code, handler_name

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
