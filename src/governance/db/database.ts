/**
 * `GovernanceDatabase`: the governance domain's SQLite database, over sql.js (SQLite compiled
 * to WebAssembly, fully in memory).
 *
 * - The WASM binary is read from the installed `sql.js` package (no network, no download).
 * - Foreign keys are ON for every connection (re-applied after `export()`, which reopens the
 *   connection inside sql.js and would otherwise silently drop the pragma).
 * - `create()` is cheap: the schema is bootstrapped ONCE per process into a template and every
 *   new database is a byte-level clone of it (`new SQL.Database(template.export())`).
 * - All SQL helpers take positional `?` parameters; nothing is interpolated. A string parameter
 *   holding a NUL character or a lone surrogate is refused (`INVALID_TEXT`) instead of being
 *   truncated or replaced by SQLite, and every constraint SQLite enforces (CHECK, NOT NULL, UNIQUE,
 *   FOREIGN KEY) surfaces as a `GovernanceError` with a stable `CONSTRAINT_*` code (./refusals.ts).
 * - `transaction(fn)` is synchronous (sql.js is): a SAVEPOINT per level (the outermost one is the
 *   transaction); any throw rolls the whole (sub)transaction back and rethrows.
 * - `save(file)` is atomic (temp file in the same directory, fsync, rename), keeps the file's mode
 *   and writes through a symlink to its target; `open(file)` refuses a missing, unreadable, corrupt
 *   or foreign file with a typed error and never writes to it. Both remove the temporary files of
 *   an interrupted save (./files.ts). A database saved by an earlier release is upgraded in memory
 *   on open (`upgradeSchema` in ./schema.ts), on disk by the next save.
 */
import * as fs from 'node:fs';
import initSqlJs from 'sql.js';
import type { Database as SqlJsDatabase, SqlJsStatic, SqlValue } from 'sql.js';
import { GovernanceError } from '../errors';
import { readFile, saveFile } from './files';
import { checkText, databaseError } from './refusals';
import { assertSchema, bootstrapSchema, checkSchema, upgradeSchema, type SchemaCheckResult } from './schema';

/** A value accepted as a SQL parameter. Booleans are stored as 0/1, undefined as NULL. */
export type SqlParam = string | number | boolean | null | undefined | Uint8Array;

/** First 16 bytes of every SQLite 3 database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0');

let sqlJsPromise: Promise<SqlJsStatic> | undefined;
let templateBytes: Uint8Array | undefined;

/** Loads sql.js once per process, with the WASM read from the installed package. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!sqlJsPromise) {
    const wasmBinary = fs.readFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'));
    sqlJsPromise = initSqlJs({ wasmBinary: new Uint8Array(wasmBinary).buffer as ArrayBuffer });
  }
  return sqlJsPromise;
}

/** Bytes of a freshly bootstrapped database (bootstrapped once, then cached). */
async function template(): Promise<Uint8Array> {
  if (!templateBytes) {
    const SQL = await loadSqlJs();
    const db = new GovernanceDatabase(new SQL.Database());
    bootstrapSchema(db);
    templateBytes = db.export();
    db.close();
  }
  return templateBytes;
}

/** undefined → NULL; strings are checked (INVALID_TEXT); sql.js itself binds booleans as 1/0. */
function toSqlValue(value: SqlParam, index: number): SqlValue {
  if (value === undefined) return null;
  if (typeof value === 'string') checkText(value, index);
  return value as SqlValue;
}

/** The governance database handle; see the module comment for the guarantees. */
export class GovernanceDatabase {
  private raw: SqlJsDatabase | undefined;
  private depth = 0;

  /** Wraps an open sql.js database and turns foreign keys on. Prefer `create()` / `open()`. */
  constructor(raw: SqlJsDatabase) {
    this.raw = raw;
    connect(raw);
  }

  /** A new in-memory database with the full schema (a clone of the per-process template). */
  static async create(): Promise<GovernanceDatabase> {
    const [SQL, bytes] = await Promise.all([loadSqlJs(), template()]);
    return new GovernanceDatabase(new SQL.Database(bytes));
  }

  /**
   * Loads a database from bytes, refusing anything that is not an intact governance database:
   * `CORRUPT_DATABASE` for non-SQLite or damaged bytes, `SCHEMA_MISSING` (naming each missing
   * table and column) for a valid SQLite database of some other application.
   */
  static async fromBytes(bytes: Uint8Array, label = 'database'): Promise<GovernanceDatabase> {
    if (!SQLITE_HEADER.equals(Buffer.from(bytes.subarray(0, 16)))) {
      throw new GovernanceError('CORRUPT_DATABASE', `${label} is not a SQLite database (bad or missing header); it was left untouched. Restore it from a backup or create a new database.`, { label });
    }
    const SQL = await loadSqlJs();
    const db = new GovernanceDatabase(new SQL.Database(bytes)); // reads nothing yet
    let verdict: string;
    try {
      verdict = db.all<{ quick_check: string }>('PRAGMA quick_check').map((r) => r.quick_check).join('; ');
    } catch (err) {
      verdict = ((err as GovernanceError).cause as Error).message; // SQLite's own words, e.g. "file is not a database"
    }
    if (verdict !== 'ok') {
      db.close();
      throw new GovernanceError('CORRUPT_DATABASE', `${label} is a damaged SQLite database (${verdict}); it was left untouched. Restore it from a backup or create a new database.`, { label, problem: verdict });
    }
    try {
      assertSchema(db);
    } catch (err) {
      db.close();
      const e = err as GovernanceError;
      throw new GovernanceError('SCHEMA_MISSING', `${label} is not a governance database: ${e.message}`, { label, ...e.details });
    }
    upgradeSchema(db);
    return db;
  }

  /** Opens a saved database file (read only from disk; the file is never modified). */
  static async open(file: string): Promise<GovernanceDatabase> {
    return GovernanceDatabase.fromBytes(readFile(file), file);
  }

  private get db(): SqlJsDatabase {
    if (!this.raw) throw new GovernanceError('DATABASE_CLOSED', 'The governance database is closed; open or create a new one.');
    return this.raw;
  }

  /** True until `close()`. */
  get isOpen(): boolean {
    return this.raw !== undefined;
  }

  /** True while inside `transaction()`. */
  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** Runs one or more statements without parameters (DDL, pragmas). */
  exec(sql: string): void {
    const db = this.db;
    try {
      db.exec(sql);
    } catch (err) {
      throw databaseError(err, sql);
    }
  }

  /** Runs one parameterised statement; returns the number of rows it changed. */
  run(sql: string, params: readonly SqlParam[] = []): { changes: number } {
    const values = params.map(toSqlValue);
    const db = this.db;
    try {
      db.run(sql, values);
    } catch (err) {
      throw databaseError(err, sql);
    }
    return { changes: db.getRowsModified() };
  }

  /** All rows of a parameterised query, as column-name keyed objects. */
  all<T>(sql: string, params: readonly SqlParam[] = []): T[] {
    const values = params.map(toSqlValue);
    const db = this.db;
    try {
      const stmt = db.prepare(sql);
      try {
        stmt.bind(values);
        const rows: T[] = [];
        while (stmt.step()) rows.push(stmt.getAsObject() as T);
        return rows;
      } finally {
        stmt.free();
      }
    } catch (err) {
      throw databaseError(err, sql);
    }
  }

  /** The first row of a parameterised query, or undefined. */
  get<T>(sql: string, params: readonly SqlParam[] = []): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  /**
   * Runs `fn` atomically. Every level is a SAVEPOINT (the outermost one opens and, on RELEASE,
   * commits the transaction), so an inner failure that the caller catches rolls back only the
   * inner part. `fn` must be synchronous: returning a promise is refused (and rolled back)
   * because the transaction could not span the await.
   */
  transaction<T>(fn: () => T): T {
    this.db.exec('SAVEPOINT gov');
    this.depth++;
    try {
      const result = fn();
      if (result instanceof Promise) {
        throw new GovernanceError('INVALID_ARGUMENT', 'transaction() callbacks must be synchronous; do async work before or after the transaction.');
      }
      this.depth--;
      this.db.exec('RELEASE gov');
      return result;
    } catch (err) {
      this.depth--;
      this.db.exec('ROLLBACK TO gov; RELEASE gov');
      throw err;
    }
  }

  /** Compares the database with the expected schema (never throws). */
  checkSchema(): SchemaCheckResult {
    return checkSchema(this);
  }

  /** The database file image. */
  export(): Uint8Array {
    if (this.depth > 0) throw new GovernanceError('INVALID_STATUS', 'Cannot export or save inside a transaction; commit first.');
    const bytes = this.db.export();
    connect(this.db);
    return bytes;
  }

  /**
   * Writes the database to `file` atomically (temp file beside the target, fsync, rename), keeping
   * the file's mode and writing through a symlink; typed errors as described in ./files.ts.
   */
  save(file: string): void {
    saveFile(file, this.export());
  }

  /** Releases the database; later calls fail with DATABASE_CLOSED. Idempotent. */
  close(): void {
    this.raw?.close();
    this.raw = undefined;
  }
}

/**
 * Sets up a connection (again after `export()`, which reopens it): foreign keys on, and the
 * rollback journal in SQLite's own memory. sql.js keeps the database file in Emscripten's
 * in-memory file system, so a journal file there is only more copying through that layer (a
 * quarter of the suite's time); transactions and savepoints roll back the same way. Setting the
 * journal reads the file header: bytes that are no database fail there, and are named by
 * `fromBytes`'s own check instead.
 */
function connect(raw: SqlJsDatabase): void {
  raw.exec('PRAGMA foreign_keys = ON');
  try {
    raw.exec('PRAGMA journal_mode = MEMORY');
  } catch {
    // not a database: fromBytes refuses it as CORRUPT_DATABASE
  }
}
