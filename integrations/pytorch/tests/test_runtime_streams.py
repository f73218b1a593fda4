"""Blocks that carry two streams (image and text tokens, returned as a tuple): each stream has its cached residual."""
import json

import pytest
import torch

from teacache_pytorch import BridgeError, TeaCacheRuntime
from tiny_dit import TinyMMDiT, sample

STEPS = 12
STREAMS = [("hidden_states", 0), ("encoder_hidden_states", 1)]


@pytest.fixture(scope="module")
def mm():
    return TinyMMDiT().eval()


@pytest.fixture()
def coefficients(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"format": "teacache-coefficients", "version": 1, "model": "mm", "indicator": "modulated", "degree": 1,
                                "coefficients": {"highestFirst": [1.0, 0.0], "lowestFirst": [0.0, 1.0]}}))
    return str(path)


def run(mm, coefficients, threshold, batched=True):
    rt = TeaCacheRuntime(mm, coefficients, threshold, STEPS, branches=("cond", "uncond"), batched=batched, streams=STREAMS)
    try:
        with rt.run("a cat", 2):
            image = sample(mm, "a cat", 2, steps=STEPS, batched=batched)
    finally:
        rt.detach()
    return rt, image


def test_without_streams_a_tuple_returning_stack_is_refused_naming_the_option(mm, coefficients):
    rt = TeaCacheRuntime(mm, coefficients, 0.2, STEPS, branches=("cond", "uncond"))
    with pytest.raises(BridgeError, match=r"block 3 returns tuple; pass streams="):
        with rt.run("a cat", 2):
            sample(mm, "a cat", 2, steps=STEPS)
    rt.detach()


def test_computing_every_step_gives_the_uncached_image_exactly(mm, coefficients):
    reference = sample(mm, "a cat", 2, steps=STEPS)
    rt, image = run(mm, coefficients, -1.0)
    assert set("".join(rt.schedules().values())) == {"C"}
    assert torch.equal(image, reference)


def test_a_reused_step_adds_each_streams_cached_residual(mm, coefficients):
    mm.stack_log = []  # (stack inputs, stack outputs) per call, logged by the model itself
    try:
        rt, _ = run(mm, coefficients, 0.3)
    finally:
        log, mm.stack_log = mm.stack_log, None
    schedule = rt.schedules()["cond"]
    r = schedule.index("R")
    assert rt.schedules()["uncond"][r] == "R" and schedule[r - 1] == "C"
    (ins_prev, outs_prev), (ins, outs) = log[r - 1], log[r]
    for k in (0, 1):
        assert torch.allclose(outs[k], ins[k] + (outs_prev[k] - ins_prev[k]), atol=1e-6)
        assert not torch.allclose(ins[k], ins_prev[k]) or k == 1


def test_batched_and_separate_calls_decide_alike_with_two_streams(mm, coefficients):
    a, img_a = run(mm, coefficients, 0.3, batched=True)
    b, img_b = run(mm, coefficients, 0.3, batched=False)
    assert a.schedules() == b.schedules()
    assert "R" in a.schedules()["cond"]
    assert torch.allclose(img_a, img_b, atol=1e-5)


def test_bad_stream_pairs_are_refused(mm, coefficients):
    with pytest.raises(BridgeError, match=r"streams: expected \(argument, output index\) pairs"):
        TeaCacheRuntime(mm, coefficients, 0.2, STEPS, streams=[("hidden_states", 0), ("encoder_hidden_states", 0)])
