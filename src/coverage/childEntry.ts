/**
 * Where a test process's entry (the coverage child, the warm child) is loaded from: the compiled
 * bundle or tsc output beside the caller, else, running from this repository's TypeScript (unit
 * tests under tsx), its tsc build when that is up to date, else the TypeScript under tsx.
 */
import * as fs from 'fs';
import * as path from 'path';
import { resolveRequire } from './config';

/**
 * The compiled entry `name` next to `dir` (`<name>.js`). Running from the TypeScript sources (unit
 * tests under tsx), the same file of this repository's tsc build (`out/src/…`) when the build is
 * newer than every engine source, else the TypeScript under tsx: the same code, without compiling
 * the child's modules again in every test process.
 */
export function childEntry(dir = __dirname, name = 'child'): { file: string; execArgv: string[] } {
  const js = path.join(dir, `${name}.js`);
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  const built = builtFromSource(dir, name);
  if (built) return { file: built, execArgv: [] };
  return { file: path.join(dir, `${name}.ts`), execArgv: ['--require', resolveRequire('tsx/cjs', __dirname)] };
}

let engineSourcesNewest: number | undefined;

/** `out/src/<dir>/<name>.js` of the repository `dir` is in, if it is newer than src/ (the domain aside). */
function builtFromSource(dir: string, name: string): string | undefined {
  const src = path.resolve(dir, '..');
  if (path.basename(src) !== 'src') return undefined;
  const built = path.join(src, '..', 'out', 'src', path.basename(dir), `${name}.js`);
  if (!fs.existsSync(built)) return undefined;
  engineSourcesNewest ??= newestMtime(src, path.join(src, 'governance'));
  return fs.statSync(built).mtimeMs >= engineSourcesNewest ? built : undefined;
}

function newestMtime(dir: string, skip: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (p === skip) continue;
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p, skip) : fs.statSync(p).mtimeMs);
  }
  return newest;
}
