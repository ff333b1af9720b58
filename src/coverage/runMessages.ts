/**
 * The runner's side of the child's messages (runner.ts): each message checked for its shape,
 * turned into the run's events (the compact `start`/`pass` forms completed with the test's id and
 * file) and folded into the run's state. A malformed line or a message of unknown shape is
 * reported through `warn` and skipped; the messages after it are still read.
 */
import type { ChildProcess } from 'child_process';
import type { ChildMessage, ChildOptions } from './child';
import type { FailureInfo, RunEvent, RunResult, RunStats, TestCoverage } from './model';
import { testId } from './model';
import { lineReader } from './channel';
import { prepare, type Prepared, type WireWindow } from './v8';
import type { ProbeFile } from '../continuous/perTest';
import type { RawCoverage } from '../continuous/raw';

export type Emit = (e: RunEvent) => void;

/** What a run needs before its child starts. */
export interface RunPlan {
  files: string[];
  sourceFiles: string[];
  childOptions: ChildOptions;
  runId: string;
}

/** What the messages of one run gathered. */
export interface RunState {
  stats: RunStats;
  loadErrors: Array<{ file: string; error: FailureInfo }>;
  testTitles: Record<string, string>;
  /** Tests with a result (pass, fail, skip). */
  settled: Set<string>;
  lastStart?: Extract<RunEvent, { type: 'testStart' }>;
  endEvent?: Extract<RunEvent, { type: 'end' }>;
  /** The child called `process.exit()` before the run ended, in this test (if any). */
  exitNotice?: { code: number; test?: Extract<RunEvent, { type: 'testStart' }> };
  warnings: string[];
  coverage: RunResult['coverage'];
  perTest?: Record<string, TestCoverage>;
  compiled: Map<string, string>;
  /** Static maps prepared while the tests run (v8.ts `prepare`). */
  prepared: Map<string, Promise<Prepared | undefined>>;
  conversion?: Promise<{ coverage: RunResult['coverage']; perTest?: Record<string, TestCoverage>; raw?: RawCoverage }>;
  /** Per-test coverage by probes (src/continuous/probes.ts): each file's probes, each test's touched ids. */
  probeFiles: Map<string, ProbeFile>;
  touched: Map<string, number[]>;
  raw?: RawCoverage;
}

const MESSAGE_TYPES = new Set(['event', 'coverage', 'start', 'pass', 'compiled', 'windows', 'exit', 'probes', 'touched']);

/** A parsed line that has the shape of a child message. */
export function isChildMessage(m: unknown): m is ChildMessage {
  if (!m || typeof m !== 'object' || !MESSAGE_TYPES.has((m as { t?: unknown }).t as string)) return false;
  const e = (m as { t: string; e?: { type?: unknown } });
  return e.t !== 'event' || (!!e.e && typeof e.e.type === 'string');
}

/** Child messages → events (completing the compact ones) and the run's state. */
export function messageHandler(plan: RunPlan, state: RunState, emit: Emit, onWindows: (w: WireWindow[]) => void): (m: ChildMessage) => void {
  const { files } = plan;
  const startOf = (f: number, p: string[]): Extract<RunEvent, { type: 'testStart' }> => {
    const file = files[f];
    return { type: 'testStart', id: testId(file, p), file, titlePath: p };
  };
  const onEvent = (e: RunEvent) => {
    const { stats, testTitles } = state;
    switch (e.type) {
      case 'start':
        stats.total = e.total;
        break;
      case 'fileError':
        state.loadErrors.push({ file: e.file, error: e.error });
        break;
      case 'testStart':
        state.lastStart = e;
        testTitles[e.id] = e.titlePath.join(' ');
        break;
      case 'testPass':
      case 'testSkip':
        stats[e.type === 'testPass' ? 'passed' : 'skipped']++;
        testTitles[e.id] = e.titlePath.join(' ');
        state.settled.add(e.id);
        break;
      case 'testFail':
        stats.failed++;
        testTitles[e.id] ??= e.titlePath.join(' ');
        state.settled.add(e.id);
        break;
      case 'end':
        state.endEvent = e;
        return; // re-emitted once the result is complete
    }
    emit(e);
  };
  return (m) => {
    switch (m.t) {
      case 'start':
        return onEvent(startOf(m.f, m.p));
      case 'pass': {
        const s = state.lastStart;
        if (s) onEvent({ type: 'testPass', id: s.id, file: s.file, titlePath: s.titlePath, durationMs: m.durationMs });
        return;
      }
      case 'exit':
        state.exitNotice = { code: m.code, ...(m.f !== undefined && m.p ? { test: startOf(m.f, m.p) } : {}) };
        return;
      case 'compiled':
        state.compiled.set(m.file, m.code);
        state.prepared.set(m.file, new Promise((r) => setImmediate(r)).then(() => prepare(m.file, m.code)));
        return;
      case 'probes':
        state.probeFiles.set(m.file, { base: m.base, blocks: m.blocks });
        return;
      case 'touched':
        if (state.lastStart) state.touched.set(state.lastStart.id, m.ids);
        return;
      case 'windows':
        return onWindows(m.windows); // convert now, while the child exits
      case 'coverage':
        state.coverage = m.coverage;
        state.perTest = m.perTest;
        return;
      case 'event':
        return onEvent(m.e);
    }
  };
}

/** Reads the message pipe; malformed lines are reported through `warn` and skipped. */
export function readMessages(child: ChildProcess, onMessage: (m: ChildMessage) => void, warn: (text: string) => void): Promise<void> {
  const messages = child.stdio[4] as NodeJS.ReadableStream | null | undefined;
  if (!messages) return Promise.resolve();
  const reader = lineReader<unknown>(
    (m) => (isChildMessage(m) ? onMessage(m) : warn(`skipped a message of unknown shape from the test process: ${JSON.stringify(m).slice(0, 200)}`)),
    (line, err) => warn(`skipped a malformed line from the test process (${err.message}): ${line.slice(0, 200)}`),
  );
  messages.setEncoding('utf8');
  messages.on('data', (chunk: string) => reader.push(chunk));
  return new Promise((done) => {
    messages.on('end', () => {
      reader.end();
      done();
    });
    messages.on('error', () => done());
    messages.on('close', () => done());
  });
}

