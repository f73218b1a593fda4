"""The documented hook points work on a model shaped like each architecture's first block, and name their source."""
import re

from teacache_pytorch import HOOK_POINTS, TraceRecorder
from tiny_dit import sample


def test_every_entry_names_a_repository_a_commit_and_the_file_it_was_read_from():
    assert {"dit", "pixart", "stdit", "latte", "open-sora-plan", "wan2.1", "flux", "hunyuanvideo", "cogvideox"} <= set(HOOK_POINTS)
    for key, h in HOOK_POINTS.items():
        assert re.match(r"^[0-9a-f]{40}", h.commit), key
        assert "/" in h.repository and h.files and h.indicator and h.blocks, key
        assert h.indicator_from in ("input", "output"), key


def test_the_dit_entry_drives_the_recorder_on_a_dit_shaped_model(model):
    h = HOOK_POINTS["dit"]
    rec = TraceRecorder(model, indicator=h.indicator, indicator_from=h.indicator_from, blocks=h.blocks,
                        timestep_embedding=h.timestep_embedding, branches=("cond", "uncond"))
    with rec.run("a cat", 0):
        sample(model, "a cat", 0, steps=4)
    rec.detach()
    assert len(rec.rows) == 8 and rec.rows[-1].rel_l1["modulated"] > 0


def test_every_published_architecture_has_a_runtime_span():
    for key, h in HOOK_POINTS.items():
        assert h.runtime, key
        options = h.runtime_options()
        assert options["indicator"] == h.indicator and options["blocks"], key
        assert h.span_end_from in ("input", "output"), key
    assert HOOK_POINTS["flux"].runtime_options()["blocks"] == ("double_blocks", "single_blocks")
    assert HOOK_POINTS["stdit"].runtime_options()["blocks"] == ("spatial_blocks", "temporal_blocks")


def test_the_flux_entry_drives_the_runtime_on_a_model_with_fluxs_module_names(tmp_path):
    import json

    import torch

    from span_models import TinyFlux
    from teacache_pytorch import TeaCacheRuntime

    coefficients = tmp_path / "c.json"
    coefficients.write_text(json.dumps({"format": "teacache-coefficients", "version": 1, "model": "tiny", "indicator": "modulated", "degree": 1,
                                        "coefficients": {"highestFirst": [1.0, 0.0], "lowestFirst": [0.0, 1.0]}}))
    model = TinyFlux().eval()  # double_blocks (img=, txt=), single_blocks, final_layer, img_attn.qkv: as black-forest-labs/flux names them
    reference = sample(model, "a cat", 0, steps=10, guidance=1.0)
    for threshold, expect_reuse in ((-1.0, False), (0.3, True)):
        rt = TeaCacheRuntime(model, str(coefficients), threshold, 10, branches=("cond",), **HOOK_POINTS["flux"].runtime_options())
        with rt.run("a cat", 0):
            image = sample(model, "a cat", 0, steps=10, guidance=1.0)
        rt.detach()
        assert ("R" in rt.schedules()["cond"]) == expect_reuse
        if not expect_reuse:
            assert torch.equal(image, reference)
