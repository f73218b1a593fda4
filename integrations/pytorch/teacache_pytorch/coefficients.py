"""Read a coefficients file written by ``teacache fit`` (format ``teacache-coefficients``, version 1)."""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from .errors import BridgeError

INDICATORS = ("modulated", "timestep", "noisy", "residual")


@dataclass(frozen=True)
class Coefficients:
    """A rescaling polynomial: indicator relative L1 -> estimated output relative L1, numpy.poly1d order."""

    highest_first: tuple[float, ...]
    indicator: str
    model: str
    path: str
    sha256: str

    def __call__(self, x: float) -> float:
        """poly(x) by Horner's rule in float64, as the toolkit evaluates it; infinity stays infinity."""
        if not math.isfinite(x):
            return math.inf
        y = 0.0
        for c in self.highest_first:
            y = y * x + c
        return y


def _fail(path: str, field: str, expected: str, found: Any) -> BridgeError:
    return BridgeError(f'{path}, field "{field}": expected {expected}, found {json.dumps(found) if not isinstance(found, str) else repr(found)}')


def read_coefficients(path: str) -> Coefficients:
    """Read and check a coefficients file (format, version, degree, both orders, finite numbers)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        raise BridgeError(f"{path}: expected a coefficients file of teacache-toolkit, found {err.strerror}") from None
    try:
        value = json.loads(raw)
    except ValueError as err:
        raise BridgeError(f"{path}: expected valid JSON, found {err}") from None
    if not isinstance(value, dict):
        raise _fail(path, "(root)", "a JSON object", type(value).__name__)
    if value.get("format") != "teacache-coefficients":
        raise _fail(path, "format", '"teacache-coefficients"', value.get("format"))
    if value.get("version") != 1:
        raise _fail(path, "version", "1", value.get("version"))
    coeffs = (value.get("coefficients") or {}).get("highestFirst")
    if not isinstance(coeffs, list) or not coeffs or not all(isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) for c in coeffs):
        raise _fail(path, "coefficients.highestFirst", "a non-empty list of finite numbers", coeffs)
    if value.get("degree") != len(coeffs) - 1:
        raise _fail(path, "degree", f"{len(coeffs) - 1} (one less than the coefficients)", value.get("degree"))
    lowest = (value.get("coefficients") or {}).get("lowestFirst")
    if lowest is not None and list(lowest) != list(reversed(coeffs)):
        raise _fail(path, "coefficients.lowestFirst", "the reverse of highestFirst", lowest)
    indicator = value.get("indicator")
    if indicator not in INDICATORS:
        raise _fail(path, "indicator", f"one of {', '.join(INDICATORS)}", indicator)
    return Coefficients(tuple(float(c) for c in coeffs), indicator, str(value.get("model", "")), path, hashlib.sha256(raw).hexdigest())
