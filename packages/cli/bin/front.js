// @ts-check
// The command's front: its argument parsing and top-level help (src/start.ts with yargs and core's errors), bundled
// into one JavaScript file so `teacache --help` starts without loading tsx and some fifty separate modules.
// The bundle is built here on first use, and again whenever one of its inputs changes: its first lines record the
// inputs and their hashes, checked at every start, so it never runs older code than the sources. A named command
// never runs from it: its TypeScript runs through tsx, with one copy of every module (see teacache.js).
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(CLI_DIR, 'src', 'start.ts');
const MARK = '// teacache front ';

/** Where the bundle lives: packages/cli/dist/front.mjs, or TEACACHE_FRONT_FILE (tests point it elsewhere). */
export function frontFile() {
  return process.env.TEACACHE_FRONT_FILE ?? join(CLI_DIR, 'dist', 'front.mjs');
}

/**
 * @typedef {{ start(argv: string[]): Promise<void>; namedCommands(argv: readonly string[]): string[] }} Front
 * @typedef {{ cliDir: string; inputs: Record<string, string> }} FrontHeader
 */

/** The sha1 of a file's bytes, hex. */
function hashOf(/** @type {string} */ path) {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

/**
 * Whether a bundle's text was built here from inputs that are all unchanged. Input paths are relative to the cli
 * package; the package's own path is recorded too, since bundled packages locate their files (yargs: its
 * package.json and locales) by the absolute paths they had at build time.
 * @param {string} text
 */
function isFresh(text) {
  if (!text.startsWith(MARK)) return false;
  /** @type {FrontHeader} */
  let header;
  try {
    header = JSON.parse(text.slice(MARK.length, text.indexOf('\n')));
  } catch {
    return false;
  }
  if (header.cliDir !== CLI_DIR || typeof header.inputs !== 'object' || Object.keys(header.inputs).length === 0) return false;
  try {
    return Object.entries(header.inputs).every(([path, hash]) => hashOf(resolve(CLI_DIR, path)) === hash);
  } catch {
    return false; // an input that is gone
  }
}

/**
 * An esbuild plugin: bundled files see `import.meta.url` as the file they were read from, so a package that finds
 * its own files by it (yargs reads its package.json and locales) finds them where they are.
 * @type {import('esbuild').Plugin}
 */
const originalFileUrls = {
  name: 'original-file-urls',
  setup(build) {
    build.onLoad({ filter: /\.(m?js|cjs|ts)$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: args.path.endsWith('.ts') ? 'ts' : 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

/**
 * An esbuild plugin: the workspace's dynamic imports (each command module, loaded only when its command is named)
 * stay out of the bundle; should one ever run from it, it fails saying so instead of loading a second copy of core.
 * @type {import('esbuild').Plugin}
 */
const commandsStayOut = {
  name: 'commands-stay-out',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' && !args.importer.includes('node_modules')
      ? { path: args.path, namespace: 'not-in-front' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'not-in-front' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`teacache: ${args.path} is loaded only from the TypeScript sources, never by the bundled front (packages/cli/bin/front.js)`)});`,
      loader: 'js',
    }));
  },
};

/**
 * Bundle src/start.ts with what it imports into `file` (written whole: a temp file, then a rename), headed by its
 * inputs and their hashes. Returns the bundle's text.
 * @param {string} file
 */
export async function buildFront(file) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [ENTRY], bundle: true, format: 'esm', platform: 'node', target: 'node20', minify: true,
    write: false, metafile: true, logLevel: 'silent', absWorkingDir: CLI_DIR,
    plugins: [commandsStayOut, originalFileUrls],
  });
  /** @type {Record<string, string>} */
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.startsWith('not-in-front:')) continue;
    const path = resolve(CLI_DIR, input);
    inputs[relative(CLI_DIR, path)] = hashOf(path);
  }
  const text = `${MARK}${JSON.stringify({ cliDir: CLI_DIR, inputs })}\n${result.outputFiles[0].text}`;
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.partial`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  return text;
}

/**
 * The bundled front, built first if it is missing or older than its sources; null when TEACACHE_FRONT=off or it can
 * be neither read nor built (a read-only install): the caller then runs the same code from the sources, only slower.
 * @returns {Promise<Front | null>}
 */
export async function loadFront() {
  if (process.env.TEACACHE_FRONT === 'off') return null;
  const file = frontFile();
  try {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // not built yet
    }
    if (!isFresh(text)) {
      mkdirSync(dirname(file), { recursive: true });
      accessSync(dirname(file), constants.W_OK);
      await buildFront(file);
    }
    return /** @type {Front} */ (await import(pathToFileURL(file).href));
  } catch (err) {
    if (process.env.TEACACHE_DEBUG) process.stderr.write(`teacache: the bundled front is not used (${/** @type {Error} */ (err).message})\n`);
    return null;
  }
}

// `node bin/front.js` builds the bundle (scripts/setup.sh does, so the first `teacache --help` is already quick).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = frontFile();
  await buildFront(file);
  process.stdout.write(`teacache: wrote the command's bundled front to ${file}\n`);
}
