#!/usr/bin/env python3
"""Parity fixtures for `teacache convert`, made by running the upstream reference code itself.

  upstream_fixtures.py dit   DIT_CHECKOUT   OUTDIR   facebookresearch/DiT models.py (tested at ed81ce2)
  upstream_fixtures.py latte LATTE_CHECKOUT OUTDIR   Vchitect/Latte models/latte_t2v.py (tested at b27c24a),
                                                     needs diffusers 0.24.0 (the version Latte pins) importable
  upstream_fixtures.py dit-xl DIT_CHECKOUT OUTDIR    a DiT-XL/2 (256x256) with random weights, checkpoint only
                                                     (2.7 GB, written tensor by tensor; for the full-size checks)

Each writes OUTDIR/<source>-checkpoint.safetensors (a tiny model in the upstream's own tensor names, every
parameter random: none left zero as the upstream initialisers leave them) and OUTDIR/<source>-reference.safetensors
(inputs, the first block's modulated input, and the output of the upstream forward), all float32.

The upstream module code is imported unmodified from the checkout. Only a missing third-party dependency
is shimmed: DiT imports PatchEmbed, Attention and Mlp from timm, which needs torchvision; when timm cannot be
imported, the three layers are defined here as timm defines them (same parameter names, same arithmetic).
"""
import json
import math
import struct
import sys
import types

import numpy as np
import torch
from torch import nn

SEED = 20261129


def write_safetensors(path, tensors, metadata=None):
    """Write float32 tensors per the safetensors specification (sorted names, contiguous, header padded to 8)."""
    names = sorted(tensors)
    header = {}
    if metadata:
        header['__metadata__'] = metadata
    offset = 0
    blobs = []
    for n in names:
        a = np.ascontiguousarray(tensors[n].detach().cpu().numpy().astype('<f4'))
        header[n] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + a.nbytes]}
        offset += a.nbytes
        blobs.append(a.tobytes())
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def randomise(model, skip=()):
    """Every parameter random (scaled by fan-in so activations stay order one); none left at its zero init."""
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in skip:
                continue
            fan_in = p.shape[1] if p.dim() >= 2 else 1
            if p.dim() == 4:
                fan_in = p.shape[1] * p.shape[2] * p.shape[3]
            std = 0.8 / math.sqrt(fan_in) if p.dim() >= 2 else 0.2
            p.copy_(torch.randn(p.shape, generator=g) * std)


def shim_timm():
    try:
        import timm.models.vision_transformer  # noqa: F401
        return 'timm'
    except Exception:
        pass

    class PatchEmbed(nn.Module):
        def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768, bias=True):
            super().__init__()
            self.patch_size = (patch_size, patch_size)
            self.img_size = (img_size, img_size)
            self.grid_size = (img_size // patch_size, img_size // patch_size)
            self.num_patches = self.grid_size[0] * self.grid_size[1]
            self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size, bias=bias)
            self.norm = nn.Identity()

        def forward(self, x):
            return self.norm(self.proj(x).flatten(2).transpose(1, 2))

    class Attention(nn.Module):
        def __init__(self, dim, num_heads=8, qkv_bias=False, **_):
            super().__init__()
            self.num_heads = num_heads
            self.head_dim = dim // num_heads
            self.scale = self.head_dim ** -0.5
            self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
            self.proj = nn.Linear(dim, dim)

        def forward(self, x):
            B, N, C = x.shape
            qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
            q, k, v = qkv.unbind(0)
            attn = (q * self.scale) @ k.transpose(-2, -1)
            x = attn.softmax(dim=-1) @ v
            return self.proj(x.transpose(1, 2).reshape(B, N, C))

    class Mlp(nn.Module):
        def __init__(self, in_features, hidden_features=None, act_layer=nn.GELU, drop=0.0, **_):
            super().__init__()
            self.fc1 = nn.Linear(in_features, hidden_features)
            self.act = act_layer()
            self.fc2 = nn.Linear(hidden_features, in_features)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    vt = types.ModuleType('timm.models.vision_transformer')
    vt.PatchEmbed, vt.Attention, vt.Mlp = PatchEmbed, Attention, Mlp
    timm = types.ModuleType('timm')
    models = types.ModuleType('timm.models')
    models.vision_transformer = vt
    timm.models = models
    sys.modules.update({'timm': timm, 'timm.models': models, 'timm.models.vision_transformer': vt})
    return 'shim'


def first_input_of(module):
    """Record the first positional input of module's forward (the modulated input of a block's attention)."""
    seen = {}

    def hook(_m, args):
        seen.setdefault('x', args[0].detach().clone())
    module.register_forward_pre_hook(hook)
    return seen


def make_dit(checkout, out):
    timm = shim_timm()
    sys.path.insert(0, checkout)
    from models import DiT
    torch.manual_seed(SEED)
    model = DiT(input_size=8, patch_size=2, in_channels=4, hidden_size=32, depth=2, num_heads=2, mlp_ratio=4.0,
                class_dropout_prob=0.1, num_classes=10, learn_sigma=True).eval()
    randomise(model, skip=('pos_embed',))
    g = torch.Generator().manual_seed(SEED + 1)
    x = torch.randn(2, 4, 8, 8, generator=g)
    t = torch.tensor([37.0, 871.0])
    y = torch.tensor([3, 10])  # 10 = the null class (label dropped for guidance)
    seen = first_input_of(model.blocks[0].attn)
    with torch.no_grad():
        output = model(x, t, y)
        # Guidance as DiT samples: both halves share the noise; scale 4 on the first three channels.
        xc = torch.cat([x[:1], x[:1]], 0)
        guided = model.forward_with_cfg(xc, torch.tensor([500.0, 500.0]), torch.tensor([3, 10]), 4.0)
        branches = model(xc, torch.tensor([500.0, 500.0]), torch.tensor([3, 10]))
    write_safetensors(f'{out}/dit-checkpoint.safetensors', dict(model.state_dict()))
    write_safetensors(f'{out}/dit-reference.safetensors', {
        'x': x, 't': t, 'y': y.float(), 'modulated': seen['x'], 'output': output,
        'cfg.x': xc, 'cfg.branches': branches, 'cfg.guided': guided,
    }, {'upstream': 'facebookresearch/DiT models.py', 'timm': timm, 'torch': torch.__version__,
        'config': 'input_size=8 patch_size=2 in_channels=4 hidden_size=32 depth=2 num_heads=2 num_classes=10 learn_sigma'})


def make_dit_xl(checkout, out):
    shim_timm()
    sys.path.insert(0, checkout)
    from models import DiT_XL_2
    torch.manual_seed(SEED)
    model = DiT_XL_2(input_size=32, num_classes=1000, learn_sigma=True).eval()
    randomise(model, skip=('pos_embed',))
    state = model.state_dict()
    names = sorted(state)
    header, offset = {}, 0
    for n in names:
        nbytes = state[n].numel() * 4
        header[n] = {'dtype': 'F32', 'shape': list(state[n].shape), 'data_offsets': [offset, offset + nbytes]}
        offset += nbytes
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(f'{out}/dit-xl-2-checkpoint.safetensors', 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for n in names:
            f.write(state[n].detach().contiguous().numpy().astype('<f4').tobytes())


def make_latte(checkout, out):
    sys.path.insert(0, f'{checkout}/models')
    import diffusers
    from latte_t2v import LatteT2V
    torch.manual_seed(SEED)
    # Latte-1's transformer config at a tiny size: ada_norm_single, gelu-approximate, attention biases,
    # no affine norms, eps 1e-6, caption projection, learned sigma (out_channels 2×in).
    model = LatteT2V(num_attention_heads=2, attention_head_dim=16, in_channels=4, out_channels=8, num_layers=2,
                     cross_attention_dim=32, attention_bias=True, sample_size=8, patch_size=2,
                     activation_fn='gelu-approximate', num_embeds_ada_norm=1000, norm_type='ada_norm_single',
                     norm_elementwise_affine=False, norm_eps=1e-6, caption_channels=24, video_length=4).eval()
    randomise(model)
    g = torch.Generator().manual_seed(SEED + 2)
    x = torch.randn(2, 4, 4, 8, 8, generator=g)  # b c f h w
    t = torch.tensor([37, 871])
    text = torch.randn(2, 5, 24, generator=g)
    seen = first_input_of(model.transformer_blocks[0].attn1)
    with torch.no_grad():
        output = model(x, timestep=t, encoder_hidden_states=text, added_cond_kwargs={'resolution': None, 'aspect_ratio': None},
                       enable_temporal_attentions=True, return_dict=False)[0]
    write_safetensors(f'{out}/latte-checkpoint.safetensors', dict(model.state_dict()))
    write_safetensors(f'{out}/latte-reference.safetensors', {
        'x': x, 't': t.float(), 'text': text, 'modulated': seen['x'], 'output': output,
    }, {'upstream': 'Vchitect/Latte models/latte_t2v.py', 'diffusers': diffusers.__version__, 'torch': torch.__version__,
        'config': 'heads=2 head_dim=16 in=4 out=8 layers=2 sample_size=8 patch=2 caption_channels=24 video_length=4'})


if __name__ == '__main__':
    if len(sys.argv) != 4 or sys.argv[1] not in ('dit', 'latte', 'dit-xl'):
        sys.exit(__doc__)
    {'dit': make_dit, 'latte': make_latte, 'dit-xl': make_dit_xl}[sys.argv[1]](sys.argv[2], sys.argv[3])
    made = ['dit-xl-2-checkpoint'] if sys.argv[1] == 'dit-xl' else [f'{sys.argv[1]}-checkpoint', f'{sys.argv[1]}-reference']
    print('wrote ' + ', '.join(f'{sys.argv[3]}/{m}.safetensors' for m in made))
