/**
 * The ONE schema bootstrap of the governance database: every table the services use, with
 * CHECK constraints for enums and ranges, foreign keys and indexes, plus `expectedSchema()`
 * and `checkSchema` which name every missing table and column.
 *
 * The DDL is built by `schemaStatements()` on each call (microseconds) rather than held in a
 * module-level constant: code that runs only at module load is a "static" mutant for the mutation
 * run (each one restarts the test process and runs the whole suite), whereas code that runs when
 * `bootstrapSchema` / `checkSchema` run is tested by exactly the tests that call them.
 *
 * Enum CHECK lists are generated from the `as const` enums in ../types.ts, so the schema and
 * the TypeScript unions cannot drift apart. Timestamps are ISO-8601 strings, booleans are
 * INTEGER 0/1, json columns hold JSON text.
 */
import {
  AGENT_STATUSES,
  EPISODE_OUTCOMES,
  EPISODE_STATUSES,
  PROPOSAL_STATUSES,
  PROPOSAL_TYPES,
  ROUTING_DECISIONS,
  SEVERITIES,
  SUPERVISION_STATUSES,
  TRAINING_STATUSES,
  TRIGGER_SOURCES,
  USER_ROLES,
  MATURITY_ORDER,
} from '../types';
import { GovernanceError } from '../errors';

/** `col IN ('A','B')` for a CHECK constraint. */
function oneOf(column: string, values: readonly string[]): string {
  return `${column} IN (${values.map((v) => `'${v}'`).join(', ')})`;
}

const BOOL = (col: string): string => `${col} INTEGER NOT NULL DEFAULT 0 CHECK (${col} IN (0, 1))`;
const UNIT = (col: string, notNull = false): string =>
  `${col} REAL${notNull ? ' NOT NULL' : ''} CHECK (${col} IS NULL OR (${col} >= 0 AND ${col} <= 1))`;

/** DDL statements, in dependency order (a new array on each call; see the module comment). */
export function schemaStatements(): string[] {
  return [
  `CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at TEXT NOT NULL
  )`,
  `CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'MEMBER' CHECK (${oneOf('role', USER_ROLES)}),
    workspace_id TEXT REFERENCES workspaces(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
  )`,
  `CREATE TABLE chat_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id TEXT REFERENCES workspaces(id) ON DELETE SET NULL,
    title TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE agent_registry (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT 'general',
    workspace_id TEXT REFERENCES workspaces(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'STUDENT' CHECK (${oneOf('status', AGENT_STATUSES)}),
    ${UNIT('confidence_score', true)} DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE agent_proposals (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agent_registry(id) ON DELETE CASCADE,
    agent_name TEXT NOT NULL,
    proposal_type TEXT NOT NULL CHECK (${oneOf('proposal_type', PROPOSAL_TYPES)}),
    title TEXT NOT NULL,
    description TEXT,
    proposed_action TEXT,
    reasoning TEXT,
    learning_objectives TEXT NOT NULL DEFAULT '[]',
    capability_gaps TEXT NOT NULL DEFAULT '[]',
    training_scenario_template TEXT,
    estimated_duration_hours REAL CHECK (estimated_duration_hours IS NULL OR estimated_duration_hours > 0),
    ${UNIT('duration_estimation_confidence')},
    duration_estimation_reasoning TEXT,
    user_override_duration_hours REAL CHECK (user_override_duration_hours IS NULL OR user_override_duration_hours > 0),
    hours_per_day_limit REAL CHECK (hours_per_day_limit IS NULL OR (hours_per_day_limit > 0 AND hours_per_day_limit <= 24)),
    status TEXT NOT NULL DEFAULT 'PROPOSED' CHECK (${oneOf('status', PROPOSAL_STATUSES)}),
    proposed_by TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    modifications TEXT,
    execution_result TEXT,
    completed_at TEXT,
    created_at TEXT NOT NULL
  )`,
  `CREATE TABLE blocked_trigger_contexts (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agent_registry(id) ON DELETE CASCADE,
    agent_name TEXT NOT NULL,
    agent_maturity_at_block TEXT NOT NULL CHECK (${oneOf('agent_maturity_at_block', AGENT_STATUSES)}),
    ${UNIT('confidence_score_at_block', true)},
    trigger_source TEXT NOT NULL CHECK (${oneOf('trigger_source', TRIGGER_SOURCES)}),
    trigger_type TEXT NOT NULL,
    trigger_context TEXT NOT NULL DEFAULT '{}',
    routing_decision TEXT NOT NULL CHECK (${oneOf('routing_decision', ROUTING_DECISIONS)}),
    block_reason TEXT NOT NULL,
    proposal_id TEXT REFERENCES agent_proposals(id) ON DELETE SET NULL,
    ${BOOL('resolved')},
    resolved_at TEXT,
    resolution_outcome TEXT,
    created_at TEXT NOT NULL
  )`,
  `CREATE TABLE training_sessions (
    id TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES agent_proposals(id) ON DELETE CASCADE,
    agent_id TEXT NOT NULL REFERENCES agent_registry(id) ON DELETE CASCADE,
    agent_name TEXT NOT NULL,
    student_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    supervisor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'SCHEDULED' CHECK (${oneOf('status', TRAINING_STATUSES)}),
    tasks_completed INTEGER NOT NULL DEFAULT 0 CHECK (tasks_completed >= 0),
    total_tasks INTEGER NOT NULL DEFAULT 0 CHECK (total_tasks >= 0),
    ${UNIT('performance_score')},
    supervisor_feedback TEXT,
    errors_count INTEGER NOT NULL DEFAULT 0 CHECK (errors_count >= 0),
    capabilities_developed TEXT NOT NULL DEFAULT '[]',
    capability_gaps_remaining TEXT NOT NULL DEFAULT '[]',
    confidence_boost REAL,
    ${BOOL('promoted_to_autonomous')},
    started_at TEXT,
    completed_at TEXT,
    duration_seconds REAL,
    created_at TEXT NOT NULL
  )`,
  `CREATE TABLE supervision_sessions (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agent_registry(id) ON DELETE CASCADE,
    agent_name TEXT NOT NULL,
    workspace_id TEXT REFERENCES workspaces(id) ON DELETE SET NULL,
    trigger_id TEXT,
    trigger_context TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'RUNNING' CHECK (${oneOf('status', SUPERVISION_STATUSES)}),
    supervisor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    started_at TEXT NOT NULL,
    completed_at TEXT,
    duration_seconds REAL,
    intervention_count INTEGER NOT NULL DEFAULT 0 CHECK (intervention_count >= 0),
    interventions TEXT NOT NULL DEFAULT '[]',
    agent_actions TEXT NOT NULL DEFAULT '[]',
    outcomes TEXT NOT NULL DEFAULT '[]',
    supervisor_rating INTEGER CHECK (supervisor_rating IS NULL OR supervisor_rating BETWEEN 1 AND 5),
    supervisor_feedback TEXT,
    confidence_boost REAL
  )`,
  `CREATE TABLE agent_episodes (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agent_registry(id) ON DELETE CASCADE,
    workspace_id TEXT REFERENCES workspaces(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'completed' CHECK (${oneOf('status', EPISODE_STATUSES)}),
    maturity_at_time TEXT NOT NULL CHECK (${oneOf('maturity_at_time', MATURITY_ORDER)}),
    human_intervention_count INTEGER NOT NULL DEFAULT 0 CHECK (human_intervention_count >= 0),
    ${UNIT('constitutional_score')},
    outcome TEXT CHECK (outcome IS NULL OR ${oneOf('outcome', EPISODE_OUTCOMES)}),
    started_at TEXT NOT NULL,
    completed_at TEXT
  )`,
  `CREATE TABLE constitutional_rules (
    id TEXT PRIMARY KEY,
    workspace_id TEXT REFERENCES workspaces(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (${oneOf('severity', SEVERITIES)}),
    pattern TEXT,
    predicate TEXT,
    CHECK (pattern IS NOT NULL OR predicate IS NOT NULL)
  )`,
  `CREATE TABLE graduation_exams (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agent_registry(id) ON DELETE CASCADE,
    from_status TEXT NOT NULL CHECK (${oneOf('from_status', AGENT_STATUSES)}),
    to_status TEXT NOT NULL CHECK (${oneOf('to_status', AGENT_STATUSES)}),
    readiness_score REAL NOT NULL CHECK (readiness_score >= 0 AND readiness_score <= 100),
    episodes_score REAL NOT NULL,
    intervention_score REAL NOT NULL,
    constitutional_score REAL NOT NULL,
    ${BOOL('passed')},
    violations TEXT NOT NULL DEFAULT '[]',
    sandbox_result TEXT,
    created_at TEXT NOT NULL
  )`,
  `CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    agent_id TEXT REFERENCES agent_registry(id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
  )`,
  'CREATE INDEX idx_users_workspace ON users(workspace_id)',
  'CREATE INDEX idx_chat_sessions_user ON chat_sessions(user_id)',
  'CREATE INDEX idx_agent_registry_workspace ON agent_registry(workspace_id)',
  'CREATE INDEX idx_agent_registry_category ON agent_registry(category)',
  'CREATE INDEX idx_blocked_triggers_agent ON blocked_trigger_contexts(agent_id, resolved)',
  'CREATE INDEX idx_proposals_agent_status ON agent_proposals(agent_id, status)',
  'CREATE INDEX idx_training_agent_status ON training_sessions(agent_id, status)',
  'CREATE INDEX idx_training_proposal ON training_sessions(proposal_id)',
  'CREATE INDEX idx_supervision_agent_status ON supervision_sessions(agent_id, status)',
  'CREATE INDEX idx_episodes_agent ON agent_episodes(agent_id, status)',
  'CREATE INDEX idx_rules_workspace ON constitutional_rules(workspace_id)',
  'CREATE INDEX idx_exams_agent ON graduation_exams(agent_id)',
  'CREATE INDEX idx_audit_agent ON audit_log(agent_id, created_at)',
  'CREATE INDEX idx_audit_action ON audit_log(action)',
  ];
}

/**
 * Column list of a CREATE TABLE statement: its lines that start with a lower-case name and a
 * type (the `CREATE TABLE` line, table constraints such as `CHECK (…)` and `)` do not).
 */
function columnsOf(ddl: string): string[] {
  return ddl
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^[a-z_]+ [A-Z]/.test(line))
    .map((line) => line.split(' ')[0]);
}

/** Every table the services use, mapped to the columns they read or write (parsed from the DDL). */
export function expectedSchema(): Record<string, string[]> {
  return Object.fromEntries(
    schemaStatements()
      .filter((s) => s.startsWith('CREATE TABLE'))
      .map((s) => [/CREATE TABLE (\w+)/.exec(s)![1], columnsOf(s)]),
  );
}

/** The minimal query surface the schema helpers need (GovernanceDatabase provides it). */
export interface SchemaQueryable {
  exec(sql: string): void;
  all<T>(sql: string, params?: readonly unknown[]): T[];
}

/** Creates every table and index. Run once on an empty database. */
export function bootstrapSchema(db: SchemaQueryable): void {
  db.exec(schemaStatements().join(';\n'));
}

/**
 * Brings a database saved by an earlier release up to this schema, in memory (its file changes
 * only when it is saved); returns what it changed (`[]` for a current database). The one change so
 * far widens `agent_proposals.status`'s CHECK by EXECUTING: widening a CHECK changes no stored row,
 * so it is the table definition that is rewritten, the way SQLite documents for constraint changes
 * (writable_schema, then a schema_version bump so the connection reloads it), not a table rebuild,
 * which would have to switch foreign keys off around the proposals' dependants. Call it after
 * `assertSchema` (the table exists).
 */
export function upgradeSchema(db: SchemaQueryable): string[] {
  // agent_proposals.status's CHECK as the first release created it, before rule 7 added EXECUTING
  // (built here, not at module load: see the module comment on static mutants)
  const firstRelease = oneOf('status', ['PROPOSED', 'APPROVED', 'REJECTED', 'EXECUTED', 'CANCELLED']);
  const [table] = db.all<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'agent_proposals'");
  if (!table.sql.includes(firstRelease)) return [];
  const [{ schema_version: version }] = db.all<{ schema_version: number }>('PRAGMA schema_version');
  const widened = table.sql.replace(firstRelease, oneOf('status', PROPOSAL_STATUSES));
  db.exec('PRAGMA writable_schema = ON');
  try {
    db.all("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'agent_proposals'", [widened]);
    db.exec(`PRAGMA schema_version = ${version + 1}`);
  } finally {
    db.exec('PRAGMA writable_schema = OFF');
  }
  return ['agent_proposals.status accepts EXECUTING'];
}

/** Result of a schema check; `problems` names each missing table / column. */
export interface SchemaCheckResult {
  ok: boolean;
  missingTables: string[];
  missingColumns: Array<{ table: string; column: string }>;
  problems: string[];
  /** One human sentence listing every problem ('' when ok). */
  message: string;
}

/** Compares the database against expectedSchema() without throwing. */
export function checkSchema(db: SchemaQueryable): SchemaCheckResult {
  const tables = new Set(
    db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => r.name),
  );
  const missingTables: string[] = [];
  const missingColumns: Array<{ table: string; column: string }> = [];
  for (const [table, columns] of Object.entries(expectedSchema())) {
    if (!tables.has(table)) {
      missingTables.push(table);
      continue;
    }
    const present = new Set(db.all<{ name: string }>(`PRAGMA table_info(${table})`).map((r) => r.name));
    for (const column of columns) if (!present.has(column)) missingColumns.push({ table, column });
  }
  const problems = [
    ...missingTables.map((t) => `missing table ${t}`),
    ...missingColumns.map((c) => `missing column ${c.table}.${c.column}`),
  ];
  const message = problems.length
    ? `Governance schema is incomplete: ${problems.join('; ')}. Re-create the database with bootstrapSchema().`
    : '';
  return { ok: problems.length === 0, missingTables, missingColumns, problems, message };
}

/** Throws `SCHEMA_MISSING` naming each missing table and column. */
export function assertSchema(db: SchemaQueryable): void {
  const result = checkSchema(db);
  if (!result.ok) {
    throw new GovernanceError('SCHEMA_MISSING', result.message, {
      missingTables: result.missingTables,
      missingColumns: result.missingColumns,
    });
  }
}
