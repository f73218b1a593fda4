"""Save a finished run for ``teacache score``: the output frames (``.npy``) and a run record (``.run.json``)."""
from __future__ import annotations

import datetime as _dt
import io
import os
from typing import Any, Optional

import numpy as np
import torch

from .errors import BridgeError
from .files import check_seed, write_atomic, write_json_atomic
from .runtime import TeaCacheRuntime
from .trace_files import write_trace

#: Layouts a saved output may have; frames are stored as FHWC (frames, height, width, channels).
LAYOUTS = ("HWC", "CHW", "FHWC", "FCHW", "CFHW")


def to_fhwc(frames: Any, layout: str) -> np.ndarray:
    """Frames as a float32 array (frames, height, width, channels) from one of LAYOUTS; NaN is refused."""
    if layout not in LAYOUTS:
        raise BridgeError(f"layout: expected one of {', '.join(LAYOUTS)}, found {layout!r}")
    a = frames.detach().float().cpu().numpy() if isinstance(frames, torch.Tensor) else np.asarray(frames, dtype=np.float32)
    if a.ndim != len(layout):
        raise BridgeError(f"output: layout {layout} needs {len(layout)} dimensions, the array has {a.ndim} {tuple(a.shape)}")
    if layout == "HWC":
        a = a[None]
    elif layout == "CHW":
        a = a.transpose(1, 2, 0)[None]
    elif layout == "FCHW":
        a = a.transpose(0, 2, 3, 1)
    elif layout == "CFHW":
        a = a.transpose(1, 2, 3, 0)
    if not np.isfinite(a).all():
        raise BridgeError("output: the frames hold NaN or infinite values; nothing written")
    return np.ascontiguousarray(a, dtype=np.float32)


def save_run(runtime: TeaCacheRuntime, out_dir: str, frames: Any, *, model: str, layout: str = "FHWC", guidance: float = 0.0,
             name: Optional[str] = None, trace_dir: Optional[str] = None, family: str = "custom", sampler: str = "custom") -> list[str]:
    """Write ``<name>.npy`` (frames in [0, 1], FHWC float32) and ``<name>.run.json`` (settings, schedule, wall time).

    With ``trace_dir``, the run's own trace (indicator per step and what was computed) is written there too.
    Returns the paths written; the run record is written last.
    """
    if runtime.prompt is None or runtime.seed is None:
        raise BridgeError("save_run: no run finished yet; sample inside `with runtime.run(prompt, seed):`")
    check_seed(runtime.seed)
    cached = runtime.coefficients is not None
    name = name or f"{'teacache-' + repr(runtime.threshold) if cached else 'reference'}__{os.path.basename(_run_id(runtime))}"
    array = to_fhwc(frames, layout)
    buffer = io.BytesIO()
    np.save(buffer, array)
    npy = os.path.join(out_dir, f"{name}.npy")
    record_path = os.path.join(out_dir, f"{name}.run.json")
    schedules = runtime.schedules()
    record = {
        "format": "teacache-run", "version": 1, "source": "teacache-pytorch", "model": model,
        "policy": "teacache" if cached else "none", "params": runtime.policy_params(),
        "threshold": runtime.threshold if cached else None, "prompt": runtime.prompt, "seed": int(runtime.seed),
        "steps": runtime.num_steps, "guidance": float(guidance),
        "schedule": {b: schedules[b] for b in runtime.branches},
        "wallSeconds": runtime.wall_seconds, "output": os.path.basename(npy),
        "backend": f"pytorch-{next((p.device.type for p in runtime.model.parameters()), 'cpu')}",
        "createdAt": _dt.datetime.now(_dt.timezone.utc).isoformat().replace("+00:00", "Z"),
    }
    written = []
    if trace_dir is not None:
        written += write_trace(trace_dir, runtime.trace_rows(), prompt=runtime.prompt, seed=int(runtime.seed), model=model,
                               family=family, sampler=sampler, guidance=guidance, wall_seconds=runtime.wall_seconds,
                               policy="teacache" if cached else "none", run_id=name)
    write_atomic(npy, buffer.getvalue())
    write_json_atomic(record_path, record)
    return written + [npy, record_path]


def _run_id(runtime: TeaCacheRuntime) -> str:
    from .trace_files import run_id_for
    return run_id_for(runtime.prompt or "", int(runtime.seed or 0))
