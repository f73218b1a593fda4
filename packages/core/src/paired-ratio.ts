import { FormatError } from './errors.js';
import { mean, sampleVariance } from './sample-stats.js';

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-13 on the range used here). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularised incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
function incompleteBeta(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile (0 < p < 1) of Student's t with `df` >= 1 degrees of freedom, by bisection on the CDF. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must lie in (0, 1), got ${p}`);
  if (!(df >= 1)) throw new RangeError(`studentTQuantile: degrees of freedom must be >= 1, got ${df}`);
  let lo = -1e6;
  let hi = 1e6;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A speedup estimated from paired timings, with its confidence interval (null bounds with fewer than 2 pairs). */
export interface RatioInterval {
  /** Geometric mean of reference / run over the pairs (×). */
  ratio: number;
  low: number | null;
  high: number | null;
  pairs: number;
  confidence: number;
}

/**
 * Speedup from paired times (seconds): the geometric mean of reference[i] / run[i], with a Student-t interval on
 * the mean log ratio. Pairing cancels what the pair shared (load on the machine at that moment); the log makes
 * the interval of a ratio symmetric in "faster" and "slower".
 */
export function pairedRatioInterval(reference: readonly number[], run: readonly number[], confidence = 0.95): RatioInterval {
  if (reference.length !== run.length) throw new FormatError({ field: 'run' }, `${reference.length} times (one per reference time)`, run.length);
  if (reference.length === 0) throw new FormatError({ field: 'reference' }, 'at least one pair of times', 'none');
  if (!(confidence > 0 && confidence < 1)) throw new FormatError({ field: 'confidence' }, 'a level in (0, 1)', confidence);
  const logs = reference.map((r, i) => {
    const s = run[i];
    if (!(r > 0 && s > 0 && Number.isFinite(r) && Number.isFinite(s))) {
      throw new FormatError({ field: `times[${i}]` }, 'finite times > 0 seconds', `${r} / ${s}`);
    }
    return Math.log(r / s);
  });
  const n = logs.length;
  const meanLog = mean(logs);
  if (n < 2) return { ratio: Math.exp(meanLog), low: null, high: null, pairs: n, confidence };
  const sd = Math.sqrt(sampleVariance(logs));
  const half = studentTQuantile(1 - (1 - confidence) / 2, n - 1) * sd / Math.sqrt(n);
  return { ratio: Math.exp(meanLog), low: Math.exp(meanLog - half), high: Math.exp(meanLog + half), pairs: n, confidence };
}
