"""The one way aisec reads a file it is given: a regular file of bounded size, as UTF-8 text.

Templates, cloud assembly manifests and policy files all come from whoever writes the pull request,
so they are read the same way: never a FIFO, a device or a folder (opening a FIFO blocks, reading
/dev/zero never ends), never more than :data:`MAX_BYTES`, and every problem is a one-line
:class:`~aisec_rules.read.template.TemplateError` that names the file.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional

from .template import TemplateError

#: CloudFormation accepts template bodies up to 1 MB (S3); anything much larger is not a template.
MAX_BYTES = 5 * 1024 * 1024


def read_text(path: Path, name: Optional[str] = None) -> str:
    """The text of a regular file of at most MAX_BYTES (never a FIFO, a device or a folder: opening
    a FIFO blocks, reading /dev/zero never ends); TemplateError otherwise."""
    name = name or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise TemplateError(f"{name}: no such file or directory") from None
    except OSError as error:
        raise TemplateError(f"{name}: cannot be read: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise TemplateError(f"{name}: not a regular file")
        if info.st_size > MAX_BYTES:
            raise TemplateError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB, not a template")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise TemplateError(f"{name}: cannot be read: {error.strerror or error}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise TemplateError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB, not a template")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TemplateError(f"{name}: cannot be read: not UTF-8 text (byte {error.start})") from None
