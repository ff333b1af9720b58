/**
 * The warm runner (issue 14, point 2): a test child kept alive between runs, so a rerun skips
 * node, the loaders (tsx), mocha and the V8 inspector start-up, and reloads only what changed.
 * `new WarmRunner().start(options)` has `startRun`'s contract (runner.ts: same events, same
 * `RunResult`); continuous runs go through it (`startAffected(config, previous, changes, (o) =>
 * warm.start(o))`); `dispose()` ends the child.
 *
 * What a warm rerun reloads (warmChild.ts, reload.ts): the project modules whose text on disk
 * changed since they compiled, every module that required them, and the test files (mocha's
 * suite is re-created each run); a full run (no `files`, no `grep`) reloads every project module,
 * so module top-level code runs and is covered as in a fresh child. Modules in node_modules
 * (mocha, tsx, sql.js, …) stay loaded. Like `mocha --watch`, a module that was not reloaded
 * keeps its state between runs (a lazily built singleton stays built).
 *
 * A fresh child serves the run instead (`served.fresh` says why) when the warm one cannot be
 * trusted:
 * - none yet, or its options differ (node, root, mocha setup, `require` entries, node flags,
 *   environment, coverage/per-test mode);
 * - the previous run was untrusted: a test left handles open (timers, servers, sockets), a test
 *   left a process running (a process of the child's run marker other than the child and the
 *   loaders' own, whose executable is in node_modules, such as esbuild's service), a test
 *   file loaded as an ES module, or the child crashed, called `process.exit()`, was cancelled or
 *   hit the whole-run watchdog (then it is gone);
 * - the child refuses the run: a changed module that the mocha setup's `require` entries loaded
 *   (setup files and root hooks are registered once, when the child starts);
 * - it served {@link MAX_RUNS} runs (old scripts of reloaded modules stay in V8 and probe ids
 *   grow);
 * - ES-module sources (`esm`: they cannot be unloaded), debugging (`debugPort`) or the istanbul
 *   engine: the run goes to `startRun` as it is.
 *
 * Process hygiene as in runner.ts/processes.ts: the child runs in its own process group with its
 * own run marker; retiring it (untrusted, `dispose()`, this process exiting) kills the group and
 * every process carrying the marker. The child exits when its IPC channel closes and kills its
 * group when its parent changes (warmChild.ts), so it never outlives the runner's process.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import type { WireWindow } from '../coverage/v8';
import { prepare } from '../coverage/v8';
import type { RunEvent, RunHandle, RunResult, RunStats } from '../coverage/model';
import { lineReader } from '../coverage/channel';
import { isChildMessage, messageHandler, type Emit, type RunState } from '../coverage/runMessages';
import { killRun, newRunId, processesOfRun, RUN_MARKER } from '../coverage/processes';
import {
  childEntry, convertCoverage, earlyExitError, emptyRunError, endResult, failExitedTest, fanOut, resolveRun, startRun, streamOutput,
  type Plan, type StartOptions,
} from '../coverage/runner';
import type { ProbeFile } from '../continuous/perTest';
import type { WarmChildOptions, WarmRunRequest, WarmStatus } from './warmChild';

/** Runs a warm child serves before it is replaced. */
export const MAX_RUNS = 100;

/** Which child served a run. */
export interface Served {
  pid?: number;
  /** The run marker of the child's processes (processes.ts). */
  runId?: string;
  /** The child had served an earlier run. */
  reused: boolean;
  /** Why a fresh child served this run (undefined when reused). */
  fresh?: string;
}

interface Live {
  proc: ChildProcess;
  runId: string;
  signature: string;
  ready: Promise<boolean>;
  exitStatus?: string;
  exited: Promise<string>;
  runs: number;
  /** Why it must not serve another run. */
  untrusted?: string;
  compiled: Map<string, string>;
  probeFiles: Map<string, ProbeFile>;
  stderrTail: string[];
  /** The current run's message handler and event sink. */
  onMessage?: (m: unknown) => void;
  emit?: Emit;
}

const everyLive = new Set<Live>();
const empty = (): RunStats => ({ total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 });
let exitHook = false;

function retire(live: Live | undefined): void {
  if (!live) return;
  everyLive.delete(live);
  killRun(live.proc.pid, live.runId);
  for (const s of live.proc.stdio) (s as { destroy?: () => void } | null)?.destroy?.();
}

/**
 * A process the loaders keep beside the child (esbuild's service, which tsx starts): its
 * executable is inside a node_modules folder. Anything else of the child's marker was left by a test.
 */
function isTooling(pid: number): boolean {
  try {
    const exe = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return /[\\/]node_modules[\\/]/.test(exe);
  } catch {
    return true; // gone
  }
}

/** The options a warm child is bound to: another value needs another child. */
function signatureOf(plan: Plan, options: StartOptions): string {
  const c = plan.childOptions;
  return JSON.stringify([plan.node, c.root, c.require, c.mocha, options.config.mocha?.nodeOptions ?? [], c.coverage, c.perTest, c.perTestMode, options.env ?? {}]);
}

export class WarmRunner {
  private live?: Live;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** Which child served the last run that started. */
  served?: Served;

  /** Start a run (as `startRun`); runs are served one after the other. */
  start(options: StartOptions): RunHandle {
    if (options.debugPort !== undefined || (options.engine ?? 'v8') !== 'v8') {
      this.served = { reused: false, fresh: options.debugPort !== undefined ? 'debugging' : 'the istanbul engine' };
      return startRun(options);
    }
    const { listeners, emit } = fanOut();
    const control = { cancelled: false, cancel: () => undefined as void };
    const result = (this.queue = this.queue.then(() => this.run(options, emit, control))) as Promise<RunResult>;
    return {
      onEvent(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      cancel() {
        control.cancelled = true;
        control.cancel();
      },
      result,
    };
  }

  /**
   * Start the warm child ahead of the first rerun (continuous run turned on): a run that loads
   * every test file and the modules they import but runs no test (a grep no title matches), so
   * the first save reloads only what changed. Its result is of no interest.
   */
  prepare(options: StartOptions): void {
    void this.start({ ...options, files: undefined, grep: '(?!)' }).result;
  }

  /** End the warm child (and every process of its runs). */
  dispose(): void {
    this.disposed = true;
    retire(this.live);
    this.live = undefined;
  }

  private spawnLive(plan: Plan, options: StartOptions): Live {
    const entry = childEntry(__dirname, 'warmChild');
    const runId = newRunId();
    const c = plan.childOptions;
    const warmOptions: WarmChildOptions = { root: c.root, require: c.require, coverage: c.coverage, perTest: c.perTest, mocha: c.mocha, eventsFd: 4 };
    const proc = spawn(plan.node, [...entry.execArgv, ...(options.config.mocha?.nodeOptions ?? []), entry.file], {
      cwd: c.root,
      env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1', GOVCOV_WARM: JSON.stringify(warmOptions), [RUN_MARKER]: runId },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    const live: Live = {
      proc, runId, signature: signatureOf(plan, options), runs: 0, compiled: new Map(), probeFiles: new Map(), stderrTail: [],
      ready: Promise.resolve(false), exited: Promise.resolve(''),
    };
    everyLive.add(live);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => everyLive.forEach((l) => killRun(l.proc.pid, l.runId)));
    }
    live.exited = new Promise((done) => {
      proc.on('error', () => done((live.exitStatus ??= 'not started')));
      proc.on('exit', (code, signal) => {
        live.exitStatus = signal ?? `code ${code}`;
        live.untrusted ??= `the test process exited (${live.exitStatus})`;
        killRun(proc.pid, runId); // its leftovers go with it
        done(live.exitStatus);
      });
    });
    live.ready = new Promise((done) => {
      proc.on('message', (m: { t?: string }) => m?.t === 'ready' && done(true));
      void live.exited.then(() => done(false));
    });
    streamOutput(proc, (e) => live.emit?.(e), live.stderrTail);
    const reader = lineReader<unknown>((m) => live.onMessage?.(m));
    const pipe = proc.stdio[4] as NodeJS.ReadableStream | null;
    pipe?.setEncoding('utf8');
    pipe?.on('data', (chunk: string) => reader.push(chunk));
    pipe?.on('error', () => undefined);
    return live;
  }

  /** The warm child for this plan, or a fresh one (and why). */
  private childFor(plan: Plan, options: StartOptions): { live: Live; served: Served } {
    const signature = signatureOf(plan, options);
    const old = this.live;
    let why: string | undefined;
    if (!old) why = 'no warm test process yet';
    else if (old.untrusted) why = old.untrusted;
    else if (old.signature !== signature) why = 'the run options changed (node, mocha setup, requires, environment or coverage mode)';
    else if (old.runs >= MAX_RUNS) why = `the warm test process served ${MAX_RUNS} runs`;
    if (!why && old) return { live: old, served: { pid: old.proc.pid, runId: old.runId, reused: true } };
    retire(old);
    const live = (this.live = this.spawnLive(plan, options));
    return { live, served: { pid: live.proc.pid, runId: live.runId, reused: false, fresh: why } };
  }

  private async run(options: StartOptions, emit: Emit, control: { cancelled: boolean; cancel: () => void }): Promise<RunResult> {
    let plan: Plan;
    try {
      if (this.disposed) throw new Error('the warm runner was disposed');
      plan = await resolveRun(options);
    } catch (err) {
      const error = `the run could not start: ${(err as Error)?.message ?? String(err)}`;
      emit({ type: 'end', stats: empty(), cancelled: control.cancelled, timedOut: false, error });
      return { stats: empty(), cancelled: control.cancelled, timedOut: false, error, loadErrors: [], coverage: {}, testTitles: {} };
    }
    if (plan.childOptions.esm) {
      this.served = { reused: false, fresh: 'ES-module sources cannot be unloaded' };
      const handle = startRun(options);
      handle.onEvent(emit);
      control.cancel = () => handle.cancel();
      if (control.cancelled) handle.cancel();
      return handle.result;
    }
    // Refused (a change it cannot reload): the next attempt gets a fresh child.
    const first = await this.attempt(plan, options, emit, control);
    return first !== 'refused' ? first : ((await this.attempt(plan, options, emit, control, true)) as RunResult);
  }

  /** One try on a child; 'refused' when the warm child could not take the change (a fresh one is then used). */
  private async attempt(plan: Plan, options: StartOptions, emit: Emit, control: { cancelled: boolean; cancel: () => void }, last = false): Promise<RunResult | 'refused'> {
    const config = options.config;
    const started = Date.now();
    const { live, served } = this.childFor(plan, options);
    this.served = served;
    let timedOut = false;
    control.cancel = () => {
      live.untrusted = 'a run was cancelled';
      retire(live);
    };
    if (control.cancelled) control.cancel();
    const watchdog = setTimeout(() => {
      timedOut = true;
      live.untrusted = `a run exceeded ${config.runTimeout} ms`;
      retire(live);
    }, config.runTimeout);
    const state: RunState = {
      stats: empty(), loadErrors: [], testTitles: {}, settled: new Set(), warnings: [], coverage: {},
      compiled: live.compiled, prepared: new Map(), probeFiles: live.probeFiles, touched: new Map(),
    };
    const warn = (text: string) => {
      state.warnings.push(text);
      emit({ type: 'output', stream: 'stderr', text: `warning: ${text}` });
    };
    let status: WarmStatus | undefined;
    const ended = new Promise<void>((done) => {
      const handler = messageHandler(plan, state, emit, (w) => (state.conversion = this.convert(w, plan, state, live, emit, options)));
      live.onMessage = (m) => {
        if ((m as WarmStatus)?.t === 'warm') {
          status = m as WarmStatus;
          if (status.refused) done();
          return;
        }
        if (!isChildMessage(m)) return warn(`skipped a message of unknown shape from the test process: ${JSON.stringify(m).slice(0, 200)}`);
        handler(m);
        if (state.endEvent) done();
      };
      void live.exited.then(() => done());
    });
    live.emit = emit;
    const isReady = await live.ready;
    if (isReady && !control.cancelled && !timedOut) {
      const request: WarmRunRequest = { t: 'run', files: plan.files, sourceFiles: plan.sourceFiles, timeout: config.timeout, grep: options.grep, all: !plan.selected };
      try {
        live.proc.send(request);
      } catch {
        /* gone: the exit ends the run */
      }
    }
    await ended;
    clearTimeout(watchdog);
    live.onMessage = undefined;
    if (status?.refused && !last) {
      live.untrusted = status.untrusted;
      return 'refused';
    }
    live.runs++;
    if (status?.untrusted) live.untrusted = status.untrusted;
    const others = live.proc.pid ? processesOfRun(live.runId).filter((p) => p !== live.proc.pid && !isTooling(p)) : [];
    if (others.length) live.untrusted = `a test left ${others.length} process(es) running`;
    if (live.untrusted) retire(live);
    let error: string | undefined;
    const stats = state.stats;
    const cancelled = control.cancelled;
    if (!state.endEvent && !cancelled && !timedOut) {
      error = earlyExitError(state, await live.exited, live.stderrTail, config.root);
      failExitedTest(state, error, emit);
    }
    if (state.endEvent?.error) error = state.endEvent.error;
    if (state.endEvent && !error && !cancelled && state.loadErrors.length === 0) error = emptyRunError(config, plan.files.length, stats.total, plan.selected);
    if (timedOut) error = `the whole run exceeded ${config.runTimeout} ms and was stopped`;
    stats.durationMs = Date.now() - started;
    if (plan.childOptions.coverage && !cancelled && !timedOut) {
      ({ coverage: state.coverage, perTest: state.perTest, raw: state.raw } = await (state.conversion ?? this.convert([], plan, state, live, emit, options)));
      if (!plan.childOptions.perTest) state.perTest = undefined;
    }
    return endResult(state, { cancelled, timedOut, error }, emit);
  }

  /**
   * The run's takes converted. A file compiled in an earlier run of this child sends no
   * `compiled` message again: its static map is prepared here from the code kept (cheap: the
   * parse and the map are cached by content, staticMap.ts; each run gets fresh counts).
   */
  private convert(windows: WireWindow[], plan: Plan, state: RunState, live: Live, emit: Emit, options: StartOptions) {
    const files = new Set([...windows.flatMap((w) => w.scripts.map(([file]) => file)), ...live.probeFiles.keys()]);
    for (const file of files) {
      if (state.prepared.has(file)) continue;
      const code = live.compiled.get(file);
      if (code !== undefined) state.prepared.set(file, Promise.resolve(prepare(file, code)));
    }
    const timing = (text: string) => {
      if (options.env?.GOVCOV_TIMING) emit({ type: 'output', stream: 'stderr', text: `timing: ${text}` });
    };
    return convertCoverage(windows, plan, state, emit, timing, !!options.keepRaw);
  }
}
