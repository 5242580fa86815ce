"""Headless Chromium for the tests that open the readiness report as a user would."""
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import List, Tuple

import pytest

#: the window the report must fit without a horizontal scroll bar
WIDTH = 1280


def browser() -> str:
    """The headless Chromium of the Debian packages (.ci/run installs it when absent)."""
    found = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    if found is None and not os.environ.get("CI"):
        pytest.skip("no headless Chromium on this machine (apt-get install chromium-headless-shell); CI installs it")
    assert found, "CI must have headless Chromium: .ci/run installs chromium-headless-shell"
    return found


def flags() -> List[str]:
    return [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--window-size={WIDTH},2000"]


def widths(page: Path, tmp_path: Path, timeout: float = 120) -> Tuple[int, int]:
    """(document.documentElement.scrollWidth, window.innerWidth) of ``page`` opened in a 1280 px wide window, laid out
    within ``timeout`` seconds. The report has no script: a copy of it gets one that writes both numbers into the DOM,
    which Chromium dumps."""
    probe = tmp_path / f"{page.stem}-widths.html"
    measure = ("<script>document.body.setAttribute('data-widths', document.documentElement.scrollWidth + ' ' + "
               "window.innerWidth)</script></body>")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", measure), encoding="utf-8")
    dom = subprocess.run(flags() + ["--dump-dom", probe.resolve().as_uri()], check=True, timeout=timeout,
                         capture_output=True, text=True).stdout
    match = re.search(r'data-widths="(\d+) (\d+)"', dom)
    assert match, "the measuring script did not run"
    return int(match.group(1)), int(match.group(2))
