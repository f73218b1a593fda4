import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coefficientsFromHighestFirst, type CoefficientsFile } from '@teacache/core';
import { coefficientsCsv, exportPath, pythonCoefficientsLine, pythonExport, pythonFloat, writeExports } from './exporters.js';

const awkward = [498.651651, -283.781631, 1 / 3, -0.1 - 0.2, 5e-324, 1.2345678901234567e-7, 3, -0, 2 ** 60];

/** An independent reader of the line: a Python list of float literals, nothing else. */
function parseLine(line: string): number[] {
  const m = /^coefficients = \[(.*)\]$/.exec(line);
  if (!m) throw new Error(`not a coefficients line: ${line}`);
  return m[1].split(', ').map((s) => {
    if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(s)) throw new Error(`not a Python float literal: ${s}`);
    return Number(s);
  });
}

describe('the Python export line', () => {
  test('parses back to exactly the same numbers, in numpy.poly1d order', () => {
    const parsed = parseLine(pythonCoefficientsLine(awkward));
    parsed.forEach((v, i) => expect(Object.is(v, awkward[i])).toBe(true));
  });

  test('writes whole numbers as floats and keeps the sign of zero', () => {
    expect(pythonFloat(3)).toBe('3.0');
    expect(pythonFloat(-0)).toBe('-0.0');
    expect(pythonFloat(1e-7)).toBe('1e-7');
    expect(() => pythonFloat(NaN)).toThrow(/no Python float literal/);
  });

  const python = spawnSync('python3', ['--version']).status === 0 ? test : test.skip;
  python('Python itself reads the line back to the same doubles', () => {
    const line = pythonCoefficientsLine(awkward);
    // Python's json writes repr(), the shortest text that reads back to the same double, so the
    // round trip through JSON.parse is exact.
    const run = spawnSync('python3', ['-c', `${line}\nimport json, sys\nsys.stdout.write(json.dumps(coefficients))`], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const back: number[] = JSON.parse(run.stdout);
    expect(back).toHaveLength(awkward.length);
    back.forEach((v, i) => expect(Object.is(v, awkward[i])).toBe(true));
  });
});

describe('the CSV export', () => {
  test('lists order, power and coefficient, highest power first', () => {
    const csv = coefficientsCsv({ degree: 2, coefficients: coefficientsFromHighestFirst([3, -2, 0.5]) });
    expect(csv).toBe('order,power,coefficient\n0,2,3\n1,1,-2\n2,0,0.5\n');
  });
});

describe('writing exports beside the JSON file', () => {
  test('writes .py and .csv next to the coefficients file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exports-'));
    const file = {
      model: 'dit-s', indicator: 'modulated', target: 'output', degree: 1, xRange: [0.01, 0.2], toolkitVersion: '0.1.0',
      createdAt: '2025-01-01T00:00:00.000Z', coefficients: coefficientsFromHighestFirst([2, 0.5]),
    } as CoefficientsFile;
    const paths = writeExports(join(dir, 'dit-s.json'), file, ['py', 'csv']);
    expect(paths).toEqual([join(dir, 'dit-s.py'), join(dir, 'dit-s.csv')]);
    const py = readFileSync(paths[0], 'utf8');
    expect(py).toContain('coefficients = [2.0, 0.5]');
    expect(py).toContain('[0.01, 0.2]');
    expect(exportPath('a/b.c.json', 'csv')).toBe(join('a', 'b.c.csv'));
  });
});

describe('the integration settings in the .py export', () => {
  const file = {
    model: 'dit-s', indicator: 'modulated', target: 'output', degree: 1, xRange: [0.01, 0.2], toolkitVersion: '0.1.0',
    createdAt: '2025-01-01T00:00:00.000Z', coefficients: coefficientsFromHighestFirst([2, 0.5]),
  } as CoefficientsFile;

  test('threshold, retention and cut-off carry the names the published integrations use, and Python reads them', () => {
    const py = pythonExport(file, { threshold: 0.25, retentionSteps: 5, cutoffSteps: 0, numSteps: 50 });
    const run = spawnSync('/usr/bin/python3', ['-c', `${py}\nimport json, sys\nsys.stdout.write(json.dumps([coefficients, rel_l1_thresh, teacache_thresh, num_steps, ret_steps, cutoff_steps]))`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([[2, 0.5], 0.25, 0.25, 50, 5, 50]);
  });

  test('without a chosen threshold the export says so and stays valid Python', () => {
    const py = pythonExport(file, { retentionSteps: 1, cutoffSteps: 1, numSteps: 20 });
    expect(py).toMatch(/^rel_l1_thresh = None {2}# not chosen at fit time/m);
    const run = spawnSync('/usr/bin/python3', ['-c', `${py}\nprint(cutoff_steps)`], { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('19');
  });
});
