"""TeaCacheRuntime: run a PyTorch transformer with TeaCache, using coefficients fitted by ``teacache fit``.

Reused steps really skip the cached span (one block stack, or several run in a row or interleaved): every
block passes its hidden states through and the span's end hands on the span's input plus the branch's cached
residual; with batched guidance and branches that decide differently, blocks run on the computing branch's
rows only.
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
from .files import check_seed
from .modules import ModuleRef, Selector, resolve_module, split_branches
from .rule import Decision, TeaCacheRule
from .signals import SignalHistory
from .span import (ArgRef, BlockInfo, arg_value, branch_rows, first_tensor_ref, infer_returns, merge_rows, outputs_of, passthrough, repack,
                   rows_of)
from .tap import (TimestepRef, Wrapped, default_indicator, indicator_wrapper, output_tensor, stack_of, timestep_of,
                  timestep_embedder)
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

    The cached span: ``blocks`` names one stack or several (``("double_blocks", "single_blocks")``, or
    ``("spatial_blocks", "temporal_blocks")`` when they interleave), first stack first; every block of them is
    skipped on a reused step, whatever the forward pass does between them. The span starts at the input of the
    first stack's first block and ends at ``span_end``: by default the output of the last block of the last stack;
    with ``span_end_from="input"``, the hidden-state input of the module the forward pass calls after the span
    (FLUX's ``final_layer``, ``norm_out`` in diffusers, after the text tokens are sliced off). Tuple-returning blocks pass their inputs through
    in the order learned by shape on computed steps, or as ``passthrough={"stack": (argument of output 0, ...)}``.
    """

    def __init__(self, model: nn.Module, coefficients: Union[str, Coefficients, None], threshold: Optional[float], num_steps: int, *,
                 retention_steps: int = 1, cutoff_steps: int = 1, indicator: Optional[ModuleRef] = None,
                 indicator_output: Optional[Selector] = None, indicator_from: str = "output", blocks: Union[ModuleRef, Sequence[ModuleRef], None] = None,
                 branches: Sequence[str] = ("cond",), batched: bool = True, timestep: TimestepRef = 1,
                 output: Optional[Selector] = None, streams: Optional[Sequence[tuple[Union[int, str], int]]] = None,
                 span_end: Optional[ModuleRef] = None, span_end_from: str = "output",
                 passthrough: Optional[dict[str, Sequence[ArgRef]]] = None) -> None:
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

        stack_refs = list(blocks) if isinstance(blocks, (list, tuple)) else [blocks]
        if not stack_refs:
            raise BridgeError("blocks: expected a stack or a sequence of stacks, found an empty sequence")
        self.stacks = [stack_of(model, ref) for ref in stack_refs]
        self.stack_name, self.stack = self.stacks[0]
        names = [n for n, _ in self.stacks]
        if len(set(names)) != len(names):
            raise BridgeError(f"blocks: a stack is named twice in {names}")
        if passthrough is not None and set(passthrough) - set(names):
            raise BridgeError(f"passthrough: no stack named {sorted(set(passthrough) - set(names))} among blocks {names}")
        self._blocks: list[tuple[nn.Module, BlockInfo]] = []
        for stack_name, stack in self.stacks:
            for i, block in enumerate(stack):
                info = BlockInfo(f"{stack_name}.{i}", stack_name)
                if passthrough is not None and stack_name in passthrough:
                    info.returns, info.explicit = tuple(passthrough[stack_name]), True
                elif self._streams is not None:
                    info.returns, info.explicit = tuple(r for r, _ in sorted(self._streams, key=lambda p: p[1])), True
                self._blocks.append((block, info))
        self._start = self._blocks[0][1]
        if span_end_from not in ("output", "input"):
            raise BridgeError(f"span_end_from: expected 'output' or 'input', found {span_end_from!r}")
        self._span_end_from = span_end_from
        block_names = {info.name for _, info in self._blocks}
        if span_end is None:
            if span_end_from == "input":
                raise BridgeError('span_end: span_end_from="input" needs span_end= the module the forward pass calls after the span')
            self.span_end_name = self._blocks[-1][1].name
        else:
            self.span_end_name, end_module = resolve_module(model, span_end, "span_end")
            if span_end_from == "output" and self.span_end_name not in block_names:
                raise BridgeError(f'span_end: "{self.span_end_name}" is not a block of {names}; a module after the span ends it with span_end_from="input"')
            if span_end_from == "input":
                if self.span_end_name in block_names or self.span_end_name in names:
                    raise BridgeError(f'span_end: "{self.span_end_name}" is a block of the span; its input cannot end the span (span_end_from="output" ends it at its output)')
                if self._streams is not None:
                    raise BridgeError('streams: a span that ends at a module\'s input carries one stream; leave streams= out or end the span at a block\'s output')
        self._span_in: Optional[list[torch.Tensor]] = None
        self._span_state = "before"

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
        if self.indicator_name in block_names or self.indicator_name in names:
            raise BridgeError(f'indicator: "{self.indicator_name}" is a block of the span; the indicator must be computed before the span or inside its first block')
        inside = next((info.name for _, info in self._blocks if self.indicator_name.startswith(info.name + ".")), None)
        if inside is not None and inside != self._start.name:
            raise BridgeError(f'indicator: "{self.indicator_name}" is inside block {inside}; it must be computed before the span or inside its first block "{self._start.name}"')
        self._indicator_in_first_block = inside is not None
        try:
            self._wrapped.wrap(ind_module, indicator_wrapper(indicator_from, indicator_output, self._on_indicator))
            for block, info in self._blocks:
                is_end = span_end_from == "output" and info.name == self.span_end_name
                self._wrapped.wrap(block, self._wrap_block(info, info is self._start, is_end))
            if span_end_from == "input":
                self._wrapped.wrap(end_module, self._wrap_end_input)
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
            self._span_in, self._span_state = None, "before"
            out = original(*args, **kwargs)
            output_tensor(out, self._output)  # a model that returns nothing usable is refused at its first step
            if self._decisions is None:
                raise BridgeError(f'indicator: module "{self.indicator_name}" did not run during step {self._step}')
            if self._span_state == "before":
                raise BridgeError(f'blocks: the span\'s first block "{self._start.name}" did not run during step {self._step}')
            if self._span_state == "inside":
                raise BridgeError(f'span_end: the span started at "{self._start.name}" but "{self.span_end_name}" ({self._span_end_from}) did not run during step {self._step}')
            for name, d in zip(self._names, self._decisions):
                self._state[name].schedule.append("C" if d.compute else "R")
            self._calls += 1
            return out
        return forward

    def _timestep_value(self, args: tuple, kwargs: dict) -> float:
        return timestep_of(self._timestep, args, kwargs)

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

    # -- the span ------------------------------------------------------------------------------------
    def _wrap_block(self, info: BlockInfo, is_start: bool, is_end: bool):
        def make(original):
            def forward(*args: Any, **kwargs: Any) -> Any:
                if not self._active:
                    return original(*args, **kwargs)
                if self._span_state == "after":
                    raise BridgeError(f'block "{info.name}" ran after the span ended at "{self.span_end_name}" in step {self._step}; '
                                      "end the span after the last block the forward pass calls (span_end=)")
                if self._span_state == "before":
                    if not is_start:
                        raise BridgeError(f'block "{info.name}" ran before the span\'s first block "{self._start.name}" in step {self._step}; '
                                          "list the stacks in blocks= in the order the forward pass calls them")
                    self._open_span(args, kwargs)
                    if self._decisions is None and self._indicator_in_first_block:
                        try:
                            out = original(*args, **kwargs)
                        except _Decided:
                            pass
                        else:
                            return self._computed(info, args, kwargs, out, is_end)
                    if self._decisions is None:
                        raise BridgeError(f'indicator: module "{self.indicator_name}" had not run when the span started at step {self._step}')
                compute = [d.compute for d in self._decisions]  # type: ignore[union-attr]
                if all(compute):
                    return self._computed(info, args, kwargs, original(*args, **kwargs), is_end)
                out = passthrough(info, args, kwargs)
                if any(compute):
                    batch = arg_value(args, kwargs, first_tensor_ref(args, kwargs, f'block "{info.name}"')).shape[0]
                    rows = branch_rows(batch, len(self._names), compute)
                    sub = original(*[rows_of(a, rows, batch) for a in args], **{k: rows_of(v, rows, batch) for k, v in kwargs.items()})
                    base, part = outputs_of(out), outputs_of(sub)
                    if len(base) != len(part):
                        raise BridgeError(f'block "{info.name}" returned {len(part)} tensors on part of the batch, {len(base)} before')
                    out = repack(sub, [merge_rows(b, rows, p) for b, p in zip(base, part)])
                return self._end_block(info, out, compute) if is_end else out
            return forward
        return make

    def _open_span(self, args: tuple, kwargs: dict) -> None:
        refs = [r for r, _ in self._streams] if self._streams is not None else [first_tensor_ref(args, kwargs, f'block "{self._start.name}"')]
        ins = []
        for ref in refs:
            v = arg_value(args, kwargs, ref)
            if not isinstance(v, torch.Tensor):
                raise BridgeError(f'streams: block "{self._start.name}" was called without a tensor for stream {ref!r}')
            ins.append(v)
        self._span_in = ins
        self._span_state = "inside"

    def _computed(self, info: BlockInfo, args: tuple, kwargs: dict, out: Any, is_end: bool) -> Any:
        if info.returns is None:
            info.returns = infer_returns(info, args, kwargs, out)
        return self._end_block(info, out, None) if is_end else out

    def _end_block(self, info: BlockInfo, out: Any, compute: Optional[list[bool]]) -> Any:
        """The span ends at this block's output: per stream, the computed output or the span input plus the cached residual."""
        if self._streams is None:
            if not isinstance(out, torch.Tensor):
                raise BridgeError(f"blocks: block {info.name.rsplit('.', 1)[-1]} returns {type(out).__name__}; pass streams= to say which inputs its "
                                  f'outputs continue, or end the span at the input of the module after it (span_end=..., span_end_from="input")')
            return self._close_span([out], compute)[0]
        if not isinstance(out, (tuple, list)) or len(out) != len(self._streams):
            raise BridgeError(f'streams: block "{info.name}" returns {type(out).__name__}, expected a tuple of {len(self._streams)} tensors')
        closed = self._close_span([out[k] for _, k in self._streams], compute)
        packed: list[Any] = list(out)
        for t, (_, k) in zip(closed, self._streams):
            packed[k] = t
        return repack(out, packed)

    def _wrap_end_input(self, original):
        """The span ends at this module's input: it runs every step, on the span's output."""
        def forward(*args: Any, **kwargs: Any) -> Any:
            if not self._active or self._span_state == "after":
                return original(*args, **kwargs)
            if self._span_state == "before":
                raise BridgeError(f'span_end: "{self.span_end_name}" ran before the span\'s first block "{self._start.name}" in step {self._step}')
            ref = first_tensor_ref(args, kwargs, f'span_end "{self.span_end_name}"')
            x = self._close_span([arg_value(args, kwargs, ref)], [d.compute for d in self._decisions])[0]  # type: ignore[union-attr]
            if isinstance(ref, int):
                args = args[:ref] + (x,) + args[ref + 1:]
            else:
                kwargs = {**kwargs, ref: x}
            return original(*args, **kwargs)
        return forward

    def _close_span(self, outs: list[torch.Tensor], compute: Optional[list[bool]]) -> list[torch.Tensor]:
        """Store the computing branches' residuals (span output - input); reusing branches get input + cached residual."""
        assert self._span_in is not None
        self._span_state = "after"
        n = len(self._names)
        compute = compute if compute is not None else [True] * n
        result = []
        for k, (o, x) in enumerate(zip(outs, self._span_in)):
            if o.shape != x.shape:
                raise BridgeError(f'span: the output of "{self.span_end_name}" ({self._span_end_from}) has shape {tuple(o.shape)} but the input of '
                                  f'"{self._start.name}" has shape {tuple(x.shape)} at step {self._step}; a cached residual needs both ends alike: '
                                  'end the span where the hidden states are back in the input\'s layout (span_end=, span_end_from="input")')
            if n > 1 and (x.dim() == 0 or x.shape[0] % n != 0):
                raise BridgeError(f"span: a batch of {x.shape[0] if x.dim() else 0} rows does not split into {n} equal guidance branches")
            outs_b = list(o.chunk(n, dim=0)) if n > 1 else [o]
            ins_b = list(x.chunk(n, dim=0)) if n > 1 else [x]
            parts = []
            for i, name in enumerate(self._names):
                if compute[i]:
                    cached = self._state[name].residual or [None] * len(outs)
                    cached[k] = (outs_b[i] - ins_b[i]).detach().clone()
                    self._state[name].residual = cached
                    parts.append(outs_b[i])
                else:
                    parts.append(ins_b[i] + self._cached(name)[k])
            result.append(o if all(compute) else torch.cat(parts, dim=0))
        return result

    def _cached(self, name: str) -> list[torch.Tensor]:
        r = self._state[name].residual
        if r is None:
            raise BridgeError(f"branch {name} reuses at step {self._step} but has no cached residual (no step computed it yet)")
        return r

    # -- runs ----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def run(self, prompt: str, seed: int) -> Iterator["TeaCacheRuntime"]:
        """One sampling run with caching (fresh accumulators, residuals and history per branch); timed."""
        self._history.reset()
        self.records = []
        self._calls = 0
        self.prompt, self.seed = prompt, check_seed(seed)
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
