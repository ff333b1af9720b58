/**
 * How unit tests start the CLI: the tsc build (`out/src/cli.js`, which `npm test` makes first)
 * when it is newer than every file under src/, else the TypeScript itself under tsx. The same
 * code either way; the build spares every CLI process, and every test process it starts, from
 * compiling the sources again (a second of CPU each). A source edited since the build is run as
 * TypeScript, so a stale build is never what a test checks.
 */
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');
let cached: string[] | undefined;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** The node arguments that start the CLI (append its own arguments). */
export function cliArgs(): string[] {
  if (!cached) {
    const built = path.join(REPO, 'out', 'src', 'cli.js');
    const fresh = fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestSource(path.join(REPO, 'src'));
    cached = fresh ? [built] : ['--require', require.resolve('tsx/cjs'), path.join(REPO, 'src', 'cli.ts')];
  }
  return cached;
}
