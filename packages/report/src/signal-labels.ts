import { CHEAP_INDICATORS, FIT_TARGETS, type Signal } from '@teacache/core';

/** How each traced signal is named on charts: what it is, not how it is stored. */
export const SIGNAL_LABELS: Record<Signal, string> = {
  modulated: 'modulated input (first block)',
  timestep: 'timestep embedding',
  noisy: 'noisy input x_t',
  output: 'model output',
  residual: 'block-stack residual',
};

/** Legend order: the indicators a policy reads first (TeaCache's choice leading), then what they predict. */
export const SIGNAL_ORDER: readonly Signal[] = [...CHEAP_INDICATORS, ...FIT_TARGETS];
