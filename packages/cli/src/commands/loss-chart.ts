import type { ReportChart } from '@teacache/report';

/** One entry of a manifest's loss history. */
export interface LossEntry { step: number; train: number; validation?: number }

/** What the loss chart says of a training stage. */
export interface StageNote { steps: number; learningRate: number; schedule?: string }

/** Where each stage after the first starts, in training steps, with a label. */
export function stageStarts(stages: readonly StageNote[]): { step: number; label: string }[] {
  let at = 0;
  return stages.flatMap((st, i) => {
    const start = at;
    at += st.steps;
    return i === 0 ? [] : [{ step: start, label: `stage ${i + 1}: lr ${st.learningRate}, ${st.schedule ?? 'constant'}` }];
  });
}

/** The loss curve of a trained model (from its manifest) as a vega-lite spec; a dashed rule where each later stage starts. */
export function lossSpec(history: readonly LossEntry[], untrained: number, name: string, stages: readonly StageNote[] = []): ReportChart['spec'] {
  const values = [{ step: 0, loss: untrained, series: 'validation (held-out, EMA)' }, ...history.flatMap((h) => [
    { step: h.step, loss: h.train, series: 'train (batch)' },
    ...(h.validation !== undefined ? [{ step: h.step, loss: h.validation, series: 'validation (held-out, EMA)' }] : []),
  ])];
  const starts = stageStarts(stages);
  const x = { field: 'step', type: 'quantitative', title: 'training step' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: `${name}: training loss`, width: 520, height: 260,
    layer: [
      {
        data: { values }, mark: { type: 'line', interpolate: 'monotone' },
        encoding: {
          x, y: { field: 'loss', type: 'quantitative', title: 'loss (MSE)', scale: { type: 'log' } },
          color: { field: 'series', type: 'nominal', title: null },
        },
      },
      ...(starts.length === 0 ? [] : [
        { data: { values: starts }, mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#666' }, encoding: { x } },
        {
          data: { values: starts }, mark: { type: 'text' as const, align: 'left' as const, baseline: 'top' as const, dx: 4, dy: 4, color: '#444', fontSize: 10 },
          encoding: { x, y: { value: 0 }, text: { field: 'label' } },
        },
      ]),
    ],
  };
}
