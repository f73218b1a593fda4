"""Where the TeaCache indicator lives in the published integrations' models, read from their upstream code.

Each entry says which module to hand the recorder and the runtime, whether its output or its input is the
indicator, the block stack, the timestep embedder, how the sampling loop calls the model for guidance, and
the span ``TeaCacheRuntime`` caches (``runtime_options()``): one stack, or, as the published integrations cache
them, two stacks in a row (FLUX, HunyuanVideo) or interleaved (STDiT3, Latte) from the first block's input to the
hidden states the model hands its final layer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class HookPoint:
    """The hook points of one architecture, and where they were read."""

    model: str
    repository: str
    commit: str
    files: str
    indicator: str
    indicator_from: str
    blocks: str
    timestep_embedding: Optional[str]
    guidance: str
    runtime: bool
    note: str
    #: For the runtime's ``streams=``: (block argument, position of its continuation in the returned tuple).
    streams: Optional[tuple[tuple[str, int], ...]] = None
    #: The runtime's ``blocks=`` when the span covers several stacks, in the order the forward pass starts them.
    span_blocks: Optional[tuple[str, ...]] = None
    #: The module that ends the span and whether its ``input`` or ``output`` is the span's output (None: the last block's output).
    span_end: Optional[str] = None
    span_end_from: str = "output"

    def runtime_options(self) -> dict[str, Any]:
        """Keyword arguments of ``TeaCacheRuntime`` for this architecture (indicator, blocks, span, streams)."""
        options: dict[str, Any] = {"indicator": self.indicator, "indicator_from": self.indicator_from,
                                   "blocks": self.span_blocks if self.span_blocks is not None else self.blocks}
        if self.span_end is not None:
            options.update(span_end=self.span_end, span_end_from=self.span_end_from)
        if self.streams is not None:
            options["streams"] = [list(p) for p in self.streams]
        return options


HOOK_POINTS: dict[str, HookPoint] = {
    "dit": HookPoint(
        "DiT", "facebookresearch/DiT", "ed81ce2229091fd4ecc9a223645f95cf379d582b", "models.py, sample.py",
        indicator="blocks.0.attn", indicator_from="input", blocks="blocks", timestep_embedding="t_embedder",
        guidance="batched, cond first (sample.py concatenates [z, z] with [y, y_null]; forward_with_cfg calls forward)",
        runtime=True,
        note="DiTBlock.forward passes modulate(self.norm1(x), shift_msa, scale_msa) to self.attn: the attention's input is the modulated input"),
    "pixart": HookPoint(
        "PixArt-alpha", "PixArt-alpha/PixArt-alpha", "cac2fd3b4544cf7620d8fbbf8b19d97ffcb85892", "diffusion/model/nets/PixArt.py",
        indicator="blocks.0.attn", indicator_from="input", blocks="blocks", timestep_embedding="t_embedder",
        guidance="batched (check your pipeline's order of the null and prompt embeddings)", runtime=True,
        note="PixArtBlock passes t2i_modulate(self.norm1(x), shift_msa, scale_msa) to self.attn; the modulation comes from t_block(t_embedder(t))"),
    "pixart-diffusers": HookPoint(
        "PixArt-alpha / -sigma (diffusers)", "huggingface/diffusers", "58eb52c0803ea9af3abec60841c2a093bdf1f951",
        "src/diffusers/models/transformers/pixart_transformer_2d.py, src/diffusers/models/attention.py",
        indicator="transformer_blocks.0.attn1", indicator_from="input", blocks="transformer_blocks", timestep_embedding="adaln_single",
        guidance="batched, uncond first (diffusers pipelines concatenate [negative, positive])", runtime=True,
        note="BasicTransformerBlock (ada_norm_single) computes norm1(x) * (1 + scale_msa) + shift_msa and hands it to attn1"),
    "stdit": HookPoint(
        "Open-Sora 1.2 (STDiT3)", "hpcaitech/Open-Sora", "17cce908b22283acc3c946816c81f46dd442a453 (tag v1.2.0)", "opensora/models/stdit/stdit3.py",
        indicator="spatial_blocks.0.attn", indicator_from="input", blocks="spatial_blocks", timestep_embedding="t_embedder",
        guidance="batched (check the scheduler's concatenation order)", runtime=True,
        note="STDiT3Block: x_m = t2i_modulate(self.norm1(x), ...) then self.attn(x_m). STDiT3.forward zips spatial_blocks and temporal_blocks, "
             "both on x of shape B (T S) C: the span runs from spatial_blocks.0's input to temporal_blocks[-1]'s output (give the recorder "
             "the same blocks= for the span's residual). The published integration decides once for the whole guidance batch (branches=('cond',) "
             "does the same); branches that decide differently run blocks on part of the batch, which STDiT3's packed text (y with y_lens) "
             "does not allow",
        span_blocks=("spatial_blocks", "temporal_blocks")),
    "latte": HookPoint(
        "Latte (T2V)", "Vchitect/Latte", "b27c24a17487e3c33ae4e92364521303d0f14845", "models/latte_t2v.py",
        indicator="transformer_blocks.0.attn1", indicator_from="input", blocks="transformer_blocks", timestep_embedding="adaln_single",
        guidance="batched, uncond first (diffusers-style pipeline)", runtime=True,
        note="with ada_norm_single, norm1(x) * (1 + scale_msa) + shift_msa goes to attn1. LatteT2V.forward zips transformer_blocks and "
             "temporal_transformer_blocks with rearranges (b f) t d <-> (b t) f d and temp_pos_embed between them: the span ends at "
             "norm_out's input, back in the (b f) t d layout; timesteps are repeated per row (timestep_spatial, timestep_temp), so "
             "branches that decide differently slice correctly",
        span_blocks=("transformer_blocks", "temporal_transformer_blocks"), span_end="norm_out", span_end_from="input"),
    "open-sora-plan": HookPoint(
        "Open-Sora-Plan v1.3", "PKU-YuanGroup/Open-Sora-Plan", "f7fa604f4e3a523d6b973e4c89a5620ed1aff65a",
        "opensora/models/diffusion/opensora_v1_3/modeling_opensora.py, modules.py",
        indicator="transformer_blocks.0.attn1", indicator_from="input", blocks="transformer_blocks", timestep_embedding="adaln_single",
        guidance="batched, uncond first (diffusers-style pipeline; check yours)", runtime=True,
        note="BasicTransformerBlock: norm_hidden_states = norm1(x) * (1 + scale_msa) + shift_msa, then attn1(norm_hidden_states, ...). "
             "The TeaCache paper evaluated v1.1 through VideoSys; the current code was read"),
    "wan2.1": HookPoint(
        "Wan2.1", "Wan-Video/Wan2.1", "9737cba9c1c3c4d04b33fcad41c111989865d315", "wan/modules/model.py, wan/text2video.py",
        indicator="time_embedding", indicator_from="output", blocks="blocks", timestep_embedding="time_embedding",
        guidance="separate calls, cond then uncond (text2video.py): branches=('cond', 'uncond'), batched=False", runtime=True,
        note="TeaCache4Wan2.1 measures e = time_embedding(...); with use_ret_steps it measures e0 = time_projection(e) "
             "(indicator='time_projection', retention_steps=5, cutoff_steps=0). WanModel.forward takes lists of tensors; "
             "the timestep is the keyword t"),
    "flux": HookPoint(
        "FLUX.1", "black-forest-labs/flux", "802fb4713906133fcbd0d8dc5351620ca4773036", "src/flux/model.py, src/flux/modules/layers.py",
        indicator="double_blocks.0.img_attn.qkv", indicator_from="input", blocks="double_blocks", timestep_embedding="time_in",
        guidance="distilled guidance (one branch): branches=('cond',)", runtime=True,
        note="DoubleStreamBlock: img_modulated = (1 + img_mod1.scale) * img_norm1(img) + img_mod1.shift, then img_attn.qkv(img_modulated). "
             "Flux.forward runs double_blocks (called with img=, txt=; return (img, txt)), concatenates (txt, img), runs single_blocks, "
             "slices the text tokens off and calls final_layer(img, vec): the span ends at final_layer's input, as TeaCache4FLUX "
             "caches img. Give the recorder the same blocks= and span_end= for the span's residual",
        span_blocks=("double_blocks", "single_blocks"), span_end="final_layer", span_end_from="input"),
    "flux-diffusers": HookPoint(
        "FLUX.1 (diffusers)", "huggingface/diffusers", "58eb52c0803ea9af3abec60841c2a093bdf1f951", "src/diffusers/models/transformers/transformer_flux.py",
        indicator="transformer_blocks.0.norm1", indicator_from="output", blocks="transformer_blocks", timestep_embedding="time_text_embed",
        guidance="distilled guidance (one branch)", runtime=True,
        note="AdaLayerNormZero returns the modulated input first (the default indicator). Blocks of both stacks are called with "
             "hidden_states= and encoder_hidden_states= and return (encoder_hidden_states, hidden_states): pass stack_output=lambda "
             "out: out[1] to the recorder. The span ends at norm_out's input (the image tokens), as TeaCache4FLUX caches them",
        span_blocks=("transformer_blocks", "single_transformer_blocks"), span_end="norm_out", span_end_from="input"),
    "hunyuanvideo": HookPoint(
        "HunyuanVideo", "Tencent/HunyuanVideo", "fa14b001c18f37191c938a9ef6baad3b9b472759", "hyvideo/modules/models.py",
        indicator="double_blocks.0.img_attn_qkv", indicator_from="input", blocks="double_blocks", timestep_embedding="time_in",
        guidance="embedded guidance (one branch) for the released model: branches=('cond',)", runtime=True,
        note="MMDoubleStreamBlock: img_modulated = modulate(img_norm1(img), shift, scale), then img_attn_qkv(img_modulated). "
             "double_blocks return (img, txt); the forward concatenates (img, txt), runs single_blocks, keeps x[:, :img_seq_len] and "
             "calls final_layer(img, vec): the span ends at final_layer's input, as TeaCache4HunyuanVideo caches img",
        span_blocks=("double_blocks", "single_blocks"), span_end="final_layer", span_end_from="input"),
    "cogvideox": HookPoint(
        "CogVideoX (diffusers, as THUDM/CogVideo's inference uses it)", "huggingface/diffusers", "58eb52c0803ea9af3abec60841c2a093bdf1f951",
        "src/diffusers/models/transformers/cogvideox_transformer_3d.py (THUDM/CogVideo e519eced782c08db81f45e5eb40baa45958087ae inference/cli_demo.py)",
        indicator="time_embedding", indicator_from="output", blocks="transformer_blocks", timestep_embedding="time_embedding",
        guidance="batched, uncond first (diffusers' CogVideoXPipeline)", runtime=True,
        note="TeaCache4CogVideoX measures emb = time_embedding(t_emb, timestep_cond). Blocks are called with hidden_states= and "
             "encoder_hidden_states= and return (hidden_states, encoder_hidden_states): the recorder's default stack output (the first) "
             "is right, and the runtime skips the stack with streams= (a cached residual per stream, as TeaCache4CogVideoX keeps two)",
        streams=(("hidden_states", 0), ("encoder_hidden_states", 1))),
}
