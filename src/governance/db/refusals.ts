/**
 * Rule 8 of the domain spec ("Refusals are typed, input is never altered") for what goes into and
 * comes out of SQLite:
 * - `checkText` refuses a string parameter holding a NUL character (sql.js would store only the text
 *   before it) or a lone UTF-16 surrogate (it would be stored as U+FFFD) with `INVALID_TEXT`.
 * - `constraintError` turns SQLite's constraint failures into a `GovernanceError` with a stable code
 *   (`CONSTRAINT_CHECK`, `CONSTRAINT_NOT_NULL`, `CONSTRAINT_UNIQUE`, `CONSTRAINT_FOREIGN_KEY`), a
 *   message of our own naming the table, column(s) or rule, and SQLite's text kept only as `cause`.
 *   Any other SQLite failure becomes `DATABASE_ERROR`.
 */
import { GovernanceError, type GovernanceErrorCode } from '../errors';

/** Refuses text SQLite would alter: a NUL character or a lone surrogate (details name the parameter). */
export function checkText(value: string, parameter: number): void {
  const nul = value.indexOf('\0');
  if (nul >= 0) {
    throw new GovernanceError('INVALID_TEXT', `Parameter ${parameter + 1} holds a NUL character at position ${nul}; SQLite would keep only the text before it. Remove the NUL character (or store the data as bytes).`, { parameter, position: nul, problem: 'NUL' });
  }
  if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    throw new GovernanceError('INVALID_TEXT', `Parameter ${parameter + 1} holds a lone UTF-16 surrogate; SQLite would store U+FFFD instead. Send well-formed Unicode text.`, { parameter, problem: 'LONE_SURROGATE' });
  }
}

/** The table a statement writes to (INSERT [OR …] INTO t, REPLACE INTO t, UPDATE [OR …] t, DELETE FROM t). */
export function tableOf(sql: string): string | undefined {
  return /^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+(\w+)/i.exec(sql)?.[1];
}

interface Refusal {
  code: GovernanceErrorCode;
  message: string;
  details: Record<string, unknown>;
}

const CHECK = 'CHECK constraint failed: ';
const NOT_NULL = 'NOT NULL constraint failed: ';
const UNIQUE = 'UNIQUE constraint failed: ';
const FOREIGN_KEY = 'FOREIGN KEY constraint failed';

/** `table.column` → [table, column]. */
const qualified = (name: string): [string, string] => [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];

function refusal(sqliteMessage: string, table: string | undefined): Refusal | undefined {
  const where = table ?? 'the table';
  if (sqliteMessage.startsWith(CHECK)) {
    const rule = sqliteMessage.slice(CHECK.length);
    return { code: 'CONSTRAINT_CHECK', details: { constraint: 'CHECK', table, rule }, message: `${where} refused the row: a value breaks the rule "${rule}". Use a value the rule allows.` };
  }
  if (sqliteMessage.startsWith(NOT_NULL)) {
    const [owner, column] = qualified(sqliteMessage.slice(NOT_NULL.length));
    return { code: 'CONSTRAINT_NOT_NULL', details: { constraint: 'NOT NULL', table: owner, columns: [column] }, message: `${owner}.${column} is required but was missing (NULL). Provide a value.` };
  }
  if (sqliteMessage.startsWith(UNIQUE)) {
    const names = sqliteMessage.slice(UNIQUE.length).split(', ').map(qualified);
    const columns = names.map(([, column]) => column);
    const owner = names[0][0];
    return { code: 'CONSTRAINT_UNIQUE', details: { constraint: 'UNIQUE', table: owner, columns }, message: `${owner} already has a row with the same ${columns.join(' and ')}; it must be unique. Use another value or update the existing row.` };
  }
  if (sqliteMessage === FOREIGN_KEY) {
    return { code: 'CONSTRAINT_FOREIGN_KEY', details: { constraint: 'FOREIGN KEY', table }, message: `The write to ${where} refers to a row that does not exist (or removes a row still referred to). Create the referenced row first or correct the id.` };
  }
  return undefined;
}

/** The GovernanceError for an error sql.js threw while running `sql` (sql.js throws only Errors). */
export function databaseError(err: unknown, sql: string): GovernanceError {
  const message = (err as Error).message;
  const table = tableOf(sql);
  const found = refusal(message, table);
  if (found) return new GovernanceError(found.code, found.message, found.details, { cause: err });
  return new GovernanceError('DATABASE_ERROR', `The governance database could not run a statement${table ? ` on ${table}` : ''}: ${message}. This is a defect or a damaged database; report it with the statement.`, { table, statement: sql.trim().slice(0, 200) }, { cause: err });
}
