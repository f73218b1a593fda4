"""Reference text widths in DejaVu Sans (sum of hmtx advance widths, no kerning) from fontTools.

Run with Debian's python: /usr/bin/python3 packages/report/scripts/font_metrics_fixtures.py
(needs python3-fonttools and fonts-dejavu-core). Writes packages/report/src/fixtures/text-widths.json.
"""
import json
import os

import fontTools
from fontTools.ttLib import TTFont

FONTS = {
    "regular": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}
TEXTS = ["relative L1 vs previous step", "PSNR (dB)", "0.05", "k=3", "Wall-clock speedup (×)", "R² = 0.93", "x_t → ŷ", "日本"]
SIZE = 12.0

cases = []
for weight, path in FONTS.items():
    font = TTFont(path)
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    units = font["head"].unitsPerEm
    for text in TEXTS:
        total = 0
        for ch in text:
            glyph = cmap.get(ord(ch), ".notdef")
            total += hmtx[glyph][0]
        cases.append({"weight": weight, "text": text, "fontSize": SIZE, "expected": total * SIZE / units})

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "src", "fixtures", "text-widths.json")
with open(out, "w") as f:
    json.dump({"generator": "packages/report/scripts/font_metrics_fixtures.py (fontTools %s)" % fontTools.version,
               "fonts": FONTS, "cases": cases}, f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", out)
