import { blockPlan } from './blocks.js';
import { builtinModel } from './builtin.js';
import { forwardFlops, forwardFlopsParts, gemmFlops, outsideStackGemms } from './flops.js';

describe('FLOP counts split outside the stack and per block', () => {
  test.each(['dit-tiny', 'stdit-tiny', 'latte-tiny', 'osp-tiny'])('%s: the parts add up to the whole forward pass, and it scales with the batch', (name) => {
    const cfg = builtinModel(name).config;
    const parts = forwardFlopsParts(cfg);
    expect(parts.blocks).toHaveLength(cfg.depth);
    expect(parts.outside + parts.blocks.reduce((a, b) => a + b, 0)).toBe(forwardFlops(cfg, 1));
    expect(forwardFlops(cfg, 2)).toBe(2 * forwardFlops(cfg, 1));
  });

  test('by hand: the patch embedding and the head of a dit-tiny pass', () => {
    const cfg = builtinModel('dit-tiny').config;
    const tokens = (cfg.height / cfg.patchSize) * (cfg.width / cfg.patchSize) * cfg.frames;
    const patchDim = cfg.patchSize * cfg.patchSize * cfg.channels;
    const [embed, , , , head] = outsideStackGemms(cfg, 1);
    expect(gemmFlops(embed)).toBe(2 * tokens * patchDim * cfg.hiddenSize);
    expect(gemmFlops(head)).toBe(2 * tokens * cfg.hiddenSize * patchDim);
    expect(blockPlan(cfg.family, cfg.depth)).toHaveLength(cfg.depth);
  });
});
