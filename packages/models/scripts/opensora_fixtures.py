#!/usr/bin/env python3
"""Parity fixtures for `teacache convert`, made by running the upstream PyTorch reference code at a pinned commit.

  opensora_fixtures.py opensora-1.2 CHECKOUT OUTDIR
      CHECKOUT: hpcaitech/Open-Sora at tag v1.2.0 (commit 17cce908b22283acc3c946816c81f46dd442a453)
  opensora_fixtures.py opensora-plan-1.3 CHECKOUT OUTDIR
      CHECKOUT: PKU-YuanGroup/Open-Sora-Plan at tag v1.3.1 (commit c41050ae06ef35dd9da531d29431dbea6e53a9d9);
      diffusers 0.30.2 (the version v1.3 pins; its src/ on PYTHONPATH) with huggingface_hub, safetensors, regex

Writes into OUTDIR:
  checkpoint.safetensors  a tiny model's state dict in upstream naming, every learned parameter random (not
                          zero-initialised), F32
  io.safetensors          the forward's inputs (upstream layouts), its output and the first block's modulated input
  meta.json               the upstream constructor arguments, the conditioning, the pinned commit, tolerances
  sampler.json            the reference sampler's timesteps, step noise and result on a stand-in network

Needs torch and numpy (Debian's /usr/bin/python3), einops and rotary-embedding-torch on PYTHONPATH (real, not
shimmed: the rotary pairing convention is part of what is checked), and for Open-Sora-Plan diffusers.

Shims (the upstream module files themselves are loaded unmodified, by path; the package __init__ files, which
import every model and their heavy dependencies, are not run):
  - xformers.ops.memory_efficient_attention and fmha.BlockDiagonalMask.from_seqlens: plain softmax attention
    with the block-diagonal mask xformers documents (each query sequence attends only its own key sequence);
  - timm's Mlp (fc1, act, fc2; dropout 0) and DropPath (identity at drop 0);
  - transformers' PretrainedConfig / PreTrainedModel: an attribute bag and nn.Module holding .config;
  - opensora.acceleration.* (sequence parallelism off: identity functions), opensora.registry.MODELS (no-op
    decorator), opensora.utils.ckpt_utils.load_checkpoint (unused).
"""
import importlib.metadata
import importlib.util
import json
import math
import os
import struct
import sys
import types

import numpy as np
import torch
import torch.nn as nn


# ---------------------------------------------------------------- shims

def module(name, **attrs):
    m = types.ModuleType(name)
    m.__path__ = []  # importable as a package
    for k, v in attrs.items():
        setattr(m, k, v)
    sys.modules[name] = m
    return m


class BlockDiagonalMask:
    """xformers' block-diagonal attention bias: query block i attends key block i only."""

    def __init__(self, q_seqlen, kv_seqlen):
        self.q_seqlen, self.kv_seqlen = list(q_seqlen), list(kv_seqlen)

    @classmethod
    def from_seqlens(cls, q_seqlen, kv_seqlen=None):
        return cls(q_seqlen, kv_seqlen if kv_seqlen is not None else q_seqlen)

    def dense(self):
        mq, mk = sum(self.q_seqlen), sum(self.kv_seqlen)
        bias = torch.full((mq, mk), float('-inf'))
        qo = ko = 0
        for lq, lk in zip(self.q_seqlen, self.kv_seqlen):
            bias[qo:qo + lq, ko:ko + lk] = 0
            qo, ko = qo + lq, ko + lk
        return bias


def memory_efficient_attention(q, k, v, p=0.0, attn_bias=None):
    """q [B, Mq, H, K], k, v [B, Mk, H, K] → [B, Mq, H, K]; softmax(q·kᵀ/√K + bias)·v."""
    q, k, v = (t.permute(0, 2, 1, 3) for t in (q, k, v))
    w = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if attn_bias is not None:
        w = w + (attn_bias.dense() if isinstance(attn_bias, BlockDiagonalMask) else attn_bias)
    return (w.softmax(-1) @ v).permute(0, 2, 1, 3).contiguous()


class Mlp(nn.Module):
    """timm.models.vision_transformer.Mlp at dropout 0: fc1, act, fc2."""

    def __init__(self, in_features, hidden_features=None, out_features=None, act_layer=nn.GELU, drop=0.0, **_):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features or in_features)
        self.act = act_layer()
        self.fc2 = nn.Linear(hidden_features or in_features, out_features or in_features)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class PretrainedConfig:
    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)


class PreTrainedModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config


def install_opensora_shims():
    xops = module('xformers.ops', memory_efficient_attention=memory_efficient_attention,
                  fmha=types.SimpleNamespace(BlockDiagonalMask=BlockDiagonalMask))
    module('xformers', ops=xops)
    module('timm')
    module('timm.models')
    module('timm.models.layers', DropPath=lambda p: nn.Identity())
    module('timm.models.vision_transformer', Mlp=Mlp)
    module('transformers', PretrainedConfig=PretrainedConfig, PreTrainedModel=PreTrainedModel)
    for pkg in ['opensora', 'opensora.models', 'opensora.models.layers', 'opensora.models.stdit', 'opensora.utils',
                'opensora.acceleration']:
        module(pkg)
    module('opensora.acceleration.checkpoint', auto_grad_checkpoint=lambda m, *a, **k: m(*a, **k))
    module('opensora.acceleration.communications', all_to_all=None,
           gather_forward_split_backward=None, split_forward_gather_backward=None)
    module('opensora.acceleration.parallel_states', get_sequence_parallel_group=lambda: None)
    module('opensora.registry', MODELS=types.SimpleNamespace(register_module=lambda *a, **k: (lambda f: f)))
    module('opensora.utils.ckpt_utils', load_checkpoint=None)


def load_by_path(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- output

def write_safetensors(path, tensors, metadata=None):
    """The safetensors layout (F32 only): u64 header length, JSON header, contiguous little-endian data."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype='<f4')
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + a.nbytes]}
        chunks.append(a.tobytes())
        offset += a.nbytes
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(chunks))


def randomise(model, gen, skip=()):
    """Every learned parameter random, none zero: weights normal(0, 1/√fan_in) (activations stay near unit size, so
    1e-4 is a tight tolerance), biases and modulation tables normal(0, 0.2), norm scales 1 + normal(0, 0.2).
    Fixed tables named in `skip` are kept."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if any(s in name for s in skip):
                continue
            noise = torch.randn(p.shape, generator=gen)
            if name.endswith('norm.weight'):
                p.copy_(1 + 0.2 * noise)
            elif name.endswith('weight') and p.ndim >= 2:
                p.copy_(noise / math.sqrt(p[0].numel()))
            else:
                p.copy_(0.2 * noise)


def state_dict_arrays(model):
    return {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}


# ---------------------------------------------------------------- Open-Sora 1.2 (STDiT3)

def opensora_12(checkout, outdir):
    install_opensora_shims()
    root = os.path.join(checkout, 'opensora', 'models')
    blocks = load_by_path('opensora.models.layers.blocks', os.path.join(root, 'layers', 'blocks.py'))
    stdit3 = load_by_path('opensora.models.stdit.stdit3', os.path.join(root, 'stdit', 'stdit3.py'))

    # Record the first block's modulated input: the first t2i_modulate call of a forward is spatial block 0's.
    recorded = []
    original = stdit3.t2i_modulate
    stdit3.t2i_modulate = lambda x, shift, scale: recorded.append(original(x, shift, scale)) or recorded[-1]

    args = dict(input_sq_size=512, in_channels=4, patch_size=(1, 2, 2), hidden_size=24, depth=2, num_heads=3,
                mlp_ratio=4.0, pred_sigma=True, caption_channels=16, model_max_length=6, qk_norm=True)
    torch.manual_seed(0)
    model = stdit3.STDiT3(stdit3.STDiT3Config(**args)).eval()
    gen = torch.Generator().manual_seed(1)
    randomise(model, gen, skip=('rope.freqs',))
    with torch.no_grad():
        model.y_embedder.y_embedding.copy_(torch.randn(model.y_embedder.y_embedding.shape, generator=gen))

    B, T, H, W = 2, 3, 4, 6
    pixel = dict(height=32.0, width=48.0, num_frames=17.0, fps=24.0)
    x = torch.randn(B, 4, T, H, W, generator=gen)
    timestep = torch.tensor([700.5, 120.25])
    y = torch.randn(B, 1, 6, 16, generator=gen)
    kw = {k: torch.tensor([v] * B) for k, v in pixel.items()}
    # A text mask (1: a real token) for a second forward: upstream drops the masked tokens from cross-attention.
    text_mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 0, 0]])
    with torch.no_grad():
        recorded.clear()
        out = model(x, timestep, y, mask=None, **kw)
        modulated = recorded[0]
        out_masked = model(x, timestep, y, mask=text_mask, **kw)
    os.makedirs(outdir, exist_ok=True)
    write_safetensors(os.path.join(outdir, 'checkpoint.safetensors'), state_dict_arrays(model), {'format': 'pt'})
    write_safetensors(os.path.join(outdir, 'io.safetensors'), {
        'x': x.numpy(), 'timestep': timestep.numpy(), 'y': y.numpy(), 'output': out.numpy(),
        'modulated': modulated.numpy(), 'text_mask': text_mask.float().numpy(), 'output_masked': out_masked.numpy()})
    s = (H // 2) * (W // 2)
    meta = {
        'source': 'hpcaitech/Open-Sora', 'tag': 'v1.2.0', 'commit': '17cce908b22283acc3c946816c81f46dd442a453',
        'model': 'opensora/models/stdit/stdit3.py STDiT3', 'args': {**args, 'patch_size': list(args['patch_size'])},
        'conditioning': pixel, 'text_mask': 'output: none; output_masked: text_mask (1 = token kept)',
        'layouts': {'x': 'B C T H W', 'y': 'B 1 L caption_channels', 'output': 'B 2C T H W (velocity, then the unused sigma half)',
                    'modulated': 'B (T H/2 W/2) hidden, first spatial block'},
        'position': {'scale': math.sqrt(pixel['height'] * pixel['width']) / args['input_sq_size'], 'base_size': round(math.sqrt(s))},
        'torch': torch.__version__,
        'rotary_embedding_torch': importlib.metadata.version('rotary-embedding-torch'),
    }
    with open(os.path.join(outdir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    print(f'wrote {outdir}: checkpoint.safetensors, io.safetensors, meta.json')


def opensora_12_sampler(checkout, outdir):
    """RFLOW.sample (rectified-flow Euler with the resolution- and length-dependent timestep transform) on a
    stand-in velocity field v(z, t) = sin(1.3·z) − z·t/1000, the same for both guidance branches."""
    module('tqdm', tqdm=lambda it: it)
    for pkg in ['opensora.schedulers', 'opensora.schedulers.rf', 'opensora.schedulers.iddpm']:
        module(pkg)
    module('opensora.registry', MODELS=types.SimpleNamespace(register_module=lambda *a, **k: (lambda f: f)),
           SCHEDULERS=types.SimpleNamespace(register_module=lambda *a, **k: (lambda f: f)))
    module('opensora.schedulers.iddpm.gaussian_diffusion', _extract_into_tensor=None, mean_flat=None)
    root = os.path.join(checkout, 'opensora', 'schedulers', 'rf')
    load_by_path('opensora.schedulers.rf.rectified_flow', os.path.join(root, 'rectified_flow.py'))
    rf = load_by_path('opensora.schedulers.rf', os.path.join(root, '__init__.py'))
    seen = []

    def model(z, t, **kw):
        seen.append(float(t[0]))
        v = torch.sin(1.3 * z) - z * (t[:, None, None, None, None] / 1000)
        return torch.cat([v, torch.zeros_like(v)], 1)

    text_encoder = types.SimpleNamespace(encode=lambda prompts: {'y': torch.zeros(1, 1, 1, 1)},
                                         null=lambda n: torch.zeros(n, 1, 1, 1))
    video = dict(height=240.0, width=424.0, num_frames=51.0, fps=24.0)
    steps = 30
    sampler = rf.RFLOW(num_sampling_steps=steps, cfg_scale=7.0, use_timestep_transform=True)
    z0 = torch.randn(1, 1, 3, 2, 2, generator=torch.Generator().manual_seed(3))
    kw = {k: torch.tensor([v]) for k, v in video.items()}
    with torch.no_grad():
        z = sampler.sample(model, text_encoder, z0.clone(), ['a'], 'cpu', additional_args=kw, progress=False)
    out = {'steps': steps, 'video': video, 'z0': z0.flatten().tolist(), 'timesteps': seen, 'z': z.flatten().tolist(),
           'source': 'opensora/schedulers/rf/__init__.py RFLOW.sample, hpcaitech/Open-Sora v1.2.0'}
    with open(os.path.join(outdir, 'sampler.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print(f'wrote {outdir}/sampler.json')


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False):
    """torch 2's F.scaled_dot_product_attention (additive float mask, no dropout, not causal), for torch 1.13."""
    assert dropout_p == 0.0 and not is_causal
    w = query @ key.transpose(-1, -2) / math.sqrt(query.shape[-1])
    if attn_mask is not None:
        w = w + attn_mask
    return w.softmax(-1) @ value


def install_open_sora_plan_shims():
    import contextlib
    import torch.nn.functional as F
    if not hasattr(F, 'scaled_dot_product_attention'):
        F.scaled_dot_product_attention = scaled_dot_product_attention
    # Kernel choice only (CPU runs the math either way); torch 1.13's version takes other arguments.
    torch.backends.cuda.sdp_kernel = lambda **kw: contextlib.nullcontext()
    for pkg in ['opensora', 'opensora.models', 'opensora.models.diffusion', 'opensora.models.diffusion.opensora_v1_3',
                'opensora.utils']:
        module(pkg)
    module('opensora.utils.utils', to_2tuple=lambda x: tuple(x) if isinstance(x, (tuple, list)) else (x, x))
    module('opensora.utils.parallel_states', get_sequence_parallel_state=lambda: False,
           nccl_info=types.SimpleNamespace(world_size=1, rank=0))
    module('opensora.utils.communications', all_to_all_SBH=None)


def open_sora_plan_13(checkout, outdir):
    install_open_sora_plan_shims()
    root = os.path.join(checkout, 'opensora', 'models', 'diffusion')
    load_by_path('opensora.models.diffusion.common', os.path.join(root, 'common.py'))
    load_by_path('opensora.models.diffusion.opensora_v1_3.modules', os.path.join(root, 'opensora_v1_3', 'modules.py'))
    osp = load_by_path('opensora.models.diffusion.opensora_v1_3.modeling_opensora',
                       os.path.join(root, 'opensora_v1_3', 'modeling_opensora.py'))
    # v1.3's released 2B/122 constructor arguments at tiny size; sparse_n 4 is what v1.3 samples with (the forward
    # prepares masks for sparse_n 1 and 4 only). Five blocks: dense 0-1, then single, group, single Skiparse.
    args = dict(num_layers=5, attention_head_dim=12, num_attention_heads=2, patch_size_t=1, patch_size=2,
                caption_channels=16, cross_attention_dim=24, activation_fn='gelu-approximate', in_channels=4,
                out_channels=4, sample_size_h=6, sample_size_w=10, sample_size_t=3, attention_bias=True,
                double_self_attention=False, norm_elementwise_affine=False, norm_eps=1e-6, only_cross_attention=False,
                upcast_attention=False, interpolation_scale_t=1.0, interpolation_scale_h=1.0,
                interpolation_scale_w=1.0, sparse1d=True, sparse_n=4)
    torch.manual_seed(0)
    model = osp.OpenSoraT2V_v1_3(**args).eval()
    gen = torch.Generator().manual_seed(2)
    randomise(model, gen)
    recorded = []
    model.transformer_blocks[0].attn1.register_forward_pre_hook(lambda m, a: recorded.append(a[0].clone()))

    # 3 latent frames of 6×10: 3·3·5 = 45 tokens, not a multiple of k² = 16, so Skiparse pads.
    B, T, H, W = 2, 3, 6, 10
    x = torch.randn(B, 4, T, H, W, generator=gen)
    timestep = torch.tensor([937.0, 213.0])
    y = torch.randn(B, 1, 5, 16, generator=gen)
    attention_mask = torch.ones(B, T, H, W)
    encoder_attention_mask = torch.ones(B, 1, 5)
    text_mask = torch.tensor([[[1, 1, 1, 0, 0]], [[1, 1, 1, 1, 0]]])
    with torch.no_grad():
        out = model(x, timestep, y, attention_mask=attention_mask, encoder_attention_mask=encoder_attention_mask,
                    return_dict=False)[0]
        out_masked = model(x, timestep, y, attention_mask=attention_mask, encoder_attention_mask=text_mask,
                           return_dict=False)[0]
    modulated = recorded[0].transpose(0, 1)  # the blocks run sequence-first: [S, B, D] → [B, S, D]
    os.makedirs(outdir, exist_ok=True)
    write_safetensors(os.path.join(outdir, 'checkpoint.safetensors'), state_dict_arrays(model), {'format': 'pt'})
    write_safetensors(os.path.join(outdir, 'io.safetensors'), {
        'x': x.numpy(), 'timestep': timestep.numpy(), 'y': y.numpy(), 'output': out.numpy(),
        'modulated': modulated.numpy(), 'text_mask': text_mask[:, 0].float().numpy(), 'output_masked': out_masked.numpy()})
    meta = {
        'source': 'PKU-YuanGroup/Open-Sora-Plan', 'tag': 'v1.3.1', 'commit': 'c41050ae06ef35dd9da531d29431dbea6e53a9d9',
        'model': 'opensora/models/diffusion/opensora_v1_3/modeling_opensora.py OpenSoraT2V_v1_3', 'args': args,
        'masks': 'attention_mask all ones; output: encoder_attention_mask all ones; output_masked: text_mask (1 = kept)',
        'layouts': {'x': 'B C T H W', 'y': 'B 1 L caption_channels', 'output': 'B C T H W (v-prediction)',
                    'modulated': 'B (T H/2 W/2) hidden, first block'},
        'torch': torch.__version__, 'diffusers': sys.modules['diffusers'].__version__,
        'einops': importlib.metadata.version('einops'),
    }
    with open(os.path.join(outdir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    print(f'wrote {outdir}: checkpoint.safetensors, io.safetensors, meta.json')


def open_sora_plan_13_sampler(outdir):
    """diffusers' EulerAncestralDiscreteScheduler as v1.3's get_scheduler builds it (v_prediction,
    rescale_betas_zero_snr, trailing), driven like its pipeline (init_noise_sigma, scale_model_input, step) on a
    stand-in network v(x, t) = sin(1.3·x) − x·t/1000; the step noise it draws is recorded."""
    import diffusers.schedulers.scheduling_euler_ancestral_discrete as ea
    drawn = []
    original = ea.randn_tensor
    ea.randn_tensor = lambda *a, **k: drawn.append(original(*a, **k)) or drawn[-1]
    sched = ea.EulerAncestralDiscreteScheduler(prediction_type='v_prediction', rescale_betas_zero_snr=True,
                                               timestep_spacing='trailing')
    steps = 20
    sched.set_timesteps(steps)
    gen = torch.Generator().manual_seed(4)
    z0 = torch.randn(1, 1, 3, 2, 2, generator=gen)
    latents = z0 * sched.init_noise_sigma
    seen, inputs = [], []
    for t in sched.timesteps:
        inp = sched.scale_model_input(latents, t)
        seen.append(float(t))
        inputs.append(inp.flatten().tolist())
        v = torch.sin(1.3 * inp) - inp * (float(t) / 1000)
        latents = sched.step(v, t, latents, generator=gen, return_dict=False)[0]
    out = {'steps': steps, 'z0': z0.flatten().tolist(), 'timesteps': seen, 'inputs': inputs,
           'noise': [n.flatten().tolist() for n in drawn], 'latents': latents.flatten().tolist(),
           'source': f"diffusers {sys.modules['diffusers'].__version__} EulerAncestralDiscreteScheduler(prediction_type="
                     "'v_prediction', rescale_betas_zero_snr=True, timestep_spacing='trailing'), as Open-Sora-Plan "
                     "v1.3.1 opensora/utils/sample_utils.py get_scheduler builds it"}
    with open(os.path.join(outdir, 'sampler.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print(f'wrote {outdir}/sampler.json')


def main(argv):
    if len(argv) != 4 or argv[1] not in ('opensora-1.2', 'opensora-plan-1.3'):
        sys.exit(__doc__)
    torch.set_num_threads(1)
    if argv[1] == 'opensora-1.2':
        opensora_12(argv[2], argv[3])
        opensora_12_sampler(argv[2], argv[3])
    else:
        open_sora_plan_13(argv[2], argv[3])
        open_sora_plan_13_sampler(argv[3])


if __name__ == '__main__':
    main(sys.argv)
