"""The recorder's numbers against an independent computation (numpy on tensors captured with PyTorch's own hooks)."""
import csv
import json
import os

import numpy as np
import pytest
import torch

from teacache_pytorch import TraceRecorder
from tiny_dit import sample

PROMPT = 'a "red" circle, on grass'


def rel_l1(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float64) - b).mean() / np.abs(b.astype(np.float64)).mean())


def captured_run(model, batched=True):
    """Model outputs and first-block modulated inputs per call, captured with register_forward_hook (not the bridge)."""
    outputs, modulated = [], []
    h1 = model.register_forward_hook(lambda m, i, o: outputs.append(o.detach().numpy().copy()))
    h2 = model.blocks[0].norm1.register_forward_hook(lambda m, i, o: modulated.append(o[0].detach().numpy().copy()))
    try:
        sample(model, PROMPT, 3, steps=8, batched=batched)
    finally:
        h1.remove()
        h2.remove()
    return outputs, modulated


def recorded(model, batched=True, branches=("cond", "uncond"), uncond_first=False):
    rec = TraceRecorder(model, branches=branches, batched=batched)
    try:
        with rec.run(PROMPT, 3):
            sample(model, PROMPT, 3, steps=8, batched=batched, uncond_first=uncond_first)
    finally:
        rec.detach()
    return rec


def test_relative_l1_of_output_and_indicator_match_numpy_per_branch(model):
    outputs, modulated = captured_run(model)
    rec = recorded(model)
    assert [(r.step, r.branch) for r in rec.rows[:4]] == [(0, "cond"), (0, "uncond"), (1, "cond"), (1, "uncond")]
    for row in rec.rows:
        if row.step == 0:
            assert all(v is None for v in row.rel_l1.values())
            continue
        half = 0 if row.branch == "cond" else 1
        for signal, calls in (("output", outputs), ("modulated", modulated)):
            cur = np.split(calls[row.step], 2)[half]
            prev = np.split(calls[row.step - 1], 2)[half]
            assert row.rel_l1[signal] == pytest.approx(rel_l1(cur, prev), rel=1e-5)
        assert row.mean_abs["output"] == pytest.approx(float(np.abs(np.split(outputs[row.step], 2)[half]).mean()), rel=1e-5)


def test_separate_guidance_calls_give_the_batched_trace(model):
    a = recorded(model, batched=True)
    b = recorded(model, batched=False)
    assert [(r.step, r.branch) for r in a.rows] == [(r.step, r.branch) for r in b.rows]
    for x, y in zip(a.rows, b.rows):
        for s in ("modulated", "output", "residual", "noisy", "timestep"):
            if x.rel_l1[s] is None:
                assert y.rel_l1[s] is None
            else:
                assert y.rel_l1[s] == pytest.approx(x.rel_l1[s], rel=1e-4, abs=1e-7)


def test_uncond_first_batches_are_split_by_the_declared_order(model):
    a = recorded(model)
    b = recorded(model, branches=("uncond", "cond"), uncond_first=True)
    cond_a = [r.rel_l1["output"] for r in a.rows if r.branch == "cond"][1:]
    cond_b = [r.rel_l1["output"] for r in b.rows if r.branch == "cond"][1:]
    assert cond_b == pytest.approx(cond_a, rel=1e-4)


def test_the_written_trace_has_prompt_seed_and_every_signal_and_the_sidecar_names_the_run(model, tmp_path):
    rec = TraceRecorder(model, branches=("cond", "uncond"))
    with rec.run(PROMPT, 3):
        sample(model, PROMPT, 3, steps=8)
    csv_path, json_path = rec.save(str(tmp_path), model="tiny-dit", family="tiny-dit", sampler="ddim", guidance=4.0)
    rec.detach()
    with open(csv_path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 16
    assert rows[0]["prompt"] == PROMPT and rows[0]["seed"] == "3" and rows[0]["rel_l1_output"] == ""
    assert set(k for k in rows[0] if k.startswith("rel_l1_")) == {f"rel_l1_{s}" for s in ("noisy", "timestep", "modulated", "residual", "output")}
    meta = json.load(open(json_path))
    assert meta["steps"] == 8 and meta["family"] == "tiny-dit" and meta["source"] == "teacache-pytorch"
    # the parameter count, by hand: every weight and bias tensor of the module the recorder wraps
    assert meta["parameters"] == sum(int(torch.tensor(p.shape).prod()) for p in model.parameters()) > 0
    assert os.path.basename(csv_path)[:-4] == meta["runId"]


def test_detach_leaves_the_model_as_it_was(model):
    before = sample(model, "x", 1, steps=4)
    rec = TraceRecorder(model)
    rec.detach()
    assert "forward" not in model.__dict__ and all("forward" not in m.__dict__ for m in model.modules())
    assert torch.equal(sample(model, "x", 1, steps=4), before)


def test_an_indicator_read_from_a_module_input_as_in_dit_and_flux(model):
    """DiT hands modulate(norm1(x)) straight to attn: the input of blocks.0.attn is the same tensor as norm1's first output."""
    by_output = recorded(model)
    rec = TraceRecorder(model, indicator="blocks.0.attn", indicator_from="input", branches=("cond", "uncond"))
    with rec.run(PROMPT, 3):
        sample(model, PROMPT, 3, steps=8)
    rec.detach()
    assert [r.rel_l1["modulated"] for r in rec.rows] == [r.rel_l1["modulated"] for r in by_output.rows]
