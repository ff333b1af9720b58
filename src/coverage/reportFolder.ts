/**
 * Writing the report folder whole or not at all (used by reports.ts).
 *
 * The reports are written into a fresh temporary folder beside the report folder (same file
 * system), which then replaces it: the old folder is renamed aside, the new one renamed into
 * place, the old one removed. A reader sees the old reports or the new ones, never a mix or a
 * half-written file. A lock file beside the folder (`.<name>.lock`, holding the writer's pid)
 * makes concurrent runs in one folder queue: a second writer waits for the first (up to
 * {@link LOCK_WAIT_MS}, then refuses); a lock whose process is gone is taken over. Other tools'
 * writers into the folder (the mutation run's `mutation/`) take the same lock ({@link withFolderLock}).
 *
 * Every failure — the report folder is a file, it or its parent is not writable, a report's
 * name is too long for the file system, the disk is full — is a {@link ReportWriteError} naming the
 * folder and the cause; the temporary folder is removed and the previous reports stay as they were.
 */
import * as fs from 'fs';
import * as path from 'path';

/** How long a writer waits for another writer of the same folder. */
export const LOCK_WAIT_MS = 60_000;

/** Reports could not be written; the previous reports are intact. */
export class ReportWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportWriteError';
  }
}

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'a report file name is too long for the file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way',
};

/** A ReportWriteError for `dir` from a file-system error. */
function failure(dir: string, err: unknown): ReportWriteError {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof ReportWriteError) return e;
  const cause = (e.code && CAUSES[e.code]) ?? e.message;
  return new ReportWriteError(`cannot write the reports into ${dir}: ${cause}${e.code ? ` (${e.code}${e.path ? ` at ${e.path}` : ''})` : ''}; the previous reports are kept`);
}

/** Refuse early when `dir` is a file or is not writable, and make sure its parent exists. */
function checkTarget(dir: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (stat && !stat.isDirectory()) throw new ReportWriteError(`cannot write the reports into ${dir}: it is a file, not a folder (reportDir); nothing was written`);
  if (stat) fs.accessSync(dir, fs.constants.W_OK);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.accessSync(path.dirname(dir), fs.constants.W_OK);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Take the folder's lock, waiting for another writer; returns the release function. */
async function lock(dir: string): Promise<() => void> {
  const file = path.join(path.dirname(dir), `.${path.basename(dir)}.lock`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: number;
    try {
      holder = Number(fs.readFileSync(file, 'utf8').trim());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
      throw err;
    }
    if (!Number.isInteger(holder) || holder <= 0 || !alive(holder)) {
      fs.rmSync(file, { force: true }); // a writer that died: take over
      continue;
    }
    if (Date.now() > deadline) throw new ReportWriteError(`cannot write the reports into ${dir}: another run (pid ${holder}) has been writing there for ${LOCK_WAIT_MS / 1000} s (lock ${file}); the previous reports are kept`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs `fn` holding `dir`'s lock (the one report writers queue on), so what `fn` writes into `dir`
 * never meets a report folder being swapped; a lock held too long is a {@link ReportWriteError}.
 */
export async function withFolderLock<T>(dir: string, fn: () => T): Promise<T> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const release = await lock(dir);
  try {
    return fn();
  } finally {
    release();
  }
}

/**
 * Put `fresh` in the place of `dir` (which may not exist). What other tools keep in `dir` and
 * `fresh` does not hold (e.g. `mutation/`) moves over from the old folder.
 */
function swap(fresh: string, dir: string): void {
  let aside: string | undefined;
  if (fs.existsSync(dir)) {
    fs.chmodSync(fresh, fs.statSync(dir).mode & 0o7777);
    aside = `${fresh}.old`;
    fs.renameSync(dir, aside);
  } else fs.chmodSync(fresh, 0o777 & ~process.umask());
  try {
    fs.renameSync(fresh, dir);
  } catch (err) {
    if (aside) fs.renameSync(aside, dir); // put the old reports back
    throw err;
  }
  if (!aside) return;
  for (const name of fs.readdirSync(aside)) {
    if (!fs.existsSync(path.join(dir, name))) fs.renameSync(path.join(aside, name), path.join(dir, name));
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

/**
 * Write a report folder whole: `write(tmp)` fills a temporary folder that then replaces `dir`.
 * Throws a {@link ReportWriteError} (previous reports intact) when that cannot be done.
 */
export async function writeFolder(dir: string, write: (tmp: string) => Promise<void>): Promise<void> {
  let release: (() => void) | undefined;
  let tmp: string | undefined;
  try {
    checkTarget(dir);
    release = await lock(dir);
    tmp = fs.mkdtempSync(path.join(path.dirname(dir), `.${path.basename(dir)}.tmp-`));
    await write(tmp);
    swap(tmp, dir);
    tmp = undefined;
  } catch (err) {
    throw failure(dir, err);
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    release?.();
  }
}
