"""Small models written for the tests with the block layouts of the published integrations' architectures:

- ``TinyFlux``: double-stream blocks (image and text tokens, returned as ``(img, txt)``, called with keywords),
  then single-stream blocks on the concatenated tokens, then the text tokens sliced off before ``final_layer``
  (black-forest-labs/flux's ``Flux.forward``; HunyuanVideo has the same shape);
- ``TinyVideoDiT``: spatial and temporal blocks interleaved by ``zip``; with ``rearrange_in_forward`` the forward
  pass rearranges ``(b f) s d <-> (b s) f d`` between them and adds a temporal position embedding after the first
  spatial block (Latte), otherwise the blocks rearrange inside and keep ``b (f s) d`` (Open-Sora's STDiT3).

Both reuse TinyDiT's analytic noise estimate so sampling behaves like a trained model's; a video is the frames
stacked in the channels, so tiny_dit.sample drives them unchanged. Nothing here knows the bridge.
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from tiny_dit import TinyDiT


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int) -> torch.Tensor:
    b, n, d = q.shape
    split = lambda t: t.reshape(b, t.shape[1], heads, d // heads).transpose(1, 2)  # noqa: E731
    qh, kh, vh = split(q), split(k), split(v)
    weights = torch.softmax(qh @ kh.transpose(-1, -2) / (d // heads) ** 0.5, dim=-1)
    return (weights @ vh).transpose(1, 2).reshape(b, n, d)


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x, x.shape[-1:]) * (1 + scale[:, None]) + shift[:, None]


class QKV(nn.Module):
    """An attention's input projections as their own module, as flux's ``img_attn.qkv``."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)


class DoubleBlock(nn.Module):
    def __init__(self, hidden: int, heads: int = 4) -> None:
        super().__init__()
        self.heads = heads
        self.img_mod, self.txt_mod = nn.Linear(hidden, 3 * hidden), nn.Linear(hidden, 3 * hidden)
        self.img_attn, self.txt_attn = QKV(hidden), QKV(hidden)
        self.img_mlp = nn.Sequential(nn.Linear(hidden, 2 * hidden), nn.GELU(), nn.Linear(2 * hidden, hidden))
        self.txt_mlp = nn.Sequential(nn.Linear(hidden, 2 * hidden), nn.GELU(), nn.Linear(2 * hidden, hidden))

    def forward(self, img: torch.Tensor, txt: torch.Tensor, vec: torch.Tensor):
        i_shift, i_scale, i_gate = self.img_mod(F.silu(vec)).chunk(3, dim=-1)
        t_shift, t_scale, t_gate = self.txt_mod(F.silu(vec)).chunk(3, dim=-1)
        iq, ik, iv = self.img_attn.qkv(modulate(img, i_shift, i_scale)).chunk(3, dim=-1)
        tq, tk, tv = self.txt_attn.qkv(modulate(txt, t_shift, t_scale)).chunk(3, dim=-1)
        a = attention(torch.cat([tq, iq], 1), torch.cat([tk, ik], 1), torch.cat([tv, iv], 1), self.heads)
        ta, ia = a[:, : txt.shape[1]], a[:, txt.shape[1]:]
        img = img + i_gate[:, None] * self.img_attn.proj(ia)
        txt = txt + t_gate[:, None] * self.txt_attn.proj(ta)
        return img + self.img_mlp(F.layer_norm(img, img.shape[-1:])), txt + self.txt_mlp(F.layer_norm(txt, txt.shape[-1:]))


class SingleBlock(nn.Module):
    def __init__(self, hidden: int, heads: int = 4) -> None:
        super().__init__()
        self.heads = heads
        self.modulation = nn.Linear(hidden, 3 * hidden)
        self.linear1 = nn.Linear(hidden, 3 * hidden)
        self.linear2 = nn.Linear(hidden, hidden)

    def forward(self, x: torch.Tensor, vec: torch.Tensor) -> torch.Tensor:
        shift, scale, gate = self.modulation(F.silu(vec)).chunk(3, dim=-1)
        q, k, v = self.linear1(modulate(x, shift, scale)).chunk(3, dim=-1)
        return x + gate[:, None] * self.linear2(F.gelu(attention(q, k, v, self.heads)))


class FinalLayer(nn.Module):
    def __init__(self, hidden: int, out: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.adaln = nn.Linear(hidden, 2 * hidden)
        self.linear = nn.Linear(hidden, out)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        shift, scale = self.adaln(F.silu(c)).chunk(2, dim=-1)
        return self.linear(self.norm(x) * (1 + scale[:, None]) + shift[:, None])


def analytic_noise(model: TinyDiT, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
    """TinyDiT's exact noise estimate for images around a prompt-dependent mean."""
    b = x.shape[0]
    mean = torch.tanh(model.prompt_image(text))[:, : x[0].numel()].reshape(x.shape)
    ab = model.alpha_bar[t.long()].reshape(b, 1, 1, 1)
    return (1 - ab).sqrt() * (x - ab.sqrt() * mean) / (ab * model.data_std ** 2 + 1 - ab)


class TinyFlux(TinyDiT):
    """Two double-stream blocks on 64 image and 4 text tokens, then two single-stream blocks on all 68."""

    def __init__(self, depth_double: int = 2, depth_single: int = 2, text_tokens: int = 4) -> None:
        super().__init__(depth=1)
        hidden = self.pos_embed.shape[-1]
        torch.manual_seed(2)
        del self.blocks
        self.time_in = self.t_embedder
        self.txt_in = nn.Linear(self.text_dim, text_tokens * hidden)
        self.double_blocks = nn.ModuleList([DoubleBlock(hidden) for _ in range(depth_double)])
        self.single_blocks = nn.ModuleList([SingleBlock(hidden) for _ in range(depth_single)])
        self.final_layer = FinalLayer(hidden, 2 * 2 * self.channels)
        self.span_log: Optional[list] = None

    def forward(self, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        b, g = x.shape[0], self.size // 2
        img = self.x_embedder(x).flatten(2).transpose(1, 2) + self.pos_embed
        txt = self.txt_in(text).reshape(b, -1, img.shape[-1])
        vec = self.time_in(t) + self.y_embedder(text)
        if self.span_log is not None:  # tests read the span's input here, whatever wraps the blocks
            self.span_log.append([img.clone(), None])
        for block in self.double_blocks:
            img, txt = block(img=img, txt=txt, vec=vec)
        x_all = torch.cat((txt, img), 1)
        for block in self.single_blocks:
            x_all = block(x_all, vec=vec)
        img = x_all[:, txt.shape[1]:, ...]
        out = self.final_layer(img, vec)
        out = out.reshape(b, g, g, 2, 2, self.channels).permute(0, 5, 1, 3, 2, 4).reshape(b, self.channels, self.size, self.size)
        return analytic_noise(self, x, t, text) + self.net_scale * out


class VideoBlock(nn.Module):
    """adaLN-Zero attention + MLP over the middle axis of (batch, tokens, hidden); the modulated input goes to ``attn``."""

    def __init__(self, hidden: int, heads: int = 4, temporal: bool = False, frames: int = 0, internal: bool = False) -> None:
        super().__init__()
        self.heads, self.temporal, self.frames, self.internal = heads, temporal, frames, internal
        self.adaln = nn.Linear(hidden, 6 * hidden)
        self.attn = QKV(hidden)
        self.mlp = nn.Sequential(nn.Linear(hidden, 2 * hidden), nn.GELU(), nn.Linear(2 * hidden, hidden))

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        if self.internal:  # STDiT3: x is b (f s) d; spatial attends within a frame, temporal across frames
            f, s = self.frames, x.shape[1] // self.frames
            x = x.reshape(b * f, s, -1) if not self.temporal else x.reshape(b, f, s, -1).transpose(1, 2).reshape(b * s, f, -1)
        rows = x.shape[0] // c.shape[0]
        cc = c.repeat_interleave(rows, dim=0)
        shift, scale, gate, shift2, scale2, gate2 = self.adaln(F.silu(cc)).chunk(6, dim=-1)
        q, k, v = self.attn.qkv(modulate(x, shift, scale)).chunk(3, dim=-1)
        x = x + gate[:, None] * self.attn.proj(attention(q, k, v, self.heads))
        x = x + gate2[:, None] * self.mlp(modulate(x, shift2, scale2))
        if self.internal:
            f, s = self.frames, (x.shape[0] * x.shape[1]) // (b * self.frames)
            x = x.reshape(b, f * s, -1) if not self.temporal else x.reshape(b, s, f, -1).transpose(1, 2).reshape(b, f * s, -1)
        return x


class TinyVideoDiT(TinyDiT):
    """Videos of 3 frames x 3 channels x 8 x 8 (frames stacked in the channels), 16 tokens a frame, interleaved blocks."""

    def __init__(self, depth: int = 3, frames: int = 3, rearrange_in_forward: bool = True) -> None:
        super().__init__(size=8, channels=3 * frames, depth=1)
        self.frames, self.rearrange_in_forward = frames, rearrange_in_forward
        hidden = self.pos_embed.shape[-1]
        torch.manual_seed(3)
        del self.blocks
        self.x_embedder = nn.Conv2d(3, hidden, kernel_size=2, stride=2)
        self.pos_embed = nn.Parameter(0.1 * torch.randn(1, 16, hidden))
        self.temp_pos_embed = nn.Parameter(0.1 * torch.randn(1, frames, hidden))
        internal = not rearrange_in_forward
        self.spatial_blocks = nn.ModuleList([VideoBlock(hidden, frames=frames, internal=internal) for _ in range(depth)])
        self.temporal_blocks = nn.ModuleList([VideoBlock(hidden, temporal=True, frames=frames, internal=internal) for _ in range(depth)])
        self.final_layer = FinalLayer(hidden, 2 * 2 * 3)

    def forward(self, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        b, f, g = x.shape[0], self.frames, self.size // 2
        frames = x.reshape(b * f, 3, self.size, self.size)
        h = self.x_embedder(frames).flatten(2).transpose(1, 2) + self.pos_embed  # (b f) s d
        s, d = h.shape[1], h.shape[2]
        c = self.t_embedder(t) + self.y_embedder(text)
        if self.rearrange_in_forward:  # Latte: the forward pass moves the axes between blocks
            c_spatial, c_temporal = c.repeat_interleave(f, dim=0), c.repeat_interleave(s, dim=0)  # per row, as Latte's timestep_spatial
            for i, (spatial, temporal) in enumerate(zip(self.spatial_blocks, self.temporal_blocks)):
                h = spatial(h, c_spatial)
                h = h.reshape(b, f, s, d).transpose(1, 2).reshape(b * s, f, d)  # (b f) s d -> (b s) f d
                if i == 0:
                    h = h + self.temp_pos_embed
                h = temporal(h, c_temporal)
                h = h.reshape(b, s, f, d).transpose(1, 2).reshape(b * f, s, d)  # (b s) f d -> (b f) s d
            out = self.final_layer(h, c_spatial)
        else:  # STDiT3: b (f s) d throughout
            h = h.reshape(b, f * s, d)
            for spatial, temporal in zip(self.spatial_blocks, self.temporal_blocks):
                h = temporal(spatial(h, c), c)
            out = self.final_layer(h.reshape(b * f, s, d), c.repeat_interleave(f, dim=0))
        out = out.reshape(b * f, g, g, 2, 2, 3).permute(0, 5, 1, 3, 2, 4).reshape(b, 3 * f, self.size, self.size)
        return analytic_noise(self, x, t, text) + self.net_scale * out
