import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The Python package's own tests (pytest on Debian's python3-torch), so `pnpm test` runs them in CI.
test('the pytest suite of integrations/pytorch passes', () => {
  const root = join(import.meta.dirname, '..', '..', '..', '..');
  const r = spawnSync('/usr/bin/python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', join(root, 'integrations', 'pytorch')], {
    encoding: 'utf8', cwd: root, timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`pytest exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  expect(r.stdout).toMatch(/\d+ passed/);
});
