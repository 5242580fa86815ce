"""The code asset of a construct's custom-resource function: the :mod:`aisec_constructs.handlers` package with
only that function's handler module and the shared CloudFormation response module.

The asset's root is this package's folder, from which every file is excluded except those three (CDK's glob
exclusion, with negated patterns), so a function carries no code it does not run and each asset is
self-contained: the Lambda handler is ``handlers.<module>.handler``.

:func:`probe_code` packs the scheduled function of ``GuardrailProbe``: its handler and the files of
``aisec_rules/probe`` that ``aisec probe`` runs (:data:`aisec_rules.probe.RUNTIME`: the suite file and the
runner), copied byte for byte at synth time, never kept as a second copy in the source tree.
"""
import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Dict, Optional

from aws_cdk import aws_lambda as lambda_

import aisec_rules.probe

PACKAGE_DIR = Path(__file__).parent
HANDLERS = "handlers"
SHARED = ("__init__.py", "cfn_response.py")
PROBE_HANDLER = "guardrail_probe"


def handler_code(module: str) -> lambda_.Code:
    """The asset of the handler in ``aisec_constructs/handlers/<module>.py``."""
    if not (PACKAGE_DIR / HANDLERS / f"{module}.py").is_file() or module in ("__init__", "cfn_response"):
        raise ValueError(f"no handler module {module!r} in {PACKAGE_DIR / HANDLERS}")
    if module == PROBE_HANDLER:
        raise ValueError(f"{module} runs the probe suite: pack it with probe_code()")
    keep = [HANDLERS] + [f"{HANDLERS}/{name}" for name in SHARED + (f"{module}.py",)]
    return lambda_.Code.from_asset(str(PACKAGE_DIR), exclude=["*"] + [f"!{path}" for path in keep])


def handler_name(module: str) -> str:
    """The Lambda handler setting for the handler module: ``handlers.<module>.handler``."""
    return f"{HANDLERS}.{module}.handler"


#: the package marker of aisec_rules in the probe asset: the asset holds only the probe stage of aisec_rules
PACKAGE_MARKER = '"""aisec_rules, as far as the GuardrailProbe function needs it: the probe package only."""\n'


def probe_files() -> Dict[str, Optional[Path]]:
    """Asset path -> the file it is copied from (or None for the package marker of ``aisec_rules``)."""
    probe_dir = Path(aisec_rules.probe.__file__).parent
    files = {f"{HANDLERS}/__init__.py": PACKAGE_DIR / HANDLERS / "__init__.py",
             f"{HANDLERS}/{PROBE_HANDLER}.py": PACKAGE_DIR / HANDLERS / f"{PROBE_HANDLER}.py",
             "aisec_rules/__init__.py": None}
    files.update({f"aisec_rules/probe/{name}": probe_dir / name for name in aisec_rules.probe.RUNTIME})
    return files


def probe_code() -> lambda_.Code:
    """The asset of the GuardrailProbe function (handler ``handlers.guardrail_probe.handler``). The files are
    staged once per process in a private temporary folder (``mkdtemp``: a name nobody can predict or prepare)
    that CDK copies into the assembly at synth, and removed when the process ends."""
    global _staged
    if _staged is None or not _staged.is_dir():
        folder = Path(tempfile.mkdtemp(prefix="aisec-probe-asset-"))
        atexit.register(shutil.rmtree, folder, True)
        for path, source in probe_files().items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(source.read_bytes() if source is not None else PACKAGE_MARKER.encode())
        _staged = folder
    return lambda_.Code.from_asset(str(_staged))


_staged: Optional[Path] = None
