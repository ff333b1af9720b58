/**
 * The fault suite's harness: each case copies a scenario folder of test/fixtures/faults (over the
 * shared `_base`) into a fresh temporary folder, runs the built CLI (`out/src/cli.js`, or the one
 * named by GOVCOV_FAULT_CLI — e.g. a build of an older commit, to see the cases fail there) as a
 * real process, and checks through /proc that no process of the run is left once it ended: every
 * process the CLI starts inherits the case's marker variable, whatever session or group it is in.
 */
import { strict as assert } from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const CLI = process.env.GOVCOV_FAULT_CLI ?? path.join(REPO, 'out', 'src', 'cli.js');
const FAULTS = path.join(REPO, 'test', 'fixtures', 'faults');
const MARKER = 'GOVCOV_FAULT_CASE';

const made: string[] = [];
after(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Copy `_base` and the scenario `name` into a fresh folder (removed after the suite); `renames` moves files in the copy. */
export function scenario(name: string, renames: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `govcov-fault-${name}-`));
  made.push(dir);
  fs.cpSync(path.join(FAULTS, '_base'), dir, { recursive: true });
  fs.cpSync(path.join(FAULTS, name), dir, { recursive: true });
  for (const [from, to] of Object.entries(renames)) fs.renameSync(path.join(dir, from), path.join(dir, to));
  return dir;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The CLI had not exited after `limitMs` and was killed. */
  killed: boolean;
  ms: number;
  marker: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  /** The CLI to run (default: {@link CLI}). */
  cli?: string;
  /** Kill the CLI (and fail the case) when it has not exited after this long. */
  limitMs?: number;
  /** Called once the CLI is started (e.g. to send it a signal), with the case's marker. */
  started?: (child: ChildProcess, marker: string) => void;
}

/** Run the CLI; resolves when it exits (not when its pipes close: a leftover may hold them). */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const marker = randomBytes(8).toString('hex');
  const t0 = Date.now();
  const child = spawn(process.execPath, [options.cli ?? CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env, [MARKER]: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let killed = false;
  const limit = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.limitMs ?? 150_000);
  options.started?.(child, marker);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(limit);
      const ms = Date.now() - t0;
      // Read what is already in the pipes, without waiting for a leftover that holds them.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, signal, stdout, stderr, killed, ms, marker });
      }, 300);
    });
  });
}

/** Processes (pid and command line) that carry the case's marker. */
export function processesOf(marker: string): Array<{ pid: number; cmd: string }> {
  const needle = Buffer.from(`${MARKER}=${marker}\0`);
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!fs.readFileSync(`/proc/${name}/environ`).includes(needle)) continue;
      out.push({ pid: Number(name), cmd: fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Assert that no process of the run is left (a killed one gets 1 s to go), then kill any that is. */
export async function assertNoLeftovers(run: CliRun): Promise<void> {
  let left = processesOf(run.marker);
  for (let i = 0; i < 10 && left.length; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesOf(run.marker);
  }
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  assert.deepEqual(left.map((p) => p.cmd), [], 'processes of the run are left after it ended');
}

/** Every file under `dir` with its content (for "the previous reports are intact"). */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Lay "previous reports" in `<dir>/coverage` (what a failed or interrupted run must leave alone). */
export function previousReports(dir: string): Record<string, string> {
  const cov = path.join(dir, 'coverage');
  fs.mkdirSync(cov, { recursive: true });
  fs.writeFileSync(path.join(cov, 'coverage-final.json'), '{"previous": true}\n');
  fs.writeFileSync(path.join(cov, 'lcov.info'), 'TN:previous\nend_of_record\n');
  fs.writeFileSync(path.join(cov, 'gap-closure-plan.md'), '# previous plan\n');
  return snapshot(cov);
}

/** Wait until `file` exists (a scenario's test writes it when it reached a point). */
export async function waitForFile(file: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** No stack trace in a message meant for a person. */
export function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /^\s+at .+:\d+:\d+\)?$/m, `a raw stack trace was printed:\n${text}`);
}
