#!/usr/bin/env node
// Runs the TypeScript entry point through tsx in this same process (the workspace needs no build step):
// one process, so a signal sent to `teacache` reaches the command itself and its workers see it go.
import { register } from 'tsx/esm/api';

register();
await import('../src/bin.ts');
