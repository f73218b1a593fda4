"""The cached span: every block of one or more stacks, from the first block's input to the span's end.

On a reused step each block of the span passes its hidden states through unchanged (the model's own
rearranges and concatenations between blocks still run on them), and the span's end hands on the span's
input plus the branch's cached residual. The end is either the output of a block (default: the last block of
the last stack) or the input of the module that runs after the span (FLUX's ``norm_out``, whose input is the
image tokens once the model has sliced the text tokens off), as ali-vilab/TeaCache's integrations cache it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import torch

from .errors import BridgeError
from .tap import NOISY_KWARGS

ArgRef = Union[int, str]


@dataclass
class BlockInfo:
    """One block of the span: its dotted name and what each of its outputs continues (learned on computed steps)."""

    name: str
    stack: str
    #: Per output position, the argument it continues; None while unknown, () for a single returned tensor.
    returns: Optional[tuple[ArgRef, ...]] = None
    #: Given by the user (passthrough= or streams=): never inferred over.
    explicit: bool = False


def arg_value(args: tuple, kwargs: dict, ref: ArgRef) -> Any:
    """A call's argument by position or keyword (None when absent)."""
    if isinstance(ref, int):
        return args[ref] if ref < len(args) else None
    return kwargs.get(ref)


def first_tensor_ref(args: tuple, kwargs: dict, role: str) -> ArgRef:
    """Where the hidden states are: the first positional tensor, or an x/hidden_states/img... keyword."""
    if args and isinstance(args[0], torch.Tensor):
        return 0
    for k in NOISY_KWARGS:
        if isinstance(kwargs.get(k), torch.Tensor):
            return k
    raise BridgeError(f"{role}: called without a tensor as its first argument (or x/hidden_states/img keyword); the runtime cannot take its hidden states")


def infer_returns(block: BlockInfo, args: tuple, kwargs: dict, out: Any) -> tuple[ArgRef, ...]:
    """Which argument each output of a computed call continues, matched by shape; ambiguity is an error naming passthrough=."""
    if isinstance(out, torch.Tensor):
        ref = first_tensor_ref(args, kwargs, f'block "{block.name}"')
        x = arg_value(args, kwargs, ref)
        if x.shape != out.shape:
            raise BridgeError(f'block "{block.name}" returns shape {tuple(out.shape)} from hidden states of shape {tuple(x.shape)}: '
                              "a block inside the cached span must keep its hidden states' shape (end the span before it with span_end=)")
        return ()
    if not isinstance(out, (tuple, list)) or not out:
        raise BridgeError(f'block "{block.name}" returns {type(out).__name__}; the runtime skips blocks that return a tensor or a tuple of tensors')
    candidates: list[tuple[ArgRef, torch.Tensor]] = [(i, a) for i, a in enumerate(args) if isinstance(a, torch.Tensor)]
    candidates += [(k, v) for k, v in kwargs.items() if isinstance(v, torch.Tensor)]
    refs: list[ArgRef] = []
    for pos, o in enumerate(out):
        match = [r for r, a in candidates if isinstance(o, torch.Tensor) and a.shape == o.shape]
        if len(match) != 1:
            found = "no argument" if not match else f"arguments {', '.join(map(repr, match))}"
            raise BridgeError(f'block "{block.name}": output {pos} matches {found} by shape, so the runtime cannot tell which hidden states it '
                              f'continues; say it with passthrough={{"{block.stack}": (argument of output 0, argument of output 1, ...)}}')
        refs.append(match[0])
    return tuple(refs)


def passthrough(block: BlockInfo, args: tuple, kwargs: dict) -> Any:
    """What the block returns on a reused step: its own hidden-state arguments, in its output's structure."""
    if block.returns is None:
        raise BridgeError(f'block "{block.name}" is skipped before it ever computed; the first step of a run must compute')
    if block.returns == ():
        return arg_value(args, kwargs, first_tensor_ref(args, kwargs, f'block "{block.name}"'))
    out = []
    for ref in block.returns:
        v = arg_value(args, kwargs, ref)
        if not isinstance(v, torch.Tensor):
            raise BridgeError(f'block "{block.name}" was called without a tensor for argument {ref!r}, which one of its outputs continues')
        out.append(v)
    return tuple(out)


def outputs_of(out: Any) -> list[torch.Tensor]:
    """A block's returned tensors as a list (one tensor, or the tuple's)."""
    return [out] if isinstance(out, torch.Tensor) else list(out)


def repack(like: Any, tensors: Sequence[torch.Tensor]) -> Any:
    """Tensors in the structure of ``like`` (one tensor, a tuple or a list)."""
    if isinstance(like, torch.Tensor):
        return tensors[0]
    return type(like)(tensors) if isinstance(like, list) else tuple(tensors)


def branch_rows(batch: int, branches: int, which: Sequence[bool]) -> torch.Tensor:
    """Batch rows of the branches marked True, the batch being ``branches`` equal chunks in branch order."""
    if batch % branches != 0:
        raise BridgeError(f"a batch of {batch} rows does not split into {branches} equal guidance branches")
    per = batch // branches
    return torch.cat([torch.arange(i * per, (i + 1) * per) for i, w in enumerate(which) if w])


def rows_of(value: Any, rows: torch.Tensor, batch: int) -> Any:
    """Slice a call argument to some batch rows: tensors whose first dimension is the batch; anything else as is."""
    if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape[0] == batch:
        return value.index_select(0, rows.to(value.device))
    return value


def merge_rows(base: torch.Tensor, rows: torch.Tensor, part: torch.Tensor) -> torch.Tensor:
    """A copy of base with the given rows replaced by part."""
    merged = base.clone()
    merged[rows.to(merged.device)] = part
    return merged
