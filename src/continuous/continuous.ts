/**
 * A continuous run through the engine API: after a save, run only the affected tests
 * (impact.ts) with per-test coverage, and merge their coverage into the last full picture
 * (picture.ts). The editor calls it on save when continuous run is on; the bench measures it
 * (save → picture and analysis ready).
 *
 * ## What is not done
 * Every rerun starts a fresh test child (runner.ts): node, the loaders (tsx), mocha and the
 * touched modules load again each time — most of a one-function rerun's time on the governance
 * suite (see the bench). The warm runner (a child kept alive between runs that clears the
 * require-cache entries of the changed files and their dependents, re-creates mocha's suite and
 * falls back to a fresh child when ESM modules, globals or the config changed) would remove that
 * fixed cost; it needs child.ts to take several runs over its channel and is not built.
 */
import * as path from 'path';
import picomatch from 'picomatch';
import type { ResolvedConfig, RunHandle, RunOptions, RunResult } from '../coverage/model';
import { lineEdit, selectTests, type Change, type LineEdit, type Selection } from './impact';
import { mergePicture } from './picture';

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
