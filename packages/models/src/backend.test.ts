import { backendRequestFrom, selectBackend, describeBackend } from './backend.js';

describe('backend selection', () => {
  test('auto never settles on the plain cpu backend', async () => {
    const choice = await selectBackend('auto');
    expect(choice.name).not.toBe('cpu');
    expect(choice.attempts.map((a) => a.provider)).toContain('@tensorflow/tfjs-backend-wasm');
    expect(describeBackend(choice)).toMatch(/^backend: /);
  });

  test('a request names one of auto, tensorflow, wasm, cpu', () => {
    expect(backendRequestFrom('WASM')).toBe('wasm');
    expect(backendRequestFrom(undefined)).toBe(process.env.TEACACHE_BACKEND ? backendRequestFrom(process.env.TEACACHE_BACKEND) : 'auto');
    expect(() => backendRequestFrom('gpu')).toThrow(/not one of auto, tensorflow, wasm, cpu/);
  });

  test('asking for tensorflow either runs it or fails saying what was tried', async () => {
    try {
      const choice = await selectBackend('tensorflow');
      expect(choice.name).toBe('tensorflow');
    } catch (err) {
      expect((err as Error).message).toMatch(/@tensorflow\/tfjs-node-gpu: .*@tensorflow\/tfjs-node: /);
      expect((err as Error).message).toMatch(/--backend cpu/);
    }
  });
});
