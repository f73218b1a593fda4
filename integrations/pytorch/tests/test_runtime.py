"""The TeaCache runtime: decisions follow the rule on the signals it saw, reused steps skip the stack, outputs are right."""
import json

import pytest
import torch

from teacache_pytorch import TeaCacheRule, TeaCacheRuntime, TraceRecorder
from teacache_pytorch.coefficients import read_coefficients
from tiny_dit import sample

STEPS = 12


@pytest.fixture()
def coefficients(tmp_path):
    path = tmp_path / "coefficients.json"
    # a degree-2 polynomial with a negative intercept, like several published sets
    path.write_text(json.dumps({"format": "teacache-coefficients", "version": 1, "model": "tiny-dit", "indicator": "modulated", "degree": 2,
                                "coefficients": {"highestFirst": [3.0, 0.9, -0.01], "lowestFirst": [-0.01, 0.9, 3.0]}}))
    return str(path)


def run(model, coefficients, threshold, batched=True, **kw):
    rt = TeaCacheRuntime(model, coefficients, threshold, STEPS, branches=("cond", "uncond"), batched=batched, **kw)
    try:
        with rt.run("a cat", 5):
            image = sample(model, "a cat", 5, steps=STEPS, batched=batched)
    finally:
        rt.detach()
    return rt, image


def test_live_decisions_equal_the_rule_applied_to_the_recorded_signals(model, coefficients):
    rt, _ = run(model, coefficients, 0.25)
    poly = read_coefficients(coefficients)
    for branch in ("cond", "uncond"):
        rule = TeaCacheRule(0.25, poly, STEPS, 1, 1)
        recs = [r for r in rt.records if r.branch == branch]
        assert [r.step for r in recs] == list(range(STEPS))
        replayed = "".join("C" if rule.decide(r.step, r.rel_l1).compute else "R" for r in recs)
        assert replayed == rt.schedules()[branch]
    assert "R" in rt.schedules()["cond"]


def test_a_hand_computed_accumulator(model, coefficients):
    rt, _ = run(model, coefficients, 0.25)
    recs = [r for r in rt.records if r.branch == "cond"]
    acc, expected = 0.0, []
    for r in recs:
        if r.step in (0, STEPS - 1):
            acc = 0.0
            expected.append("C")
            continue
        x = r.rel_l1
        acc += 3.0 * x * x + 0.9 * x - 0.01
        expected.append("R" if acc < 0.25 else "C")
        if acc >= 0.25:
            acc = 0.0
    assert "".join(expected) == rt.schedules()["cond"]


def test_reused_steps_really_skip_the_block_stack(model, coefficients):
    calls = []
    hook = model.blocks[2].attn.register_forward_hook(lambda m, i, o: calls.append(i[0].shape[0]))
    try:
        rt, _ = run(model, coefficients, 0.25)
    finally:
        hook.remove()
    computed_rows = sum(s.count("C") for s in rt.schedules().values())
    assert sum(calls) == computed_rows  # one batch row per computing branch and step
    assert computed_rows < 2 * STEPS


def test_threshold_below_every_estimate_computes_everything_and_matches_the_uncached_output(model, coefficients):
    reference = sample(model, "a cat", 5, steps=STEPS)
    rt, image = run(model, coefficients, -1e9)
    assert set("".join(rt.schedules().values())) == {"C"}
    assert torch.equal(image, reference)


def test_batched_and_separate_guidance_calls_decide_alike_and_give_the_same_image(model, coefficients):
    a, img_a = run(model, coefficients, 0.3, batched=True)
    b, img_b = run(model, coefficients, 0.3, batched=False)
    assert a.schedules() == b.schedules()
    assert torch.allclose(img_a, img_b, atol=1e-5)


def test_a_reused_step_adds_the_cached_residual_to_the_stack_input(model, coefficients):
    seen = []  # (stack input, stack output) of every call, captured with PyTorch's own hooks
    h0 = model.blocks[0].register_forward_pre_hook(lambda m, i: seen.append([i[0].detach().clone(), None]))
    h1 = model.blocks[-1].register_forward_hook(lambda m, i, o: seen[-1].__setitem__(1, o.detach().clone()))
    try:
        rt = TeaCacheRuntime(model, coefficients, 0.25, STEPS, branches=("cond",), batched=True)
        with rt.run("a cat", 5):
            sample(model, "a cat", 5, steps=STEPS, guidance=1.0)
        rt.detach()
    finally:
        h0.remove()
        h1.remove()
    schedule = rt.schedules()["cond"]
    first_reuse = schedule.index("R")
    assert len(seen) == STEPS  # PyTorch's hooks wrap every call, skipped or not: one (input, output) per step
    last = first_reuse - 1
    stack_in, stack_out = seen[first_reuse]
    assert torch.allclose(stack_out, stack_in + (seen[last][1] - seen[last][0]), atol=1e-6)
    assert not torch.allclose(stack_in, seen[last][0])


def test_retention_steps_and_no_cutoff_as_wan21_use_ret_steps(model, coefficients):
    rt, _ = run(model, coefficients, 10.0, retention_steps=5, cutoff_steps=0)
    assert rt.schedules()["cond"].startswith("CCCCC")
    assert rt.schedules()["cond"][5:] == "R" * (STEPS - 5)


def test_the_runtime_trace_is_the_recorders_indicator_until_the_first_reuse(model, coefficients):
    rec = TraceRecorder(model, branches=("cond", "uncond"))
    with rec.run("a cat", 5):
        sample(model, "a cat", 5, steps=STEPS)
    rec.detach()
    rt, _ = run(model, coefficients, 0.25)
    first = rt.schedules()["cond"].index("R")
    live = [r.rel_l1 for r in rt.records if r.branch == "cond"][1:first + 1]
    uncached = [r.rel_l1["modulated"] for r in rec.rows if r.branch == "cond"][1:first + 1]
    assert live == pytest.approx(uncached, rel=1e-6)
