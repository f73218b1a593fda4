import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatErrorOf } from './test-support/format-error.js';
import { readReferenceDir } from './reference-sets.js';

const DATASET = fileURLToPath(new URL('../../../datasets/reference-coefficients', import.meta.url));

/** Read a published Python list literal independently of the builder script. */
function pythonList(text: string): number[] {
  const m = /^\[\s*(.*?)\s*\]$/s.exec(text);
  if (!m) throw new Error(`not a list: ${text}`);
  return m[1].split(/\s*,\s*/).map(Number);
}

describe('the published reference sets', () => {
  const sets = readReferenceDir(DATASET);

  test('every set listed in the index loads and validates', () => {
    expect(sets.length).toBeGreaterThanOrEqual(30);
    for (const s of sets) expect(s.file.origin).toBe('published');
  });

  test('the numbers are exactly the published text, in numpy.poly1d order', () => {
    for (const { name, file } of sets) {
      const published = pythonList(file.reference!.publishedText);
      expect({ name, numbers: file.coefficients.highestFirst }).toEqual({ name, numbers: published });
      expect(file.coefficients.lowestFirst).toEqual([...published].reverse());
    }
  });

  test('each set names its source and the thresholds published with it', () => {
    for (const { file } of sets) {
      expect(file.provenance).toContain(file.reference!.repository);
      expect(file.reference!.indicatorDetail.length).toBeGreaterThan(10);
      expect(file.recommendedThresholds!.length).toBeGreaterThan(0);
      expect(file.xRange).toBeNull();
    }
  });

  test('spot checks against the sources: FLUX and Wan2.1 t2v 14B with retention steps', () => {
    const flux = sets.find((s) => s.name === 'teacache4flux')!.file;
    expect(flux.coefficients.highestFirst).toEqual([498.651651, -283.781631, 55.8554382, -3.82021401, 0.264230861]);
    expect(flux.recommendedThresholds!.filter((t) => t.source.endsWith('README.md') && t.speedup === 2)[0].threshold).toBe(0.6);
    const wan = sets.find((s) => s.name === 'teacache4wan2.1-t2v-14b-ret-steps')!.file;
    expect(wan.coefficients.highestFirst[0]).toBe(-303318.725);
    expect(wan.indicator).toBe('timestep');
  });

  test('sets from ali-vilab/TeaCache carry the commit they were read at; ComfyUI\'s recommendations are its latest', () => {
    // read against the upstream repositories themselves (ali-vilab/TeaCache 7c10efc, welltop-cn/ComfyUI-TeaCache 91dff8e3)
    for (const { name, file } of sets.filter((s) => s.file.reference!.repository === 'ali-vilab/TeaCache')) {
      expect({ name, commit: file.reference!.commit }).toEqual({ name, commit: '7c10efc4702c6b619f47805f7abe4a7a08085aa0' });
    }
    const thresholds = (name: string) => sets.find((s) => s.name === name)!.file.recommendedThresholds!;
    for (const name of ['teacache4cogvideox-2b', 'teacache4cogvideox-5b']) {
      expect(thresholds(name).find((t) => t.label === 'ComfyUI recommended')).toMatchObject({ threshold: 0.3, speedup: 2 });
    }
    expect(thresholds('comfyui-flux-kontext')[0]).toMatchObject({ threshold: 0.22, note: 'start_percent 0.2, end_percent 0.9' });
  });

  test('sets published under several names share one list', () => {
    const flux = sets.find((s) => s.name === 'teacache4flux')!.file.coefficients;
    const tango = sets.find((s) => s.name === 'teacache4tangoflux')!.file.coefficients;
    expect(tango).toEqual(flux);
  });
});

describe('a damaged reference directory is reported', () => {
  function copy(): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'refs-')), 'reference-coefficients');
    cpSync(DATASET, dir, { recursive: true });
    return dir;
  }

  test('a set missing from the index', () => {
    const dir = copy();
    writeFileSync(join(dir, 'extra.json'), readFileSync(join(dir, 'teacache4flux.json')));
    expect(formatErrorOf(() => readReferenceDir(dir))).toMatchObject({ file: join(dir, 'index.json'), field: 'sets' });
  });

  test('a listed set that is missing', () => {
    const dir = copy();
    rmSync(join(dir, 'teacache4mochi.json'));
    expect(formatErrorOf(() => readReferenceDir(dir)).file).toBe(join(dir, 'teacache4mochi.json'));
  });

  test('an index entry whose model disagrees with the file', () => {
    const dir = copy();
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    index.sets[0].model = 'something else';
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    expect(formatErrorOf(() => readReferenceDir(dir))).toMatchObject({ field: 'sets[0].model' });
  });

  test('a set whose coefficients were edited out of order', () => {
    const dir = copy();
    const path = join(dir, 'teacache4ltx-video.json');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.coefficients.lowestFirst[0] = 1;
    writeFileSync(path, JSON.stringify(file));
    expect(formatErrorOf(() => readReferenceDir(dir))).toMatchObject({ file: path, field: 'coefficients.lowestFirst[0]' });
  });

  test('no index at all', () => {
    const dir = copy();
    rmSync(join(dir, 'index.json'));
    expect(formatErrorOf(() => readReferenceDir(dir)).expected).toContain('index');
  });

  test('an index.json that is not the reference index (the report once accepted any listing) is refused, naming its field', () => {
    const dir = copy();
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ sets: ['teacache4flux.json'] }));
    expect(formatErrorOf(() => readReferenceDir(dir))).toMatchObject({ file: join(dir, 'index.json') });
  });

  test('a fitted file among the published sets (the report once accepted any coefficients file) is refused', () => {
    const dir = copy();
    const path = join(dir, 'teacache4flux.json');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...file, origin: 'fit', xRange: [0, 1], sampleCount: 10, statistics: null }));
    expect(formatErrorOf(() => readReferenceDir(dir)).file).toBe(path);
  });

  test('a directory that does not exist, or an empty one, is refused, naming it', () => {
    const parent = mkdtempSync(join(tmpdir(), 'refs-'));
    expect(formatErrorOf(() => readReferenceDir(join(parent, 'nope')))).toMatchObject({ file: join(parent, 'nope'), found: '"no such directory"' });
    expect(formatErrorOf(() => readReferenceDir(parent)).file).toBe(join(parent, 'index.json'));
  });
});
