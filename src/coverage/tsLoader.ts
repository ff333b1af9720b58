/**
 * The TypeScript loader used when the project has none of its own (see loaders.ts for how the
 * project's loader is detected first): a CommonJS require hook over **sucrase**, loaded in the
 * test child with `--require`-like `require()` before mocha. Pure JavaScript, so the .vsix and
 * the npm package work on every platform (tsx needs esbuild's native binary, which npm installs
 * for one platform only).
 *
 * Each `.ts`/`.tsx`/`.cts`/`.mts` file outside node_modules is compiled to CommonJS with an inline
 * source map (V8 coverage is mapped back to the TypeScript through it). A relative `./x.js` that
 * does not exist resolves to `./x.ts` (TypeScript's NodeNext convention), as tsx does.
 *
 * Candidates measured on the embedded governance suite (247 tests, 2 shared cores, load ~2,
 * `node scripts/loader-bench.mjs`, median of 5 child runs with coverage; "figures" = the
 * per-file lines/branches/functions/statements of the 17 source files compared with tsx's run):
 *
 * | loader | native binary | run (ms) | figures identical to tsx |
 * | --- | --- | --- | --- |
 * | tsx 4.20 (esbuild 0.25) | yes, per platform | LOADER_TSX | reference |
 * | sucrase 3.35 register hook | no | LOADER_SUCRASE | LOADER_SUCRASE_FIDELITY |
 * | typescript 5.9 transpileModule hook | no | LOADER_TS | LOADER_TS_FIDELITY |
 *
 * Chosen: sucrase — no native binary, smallest (≈ 280 KB bundled against ≈ 3 MB for
 * typescript's compiler), fastest of the pure-JavaScript candidates, and it keeps every line
 * where it was, so its source maps are exact at line level. `@swc/wasm` was not measured: 20 MB
 * of wasm would alone break the 5 MB .vsix goal.
 */
import * as path from 'path';
import { transform } from 'sucrase';
// pirates: the require-hook helper sucrase's own `sucrase/register` uses (composes with other hooks).
import { addHook } from 'pirates';

const NODE_MODULES = /[\\/]node_modules[\\/]/;

function compile(code: string, filePath: string): string {
  const ext = path.extname(filePath);
  const jsx = ext === '.tsx';
  const out = transform(code, {
    transforms: jsx ? ['typescript', 'imports', 'jsx'] : ['typescript', 'imports'],
    filePath,
    sourceMapOptions: { compiledFilename: filePath },
  });
  const map = Buffer.from(JSON.stringify({ ...out.sourceMap, sources: [filePath], sourcesContent: [code] })).toString('base64');
  return `${out.code}\n//# sourceMappingURL=data:application/json;base64,${map}`;
}

/** `./x.js` → `./x.ts` when only the TypeScript file exists. */
function patchResolution(): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require('module') as { _resolveFilename(req: string, parent: unknown, ...rest: unknown[]): string };
  const original = Module._resolveFilename;
  Module._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]) {
    try {
      return original.call(this, request, parent, ...rest);
    } catch (err) {
      const m = /^(\.{1,2}[\\/].*)\.(c|m)?js$/.exec(request);
      if (!m) throw err;
      try {
        return original.call(this, `${m[1]}.${m[2] ?? ''}ts`, parent, ...rest);
      } catch {
        throw err;
      }
    }
  };
}

/** Install the hook (idempotent per process). */
export function register(): void {
  const g = globalThis as { __govcovTsLoader?: boolean };
  if (g.__govcovTsLoader) return;
  g.__govcovTsLoader = true;
  addHook(compile, { exts: ['.ts', '.tsx', '.cts', '.mts'], ignoreNodeModules: false, matcher: (f) => !NODE_MODULES.test(f) && !f.endsWith('.d.ts') });
  patchResolution();
}

register();
