/**
 * The mocha reporter of a test child, shared by the one-shot child (child.ts) and the warm child
 * (src/warm/warmChild.ts): it turns mocha's runner events into run events for the runner, keeps
 * the run's stats, tells the exit watch which test is running, and reports failures with the
 * location of the first stack frame in a test file. What differs between the two children —
 * coverage takes and per-test probes around each test — comes in through {@link ReporterHooks}.
 */
import * as path from 'path';
import * as util from 'util';
import type { FailureInfo, RunEvent, RunStats } from './model';
import { testId } from './model';

/** The parts of a mocha runnable (test or suite) the reporter reads. */
export interface MochaRunnable {
  title: string;
  file?: string;
  duration?: number;
  pending?: boolean;
  root?: boolean;
  titlePath(): string[];
  parent?: { file?: string };
}

/** FailureInfo from a thrown value; the location is the first stack frame in a test file. */
export function failureInfo(err: unknown, stringify: (v: unknown) => string, testFiles: Set<string>): FailureInfo {
  const e = (err ?? {}) as Record<string, unknown>;
  const info: FailureInfo = { message: typeof e.message === 'string' ? e.message : util.inspect(err) };
  if (e.showDiff !== false && 'expected' in e && 'actual' in e) {
    info.expected = stringify(e.expected);
    info.actual = stringify(e.actual);
  }
  if (typeof e.stack === 'string') {
    info.stack = e.stack;
    const frames = [...e.stack.matchAll(/\(?((?:[A-Za-z]:)?[^\s():]+):(\d+):(\d+)\)?$/gm)];
    const pick =
      frames.find((f) => testFiles.has(path.resolve(f[1]))) ??
      frames.find((f) => path.isAbsolute(f[1]) && !f[1].includes('node_modules') && !f[1].startsWith('node:'));
    if (pick) info.location = { file: path.resolve(pick[1]), line: Number(pick[2]), column: Number(pick[3]) - 1 };
  }
  return info;
}

/** What a child does around each test besides reporting it (coverage takes, probes). */
export interface ReporterHooks {
  hookEnd?(): void;
  testBegin?(): void;
  /** After a test (`id()`: its id, computed on demand). */
  testEnd?(test: MochaRunnable, id: () => string): void;
}

/** The compact messages of the events channel the reporter sends (child.ts's ChildMessage). */
export type CompactMessage = { t: 'start'; f: number; p: string[] } | { t: 'pass'; durationMs: number };

export interface ReporterOptions {
  constants: Record<string, string>;
  /** The run's test files (absolute), in the order the runner knows them. */
  files: string[];
  grep?: RegExp;
  stats: RunStats;
  /** The test files loaded (read when mocha builds the reporter, after loading). */
  loaded: () => string[];
  emit(e: RunEvent): void;
  send(m: CompactMessage): void;
  stringify: (v: unknown) => string;
  /** Set to the running test (file index and title path) while it runs. */
  exitWatch: { test?: { f: number; p: string[] } };
  hooks?: ReporterHooks;
}

type MochaRunner = { total: number; grep(re: RegExp, invert: boolean): unknown; on(ev: string, fn: (...a: never[]) => void): void };

/** A mocha reporter class (mocha constructs it with the runner) reporting to `o`. */
export function reporterClass(o: ReporterOptions): new (runner: MochaRunner) => object {
  const C = o.constants;
  const testFiles = new Set(o.files);
  const fileIndex = new Map(o.files.map((f, i) => [path.resolve(f), i]));
  const resolved = new Map<string, string>();
  const fileOf = (r: MochaRunnable) => {
    const raw = r.file ?? r.parent?.file ?? '';
    let file = resolved.get(raw);
    if (file === undefined) resolved.set(raw, (file = path.resolve(raw)));
    return file;
  };
  // Each test's id, file and title path, computed once (a test has up to four events).
  const bases = new WeakMap<MochaRunnable, { id: string; file: string; titlePath: string[] }>();
  const base = (r: MochaRunnable) => {
    let b = bases.get(r);
    if (!b) {
      const file = fileOf(r);
      const titlePath = r.titlePath();
      bases.set(r, (b = { id: testId(file, titlePath), file, titlePath }));
    }
    return b;
  };
  const { stats, emit, send, exitWatch, hooks = {} } = o;
  let current: MochaRunnable | undefined; // the test of the last testStart
  return class Reporter {
    constructor(runner: MochaRunner) {
      // Mocha builds the reporter before it applies `grep` to the runner, so `runner.total`
      // still counts every loaded test here: apply the same grep now (mocha re-applies it,
      // idempotently) so `total` counts only the tests that will run.
      if (o.grep) runner.grep(o.grep, false);
      stats.total = runner.total;
      emit({ type: 'start', total: runner.total, files: o.loaded() });
      runner.on(C.EVENT_SUITE_BEGIN, (s: MochaRunnable) => s.root || emit({ type: 'suiteStart', ...base(s) }));
      runner.on(C.EVENT_SUITE_END, (s: MochaRunnable) => s.root || emit({ type: 'suiteEnd', ...base(s) }));
      runner.on(C.EVENT_HOOK_END, () => hooks.hookEnd?.());
      runner.on(C.EVENT_TEST_BEGIN, (t: MochaRunnable) => {
        hooks.testBegin?.();
        current = t;
        // Most events: sent as the test file's index and the title path (the runner adds the id).
        const f = fileIndex.get(fileOf(t));
        exitWatch.test = f !== undefined ? { f, p: t.titlePath() } : undefined;
        if (f !== undefined) send({ t: 'start', f, p: exitWatch.test!.p });
        else emit({ type: 'testStart', ...base(t) });
      });
      runner.on(C.EVENT_TEST_PASS, (t: MochaRunnable) => {
        stats.passed++;
        // Most events: the pass of the test just started, sent as a reference to it.
        if (t === current) send({ t: 'pass', durationMs: t.duration ?? 0 });
        else emit({ type: 'testPass', ...base(t), durationMs: t.duration ?? 0 });
      });
      runner.on(C.EVENT_TEST_FAIL, (t: MochaRunnable, err: unknown) => {
        stats.failed++;
        const timedOut = (err as { code?: string })?.code === 'ERR_MOCHA_TIMEOUT';
        emit({ type: 'testFail', ...base(t), durationMs: t.duration ?? 0, failure: failureInfo(err, o.stringify, testFiles), ...(timedOut ? { timedOut } : {}) });
      });
      runner.on(C.EVENT_TEST_PENDING, (t: MochaRunnable) => {
        stats.skipped++;
        emit({ type: 'testSkip', ...base(t) });
      });
      runner.on(C.EVENT_TEST_END, (t: MochaRunnable) => {
        exitWatch.test = undefined;
        hooks.testEnd?.(t, () => base(t).id);
      });
    }
  };
}
