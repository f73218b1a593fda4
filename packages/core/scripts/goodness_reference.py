#!/usr/bin/python3
"""Reference R², RMSE and MAE for packages/core/src/goodness-of-fit.test.ts, computed with numpy only.

Run with Debian's python (numpy from apt):
    /usr/bin/python3 packages/core/scripts/goodness_reference.py
It writes packages/core/src/fixtures/goodness-of-fit.json. R² is 1 - SS_res / SS_tot; for a polynomial the
predictions are numpy.polyval of its coefficients (highest degree first). Nothing here imports the toolkit.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'fixtures', 'goodness-of-fit.json')


def floats(a):
    return [float(v) for v in a]


def goodness(y, pred):
    r = y - pred
    return {'r2': float(1 - np.sum(r ** 2) / np.sum((y - y.mean()) ** 2)),
            'rmse': float(np.sqrt(np.mean(r ** 2))), 'mae': float(np.mean(np.abs(r)))}


rng = np.random.default_rng(7)
y = 2 * rng.uniform(0, 1, 50) + rng.normal(0, 0.3, 50)
predicted = y + rng.normal(0, 0.1, 50)
# A noisy degree-4 polynomial over the relative-L1 range traces hold.
x = rng.uniform(0.005, 0.15, 30)
highest_first = [120.0, -40.0, 6.0, 0.5, 0.01]
y_poly = np.polyval(highest_first, x) + rng.normal(0, 0.02, x.size)

with open(OUT, 'w') as f:
    json.dump({
        'generator': 'packages/core/scripts/goodness_reference.py', 'numpy': np.__version__,
        'predictions': {'y': floats(y), 'predicted': floats(predicted), **goodness(y, predicted)},
        'polynomial': {'x': floats(x), 'y': floats(y_poly), 'highestFirst': highest_first,
                       'r2': goodness(y_poly, np.polyval(highest_first, x))['r2']},
    }, f, indent=1)
    f.write('\n')
print('wrote', os.path.normpath(OUT))
