/**
 * Reconciling the Test Explorer tree with the disk when the file watcher misses events.
 *
 * VS Code's file watcher is a best-effort channel: under load code-server's recursive watcher
 * can deliver events late, coalesce them, or lose them (an inotify queue overflow, a watch not yet
 * added to a freshly created folder, a watcher that failed to start because the user's inotify
 * instances ran out). The tree must still converge on what is on disk, so the tree keeps a cheap
 * stamp (mtime, ctime, size, inode) of every test file it parsed from disk and periodically
 * compares it with a fresh listing. Plain Node (no `vscode` import), unit-tested in test/unit.
 */
import * as fs from 'fs';

/** Identity of one version of a file on disk: changes whenever its content is rewritten. */
export type FileStamp = string;

/** Files that appeared, changed or disappeared between two stamp maps. */
export interface StampDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

/** The stamp of a `stat` result. */
export function stampOf(st: Pick<fs.Stats, 'mtimeMs' | 'ctimeMs' | 'size' | 'ino'>): FileStamp {
  return `${st.mtimeMs}:${st.ctimeMs}:${st.size}:${st.ino}`;
}

/** Stamps of `files`; a file that cannot be stat'ed (deleted meanwhile) is left out. */
export async function statStamps(files: readonly string[]): Promise<Map<string, FileStamp>> {
  const out = new Map<string, FileStamp>();
  await Promise.all(
    files.map(async (f) => {
      try {
        out.set(f, stampOf(await fs.promises.stat(f)));
      } catch {
        // gone between the listing and the stat: treated as absent
      }
    }),
  );
  return out;
}

/** What differs between the stamps the tree knows and the stamps on disk now (each list sorted). */
export function diffStamps(known: ReadonlyMap<string, FileStamp>, current: ReadonlyMap<string, FileStamp>): StampDiff {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [file, stamp] of current) {
    const was = known.get(file);
    if (was === undefined) added.push(file);
    else if (was !== stamp) changed.push(file);
  }
  for (const file of known.keys()) if (!current.has(file)) removed.push(file);
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}

/** Bounds of the reconcile period. */
export interface ReconcilePacing {
  /** Shortest period between two scans (ms). */
  minIntervalMs: number;
  /** Longest period (ms), however slow a scan was. */
  maxIntervalMs: number;
  /** Share of one core the scans may use on average (0.025 = a 20 ms scan every 800 ms at most). */
  budget: number;
}

/** Default pacing: every 2 s for the usual small suites, slower for huge globs, never beyond 30 s. */
export const DEFAULT_PACING: ReconcilePacing = { minIntervalMs: 2000, maxIntervalMs: 30_000, budget: 0.025 };

/** The delay before the next scan, from how long the last one took (keeps scans within `budget`). */
export function nextReconcileDelay(lastScanMs: number, pacing: ReconcilePacing = DEFAULT_PACING): number {
  const byBudget = Math.ceil(Math.max(0, lastScanMs) / pacing.budget);
  return Math.min(pacing.maxIntervalMs, Math.max(pacing.minIntervalMs, byBudget));
}
