import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@teacache/core';
import { parsePolicySpec } from './parse-policy-spec.js';
import { createPolicy } from './create-policy.js';
import { coefficientsFileOf } from './test-support/coefficients-file.js';

describe('parsePolicySpec', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'policy-spec-'));
    writeFileSync(join(dir, 'fit.json'), JSON.stringify(coefficientsFileOf([2, 0])));
    writeFileSync(join(dir, 'bare.json'), JSON.stringify({ highestFirst: [1, 0, 0] }));
    writeFileSync(join(dir, 'timestep-fit.json'), JSON.stringify(coefficientsFileOf([1, 0], { indicator: 'timestep' })));
    writeFileSync(join(dir, 'ratios.json'), JSON.stringify({ magRatios: { cond: [1, 0.99, 0.98], uncond: [1, 0.97, 0.96] } }));
    writeFileSync(join(dir, 'broken.json'), '{"highestFirst": [1, ');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a bare policy name takes the defaults', () => {
    expect(parsePolicySpec('none')).toEqual({ policy: 'none' });
    expect(parsePolicySpec('teacache:threshold=0.1')).toEqual({
      policy: 'teacache', threshold: 0.1, indicator: 'modulated', retentionSteps: 1, cutoffSteps: 1,
    });
  });

  test('command-line text with aliases maps to the spec fields', () => {
    expect(parsePolicySpec('interval:k=3')).toEqual({ policy: 'interval', interval: 3 });
    expect(parsePolicySpec('teacache:threshold=0.2,indicator=noisy,retention=5,cutoff=0')).toMatchObject({
      indicator: 'noisy', retentionSteps: 5, cutoffSteps: 0,
    });
    expect(parsePolicySpec('teacache:threshold=0.2,poly=1;-2;0.5')).toMatchObject({ coefficients: { highestFirst: [1, -2, 0.5] } });
    expect(parsePolicySpec('oracle:threshold=0.1,retention=2')).toMatchObject({ retentionSteps: 2, cutoffSteps: 1 });
  });

  test('a coefficients file is read, relative to the base directory, and its path kept', () => {
    const spec = parsePolicySpec('teacache:threshold=0.2,coefficients=fit.json', { baseDir: dir });
    expect(spec).toMatchObject({ coefficientsFile: 'fit.json', coefficients: { coefficients: { highestFirst: [2, 0] } } });
    // A file is read by the one strict reader: a bare { highestFirst } object is not a coefficients file.
    expect(() => parsePolicySpec({ policy: 'teacache', threshold: 0.2, coefficientsFile: 'bare.json' }, { baseDir: dir }))
      .toThrow(/bare.json, field "format"/);
  });

  test('magnitude ratios are read from a file, per branch', () => {
    const spec = parsePolicySpec('magcache:threshold=0.1,ratios=ratios.json,K=3,retention=0.1', { baseDir: dir });
    expect(spec).toEqual({
      policy: 'magcache', threshold: 0.1, magRatiosFile: 'ratios.json', maxSkipSteps: 3, retentionRatio: 0.1,
      magRatios: { cond: [1, 0.99, 0.98], uncond: [1, 0.97, 0.96] },
    });
  });

  test('JSON text is accepted', () => {
    expect(parsePolicySpec('{"policy": "first-block", "threshold": 0.05}')).toEqual({ policy: 'first-block', threshold: 0.05 });
  });

  test('an unknown policy is refused with the list of known ones', () => {
    const call = () => parsePolicySpec('teacash:threshold=0.1', { file: '--policy' });
    expect(call).toThrow(FormatError);
    expect(call).toThrow('--policy, field "policy": expected one of none, teacache, interval, first-block, magcache, oracle, found "teacash"');
    expect(() => parsePolicySpec({ threshold: 0.1 })).toThrow(/field "policy": expected one of .* \(the field is missing\)/);
  });

  test('a negative, missing or non-numeric threshold is refused', () => {
    expect(() => parsePolicySpec('teacache:threshold=-0.1')).toThrow('field "threshold": expected a finite number >= 0, found -0.1');
    expect(() => parsePolicySpec('teacache')).toThrow('field "threshold": expected a finite number >= 0 (the field is missing)');
    expect(() => parsePolicySpec('first-block:threshold=abc')).toThrow('field "threshold": expected a number, found "abc"');
    expect(() => parsePolicySpec({ policy: 'oracle', threshold: '0.1' })).toThrow('field "threshold": expected a finite number >= 0, found "0.1"');
  });

  test('interval 0 and a fractional interval are refused', () => {
    expect(() => parsePolicySpec('interval:k=0')).toThrow('field "interval": expected a whole number >= 1, found 0');
    expect(() => parsePolicySpec('interval:k=2.5')).toThrow('found 2.5');
    expect(() => parsePolicySpec('interval')).toThrow(/field "interval".*missing/);
  });

  test('a misspelt field is refused rather than silently defaulted', () => {
    expect(() => parsePolicySpec('teacache:treshold=0.1')).toThrow(/field "treshold": expected only fields teacache knows \(threshold, indicator/);
    expect(() => parsePolicySpec('none:threshold=0.1')).toThrow(/field "threshold": expected only fields none knows \(no other fields\)/);
  });

  test('bad values of the other fields are refused, naming them', () => {
    expect(() => parsePolicySpec('teacache:threshold=0.1,indicator=output')).toThrow('field "indicator": expected one of modulated, timestep, noisy, found "output"');
    expect(() => parsePolicySpec('teacache:threshold=0.1,retention=0')).toThrow('field "retentionSteps": expected a whole number >= 1, found 0');
    expect(() => parsePolicySpec('teacache:threshold=0.1,cutoff=-1')).toThrow('field "cutoffSteps"');
    expect(() => parsePolicySpec('magcache:threshold=0.1')).toThrow('field "magRatios"');
    expect(() => parsePolicySpec({ policy: 'magcache', threshold: 0.1, magRatios: [1, 0, 1] })).toThrow('field "magRatios[1]": expected a finite ratio > 0, found 0');
    expect(() => parsePolicySpec({ policy: 'magcache', threshold: 0.1, magRatios: [1], retentionRatio: 1 })).toThrow('field "retentionRatio"');
    expect(() => parsePolicySpec({ policy: 'magcache', threshold: 0.1, magRatios: [1], maxSkipSteps: 0 })).toThrow('field "maxSkipSteps"');
    expect(() => parsePolicySpec({ policy: 'teacache', threshold: 0.1, coefficients: { highestFirst: [1, NaN] } }))
      .toThrow('field "coefficients.highestFirst[1]": expected a finite number, found NaN');
    expect(() => parsePolicySpec('teacache:threshold=0.1,threshold=0.2')).toThrow('field "threshold": expected each field once');
    expect(() => parsePolicySpec('teacache:threshold')).toThrow('expected key=value pairs');
    expect(() => parsePolicySpec('   ')).toThrow('found "an empty spec"');
  });

  test('coefficients fitted on another indicator are refused', () => {
    expect(() => parsePolicySpec('teacache:threshold=0.1,coefficients=timestep-fit.json', { baseDir: dir }))
      .toThrow('field "coefficients.indicator": expected coefficients fitted on the "modulated" indicator the policy reads, found "timestep"');
    expect(() => parsePolicySpec('teacache:threshold=0.1,indicator=timestep,coefficients=timestep-fit.json', { baseDir: dir })).not.toThrow();
  });

  test('a missing or broken coefficients file names the file', () => {
    expect(() => parsePolicySpec('teacache:threshold=0.1,coefficients=nope.json', { baseDir: dir }))
      .toThrow(`${join(dir, 'nope.json')}: expected an existing coefficients JSON file, found "no such file"`);
    expect(() => parsePolicySpec('teacache:threshold=0.1,coefficients=broken.json', { baseDir: dir }))
      .toThrow(new RegExp(`${join(dir, 'broken.json')}: expected valid JSON`));
  });

  test('createPolicy accepts the same text and builds the named policy', () => {
    expect(createPolicy('oracle:threshold=0.1').name).toBe('oracle');
    expect(() => createPolicy('interval:k=0')).toThrow(FormatError);
  });
});
