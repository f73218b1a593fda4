"""Atomic file writes and the toolkit's number formatting (shortest text that reads back to the same double)."""
from __future__ import annotations

import json
import math
import numbers
import os
import re
import tempfile
from typing import Any

from .errors import BridgeError


MAX_SEED = 2**32 - 1
"""The largest seed the toolkit reads: its noise generator takes 32-bit seeds, so a larger one would repeat another's noise."""


def check_seed(seed: Any) -> int:
    """A run's seed as the toolkit reads it: a whole number in 0..2^32-1, else a BridgeError naming the range."""
    # the range first: int() of an infinity or NaN would raise its own error
    if isinstance(seed, bool) or not isinstance(seed, numbers.Real) or not 0 <= seed <= MAX_SEED or int(seed) != seed:
        raise BridgeError(f"seed must be a whole number from 0 to {MAX_SEED} (the toolkit's noise takes 32-bit seeds), got {seed!r}")
    return int(seed)


def write_atomic(path: str, data: bytes) -> None:
    """Write bytes to a temporary sibling, then rename: a reader never sees a half-written file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json_atomic(path: str, value: Any) -> None:
    """Write JSON (2-space indent, trailing newline) atomically; NaN and Infinity are refused (JSON has none)."""
    try:
        text = json.dumps(value, indent=2, allow_nan=False)
    except ValueError as err:
        raise BridgeError(f"{path}: a value is not finite ({err}); nothing written") from err
    write_atomic(path, (text + "\n").encode("utf-8"))


def number_text(x: float, where: str) -> str:
    """A float as the shortest decimal that reads back to the same double (Python's repr); refuses NaN/inf."""
    if not math.isfinite(x):
        raise BridgeError(f"trace value is not finite: {x} at {where}")
    text = repr(float(x))
    # repr writes 1e-05 and 1e+20; both are plain decimal notation the toolkit reads.
    return text


def slug(text: str, limit: int = 40) -> str:
    """A readable file-name part of a prompt: lower-case letters and digits joined by dashes."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
    return s or "prompt"


def csv_field(text: str) -> str:
    """Quote a CSV field (doubling quotes) when it holds a comma, quote, newline or edge spaces."""
    if re.search(r'[",\r\n]|^\s|\s$', text):
        return '"' + text.replace('"', '""') + '"'
    return text
