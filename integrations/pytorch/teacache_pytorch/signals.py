"""Relative L1 of consecutive steps, computed on the tensor's device; one history per (signal, branch)."""
from __future__ import annotations

import math
from typing import Optional

import torch

from .errors import BridgeError


class SignalHistory:
    """Remembers the previous step's tensor of each (signal, branch) and measures the change against it."""

    def __init__(self) -> None:
        self._previous: dict[tuple[str, str], torch.Tensor] = {}

    def reset(self) -> None:
        """Forget every previous value (a new sampling run starts)."""
        self._previous.clear()

    def update(self, signal: str, branch: str, current: torch.Tensor, step: int) -> tuple[Optional[float], float]:
        """(relative L1 against the previous step or None at the first, mean |current|); remembers current.

        Relative L1 is mean|a_t - a_{t-1}| / mean|a_{t-1}|, summed in float32 on the device; an all-zero
        previous value gives infinity (0 when nothing changed). A shape change between steps is refused.
        """
        cur = current.detach()
        mean_abs = float(cur.float().abs().mean().item())
        if not math.isfinite(mean_abs):
            raise BridgeError(f"signal {signal} ({branch}) is not finite at step {step}: the model diverged or the hook reads the wrong tensor")
        key = (signal, branch)
        prev = self._previous.get(key)
        self._previous[key] = cur.clone()
        if prev is None:
            return None, mean_abs
        if prev.shape != cur.shape:
            raise BridgeError(
                f"signal {signal} ({branch}) changed shape between steps: {tuple(prev.shape)} at step {step - 1}, "
                f"{tuple(cur.shape)} at step {step}; the hooked module must give the same tensor every step")
        diff = float((cur.float() - prev.float()).abs().mean().item())
        base = float(prev.float().abs().mean().item())
        if base == 0.0:
            return (0.0 if diff == 0.0 else math.inf), mean_abs
        return diff / base, mean_abs
