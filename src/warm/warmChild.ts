/**
 * The warm test child (see warmRunner.ts): started once by a {@link WarmRunner}, it loads node,
 * the loaders (`require` entries such as tsx), mocha and the V8 inspector session once, then
 * serves runs sent over IPC (`{ t: 'run', … }`) until the runner disconnects or kills it.
 *
 * Each run: the changed project modules, their dependents and the test files leave
 * `require.cache` (reload.ts), a fresh Mocha instance loads the run's test files, and the
 * messages are those of child.ts on the same pipe (fd 4, channel.ts) — `compiled` and `probes`
 * only for modules compiled in this run (the runner keeps the others') —, then a `warm` status
 * (whether the child can serve another run) before the `end` event. The child never exits on
 * its own after a run; it is untrusted for the next one when a test left handles open (timers,
 * servers, sockets: `process.getActiveResourcesInfo()` against the count when it was ready) or a
 * test file was loaded as an ES module (it cannot be unloaded).
 *
 * It never outlives the runner: it exits when the IPC channel closes (`disconnect`), and a
 * watcher thread kills its process group when its parent changes (the runner died while a test
 * blocked the event loop).
 */
import * as inspector from 'inspector';
import * as path from 'path';
import { pathToFileURL } from 'url';
import * as util from 'util';
import { Worker } from 'worker_threads';
import type { ChildMessage } from '../coverage/child';
import type { MochaSetup, RunEvent, RunStats } from '../coverage/model';
import { failureInfo, reporterClass } from '../coverage/childReporter';
import { loadMocha, loadRequires, mochaLoader, mochaOptions, type MochaInstance, type MochaModule } from '../coverage/childMocha';
import { openChannel } from '../coverage/channel';
import { isToolingModule } from '../coverage/loaders';
import { ChildProbes } from '../continuous/childProbes';
import { ModuleTracker, type ModuleCache } from './reload';

/** What the warm child is started with (`GOVCOV_WARM`): what does not change between its runs. */
export interface WarmChildOptions {
  root: string;
  require: string[];
  coverage: boolean;
  perTest: boolean;
  mocha: MochaSetup;
  eventsFd?: number;
}

/** One run (IPC from the runner). `all`: reload every project module (a full run). */
export interface WarmRunRequest {
  t: 'run';
  files: string[];
  sourceFiles: string[];
  timeout: number;
  grep?: string;
  all: boolean;
}

/** The child's status after a run (before its `end` event), or its refusal before one. */
export interface WarmStatus {
  t: 'warm';
  /** Set when the child must not serve another run (or could not serve this one: `refused`). */
  untrusted?: string;
  refused?: boolean;
  /** Modules taken out of require.cache before this run. */
  reloaded: number;
}

type Out = ChildMessage | WarmStatus;

const opts = JSON.parse(process.env.GOVCOV_WARM ?? '{}') as WarmChildOptions;
const channel = openChannel<Out>(opts.eventsFd, (m) => process.send?.(m));
const send = (m: Out) => channel.send(m);
const emit = (e: RunEvent) => send({ t: 'event', e });
const cache = require.cache as unknown as ModuleCache;
const tracker = new ModuleTracker();

// --- lifetime -----------------------------------------------------------------------------------
process.on('disconnect', () => process.exit(0));
/** Kill this process group when the parent changes (it died: we were reparented). */
function watchParent(): void {
  const code = `const { workerData } = require('worker_threads');
setInterval(() => { if (process.ppid !== workerData.ppid) process.kill(-workerData.pid, 'SIGKILL'); }, 500);`;
  const w = new Worker(code, { eval: true, workerData: { ppid: process.ppid, pid: process.pid } });
  w.unref();
}
watchParent();

/** The test running now and whether a run is in progress (see child.ts's exit watch). */
const exitWatch: { test?: { f: number; p: string[] }; running: boolean } = { running: false };
process.on('exit', (code) => {
  if (exitWatch.running) send({ t: 'exit', code: typeof code === 'number' ? code : 0, ...(exitWatch.test ?? {}) });
  channel.flush();
});

// --- sources and coverage -----------------------------------------------------------------------
let sourceFiles = new Set<string>();
const sourceUrls = new Map<string, string>();
const sent = new Set<string>();
const probes = opts.coverage && opts.perTest ? new ChildProbes(send) : undefined;
let session: inspector.Session | undefined;

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

function startCoverage(): void {
  if (session || !opts.coverage) return;
  session = new inspector.Session();
  session.connect();
  post('Profiler.enable');
  post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
}

/** Script ids of modules unloaded since they compiled: their coverage is never reported again. */
const stale = new Set<string>();

/** A take: each source script that ran since the last take, one window per copy (see child.ts). */
function take(): Array<[string, inspector.Profiler.FunctionCoverage[]][]> {
  if (!session) return [];
  const res = post<inspector.Profiler.TakePreciseCoverageReturnType>('Profiler.takePreciseCoverage');
  const layers = [new Map<string, inspector.Profiler.FunctionCoverage[]>()];
  for (const s of res.result) {
    const file = sourceUrls.get(s.url) ?? (sourceFiles.has(s.url) ? s.url : undefined);
    if (!file || stale.has(s.scriptId) || !s.functions.some((f) => f.ranges.some((r) => r.count > 0))) continue;
    let layer = layers.find((l) => !l.has(file));
    if (!layer) layers.push((layer = new Map()));
    layer.set(file, probes ? probes.map(file, s.functions) : s.functions);
  }
  return layers.filter((l) => l.size).map((l) => [...l]);
}

/** Mark the scripts of `files` stale (their modules left require.cache) and reset V8's counters. */
function forget(files: readonly string[]): void {
  if (!session) return;
  const urls = new Set(files.flatMap((f) => [f, pathToFileURL(f).href]));
  const res = post<inspector.Profiler.TakePreciseCoverageReturnType>('Profiler.takePreciseCoverage');
  for (const s of res.result) if (urls.has(s.url)) stale.add(s.scriptId);
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('module') as { prototype: { _compile(content: string, filename: string): unknown } };
const originalCompile = Module.prototype._compile;
Module.prototype._compile = function (content: string, filename: string) {
  tracker.compiled(filename);
  if (opts.coverage && sourceFiles.has(filename)) {
    if (!sent.has(filename)) send({ t: 'compiled', file: filename, code: content });
    sent.add(filename);
    if (probes) content = probes.instrument(filename, content);
  }
  return originalCompile.call(this, content, filename);
};

// --- handles --------------------------------------------------------------------------------------
/**
 * Active handles and timers by kind (`Timeout`, `TCPServerWrap`, `ChildProcess`, …). Pending
 * requests (`FSReqPromise`: e.g. tsx writing its cache) end by themselves: not counted.
 */
function resources(): Map<string, number> {
  const out = new Map<string, number>();
  const info = (process as unknown as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo?.() ?? [];
  for (const r of info) if (!/Req/.test(r)) out.set(r, (out.get(r) ?? 0) + 1);
  return out;
}
let baseline = new Map<string, number>();

/** Kinds of resources open now beyond the baseline (a test left them). */
function leaked(): string[] {
  const now = resources();
  return [...now].filter(([k, n]) => n > (baseline.get(k) ?? 0)).map(([k, n]) => `${n - (baseline.get(k) ?? 0)} ${k}`);
}

// --- a run ----------------------------------------------------------------------------------------

let Mocha: MochaModule;
let loader: ReturnType<typeof mochaLoader>;
let plugins: Record<string, unknown> = {};

function reporterFor(req: WarmRunRequest, stats: RunStats, stringify: (v: unknown) => string, loaded: string[]) {
  return reporterClass({
    constants: Mocha.Runner.constants, files: req.files, grep: req.grep ? new RegExp(req.grep) : undefined, stats,
    loaded: () => loaded, emit, send, stringify, exitWatch,
    hooks: {
      testBegin: () => probes?.begin(),
      testEnd: (t) => {
        if (probes && !t.pending) send({ t: 'touched', ids: probes.end() });
      },
    },
  });
}

/** Load the run's test files into `mocha` (one by one, as child.ts); the ones loaded, and whether one was an ES module. */
async function loadTests(mocha: MochaInstance, files: string[], stringify: (v: unknown) => string): Promise<{ loaded: string[]; esm: boolean }> {
  const SC = Mocha.Suite.constants;
  const loaded: string[] = [];
  let esm = false;
  for (const file of files) {
    mocha.suite.emit(SC.EVENT_FILE_PRE_REQUIRE, globalThis, file, mocha);
    try {
      const exported = await loader.requireOrImport(file);
      if (!cache[file]) esm = true;
      mocha.suite.emit(SC.EVENT_FILE_REQUIRE, exported, file, mocha);
      mocha.suite.emit(SC.EVENT_FILE_POST_REQUIRE, globalThis, file, mocha);
      loaded.push(file);
      emit({ type: 'fileLoaded', file });
    } catch (err) {
      emit({ type: 'fileError', file, error: failureInfo(err, stringify, new Set(files)) });
    }
  }
  return { loaded, esm };
}

/** Every test file any run loaded (they leave require.cache before each run). */
const testFilesSeen = new Set<string>();

const timing = !!process.env.GOVCOV_TIMING;

async function serve(req: WarmRunRequest): Promise<void> {
  const t0 = performance.now();
  const marks: string[] = [];
  const mark = (name: string) => timing && marks.push(`${name} ${(performance.now() - t0).toFixed(0)}`);
  sourceFiles = new Set(req.sourceFiles);
  for (const f of req.sourceFiles) sourceUrls.set(pathToFileURL(f).href, f);
  for (const f of req.files) testFilesSeen.add(f);
  const plan = tracker.plan(cache, testFilesSeen, req.all);
  if ('refuse' in plan) {
    send({ t: 'warm', untrusted: plan.refuse, refused: true, reloaded: 0 });
    channel.flush();
    return;
  }
  tracker.unload(cache, plan.unload);
  for (const f of plan.unload) sent.delete(f);
  mark(`unloaded ${plan.unload.length}`);
  forget(plan.unload);
  mark('counters reset');
  exitWatch.running = true;
  const stats: RunStats = { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 };
  const started = Date.now();
  const stringify: (v: unknown) => string = Mocha.utils?.stringify ?? ((v: unknown) => util.inspect(v));
  const loaded: string[] = [];
  const mocha = new Mocha({ ...mochaOptions(opts.mocha, req.timeout), ...plugins, reporter: reporterFor(req, stats, stringify, loaded) });
  if (req.grep) mocha.grep(new RegExp(req.grep));
  const load = await loadTests(mocha, req.files, stringify);
  loaded.push(...load.loaded);
  mark('test files loaded');
  await new Promise<void>((done) => mocha.run(() => done()));
  mark('tests run');
  stats.durationMs = Date.now() - started;
  (mocha as { dispose?: () => void }).dispose?.();
  if (opts.coverage) send({ t: 'windows', windows: take().map((scripts) => ({ scripts })) });
  // Let what the tests closed settle before counting what is still open.
  await new Promise((r) => setImmediate(r));
  mark('take sent');
  if (timing) process.stderr.write(`timing: warm child (ms since the request): ${marks.join(', ')}\n`);
  const left = leaked();
  const untrusted = load.esm ? 'a test file was loaded as an ES module (it cannot be unloaded)' : left.length ? `a test left ${left.join(', ')} open` : undefined;
  send({ t: 'warm', reloaded: plan.unload.length, ...(untrusted ? { untrusted } : {}) });
  exitWatch.running = false;
  send({ t: 'event', e: { type: 'end', stats, cancelled: false, timedOut: false } });
  channel.flush();
}

/** Runs arrive one at a time (the runner waits for each `end`); queued in order all the same. */
let queue = Promise.resolve();

async function main(): Promise<void> {
  try {
    Mocha = loadMocha(opts.mocha);
    loader = mochaLoader(opts.mocha);
    plugins = await loadRequires(loader, opts.require, opts.root, (r) => {
      if (!isToolingModule(r) && (path.isAbsolute(r) || r.startsWith('.'))) startCoverage();
    });
  } catch (err) {
    emit({ type: 'end', stats: { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 }, cancelled: false, timedOut: false, error: (err as Error).message });
    channel.flush();
    process.exit(1);
  }
  startCoverage();
  tracker.pinLoaded(cache);
  baseline = resources();
  process.on('message', (m: WarmRunRequest) => {
    if (m?.t !== 'run') return;
    queue = queue.then(() => serve(m)).catch((err) => {
      emit({ type: 'output', stream: 'stderr', text: `the warm test process failed: ${(err as Error)?.stack ?? String(err)}` });
      process.exit(1);
    });
  });
  process.send?.({ t: 'ready' });
}

void main();
