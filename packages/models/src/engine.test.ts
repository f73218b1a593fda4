import { coresAvailable, describeEngine, engineRequestFrom, selectEngine, threadsPerProcess, workerPlan } from './engine.js';

describe('engine selection', () => {
  test('reads the request from the flag or TEACACHE_ENGINE, defaulting to auto', () => {
    expect(engineRequestFrom(undefined)).toBe('auto');
    expect(engineRequestFrom(' ONNX ')).toBe('onnx');
    expect(engineRequestFrom('tfjs')).toBe('tfjs');
  });

  test('refuses an unknown engine, naming the choices and where the value came from', () => {
    expect(() => engineRequestFrom('torch')).toThrow('engine "torch" is not one of auto, tfjs, onnx (from --engine or TEACACHE_ENGINE)');
  });

  test('onnx starts here on the bundled CPU provider, which ends the provider list', () => {
    const c = selectEngine('onnx', 1);
    expect(c.name).toBe('onnx');
    expect(c.providers[c.providers.length - 1]).toBe('cpu');
    expect(c.attempts.find((a) => a.provider === 'cpu')?.ok).toBe(true);
    expect(describeEngine(c)).toMatch(/^engine: onnx \(ONNX Runtime .*cpu, 1 thread; asked for by name\)$/);
  });

  test('auto takes onnx when onnxruntime-node loads; tfjs runs when named', () => {
    expect(selectEngine('auto', 1).name).toBe('onnx');
    const t = selectEngine('tfjs');
    expect(t.name).toBe('tfjs');
    expect(t.providers).toEqual([]);
  });
});

describe('threads', () => {
  test('split the cores between processes and never exceed them', () => {
    const cores = coresAvailable();
    expect(threadsPerProcess(1, undefined)).toBe(cores);
    expect(threadsPerProcess(cores, undefined)).toBe(1);
    expect(threadsPerProcess(cores * 4, undefined)).toBe(1);
    for (const asked of [undefined, 1, 2, 3, 16]) {
      const plan = workerPlan(asked, 10);
      expect(plan.workers * plan.threads).toBeLessThanOrEqual(cores);
      expect(plan.threads).toBeGreaterThanOrEqual(1);
    }
  });

  test('workers never outnumber the jobs', () => {
    expect(workerPlan(undefined, 1).workers).toBe(1);
    expect(workerPlan(undefined, 1).threads).toBe(coresAvailable());
  });

  test('TEACACHE_THREADS overrides, and a bad value is named', () => {
    expect(threadsPerProcess(2, '3')).toBe(3);
    expect(() => threadsPerProcess(1, 'many')).toThrow('TEACACHE_THREADS "many": expected a whole number >= 1');
  });
});
