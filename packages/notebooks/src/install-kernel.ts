import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNEL_LAUNCHER, KERNEL_NAME, jupyterCommand } from './kernel-spec.js';

/** kernel.json for a registered copy of the kernel spec: the launcher by absolute path, since the copy lives elsewhere. */
export function userKernelJson(launcher = KERNEL_LAUNCHER, node = process.execPath): object {
  return {
    argv: [node, launcher, '--config-path', '{connection_file}'],
    display_name: 'TypeScript (teacache)',
    language: 'typescript',
  };
}

/**
 * Register the teacache kernel for the current user (jupyter kernelspec install --user --replace), so that
 * Jupyter started anywhere offers it. The runner does not need this: it puts the spec on JUPYTER_PATH.
 * Returns what jupyter printed.
 */
export function installUserKernel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'teacache-kernel-'));
  try {
    writeFileSync(join(dir, 'kernel.json'), JSON.stringify(userKernelJson(), null, 2) + '\n');
    const r = spawnSync(jupyterCommand(), ['kernelspec', 'install', '--user', '--replace', '--name', KERNEL_NAME, dir], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new Error(`jupyter kernelspec install failed: ${r.error?.message ?? r.stderr.trim()}`);
    return `${r.stdout}${r.stderr}`.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
