import * as tf from '@tensorflow/tfjs';
import { TfOps } from './ops/tf-ops.js';
import { applyRope, ropeAngles, ropeTable, type RopePairing } from './rope.js';

const o = new TfOps({ get: (name: string) => { throw new Error(`no parameter ${name}`); } });
let tables = 0;
/** The rotation table of angles on tfjs (a fresh key per call: TfOps keeps a table per key). */
const table = (angles: Float32Array, length: number, dim: number, pairing: RopePairing) => ropeTable(o, `t${tables++}`, () => angles, length, dim, pairing);

describe('rotary position embedding', () => {
  it('interleaved pairing turns features (2j, 2j+1) by pos·10000^(−2j/dim), as computed by hand', () => {
    // dim 4, position 3: pair 0 turns by 3 rad, pair 1 by 3/100 rad.
    const x = [1, 2, 3, 4];
    const t = table(ropeAngles([3], 4, 'interleaved'), 1, 4, 'interleaved');
    const out = applyRope(o, tf.tensor2d([x]), t).dataSync();
    const a = 3;
    const b = 3 / 100;
    const want = [1 * Math.cos(a) - 2 * Math.sin(a), 2 * Math.cos(a) + 1 * Math.sin(a), 3 * Math.cos(b) - 4 * Math.sin(b), 4 * Math.cos(b) + 3 * Math.sin(b)];
    want.forEach((w, i) => expect(out[i]).toBeCloseTo(w, 5));
  });

  it('half pairing turns features (j, j + dim/2) instead', () => {
    const t = table(ropeAngles([3], 4, 'half'), 1, 4, 'half');
    const out = applyRope(o, tf.tensor2d([[1, 2, 3, 4]]), t).dataSync();
    const a = 3;
    const b = 3 / 100;
    const want = [1 * Math.cos(a) - 3 * Math.sin(a), 2 * Math.cos(b) - 4 * Math.sin(b), 3 * Math.cos(a) + 1 * Math.sin(a), 4 * Math.cos(b) + 2 * Math.sin(b)];
    want.forEach((w, i) => expect(out[i]).toBeCloseTo(w, 5));
  });

  it('keeps the dot product of two rotated vectors a function of their position difference only', () => {
    const q = tf.tensor2d([[0.3, -1.2, 0.7, 2.0, -0.4, 0.9]]);
    const k = tf.tensor2d([[1.1, 0.2, -0.8, 0.5, 1.3, -0.6]]);
    const dot = (pq: number, pk: number) => {
      const tq = table(ropeAngles([pq], 6, 'interleaved'), 1, 6, 'interleaved');
      const tk = table(ropeAngles([pk], 6, 'interleaved'), 1, 6, 'interleaved');
      return tf.sum(tf.mul(applyRope(o, q, tq), applyRope(o, k, tk))).dataSync()[0];
    };
    expect(dot(5, 2)).toBeCloseTo(dot(13, 10), 4);
    expect(Math.abs(dot(5, 2) - dot(5, 3))).toBeGreaterThan(1e-3);
  });
});
