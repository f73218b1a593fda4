"""Write the toolkit's trace files: ``<run>.csv`` (one row per step and branch) and the ``<run>.json`` sidecar.

The format is docs/formats.md "Traces" of teacache-toolkit. The sidecar is written last, atomically: a run
is finished when its sidecar exists.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import os
from dataclasses import dataclass, field
from typing import Optional, Sequence

from .errors import BridgeError
from .files import check_seed, csv_field, number_text, slug, write_atomic, write_json_atomic

#: The toolkit's signal names, in its column order.
SIGNALS = ("noisy", "timestep", "modulated", "residual", "output")
BRIDGE_VERSION = "0.1.0"
@dataclass
class TraceRow:
    """One (step, branch) of a run: relative L1 per signal (None at step 0) and mean |value| per signal."""

    step: int
    timestep: float
    branch: str
    computed: bool
    rel_l1: dict[str, Optional[float]] = field(default_factory=dict)
    mean_abs: dict[str, float] = field(default_factory=dict)


def run_id_for(prompt: str, seed: int) -> str:
    """``<prompt-slug>-<6 hex of the prompt's sha1>__seed<seed>``: readable, and distinct for distinct prompts."""
    digest = hashlib.sha1(prompt.encode("utf-8")).hexdigest()[:6]
    return f"{slug(prompt)}-{digest}__seed{seed}"


def trace_csv(run_id: str, prompt: str, seed: int, rows: Sequence[TraceRow]) -> str:
    """The CSV text: only the signals some row recorded get columns; prompt and seed on every row."""
    signals = [s for s in SIGNALS if any(s in r.mean_abs for r in rows)]
    header = ["run_id", "prompt", "seed", "step", "timestep", "branch", "computed"]
    header += [f"rel_l1_{s}" for s in signals] + [f"mean_abs_{s}" for s in signals]
    lines = [",".join(header)]
    for r in rows:
        where = f"run {run_id}, step {r.step}, branch {r.branch}"
        cells = [run_id, csv_field(prompt), str(seed), str(r.step), number_text(r.timestep, f"{where}, timestep"), r.branch, "1" if r.computed else "0"]
        for s in signals:
            v = r.rel_l1.get(s)
            cells.append("" if v is None else number_text(v, f"{where}, rel_l1_{s}"))
        for s in signals:
            if s not in r.mean_abs:
                raise BridgeError(f"{where}: signal {s} was recorded at other steps but not at this one")
            cells.append(number_text(r.mean_abs[s], f"{where}, mean_abs_{s}"))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def write_trace(out_dir: str, rows: Sequence[TraceRow], *, prompt: str, seed: int, model: str, family: str,
                sampler: str, guidance: float, wall_seconds: float, weights_hash: str = "", backend: str = "pytorch",
                policy: str = "none", run_id: Optional[str] = None, parameters: Optional[int] = None) -> list[str]:
    """Write ``<run>.csv`` then ``<run>.json`` atomically into out_dir; returns both paths."""
    if not rows:
        raise BridgeError("no steps were recorded: call the model inside the recorder's run before saving")
    seed = check_seed(seed)
    run_id = run_id or run_id_for(prompt, seed)
    steps = max(r.step for r in rows) + 1
    if steps < 2:
        raise BridgeError(f"a trace needs at least 2 steps, recorded {steps}")
    text = trace_csv(run_id, prompt, int(seed), rows)  # validates every number before anything is written
    csv_path = os.path.join(out_dir, f"{run_id}.csv")
    json_path = os.path.join(out_dir, f"{run_id}.json")
    meta = {
        "format": "teacache-trace", "version": 1, "runId": run_id, "model": model, "family": family,
        "weightsHash": weights_hash, "prompt": prompt, "seed": int(seed), "sampler": sampler, "steps": steps,
        "guidance": float(guidance), "backend": backend, "policy": policy, "toolkitVersion": BRIDGE_VERSION,
        "createdAt": _dt.datetime.now(_dt.timezone.utc).isoformat().replace("+00:00", "Z"),
        "wallSeconds": round(float(wall_seconds), 6), "source": "teacache-pytorch",
    }
    if parameters is not None:
        if isinstance(parameters, bool) or int(parameters) != parameters or parameters < 1:
            raise BridgeError(f"parameters must be a whole number >= 1 (the model's parameter count), got {parameters!r}")
        meta["parameters"] = int(parameters)
    write_atomic(csv_path, text.encode("utf-8"))
    write_json_atomic(json_path, meta)
    return [csv_path, json_path]


def weights_hash(module: "object") -> str:
    """SHA-256 over a module's parameters and buffers (names, dtypes, shapes, bytes): ties traces to weights."""
    import torch

    h = hashlib.sha256()
    for name, t in sorted(getattr(module, "state_dict")().items()):
        t = t.detach().cpu().contiguous()
        h.update(f"{name}:{t.dtype}:{tuple(t.shape)}".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()
