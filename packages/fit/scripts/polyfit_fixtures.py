"""Reference fixtures for @teacache/fit, computed with numpy only.

Run with Debian's python (numpy from apt):
    /usr/bin/python3 packages/fit/scripts/polyfit_fixtures.py
It rewrites packages/fit/src/fixtures/{polyfit,statistics,grouped-cv}.json. The TypeScript tests compare
the toolkit against these numbers; nothing here imports the toolkit.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'fixtures')

# Published TeaCache4FLUX rescaling polynomial (ali-vilab/TeaCache, TeaCache4FLUX/teacache_flux.py), highest first.
FLUX = [4.98651651e+02, -2.83781631e+02, 5.58554382e+01, -3.82021401e+00, 2.64230861e-01]


def floats(a):
    return [float(v) for v in a]


def goodness(y, pred):
    resid = y - pred
    ss_res = float(np.sum(resid ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return {
        'r2': None if ss_tot == 0 else 1.0 - ss_res / ss_tot,
        'rmse': float(np.sqrt(np.mean(resid ** 2))),
        'mae': float(np.mean(np.abs(resid))),
    }


def average_ranks(v):
    """Ranks 1..n, ties get the mean of the ranks they span."""
    order = np.argsort(v, kind='mergesort')
    ranks = np.empty(len(v), dtype=float)
    sorted_v = v[order]
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and sorted_v[j + 1] == sorted_v[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def pearson(a, b):
    return float(np.corrcoef(a, b)[0, 1])


def polyfit_case(name, x, y, degrees):
    fits = {}
    for d in degrees:
        c = np.polyfit(x, y, d)
        fits[str(d)] = {'highestFirst': floats(c), 'train': goodness(y, np.polyval(c, x))}
    return {'name': name, 'x': floats(x), 'y': floats(y), 'fits': fits}


def polyfit_fixture():
    rng = np.random.default_rng(20240611)
    cases = []
    # Indicator values spread over two decades, as relative L1 changes of a modulated input are.
    x = 10 ** rng.uniform(-3, -1, 240)
    y = np.polyval(FLUX, x) + rng.normal(0, 0.003, x.size)
    cases.append(polyfit_case('flux-like quartic, log-uniform x in [1e-3, 1e-1]', x, y, range(1, 7)))
    # A genuine degree-6 curve on a uniform grid.
    x = rng.uniform(1e-3, 1e-1, 300)
    true6 = [2.0e7, -6.0e6, 6.5e5, -3.2e4, 7.0e2, -2.0, 0.05]
    y = np.polyval(true6, x) + rng.normal(0, 0.01, x.size)
    cases.append(polyfit_case('sextic, uniform x in [1e-3, 1e-1]', x, y, range(4, 7)))
    # Few, clustered points: the hardest conditioning the brief asks for (degree 6 on 1e-3..1e-1).
    x = np.sort(10 ** rng.uniform(-3, -1, 40))
    y = 0.1 + 3.0 * x - 12.0 * x ** 2 + rng.normal(0, 0.001, x.size)
    cases.append(polyfit_case('forty points, quadratic truth', x, y, range(4, 7)))
    # A narrow range far from zero: the raw Vandermonde normal equations break down here.
    x = rng.uniform(0.02, 0.03, 200)
    y = 0.1 + 3.0 * x - 12.0 * x ** 2 + rng.normal(0, 1e-4, x.size)
    cases.append(polyfit_case('narrow range, x in [0.02, 0.03]', x, y, range(4, 7)))
    return {'generator': 'packages/fit/scripts/polyfit_fixtures.py', 'numpy': np.__version__,
            'note': 'coefficients are numpy.polyfit results, highest degree first', 'cases': cases}


def statistics_fixture():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, 50)
    y = 2 * x + rng.normal(0, 0.3, 50)
    ties_x = np.array([1, 2, 2, 3, 4, 4, 4, 5, 6, 6], dtype=float)
    ties_y = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], dtype=float)
    return {
        'generator': 'packages/fit/scripts/polyfit_fixtures.py', 'numpy': np.__version__,
        'correlation': [
            {'name': 'noisy line', 'x': floats(x), 'y': floats(y), 'pearson': pearson(x, y),
             'spearman': pearson(average_ranks(x), average_ranks(y))},
            {'name': 'ties on both sides', 'x': floats(ties_x), 'y': floats(ties_y), 'pearson': pearson(ties_x, ties_y),
             'spearman': pearson(average_ranks(ties_x), average_ranks(ties_y)),
             'ranksX': floats(average_ranks(ties_x)), 'ranksY': floats(average_ranks(ties_y))},
        ],
    }


def assign_folds(groups, k):
    """Documented rule: prompts by pair count (descending, ties by prompt ascending), each to the fold holding
    the fewest pairs so far (ties to the lowest fold index)."""
    names, counts = np.unique(groups, return_counts=True)
    order = sorted(range(len(names)), key=lambda i: (-counts[i], names[i]))
    load = [0] * k
    fold_of = {}
    for i in order:
        f = min(range(k), key=lambda j: (load[j], j))
        fold_of[names[i]] = f
        load[f] += counts[i]
    return np.array([fold_of[g] for g in groups])


def grouped_cv_fixture():
    rng = np.random.default_rng(99)
    prompts = ['a cat', 'a dog', 'a red car', 'fireworks', 'mountains', 'ocean waves', 'the city at night']
    sizes = [30, 24, 24, 18, 30, 12, 22]
    groups, xs = [], []
    for p, n in zip(prompts, sizes):
        groups += [p] * n
        xs.append(10 ** rng.uniform(-3, -1, n))
    x = np.concatenate(xs)
    groups = np.array(groups)
    true3 = [900.0, -150.0, 12.0, 0.02]
    y = np.polyval(true3, x) + rng.normal(0, 0.004, x.size)
    k = 5
    fold = assign_folds(groups, k)
    degrees = []
    for d in range(1, 7):
        per_fold = []
        pooled = np.empty_like(y)
        for f in range(k):
            train, test = fold != f, fold == f
            c = np.polyfit(x[train], y[train], d)
            pooled[test] = np.polyval(c, x[test])
            g = goodness(y[test], pooled[test])
            per_fold.append({'fold': f, 'testCount': int(test.sum()), **g})
        rmses = np.array([p['rmse'] for p in per_fold])
        degrees.append({
            'degree': d,
            'rmseMean': float(rmses.mean()),
            'rmseStandardError': float(rmses.std(ddof=1) / np.sqrt(k)),
            'pooled': goodness(y, pooled),
            'perFold': per_fold,
            'train': goodness(y, np.polyval(np.polyfit(x, y, d), x)),
        })
    best = min(degrees, key=lambda s: s['rmseMean'])
    chosen = min(s['degree'] for s in degrees if s['rmseMean'] <= best['rmseMean'] + best['rmseStandardError'])
    return {
        'generator': 'packages/fit/scripts/polyfit_fixtures.py', 'numpy': np.__version__,
        'trueDegree': 3, 'folds': k, 'x': floats(x), 'y': floats(y), 'prompts': groups.tolist(),
        'foldOfPair': fold.tolist(), 'degrees': degrees, 'chosenDegree': chosen,
    }


def write(name, value):
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump(value, f, indent=1)
        f.write('\n')
    print('wrote', os.path.normpath(path))


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    write('polyfit.json', polyfit_fixture())
    write('statistics.json', statistics_fixture())
    write('grouped-cv.json', grouped_cv_fixture())
