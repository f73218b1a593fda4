"""Bad input to the bridge: clear errors that name what is wrong, and nothing half written."""
import json
import math
import os

import pytest
import torch
from torch import nn

from teacache_pytorch import BridgeError, TeaCacheRuntime, TraceRecorder, save_run
from teacache_pytorch.trace_files import TraceRow, write_trace
from tiny_dit import TinyDiT, sample


def test_a_module_name_that_does_not_exist_names_close_matches(model):
    with pytest.raises(BridgeError, match=r'indicator: no module named "blocks.0.norm" in TinyDiT; close names: .*blocks\.0\.norm1'):
        TraceRecorder(model, indicator="blocks.0.norm")
    assert all("forward" not in m.__dict__ for m in model.modules())


def test_an_indicator_whose_shape_changes_between_steps_is_refused_naming_the_steps():
    m = TinyDiT(size=16).eval()
    rec = TraceRecorder(m)
    with pytest.raises(BridgeError, match=r"signal modulated \(cond\) changed shape between steps: \(1, 64, 64\) at step 0, \(1, 16, 64\) at step 1"):
        with rec.run("p", 0):
            with torch.no_grad():
                text = torch.zeros(1, 16)
                m(torch.randn(1, 3, 16, 16), torch.tensor([999]), text)
                m.size = 8
                m(torch.randn(1, 3, 8, 8), torch.tensor([900]), text)
    rec.detach()


class NoOutput(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.inner = TinyDiT()
        self.blocks = self.inner.blocks

    def forward(self, x, t, text):
        self.inner(x, t, text)
        return None


def test_a_missing_output_is_refused_at_the_first_step():
    m = NoOutput().eval()
    rec = TraceRecorder(m, indicator="inner.blocks.0.norm1", timestep_embedding="inner.t_embedder")
    with pytest.raises(BridgeError, match=r"output: the model's forward returned None"):
        with rec.run("p", 0), torch.no_grad():
            m(torch.randn(1, 3, 16, 16), torch.tensor([999]), torch.zeros(1, 16))
    rec.detach()


def test_an_indicator_module_that_never_runs_is_named(model):
    unused = TinyDiT().eval()
    unused.spare = nn.Linear(2, 2)
    rec = TraceRecorder(unused, indicator="spare")
    with pytest.raises(BridgeError, match=r'indicator: module "spare" did not run during step 0'):
        with rec.run("p", 0):
            sample(unused, "p", 0, steps=3)
    rec.detach()


def test_a_non_finite_value_names_step_and_signal_and_writes_nothing(tmp_path):
    rows = [TraceRow(0, 999.0, "cond", True, {"output": None}, {"output": 1.0}),
            TraceRow(1, 900.0, "cond", True, {"output": math.nan}, {"output": 1.0})]
    with pytest.raises(BridgeError, match=r"trace value is not finite: nan at run .*, step 1, branch cond, rel_l1_output"):
        write_trace(str(tmp_path), rows, prompt="p", seed=0, model="m", family="f", sampler="s", guidance=1.0, wall_seconds=1.0)
    assert os.listdir(tmp_path) == []


def test_a_run_with_a_missing_branch_call_is_refused(model):
    rec = TraceRecorder(model, branches=("cond", "uncond"), batched=False)
    with pytest.raises(BridgeError, match=r"the run ended after 3 model calls, not a whole number of steps of 2 branches"):
        with rec.run("p", 0), torch.no_grad():
            for t in (999, 900, 800):
                model(torch.randn(1, 3, 16, 16), torch.tensor([t]), torch.zeros(1, 16))
    rec.detach()


def test_a_bad_coefficients_file_names_the_field(model, tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"format": "teacache-coefficients", "version": 1, "indicator": "modulated", "degree": 3,
                               "coefficients": {"highestFirst": [1.0, 0.0]}}))
    with pytest.raises(BridgeError, match=r'c\.json, field "degree": expected 1 \(one less than the coefficients\), found 3'):
        TeaCacheRuntime(model, str(bad), 0.1, 10)
    with pytest.raises(BridgeError, match=r"nope\.json: expected a coefficients file of teacache-toolkit"):
        TeaCacheRuntime(model, str(tmp_path / "nope.json"), 0.1, 10)


def test_save_run_refuses_nan_frames_and_writes_nothing(model, tmp_path):
    rt = TeaCacheRuntime(model, None, None, 3)
    with rt.run("p", 0):
        sample(model, "p", 0, steps=3)
    with pytest.raises(BridgeError, match=r"output: the frames hold NaN"):
        save_run(rt, str(tmp_path), torch.full((3, 16, 16), math.nan), model="m", layout="CHW")
    rt.detach()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("seed", [2**32, -1, 2.5, True, "7", float("inf"), float("nan")])
def test_a_seed_the_toolkit_cannot_read_is_refused_before_sampling_and_writing(model, tmp_path, seed):
    rows = [TraceRow(0, 999.0, "cond", True, {"output": None}, {"output": 1.0}),
            TraceRow(1, 900.0, "cond", True, {"output": 0.5}, {"output": 1.0})]
    with pytest.raises(BridgeError, match=r"seed must be a whole number from 0 to 4294967295"):
        write_trace(str(tmp_path), rows, prompt="p", seed=seed, model="m", family="f", sampler="s", guidance=1.0, wall_seconds=1.0)
    assert os.listdir(tmp_path) == []
    recorder = TraceRecorder(model)
    with pytest.raises(BridgeError, match=r"seed must be a whole number"):
        with recorder.run("p", seed):
            pass
    recorder.detach()


def test_the_largest_32_bit_seed_is_written_as_it_is(tmp_path):
    rows = [TraceRow(0, 999.0, "cond", True, {"output": None}, {"output": 1.0}),
            TraceRow(1, 900.0, "cond", True, {"output": 0.5}, {"output": 1.0})]
    _, sidecar = write_trace(str(tmp_path), rows, prompt="p", seed=2**32 - 1, model="m", family="f", sampler="s", guidance=1.0, wall_seconds=1.0)
    assert json.load(open(sidecar))["seed"] == 4294967295
    import numpy as np
    _, sidecar = write_trace(str(tmp_path), rows, prompt="q", seed=np.int64(7), model="m", family="f", sampler="s", guidance=1.0, wall_seconds=1.0)
    assert json.load(open(sidecar))["seed"] == 7


@pytest.mark.parametrize("parameters", [0, 2.5, True])
def test_a_parameter_count_that_is_not_a_whole_number_above_zero_is_refused_and_nothing_written(tmp_path, parameters):
    rows = [TraceRow(0, 999.0, "cond", True, {"output": None}, {"output": 1.0}),
            TraceRow(1, 900.0, "cond", True, {"output": 0.5}, {"output": 1.0})]
    with pytest.raises(BridgeError, match=r"parameters must be a whole number >= 1"):
        write_trace(str(tmp_path), rows, prompt="p", seed=0, model="m", family="f", sampler="s", guidance=1.0, wall_seconds=1.0,
                    parameters=parameters)
    assert os.listdir(tmp_path) == []
