/**
 * Process hygiene of a run: no process a run started outlives it.
 *
 * The test child is spawned in its own process group (`detached: true`, so also its own session)
 * and carries a run marker in its environment (`GOVCOV_RUN=<id>`), which every process it starts
 * inherits. Ending a run — normally, cancelled, on the watchdog or because the CLI got
 * SIGINT/SIGTERM/SIGHUP — kills the whole group, then sweeps `/proc` for processes that still carry
 * the marker: that catches grandchildren that left the group (`detached: true`, `setsid`) and
 * those reparented to init after their parent died. The sweep needs `/proc` (Linux); elsewhere
 * only the group is killed.
 */
import * as fs from 'fs';
import { randomBytes } from 'crypto';

/** Environment variable naming the run a process belongs to. */
export const RUN_MARKER = 'GOVCOV_RUN';

/** A fresh run id for {@link RUN_MARKER}. */
export function newRunId(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Pids (other than this process) whose environment holds `RUN_MARKER=<runId>`. */
export function processesOfRun(runId: string): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const needle = Buffer.from(`${RUN_MARKER}=${runId}\0`);
  const out: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`);
      if (env.includes(needle)) out.push(Number(name)); // every entry ends with NUL, the last too
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Kill the run's process group (`pgid` = the child's pid) and every process still carrying the
 * run's marker. Repeats the sweep while it finds processes (one may fork while we kill).
 */
export function killRun(pgid: number | undefined, runId: string): void {
  if (pgid) kill(-pgid, 'SIGKILL');
  for (let round = 0; round < 10; round++) {
    const left = processesOfRun(runId);
    if (!left.length) return;
    for (const pid of left) kill(pid, 'SIGKILL');
  }
}
