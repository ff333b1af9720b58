/**
 * The TypeScript loader used when the project has none of its own (loaders.ts detects the
 * project's first): a CommonJS require hook compiling each `.ts`/`.tsx`/`.cts`/`.mts` file outside
 * node_modules with **typescript's `transpileModule`** (CommonJS, inline source map with the
 * source), loaded in the test child before mocha. Pure JavaScript: the .vsix and the npm package
 * work on every platform (tsx needs esbuild's native binary, which npm installs for one platform
 * only). A relative `./x.js` that does not exist resolves to `./x.ts` (NodeNext style), as tsx
 * does. The project's tsconfig.json (at the run's root) contributes the options that change the
 * emitted code: target, jsx, experimentalDecorators, emitDecoratorMetadata, useDefineForClassFields.
 *
 * Candidates measured with `node out/bench/loaders.js` (bench/loaders.ts) on the governance
 * suite (246 tests, 15 source files), each run by the engine with V8 coverage; "figures" = the
 * covered/total lines, statements, functions and branches of every file compared with tsx's:
 *
 * Measured here with 2 shared cores under a load average of ~20 (other sessions' builds), so
 * the times are rough; the figures do not depend on load.
 *
 * | loader | native binary | median run, 3 runs | figures equal to tsx's |
 * | --- | --- | --- | --- |
 * | tsx 4.20 (esbuild 0.25) — reference | yes, per platform | 13.0 s | — |
 * | typescript 5.9 `transpileModule` (this) | no | 28.2 s | lines, statements, functions: all 15 files; branch totals: 9 files (6 differ by 1–6 branches, all 100% covered in both) |
 * | sucrase 3.35 (its register hook's transform) | no | 25.6 s | 9 of 15 files differ: functions (e.g. studentTrainingService 7 of tsx's 30), branches, one line |
 *
 * Chosen: typescript. Its lines, statements and functions equal tsx's in every file; branch
 * totals differ where the emitted JavaScript has a different block structure (TypeScript's own
 * `__importDefault`/export emit against esbuild's); on this suite every branch is covered under
 * both, so the percentages are equal. It is the slowest here (1.1× tsx in a single run at lower
 * load, 2.2× in the median above: loading the compiler and one transpile per file), which is the
 * price of running on every platform; a project with tsx keeps tsx. sucrase is about as fast
 * under this load, but its source maps misplace class members (a method maps to column 125 of
 * its line), so methods vanish from the function figures. `@swc/wasm` was not measured: its
 * 20 MB of wasm alone breaks the 5 MB .vsix goal. The compiler is no extra weight: the
 * engine already bundles it (ast.ts), as one shared dist/typescript.js (scripts/bundle.mjs).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
// pirates: the require-hook helper sucrase's and @babel/register's hooks use (composes with other hooks).
import { addHook } from 'pirates';

const NODE_MODULES = /[\\/]node_modules[\\/]/;

/** Options that change the emitted code, from the tsconfig.json of `root` (when readable). */
export function compilerOptions(root: string): ts.CompilerOptions {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    inlineSourceMap: true,
    inlineSources: true,
    jsx: ts.JsxEmit.React,
  };
  const file = path.join(root, 'tsconfig.json');
  if (!fs.existsSync(file)) return options;
  const read = ts.readConfigFile(file, (f) => fs.readFileSync(f, 'utf8'));
  if (read.error) return options;
  const parsed = ts.convertCompilerOptionsFromJson(read.config?.compilerOptions ?? {}, root).options;
  for (const key of ['target', 'jsx', 'experimentalDecorators', 'emitDecoratorMetadata', 'useDefineForClassFields'] as const) {
    if (parsed[key] !== undefined) (options as Record<string, unknown>)[key] = parsed[key];
  }
  return options;
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

/** Install the hook (once per process); `root` holds the project's tsconfig.json. */
export function register(root = process.cwd()): void {
  const g = globalThis as { __govcovTsLoader?: boolean };
  if (g.__govcovTsLoader) return;
  g.__govcovTsLoader = true;
  const options = compilerOptions(root);
  // Files under the root always (the embedded suite of an npm install lives in node_modules);
  // elsewhere, not in node_modules (published packages ship JavaScript).
  const inRoot = path.resolve(root) + path.sep;
  addHook((code, fileName) => ts.transpileModule(code, { fileName, compilerOptions: options }).outputText, {
    exts: ['.ts', '.tsx', '.cts', '.mts'],
    ignoreNodeModules: false,
    matcher: (f) => !f.endsWith('.d.ts') && (f.startsWith(inRoot) || !NODE_MODULES.test(f)),
  });
  patchResolution();
}

register();
