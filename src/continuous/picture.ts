/**
 * A continuous run's coverage merged into the last full picture. The rerun tests' old
 * contributions go; their new ones come in; every other test's stay. Files the rerun loaded take
 * the rerun's structure (statements, branches, functions — a changed file's are new) and
 * entities are matched by location: the start of a statement or branch, the declaration of a
 * function, with the lines below an edit moved by its line delta and the edited lines' old
 * entities dropped. An old entity counts when a kept test executed it or when it ran outside
 * every test (module loading) — the per-test data tells which. Hit counts of kept entities are
 * the old ones (a picture for marks and figures, not a profile).
 */
import type { FileCoverageData, RunResult, TestCoverage } from '../coverage/model';
import type { LineEdit } from './impact';

type Loc = { start: { line: number; column: number } };

/** Old location → key in the new file (undefined: inside the edit). */
function keyer(edit: LineEdit | undefined): (loc: Loc, extra?: string | number) => string | undefined {
  return (loc, extra) => {
    let line = loc.start.line;
    if (edit) {
      if (line >= edit.start && line <= edit.end) return undefined;
      if (line > edit.end) line += edit.delta;
    }
    return `${line}:${loc.start.column}${extra === undefined ? '' : `#${extra}`}`;
  };
}
const newKey = keyer(undefined);

/** Old ids executed by kept tests, and those executed by no test at all (module loading). */
function keptIds(file: string, old: FileCoverageData, perTest: Record<string, TestCoverage>, rerun: Set<string>) {
  const s = new Set<number>();
  const f = new Set<number>();
  const b = new Set<number>();
  const anyS = new Set<number>();
  const anyF = new Set<number>();
  const anyB = new Set<number>();
  for (const [test, cov] of Object.entries(perTest)) {
    const e = cov[file];
    if (!e) continue;
    const keep = !rerun.has(test);
    for (const i of e.s) (keep ? s : anyS).add(i);
    for (const i of e.f) (keep ? f : anyF).add(i);
    for (const [i] of e.b) (keep ? b : anyB).add(i);
  }
  // Ran, but in no test's window: module loading, `before` hooks.
  for (const [id, c] of Object.entries(old.s)) if (c > 0 && !s.has(+id) && !anyS.has(+id)) s.add(+id);
  for (const [id, c] of Object.entries(old.f)) if (c > 0 && !f.has(+id) && !anyF.has(+id)) f.add(+id);
  for (const [id, c] of Object.entries(old.b)) if (c.some((x) => x > 0) && !b.has(+id) && !anyB.has(+id)) b.add(+id);
  return { s, f, b };
}

/** A branch of the old file with its lines moved below the edit. */
function shiftBranch<B>(br: B, edit: LineEdit | undefined): B {
  if (!edit || !edit.delta) return JSON.parse(JSON.stringify(br));
  return JSON.parse(JSON.stringify(br), (k, v) => (k === 'line' && typeof v === 'number' && v > edit.end ? v + edit.delta : v));
}

/** True when the run loaded the file (something in it ran), false when it only zero-filled it. */
const loaded = (d: FileCoverageData | undefined) => !!d && Object.values(d.s).some((c) => c > 0);

export function mergePicture(previous: RunResult, fresh: RunResult, rerun: Set<string>, edits: Map<string, LineEdit>): RunResult {
  const coverage: RunResult['coverage'] = { ...previous.coverage };
  const oldPerTest = previous.perTest ?? {};
  /** old id → new id per file, for the kept tests' per-test data */
  const remap = new Map<string, { s: Map<number, number>; f: Map<number, number>; b: Map<number, number> }>();
  for (const [file, raw] of Object.entries(fresh.coverage)) {
    const now = raw as FileCoverageData;
    const old = previous.coverage[file] as FileCoverageData | undefined;
    if (!loaded(now) || !old) {
      if (!old) coverage[file] = now;
      continue;
    }
    const key = keyer(edits.get(file));
    const kept = keptIds(file, old, oldPerTest, rerun);
    const merged: FileCoverageData = JSON.parse(JSON.stringify(now));
    const ids = { s: new Map<number, number>(), f: new Map<number, number>(), b: new Map<number, number>() };
    const sBy = new Map(Object.entries(now.statementMap).map(([id, l]) => [newKey(l), +id]));
    for (const [id, l] of Object.entries(old.statementMap)) {
      const k = key(l);
      const to = k === undefined ? undefined : sBy.get(k);
      if (to === undefined) continue;
      ids.s.set(+id, to);
      if (kept.s.has(+id) && merged.s[to] === 0) merged.s[to] = old.s[id];
    }
    const fBy = new Map(Object.entries(now.fnMap).map(([id, fn]) => [newKey(fn.decl), +id]));
    for (const [id, fn] of Object.entries(old.fnMap)) {
      const k = key(fn.decl);
      const to = k === undefined ? undefined : fBy.get(k);
      if (to === undefined) continue;
      ids.f.set(+id, to);
      if (kept.f.has(+id) && merged.f[to] === 0) merged.f[to] = old.f[id];
    }
    const bBy = new Map(Object.entries(now.branchMap).map(([id, br]) => [newKey(br.loc, br.locations.length), +id]));
    for (const [id, br] of Object.entries(old.branchMap)) {
      const k = key(br.loc, br.locations.length);
      const to = k === undefined ? undefined : bBy.get(k);
      if (to === undefined) {
        // The rerun's V8 ranges need not show every branch (a function it did not call has none):
        // keep the old branch, moved with the edit.
        if (k === undefined) continue;
        const next = Object.keys(merged.branchMap).length;
        merged.branchMap[next] = shiftBranch(br, edits.get(file));
        merged.b[next] = kept.b.has(+id) ? [...old.b[id]] : old.b[id].map(() => 0);
        ids.b.set(+id, next);
        continue;
      }
      ids.b.set(+id, to);
      if (kept.b.has(+id)) merged.b[to] = merged.b[to].map((c, side) => (c === 0 ? old.b[id][side] ?? 0 : c));
    }
    coverage[file] = merged;
    remap.set(file, ids);
  }
  const perTest: Record<string, TestCoverage> = {};
  for (const [test, cov] of Object.entries(oldPerTest)) {
    if (rerun.has(test)) continue;
    const out: TestCoverage = {};
    for (const [file, e] of Object.entries(cov)) {
      const m = remap.get(file);
      if (!m) {
        out[file] = e;
        continue;
      }
      const map = (ids: number[], by: Map<number, number>) => ids.map((i) => by.get(i)).filter((i): i is number => i !== undefined);
      out[file] = { s: map(e.s, m.s), f: map(e.f, m.f), b: e.b.map(([i, k]) => [m.b.get(i), k] as [number | undefined, number]).filter((x): x is [number, number] => x[0] !== undefined) };
    }
    perTest[test] = out;
  }
  Object.assign(perTest, fresh.perTest ?? {});
  const { error: _e, raw: _r, ...base } = previous;
  return {
    ...base,
    stats: { ...previous.stats, durationMs: fresh.stats.durationMs },
    coverage,
    perTest,
    testTitles: { ...previous.testTitles, ...fresh.testTitles },
    loadErrors: fresh.loadErrors,
    ...(fresh.error ? { error: fresh.error } : {}),
  };
}
