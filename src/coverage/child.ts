/**
 * The test child: started by `startRun` (runner.ts) with `fork`, never imported by the caller.
 * Drives mocha programmatically with a reporter that streams {@link RunEvent}s as they happen
 * (through channel.ts: a shared-memory ring drained by a writer thread onto a dedicated pipe,
 * not one `process.send` per event; a test's start and pass travel in a compact form the runner
 * completes), loads each test file separately (a file that fails to import is reported as a
 * `fileError` and the others still run), and collects coverage:
 * - `v8` (the default, see v8.ts for why): an inspector session on this very isolate (started
 *   once mocha and the loaders are in, see `startCoverage`),
 *   `Profiler.startPreciseCoverage({ callCount: true, detailed: true })`, one take at the end,
 *   or one at each test start/end for per-test coverage. The child sends each source file's
 *   compiled JavaScript as it loads and the raw takes at the end; the runner converts them
 *   (v8.ts), having loaded the converters while the tests ran;
 * - `istanbul` (kept for the engine comparison in the benchmark): the JavaScript tsx produced
 *   for each source file is instrumented with istanbul-lib-instrument and mapped back to the
 *   TypeScript through tsx's inline source map with istanbul-lib-source-maps.
 * Options arrive as JSON in `GOVCOV_CHILD` (see {@link ChildOptions}). With `GOVCOV_TIMING=1`
 * in the run's `env`, the child (and the runner) report phase timings as `output` events.
 */
import * as inspector from 'inspector';
import * as path from 'path';
import { pathToFileURL } from 'url';
import * as util from 'util';
import * as fs from 'fs';
import type { MochaSetup, RunEvent, RunStats, TestCoverage } from './model';
import { failureInfo, reporterClass } from './childReporter';
import { captureEsmSources, loadMocha, loadRequires, mochaLoader, mochaOptions, type MochaInstance, type MochaLoader, type MochaModule } from './childMocha';
import type { CoverageMapData } from 'istanbul-lib-coverage';
import { openChannel } from './channel';
import { isToolingModule } from './loaders';
import type { Window, WireWindow } from './v8';
import { ChildProbes, type ProbeMessage } from '../continuous/childProbes';

/** What the parent passes to the child. */
export interface ChildOptions {
  root: string;
  files: string[];
  sourceFiles: string[];
  require: string[];
  timeout: number;
  grep?: string;
  coverage: boolean;
  perTest: boolean;
  engine: 'v8' | 'istanbul';
  /**
   * How per-test coverage is recorded with the V8 engine: `probes` (the default; one-shot probes
   * in the source files, see src/continuous/probes.ts) or `takes` (a V8 take per test).
   */
  perTestMode?: 'probes' | 'takes';
  /** The workspace's mocha setup: which mocha, its options (see childMocha.ts). */
  mocha: MochaSetup;
  /** Sources may be ES modules: capture them through a loader hook (childMocha.ts). */
  esm: boolean;
  /** The pipe for messages (see channel.ts); without it, `process.send` one by one. */
  eventsFd?: number;
}

/** Messages from the child to the parent. */
export type ChildMessage =
  | { t: 'event'; e: RunEvent }
  | { t: 'coverage'; coverage: CoverageMapData; perTest?: Record<string, TestCoverage> }
  /** `testStart` of the test `p` (title path) in `opts.files[f]` (the runner completes it). */
  | { t: 'start'; f: number; p: string[] }
  /** `testPass` of the test of the last `testStart` (the runner completes it). */
  | { t: 'pass'; durationMs: number }
  /** V8 engine: a source file's JavaScript, as soon as it is compiled (the runner loads its converter). */
  | { t: 'compiled'; file: string; code: string }
  /** V8 engine: the raw coverage takes of the source files, at the end (the runner converts them). */
  | { t: 'windows'; windows: WireWindow[] }
  /** Per-test probes: the blocks of an instrumented source file (src/continuous/probes.ts). */
  | ProbeMessage
  /** Per-test probes: the probe ids the test of the last `testStart` touched. */
  | { t: 'touched'; ids: number[] }
  /** The process is exiting before the run ended (`process.exit()`), during test `p` of `opts.files[f]` if any. */
  | { t: 'exit'; code: number; f?: number; p?: string[] };

const opts = JSON.parse(process.env.GOVCOV_CHILD ?? '{}') as ChildOptions;
const channel = openChannel<ChildMessage>(opts.eventsFd, (m) => process.send?.(m));
const send = (m: ChildMessage) => channel.send(m);
const emit = (e: RunEvent) => send({ t: 'event', e });
const testFiles = new Set(opts.files);

// --- exit watch ---------------------------------------------------------------------------------
/** The test running now (file index and title path), and whether mocha's run has ended. */
const exitWatch: { test?: { f: number; p: string[] }; runEnded: boolean } = { runEnded: false };

/**
 * On any exit — a test calling `process.exit()` included — tell the runner in which test it
 * happened (unless the run ended normally) and flush the channel, so every event sent before
 * (each pass as it happened) reaches the runner.
 */
function onExit(code: number): void {
  if (!exitWatch.runEnded) send({ t: 'exit', code: typeof code === 'number' ? code : 0, ...(exitWatch.test ?? {}) });
  channel.flush();
}
process.on('exit', onExit);
const sourceFiles = new Set(opts.sourceFiles);
/** Per-test coverage by probes (V8 engine, `perTestMode` `probes`). */
const probes = probesFor(opts, send);

function probesFor(o: ChildOptions, sender: (m: ChildMessage) => void): ChildProbes | undefined {
  return o.coverage && o.perTest && o.engine === 'v8' && o.perTestMode !== 'takes' ? new ChildProbes(sender) : undefined;
}

// --- coverage collection -------------------------------------------------------------------
let session: inspector.Session | undefined;
const windows: Window[] = [];
const sourceUrls = new Map<string, string>();
for (const f of opts.sourceFiles) sourceUrls.set(pathToFileURL(f).href, f);

/**
 * The source file of a script V8 covered, or undefined. An ES module imported under a query
 * string or fragment (`src/a.js?x=1`, as esmock loads the modules it mocks around: `?esmk=…`) is
 * another instance of the same file: its coverage counts for the file, as c8 counts it (a file:
 * URL escapes `?` and `#` of a path, so those mark the query and fragment).
 */
function sourceOf(url: string): string | undefined {
  const file = sourceUrls.get(url) ?? (sourceFiles.has(url) ? url : undefined);
  return file ?? (url.startsWith('file:') ? sourceUrls.get(url.replace(/[?#].*$/s, '')) : undefined);
}

function post<T>(method: string, params?: object): T {
  let out: T | undefined;
  let error: Error | null = null;
  session!.post(method, params ?? {}, (err, res) => {
    error = err;
    out = res as T;
  });
  if (error) throw error;
  return out as T;
}

const timing = !!process.env.GOVCOV_TIMING;
const takeStats = { count: 0, ms: 0, functions: 0 };

/** Take the coverage since the last take (resetting V8's counters) and keep the source scripts. */
function take(id?: string): void {
  if (!session) return;
  const t0 = timing ? performance.now() : 0;
  const res = post<inspector.Profiler.TakePreciseCoverageReturnType>('Profiler.takePreciseCoverage');
  if (timing) {
    takeStats.count++;
    takeStats.ms += performance.now() - t0;
    takeStats.functions = res.result.reduce((n, s) => n + s.functions.length, 0);
  }
  // A source loaded twice (a test that clears require.cache and requires it again, an ES module
  // imported again under a query string) is two scripts of one file: each goes in its own
  // window, and the runner sums the windows.
  const layers = [new Map<string, inspector.Profiler.FunctionCoverage[]>()];
  const first = windows.length === 0;
  for (const s of res.result) {
    const file = sourceOf(s.url);
    // Between takes, a script none of whose ranges ran adds nothing (absent counts as zero).
    if (!file || !(first || s.functions.some((f) => f.ranges.some((r) => r.count > 0)))) continue;
    let layer = layers.find((l) => !l.has(file));
    if (!layer) layers.push((layer = new Map()));
    layer.set(file, probes ? probes.map(file, s.functions) : s.functions);
  }
  for (const scripts of layers) if (scripts.size) windows.push({ testId: id, scripts });
}

/**
 * Start V8 coverage. Called once the loaders (`require` entries inside node_modules, e.g.
 * tsx/cjs) and mocha are loaded, and before anything of the project: block coverage makes V8
 * compile every function with counters, so starting after the tooling loaded keeps that cost
 * off mocha, tsx and esbuild without missing any line of the sources (none is loaded yet).
 */
function startCoverage(): void {
  if (session || !opts.coverage || opts.engine !== 'v8') return;
  session = new inspector.Session();
  session.connect();
  post('Profiler.enable');
  post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('module') as { prototype: { _compile(content: string, filename: string): unknown } };
const originalCompile = Module.prototype._compile;
let instrument: ((code: string, file: string) => string) | undefined;
if (opts.coverage && opts.engine === 'istanbul') {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { createInstrumenter } = require('istanbul-lib-instrument');
  const instrumenter = createInstrumenter({ esModules: false, compact: true, produceSourceMap: false });
  instrument = (code, file) => {
    const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
    const map = m ? JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) : undefined;
    return instrumenter.instrumentSync(code, file, map);
  };
}
/** Source files whose compiled code the runner has (CommonJS `_compile` or the ESM hook). */
const sentSources = new Set<string>();
function sendCompiled(file: string, code: string): void {
  if (sentSources.has(file)) return;
  sentSources.add(file);
  send({ t: 'compiled', file, code });
}
Module.prototype._compile = function (content: string, filename: string) {
  if (sourceFiles.has(filename)) {
    if (instrument) content = instrument(content, filename);
    else if (opts.coverage) {
      sendCompiled(filename, content);
      if (probes) content = probes.instrument(filename, content);
    }
  }
  return originalCompile.call(this, content, filename);
};
const esmArrived = opts.coverage && opts.engine === 'v8' && opts.esm ? captureEsmSources(opts.sourceFiles, sendCompiled) : undefined;

/** Covered scripts no hook saw (an ES module whose message is late, a loader we missed): read from disk. */
function sendMissingSources(): void {
  for (const w of windows)
    for (const file of w.scripts.keys()) {
      if (sentSources.has(file)) continue;
      try {
        sendCompiled(file, fs.readFileSync(file, 'utf8'));
      } catch {
        /* gone: the runner reports it at zero */
      }
    }
}

async function collect(): Promise<void> {
  if (!opts.coverage) return;
  if (opts.engine === 'istanbul') {
    const libCoverage = require('istanbul-lib-coverage');
    const libSourceMaps = require('istanbul-lib-source-maps');
    const raw = (globalThis as Record<string, unknown>).__coverage__ ?? {};
    const map = await libSourceMaps.createSourceMapStore().transformCoverage(libCoverage.createCoverageMap(raw));
    send({ t: 'coverage', coverage: map.toJSON() });
    return;
  }
  // The runner converts (converters loaded while the tests ran): only the raw takes go back.
  const t0 = performance.now();
  take();
  const t1 = performance.now();
  await esmArrived?.();
  sendMissingSources();
  send({ t: 'windows', windows: windows.map((w) => ({ ...(w.testId ? { testId: w.testId } : {}), scripts: [...w.scripts] })) });
  if (timing) process.stderr.write(`timing: final take ${(t1 - t0).toFixed(0)} ms, sent ${(performance.now() - t1).toFixed(0)} ms, ${takeStats.count} takes ${takeStats.ms.toFixed(0)} ms (${takeStats.functions} functions in the last), since start ${(performance.now()).toFixed(0)} ms\n`);
}

// --- mocha ------------------------------------------------------------------------------------

/** Ends the run before any test with `error` (a require that failed, mocha that did not load). */
function abort(error: string): void {
  exitWatch.runEnded = true;
  emit({ type: 'end', stats: { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 }, cancelled: false, timedOut: false, error });
  process.exitCode = 1;
  channel.flush();
}

/** Loads each test file through mocha's async loader, emitting mocha's file events around it. */
async function loadTestFiles(Mocha: MochaModule, mocha: MochaInstance, loader: MochaLoader, stringify: (v: unknown) => string): Promise<string[]> {
  const suite = mocha.suite;
  const SC = Mocha.Suite.constants;
  const loaded: string[] = [];
  for (const file of opts.files) {
    suite.emit(SC.EVENT_FILE_PRE_REQUIRE, globalThis, file, mocha);
    try {
      const exported = await loader.requireOrImport(file);
      suite.emit(SC.EVENT_FILE_REQUIRE, exported, file, mocha);
      suite.emit(SC.EVENT_FILE_POST_REQUIRE, globalThis, file, mocha);
      loaded.push(file);
      emit({ type: 'fileLoaded', file });
    } catch (err) {
      emit({ type: 'fileError', file, error: failureInfo(err, stringify, testFiles) });
    }
  }
  return loaded;
}

async function main(): Promise<void> {
  let Mocha: MochaModule;
  try {
    Mocha = loadMocha(opts.mocha);
  } catch (err) {
    return abort(`cannot load mocha from ${opts.mocha.mochaDir}: ${(err as Error).message}`);
  }
  const loader = mochaLoader(opts.mocha);
  let plugins: Record<string, unknown>;
  try {
    // A project-local module (a setup file) may load sources: cover it.
    plugins = await loadRequires(loader, opts.require, opts.root, (r) => {
      if (!isToolingModule(r) && (path.isAbsolute(r) || r.startsWith('.'))) startCoverage();
    });
  } catch (err) {
    return abort((err as Error).message);
  }
  const phases: string[] = [];
  const phase = (name: string) => timing && phases.push(`${name} ${performance.now().toFixed(0)}`);
  phase('mocha loaded');
  startCoverage();
  const stringify: (v: unknown) => string = Mocha.utils?.stringify ?? ((v: unknown) => util.inspect(v));
  const C = Mocha.Runner.constants;
  const stats: RunStats = { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 };
  const grep = opts.grep ? new RegExp(opts.grep) : undefined;
  const started = Date.now();
  // Per-test windows: a take at each test end; one at a test's start only when a hook ran
  // since the last take (otherwise nothing of the sources ran in between), which halves
  // the takes — each costs time proportional to every function V8 has compiled.
  let hookRan = true;
  let loaded: string[] = [];
  const Reporter = reporterClass({
    constants: C, files: opts.files, grep, stats, loaded: () => loaded, emit, send, stringify, exitWatch,
    hooks: {
      hookEnd: () => (hookRan = true),
      testBegin: () => {
        if (probes) probes.begin();
        else if (opts.perTest && hookRan) take();
        hookRan = false;
      },
      testEnd: (t, id) => {
        if (probes) {
          if (!t.pending) send({ t: 'touched', ids: probes.end() });
        } else if (opts.perTest && !t.pending) take(id());
        hookRan = false; // this test's beforeEach hooks are in its own window
      },
    },
  });

  const mocha = new Mocha({ ...mochaOptions(opts.mocha, opts.timeout), ...plugins, reporter: Reporter });
  if (grep) mocha.grep(grep);
  loaded = await loadTestFiles(Mocha, mocha, loader, stringify);
  phase('files loaded');
  mocha.run(() => {
    phase('tests run');
    if (timing) process.stderr.write(`timing: child at (ms since its start): ${phases.join(', ')}\n`);
    stats.durationMs = Date.now() - started;
    collect()
      .catch((err) => emit({ type: 'output', stream: 'stderr', text: `coverage collection failed: ${(err as Error).stack}` }))
      .finally(() => {
        // Exit explicitly: a test that leaves a handle open (timer, server) must not hang the run.
        exitWatch.runEnded = true;
        send({ t: 'event', e: { type: 'end', stats, cancelled: false, timedOut: false } });
        channel.flush();
        process.exit(0);
      });
  });
}

main().catch((err) => abort(`the test process failed: ${(err as Error)?.stack ?? String(err)}`));
