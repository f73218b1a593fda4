import { renderSvg } from '@teacache/report';
import { lossSpec, stageStarts } from './loss-chart.js';

const history = Array.from({ length: 30 }, (_, i) => ({ step: i + 1, train: 1 / (i + 1), ...(i % 10 === 9 ? { validation: 1 / (i + 2) } : {}) }));

test('each stage after the first starts where the steps of the earlier stages end', () => {
  expect(stageStarts([{ steps: 20, learningRate: 1e-3 }, { steps: 10, learningRate: 5e-4, schedule: 'cosine' }, { steps: 5, learningRate: 1e-4 }]))
    .toEqual([{ step: 20, label: 'stage 2: lr 0.0005, cosine' }, { step: 30, label: 'stage 3: lr 0.0001, constant' }]);
  expect(stageStarts([{ steps: 20, learningRate: 1e-3 }])).toEqual([]);
});

test('the loss chart renders, marking where a later stage starts', async () => {
  const svg = await renderSvg(lossSpec(history, 2, 'test', [{ steps: 20, learningRate: 1e-3 }, { steps: 10, learningRate: 5e-4, schedule: 'cosine' }]), 'loss');
  expect(svg).toContain('<svg');
  expect(svg).toContain('stage 2: lr 0.0005, cosine');
  const single = await renderSvg(lossSpec(history, 2, 'test'), 'loss');
  expect(single).not.toContain('stage 2');
});
