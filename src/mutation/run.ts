/**
 * `startMutation`: a StrykerJS run in a worker process (worker.ts) that leads its own process
 * group, with StrykerJS's reporter events streamed as {@link MutationEvent}s.
 *
 * - Cancel (and a crash of ours: the worker watches its IPC channel) kills the whole group — the
 *   worker and every test-runner process StrykerJS forked — then removes the sandbox.
 * - Reports are written by StrykerJS's own `json` and `html` reporters into a staging folder and
 *   moved into `<reportDir>/mutation/` only when the run completes, under the report folder's lock
 *   (a coverage run swapping the folder meanwhile loses nothing): a cancelled or failed run leaves
 *   the previous reports whole.
 * - Like the coverage runner, the worker starts with `process.execPath` and
 *   `ELECTRON_RUN_AS_NODE=1`, so the same code runs from the CLI, VS Code and code-server.
 */
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { resolveRequire } from '../coverage/config';
import type { MutationEvent, MutationHandle, MutationOptions, MutationReport, MutationRunResult, MutantStatus } from './model';
import { resolveMutate, strykerOptions, type MutationPaths } from './options';
import { withFolderLock } from '../coverage/reportFolder';

function workerEntry(): { file: string; execArgv: string[] } {
  const js = path.join(__dirname, 'worker.js');
  if (fs.existsSync(js)) return { file: js, execArgv: [] };
  return { file: path.join(__dirname, 'worker.ts'), execArgv: ['--require', resolveRequire('tsx/cjs', __dirname)] };
}

/**
 * The paths of a run of `config` (creates the staging and sandbox folders). StrykerJS writes only
 * into `.stryker-tmp` (its reports and incremental file are staged there), never into the report
 * folder, which a coverage run may be swapping meanwhile: they are published under its lock.
 */
export function mutationPaths(root: string, reportDir: string): MutationPaths {
  const strykerTmp = path.join(root, '.stryker-tmp');
  fs.mkdirSync(strykerTmp, { recursive: true });
  const stagingDir = fs.mkdtempSync(path.join(strykerTmp, 'reports-'));
  return {
    reportDir: path.resolve(root, reportDir, 'mutation'),
    stagingDir,
    incrementalFile: path.join(stagingDir, INCREMENTAL),
    // Inside the root, where StrykerJS puts it by default: modules a project resolves from a parent
    // folder (a hoisted monorepo, a symlinked node_modules StrykerJS does not link) resolve from the
    // sandbox too. Test discovery never sees it (a dot folder: globs skip it).
    sandboxParent: fs.mkdtempSync(path.join(strykerTmp, 'governance-')),
  };
}

const INCREMENTAL = 'stryker-incremental.json';

/** Stages the last published incremental file for StrykerJS to read (an `--incremental` run). */
function stageIncremental(paths: MutationPaths): void {
  const published = path.join(paths.reportDir, INCREMENTAL);
  if (fs.existsSync(published)) fs.copyFileSync(published, paths.incrementalFile);
}

/** Moves the staged reports into `<reportDir>/mutation/` under the report folder's lock. */
function publish(paths: MutationPaths): Promise<string[]> {
  return withFolderLock(path.dirname(paths.reportDir), () => {
    fs.mkdirSync(paths.reportDir, { recursive: true });
    const out: string[] = [];
    for (const name of ['mutation.json', 'mutation.html', INCREMENTAL]) {
      const from = path.join(paths.stagingDir, name);
      if (!fs.existsSync(from)) continue;
      const to = path.join(paths.reportDir, name);
      fs.renameSync(from, to);
      out.push(to);
    }
    return out;
  });
}

/**
 * The report restricted to the files this run mutated: in incremental mode StrykerJS also reports
 * the earlier results of files outside `mutate`, which must not decide this run's verdict.
 */
function onlyMutated(report: MutationReport, mutate: string[]): MutationReport {
  const wanted = new Set(mutate.map((m) => m.replace(/:\d+(?::\d+)?-\d+(?::\d+)?$/, '')));
  return { ...report, files: Object.fromEntries(Object.entries(report.files).filter(([f]) => wanted.has(f))) };
}

/** Starts a mutation run; throws {@link MutationInputError} when nothing matches the request. */
export function startMutation(options: MutationOptions): MutationHandle {
  const { config } = options;
  const started = performance.now();
  const mutate = resolveMutate(config, options.files);
  const paths = mutationPaths(config.root, config.reportDir);
  if (options.incremental) stageIncremental(paths);
  const listeners = new Set<(e: MutationEvent) => void>();
  const emit = (e: MutationEvent) => listeners.forEach((l) => l(e));
  const entry = workerEntry();
  const child: ChildProcess = fork(entry.file, [], {
    cwd: config.root,
    execPath: process.execPath,
    execArgv: entry.execArgv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', FORCE_COLOR: '0' },
  });
  let cancelled = false;
  let error: string | undefined;
  let total = 0;
  let done = 0;
  let tested = 0;
  let early = 0;
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  // The last lines StrykerJS logged: its error messages name the cause only there (a failing test in the dry run, …).
  const tail: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    readline.createInterface({ input: child[stream]! }).on('line', (text) => {
      tail.push(text);
      if (tail.length > 40) tail.shift();
      emit({ type: 'output', stream, text });
    });
  }
  child.on('message', (m: Record<string, unknown> & { type: string }) => {
    if (m.type === 'plan') {
      total = m.total as number;
      tested = m.run as number;
      early = m.early as number;
      emit({ type: 'plan', total, run: tested, early });
    } else if (m.type === 'dryRun') emit({ type: 'dryRun', tests: m.tests as number });
    else if (m.type === 'mutant') {
      done++;
      const loc = m.location as { start: { line: number } };
      emit({
        type: 'mutant', done, total, id: String(m.id), file: path.resolve(config.root, m.fileName as string), status: m.status as MutantStatus,
        mutatorName: m.mutatorName as string, ...(m.replacement !== undefined ? { replacement: m.replacement as string } : {}), line: loc.start.line,
      });
    } else if (m.type === 'error') {
      const log = tail.filter((l) => !/\bINFO\b/.test(l)).slice(-40);
      error = [m.message as string, ...(log.length ? ['StrykerJS said:', ...log] : [])].join('\n');
    }
  });
  const result = new Promise<MutationRunResult>((resolve) => {
    let ended = false;
    const end = async (reason?: string) => {
      if (ended) return;
      ended = true;
      killGroup();
      if (reason && !error && !cancelled) error = reason;
      let report: MutationReport | undefined;
      let reportFiles: string[] = [];
      if (!cancelled && !error) {
        try {
          report = onlyMutated(JSON.parse(fs.readFileSync(path.join(paths.stagingDir, 'mutation.json'), 'utf8')) as MutationReport, mutate);
        } catch (e) {
          error = `StrykerJS wrote no report: ${(e as Error).message}`;
        }
      }
      if (report) {
        try {
          reportFiles = await publish(paths);
        } catch (e) {
          report = undefined;
          error = `the mutation reports could not be published into ${paths.reportDir}: ${(e as Error).message}`;
        }
      }
      fs.rmSync(paths.stagingDir, { recursive: true, force: true });
      fs.rmSync(paths.sandboxParent, { recursive: true, force: true });
      try {
        fs.rmdirSync(path.dirname(paths.sandboxParent)); // .stryker-tmp, when no other run uses it
      } catch {
        /* not empty or gone */
      }
      emit({ type: 'end', cancelled, ...(error ? { error } : {}) });
      resolve({ ...(report ? { report } : {}), cancelled, ...(error ? { error } : {}), durationMs: performance.now() - started, mutate, tested, early, reportFiles });
    };
    child.on('error', (e) => void end(`mutation worker failed: ${e.message}`));
    child.on('exit', (code, signal) => void end(code === 0 ? undefined : `mutation worker exited with ${signal ?? `code ${code}`}`));
  });
  child.send({ type: 'start', root: config.root, options: strykerOptions(config, mutate, paths, options) });
  queueMicrotask(() => emit({ type: 'start', mutate }));
  return {
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cancel() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      cancelled = true;
      killGroup();
    },
    result,
    pid: child.pid,
  };
}
