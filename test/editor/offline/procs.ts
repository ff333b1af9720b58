/**
 * Process plumbing for the offline editor harness: detached children in their own process
 * group (so a whole tree — code-server with its extension host, Chromium with its helpers —
 * is killed by one negative pid), bounded waits on their output, a free loopback port.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

/** Thrown when a bounded wait in the harness runs out; the message says what was awaited. */
export class HarnessTimeoutError extends Error {
  constructor(what: string, ms: number, detail = '') {
    super(`timed out after ${ms} ms waiting for ${what}${detail ? `\n${detail}` : ''}`);
    this.name = 'HarnessTimeoutError';
  }
}

/** A child process started as leader of its own process group, with its output kept. */
export interface GroupProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout and stderr so far (bounded to the last 256 KiB). */
  output(): string;
  /** Resolves with the first regexp match in the output, or rejects after `ms`. */
  waitForOutput(pattern: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** SIGTERM to the group, SIGKILL after `graceMs` if anything is left; resolves when gone. */
  kill(graceMs?: number): Promise<void>;
}

const MAX_OUTPUT = 256 * 1024;

/** Groups started and not yet killed; killed outright if this process exits or is interrupted. */
const liveGroups = new Set<number>();
/** Throwaway directories removed at exit if their owner did not get to it. */
const tempDirs = new Set<string>();
let exitHooksInstalled = false;

/** Registers a throwaway directory for removal at exit (or interrupt); returns it. */
export function removeAtExit(dir: string): string {
  installExitHooks();
  tempDirs.add(dir);
  return dir;
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = (): void => {
    for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
    liveGroups.clear();
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** Spawns `command` detached (new process group) with piped output. */
export function spawnGroup(name: string, command: string, args: string[], opts: SpawnOptions = {}): GroupProcess {
  installExitHooks();
  const child = spawn(command, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  liveGroups.add(pid);
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    if (out.length > MAX_OUTPUT) out = out.slice(out.length - MAX_OUTPUT);
    for (const l of [...listeners]) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited = child.exitCode !== null;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  child.once('exit', () => {
    // A finished group must not be signalled later: its pid may be reused by then.
    if (!groupAlive(pid)) liveGroups.delete(pid);
    for (const l of [...listeners]) l();
  });

  return {
    name,
    child,
    pid,
    output: () => out,
    waitForOutput(pattern, ms) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = out.match(pattern);
          if (m) { done(); resolve(m); return; }
          if (exited) {
            done();
            reject(new Error(`${name} exited (code ${child.exitCode}, signal ${child.signalCode}) before printing ${pattern}\n${tail(out)}`));
          }
        };
        const timer = setTimeout(() => { done(); reject(new HarnessTimeoutError(`${name} to print ${pattern}`, ms, tail(out))); }, ms);
        const done = (): void => { clearTimeout(timer); listeners.delete(check); };
        listeners.add(check);
        check();
      });
    },
    async kill(graceMs = 5000) {
      // Children that left the group (setsid) are caught through the parent links taken now.
      const tree = descendants(pid);
      signalGroup(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && groupAlive(pid)) await sleep(100);
      if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
      const hardDeadline = Date.now() + 5000;
      while (Date.now() < hardDeadline && groupAlive(pid)) await sleep(100);
      if (!exited) await Promise.race([exitPromise, sleep(1000)]);
      if (groupAlive(pid)) throw new Error(`${name}: process group ${pid} survived SIGKILL`);
      liveGroups.delete(pid);
      const strays = tree.filter(isLive);
      for (const p of strays) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sleep(strays.length ? 300 : 0);
      const left = strays.filter(isLive);
      if (left.length) throw new Error(`${name}: descendants ${left.join(', ')} outlived the process group`);
    },
  };
}

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
}

/** All processes from /proc with state, parent and group (Linux). */
function procTable(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after "(comm)": state ppid pgrp ...; comm may contain spaces or parentheses.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(entry), state: rest[0], ppid: Number(rest[1]), pgrp: Number(rest[2]) });
    } catch {
      continue; // exited while we looked
    }
  }
  return out;
}

function isLive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of all live descendants of `pid` (children, grandchildren, ...). */
export function descendants(pid: number): number[] {
  const table = procTable().filter((p) => p.state !== 'Z');
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift() as number;
    for (const p of table) {
      if (p.ppid === parent && !found.includes(p.pid)) {
        found.push(p.pid);
        queue.push(p.pid);
      }
    }
  }
  return found;
}

/** Sends `signal` to every process of the group led by `pid`; a vanished group is fine. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Live (non-zombie) pids of the process group led by `pid`, read from /proc (Linux). Zombies
 * are left out: they hold no resources and are reaped by their parent or init.
 */
export function groupMembers(pid: number): number[] {
  return procTable()
    .filter((p) => p.state !== 'Z' && p.pgrp === pid)
    .map((p) => p.pid);
}

/** True while any live process of the group led by `pid` exists. */
export function groupAlive(pid: number): boolean {
  return groupMembers(pid).length > 0;
}

/**
 * Live pids whose command line contains `marker` (e.g. a throwaway directory passed to the
 * server and browser): catches any helper that left the process group.
 */
export function processesMentioning(marker: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cmd.includes(marker) && state.slice(state.lastIndexOf(')') + 2)[0] !== 'Z') found.push(Number(entry));
    } catch {
      continue;
    }
  }
  return found;
}

/** A currently free TCP port on 127.0.0.1 (bound then released). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or times out. */
export async function poll<T>(what: string, ms: number, probe: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new HarnessTimeoutError(what, ms, last instanceof Error ? `last error: ${last.message}` : '');
}

/** Promise-based delay. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The last `lines` lines of a log, for error messages. */
export function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

/**
 * Stops the browser, then the server (each even when the other failed), then asserts that no
 * process mentioning their throwaway folders is left; rethrows the first stop error. With
 * `wallTime`, prints the spec's wall time since `started`.
 */
export async function stopHarness(
  browser: { stop(): Promise<void>; readonly profileDir: string } | undefined,
  server: { stop(): Promise<void>; readonly tempRoot: string } | undefined,
  wallTime?: { label: string; started: number },
): Promise<void> {
  const markers = [browser?.profileDir, server?.tempRoot].filter((m): m is string => !!m);
  const errors: unknown[] = [];
  for (const stop of [() => browser?.stop(), () => server?.stop()]) {
    try {
      await stop();
    } catch (err) {
      errors.push(err);
    }
  }
  const left = markers.flatMap((m) => processesMentioning(m));
  if (wallTime) console.log(`      ${wallTime.label} wall time: ${((Date.now() - wallTime.started) / 1000).toFixed(1)} s`);
  if (left.length) throw new Error(`processes left behind: ${left.join(', ')}`);
  if (errors.length) throw errors[0];
}
