#!/usr/bin/env node
// With no command named (--help, --version, a typo), the command runs from its bundled front (see front.js), which
// starts without tsx. A named command runs its TypeScript through tsx in this same process: one process, so a signal
// sent to `teacache` reaches the command itself and its workers see it go.
import { loadFront } from './front.js';

const argv = process.argv.slice(2);
const front = await loadFront();
if (front !== null && front.namedCommands(argv).length === 0) {
  await front.start(argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const sources = '../src/bin.ts'; // through a variable: the type checker would refuse a .ts import path here
  await import(sources);
}
