/**
 * Test fixtures for the governance suites. Everything runs on a REAL sql.js database:
 * `freshDb()` is a clone of the per-process bootstrapped template, so it is cheap to call in
 * every `beforeEach`. Seed helpers insert rows with plain SQL (they do not audit) and return
 * the ids / records they created.
 *
 * Engineer B may append helpers at the end of this file.
 */
import { strict as assert } from 'node:assert';
import {
  AgentRepository,
  AuditLog,
  GovernanceDatabase,
  GovernanceError,
  resolveDeps,
  sequentialIds,
  statusForConfidence,
  type Agent,
  type AgentStatus,
  type Clock,
  type EpisodeOutcome,
  type MaturityLevel,
  type ResolvedDeps,
  type Severity,
  type UserRole,
} from '../../src/governance';

let seq = 0;
const nextId = (kind: string): string => `${kind}-seed-${++seq}`;

/** A new, fully bootstrapped in-memory governance database. */
export function freshDb(): Promise<GovernanceDatabase> {
  return GovernanceDatabase.create();
}

/** A clock that stands still until advanced. */
export interface FixedClock extends Clock {
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void;
  /** Sets the current time. */
  set(iso: string): void;
}

/** A controllable clock, starting at `start` (default 2026-01-01T09:00:00Z). */
export function fixedClock(start = '2026-01-01T09:00:00.000Z'): FixedClock {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (iso) => {
      t = Date.parse(iso);
    },
  };
}

/** Deterministic service dependencies over `db`: fixed clock and sequential ids. */
export function testDeps(db: GovernanceDatabase, clock: FixedClock = fixedClock()): ResolvedDeps & { clock: FixedClock } {
  const ids = sequentialIds();
  const audit = new AuditLog(db, clock, ids);
  const agents = new AgentRepository(db, clock, ids, audit);
  return { ...resolveDeps({ db, clock, ids, audit, agents }), clock };
}

/** Inserts a workspace; returns its id. */
export function seedWorkspace(db: GovernanceDatabase, opts: { id?: string; name?: string } = {}): string {
  const id = opts.id ?? nextId('ws');
  db.run("INSERT INTO workspaces (id, name, status, created_at) VALUES (?, ?, 'active', ?)", [id, opts.name ?? `Workspace ${id}`, '2026-01-01T00:00:00.000Z']);
  return id;
}

/** Inserts a user; returns its id. */
export function seedUser(db: GovernanceDatabase, opts: { id?: string; email?: string; name?: string; role?: UserRole; workspaceId?: string | null } = {}): string {
  const id = opts.id ?? nextId('user');
  db.run('INSERT INTO users (id, email, name, role, workspace_id, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
    id,
    opts.email ?? `${id}@example.test`,
    opts.name ?? `User ${id}`,
    opts.role ?? 'MEMBER',
    opts.workspaceId ?? null,
    '2026-01-01T00:00:00.000Z',
  ]);
  return id;
}

/** A confidence inside each level's range, used when only a status is given. */
export const TYPICAL_CONFIDENCE: Record<AgentStatus, number> = {
  STUDENT: 0.3,
  INTERN: 0.6,
  SUPERVISED: 0.8,
  AUTONOMOUS: 0.95,
  PAUSED: 0.6,
  DEPRECATED: 0.6,
};

/**
 * Inserts an agent. With only `status`, confidence is typical for that status; with only
 * `confidence`, status follows it; with neither, a STUDENT at 0.3.
 */
export function seedAgent(
  db: GovernanceDatabase,
  opts: { id?: string; name?: string; status?: AgentStatus; confidence?: number; category?: string; workspaceId?: string | null } = {},
): Agent {
  const id = opts.id ?? nextId('agent');
  const status = opts.status ?? (opts.confidence !== undefined ? statusForConfidence(opts.confidence) : 'STUDENT');
  const confidence = opts.confidence ?? TYPICAL_CONFIDENCE[status];
  const now = '2026-01-01T00:00:00.000Z';
  db.run(
    'INSERT INTO agent_registry (id, name, category, workspace_id, status, confidence_score, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [id, opts.name ?? `Agent ${id}`, opts.category ?? 'general', opts.workspaceId ?? null, status, confidence, now, now],
  );
  return { id, name: opts.name ?? `Agent ${id}`, category: opts.category ?? 'general', workspaceId: opts.workspaceId ?? null, status, confidenceScore: confidence, createdAt: now, updatedAt: now };
}

/** Inserts `count` completed episodes for an agent; returns their ids. */
export function seedEpisodes(
  db: GovernanceDatabase,
  agentId: string,
  count: number,
  opts: { interventions?: number; constitutionalScore?: number | null; outcome?: EpisodeOutcome; maturity?: MaturityLevel; status?: string } = {},
): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = nextId('episode');
    db.run(
      `INSERT INTO agent_episodes (id, agent_id, status, maturity_at_time, human_intervention_count, constitutional_score, outcome, started_at, completed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        agentId,
        opts.status ?? 'completed',
        opts.maturity ?? 'STUDENT',
        opts.interventions ?? 0,
        opts.constitutionalScore === undefined ? 1 : opts.constitutionalScore,
        opts.outcome ?? 'success',
        '2026-01-01T00:00:00.000Z',
        '2026-01-01T00:10:00.000Z',
      ],
    );
    ids.push(id);
  }
  return ids;
}

/** Inserts a constitutional rule; returns its id. */
export function seedRule(
  db: GovernanceDatabase,
  opts: { id?: string; code?: string; description?: string; severity?: Severity; pattern?: string | null; predicate?: unknown; workspaceId?: string | null } = {},
): string {
  const id = opts.id ?? nextId('rule');
  const predicate = opts.predicate === undefined ? null : JSON.stringify(opts.predicate);
  const pattern = opts.pattern === undefined && predicate === null ? 'forbidden' : (opts.pattern ?? null);
  db.run('INSERT INTO constitutional_rules (id, workspace_id, code, description, severity, pattern, predicate) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    id,
    opts.workspaceId ?? null,
    opts.code ?? `RULE_${seq}`,
    opts.description ?? 'test rule',
    opts.severity ?? 'medium',
    pattern,
    predicate,
  ]);
  return id;
}

/** Number of rows in `table` (optionally `WHERE` a parameterised condition). */
export function countRows(db: GovernanceDatabase, table: string, where = '1 = 1', params: Array<string | number | null> = []): number {
  return db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params)!.n;
}

/** Every row of `table`, in insertion order. */
export function allRows<T = Record<string, unknown>>(db: GovernanceDatabase, table: string): T[] {
  return db.all<T>(`SELECT * FROM ${table} ORDER BY rowid`);
}

/** Row counts of every governance table (to prove a refused call changed nothing). */
export function snapshotCounts(db: GovernanceDatabase): Record<string, number> {
  const tables = db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  return Object.fromEntries(tables.map((t) => [t.name, countRows(db, t.name)]));
}

/** A deep snapshot of every table's rows (to prove a refused call changed nothing at all). */
export function snapshotRows(db: GovernanceDatabase): Record<string, unknown[]> {
  const tables = db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  return Object.fromEntries(tables.map((t) => [t.name, allRows(db, t.name)]));
}

/** The code of the GovernanceError `fn` throws; fails the test when it throws anything else or nothing. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof GovernanceError, `expected a GovernanceError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('expected a GovernanceError to be thrown');
}

/** As {@link codeOf}, for a function whose promise rejects. */
export async function codeOfAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof GovernanceError, `expected a GovernanceError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('expected a GovernanceError to be thrown');
}

/** Asserts `fn` is refused with a GovernanceError of `code`, and returns the error. */
export function refusedWith(code: string, fn: () => unknown): GovernanceError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof GovernanceError, `expected a GovernanceError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

/** `[code, message, details]` of the GovernanceError `fn` throws; fails when it throws anything else or nothing. */
export function refusalOf(fn: () => unknown): [string, string, unknown] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof GovernanceError, `expected a GovernanceError, got ${String(err)}`);
    return [err.code, err.message, err.details];
  }
  return assert.fail('expected a GovernanceError to be thrown');
}
