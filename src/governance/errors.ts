/**
 * Typed governance errors. Every refusal in the governance domain is a `GovernanceError` with
 * a stable machine-readable `code` (safe to switch on, never reworded) and a human message
 * that says what was wrong and what to do about it.
 */

/** Stable error codes. Add new ones; never rename existing ones. */
export const GovernanceErrorCode = {
  AGENT_NOT_FOUND: 'AGENT_NOT_FOUND',
  AGENT_NOT_ROUTABLE: 'AGENT_NOT_ROUTABLE',
  INVALID_STATUS: 'INVALID_STATUS',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  UNKNOWN_ACTION_TYPE: 'UNKNOWN_ACTION_TYPE',
  EXECUTOR_UNAVAILABLE: 'EXECUTOR_UNAVAILABLE',
  EXECUTION_FAILED: 'EXECUTION_FAILED',
  PERMISSION_REQUIRED: 'PERMISSION_REQUIRED',
  NOT_FOUND: 'NOT_FOUND',
  SCHEMA_MISSING: 'SCHEMA_MISSING',
  CORRUPT_DATABASE: 'CORRUPT_DATABASE',
  DATABASE_CLOSED: 'DATABASE_CLOSED',
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  CONSTITUTIONAL_VIOLATION: 'CONSTITUTIONAL_VIOLATION',
  /** A promotion was asked for while the transition's graduation criteria do not hold. */
  CRITERIA_NOT_MET: 'CRITERIA_NOT_MET',
  // Rule 8 (typed refusals from the database and its file); details name the table, column(s),
  // parameter or errno.
  /** A value breaks a CHECK constraint (enum or range); details.rule is the constraint's expression. */
  CONSTRAINT_CHECK: 'CONSTRAINT_CHECK',
  /** A required column was NULL; details.table and details.columns name it. */
  CONSTRAINT_NOT_NULL: 'CONSTRAINT_NOT_NULL',
  /** A row with the same primary key or unique value exists; details.table and details.columns. */
  CONSTRAINT_UNIQUE: 'CONSTRAINT_UNIQUE',
  /** A reference to a row that does not exist; details.table is the table written to. */
  CONSTRAINT_FOREIGN_KEY: 'CONSTRAINT_FOREIGN_KEY',
  /** Any other failure of a statement (a defect or a damaged database). */
  DATABASE_ERROR: 'DATABASE_ERROR',
  /** Text holding a NUL character or a lone surrogate, which SQLite would alter. */
  INVALID_TEXT: 'INVALID_TEXT',
  /** Saving into a folder that does not exist (or a path whose folder part is a file). */
  FOLDER_NOT_FOUND: 'FOLDER_NOT_FOUND',
  /** The operating system refused access (EACCES, EPERM, EROFS): a read-only folder or an unreadable file. */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  /** A save failed for another reason (disk full, the path is a folder, a symlink loop). */
  SAVE_FAILED: 'SAVE_FAILED',
  /** The file exists but could not be read for another reason than permissions (e.g. it is a folder). */
  FILE_UNREADABLE: 'FILE_UNREADABLE',
} as const;
export type GovernanceErrorCode = (typeof GovernanceErrorCode)[keyof typeof GovernanceErrorCode];

/** A refusal or failure in the governance domain. */
export class GovernanceError extends Error {
  /** Stable code, e.g. `AGENT_NOT_FOUND`. */
  readonly code: GovernanceErrorCode;
  /** Structured context (ids, offending values) for logs and UIs. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: GovernanceErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GovernanceError';
    this.code = code;
    this.details = details;
  }
}

/** True when `err` is a GovernanceError, optionally with the given code. */
export function isGovernanceError(err: unknown, code?: GovernanceErrorCode): err is GovernanceError {
  return err instanceof GovernanceError && (code === undefined || err.code === code);
}
