/**
 * The Node.js that runs the tests (and reads the mocha options): the one named by
 * `governanceCoverage.nodePath` / CLI `--node`, else the `node` on PATH, else the process's own
 * (the editor's Electron as Node, with `ELECTRON_RUN_AS_NODE`). A Node older than
 * {@link MIN_NODE} is refused with a message saying how to choose another one.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Oldest Node the test process supports: `module.register` (ESM source capture) and mocha 10+. */
export const MIN_NODE = '18.19.0';

export interface NodeRuntime {
  /** The executable. */
  path: string;
  /** e.g. `20.19.0`. */
  version: string;
}

/** A requested Node that cannot run or is too old. */
export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** `a >= b` for dotted versions. */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map((n) => parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) > (pb[i] ?? 0);
  return true;
}

/** The first `node` executable on PATH, if any. */
export function nodeOnPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const names = process.platform === 'win32' ? ['node.exe'] : ['node'];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) return file;
      } catch {
        /* next */
      }
    }
  }
  return undefined;
}

/** The version a Node executable reports (`undefined` when it does not run). */
export function nodeVersion(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, ['-p', 'process.versions.node'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 15_000 }, (err, out) =>
      resolve(err ? undefined : String(out).trim() || undefined),
    );
  });
}

const cache = new Map<string, Promise<NodeRuntime>>();

/**
 * The runtime for a run. `requested` (setting / `--node`) must exist and be recent enough; without
 * it, the `node` on PATH when recent enough, else this process's own executable.
 */
export function resolveNode(requested?: string): Promise<NodeRuntime> {
  const key = requested ?? '';
  let found = cache.get(key);
  if (!found) {
    found = requested ? checkRequested(requested) : defaultRuntime();
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

async function checkRequested(requested: string): Promise<NodeRuntime> {
  const version = await nodeVersion(requested);
  const how = 'Set governanceCoverage.nodePath (editor) or --node (CLI) to a Node.js executable';
  if (!version) throw new RuntimeError(`Cannot run the Node.js "${requested}". ${how}.`);
  if (!versionAtLeast(version, MIN_NODE)) {
    throw new RuntimeError(`Node.js ${version} ("${requested}") is too old: the tests need Node.js ${MIN_NODE} or newer. ${how} that is at least ${MIN_NODE}.`);
  }
  return { path: requested, version };
}

async function defaultRuntime(): Promise<NodeRuntime> {
  const onPath = nodeOnPath();
  const version = onPath ? await nodeVersion(onPath) : undefined;
  if (onPath && version && versionAtLeast(version, MIN_NODE)) return { path: onPath, version };
  return { path: process.execPath, version: process.versions.node };
}
