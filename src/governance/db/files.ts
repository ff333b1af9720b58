/**
 * The database file on disk (rule 8 of the domain spec: careful saves, typed refusals).
 *
 * - `saveFile` writes through symlinks to their final target, into a temporary file beside that
 *   target (`.<name>.<pid>.<8 hex>.tmp`, created exclusively), gives it the target's current mode,
 *   fsyncs it and renames it over the target, so the file is replaced whole or not at all.
 * - Both `saveFile` and `readFile` first remove temporary files of the same database left by a
 *   save that was killed (their process is gone); a live process's temporary file is kept.
 * - Failures are typed: `FOLDER_NOT_FOUND` (the folder is missing or is not a folder),
 *   `PERMISSION_DENIED` (EACCES, EPERM, EROFS), `SAVE_FAILED` (anything else on save),
 *   `FILE_NOT_FOUND` (only a file that is not there), `FILE_UNREADABLE` (anything else on open).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GovernanceError } from '../errors';

/** Most symlinks a save follows, as the kernel does (more is ELOOP there too). */
const MAX_LINKS = 40;

const errnoOf = (err: unknown): string => String((err as NodeJS.ErrnoException).code);
const PERMISSION = ['EACCES', 'EPERM', 'EROFS'];

/** The path a save really writes: `file` with every symlink followed, even to a target not there yet. */
export function resolveTarget(file: string): string {
  let current = path.resolve(file);
  for (let followed = 0; ; followed++) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(current);
    } catch {
      return current; // not there (yet), or its folder is unusable: the write itself reports why
    }
    if (!stat.isSymbolicLink()) return current;
    if (followed === MAX_LINKS) {
      throw new GovernanceError('SAVE_FAILED', `Cannot save the governance database to ${file}: more than ${MAX_LINKS} symbolic links (a loop?). Point it at a real file.`, { file, errno: 'ELOOP' });
    }
    current = path.resolve(path.dirname(current), fs.readlinkSync(current));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Removes `.<name>.<pid>.<hex>.tmp` files beside `target` whose process is gone (or is this one:
 * saves are synchronous, so none of ours is in progress). Returns the names removed.
 */
export function removeOrphanedTemps(target: string): string[] {
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && isAlive(pid)) continue;
    try {
      fs.unlinkSync(path.join(dir, name));
      removed.push(name);
    } catch {
      // a read-only folder: the orphan stays until a save can remove it
    }
  }
  return removed;
}

function saveError(err: unknown, file: string, target: string): GovernanceError {
  const errno = errnoOf(err);
  const dir = path.dirname(target);
  const details = { file, target, errno };
  if (errno === 'ENOENT' || errno === 'ENOTDIR') {
    return new GovernanceError('FOLDER_NOT_FOUND', `Cannot save the governance database to ${file}: the folder ${dir} does not exist or is not a folder. Create it or choose another path.`, details, { cause: err });
  }
  if (PERMISSION.includes(errno)) {
    return new GovernanceError('PERMISSION_DENIED', `Cannot save the governance database to ${file}: the folder ${dir} is read-only for this process (${errno}). Make it writable or choose another path.`, details, { cause: err });
  }
  return new GovernanceError('SAVE_FAILED', `Cannot save the governance database to ${file} (${errno}); the previous file, if any, is unchanged.`, details, { cause: err });
}

/** Writes `bytes` to `file` atomically, keeping the target's mode and following symlinks (see module comment). */
export function saveFile(file: string, bytes: Uint8Array): void {
  const target = resolveTarget(file);
  removeOrphanedTemps(target);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const mode = existingMode(target);
    const fd = fs.openSync(tmp, 'wx');
    created = true;
    try {
      fs.writeSync(fd, bytes);
      if (mode !== undefined) fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    if (created) fs.rmSync(tmp, { force: true });
    throw saveError(err, file, target);
  }
}

/** Permission bits of the file a save replaces, or undefined when there is none yet. */
function existingMode(target: string): number | undefined {
  try {
    return fs.statSync(target).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** Reads a database file; only a file that is not there is FILE_NOT_FOUND. */
export function readFile(file: string): Buffer {
  try {
    removeOrphanedTemps(resolveTarget(file));
  } catch {
    // a symlink loop: the read below reports it
  }
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const errno = errnoOf(err);
    const details = { file, errno };
    if (errno === 'ENOENT' || errno === 'ENOTDIR') {
      throw new GovernanceError('FILE_NOT_FOUND', `Governance database ${file} does not exist. Check the path, or create a new database and save it there.`, details, { cause: err });
    }
    if (PERMISSION.includes(errno)) {
      throw new GovernanceError('PERMISSION_DENIED', `Cannot read governance database ${file}: permission denied (${errno}). Grant this process read access to it.`, details, { cause: err });
    }
    throw new GovernanceError('FILE_UNREADABLE', `Cannot read governance database ${file} (${errno}); it was left untouched.`, details, { cause: err });
  }
}
