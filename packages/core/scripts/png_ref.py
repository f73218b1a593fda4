"""Write the PNG fixtures of packages/core/src/png.test.ts by hand from the PNG specification (struct + zlib,
no imaging library), with the pixel values each must decode to. Covers what users' tools write: grey, grey+alpha,
RGB, RGBA, palette, 16-bit, every row filter, Adam7 interlacing.
Run: /usr/bin/python3 packages/core/scripts/png_ref.py packages/core/src/fixtures/png"""
import json
import os
import struct
import sys
import zlib

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_row(kind, row, prev, bpp):
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i] if prev else 0
        c = prev[i - bpp] if prev and i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((x - pred) & 0xff)
    return bytes([kind]) + bytes(out)


def sample_bytes(samples, depth):
    return b''.join(struct.pack('>H', s) if depth == 16 else bytes([s]) for s in samples)


def scanlines(pixels, width, height, channels, depth, filters):
    """pixels: rows of samples; each row filtered with filters[y % len(filters)]."""
    bpp = channels * depth // 8
    raw, prev = b'', None
    for y in range(height):
        row = sample_bytes(pixels[y], depth)
        raw += filter_row(filters[y % len(filters)], row, prev, bpp)
        prev = row
    return raw


def png(width, height, depth, colour, channels, pixels, filters=(0,), interlace=0, palette=None):
    ihdr = struct.pack('>IIBBBBB', width, height, depth, colour, 0, 0, interlace)
    if interlace:
        raw = b''
        for x0, y0, dx, dy in ADAM7:
            xs, ys = list(range(x0, width, dx)), list(range(y0, height, dy))
            if not xs or not ys:
                continue
            sub = [[s for x in xs for s in pixels[y][x * channels:(x + 1) * channels]] for y in ys]
            raw += scanlines(sub, len(xs), len(ys), channels, depth, filters)
    else:
        raw = scanlines(pixels, width, height, channels, depth, filters)
    body = chunk(b'IHDR', ihdr)
    if palette is not None:
        body += chunk(b'PLTE', bytes(v for rgb in palette for v in rgb))
    return b'\x89PNG\r\n\x1a\n' + body + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')


def ramp(width, height, channels, top, seed):
    return [[(seed + 37 * y + 11 * x + 5 * c) % (top + 1) for x in range(width) for c in range(channels)] for y in range(height)]


def main(out):
    os.makedirs(out, exist_ok=True)
    cases = []

    def add(name, width, height, depth, colour, channels, pixels, expected_channels, expected, **kw):
        with open(os.path.join(out, name + '.png'), 'wb') as f:
            f.write(png(width, height, depth, colour, channels, pixels, **kw))
        cases.append({'file': name + '.png', 'shape': [height, width, expected_channels], 'values': expected})

    def scaled(pixels, channels, keep, top):
        return [s / top for row in pixels for i, s in enumerate(row) if i % channels < keep]

    w, h = 5, 4
    rgb = ramp(w, h, 3, 255, 1)
    add('rgb8', w, h, 8, 2, 3, rgb, 3, scaled(rgb, 3, 3, 255))
    grey = ramp(w, h, 1, 255, 2)
    add('grey8-every-filter', w, h, 8, 0, 1, grey, 1, scaled(grey, 1, 1, 255), filters=(1, 2, 3, 4))
    rgb_filtered = ramp(w, h, 3, 255, 3)
    add('rgb8-every-filter', w, h, 8, 2, 3, rgb_filtered, 3, scaled(rgb_filtered, 3, 3, 255), filters=(4, 3, 2, 1))
    rgba = ramp(w, h, 4, 255, 4)
    add('rgba8', w, h, 8, 6, 4, rgba, 3, scaled(rgba, 4, 3, 255))
    grey_alpha = ramp(w, h, 2, 255, 5)
    add('grey-alpha8', w, h, 8, 4, 2, grey_alpha, 1, scaled(grey_alpha, 2, 1, 255))
    rgb16 = ramp(w, h, 3, 65535, 6)
    rgb16 = [[s * 251 % 65536 for s in row] for row in rgb16]
    add('rgb16', w, h, 16, 2, 3, rgb16, 3, scaled(rgb16, 3, 3, 65535), filters=(0, 1, 2, 3, 4))
    palette = [(0, 0, 0), (255, 0, 0), (10, 200, 30), (255, 255, 255)]
    indices = [[(x + 2 * y) % 4 for x in range(w)] for y in range(h)]
    add('palette8', w, h, 8, 3, 1, indices, 3, [v / 255 for row in indices for i in row for v in palette[i]], palette=palette)
    wi, hi = 11, 9
    inter = ramp(wi, hi, 3, 255, 7)
    add('rgb8-interlaced', wi, hi, 8, 2, 3, inter, 3, scaled(inter, 3, 3, 255), filters=(0, 1, 4), interlace=1)
    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump({'writer': 'packages/core/scripts/png_ref.py (struct + zlib %s)' % zlib.ZLIB_VERSION, 'cases': cases}, f)
        f.write('\n')


if __name__ == '__main__':
    main(sys.argv[1])
