/**
 * Test roots of a workspace folder: the folder itself when it has a mocha setup, our config or is
 * this project; and each package of a monorepo that has one of them — the packages its
 * package.json `workspaces` (or `pnpm-workspace.yaml`, `lerna.json`) declares, or, in a folder that
 * declares none and has no setup itself, the folders up to two levels down. Test folders,
 * fixtures and node_modules are never searched, so a project's own fixtures are not roots.
 * Nothing is executed: the checks read file names and package.json only.
 */
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import { CONFIG_FILE, isThisProject, PACKAGE_KEY } from './config';
import { findMochaSetup } from './mochaSetup';

/** True when `dir` has a mocha setup, our config, or is this project. */
export function isRoot(dir: string): boolean {
  if (fs.existsSync(path.join(dir, CONFIG_FILE)) || findMochaSetup(dir) || isThisProject(dir)) return true;
  try {
    return PACKAGE_KEY in JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    return false;
  }
}

/** The package globs a monorepo root declares (npm/yarn workspaces, pnpm, lerna), if any. */
export function workspaceGlobs(dir: string): string[] | undefined {
  const read = (f: string) => {
    try {
      return fs.readFileSync(path.join(dir, f), 'utf8');
    } catch {
      return undefined;
    }
  };
  const globs: string[] = [];
  try {
    const ws = JSON.parse(read('package.json') ?? '{}').workspaces;
    globs.push(...(Array.isArray(ws) ? ws : Array.isArray(ws?.packages) ? ws.packages : []));
  } catch {
    /* no package.json */
  }
  const pnpm = read('pnpm-workspace.yaml');
  if (pnpm) for (const m of pnpm.matchAll(/^\s*-\s*['"]?([^'"\n#]+?)['"]?\s*$/gm)) globs.push(m[1]);
  try {
    const lerna = JSON.parse(read('lerna.json') ?? '{}').packages;
    if (Array.isArray(lerna)) globs.push(...lerna);
  } catch {
    /* none */
  }
  const clean = globs.filter((g) => typeof g === 'string' && !g.startsWith('!'));
  return clean.length ? clean : undefined;
}

const NEVER = ['**/node_modules/**', '**/test/**', '**/tests/**', '**/fixtures/**', '**/.git/**', '**/coverage/**', '**/out/**', '**/dist/**'];

/** The test roots of a workspace folder (absolute, the folder first when it is one, then sorted). */
export async function findRoots(folder: string): Promise<string[]> {
  const root = path.resolve(folder);
  const own = isRoot(root);
  const declared = workspaceGlobs(root);
  if (own && !declared) return [root];
  const patterns = declared ?? ['*', '*/*'];
  const dirs = await fg(patterns, { cwd: root, onlyDirectories: true, absolute: true, ignore: NEVER, dot: false });
  const nested = dirs.map((d) => path.resolve(d)).filter((d) => d !== root && isRoot(d)).sort();
  return own ? [root, ...nested] : nested;
}
