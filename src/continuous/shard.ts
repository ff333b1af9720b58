/**
 * Sharding: `governance-coverage run --shard k/n` runs one stable part of the test files and
 * writes a shard record (its results and raw coverage, see raw.ts) into the report folder;
 * `governance-coverage merge <dirs…>` (merge.ts) makes one run of them.
 *
 * The split is by file and recorded duration: every run writes the time each test file took
 * (the sum of its tests' durations) to `<reportDir>/test-durations.json`, keyed by the path
 * relative to the root (CI machines check out in different places); `merge` writes the merged
 * durations there too, so a CI cache or a commit of that file keeps the split balanced. The
 * files go, longest first (ties by path), to the shard with the least time so far (ties: the
 * lowest shard); a file without a recorded duration counts as the mean of the recorded ones.
 * The same files and durations always give the same split, on every machine.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FailureInfo, ResolvedConfig, RunEvent, RunResult } from '../coverage/model';

export const DURATIONS_FILE = 'test-durations.json';
export const SHARD_PREFIX = 'shard-';

/** `k/n` parsed (1-based k); throws a usage message for anything else. */
export function parseShard(text: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) throw `--shard needs k/n with 1 ≤ k ≤ n (got "${text}")`;
  return { k, n };
}

const rel = (root: string, file: string) => path.relative(root, file).split(path.sep).join('/');

/** Split `files` (absolute) into `n` shards by recorded duration (relative path → ms). */
export function splitShards(root: string, files: string[], durations: Record<string, number>, n: number): string[][] {
  const known = files.map((f) => durations[rel(root, f)]).filter((d): d is number => typeof d === 'number' && d >= 0);
  const fallback = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 1;
  const weighted = files.map((f) => ({ f, r: rel(root, f), d: durations[rel(root, f)] ?? fallback }));
  weighted.sort((a, b) => b.d - a.d || (a.r < b.r ? -1 : a.r > b.r ? 1 : 0));
  const shards = Array.from({ length: n }, () => ({ files: [] as string[], total: 0 }));
  for (const w of weighted) {
    let best = 0;
    for (let i = 1; i < n; i++) if (shards[i].total < shards[best].total) best = i;
    shards[best].files.push(w.f);
    shards[best].total += w.d;
  }
  return shards.map((s) => s.files.sort());
}

/** The recorded durations of a config (empty when there is no readable file). */
export function readDurations(config: ResolvedConfig): Record<string, number> {
  try {
    const data = JSON.parse(fs.readFileSync(path.join(config.root, config.reportDir, DURATIONS_FILE), 'utf8'));
    return data && typeof data === 'object' ? data : {};
  } catch {
    return {};
  }
}

/** Write durations (merged over the recorded ones: files not run keep theirs). */
export function writeDurations(config: ResolvedConfig, durations: Record<string, number>): string {
  const file = path.join(config.root, config.reportDir, DURATIONS_FILE);
  const merged = { ...readDurations(config), ...durations };
  const sorted = Object.fromEntries(Object.keys(merged).sort().map((k) => [k, Math.round(merged[k])]));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(sorted, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/** Collects each test file's duration and the failures from a run's events. */
export function eventRecorder(root: string): { onEvent(e: RunEvent): void; durations: Record<string, number>; failures: Array<{ title: string; failure: FailureInfo }> } {
  const durations: Record<string, number> = {};
  const failures: Array<{ title: string; failure: FailureInfo }> = [];
  return {
    durations,
    failures,
    onEvent(e) {
      if (e.type === 'testPass' || e.type === 'testFail') durations[rel(root, e.file)] = (durations[rel(root, e.file)] ?? 0) + e.durationMs;
      if (e.type === 'fileLoaded') durations[rel(root, e.file)] ??= 0;
      if (e.type === 'testFail') failures.push({ title: e.titlePath.join(' '), failure: e.failure });
    },
  };
}

/** What one shard leaves for `merge`. */
export interface ShardRecord {
  format: 'governance-coverage-shard/1';
  k: number;
  n: number;
  root: string;
  files: string[];
  result: RunResult;
  failures: Array<{ title: string; failure: FailureInfo }>;
  durations: Record<string, number>;
}

/** Write a shard record into the report folder; returns its path. */
export function writeShard(config: ResolvedConfig, record: ShardRecord): string {
  const file = path.join(config.root, config.reportDir, `${SHARD_PREFIX}${record.k}-of-${record.n}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const { coverage: _c, perTest: _p, ...result } = record.result;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ ...record, result: { ...result, coverage: {} } }));
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/** Shard records found in `dirs` (each a folder holding `shard-*.json`, or such a file). */
export function readShards(dirs: string[]): ShardRecord[] {
  const files: string[] = [];
  for (const d of dirs) {
    if (!fs.existsSync(d)) throw `no such folder or file: ${d}`;
    if (fs.statSync(d).isDirectory()) {
      const found = fs.readdirSync(d).filter((f) => f.startsWith(SHARD_PREFIX) && f.endsWith('.json')).sort();
      if (!found.length) throw `no ${SHARD_PREFIX}*.json in ${d} (run with --shard k/n first)`;
      files.push(...found.map((f) => path.join(d, f)));
    } else files.push(d);
  }
  const records = files.map((f) => {
    let r: ShardRecord;
    try {
      r = JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch (e) {
      throw `unreadable shard record ${f}: ${(e as Error).message}`;
    }
    if (r?.format !== 'governance-coverage-shard/1') throw `${f} is not a governance-coverage shard record`;
    return r;
  });
  const n = records[0].n;
  const seen = new Set<number>();
  for (const r of records) {
    if (r.n !== n) throw `shards of different splits: ${r.k}/${r.n} and ?/${n}`;
    if (seen.has(r.k)) throw `shard ${r.k}/${n} given twice`;
    seen.add(r.k);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length) throw `missing shard(s) ${missing.map((k) => `${k}/${n}`).join(', ')}`;
  return records.sort((a, b) => a.k - b.k);
}

/** The shards must cover the test files once each (shards split with different durations files do not). */
export function checkSplit(shards: ShardRecord[], testFiles: string[], root: string): void {
  const seen = new Map<string, number>();
  for (const s of shards) {
    for (const f of s.files) {
      const r = rel(s.root, f);
      if (seen.has(r)) throw `${r} ran in shard ${seen.get(r)}/${s.n} and in shard ${s.k}/${s.n}: the shards split differently (give every shard the same ${DURATIONS_FILE})`;
      seen.set(r, s.k);
    }
  }
  const missing = testFiles.map((f) => rel(root, f)).filter((r) => !seen.has(r));
  if (missing.length) throw `no shard ran ${missing.join(', ')}: the shards split differently (give every shard the same ${DURATIONS_FILE}) or the test files changed`;
}
