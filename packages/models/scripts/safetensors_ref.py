#!/usr/bin/env python3
"""Independent safetensors reference (numpy, json, struct and the format specification only; not the
safetensors library), used to check the TypeScript reader and writer both ways.

  safetensors_ref.py fixtures OUTDIR   write reference .safetensors files, their specs (JSON) and the
                                       float16 conversion fixture into OUTDIR
  safetensors_ref.py read FILE         validate FILE against the specification and print a JSON summary

Format (huggingface/safetensors README): 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON
mapping tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the byte
buffer after the header) plus an optional "__metadata__" string->string object, then the byte buffer, which
the tensors must cover exactly. The reference writer sorts tensors by name, lays them out contiguously from
offset 0, writes compact JSON with "__metadata__" first and pads the header with spaces to a multiple of 8.
"""
import hashlib
import json
import os
import struct
import sys

import numpy as np

MAX_HEADER = 100_000_000
NUMPY_DTYPES = {'F64': '<f8', 'F32': '<f4', 'F16': '<f2', 'I64': '<i8', 'I32': '<i4', 'I16': '<i2',
                'I8': 'i1', 'U8': 'u1', 'BOOL': '?'}
ITEM_SIZES = {'F64': 8, 'F32': 4, 'F16': 2, 'BF16': 2, 'I64': 8, 'I32': 4, 'I16': 2, 'I8': 1, 'U8': 1,
              'BOOL': 1}


# ---------------------------------------------------------------- writing

def serialize(tensors, dtype, metadata=None):
    """tensors: dict name -> float32 array. Returns the file bytes."""
    np_dtype = NUMPY_DTYPES[dtype]
    header = {}
    if metadata is not None:
        header['__metadata__'] = {k: metadata[k] for k in sorted(metadata)}
    blobs = []
    offset = 0
    for name in sorted(tensors):  # str order is code point order, the same as UTF-8 byte order
        data = np.ascontiguousarray(tensors[name], dtype=np.float32).astype(np_dtype).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(tensors[name].shape),
                        'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    return struct.pack('<Q', len(text)) + text + b''.join(blobs)


def bits_of(array, dtype):
    """Bit patterns (unsigned ints) of the stored values, row-major."""
    view = {'F32': ('<f4', '<u4'), 'F16': ('<f2', '<u2')}[dtype]
    return np.ascontiguousarray(array, dtype=np.float32).astype(view[0]).view(view[1]).reshape(-1).tolist()


def write_reference(outdir, stem, tensors, dtype, metadata):
    """Write STEM.safetensors and STEM.json (the tensors as float32 bits, and the stored bits)."""
    blob = serialize(tensors, dtype, metadata)
    with open(os.path.join(outdir, stem + '.safetensors'), 'wb') as f:
        f.write(blob)
    spec = {
        'dtype': dtype,
        'metadata': metadata,
        'tensors': [{'name': name, 'shape': list(tensors[name].shape),
                     'float32_bits': bits_of(tensors[name], 'F32'),
                     'stored_bits': bits_of(tensors[name], dtype)} for name in sorted(tensors)],
        'file_sha256': hashlib.sha256(blob).hexdigest(),
        'numpy_version': np.__version__,
    }
    with open(os.path.join(outdir, stem + '.json'), 'w', encoding='utf-8') as f:
        json.dump(spec, f, ensure_ascii=False, indent=1)
        f.write('\n')


def reference_tensors(rng):
    f32_specials = np.array([0.0, -0.0, 1e-40, -3.4028235e38, np.inf, -np.inf, np.nan, 1.0, -2.5, 0.1,
                             1e-3, 123456.789, -7.0, 3.0, 0.5], dtype=np.float32).reshape(3, 5)
    f32 = {
        'blocks.0.attn.qkv.weight': rng.standard_normal((4, 6)).astype(np.float32),
        'blocks.0.attn.qkv.bias': (rng.standard_normal(6) * 0.01).astype(np.float32),
        'blocks.10.mlp.fc1.weight': rng.standard_normal((2, 3, 2)).astype(np.float32),
        'embed.special_values': f32_specials,
        'scale': np.array(1.5, dtype=np.float32),  # a 0-rank tensor (a scalar)
        'empty': np.zeros((0, 3), dtype=np.float32),  # a 0-size tensor: no bytes, offsets [k, k]
        't\u00eate.weight': rng.standard_normal(3).astype(np.float32),  # a non-ASCII name
    }
    f16_specials = np.array([65504.0, 65520.0, 70000.0, 6e-8, 3e-8, 2.0 ** -24 * 1.5, 1.0 + 2.0 ** -11,
                             1.0 + 3 * 2.0 ** -11, -0.0, 2049.0, 2051.0, np.nan], dtype=np.float32)
    f16 = {
        'w': (rng.standard_normal((5, 7)) * 3).astype(np.float32),
        'b': rng.standard_normal(7).astype(np.float32),
        'edge_cases': f16_specials.reshape(2, 6),
    }
    return f32, f16


def float16_fixture(rng):
    """float32 inputs (as bits) and numpy's float16 results, aimed at the rounding boundaries."""
    halves = np.arange(0, 0x7c00, dtype=np.uint32)
    picked = np.unique(np.concatenate([halves[:40], halves[::61], halves[0x3ff:0x403], halves[0x7bf0:]]))
    lower = picked.astype(np.uint16).view(np.float16).astype(np.float64)
    upper = (picked + 1).astype(np.uint16).view(np.float16).astype(np.float64)  # 0x7c00 is Infinity
    upper = np.where(np.isinf(upper), 65536.0, upper)  # the overflow threshold sits halfway to 2^16
    middle = ((lower + upper) / 2).astype(np.float32)  # exact: 12 significant bits fit in float32
    below = np.nextafter(middle, np.float32(0))
    above = np.nextafter(middle, np.float32(np.inf))
    random = np.exp(rng.uniform(np.log(1e-9), np.log(1e6), 1000)).astype(np.float32)
    specials = np.array([0.0, np.inf, 1e-45, 1e-38, 3.4028235e38, 2.0 ** -25, 2.0 ** -14, 65504.0, 65520.0],
                        dtype=np.float32)
    magnitudes = np.concatenate([middle, below, above, random, specials]).astype(np.float32)
    singles = np.concatenate([magnitudes, -magnitudes, np.array([np.nan, -np.nan], dtype=np.float32)])
    every_half = np.arange(0, 0x10000, dtype=np.uint32).astype(np.uint16).view(np.float16)
    decoded = every_half.astype(np.float32)
    sample = np.arange(0, 0x10000, 127, dtype=np.uint32)
    return {
        'numpy_version': np.__version__,
        'single_bits': singles.view(np.uint32).tolist(),
        'half_bits': singles.astype(np.float16).view(np.uint16).tolist(),
        'every_half_to_single_sha256': hashlib.sha256(decoded.astype('<f4').tobytes()).hexdigest(),
        'sample_half_bits': sample.tolist(),
        'sample_single_bits': decoded[sample].view(np.uint32).tolist(),
    }


def write_fixtures(outdir):
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(20240611)
    f32, f16 = reference_tensors(rng)
    write_reference(outdir, 'reference-f32', f32, 'F32',
                    {'format': 'pt', 'source': 'safetensors_ref.py', 'note': 'caf\u00e9 \u2713'})
    write_reference(outdir, 'reference-f16', f16, 'F16', None)
    with open(os.path.join(outdir, 'float16-numpy.json'), 'w') as f:
        json.dump(float16_fixture(rng), f, separators=(',', ':'))
        f.write('\n')


# ---------------------------------------------------------------- reading

def fail(message):
    print(json.dumps({'error': message}))
    sys.exit(2)


def finite_or_name(value):
    """JSON has no NaN or Infinity: name them."""
    value = float(value)
    if np.isnan(value):
        return 'NaN'
    if np.isinf(value):
        return 'Infinity' if value > 0 else '-Infinity'
    return value


def decode(dtype, raw, shape):
    if dtype == 'BF16':
        return (np.frombuffer(raw, dtype='<u2').astype(np.uint32) << 16).view(np.float32).reshape(shape)
    return np.frombuffer(raw, dtype=NUMPY_DTYPES[dtype]).reshape(shape)


def read_header(blob):
    if len(blob) < 8:
        fail('file shorter than 8 bytes')
    (n,) = struct.unpack('<Q', blob[:8])
    if n > MAX_HEADER or 8 + n > len(blob):
        fail(f'header length {n} out of bounds')
    header = json.loads(blob[8:8 + n].decode('utf-8'))
    if not isinstance(header, dict):
        fail('header is not an object')
    metadata = header.pop('__metadata__', None)
    if metadata is not None and not (isinstance(metadata, dict)
                                     and all(isinstance(v, str) for v in metadata.values())):
        fail('__metadata__ is not string to string')
    return n, header, metadata


def read(path):
    with open(path, 'rb') as f:
        blob = f.read()
    n, header, metadata = read_header(blob)
    buffer = blob[8 + n:]
    entries = sorted(header.items(), key=lambda item: tuple(item[1]['data_offsets']))
    cursor = 0
    tensors = []
    for name, info in entries:
        begin, end = info['data_offsets']
        count = int(np.prod(info['shape'], dtype=np.int64))
        if begin != cursor or end - begin != count * ITEM_SIZES[info['dtype']]:
            fail(f'tensor {name}: offsets {begin}, {end} do not follow {cursor} with {count} elements')
        cursor = end
        values = decode(info['dtype'], buffer[begin:end], info['shape']).astype(np.float64).reshape(-1)
        tensors.append({
            'name': name, 'dtype': info['dtype'], 'shape': info['shape'], 'data_offsets': [begin, end],
            'count': count, 'sum': finite_or_name(values.sum()),
            'first': [finite_or_name(v) for v in values[:8]],
            'values': [finite_or_name(v) for v in values] if count <= 4096 else None,
        })
    if cursor != len(buffer):
        fail(f'tensors cover {cursor} bytes of a {len(buffer)}-byte buffer')
    print(json.dumps({'header_length': n, 'data_start': 8 + n, 'metadata': metadata, 'tensors': tensors},
                     ensure_ascii=False))


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == 'fixtures':
        with np.errstate(over='ignore'):  # the overflow to Infinity is part of what the fixtures test
            write_fixtures(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == 'read':
        read(sys.argv[2])
    else:
        sys.exit(__doc__)
