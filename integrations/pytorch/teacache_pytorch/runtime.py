"""TeaCacheRuntime: run a PyTorch transformer with TeaCache, using coefficients fitted by ``teacache fit``.

Reused steps really skip the block stack: the first block returns its input plus the branch's cached
residual and the other blocks pass their input through; with batched guidance and branches that decide
differently, the stack runs on the computing branch's rows only.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, Sequence, Union

import torch
from torch import nn

from .coefficients import Coefficients, read_coefficients
from .errors import BridgeError
from .modules import ModuleRef, Selector, resolve_module, split_branches
from .rule import Decision, TeaCacheRule
from .signals import SignalHistory
from .tap import (NOISY_KWARGS, TIMESTEP_KWARGS, TimestepRef, Wrapped, arg_of, default_indicator, indicator_wrapper, number_of,
                  output_tensor, stack_of, timestep_embedder)
from .trace_files import TraceRow


class _Decided(Exception):
    """Raised inside the first block once the indicator says some branch reuses: the block's work stops there."""


@dataclass
class StepRecord:
    """What the runtime saw and did at one step and branch."""

    step: int
    branch: str
    timestep: float
    rel_l1: Optional[float]
    mean_abs: float
    decision: Decision


@dataclass
class _Branch:
    rule: Optional[TeaCacheRule]
    residual: Optional[list[torch.Tensor]] = None
    schedule: list[str] = field(default_factory=list)


def _first_tensor_arg(args: tuple, kwargs: dict) -> torch.Tensor:
    if args and isinstance(args[0], torch.Tensor):
        return args[0]
    for k in NOISY_KWARGS:
        if isinstance(kwargs.get(k), torch.Tensor):
            return kwargs[k]
    raise BridgeError("blocks: a block was called without a tensor as its first argument (or x/hidden_states keyword); the runtime cannot skip it")


def _rows_of(value: Any, rows: torch.Tensor, batch: int) -> Any:
    """Slice a block argument to some batch rows: tensors whose first dimension is the batch; anything else as is."""
    if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape[0] == batch:
        return value.index_select(0, rows.to(value.device))
    return value


class TeaCacheRuntime:
    """TeaCache on a PyTorch model, per guidance branch, with the toolkit's rule.

    ``coefficients``: a coefficients file of ``teacache fit`` (or None with ``threshold=None``: the uncached
    reference, every step computed and timed the same way). ``num_steps``: sampling steps of each run.
    ``retention_steps`` and ``cutoff_steps`` as in the published rule (defaults 1 and 1: first and last step
    computed). ``indicator`` names the module whose output is the indicator (default: the signal the
    coefficients were fitted on: the first block's modulated input, or the timestep embedder). Blocks that carry
    several streams (hidden states and text, as CogVideoX's) are skipped too when ``streams`` pairs each block
    argument (position or keyword) with the position of its continuation in the block's returned tuple, e.g.
    ``streams=[("hidden_states", 0), ("encoder_hidden_states", 1)]``: each stream gets its own cached residual.
    """

    def __init__(self, model: nn.Module, coefficients: Union[str, Coefficients, None], threshold: Optional[float], num_steps: int, *,
                 retention_steps: int = 1, cutoff_steps: int = 1, indicator: Optional[ModuleRef] = None,
                 indicator_output: Optional[Selector] = None, indicator_from: str = "output", blocks: Optional[ModuleRef] = None,
                 branches: Sequence[str] = ("cond",), batched: bool = True, timestep: TimestepRef = 1,
                 output: Optional[Selector] = None, streams: Optional[Sequence[tuple[Union[int, str], int]]] = None) -> None:
        if (coefficients is None) != (threshold is None):
            raise BridgeError("coefficients and threshold: give both (TeaCache) or neither (the uncached reference)")
        if not isinstance(num_steps, int) or num_steps < 2:
            raise BridgeError(f"num_steps: expected a whole number >= 2, found {num_steps!r}")
        if threshold is not None and not (threshold == threshold and abs(threshold) != float("inf")):
            raise BridgeError(f"threshold: expected a finite number, found {threshold!r}")
        if retention_steps < 1 or cutoff_steps < 0:
            raise BridgeError(f"retention_steps >= 1 and cutoff_steps >= 0 expected, found {retention_steps} and {cutoff_steps}")
        if not branches or any(b not in ("cond", "uncond") for b in branches) or len(set(branches)) != len(branches):
            raise BridgeError(f"branches: expected ('cond',), ('cond', 'uncond') or ('uncond', 'cond'), found {tuple(branches)}")
        self.model = model
        self.coefficients = read_coefficients(coefficients) if isinstance(coefficients, str) else coefficients
        self.threshold = threshold
        self.num_steps = num_steps
        self.retention_steps = retention_steps
        self.cutoff_steps = cutoff_steps
        self.branches = tuple(branches)
        self.batched = batched
        self._timestep = timestep
        self._output = output
        if streams is not None and sorted(k for _, k in streams) != list(range(len(streams))):
            raise BridgeError(f"streams: expected (argument, output index) pairs whose output indices are 0..{len(streams) - 1}, found {list(streams)}")
        self._streams = list(streams) if streams is not None else None
        self._wrapped = Wrapped()
        self._history = SignalHistory()
        self._active = False
        self.records: list[StepRecord] = []
        self.wall_seconds = 0.0
        self.prompt: Optional[str] = None
        self.seed: Optional[int] = None
        self._state: dict[str, _Branch] = {}
        self._calls = 0

        self.stack_name, self.stack = stack_of(model, blocks)
        signal = self.coefficients.indicator if self.coefficients else "modulated"
        if indicator is None:
            if signal == "timestep":
                indicator = timestep_embedder(model)
                if indicator is None:
                    raise BridgeError("indicator: the coefficients are fitted on the timestep embedding and no timestep embedder was found; name it with indicator=")
            elif signal == "modulated":
                indicator = default_indicator(model, self.stack_name, self.stack)
            else:
                raise BridgeError(f"indicator: the coefficients are fitted on {signal}; name the module that gives it with indicator=")
        self.indicator_name, ind_module = resolve_module(model, indicator, "indicator")
        block_names = {f"{self.stack_name}.{i}" for i in range(len(self.stack))}
        if self.indicator_name in block_names or self.indicator_name == self.stack_name:
            raise BridgeError(f'indicator: "{self.indicator_name}" is a block of the stack; the indicator must be computed before the stack or inside its first block')
        inside = [i for i in range(len(self.stack)) if self.indicator_name.startswith(f"{self.stack_name}.{i}.")]
        if inside and inside[0] != 0:
            raise BridgeError(f'indicator: "{self.indicator_name}" is inside block {inside[0]}; it must be computed before the stack or inside its first block')
        self._indicator_in_first_block = bool(inside)
        try:
            self._wrapped.wrap(ind_module, indicator_wrapper(indicator_from, indicator_output, self._on_indicator))
            for i, block in enumerate(self.stack):
                self._wrapped.wrap(block, self._wrap_block(i))
            self._wrapped.wrap(model, self._wrap_model)
        except BaseException:
            self._wrapped.restore()
            raise

    # -- per call ------------------------------------------------------------------------------------
    def _wrap_model(self, original):
        def forward(*args: Any, **kwargs: Any) -> Any:
            if not self._active:
                return original(*args, **kwargs)
            n = len(self.branches)
            self._step = self._calls if self.batched else self._calls // n
            if self._step >= self.num_steps:
                raise BridgeError(f"the model was called for step {self._step}, but num_steps is {self.num_steps}")
            self._names = self.branches if self.batched else (self.branches[self._calls % n],)
            self._t = self._timestep_value(args, kwargs)
            self._decisions: Optional[list[Decision]] = None
            self._stack_in: Optional[list[torch.Tensor]] = None
            out = original(*args, **kwargs)
            output_tensor(out, self._output)  # a model that returns nothing usable is refused at its first step
            if self._decisions is None:
                raise BridgeError(f'indicator: module "{self.indicator_name}" did not run during step {self._step}')
            for name, d in zip(self._names, self._decisions):
                self._state[name].schedule.append("C" if d.compute else "R")
            self._calls += 1
            return out
        return forward

    def _timestep_value(self, args: tuple, kwargs: dict) -> float:
        if callable(self._timestep):
            return number_of(self._timestep(args, kwargs), "timestep")
        try:
            return number_of(arg_of(args, kwargs, self._timestep, TIMESTEP_KWARGS), "timestep")
        except KeyError:
            raise BridgeError(f"timestep: the model call has no argument {self._timestep!r}; pass timestep= a position, a keyword or a function") from None

    def _on_indicator(self, t: torch.Tensor) -> None:
        if not self._active or self._decisions is not None:
            return
        parts = split_branches(t, len(self._names), self._batch_hint(t))
        decisions = []
        for name, part in zip(self._names, parts):
            rel, mean_abs = self._history.update("indicator", name, part, self._step)
            state = self._state[name]
            d = state.rule.decide(self._step, rel) if state.rule else Decision(True, "uncached")
            decisions.append(d)
            self.records.append(StepRecord(self._step, name, self._t, rel, mean_abs, d))
        self._decisions = decisions
        if self._indicator_in_first_block and not all(d.compute for d in decisions):
            raise _Decided()

    def _batch_hint(self, t: torch.Tensor) -> Optional[int]:
        return t.shape[0] if t.dim() > 0 and t.shape[0] % len(self._names) == 0 else None

    # -- the stack -----------------------------------------------------------------------------------
    def _stream_inputs(self, args: tuple, kwargs: dict) -> list[torch.Tensor]:
        """The hidden-state tensors a block takes: one (the first argument) or, with ``streams``, each named stream."""
        if self._streams is None:
            return [_first_tensor_arg(args, kwargs)]
        out = []
        for ref, _ in self._streams:
            v = args[ref] if isinstance(ref, int) and ref < len(args) else kwargs.get(ref) if isinstance(ref, str) else None
            if not isinstance(v, torch.Tensor):
                raise BridgeError(f"streams: a block was called without a tensor for stream {ref!r}")
            out.append(v)
        return out

    def _stream_outputs(self, out: Any, index: int) -> list[torch.Tensor]:
        """The tensors a block returned, in stream order."""
        if self._streams is None:
            if not isinstance(out, torch.Tensor):
                raise BridgeError(f"blocks: block {index} returns {type(out).__name__}; pass streams= to say which inputs its outputs continue")
            return [out]
        if not isinstance(out, (tuple, list)) or len(out) != len(self._streams):
            raise BridgeError(f"streams: block {index} returns {type(out).__name__}, expected a tuple of {len(self._streams)} tensors")
        return [out[k] for _, k in self._streams]

    def _pack(self, tensors: list[torch.Tensor]) -> Any:
        """Stream tensors in the shape the block returns: one tensor, or a tuple in the block's output order."""
        if self._streams is None:
            return tensors[0]
        packed: list[Any] = [None] * len(self._streams)
        for t, (_, k) in zip(tensors, self._streams):
            packed[k] = t
        return tuple(packed)

    def _wrap_block(self, index: int):
        last = index == len(self.stack) - 1

        def make(original):
            def forward(*args: Any, **kwargs: Any) -> Any:
                if not self._active:
                    return original(*args, **kwargs)
                ins = self._stream_inputs(args, kwargs)
                if index == 0:
                    self._stack_in = ins
                    if self._decisions is None and self._indicator_in_first_block:
                        try:
                            out = original(*args, **kwargs)
                        except _Decided:
                            pass
                        else:
                            return self._after_compute(out, index, last, None)
                    if self._decisions is None:
                        raise BridgeError(f'indicator: module "{self.indicator_name}" had not run when the stack started at step {self._step}')
                compute = [d.compute for d in self._decisions]  # type: ignore[union-attr]
                if all(compute):
                    return self._after_compute(original(*args, **kwargs), index, last, None)
                n = len(self._names)
                batch = ins[0].shape[0]
                per = batch // n
                base = ins
                if index == 0:
                    base = [x + (torch.cat([self._cached(name)[k] for name in self._names], dim=0) if n > 1 else self._cached(self._names[0])[k])
                            for k, x in enumerate(self._stack_in)]
                if not any(compute):
                    return self._pack(base)
                rows = torch.cat([torch.arange(i * per, (i + 1) * per) for i, c in enumerate(compute) if c])
                sub = self._stream_outputs(original(*[_rows_of(a, rows, batch) for a in args], **{k: _rows_of(v, rows, batch) for k, v in kwargs.items()}), index)
                result = []
                for b, o in zip(base, sub):
                    merged = b.clone()
                    merged[rows.to(merged.device)] = o
                    result.append(merged)
                return self._after_compute(self._pack(result), index, last, compute)
            return forward
        return make

    def _cached(self, name: str) -> list[torch.Tensor]:
        r = self._state[name].residual
        if r is None:
            raise BridgeError(f"branch {name} reuses at step {self._step} but has no cached residual (no step computed it yet)")
        return r

    def _after_compute(self, out: Any, index: int, last: bool, compute: Optional[list[bool]]) -> Any:
        if not last:
            return out
        assert self._stack_in is not None
        outs = self._stream_outputs(out, index)
        n = len(self._names)
        per_stream = [split_branches(o - x, n, o.shape[0]) if n > 1 else [o - x] for o, x in zip(outs, self._stack_in)]
        for i, name in enumerate(self._names):
            if compute is None or compute[i]:
                self._state[name].residual = [parts[i].detach().clone() for parts in per_stream]
        return out

    # -- runs ----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def run(self, prompt: str, seed: int) -> Iterator["TeaCacheRuntime"]:
        """One sampling run with caching (fresh accumulators, residuals and history per branch); timed."""
        self._history.reset()
        self.records = []
        self._calls = 0
        self.prompt, self.seed = prompt, seed
        self._state = {b: _Branch(TeaCacheRule(self.threshold, self.coefficients, self.num_steps, self.retention_steps, self.cutoff_steps)
                                  if self.coefficients is not None and self.threshold is not None else None) for b in self.branches}
        self._active = True
        started = time.perf_counter()
        try:
            yield self
        finally:
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.wall_seconds = time.perf_counter() - started
            self._active = False
        steps_done = self._calls if self.batched else self._calls / len(self.branches)
        if steps_done != self.num_steps:
            raise BridgeError(f"the run made {steps_done} steps, but num_steps is {self.num_steps}")

    def schedules(self) -> dict[str, str]:
        """Per branch, one letter per step: C computed, R reused."""
        return {name: "".join(s.schedule) for name, s in self._state.items()}

    def policy_params(self) -> dict[str, Any]:
        """The run's settings, flat, as the sweep row's params."""
        if self.coefficients is None:
            return {}
        return {"threshold": self.threshold, "indicator": self.coefficients.indicator, "coefficientsSha256": self.coefficients.sha256,
                "retentionSteps": self.retention_steps, "cutoffSteps": self.cutoff_steps}

    def trace_rows(self) -> list[TraceRow]:
        """The run as trace rows: the indicator's relative L1 and magnitude per step and branch, and what was computed."""
        signal = self.coefficients.indicator if self.coefficients else "modulated"
        return [TraceRow(step=r.step, timestep=r.timestep, branch=r.branch, computed=r.decision.compute,
                         rel_l1={signal: r.rel_l1}, mean_abs={signal: r.mean_abs}) for r in self.records]

    def detach(self) -> None:
        """Remove every wrapper: the model is as it was."""
        self._wrapped.restore()

    def __enter__(self) -> "TeaCacheRuntime":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.detach()
