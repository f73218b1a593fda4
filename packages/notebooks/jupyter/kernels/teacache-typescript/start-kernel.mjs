// Starts tslab's TypeScript kernel so that notebooks can import the workspace packages, whose package.json
// `exports` point at TypeScript sources (no build step). Plain tslab cannot, for three reasons:
//  1. the notebooks live outside this package, so node looks for `@teacache/*` from the notebook's folder
//     and finds nothing: NODE_PATH adds this package's node_modules to the search;
//  2. tslab runs cells as CommonJS, so `@teacache/report` would be require()d, and vega inside it uses
//     top-level await, which require() refuses: here the packages are imported as ES modules (through tsx's
//     loader, which compiles their .ts files) before the kernel starts, and require() is answered from the
//     require cache with those module namespaces;
//  3. tslab's type checker (its own TypeScript 5.0) resolves modules the Node10 way, which ignores
//     `exports`: each package gets an explicit `paths` entry to its entry file.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register as registerTsx } from 'tsx/esm/api';

const packageDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const nodeModules = join(packageDir, 'node_modules');
const require = createRequire(join(packageDir, 'package.json'));

/** Each `@teacache/*` dependency of this package with its TypeScript entry file (from its `exports`). */
function workspacePackages() {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  return Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@teacache/')).map((name) => {
    const dir = join(nodeModules, name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const dot = typeof pkg.exports === 'string' ? pkg.exports : pkg.exports?.['.'];
    if (typeof dot !== 'string') throw new Error(`${name}: expected exports["."] to be a path in ${dir}/package.json`);
    return { name, entry: join(dir, dot) };
  });
}

const packages = workspacePackages();

// (1) NODE_PATH is read once at startup; _initPaths re-reads it.
process.env.NODE_PATH = [nodeModules, process.env.NODE_PATH].filter(Boolean).join(delimiter);
Module._initPaths();

// (2) Import every package as ESM, then answer require() of its name with the namespace. A package that
// fails to import does not stop the kernel: a cell that uses it fails with the import's error instead.
registerTsx();
for (const { name } of packages) {
  const filename = require.resolve(name);
  let namespace;
  try {
    namespace = await import(pathToFileURL(filename).href);
  } catch (err) {
    const failure = new Error(`${name} failed to import when the kernel started: ${err?.stack ?? err}`);
    namespace = new Proxy({}, { get: () => { throw failure; } });
  }
  const cached = new Module(filename);
  Object.assign(cached, { filename, loaded: true, exports: namespace });
  require.cache[filename] = cached;
}

// (3) tslab's bundled TypeScript exports its functions as getters, so its compiler options are changed by
// handing tslab (through the require cache) a copy of the module with one function wrapped. `paths` needs a
// base: without one, tslab's declaration emit (how it carries types from cell to cell) cannot name a
// package's types ("cannot be named without a reference to ..."); bare names resolve as from this package.
const fromTslab = createRequire(require.resolve('tslab/package.json'));
const tsFile = fromTslab.resolve('@tslab/typescript-for-tslab');
const ts = fromTslab(tsFile);
const paths = Object.fromEntries(packages.map(({ name, entry }) => [name, [entry]]));
require.cache[tsFile].exports = {
  ...ts,
  createWatchCompilerHost(rootFiles, options, ...rest) {
    return ts.createWatchCompilerHost(rootFiles, { ...options, baseUrl: nodeModules, paths }, ...rest);
  },
};

// tslab answers a failed cell with a bare status "error" (the reason went to the cell's stderr), so
// nbconvert would report "<Error>:" and nothing else. Fill in the protocol's ename/evalue from that stderr.
const { JupyterHandlerImpl } = require('tslab/dist/jupyter.js');
const handleExecute = JupyterHandlerImpl.prototype.handleExecute;
JupyterHandlerImpl.prototype.handleExecute = async function (request, writeStream, writeDisplayData) {
  let stderr = '';
  const capture = (name, text) => {
    if (name === 'stderr') stderr += text;
    writeStream(name, text);
  };
  const reply = await handleExecute.call(this, request, capture, writeDisplayData);
  if (reply.status === 'error') {
    const lines = stderr.trim().split('\n').slice(-40).map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l));
    Object.assign(reply, { ename: 'CellFailed', evalue: lines.join('\n') || 'the cell failed without a message', traceback: [] });
  }
  return reply;
};

// The kernel spec passes the connection file as: start-kernel.mjs --config-path <file>.
const configIndex = process.argv.indexOf('--config-path');
if (configIndex < 0 || !process.argv[configIndex + 1]) throw new Error('usage: start-kernel.mjs --config-path <connection file>');
// enableFindLocal: false, or tslab would hand over to another tslab found above the notebook's folder.
require('tslab/dist/main.js').startKernel({ configPath: process.argv[configIndex + 1], enableFindLocal: false, jsKernel: false });
