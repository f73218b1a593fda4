import type { CheckpointConverter } from './converter.js';
import { DIT_CONVERTER } from './dit.js';
import { LATTE1_CONVERTER } from './latte.js';
import { OPENSORA12_CONVERTER } from './opensora-1.2.js';
import { OPENSORA_PLAN13_CONVERTER } from './opensora-plan-1.3.js';

/**
 * Every `--from` source the toolkit knows, with its converter; null where the converter is not built in
 * this version (the command names it and refuses).
 */
export const CONVERTERS: Record<string, CheckpointConverter | null> = {
  dit: DIT_CONVERTER,
  'latte-1': LATTE1_CONVERTER,
  'opensora-1.2': OPENSORA12_CONVERTER,
  'opensora-plan-1.3': OPENSORA_PLAN13_CONVERTER,
};

/** The `--from` names, in the order the command lists them. */
export const CONVERT_SOURCES = Object.keys(CONVERTERS);
