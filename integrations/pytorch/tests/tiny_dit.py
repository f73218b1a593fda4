"""A small DiT written for the tests (adaLN-Zero blocks, patch embedding, timestep and prompt embeddings) and a
plain DDIM sampling loop with classifier-free guidance, as a user would have them. Nothing here knows the bridge.
"""
from __future__ import annotations

import hashlib
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn


def timestep_features(t: torch.Tensor, dim: int) -> torch.Tensor:
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class TimestepEmbedder(nn.Module):
    def __init__(self, hidden: int, features: int = 64) -> None:
        super().__init__()
        self.features = features
        self.mlp = nn.Sequential(nn.Linear(features, hidden), nn.SiLU(), nn.Linear(hidden, hidden))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        return self.mlp(timestep_features(t, self.features))


class AdaLayerNormZero(nn.Module):
    """LayerNorm modulated by the conditioning; returns the modulated input first, then the gates (diffusers' shape)."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.linear = nn.Linear(hidden, 6 * hidden)
        self.norm = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)

    def forward(self, x: torch.Tensor, emb: torch.Tensor):
        shift, scale, gate, shift_mlp, scale_mlp, gate_mlp = self.linear(F.silu(emb)).chunk(6, dim=1)
        return self.norm(x) * (1 + scale[:, None]) + shift[:, None], gate, shift_mlp, scale_mlp, gate_mlp


class Block(nn.Module):
    def __init__(self, hidden: int, heads: int) -> None:
        super().__init__()
        self.norm1 = AdaLayerNormZero(hidden)
        self.attn = nn.MultiheadAttention(hidden, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(hidden, 2 * hidden), nn.GELU(), nn.Linear(2 * hidden, hidden))

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        h, gate, shift_mlp, scale_mlp, gate_mlp = self.norm1(x, c)
        x = x + gate[:, None] * self.attn(h, h, h, need_weights=False)[0]
        return x + gate_mlp[:, None] * self.mlp(self.norm2(x) * (1 + scale_mlp[:, None]) + shift_mlp[:, None])


class TinyDiT(nn.Module):
    """Images of ``channels`` x ``size`` x ``size``, patch 2; prompts enter as a text vector added to the timestep embedding.

    Untrained transformer weights alone predict noise at random, which makes every step change everything. So the
    prediction is the exact noise estimate for images drawn from a Gaussian around a prompt-dependent mean, plus the
    transformer's output scaled by ``net_scale``: sampling then behaves like a trained model's (large changes at the
    ends, small in the middle) while the transformer still shapes every step.
    """

    def __init__(self, size: int = 16, channels: int = 3, hidden: int = 64, depth: int = 4, heads: int = 4, text_dim: int = 16, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.size, self.channels, self.patch = size, channels, 2
        self.x_embedder = nn.Conv2d(channels, hidden, kernel_size=2, stride=2)
        self.pos_embed = nn.Parameter(0.1 * torch.randn(1, (size // 2) ** 2, hidden))
        self.t_embedder = TimestepEmbedder(hidden)
        self.y_embedder = nn.Linear(text_dim, hidden)
        self.blocks = nn.ModuleList([Block(hidden, heads) for _ in range(depth)])
        self.final_norm = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.final_mod = nn.Linear(hidden, 2 * hidden)
        self.final = nn.Linear(hidden, 2 * 2 * channels)
        self.text_dim = text_dim
        self.prompt_image = nn.Linear(text_dim, channels * size * size)
        self.register_buffer("alpha_bar", torch.cumprod(1 - torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64), 0).float())
        self.net_scale = 0.2
        self.data_std = 0.5

    def forward(self, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        tokens = self.x_embedder(x).flatten(2).transpose(1, 2)
        tokens = tokens + self.pos_embed[:, : tokens.shape[1]]
        c = self.t_embedder(t) + self.y_embedder(text)
        for block in self.blocks:
            tokens = block(tokens, c)
        return self._head(tokens, c, x, t, text)

    def _head(self, tokens: torch.Tensor, c: torch.Tensor, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """Final adaLN, unpatchify, and the exact denoiser the network output is added to."""
        b = x.shape[0]
        shift, scale = self.final_mod(F.silu(c)).chunk(2, dim=1)
        out = self.final(self.final_norm(tokens) * (1 + scale[:, None]) + shift[:, None])
        g = self.size // 2
        out = out.reshape(b, g, g, 2, 2, self.channels).permute(0, 5, 1, 3, 2, 4).reshape(b, self.channels, self.size, self.size)
        mean = torch.tanh(self.prompt_image(text))[:, : x[0].numel()].reshape(x.shape)
        ab = self.alpha_bar[t.long()].reshape(b, 1, 1, 1)
        exact = (1 - ab).sqrt() * (x - ab.sqrt() * mean) / (ab * self.data_std ** 2 + 1 - ab)
        return exact + self.net_scale * out


def text_vector(prompt: str, dim: int = 16) -> torch.Tensor:
    """A prompt as a fixed vector (a hash seeds it); the empty prompt is zeros (the unconditional branch)."""
    if prompt == "":
        return torch.zeros(dim)
    g = torch.Generator().manual_seed(int(hashlib.sha256(prompt.encode()).hexdigest()[:8], 16))
    return torch.randn(dim, generator=g)


def ddim_timesteps(steps: int) -> list[int]:
    return [int(round(999 - i * 999 / (steps - 1))) for i in range(steps)]


@torch.no_grad()
def sample(model: TinyDiT, prompt: str, seed: int, steps: int = 20, guidance: float = 4.0, batched: bool = True,
           uncond_first: bool = False) -> torch.Tensor:
    """A plain DDIM loop (linear betas, epsilon prediction) with guidance; returns the image in [0, 1], CHW."""
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    alpha_bar = torch.cumprod(1 - betas, 0)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, model.channels, model.size, model.size, generator=g)
    cond, uncond = text_vector(prompt)[None], text_vector("")[None]
    ts = ddim_timesteps(steps)
    for i, t in enumerate(ts):
        tt = torch.tensor([t])
        if guidance > 1 and batched:
            pair = (uncond, cond) if uncond_first else (cond, uncond)
            eps2 = model(torch.cat([x, x]), tt.repeat(2), torch.cat(pair))
            first, second = eps2.chunk(2)
            e_cond, e_uncond = (second, first) if uncond_first else (first, second)
            eps = e_uncond + guidance * (e_cond - e_uncond)
        elif guidance > 1:
            e_cond = model(x, tt, cond)
            e_uncond = model(x, tt, uncond)
            eps = e_uncond + guidance * (e_cond - e_uncond)
        else:
            eps = model(x, tt, cond)
        a_t = alpha_bar[t].float()
        a_prev = alpha_bar[ts[i + 1]].float() if i + 1 < len(ts) else torch.tensor(1.0)
        x0 = (x - (1 - a_t).sqrt() * eps) / a_t.sqrt()
        x0 = x0.clamp(-3, 3)
        x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
    return ((x[0] + 1) / 2).clamp(0, 1)


def sample_with_model_output(model: TinyDiT, prompt: str, seed: int, steps: int = 20, guidance: Optional[float] = None) -> torch.Tensor:
    return sample(model, prompt, seed, steps, 4.0 if guidance is None else guidance)


class TwoStreamBlock(Block):
    """A block that carries image and text tokens side by side and returns both, as CogVideoX's blocks do."""

    def forward(self, hidden_states: torch.Tensor, encoder_hidden_states: torch.Tensor, temb: torch.Tensor):  # type: ignore[override]
        n = hidden_states.shape[1]
        x = super().forward(torch.cat([encoder_hidden_states, hidden_states], dim=1), temb)
        return x[:, -n:], x[:, :-n]


class TinyMMDiT(TinyDiT):
    """TinyDiT with four text tokens that travel through the stack beside the image tokens."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        hidden = self.pos_embed.shape[-1]
        torch.manual_seed(1)
        self.blocks = nn.ModuleList([TwoStreamBlock(hidden, 4) for _ in range(len(self.blocks))])
        self.text_tokens = nn.Linear(self.text_dim, 4 * hidden)
        self.stack_log: Optional[list] = None

    def forward(self, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        tokens = self.x_embedder(x).flatten(2).transpose(1, 2)
        tokens = tokens + self.pos_embed[:, : tokens.shape[1]]
        c = self.t_embedder(t) + self.y_embedder(text)
        words = self.text_tokens(text).reshape(b, 4, -1)
        stack_in = (tokens, words)
        for block in self.blocks:
            tokens, words = block(hidden_states=tokens, encoder_hidden_states=words, temb=c)
        if self.stack_log is not None:  # tests read the stack's ends here, whatever wraps the blocks
            self.stack_log.append((stack_in, (tokens, words)))
        tokens = tokens + 0.1 * words.mean(dim=1, keepdim=True)
        return self._head(tokens, c, x, t, text)
