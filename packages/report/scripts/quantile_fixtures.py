"""Reference quantiles and a coefficient of determination for the report package's tests.

Run with Debian's python (numpy): /usr/bin/python3 packages/report/scripts/quantile_fixtures.py
Writes packages/report/src/fixtures/reference-stats.json.
"""
import json
import os

import numpy as np

rng = np.random.default_rng(20240611)
samples = [
    [3.0],
    [1.0, 2.0],
    [5.0, 1.0, 4.0, 2.0, 3.0],
    rng.lognormal(mean=-3.0, sigma=0.7, size=17).tolist(),
    rng.normal(size=40).tolist(),
]
quantile_cases = []
for values in samples:
    quantile_cases.append({
        "values": values,
        "q": [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0],
        "expected": [float(np.quantile(values, q)) for q in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]],
    })

# R^2 of a given polynomial (numpy.poly1d order) on points, as 1 - SS_res / SS_tot.
x = rng.uniform(0.005, 0.15, size=30)
coeffs = [120.0, -40.0, 6.0, 0.5, 0.01]
y = np.polyval(coeffs, x) + rng.normal(scale=0.02, size=x.size)
residual = y - np.polyval(coeffs, x)
r2 = 1.0 - float(np.sum(residual ** 2)) / float(np.sum((y - y.mean()) ** 2))

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "src", "fixtures", "reference-stats.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({
        "generator": "packages/report/scripts/quantile_fixtures.py (numpy %s)" % np.__version__,
        "quantiles": quantile_cases,
        "r2": {"x": x.tolist(), "y": y.tolist(), "highestFirst": coeffs, "expected": r2},
    }, f, indent=1)
    f.write("\n")
print("wrote", out)
