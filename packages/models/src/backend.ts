import * as tf from '@tensorflow/tfjs';

export type BackendRequest = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** What was tried, in order, and why each candidate was or was not taken. */
export interface BackendChoice {
  /** tfjs backend name now active: 'tensorflow', 'wasm' or 'cpu'. */
  name: string;
  /** The npm package that provides it. */
  provider: string;
  requested: BackendRequest;
  /** Why this one runs. */
  reason: string;
  attempts: { provider: string; ok: boolean; detail: string }[];
}

let active: BackendChoice | null = null;

/** Read the backend request from a CLI value or TEACACHE_BACKEND; defaults to auto. */
export function backendRequestFrom(value: string | undefined = process.env.TEACACHE_BACKEND): BackendRequest {
  const v = (value ?? '').trim().toLowerCase() || 'auto';
  if (!(BACKEND_REQUESTS as readonly string[]).includes(v)) {
    throw new Error(`backend "${value}" is not one of ${BACKEND_REQUESTS.join(', ')} (from --backend or TEACACHE_BACKEND)`);
  }
  return v as BackendRequest;
}

async function tryTensorflow(attempts: BackendChoice['attempts']): Promise<string | null> {
  // Both packages register the same 'tensorflow' kernels before they find out their native binding is
  // missing; the second registration would print one warning per kernel, so warnings are held back here.
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await tryTensorflowQuietly(attempts);
  } finally {
    console.warn = warn;
  }
}

async function tryTensorflowQuietly(attempts: BackendChoice['attempts']): Promise<string | null> {
  for (const provider of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    if (await tryProvider(provider, 'tensorflow', 'native libtensorflow loaded', attempts)) return provider;
  }
  return null;
}

async function tryWasm(attempts: BackendChoice['attempts']): Promise<boolean> {
  return tryProvider('@tensorflow/tfjs-backend-wasm', 'wasm', 'WebAssembly (SIMD, one thread in Node)', attempts);
}

/** Import a backend package and activate its backend; record the outcome either way. */
async function tryProvider(provider: string, backend: string, detail: string, attempts: BackendChoice['attempts']): Promise<boolean> {
  try {
    await import(provider);
    if (!(await tf.setBackend(backend))) throw new Error(`setBackend("${backend}") returned false`);
    await tf.ready();
    attempts.push({ provider, ok: true, detail });
    return true;
  } catch (err) {
    attempts.push({ provider, ok: false, detail: firstLine(err) });
    return false;
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find (module|package)/.test(msg)) return 'not installed';
  if (/tfjs_binding\.node\) can not be found/.test(msg)) return 'installed, but its native binding is missing (its install script could not download libtensorflow)';
  return msg.split('\n')[0].slice(0, 200);
}

/**
 * Choose and activate the tfjs backend: auto tries tfjs-node-gpu, tfjs-node, then wasm; the plain cpu
 * backend (about 50x slower) runs only when asked for by name. Throws when the request cannot be met.
 */
export async function selectBackend(request: BackendRequest = backendRequestFrom()): Promise<BackendChoice> {
  if (active && active.requested === request) return active;
  const attempts: BackendChoice['attempts'] = [];
  let choice: BackendChoice | null = null;
  if (request === 'auto' || request === 'tensorflow') {
    const provider = await tryTensorflow(attempts);
    if (provider) choice = { name: 'tensorflow', provider, requested: request, reason: `${provider} loaded`, attempts };
  }
  if (!choice && (request === 'auto' || request === 'wasm')) {
    if (await tryWasm(attempts)) {
      const why = request === 'wasm' ? 'asked for by name' : 'no native TensorFlow binding could be loaded';
      choice = { name: 'wasm', provider: '@tensorflow/tfjs-backend-wasm', requested: request, reason: why, attempts };
    }
  }
  if (!choice && request === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    attempts.push({ provider: '@tensorflow/tfjs (cpu)', ok: true, detail: 'plain JavaScript kernels' });
    choice = { name: 'cpu', provider: '@tensorflow/tfjs', requested: request, reason: 'asked for by name (about 50x slower than wasm)', attempts };
  }
  if (!choice) {
    const tried = attempts.map((a) => `${a.provider}: ${a.detail}`).join('; ');
    throw new Error(`no ${request === 'auto' ? 'fast' : request} backend could be started (${tried}). ` +
      'The plain cpu backend is about 50x slower and runs only with --backend cpu.');
  }
  active = choice;
  return choice;
}

/** One line for logs: which backend runs and why. */
export function describeBackend(choice: BackendChoice): string {
  return `backend: ${choice.name} (${choice.provider}; ${choice.reason})`;
}
