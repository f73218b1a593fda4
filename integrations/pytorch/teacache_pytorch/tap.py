"""Shared plumbing of the recorder and the runtime: wrap a model's forward and chosen modules, no pipeline rewrite.

Wrapping sets an instance attribute ``forward`` on each module (``nn.Module.__call__`` calls it), so hooks
see keyword arguments too, and ``detach()`` restores the class's forward.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Union

import torch
from torch import nn

from .errors import BridgeError
from .modules import ModuleRef, Selector, first_tensor, resolve_module, select

#: Names models commonly give the timestep-embedding module (DiT/Latte/PixArt, Wan2.1, CogVideoX, diffusers).
TIMESTEP_EMBEDDER_NAMES = ("t_embedder", "time_embedding", "time_embed", "timestep_embedder", "time_in", "time_text_embed", "adaln_single")
#: Names models commonly give the block stack.
STACK_NAMES = ("blocks", "transformer_blocks", "double_blocks", "layers")
#: Keyword names of the noisy input and of the timestep in common forward signatures.
NOISY_KWARGS = ("x", "hidden_states", "sample", "img", "latents")
TIMESTEP_KWARGS = ("t", "timestep", "timesteps")

TimestepRef = Union[int, str, Callable[[tuple, dict], Any]]


def number_of(value: Any, role: str) -> float:
    """A float from a tensor's first element or a number."""
    if isinstance(value, torch.Tensor):
        if value.numel() == 0:
            raise BridgeError(f"{role}: an empty tensor")
        return float(value.reshape(-1)[0].item())
    if isinstance(value, (int, float)):
        return float(value)
    raise BridgeError(f"{role}: expected a tensor or a number, found {type(value).__name__}")


def arg_of(args: tuple, kwargs: dict, ref: Union[int, str], names: Sequence[str]) -> Any:
    """A forward argument by position or keyword name (``names`` are tried when ``ref`` is a position not given)."""
    if isinstance(ref, str):
        if ref in kwargs:
            return kwargs[ref]
        raise KeyError(ref)
    for n in names:
        if n in kwargs:
            return kwargs[n]
    if ref < len(args):
        return args[ref]
    raise KeyError(ref)


def timestep_of(ref: TimestepRef, args: tuple, kwargs: dict) -> float:
    """The timestep of a model call: a function of (args, kwargs), a keyword name, or a position (t/timestep keywords tried)."""
    if callable(ref):
        return number_of(ref(args, kwargs), "timestep")
    try:
        return number_of(arg_of(args, kwargs, ref, TIMESTEP_KWARGS), "timestep")
    except KeyError:
        raise BridgeError(f"timestep: the model call has no argument {ref!r} (nor t/timestep keywords); "
                          "pass timestep= a position, a keyword name or a function of (args, kwargs)") from None


def stack_of(model: nn.Module, blocks: Optional[ModuleRef]) -> tuple[str, nn.ModuleList]:
    """The block stack: the named module (a ModuleList/Sequential), or the first child with a common stack name."""
    if blocks is None:
        for n in STACK_NAMES:
            m = getattr(model, n, None)
            if isinstance(m, (nn.ModuleList, nn.Sequential)) and len(m) > 0:
                return n, m  # type: ignore[return-value]
        raise BridgeError(f"blocks: no block stack found in {type(model).__name__} (looked for {', '.join(STACK_NAMES)}); name it with blocks=")
    name, module = resolve_module(model, blocks, "blocks")
    if not isinstance(module, (nn.ModuleList, nn.Sequential)) or len(module) == 0:
        raise BridgeError(f'blocks: "{name}" is a {type(module).__name__}, expected a non-empty ModuleList or Sequential of blocks')
    return name, module  # type: ignore[return-value]


def default_indicator(model: nn.Module, stack_name: str, stack: nn.ModuleList) -> str:
    """The first block's modulated input, where the architecture exposes it as a module output.

    diffusers-style blocks compute it in ``norm1`` (AdaLayerNormZero returns the modulated input first);
    blocks of this shape expose ``norm1`` with an ``emb`` argument or a ``linear`` projection. Otherwise the
    user names the module (see HOOK_POINTS).
    """
    first = stack[0]
    for child in ("norm1", "modulate", "adaln", "norm1_a"):
        m = getattr(first, child, None)
        if isinstance(m, nn.Module) and not isinstance(m, nn.LayerNorm) and any(True for _ in m.parameters()):
            return f"{stack_name}.0.{child}"
    raise BridgeError(
        f"indicator: {type(first).__name__} exposes no module that returns the modulated input (looked for norm1/modulate "
        "with parameters, i.e. an adaptive norm); name the indicator module with indicator= (see teacache_pytorch.HOOK_POINTS)")


def timestep_embedder(model: nn.Module) -> Optional[str]:
    """The name of a child with a common timestep-embedder name, or None."""
    for n in TIMESTEP_EMBEDDER_NAMES:
        if isinstance(getattr(model, n, None), nn.Module):
            return n
    return None


class Wrapped:
    """Instance-level forward wrappers, undone by ``restore()``."""

    def __init__(self) -> None:
        self._modules: list[nn.Module] = []

    def wrap(self, module: nn.Module, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
        """Replace module.forward by make(original forward)."""
        if "forward" in module.__dict__:
            raise BridgeError(f"{type(module).__name__} is already wrapped (a recorder or runtime is still attached); detach it first")
        original = module.forward
        module.forward = make(original)  # type: ignore[method-assign]
        self._modules.append(module)

    def restore(self) -> None:
        """Put every original forward back."""
        for m in self._modules:
            m.__dict__.pop("forward", None)
        self._modules.clear()


def capture(role: str, selector: Optional[Selector], sink: Callable[[torch.Tensor], None]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A wrapper maker that passes the selected output tensor of every call to sink."""
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def forward(*args: Any, **kwargs: Any) -> Any:
            out = original(*args, **kwargs)
            sink(select(out, selector, role))
            return out
        return forward
    return make


def capture_input(role: str, sink: Callable[[torch.Tensor], None]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A wrapper maker that passes the first tensor argument of every call to sink, before the module runs.

    For architectures that compute the modulated input inline and hand it to a module (DiT's ``attn``, FLUX's
    ``img_attn.qkv``): that module's input is the indicator.
    """
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def forward(*args: Any, **kwargs: Any) -> Any:
            t = next((a for a in args if isinstance(a, torch.Tensor)), None)
            if t is None:
                t = first_tensor(list(kwargs.values()))
            if t is None:
                raise BridgeError(f"{role}: the module was called without a tensor argument; use indicator_from='output'")
            sink(t)
            return original(*args, **kwargs)
        return forward
    return make


def indicator_wrapper(indicator_from: str, selector: Optional[Selector], sink: Callable[[torch.Tensor], None]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The wrapper maker for the indicator module: its output (default) or its input."""
    if indicator_from == "output":
        return capture("indicator", selector, sink)
    if indicator_from == "input":
        return capture_input("indicator", sink)
    raise BridgeError(f"indicator_from: expected 'output' or 'input', found {indicator_from!r}")


def output_tensor(out: Any, selector: Optional[Selector]) -> torch.Tensor:
    """The model output's tensor (a missing output is an error naming what was returned)."""
    if out is None:
        raise BridgeError("output: the model's forward returned None; pass output= a selector that finds the prediction")
    return select(out, selector, "output")


__all__ = ["first_tensor", "Wrapped", "capture", "capture_input", "indicator_wrapper", "output_tensor", "stack_of", "default_indicator", "timestep_embedder",
           "number_of", "arg_of", "timestep_of", "NOISY_KWARGS", "TIMESTEP_KWARGS", "TimestepRef"]
