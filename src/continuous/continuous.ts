/**
 * A continuous run through the engine API: after a save, run only the affected tests
 * (impact.ts) with per-test coverage, and merge their coverage into the last full picture
 * (picture.ts). The editor calls it on save when continuous run is on; the bench measures it
 * (save → picture and analysis ready).
 *
 * ## The warm runner (src/warm)
 * `start` may be a {@link WarmRunner}'s: the test child stays alive between reruns and reloads
 * only the changed modules, their dependents and the test files (src/warm/warmRunner.ts says
 * when a fresh child serves instead). The editor's continuous run uses one while it is on.
 * Measured with `BENCH_ONLY=continuous npm run bench` (a one-function edit of
 * `GraduationService.recommend` on a copy of the governance suite, 9 of ~400 tests rerun;
 * save → merged picture and analysis, median / best of 5; 2 shared cores):
 *
 * | test child               | load ~14 (first run) | load ~13 (last run) |
 * |--------------------------|----------------------|---------------------|
 * | fresh per rerun (before) | 5 520 / 4 623 ms     | 3 146 / 2 749 ms    |
 * | warm (src/warm)          |   968 /   773 ms     |   537 /   505 ms    |
 *
 * Phases of a warm rerun at load ~9 (`GOVCOV_TIMING=1`, through the same engine API; 271-425 ms
 * in all): ~1 ms selection; in the child ~2 ms
 * to unload 21 modules (the edited file, the modules importing it and the test files), ~7-11 ms
 * resetting V8's counters (one take), 20-70 ms reloading the two test files and the edited
 * modules, 90-150 ms running the 9 tests (the tests' own time); in the runner 15-70 ms
 * converting the take (converters of unchanged files reused) and 50-100 ms merging and
 * analysing. The goal (≤ 500 ms) holds at moderate load and is missed at load ~13-14 (by ~40 ms
 * in the last run), where every phase stretches; what remains is mostly the rerun tests' own run
 * time and the merge + analysis of the whole picture, which an incremental merge (only the rerun
 * files' entries) would shorten.
 */
import * as path from 'path';
import picomatch from 'picomatch';
import type { ResolvedConfig, RunHandle, RunOptions, RunResult } from '../coverage/model';
import { lineEdit, selectTests, type Change, type LineEdit, type Selection } from './impact';
import { mergePicture } from './picture';
import type { WarmRunner } from '../warm/warmRunner';

export type { Change, Selection };

export interface AffectedRun {
  selection: Selection;
  /** The rerun's own result (only the affected tests). */
  fresh: RunResult;
  /** The last full picture with the rerun merged in (or the full rerun). */
  picture: RunResult;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The run options that run exactly the selection (undefined: nothing to run). */
export function selectionOptions(config: ResolvedConfig, selection: Selection): Pick<RunOptions, 'files' | 'grep'> | undefined {
  if (selection.all) return {};
  const files = new Set(selection.testFiles.map((f) => path.resolve(f)));
  for (const id of selection.tests) files.add(id.split('\u001f')[0]);
  if (!files.size) return undefined;
  // A changed test file reruns whole; otherwise only the selected tests, by full title.
  if (selection.testFiles.length) return { files: [...files].sort() };
  const titles = selection.tests.map((id) => escape(id.split('\u001f').slice(1).join(' ')));
  return { files: [...files].sort(), grep: `^(?:${titles.join('|')})$` };
}

/** The tests `changes` affect, from `previous` (no run). */
export function selectAffected(config: ResolvedConfig, previous: RunResult, changes: Change[]): Selection {
  const isTest = picomatch(config.testGlobs, { dot: true });
  return selectTests(previous, changes, (f) => isTest(path.relative(config.root, f).split(path.sep).join('/')));
}

/** Run the tests `changes` affect and merge them into `previous`; `start` is the engine's startRun. */
export function startAffected(
  config: ResolvedConfig,
  previous: RunResult,
  changes: Change[],
  start: (o: RunOptions) => RunHandle,
  extra: Partial<RunOptions> = {},
): { selection: Selection; handle?: RunHandle; result: Promise<AffectedRun> } {
  const selection = selectAffected(config, previous, changes);
  const opts = selectionOptions(config, selection);
  if (!opts) return { selection, result: Promise.resolve({ selection, fresh: { ...previous, stats: { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 } }, picture: previous }) };
  const handle = start({ config, ...extra, ...opts, perTest: true });
  const edits = new Map<string, LineEdit>();
  for (const c of changes) {
    const e = lineEdit(c.before, c.after);
    if (e) edits.set(c.file, e);
  }
  const result = handle.result.then((fresh) => {
    if (selection.all || fresh.cancelled) return { selection, fresh, picture: fresh };
    const rerun = new Set(Object.keys(fresh.testTitles));
    for (const id of selection.tests) rerun.add(id);
    for (const id of Object.keys(previous.testTitles)) if (selection.testFiles.includes(id.split('\u001f')[0])) rerun.add(id);
    return { selection, fresh, picture: mergePicture(previous, fresh, rerun, edits) };
  });
  return { selection, handle, result };
}
