#!/usr/bin/python3
"""The Python half of the bridge's end-to-end test (driven by packages/cli/src/commands/pytorch-bridge.test.ts).

    e2e_runs.py trace OUT                 trace the tiny DiT through the recorder into OUT/traces
    e2e_runs.py sweep OUT COEFFS T1 T2..  TeaCache runtime over thresholds: run records in OUT/runs, the runtime's
                                          own traces in OUT/runtime-traces, uncached traces of the same runs in
                                          OUT/reference-traces, scikit-image's scores in OUT/skimage.json
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from skimage.metrics import peak_signal_noise_ratio, structural_similarity  # noqa: E402

from teacache_pytorch import TeaCacheRuntime, TraceRecorder, save_run, weights_hash  # noqa: E402
from tiny_dit import TinyDiT, sample  # noqa: E402

torch.set_num_threads(1)
STEPS, GUIDANCE = 20, 4.0
TRACE_RUNS = [(p, s) for p in ("a red circle", "a blue square, small", "green stripes") for s in (0, 1)]
SWEEP_RUNS = [("a red circle", 7), ("yellow sky", 8)]


def trace(out: str) -> None:
    model = TinyDiT().eval()
    recorder = TraceRecorder(model, branches=("cond", "uncond"))  # indicator: blocks.0.norm1, found by default
    digest = weights_hash(model)
    for prompt, seed in TRACE_RUNS:
        with recorder.run(prompt, seed):
            sample(model, prompt, seed, steps=STEPS, guidance=GUIDANCE)
        for p in recorder.save(os.path.join(out, "traces"), model="tiny-dit", family="tiny-dit", sampler="ddim", guidance=GUIDANCE, weights_hash=digest):
            print(p)
    recorder.detach()


def sweep(out: str, coefficients: str, thresholds: list) -> None:
    model = TinyDiT().eval()
    runs_dir = os.path.join(out, "runs")
    scores = {}
    recorder = TraceRecorder(model, branches=("cond", "uncond"))
    for prompt, seed in SWEEP_RUNS:  # uncached traces of the sweep's own runs, for `teacache replay`
        with recorder.run(prompt, seed):
            sample(model, prompt, seed, steps=STEPS, guidance=GUIDANCE)
        recorder.save(os.path.join(out, "reference-traces"), model="tiny-dit", family="tiny-dit", sampler="ddim", guidance=GUIDANCE)
    recorder.detach()
    sample(model, "warm up", 0, steps=4)  # the first run pays for allocation; keep it out of the timings
    for prompt, seed in SWEEP_RUNS:
        settings = [(None, None)] + [(coefficients, t) for t in thresholds]
        reference = None
        for coeffs, threshold in settings:
            runtime = TeaCacheRuntime(model, coeffs, threshold, STEPS, branches=("cond", "uncond"))
            with runtime.run(prompt, seed):
                image = sample(model, prompt, seed, steps=STEPS, guidance=GUIDANCE)
            paths = save_run(runtime, runs_dir, image, model="tiny-dit", layout="CHW", guidance=GUIDANCE,
                             trace_dir=os.path.join(out, "runtime-traces") if coeffs else None)
            runtime.detach()
            frames = image.permute(1, 2, 0).numpy()[None].astype(np.float64)
            if reference is None:
                reference = frames
            record = paths[-1]
            scores[os.path.basename(record)] = {
                "psnr": None if np.array_equal(frames, reference) else float(peak_signal_noise_ratio(reference, frames, data_range=1)),
                "ssim": float(np.mean([structural_similarity(reference[i], frames[i], gaussian_weights=True, sigma=1.5,
                                                             use_sample_covariance=False, data_range=1, channel_axis=-1)
                                       for i in range(frames.shape[0])])),
                "schedule": runtime.schedules(),
            }
            print(record, runtime.schedules())
    with open(os.path.join(out, "skimage.json"), "w") as fh:
        json.dump(scores, fh, indent=2)


if __name__ == "__main__":
    if sys.argv[1] == "trace":
        trace(sys.argv[2])
    elif sys.argv[1] == "sweep":
        sweep(sys.argv[2], sys.argv[3], [float(t) for t in sys.argv[4:]])
    else:
        raise SystemExit(__doc__)
