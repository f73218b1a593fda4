import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepRowToJson } from '@teacache/core';
import { checkSweepRows, readSweepFile } from './sweep-rows.js';
import { sweepPoints } from './sweep-points.js';
import { handSweepRow } from './synthetic-inputs.js';

const reference = handSweepRow({ policy: 'none' });
const cached = handSweepRow({ policy: 'teacache', schedule: 'CRRC' });

describe('checkSweepRows', () => {
  test('accepts cached runs, with or without rows of the always-compute policy', () => {
    expect(checkSweepRows([cached])).toHaveLength(1);
    expect(checkSweepRows([reference, cached])).toHaveLength(2);
  });

  test('no rows is an error, not an empty chart', () => {
    expect(() => checkSweepRows([])).toThrow(/expected at least one sweep row/);
  });

  test('a cached run without a timed reference run is a mismatch naming model, prompt and seed', () => {
    expect(() => checkSweepRows([handSweepRow({ policy: 'teacache', referenceWallSeconds: 0 })]))
      .toThrow(/row 1, field "referenceWallSeconds": expected the wall time \(s, > 0\) of the reference run: the uncached run of model "m", prompt "p", seed 0, found 0/);
    expect(() => checkSweepRows([cached, handSweepRow({ policy: 'oracle', referenceWallSeconds: NaN })])).toThrow(/row 2, field "referenceWallSeconds"/);
  });

  test('an unknown policy names the known ones', () => {
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacahce' })]))
      .toThrow(/row 2, field "policy": expected one of none, teacache, interval, first-block, magcache, oracle, found "teacahce"/);
  });

  test('NaN quality or speed, and a threshold missing on a cached policy, are errors', () => {
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', psnr: NaN })])).toThrow(/field "psnr".*found NaN/);
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', ssim: NaN })])).toThrow(/field "ssim".*found NaN/);
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', wallSpeedup: NaN })])).toThrow(/field "wallSpeedup"/);
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'interval', threshold: null })])).toThrow(/field "threshold": expected a finite number for policy "interval"/);
  });

  test('an infinite PSNR (identical output) is allowed', () => {
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', psnr: Infinity })])).not.toThrow();
  });

  test('a schedule of the wrong length or with other letters is an error', () => {
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', schedule: 'CRC', steps: 4 })])).toThrow(/field "schedule": expected 4 letters C/);
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', schedule: 'CXXC' })])).toThrow(/field "schedule"/);
  });

  test('runs of one model with different step counts are a mismatch', () => {
    const longer = handSweepRow({ policy: 'none', seed: 1, schedule: 'CCCCC' });
    expect(() => checkSweepRows([reference, longer])).toThrow(/row 2, field "steps": expected 4 steps, as the first run of model "m" \(row 1\), found 5/);
  });
});

describe('readSweepFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-sweep-'));

  test('reads JSON Lines written by core, with a null PSNR read as identical output', () => {
    const path = join(dir, 'ok.jsonl');
    writeFileSync(path, [reference, handSweepRow({ policy: 'teacache', psnr: Infinity })].map(sweepRowToJson).join('\n') + '\n');
    const rows = readSweepFile(path);
    expect(rows[1].psnr).toBe(Infinity);
  });

  test('an unknown policy in a file names the file and row', () => {
    const path = join(dir, 'typo.jsonl');
    writeFileSync(path, [reference, handSweepRow({ policy: 'tea' })].map(sweepRowToJson).join('\n') + '\n');
    expect(() => readSweepFile(path)).toThrow(new RegExp(`${path}, row 2, field "policy"`));
  });

  test('an empty file is an error', () => {
    const path = join(dir, 'empty.jsonl');
    writeFileSync(path, '');
    expect(() => readSweepFile(path)).toThrow(/empty\.jsonl: expected at least one sweep row/);
  });
});

describe('a sweep file mixing rows of teacache sweep and of teacache score', () => {
  test('reads, and the score rows become points exactly as sweep rows with the same numbers do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixed-sweep-'));
    const fromSweep = [handSweepRow({ policy: 'none', prompt: 'a' }), handSweepRow({ policy: 'teacache', prompt: 'a', schedule: 'CRCC', psnr: 31 })];
    const fromScore = [handSweepRow({ policy: 'none', prompt: 'b', source: 'score' }),
      handSweepRow({ policy: 'teacache', prompt: 'b', schedule: 'CRCC', psnr: 33, source: 'score', psnrFrames8bit: 32.5, ssimFrames8bit: 0.95 })];
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(file, [...fromSweep, ...fromScore].map(sweepRowToJson).join('\n') + '\n');
    const rows = checkSweepRows(readSweepFile(file));
    expect(rows.map((r) => r.source ?? 'sweep')).toEqual(['sweep', 'sweep', 'score', 'score']);
    const pooled = { psnrProtocol: 'pooled' as const };
    const [point] = sweepPoints(rows, pooled);
    expect(point).toMatchObject({ policy: 'teacache', runs: 2, psnr: 32 });
    const stripped = rows.map(({ source: _s, ...r }) => r);
    expect(sweepPoints(stripped)).toEqual(sweepPoints(rows));
    expect(sweepPoints(stripped, pooled)).toEqual(sweepPoints(rows, pooled));
  });
});
