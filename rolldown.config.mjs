// Each worker thread's entry point (workers/, compiled by tsc into dist/workers/) bundled into
// one file in place, hdr-histogram-js included: a worker then starts by loading one module
// instead of some sixty, its boot's largest cost after Node's own (`startup` in the bench).
// Run after tsc (`npm run build`, test/global-setup.ts).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'rolldown';

const dist = fileURLToPath(new URL('dist/workers/', import.meta.url));

/** Every entry in workers/. */
const WORKERS = readdirSync(new URL('workers/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -'.ts'.length));

/**
 * hdr-histogram-js's helpers, done by Node instead: its WebAssembly is inflated with pako and
 * decoded with base64-js, which in a fresh worker run interpreted (src/roles/metrics.ts swaps
 * pako for node:zlib where it is not bundled).
 */
const ON_NODE = {
  pako: [
    "import { deflateSync, inflateSync } from 'node:zlib';",
    'export const inflate = (data) => inflateSync(data);',
    'export const deflate = (data) => deflateSync(data);',
  ],
  'base64-js': [
    'export const toByteArray = (text) => Buffer.from(text, "base64");',
    'export const fromByteArray = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");',
  ],
};

/**
 * hdr-histogram-js on Node's own zlib and base64. It also finds zlib for encoding through a
 * direct eval of `require`, which a bundle does not have in scope: made a plain require, the
 * bundler provides it.
 */
const hdrHistogramOnNode = {
  name: 'hdr-histogram-on-node',
  resolveId(source, importer) {
    if (Object.hasOwn(ON_NODE, source) && /[\\/]hdr-histogram-js[\\/]/.test(importer ?? '')) return `\0on-node:${source}`;
    return null;
  },
  load(id) {
    return id.startsWith('\0on-node:') ? ON_NODE[id.slice('\0on-node:'.length)].join('\n') : null;
  },
  transform(code, id) {
    if (!/[\\/]hdr-histogram-js[\\/]dist[\\/]JsHistogram\.encoding\.js$/.test(id)) return null;
    const evaled = /eval\('require\("zlib"\)\.(\w+)'\)/g;
    // A newer hdr-histogram-js that finds zlib differently must be looked at, not shipped broken.
    if (!evaled.test(code)) this.error(`${id}: no eval('require("zlib")...') left to replace`);
    return { code: code.replace(evaled, 'require("zlib").$1'), map: null };
  },
};

export default defineConfig(
  WORKERS.map((name) => ({
    input: `${dist}${name}.js`,
    platform: 'node',
    // The C compiler (~100 MB of WebAssembly) is loaded only to compile a C lock.
    external: ['@yowasp/clang'],
    plugins: [hdrHistogramOnNode],
    logLevel: 'warn',
    output: { file: `${dist}${name}.js`, format: 'esm', sourcemap: true },
  })),
);
