"""TraceRecorder: record a PyTorch model's per-step signals in the toolkit's trace format, from the user's own loop."""
from __future__ import annotations

import contextlib
import time
from typing import Any, Iterator, Optional, Sequence, Union

import torch
from torch import nn

from .errors import BridgeError
from .files import check_seed
from .modules import ModuleRef, Selector, resolve_module, split_branches
from .signals import SignalHistory
from .tap import (NOISY_KWARGS, TimestepRef, Wrapped, arg_of, capture, capture_input, default_indicator, indicator_wrapper, timestep_of,
                  output_tensor, stack_of, timestep_embedder)
from .trace_files import TraceRow, write_trace

AUTO = "auto"


class TraceRecorder:
    """Attach to a transformer and record, per sampling step and guidance branch, the relative L1 change of

    ``modulated`` (the indicator: the output of ``indicator``, or its first tensor argument with
    ``indicator_from="input"``; by default the first block's adaptive norm),
    ``timestep`` (the timestep embedder's output), ``noisy`` (the model's noisy input, or ``noisy_input``'s
    output), ``residual`` (block stack output - input) and ``output`` (the model's prediction, per branch).

    Every call of ``model(...)`` inside ``run()`` is one step (``batched=True``: the batch holds the guidance
    branches in ``branches`` order, in equal chunks) or one branch of a step (``batched=False``: the branches
    are separate calls, in ``branches`` order). Nothing in the user's sampling loop changes. ``stack_output``
    picks the hidden states out of what the last block returns when it returns several tensors. ``blocks`` may
    name several stacks and ``span_end``/``span_end_from`` the span's end, as for ``TeaCacheRuntime``: the
    ``residual`` is then the span's (FLUX: from the first double block's input to ``final_layer``'s input).
    """

    def __init__(self, model: nn.Module, *, indicator: Optional[ModuleRef] = None, indicator_output: Optional[Selector] = None,
                 indicator_from: str = "output", blocks: Union[ModuleRef, Sequence[ModuleRef], None] = None, stack_output: Optional[Selector] = None,
                 timestep_embedding: Optional[ModuleRef] = AUTO,
                 noisy_input: Optional[ModuleRef] = None, output: Optional[Selector] = None,
                 branches: Sequence[str] = ("cond",), batched: bool = True, timestep: TimestepRef = 1,
                 span_end: Optional[ModuleRef] = None, span_end_from: str = "output") -> None:
        if not branches or any(b not in ("cond", "uncond") for b in branches) or len(set(branches)) != len(branches):
            raise BridgeError(f"branches: expected ('cond',), ('cond', 'uncond') or ('uncond', 'cond'), found {tuple(branches)}")
        self.model = model
        self.branches = tuple(branches)
        self.batched = batched
        self._timestep = timestep
        self._output = output
        self._history = SignalHistory()
        self._stack_output = stack_output
        self._wrapped = Wrapped()
        self._active = False
        self._captured: dict[str, torch.Tensor] = {}
        self.rows: list[TraceRow] = []
        self._calls = 0
        self._started = 0.0
        self.wall_seconds = 0.0
        self.prompt: Optional[str] = None
        self.seed: Optional[int] = None

        stacks = [stack_of(model, ref) for ref in (list(blocks) if isinstance(blocks, (list, tuple)) else [blocks])]
        if not stacks:
            raise BridgeError("blocks: expected a stack or a sequence of stacks, found an empty sequence")
        stack_name, stack = stacks[0]
        self.stack_name = stack_name
        if span_end_from not in ("output", "input"):
            raise BridgeError(f"span_end_from: expected 'output' or 'input', found {span_end_from!r}")
        end_block = stacks[-1][1][len(stacks[-1][1]) - 1]
        end_input: Optional[nn.Module] = None
        if span_end is not None:
            end_name, end_module = resolve_module(model, span_end, "span_end")
            blocks_of = {id(b) for _, st in stacks for b in st}
            if span_end_from == "input":
                if id(end_module) in blocks_of:
                    raise BridgeError(f'span_end: "{end_name}" is a block of the span; its input cannot end the span')
                end_input = end_module
            elif id(end_module) not in blocks_of:
                raise BridgeError(f'span_end: "{end_name}" is not a block of {[n for n, _ in stacks]}; a module after the span ends it with span_end_from="input"')
            else:
                end_block = end_module
        elif span_end_from == "input":
            raise BridgeError('span_end: span_end_from="input" needs span_end= the module the forward pass calls after the span')
        self.indicator_name, ind_module = resolve_module(model, indicator if indicator is not None else default_indicator(model, stack_name, stack), "indicator")
        t_ref = timestep_embedder(model) if timestep_embedding == AUTO else timestep_embedding
        try:
            self._wrapped.wrap(ind_module, indicator_wrapper(indicator_from, indicator_output, self._sink("modulated")))
            if t_ref is not None:
                self.timestep_name, t_module = resolve_module(model, t_ref, "timestep_embedding")
                self._wrapped.wrap(t_module, capture("timestep_embedding", None, self._sink("timestep")))
            else:
                self.timestep_name = None
            if noisy_input is not None:
                self.noisy_name, n_module = resolve_module(model, noisy_input, "noisy_input")
                self._wrapped.wrap(n_module, capture("noisy_input", None, self._sink("noisy")))
            else:
                self.noisy_name = None
            self._wrap_stack(stack[0], None if end_input is not None else end_block)
            if end_input is not None:
                self._wrapped.wrap(end_input, capture_input("span_end", self._stack_out))
            self._wrapped.wrap(model, self._wrap_model)
        except BaseException:
            self._wrapped.restore()
            raise

    # -- attaching -------------------------------------------------------------------------------------
    def _sink(self, signal: str):
        def sink(t: torch.Tensor) -> None:
            if self._active and signal not in self._captured:
                self._captured[signal] = t
        return sink

    def _wrap_stack(self, first_block: nn.Module, last: Optional[nn.Module]) -> None:
        """Capture the span's input at its first block and, unless a module's input ends it, its output at ``last``."""
        def first(original):
            def forward(*args: Any, **kwargs: Any) -> Any:
                if self._active and "stack_in" not in self._captured:
                    x = args[0] if args else next((kwargs[k] for k in NOISY_KWARGS if k in kwargs), None)
                    if isinstance(x, torch.Tensor):
                        self._captured["stack_in"] = x
                return original(*args, **kwargs)
            return forward
        self._wrapped.wrap(first_block, first)
        if last is None:
            return
        # The last block's output is the stack output; when the stack has one block it is wrapped twice in one wrapper.
        if last is first_block:
            inner = first_block.forward
            first_block.__dict__["forward"] = capture("blocks", self._stack_output, self._stack_out)(inner)
        else:
            self._wrapped.wrap(last, capture("blocks", self._stack_output, self._stack_out))

    def _stack_out(self, t: torch.Tensor) -> None:
        if self._active:
            self._captured["stack_out"] = t

    def _wrap_model(self, original):
        def forward(*args: Any, **kwargs: Any) -> Any:
            if not self._active:
                return original(*args, **kwargs)
            self._captured = {}
            if self.noisy_name is None:
                try:
                    noisy = arg_of(args, kwargs, 0, NOISY_KWARGS)
                except KeyError:
                    raise BridgeError("noisy_input: the model was called without a positional input or x/hidden_states/sample keyword; name the module with noisy_input=") from None
                if isinstance(noisy, torch.Tensor):
                    self._captured["noisy"] = noisy
            t = self._timestep_value(args, kwargs)
            out = original(*args, **kwargs)
            self._finish_call(t, output_tensor(out, self._output))
            return out
        return forward

    def _timestep_value(self, args: tuple, kwargs: dict) -> float:
        return timestep_of(self._timestep, args, kwargs)

    # -- recording -------------------------------------------------------------------------------------
    def _finish_call(self, timestep: float, output: torch.Tensor) -> None:
        n = len(self.branches)
        step = self._calls if self.batched else self._calls // n
        names = self.branches if self.batched else (self.branches[self._calls % n],)
        c = self._captured
        if "modulated" not in c:
            raise BridgeError(f'indicator: module "{self.indicator_name}" did not run during step {step}; name a module the forward pass calls')
        if "stack_in" not in c or "stack_out" not in c:
            raise BridgeError(f'blocks: the block stack "{self.stack_name}" did not run (or its first block got no tensor input) during step {step}')
        if c["stack_out"].shape != c["stack_in"].shape:
            raise BridgeError(f"blocks: the stack output {tuple(c['stack_out'].shape)} and input {tuple(c['stack_in'].shape)} differ in shape at step {step}; "
                              "no residual (pick the hidden states with stack_output=, or end the span where they are back in the input's shape with span_end=)")
        signals: dict[str, torch.Tensor] = {"modulated": c["modulated"], "output": output, "residual": c["stack_out"] - c["stack_in"]}
        for s in ("noisy", "timestep"):
            if s in c:
                signals[s] = c[s]
        batch = output.shape[0] if output.dim() > 0 else None
        parts = {s: split_branches(t, len(names), batch) for s, t in signals.items()}
        for i, branch in enumerate(names):
            row = TraceRow(step=step, timestep=timestep, branch=branch, computed=True)
            for s, chunks in parts.items():
                rel, mean_abs = self._history.update(s, branch, chunks[i], step)
                row.rel_l1[s] = rel
                row.mean_abs[s] = mean_abs
            self.rows.append(row)
        self._calls += 1

    @contextlib.contextmanager
    def run(self, prompt: str, seed: int) -> Iterator["TraceRecorder"]:
        """Record one sampling run (one prompt, one seed): every model call inside is a step or a branch of one."""
        self._history.reset()
        self.rows = []
        self._calls = 0
        self.prompt, self.seed = prompt, check_seed(seed)
        self._active = True
        self._started = time.perf_counter()
        try:
            yield self
        finally:
            self._active = False
            self.wall_seconds = time.perf_counter() - self._started
        if not self.batched and self._calls % len(self.branches) != 0:
            raise BridgeError(f"the run ended after {self._calls} model calls, not a whole number of steps of {len(self.branches)} branches")

    def save(self, out_dir: str, *, model: str, family: str, sampler: str, guidance: float, weights_hash: str = "",
             backend: Optional[str] = None) -> list[str]:
        """Write the last run's trace (``<run>.csv`` and its sidecar, atomically) into out_dir; returns the paths."""
        if self.prompt is None or self.seed is None:
            raise BridgeError("save: nothing recorded yet; wrap the sampling loop in `with recorder.run(prompt, seed):`")
        device = next((p.device.type for p in self.model.parameters()), "cpu")
        return write_trace(out_dir, self.rows, prompt=self.prompt, seed=self.seed, model=model, family=family, sampler=sampler,
                           guidance=guidance, wall_seconds=self.wall_seconds, weights_hash=weights_hash,
                           backend=backend or f"pytorch-{device}", parameters=sum(p.numel() for p in self.model.parameters()) or None)

    def detach(self) -> None:
        """Remove every wrapper: the model is as it was."""
        self._wrapped.restore()

    def __enter__(self) -> "TraceRecorder":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.detach()
