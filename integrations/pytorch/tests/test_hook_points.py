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
