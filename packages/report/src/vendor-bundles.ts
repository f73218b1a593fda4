import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A browser bundle to inline into the report page. */
export interface VendorBundle {
  name: string;
  path: string;
  source: string;
}

const require = createRequire(import.meta.url);

/** The UMD bundles the page needs, in load order (vega-lite needs vega; vega-embed needs both), next to each package's entry. */
const BUNDLES: readonly { name: string; file: string }[] = [
  { name: 'vega', file: 'vega.min.js' },
  { name: 'vega-lite', file: 'vega-lite.min.js' },
  { name: 'vega-embed', file: 'vega-embed.min.js' },
];

/**
 * Read vega, vega-lite and vega-embed's minified browser bundles from node_modules, so the report page
 * works offline (no CDN). Throws if a bundle is missing or cannot be inlined safely in a script element.
 */
export function readVendorBundles(): VendorBundle[] {
  return BUNDLES.map(({ name, file }) => {
    const path = join(dirname(require.resolve(name)), file);
    if (!existsSync(path)) throw new Error(`report page: the browser bundle of ${name} is missing at ${path} (reinstall with pnpm install)`);
    const source = readFileSync(path, 'utf8');
    // Inside <script>, "<!--" changes how the HTML parser looks for the closing tag.
    if (/<!--/.test(source)) throw new Error(`report page: ${path} contains "<!--" and cannot be inlined in a script element`);
    return { name, path, source };
  });
}

/** Make script text safe to place between <script> and </script>: no early end tag. */
export function inlineScriptText(source: string): string {
  // "<\/script" means the same as "</script" inside JS strings and regular expressions, the only places it can occur.
  return source.replace(/<\/(script)/gi, '<\\/$1');
}
