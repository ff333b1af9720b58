/**
 * `startRun`: runs mocha in a child process (child.ts) and streams its events.
 *
 * The child is started with `process.execPath` and `ELECTRON_RUN_AS_NODE=1`, so the same code
 * works from plain Node (CLI), VS Code's Electron extension host and code-server. It never
 * inherits the caller's `execArgv` (the extension host's inspector flags, mocha's `--require`).
 * Cancellation and the whole-run watchdog kill the child; the events received so far are kept.
 * The child's messages arrive on a dedicated pipe (fd 4, see channel.ts); with the V8 engine the
 * runner also does the conversion to istanbul: it prepares each source file's static map as the
 * child reports the file compiled (while the tests run) and converts and normalises the takes as
 * soon as they arrive, while the child exits.
 */
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import type { ChildMessage, ChildOptions } from './child';
import { resolveRequire } from './config';
import type { FailureInfo, RunEvent, RunHandle, RunOptions, RunResult, RunStats, TestCoverage } from './model';
import { testId } from './model';
import { parseSource } from './ast';
import { branchCandidates } from './branches';
import { lineReader } from './channel';
import { completeCoverage, convert, prepare, type Prepared, type Window, type WireWindow } from './v8';

/** Test files of a config (absolute, sorted). */
export async function findTestFiles(config: RunOptions['config']): Promise<string[]> {
  const files = await fg(config.testGlobs, { cwd: config.root, absolute: true, ignore: ['**/node_modules/**'] });
  return files.map((f) => path.resolve(f)).sort();
}

/** Source files of a config (absolute, sorted, no `.d.ts`). */
export async function findSourceFiles(config: RunOptions['config']): Promise<string[]> {
  const files = await fg(config.sourceGlobs, { cwd: config.root, absolute: true, ignore: ['**/node_modules/**', '**/*.d.ts'] });
  return files.map((f) => path.resolve(f)).sort();
}

function childEntry(): { file: string; execArgv: string[] } {
  const js = path.join(__dirname, 'child.js');
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  // Running from TypeScript sources (unit tests under tsx): let tsx load the child too.
  return { file: path.join(__dirname, 'child.ts'), execArgv: ['--require', resolveRequire('tsx/cjs', __dirname)] };
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
      branchCandidates(parseSource(file));
    } catch {
      /* unreadable now: the normaliser reports what it can */
    }
  }
}

/** Start a run. Events stream through `onEvent`; `result` resolves when the child is gone. */
export function startRun(options: RunOptions & { engine?: 'v8' | 'istanbul' }): RunHandle {
  const listeners = new Set<(e: RunEvent) => void>();
  const emit = (e: RunEvent) => {
    for (const l of [...listeners]) {
      try {
        l(e);
      } catch {
        /* a listener's error must not stop the run */
      }
    }
  };
  let child: ChildProcess | undefined;
  let cancelled = false;
  let timedOut = false;
  let resolvePort: ((p: number) => void) | undefined;
  const debugPort = options.debugPort !== undefined ? new Promise<number>((r) => (resolvePort = r)) : undefined;

  const result = run().catch((err: unknown): RunResult => {
    const error = `the run could not start: ${(err as Error)?.message ?? String(err)}`;
    const stats: RunStats = { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 };
    emit({ type: 'end', stats, cancelled, timedOut, error });
    resolvePort?.(0);
    return { stats, cancelled, timedOut, error, loadErrors: [], coverage: {}, testTitles: {} };
  });

  async function run(): Promise<RunResult> {
    const config = options.config;
    const stats: RunStats = { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 };
    const loadErrors: Array<{ file: string; error: FailureInfo }> = [];
    const testTitles: Record<string, string> = {};
    let coverage: RunResult['coverage'] = {};
    let perTest: Record<string, TestCoverage> | undefined;
    // V8 engine: compiled sources (their converters load while the tests run) and the raw takes.
    const compiled = new Map<string, string>();
    const prepared = new Map<string, Promise<Prepared | undefined>>();
    let conversion: Promise<{ coverage: RunResult['coverage']; perTest?: Record<string, TestCoverage> }> | undefined;
    const timing = (text: string) => {
      if (options.env?.GOVCOV_TIMING) emit({ type: 'output', stream: 'stderr', text: `timing: ${text}` });
    };
    /** Raw takes → normalised istanbul coverage of every source file (+ per-test data). */
    const finishCoverage = async (windows: WireWindow[]) => {
      const t0 = performance.now();
      let out: { coverage: RunResult['coverage']; perTest?: Record<string, TestCoverage> } = { coverage: {} };
      try {
        const list: Window[] = windows.map((w) => ({ testId: w.testId, scripts: new Map(w.scripts) }));
        out = await convert(list, compiled, childOptions.perTest, prepared);
      } catch (err) {
        emit({ type: 'output', stream: 'stderr', text: `coverage conversion failed: ${(err as Error).stack}` });
      }
      timing(`parent conversion ${(performance.now() - t0).toFixed(0)} ms`);
      out.coverage = completeCoverage(out.coverage, sourceFiles);
      timing(`parent conversion + normalisation ${(performance.now() - t0).toFixed(0)} ms`);
      return out;
    };
    let endEvent: Extract<RunEvent, { type: 'end' }> | undefined;
    let error: string | undefined;
    const started = Date.now();
    const [files, sourceFiles] = await Promise.all([
      options.files ? Promise.resolve(options.files.map((f) => path.resolve(config.root, f))) : findTestFiles(config),
      findSourceFiles(config),
    ]);
    const childOptions: ChildOptions = {
      root: config.root,
      files,
      sourceFiles,
      require: config.require,
      timeout: config.timeout,
      grep: options.grep,
      coverage: options.coverage !== false,
      perTest: !!options.perTest && options.coverage !== false,
      engine: options.engine ?? 'v8',
      eventsFd: 4,
    };
    const entry = childEntry();
    const execArgv = [...entry.execArgv];
    if (options.debugPort !== undefined) execArgv.unshift(`--inspect-brk=127.0.0.1:${options.debugPort}`);
    const stderrTail: string[] = [];
    let exited = false;
    await new Promise<void>((done) => {
      if (cancelled) return done();
      child = fork(entry.file, [], {
        cwd: config.root,
        execPath: process.execPath,
        execArgv,
        env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1', GOVCOV_CHILD: JSON.stringify(childOptions) },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'], // fd 4: the child's messages (channel.ts)
      });
      if (childOptions.coverage) void prewarm(sourceFiles, () => exited);
      // No watchdog while debugging: a paused debuggee is not a hung run.
      const watchdog = options.debugPort !== undefined ? undefined : setTimeout(() => {
        timedOut = true;
        child?.kill('SIGKILL');
      }, config.runTimeout);
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
              if (m && resolvePort) resolvePort(Number(m[1]));
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
      let lastStart: Extract<RunEvent, { type: 'testStart' }> | undefined;
      const onMessage = (m: ChildMessage) => {
        if (m.t === 'start') {
          const file = files[m.f];
          onMessage({ t: 'event', e: { type: 'testStart', id: testId(file, m.p), file, titlePath: m.p } });
          return;
        }
        if (m.t === 'pass') {
          if (lastStart) onMessage({ t: 'event', e: { type: 'testPass', id: lastStart.id, file: lastStart.file, titlePath: lastStart.titlePath, durationMs: m.durationMs } });
          return;
        }
        if (m.t === 'compiled') {
          compiled.set(m.file, m.code);
          prepared.set(m.file, new Promise((r) => setImmediate(r)).then(() => prepare(m.file, m.code)));
          return;
        }
        if (m.t === 'windows') {
          // Convert now, while the child exits (its teardown and ours overlap).
          conversion = finishCoverage(m.windows);
          return;
        }
        if (m.t === 'coverage') {
          timing(`coverage message received at ${Date.now() - started} ms`);
          coverage = m.coverage;
          perTest = m.perTest;
          return;
        }
        const e = m.e;
        switch (e.type) {
          case 'start':
            stats.total = e.total;
            break;
          case 'fileError':
            loadErrors.push({ file: e.file, error: e.error });
            break;
          case 'testStart':
            lastStart = e;
            testTitles[e.id] = e.titlePath.join(' ');
            break;
          case 'testPass':
            stats.passed++;
            testTitles[e.id] = e.titlePath.join(' ');
            break;
          case 'testFail':
            stats.failed++;
            testTitles[e.id] ??= e.titlePath.join(' ');
            break;
          case 'testSkip':
            stats.skipped++;
            testTitles[e.id] = e.titlePath.join(' ');
            break;
          case 'end':
            endEvent = e;
            return; // re-emitted once the result is complete
        }
        emit(e);
      };
      child.on('message', onMessage);
      // The run is over when the child has exited and its message pipe is drained (the pipe is
      // not inherited by processes the tests start, so it ends with the child).
      let pending = 2;
      let exitStatus = '';
      const finished = () => {
        if (--pending > 0) return;
        if (!endEvent && !cancelled && !timedOut && !error) {
          error = `the test process exited (${exitStatus}) before the run ended` + (stderrTail.length ? `:\n${stderrTail.join('\n')}` : '');
        }
        done();
      };
      const messages = child.stdio[4] as NodeJS.ReadableStream | null | undefined;
      if (messages) {
        const reader = lineReader<ChildMessage>(onMessage);
        messages.setEncoding('utf8');
        messages.on('data', (chunk: string) => {
          try {
            reader.push(chunk);
          } catch (err) {
            error ??= `unreadable message from the test process: ${(err as Error).message}`;
          }
        });
        messages.on('end', () => {
          try {
            reader.end();
          } catch (err) {
            error ??= `unreadable message from the test process: ${(err as Error).message}`;
          }
          finished();
        });
        messages.on('error', finished);
      } else finished();
      child.on('error', (err) => {
        error = `cannot start the test process: ${err.message}`;
      });
      child.on('exit', (code, signal) => {
        exited = true;
        if (watchdog) clearTimeout(watchdog);
        resolvePort?.(0); // no-op once the port is known; 0 when the debugger never started
        exitStatus = signal ?? `code ${code}`;
        finished();
      });
    });
    if (endEvent?.error) error = endEvent.error;
    if (timedOut) error = `the whole run exceeded ${config.runTimeout} ms and was stopped`;
    stats.durationMs = Date.now() - started;
    if (childOptions.coverage && childOptions.engine === 'v8' && !cancelled && !timedOut) {
      const t0 = performance.now();
      // No takes (the child died first): every source file at zero, as before.
      ({ coverage, perTest } = await (conversion ?? finishCoverage([])));
      if (!childOptions.perTest) perTest = undefined;
      timing(`waited ${(performance.now() - t0).toFixed(0)} ms for the coverage after the child exited`);
    }
    const res: RunResult = { stats, cancelled, timedOut, loadErrors, coverage, testTitles };
    if (error) res.error = error;
    if (perTest) res.perTest = perTest;
    emit({ type: 'end', stats, cancelled, timedOut, ...(error ? { error } : {}) });
    return res;
  }

  return {
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cancel() {
      cancelled = true;
      child?.kill('SIGKILL');
    },
    result,
    ...(debugPort ? { debugPort } : {}),
  };
}
