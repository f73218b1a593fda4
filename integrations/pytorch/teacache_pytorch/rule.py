"""The TeaCache rule, step by step, exactly as teacache-toolkit's ``teacache`` policy applies it.

Per run and guidance branch: ``acc = 0``. Steps before ``retention_steps`` compute; the last step computes
when ``cutoff_steps >= 1``, and so do the last ``cutoff_steps`` steps. Any other step adds
``poly(relL1(indicator_i, indicator_{i-1}))`` to ``acc``; ``acc < threshold`` reuses the cached residual,
otherwise the step computes and ``acc`` returns to 0. (ali-vilab/TeaCache's integrations; Wan2.1's
``use_ret_steps`` is retention 5, cut-off 0.)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional


@dataclass
class Decision:
    """One step's decision, why, and the accumulated estimate after it (None on forced steps)."""

    compute: bool
    reason: str
    accumulated: Optional[float] = None


def forced_decision(step: int, total_steps: int, retention_steps: int, cutoff_steps: int) -> Optional[Decision]:
    """The decision of a step the rule does not weigh (first, retention, last, cut-off), else None."""
    if step == 0:
        return Decision(True, "first-step")
    if step < retention_steps:
        return Decision(True, "retention")
    if step == total_steps - 1 and cutoff_steps >= 1:
        return Decision(True, "last-step")
    if step >= total_steps - cutoff_steps:
        return Decision(True, "cutoff")
    return None


class TeaCacheRule:
    """The accumulator of one run and branch."""

    def __init__(self, threshold: float, rescale: Callable[[float], float], total_steps: int, retention_steps: int = 1, cutoff_steps: int = 1) -> None:
        self.threshold = threshold
        self.rescale = rescale
        self.total_steps = total_steps
        self.retention_steps = retention_steps
        self.cutoff_steps = cutoff_steps
        self.accumulated = 0.0

    def decide(self, step: int, rel_l1: Optional[float]) -> Decision:
        """Decide step ``step`` from the indicator's relative L1 against the previous step (None at step 0)."""
        forced = forced_decision(step, self.total_steps, self.retention_steps, self.cutoff_steps)
        if forced is not None:
            self.accumulated = 0.0
            return forced
        if rel_l1 is None:
            raise ValueError(f"step {step}: the indicator's relative L1 is needed")
        self.accumulated += self.rescale(rel_l1)
        acc = self.accumulated
        if acc < self.threshold:
            return Decision(False, "under-threshold", acc)
        self.accumulated = 0.0
        return Decision(True, "over-threshold", acc)
