// `pnpm -s teacache --help` from the bundled front against the same command from the TypeScript sources
// (TEACACHE_FRONT=off, the start before the front existed), interleaved in one run: wall and CPU of each run
// (/usr/bin/time: user + sys of the whole process tree, pnpm included), medians and the per-pair wall ratio.
//   tsx bench/help.bench.ts [ROUNDS]
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const rounds = Number(process.argv[2] ?? 8);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds: expected a whole number >= 1, got ${process.argv[2]}`);

function timed(front: boolean): { wall: number; cpu: number } {
  const env = { ...process.env, TEACACHE_FRONT: front ? '' : 'off' };
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', 'pnpm', '-s', 'teacache', '--help'], { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pnpm -s teacache --help exited with ${r.status}: ${r.stderr}`);
  const line = r.stderr.split('\n').find((l) => l.startsWith('TIME '));
  if (!line) throw new Error(`no timing printed by /usr/bin/time: ${r.stderr}`);
  const [wall, user, sys] = line.split(' ').slice(1).map(Number);
  return { wall, cpu: user + sys };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
timed(true); // builds the front if it is stale, so no round pays for that
const runs = { front: [] as { wall: number; cpu: number }[], sources: [] as { wall: number; cpu: number }[] };
for (let i = 0; i < rounds; i++) {
  runs.front.push(timed(true));
  runs.sources.push(timed(false));
  process.stderr.write(`round ${i + 1}/${rounds}\n`);
}
for (const [name, rs] of Object.entries(runs)) {
  console.log(`${name}: wall median ${median(rs.map((r) => r.wall)).toFixed(2)} s (${Math.min(...rs.map((r) => r.wall)).toFixed(2)}-${Math.max(...rs.map((r) => r.wall)).toFixed(2)}), `
    + `CPU median ${median(rs.map((r) => r.cpu)).toFixed(2)} s`);
}
console.log(`sources / front, wall, per pair: median ${median(runs.front.map((f, i) => runs.sources[i].wall / f.wall)).toFixed(2)}x`);
