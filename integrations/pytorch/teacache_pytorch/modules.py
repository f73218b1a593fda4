"""Finding modules by name and taking tensors out of what modules return."""
from __future__ import annotations

import difflib
from typing import Any, Callable, Optional, Union

import torch
from torch import nn

from .errors import BridgeError

#: A module given by its dotted name in ``model.named_modules()`` or as the module object itself.
ModuleRef = Union[str, nn.Module]
#: Picks the tensor of interest out of a module's output (a tensor, a tuple, a dataclass with ``.sample``...).
Selector = Callable[[Any], torch.Tensor]


def resolve_module(model: nn.Module, ref: ModuleRef, role: str) -> tuple[str, nn.Module]:
    """The (name, module) a reference points to; a name that does not exist raises naming close matches."""
    names = dict(model.named_modules())
    if isinstance(ref, nn.Module):
        for name, module in names.items():
            if module is ref:
                return name, module
        raise BridgeError(f"{role}: the module object given is not part of the model ({type(ref).__name__})")
    if ref in names:
        return ref, names[ref]
    close = difflib.get_close_matches(ref, [n for n in names if n], n=5, cutoff=0.5)
    hint = f"; close names: {', '.join(close)}" if close else f"; the model has {len(names) - 1} named modules"
    raise BridgeError(f'{role}: no module named "{ref}" in {type(model).__name__}{hint}')


def first_tensor(value: Any) -> Optional[torch.Tensor]:
    """The first tensor in a module output: the tensor itself, the first of a tuple/list, or ``.sample``."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for v in value:
            t = first_tensor(v)
            if t is not None:
                return t
        return None
    sample = getattr(value, "sample", None)
    if isinstance(sample, torch.Tensor):
        return sample
    if isinstance(value, dict):
        for v in value.values():
            t = first_tensor(v)
            if t is not None:
                return t
    return None


def select(value: Any, selector: Optional[Selector], role: str) -> torch.Tensor:
    """Apply the selector (default: first tensor) and insist on a tensor."""
    t = selector(value) if selector is not None else first_tensor(value)
    if not isinstance(t, torch.Tensor):
        raise BridgeError(f"{role}: expected a tensor, found {type(value).__name__} with no tensor in it")
    return t


def split_branches(t: torch.Tensor, branches: int, batch: Optional[int]) -> list[torch.Tensor]:
    """Per-branch parts of a batched-CFG tensor (equal chunks of dim 0); unbatched tensors serve every branch."""
    if branches == 1:
        return [t]
    if t.dim() > 0 and batch is not None and t.shape[0] == batch and batch % branches == 0:
        return list(t.chunk(branches, dim=0))
    return [t] * branches
