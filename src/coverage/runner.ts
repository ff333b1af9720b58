/**
 * `startRun`: runs mocha in a child process (child.ts) and streams its events.
 *
 * The child is started with the chosen Node.js (runtime.ts: `RunOptions.node`, else `node` on PATH,
 * else `process.execPath`) and `ELECTRON_RUN_AS_NODE=1`, so the same code works from plain Node
 * (CLI), VS Code's Electron extension host and code-server, with the mocha setup's node flags
 * (`--import=tsx`, `node-option`). It never
 * inherits the caller's `execArgv` (the extension host's inspector flags, mocha's `--require`).
 * The child's messages arrive on a dedicated pipe (fd 4, see channel.ts); with the V8 engine the
 * runner also does the conversion to istanbul: it prepares each source file's static map as the
 * child reports the file compiled (while the tests run) and converts and normalises the takes as
 * soon as they arrive, while the child exits.
 *
 * Process hygiene (processes.ts): the child runs in its own process group with a run marker in
 * its environment. The run ends on the child's exit — never on its stdio, which a process the
 * tests started with `stdio: 'inherit'` may hold open — and then the group and every process
 * still carrying the marker are killed; cancel and the whole-run watchdog do the same at once.
 * A malformed line on the message pipe is reported (a warning) and skipped; a child that
 * `process.exit()`s inside a test is reported as that test's failure, with every earlier result kept.
 *
 * `startRun` runs in steps: {@link resolveRun} (files, child options), {@link spawnChild},
 * {@link streamOutput}, messageHandler (runMessages.ts: messages → events and state), {@link waitForChild}
 * and {@link finishRun} (coverage conversion, result).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import type { ChildOptions } from './child';
import { resolveRequire } from './config';
import { resolveNode } from './runtime';
import type { FileCoverageData, RunEvent, RunHandle, RunOptions, RunResult, RunStats, TestCoverage } from './model';
import { parseSource } from './ast';
import { branchCandidates } from './branches';
import { staticMap } from './staticMap';
import { isChildMessage, messageHandler, readMessages, type Emit, type RunPlan, type RunState } from './runMessages';
import { killRun, newRunId, RUN_MARKER } from './processes';
import { completeCoverage, convert, type Window, type WireWindow } from './v8';
import { perTestFromProbes } from '../continuous/perTest';
import { rawCoverage, type RawCoverage } from '../continuous/raw';

/** How long the message pipe may stay open after the child exited and its processes were killed. */
const DRAIN_MS = 3000;

/** Test files of a config (absolute): mocha's `file` entries first, in order, then the globs' files sorted. */
export async function findTestFiles(config: RunOptions['config']): Promise<string[]> {
  const files = await fg(config.testGlobs, { cwd: config.root, absolute: true, ignore: ['**/node_modules/**', ...(config.testIgnore ?? [])] });
  const first = (config.mocha?.files ?? []).filter((f) => fs.existsSync(f));
  const rest = files.map((f) => path.resolve(f)).filter((f) => !first.includes(f));
  return [...first, ...rest.sort()];
}

/** Source files of a config (absolute, sorted, no `.d.ts`, no test file). */
export async function findSourceFiles(config: RunOptions['config'], testFiles: readonly string[] = []): Promise<string[]> {
  const files = await fg(config.sourceGlobs, { cwd: config.root, absolute: true, ignore: ['**/node_modules/**', '**/*.d.ts'] });
  const tests = new Set(testFiles);
  return files.map((f) => path.resolve(f)).filter((f) => !tests.has(f)).sort();
}

/** Why a run with these files and this many tests must not pass, if it must not (no silent success). */
export function emptyRunError(config: RunOptions['config'], files: number, tests: number | undefined, selected: boolean): string | undefined {
  if (files === 0 && !selected) return `no test files match ${config.testGlobs.map((g) => JSON.stringify(g)).join(', ')} under ${config.root}`;
  if (tests === 0 && config.mocha?.failZero !== false && !selected) {
    return `no tests were found in ${files} test file(s): nothing ran (set "fail-zero": false in the mocha setup to allow an empty run)`;
  }
  return undefined;
}

/** The compiled entry `name` next to `dir` (`<name>.js`), else its TypeScript under tsx (unit tests). */
export function childEntry(dir = __dirname, name = 'child'): { file: string; execArgv: string[] } {
  const js = path.join(dir, `${name}.js`);
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  // Running from TypeScript sources (unit tests under tsx): let tsx load the child too.
  return { file: path.join(dir, `${name}.ts`), execArgv: ['--require', resolveRequire('tsx/cjs', __dirname)] };
}

/**
 * Parse the source files (and their branch candidates) while the child runs the tests: the
 * parent is idle then, and the normaliser and the analysis need them right after the run.
 */
async function prewarm(files: string[], stop: () => boolean): Promise<void> {
  for (const file of files) {
    await new Promise((r) => setImmediate(r));
    if (stop()) return;
    try {
      const parsed = parseSource(file);
      branchCandidates(parsed);
      staticMap(file, parsed.text);
    } catch {
      /* unreadable now: the normaliser reports what it can */
    }
  }
}

export type StartOptions = RunOptions & { engine?: 'v8' | 'istanbul' };

/** The package.json `type` that applies to a file (the nearest one up to the filesystem root). */
function packageType(file: string, cache: Map<string, string>): string {
  const dir = path.dirname(file);
  let type = cache.get(dir);
  if (type !== undefined) return type;
  try {
    type = String(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).type ?? 'commonjs');
  } catch {
    type = path.dirname(dir) === dir ? 'commonjs' : packageType(dir, cache);
  }
  cache.set(dir, type);
  return type;
}

/**
 * Whether the child needs the ESM source hook (its worker thread costs startup time): a source
 * that is an ES module (`.mjs`/`.mts`, or `.js`/`.ts` in a `"type": "module"` package) or a
 * node loader flag that may turn sources into ES modules.
 */
function childOptionsEsm(config: RunOptions['config'], sourceFiles: readonly string[]): boolean {
  if ((config.mocha?.nodeOptions ?? []).some((o) => /^--(import|loader|experimental-loader)\b/.test(o))) return true;
  const cache = new Map<string, string>();
  return sourceFiles.some((f) => /\.m[jt]s$/.test(f) || (/\.[jt]sx?$/.test(f) && packageType(f, cache) === 'module'));
}
/** A run's plan with the Node.js that runs it and whether it runs a selection (files, grep). */
export type Plan = RunPlan & { node: string; selected: boolean };

/** Step 1: the test and source files, the Node.js and the child's options; no test file → refused. */
export async function resolveRun(options: StartOptions): Promise<Plan> {
  const config = options.config;
  const files = options.files ? options.files.map((f) => path.resolve(config.root, f)) : await findTestFiles(config);
  const [sourceFiles, node] = await Promise.all([findSourceFiles(config, files), options.node ? Promise.resolve(options.node) : resolveNode().then((r) => r.path)]);
  const selected = !!options.files || !!options.grep;
  const noFiles = emptyRunError(config, files.length, undefined, selected);
  if (noFiles) throw new Error(noFiles);
  const esm = childOptionsEsm(config, sourceFiles);
  const childOptions: ChildOptions = {
    root: config.root,
    files,
    sourceFiles,
    require: config.require,
    timeout: config.timeout,
    grep: options.grep,
    coverage: options.coverage !== false,
    // Per-test coverage is on unless turned off: probes cost what each test touches (src/continuous/probes.ts).
    perTest: options.perTest !== false && options.coverage !== false,
    engine: options.engine ?? 'v8',
    // Probes go in where CommonJS compiles a source (child.ts): an ES module that Node's own loader
    // loads gets none, so an ESM run records per-test coverage by a V8 take per test.
    perTestMode: options.env?.GOVCOV_PER_TEST === 'takes' || esm ? 'takes' : 'probes',
    mocha: config.mocha,
    esm,
    eventsFd: 4,
  };
  return { files, sourceFiles, childOptions, runId: newRunId(), node, selected };
}

/** Step 2: the child, in its own process group, with the run marker in its environment. */
function spawnChild(plan: Plan, options: StartOptions): ChildProcess {
  const entry = childEntry();
  const execArgv = [...entry.execArgv, ...(options.config.mocha?.nodeOptions ?? [])];
  if (options.debugPort !== undefined) execArgv.unshift(`--inspect-brk=127.0.0.1:${options.debugPort}`);
  return spawn(plan.node, [...execArgv, entry.file], {
    cwd: plan.childOptions.root,
    env: {
      ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1',
      GOVCOV_CHILD: JSON.stringify(plan.childOptions), [RUN_MARKER]: plan.runId,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'], // fd 4: the child's messages (channel.ts)
    detached: true, // its own process group: the run ends the whole group
    windowsHide: true, // (on Windows `detached` would open a console)
  });
}

/** Step 3: the child's stdout/stderr as line-buffered `output` events (and the debugger's port). */
export function streamOutput(child: ChildProcess, emit: Emit, stderrTail: string[], onPort?: (port: number) => void): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    let buffer = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (stream === 'stderr') {
          const m = /Debugger listening on ws:\/\/[^\s]*:(\d+)\//.exec(text);
          if (m) onPort?.(Number(m[1]));
          stderrTail.push(text);
          if (stderrTail.length > 20) stderrTail.shift();
        }
        emit({ type: 'output', stream, text });
      }
    });
    child[stream]?.on('end', () => {
      if (buffer) emit({ type: 'output', stream, text: buffer });
      buffer = '';
    });
  }
}

/**
 * Step 5: resolves once the child has exited (or could not start) and its messages are read:
 * the run's processes are killed right at the child's exit, so the pipe then ends with them;
 * it is waited for {@link DRAIN_MS} at most, and the child's stdio is never waited for.
 */
function waitForChild(child: ChildProcess, drained: Promise<void>, kill: () => void, onError: (message: string) => void): Promise<string> {
  return new Promise((done) => {
    let status: string | undefined;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      for (const s of child.stdio) (s as { destroy?: () => void } | null)?.destroy?.();
      done(status ?? 'unknown');
    };
    const finish = (s: string) => {
      if (status !== undefined) return;
      status = s;
      kill();
      const timer = setTimeout(settle, DRAIN_MS);
      void drained.then(() => {
        clearTimeout(timer);
        settle();
      });
    };
    child.on('error', (err) => {
      onError(`cannot start the test process: ${err.message}`);
      if (child.pid === undefined) finish('not started');
    });
    child.on('exit', (code, signal) => finish(signal ?? `code ${code}`));
  });
}

/** The error of a run whose child exited before its end event: `process.exit()` in a test, or a crash. */
export function earlyExitError(state: RunState, exitStatus: string, stderrTail: string[], root: string): string {
  const notice = state.exitNotice;
  if (notice) {
    const where = notice.test ? ` in test "${notice.test.titlePath.join(' ')}" (${path.relative(root, notice.test.file)})` : ' outside any test';
    return `process.exit(${notice.code}) was called${where}: the test process ended there, later tests did not run`;
  }
  return `the test process exited (${exitStatus}) before the run ended` + (stderrTail.length ? `:\n${stderrTail.join('\n')}` : '');
}

/** A test that was running when the child called `process.exit()` fails with that message. */
export function failExitedTest(state: RunState, error: string, emit: Emit): void {
  const test = state.exitNotice?.test;
  if (!test || state.settled.has(test.id)) return;
  state.stats.failed++;
  state.settled.add(test.id);
  state.testTitles[test.id] ??= test.titlePath.join(' ');
  emit({ type: 'testFail', id: test.id, file: test.file, titlePath: test.titlePath, durationMs: 0, failure: { message: error } });
}

/** A run's event listeners and the `emit` that calls them; a listener's error never stops the run. */
export function fanOut(): { listeners: Set<(e: RunEvent) => void>; emit: Emit } {
  const listeners = new Set<(e: RunEvent) => void>();
  const emit: Emit = (e) => {
    for (const l of [...listeners]) {
      try {
        l(e);
      } catch {
        /* a listener's error must not stop the run */
      }
    }
  };
  return { listeners, emit };
}

/** Start a run. Events stream through `onEvent`; `result` resolves when the child is gone. */
export function startRun(options: StartOptions): RunHandle {
  const { listeners, emit } = fanOut();
  let child: ChildProcess | undefined;
  let runId: string | undefined;
  let cancelled = false;
  let timedOut = false;
  let resolvePort: ((p: number) => void) | undefined;
  const debugPort = options.debugPort !== undefined ? new Promise<number>((r) => (resolvePort = r)) : undefined;
  const killAll = () => {
    if (runId) killRun(child?.pid, runId);
  };

  const result = run().catch((err: unknown): RunResult => {
    killAll();
    const error = `the run could not start: ${(err as Error)?.message ?? String(err)}`;
    const stats: RunStats = { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 };
    emit({ type: 'end', stats, cancelled, timedOut, error });
    resolvePort?.(0);
    return { stats, cancelled, timedOut, error, loadErrors: [], coverage: {}, testTitles: {} };
  });

  async function run(): Promise<RunResult> {
    const config = options.config;
    const started = Date.now();
    const plan = await resolveRun(options);
    runId = plan.runId;
    const state: RunState = {
      stats: { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 }, loadErrors: [], testTitles: {}, settled: new Set(),
      warnings: [], coverage: {}, compiled: new Map(), prepared: new Map(), probeFiles: new Map(), touched: new Map(),
    };
    const timing = (text: string) => {
      if (options.env?.GOVCOV_TIMING) emit({ type: 'output', stream: 'stderr', text: `timing: ${text}` });
    };
    const finishCoverage = (windows: WireWindow[]) => convertCoverage(windows, plan, state, emit, timing, !!options.keepRaw);
    let error: string | undefined;
    const stderrTail: string[] = [];
    let exitStatus = 'not started';
    if (!cancelled) {
      const c = (child = spawnChild(plan, options));
      let exited = false;
      if (plan.childOptions.coverage) void prewarm(plan.sourceFiles, () => exited);
      // No watchdog while debugging: a paused debuggee is not a hung run.
      const watchdog = options.debugPort !== undefined ? undefined : setTimeout(() => {
        timedOut = true;
        killAll();
      }, config.runTimeout);
      streamOutput(c, emit, stderrTail, resolvePort);
      const warn = (text: string) => {
        state.warnings.push(text);
        emit({ type: 'output', stream: 'stderr', text: `warning: ${text}` });
      };
      const onMessage = messageHandler(plan, state, emit, (w) => (state.conversion = finishCoverage(w)));
      c.on('message', (m: unknown) => (isChildMessage(m) ? onMessage(m) : warn('skipped a message of unknown shape from the test process')));
      exitStatus = await waitForChild(c, readMessages(c, onMessage, warn), killAll, (e) => (error = e));
      exited = true;
      if (watchdog) clearTimeout(watchdog);
      resolvePort?.(0); // no-op once the port is known; 0 when the debugger never started
    }
    const { stats } = state;
    if (!state.endEvent && !cancelled && !timedOut && !error) {
      error = earlyExitError(state, exitStatus, stderrTail, config.root);
      failExitedTest(state, error, emit);
    }
    if (state.endEvent?.error) error = state.endEvent.error;
    if (state.endEvent && !error && !cancelled && state.loadErrors.length === 0) error = emptyRunError(config, plan.files.length, stats.total, plan.selected);
    if (timedOut) error = `the whole run exceeded ${config.runTimeout} ms and was stopped`;
    stats.durationMs = Date.now() - started;
    if (plan.childOptions.coverage && plan.childOptions.engine === 'v8' && !cancelled && !timedOut) {
      const t0 = performance.now();
      // No takes (the child died first): every source file at zero, as before.
      ({ coverage: state.coverage, perTest: state.perTest, raw: state.raw } = await (state.conversion ?? finishCoverage([])));
      if (!plan.childOptions.perTest) state.perTest = undefined;
      timing(`waited ${(performance.now() - t0).toFixed(0)} ms for the coverage after the child exited`);
    }
    return endResult(state, { cancelled, timedOut, error }, emit);
  }

  return {
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cancel() {
      cancelled = true;
      killAll();
    },
    result,
    ...(debugPort ? { debugPort } : {}),
  };
}

/** The run's result from its state; the final `end` event is emitted. */
export function endResult(state: RunState, how: { cancelled: boolean; timedOut: boolean; error?: string }, emit: Emit): RunResult {
  const { stats } = state;
  const { cancelled, timedOut, error } = how;
  const res: RunResult = { stats, cancelled, timedOut, loadErrors: state.loadErrors, coverage: state.coverage, testTitles: state.testTitles };
  if (error) res.error = error;
  if (state.perTest) res.perTest = state.perTest;
  if (state.raw) res.raw = state.raw;
  if (state.warnings.length) res.warnings = state.warnings;
  emit({ type: 'end', stats, cancelled, timedOut, ...(error ? { error } : {}) });
  return res;
}

/** Step 6: raw takes → normalised istanbul coverage of every source file (+ per-test data). */
export async function convertCoverage(windows: WireWindow[], plan: RunPlan, state: RunState, emit: Emit, timing: (text: string) => void, keepRaw: boolean) {
  const t0 = performance.now();
  let out: { coverage: RunResult['coverage']; perTest?: Record<string, TestCoverage>; raw?: RawCoverage } = { coverage: {} };
  try {
    const list: Window[] = windows.map((w) => ({ testId: w.testId, scripts: new Map(w.scripts) }));
    const probing = plan.childOptions.perTest && plan.childOptions.perTestMode !== 'takes';
    out = await convert(list, state.compiled, plan.childOptions.perTest && !probing, state.prepared);
    // Per-test coverage by probes and the raw record for shards: src/continuous.
    if (probing) out.perTest = await perTestFromProbes(out.coverage as Record<string, FileCoverageData>, state.prepared, state.probeFiles, state.touched);
    if (keepRaw) out.raw = rawCoverage(plan.sourceFiles, state.compiled, list[0], state.probeFiles, state.touched);
  } catch (err) {
    emit({ type: 'output', stream: 'stderr', text: `coverage conversion failed: ${(err as Error).stack}` });
  }
  timing(`parent conversion ${(performance.now() - t0).toFixed(0)} ms`);
  out.coverage = completeCoverage(out.coverage, plan.sourceFiles);
  timing(`parent conversion + normalisation ${(performance.now() - t0).toFixed(0)} ms`);
  return out;
}
