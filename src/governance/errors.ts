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
