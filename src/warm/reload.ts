/**
 * The warm child's module bookkeeping (see warmRunner.ts): which CommonJS modules of the project
 * must leave `require.cache` before a rerun, and which changes the child cannot take in place.
 *
 * - Every project module (outside node_modules) is remembered with the text it had on disk when
 *   it compiled; at the next run, one whose text differs (or that is gone) is *changed*.
 * - Unloaded before a run: the changed modules, every module that required them (transitively,
 *   through each cached module's `children`, which Node records for every `require` edge, cached
 *   loads included), and every test file (mocha's suite is re-created each run, so test files
 *   register their tests again).
 * - A changed module the child cannot reload: one loaded while the `require` entries loaded
 *   (setup files, root hook plugins: registered once, when the child started), directly or as a
 *   dependency — the child answers that it cannot serve and the runner starts a fresh one.
 */
import * as fs from 'fs';

/** The part of a cached CommonJS module the bookkeeping reads. */
export interface CachedModule {
  id?: string;
  filename?: string;
  children?: CachedModule[];
}

export type ModuleCache = Record<string, CachedModule | undefined>;

/** Modules outside node_modules (and not Node's own). */
export const isProjectModule = (file: string): boolean => !/[\\/]node_modules[\\/]/.test(file) && !file.startsWith('node:');

export class ModuleTracker {
  /** Text on disk of each project module when it compiled. */
  private readonly texts = new Map<string, string | undefined>();
  /** Modules that must not be reloaded (loaded with the `require` entries). */
  private readonly pinned = new Set<string>();

  /** A project module is compiling: remember its text on disk. */
  compiled(file: string): void {
    if (!isProjectModule(file) || this.texts.has(file)) return;
    this.texts.set(file, read(file));
  }

  /** Pin every project module loaded so far (call once the `require` entries are in). */
  pinLoaded(cache: ModuleCache): void {
    for (const file of Object.keys(cache)) if (isProjectModule(file)) this.pinned.add(file);
  }

  /** Remembered modules whose text on disk differs from the one that compiled. */
  changed(): string[] {
    return [...this.texts].filter(([file, text]) => read(file) !== text).map(([file]) => file);
  }

  /**
   * What to unload before a run: the changed modules, their dependents and the test files; or
   * the reason the child cannot take the change (a pinned module changed).
   */
  plan(cache: ModuleCache, testFiles: Iterable<string>, all: boolean): { unload: string[] } | { refuse: string } {
    const changed = this.changed();
    const bad = changed.find((f) => this.pinned.has(f));
    if (bad) return { refuse: `${bad} changed and was loaded by the mocha setup's require entries (it cannot be reloaded in place)` };
    const seeds = all ? Object.keys(cache).filter((f) => isProjectModule(f) && !this.pinned.has(f)) : [...changed, ...testFiles];
    const unload = dependents(cache, seeds);
    const pinnedDependent = [...unload].find((f) => this.pinned.has(f));
    if (pinnedDependent) return { refuse: `${pinnedDependent} (loaded by the mocha setup's require entries) depends on a changed module` };
    return { unload: [...unload] };
  }

  /** Take `files` out of `cache` (and out of every module's `children`); forget their texts. */
  unload(cache: ModuleCache, files: readonly string[]): void {
    const gone = new Set(files);
    for (const f of files) {
      delete cache[f];
      this.texts.delete(f);
    }
    for (const m of Object.values(cache)) if (m?.children) m.children = m.children.filter((c) => !gone.has(c.filename ?? c.id ?? ''));
  }
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `seeds` and every cached module that requires one of them, transitively. */
export function dependents(cache: ModuleCache, seeds: Iterable<string>): Set<string> {
  const parents = new Map<string, string[]>();
  for (const [file, m] of Object.entries(cache)) {
    for (const c of m?.children ?? []) {
      const child = c.filename ?? c.id;
      if (!child) continue;
      let list = parents.get(child);
      if (!list) parents.set(child, (list = []));
      list.push(file);
    }
  }
  const out = new Set<string>();
  const stack = [...seeds];
  while (stack.length) {
    const f = stack.pop()!;
    if (out.has(f)) continue;
    out.add(f);
    for (const p of parents.get(f) ?? []) if (isProjectModule(p)) stack.push(p);
  }
  return out;
}
