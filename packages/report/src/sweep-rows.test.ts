import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepRowToJson } from '@teacache/core';
import { checkSweepRows, sweepPoints } from '@teacache/cache';
import { readSweepFile } from './sweep-rows.js';
import { handSweepRow } from './synthetic-inputs.js';

const reference = handSweepRow({ policy: 'none' });

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
