/**
 * Loaded in the test child before the embedded governance suite when it runs from the packages
 * (.vsix, npm): the suite's TypeScript in `dist/embedded` imports `sql.js` and `fast-check`, and
 * the packages hold no node_modules. A request that Node cannot resolve the usual way falls back
 * to the copy shipped in `dist/`:
 * - `sql.js` → `dist/vendor/sql-wasm.js` (sql.js's own file, the one build the suite uses),
 *   `sql.js/dist/sql-wasm.wasm` → `dist/sql-wasm.wasm`;
 * - `fast-check` → `dist/vendor/fast-check.js` (fast-check bundled by esbuild).
 * A project that has these packages installed keeps its own (resolution is tried first).
 */
import * as path from 'path';

const ALIASES: Record<string, string> = {
  'sql.js': path.join(__dirname, 'vendor', 'sql-wasm.js'),
  'sql.js/dist/sql-wasm.js': path.join(__dirname, 'vendor', 'sql-wasm.js'),
  'sql.js/dist/sql-wasm.wasm': path.join(__dirname, 'sql-wasm.wasm'),
  'fast-check': path.join(__dirname, 'vendor', 'fast-check.js'),
};

// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('module') as { _resolveFilename(req: string, parent: unknown, ...rest: unknown[]): string };
const original = Module._resolveFilename;
Module._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]) {
  try {
    return original.call(this, request, parent, ...rest);
  } catch (err) {
    const alias = ALIASES[request];
    if (alias) return alias;
    throw err;
  }
};
