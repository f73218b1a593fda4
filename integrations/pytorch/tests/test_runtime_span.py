"""Spans over several stacks: FLUX's double then single blocks, Latte's and STDiT3's interleaved spatial and temporal blocks."""
import json

import pytest
import torch

from teacache_pytorch import BridgeError, TeaCacheRule, TeaCacheRuntime
from teacache_pytorch.coefficients import read_coefficients
from span_models import TinyFlux, TinyVideoDiT
from tiny_dit import sample

STEPS = 12
FLUX = dict(blocks=("double_blocks", "single_blocks"), span_end="final_layer", span_end_from="input",
            indicator="double_blocks.0.img_attn.qkv", indicator_from="input")
LATTE = dict(blocks=("spatial_blocks", "temporal_blocks"), span_end="final_layer", span_end_from="input",
             indicator="spatial_blocks.0.attn.qkv", indicator_from="input")
STDIT = dict(blocks=("spatial_blocks", "temporal_blocks"), indicator="spatial_blocks.0.attn.qkv", indicator_from="input")


@pytest.fixture(scope="module")
def models():
    return {"flux": TinyFlux().eval(), "latte": TinyVideoDiT().eval(), "stdit": TinyVideoDiT(rearrange_in_forward=False).eval()}


CASES = [("flux", FLUX), ("latte", LATTE), ("stdit", STDIT)]


@pytest.fixture()
def coefficients(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"format": "teacache-coefficients", "version": 1, "model": "tiny", "indicator": "modulated", "degree": 1,
                                "coefficients": {"highestFirst": [1.0, 0.0], "lowestFirst": [0.0, 1.0]}}))
    return str(path)


def run(model, coefficients, threshold, options, batched=True, hooks=()):
    rt = TeaCacheRuntime(model, coefficients, threshold, STEPS, branches=("cond", "uncond"), batched=batched, **options)
    try:
        with rt.run("a cat", 3):
            image = sample(model, "a cat", 3, steps=STEPS, batched=batched)
    finally:
        rt.detach()
    return rt, image


@pytest.mark.parametrize("name,options", CASES)
def test_computing_every_step_gives_the_unwrapped_models_output_exactly(models, coefficients, name, options):
    reference = sample(models[name], "a cat", 3, steps=STEPS)
    rt, image = run(models[name], coefficients, -1.0, options)
    assert set("".join(rt.schedules().values())) == {"C"}
    assert torch.equal(image, reference)


def inner_modules(model):
    """A module deep inside every block of the span: each call's batch rows say whether that block ran."""
    if isinstance(model, TinyFlux):
        return [b.img_mlp for b in model.double_blocks] + [b.linear2 for b in model.single_blocks]
    return [b.mlp for b in model.spatial_blocks] + [b.mlp for b in model.temporal_blocks]


@pytest.mark.parametrize("name,options", CASES)
def test_reused_steps_really_skip_every_block_of_both_stacks(models, coefficients, name, options):
    model = models[name]
    calls: dict[int, list[int]] = {}
    handles = [m.register_forward_hook(lambda m, i, o, k=k: calls.setdefault(k, []).append(i[0].shape[0])) for k, m in enumerate(inner_modules(model))]
    try:
        rt, _ = run(model, coefficients, 0.3, options)
    finally:
        for h in handles:
            h.remove()
    computed = sum(s.count("C") for s in rt.schedules().values())
    assert 0 < sum(s.count("R") for s in rt.schedules().values())
    per_branch_rows = {k: v[0] // 2 for k, v in calls.items()}  # step 0 computes both branches
    assert len(calls) == len(inner_modules(model))
    for k, rows in calls.items():
        assert sum(rows) == computed * per_branch_rows[k]  # rows of computing branches only, at every block


@pytest.mark.parametrize("name,options", CASES)
def test_a_reused_step_hands_on_the_span_input_plus_the_cached_residual(models, coefficients, name, options):
    model = models[name]
    log: list[list] = []  # per step: the span's input and output, read by PyTorch's own hooks (or the model's log) around the wrappers
    if isinstance(model, TinyFlux):  # its blocks take keywords, which this torch's pre-hooks do not see: the model logs the input
        model.span_log = log
        h0 = None
    else:
        h0 = model.spatial_blocks[0].register_forward_pre_hook(lambda m, a: log.append([a[0].clone(), None]))
    after = model.final_layer.norm if isinstance(model, TinyFlux) or model.rearrange_in_forward else None
    if after is not None:
        h1 = after.register_forward_pre_hook(lambda m, a: log[-1].__setitem__(1, a[0].clone()))
    else:  # STDiT3: the last temporal block's output ends the span
        h1 = model.temporal_blocks[-1].register_forward_hook(lambda m, a, o: log[-1].__setitem__(1, o.clone()))
    try:
        rt, _ = run(model, coefficients, 0.3, options)
    finally:
        model.span_log = None
        if h0 is not None:
            h0.remove()
        h1.remove()
    schedule = rt.schedules()["cond"]
    r = schedule.index("R")
    assert len(log) == STEPS and schedule[r - 1] == "C"
    (in_prev, out_prev), (x, out) = log[r - 1], log[r]
    half = x.shape[0] // 2  # cond rows first
    expected = x[:half] + (out_prev[:half] - in_prev[:half])
    if name == "flux":
        assert out.shape == x.shape
    assert torch.allclose(out[:half], expected, atol=1e-6)
    assert not torch.allclose(x[:half], in_prev[:half])


@pytest.mark.parametrize("name,options", CASES)
def test_live_decisions_equal_the_rule_on_the_recorded_indicator(models, coefficients, name, options):
    rt, _ = run(models[name], coefficients, 0.3, options)
    for branch in ("cond", "uncond"):
        rule = TeaCacheRule(0.3, read_coefficients(coefficients), STEPS, 1, 1)
        recs = [r for r in rt.records if r.branch == branch]
        assert "".join("C" if rule.decide(r.step, r.rel_l1).compute else "R" for r in recs) == rt.schedules()[branch]


@pytest.mark.parametrize("name,options", CASES)
def test_branches_that_decide_differently_give_what_separate_calls_give(models, coefficients, name, options):
    probe, _ = run(models[name], coefficients, 1e9, options)  # reuses all it may: the indicator's changes of both branches
    rel = {b: [r.rel_l1 for r in probe.records if r.branch == b][1:] for b in ("cond", "uncond")}
    sums = [(sum(rel["cond"][:k]), sum(rel["uncond"][:k])) for k in range(1, STEPS - 1)]
    candidates = [(c + u) / 2 for c, u in sums if abs(c - u) > 1e-4][:6]  # thresholds between the branches' accumulators
    for threshold in candidates:
        a, img_a = run(models[name], coefficients, threshold, options, batched=True)
        if a.schedules()["cond"] != a.schedules()["uncond"]:
            break
    else:
        pytest.fail(f"no threshold of {candidates} made the branches decide differently")
    b, img_b = run(models[name], coefficients, threshold, options, batched=False)
    assert a.schedules() == b.schedules()
    assert torch.allclose(img_a, img_b, atol=1e-5)


def test_a_span_whose_ends_differ_in_shape_is_refused_naming_both_modules(models, coefficients):
    options = {k: v for k, v in LATTE.items() if k not in ("span_end", "span_end_from")}
    rt = TeaCacheRuntime(models["latte"], coefficients, 0.3, STEPS, branches=("cond", "uncond"), **options)
    with pytest.raises(BridgeError, match=r'output of "temporal_blocks.2" \(output\) has shape \(32, 3, 64\) but the input of "spatial_blocks.0" has shape \(6, 16, 64\)'):
        with rt.run("a cat", 3):
            sample(models["latte"], "a cat", 3, steps=STEPS)
    rt.detach()
    assert torch.equal(sample(models["latte"], "a cat", 3, steps=2), sample(models["latte"], "a cat", 3, steps=2))  # detached cleanly


def test_stacks_listed_out_of_call_order_are_refused(models, coefficients):
    rt = TeaCacheRuntime(models["flux"], coefficients, 0.3, STEPS, branches=("cond", "uncond"), **{**FLUX, "blocks": ("single_blocks", "double_blocks"),
                                                                                                  "indicator": "single_blocks.0.linear1"})
    with pytest.raises(BridgeError, match=r'block "double_blocks.0" ran before the span\'s first block "single_blocks.0"'):
        with rt.run("a cat", 3):
            sample(models["flux"], "a cat", 3, steps=STEPS)
    rt.detach()


def test_bad_span_settings_are_refused(models, coefficients):
    flux = models["flux"]
    with pytest.raises(BridgeError, match=r'span_end: no module named "final_layr"'):
        TeaCacheRuntime(flux, coefficients, 0.3, STEPS, **{**FLUX, "span_end": "final_layr"})
    with pytest.raises(BridgeError, match=r'span_end: "final_layer" is not a block'):
        TeaCacheRuntime(flux, coefficients, 0.3, STEPS, **{**FLUX, "span_end_from": "output"})
    with pytest.raises(BridgeError, match=r'span_end_from="input" needs span_end='):
        TeaCacheRuntime(flux, coefficients, 0.3, STEPS, **{**FLUX, "span_end": None})
    with pytest.raises(BridgeError, match=r"passthrough: no stack named \['blocks'\]"):
        TeaCacheRuntime(flux, coefficients, 0.3, STEPS, **FLUX, passthrough={"blocks": ("img", "txt")})
    with pytest.raises(BridgeError, match=r'indicator: "single_blocks.0.linear1" is inside block single_blocks.0'):
        TeaCacheRuntime(flux, coefficients, 0.3, STEPS, **{**FLUX, "indicator": "single_blocks.0.linear1"})
    assert "forward" not in flux.__dict__  # nothing left attached by a refused runtime


def test_ambiguous_block_outputs_ask_for_passthrough(coefficients):
    model = TinyFlux(text_tokens=64).eval()  # as many text tokens as image tokens: (img, txt) cannot be told apart by shape
    rt = TeaCacheRuntime(model, coefficients, 0.3, STEPS, branches=("cond", "uncond"), **FLUX)
    with pytest.raises(BridgeError, match=r'block "double_blocks.0": output 0 matches arguments \'img\', \'txt\' by shape.*passthrough=\{"double_blocks"'):
        with rt.run("a cat", 3):
            sample(model, "a cat", 3, steps=STEPS)
    rt.detach()
    rt2, _ = run(model, coefficients, 0.3, {**FLUX, "passthrough": {"double_blocks": ("img", "txt")}})
    assert "R" in rt2.schedules()["cond"]


@pytest.mark.parametrize("name,options", CASES)
def test_the_saved_runtime_trace_replays_to_the_live_schedule(models, coefficients, name, options, tmp_path):
    """Replay in-process on the files `teacache replay` reads: a hand-run accumulator (poly = x) over the trace's column."""
    import csv

    from teacache_pytorch import save_run

    rt, image = run(models[name], coefficients, 0.3, options)
    save_run(rt, str(tmp_path / "runs"), image, model=f"tiny-{name}", layout="CHW", guidance=4.0, trace_dir=str(tmp_path / "traces"))
    [trace] = list((tmp_path / "traces").glob("*.csv"))
    [record] = list((tmp_path / "runs").glob("*.run.json"))
    with open(trace, newline="") as fh:
        rows = list(csv.DictReader(fh))
    schedule = json.loads(record.read_text())["schedule"]
    for branch in ("cond", "uncond"):
        acc, replayed, recorded = 0.0, "", ""
        for row in (r for r in rows if r["branch"] == branch):
            step = int(row["step"])
            recorded += "C" if row["computed"] == "1" else "R"
            if step in (0, STEPS - 1):
                acc, replayed = 0.0, replayed + "C"
                continue
            acc += float(row["rel_l1_modulated"])
            replayed += "R" if acc < 0.3 else "C"
            acc = acc if acc < 0.3 else 0.0
        assert replayed == recorded == schedule[branch] == rt.schedules()[branch]
        assert "R" in replayed


def test_the_recorder_measures_the_spans_residual_across_both_stacks(models):
    from teacache_pytorch import TraceRecorder

    model = models["flux"]
    log: list[list] = []
    model.span_log = log
    hook = model.final_layer.norm.register_forward_pre_hook(lambda m, a: log[-1].__setitem__(1, a[0].clone()))
    rec = TraceRecorder(model, branches=("cond", "uncond"), blocks=FLUX["blocks"], span_end="final_layer", span_end_from="input",
                        indicator=FLUX["indicator"], indicator_from="input")
    try:
        with rec.run("a cat", 3):
            sample(model, "a cat", 3, steps=6)
    finally:
        rec.detach()
        hook.remove()
        model.span_log = None
    residuals = [(out - x)[:1] for x, out in log]  # the cond rows, from the model's own log and PyTorch's hook
    expected = [(a - b).abs().mean().item() / b.abs().mean().item() for a, b in zip(residuals[1:], residuals[:-1])]
    measured = [r.rel_l1["residual"] for r in rec.rows if r.branch == "cond"][1:]
    assert measured == pytest.approx(expected, rel=1e-5)
    with pytest.raises(BridgeError, match=r'span_end: "final_layer" is not a block'):
        TraceRecorder(model, blocks=FLUX["blocks"], span_end="final_layer", indicator=FLUX["indicator"], indicator_from="input")
    assert "forward" not in model.__dict__


def test_a_span_end_that_never_runs_is_named(models, coefficients):
    # TinyFlux keeps TinyDiT's unused `final` projection: a module that exists but is not called
    rt = TeaCacheRuntime(models["flux"], coefficients, 0.3, STEPS, branches=("cond", "uncond"), **{**FLUX, "span_end": "final"})
    with pytest.raises(BridgeError, match=r'span_end: the span started at "double_blocks.0" but "final" \(input\) did not run during step 0'):
        with rt.run("a cat", 3):
            sample(models["flux"], "a cat", 3, steps=STEPS)
    rt.detach()
