/**
 * The schema bootstrap against the spec's table list ("Tables (all created by one schema
 * bootstrap; foreign keys on)"): every table with exactly the spec's columns, the ranges and enums
 * enforced as CHECK constraints, required columns NOT NULL, defaults, foreign keys with their
 * delete rules, and the indexes. Expected values are literals from the spec, never read back from
 * schemaStatements(); `bootstrapSchema` runs on an empty database here (not the cached template), so
 * the DDL under test is the one that built the tables asserted.
 */
import { strict as assert } from 'node:assert';
import { GovernanceDatabase, bootstrapSchema, checkSchema, expectedSchema, loadSqlJs } from '../../../src/governance';
import { refusedWith, seedAgent, seedUser, seedWorkspace } from '../fixtures';

const SPEC_COLUMNS: Record<string, string[]> = {
  workspaces: ['id', 'name', 'status', 'created_at'],
  users: ['id', 'email', 'name', 'role', 'workspace_id', 'created_at'],
  chat_sessions: ['id', 'user_id', 'workspace_id', 'title', 'created_at', 'updated_at'],
  agent_registry: ['id', 'name', 'category', 'workspace_id', 'status', 'confidence_score', 'created_at', 'updated_at'],
  agent_proposals: [
    'id', 'agent_id', 'agent_name', 'proposal_type', 'title', 'description', 'proposed_action', 'reasoning', 'learning_objectives',
    'capability_gaps', 'training_scenario_template', 'estimated_duration_hours', 'duration_estimation_confidence',
    'duration_estimation_reasoning', 'user_override_duration_hours', 'hours_per_day_limit', 'status', 'proposed_by', 'approved_by',
    'approved_at', 'modifications', 'execution_result', 'completed_at', 'created_at',
  ],
  blocked_trigger_contexts: [
    'id', 'agent_id', 'agent_name', 'agent_maturity_at_block', 'confidence_score_at_block', 'trigger_source', 'trigger_type',
    'trigger_context', 'routing_decision', 'block_reason', 'proposal_id', 'resolved', 'resolved_at', 'resolution_outcome', 'created_at',
  ],
  training_sessions: [
    'id', 'proposal_id', 'agent_id', 'agent_name', 'student_id', 'supervisor_id', 'status', 'tasks_completed', 'total_tasks',
    'performance_score', 'supervisor_feedback', 'errors_count', 'capabilities_developed', 'capability_gaps_remaining', 'confidence_boost',
    'promoted_to_autonomous', 'started_at', 'completed_at', 'duration_seconds', 'created_at',
  ],
  supervision_sessions: [
    'id', 'agent_id', 'agent_name', 'workspace_id', 'trigger_id', 'trigger_context', 'status', 'supervisor_id', 'started_at',
    'completed_at', 'duration_seconds', 'intervention_count', 'interventions', 'agent_actions', 'outcomes', 'supervisor_rating',
    'supervisor_feedback', 'confidence_boost',
  ],
  agent_episodes: [
    'id', 'agent_id', 'workspace_id', 'status', 'maturity_at_time', 'human_intervention_count', 'constitutional_score', 'outcome',
    'started_at', 'completed_at',
  ],
  constitutional_rules: ['id', 'workspace_id', 'code', 'description', 'severity', 'pattern', 'predicate'],
  graduation_exams: [
    'id', 'agent_id', 'from_status', 'to_status', 'readiness_score', 'episodes_score', 'intervention_score', 'constitutional_score',
    'passed', 'violations', 'sandbox_result', 'created_at',
  ],
  audit_log: ['id', 'agent_id', 'actor', 'action', 'details', 'created_at'],
};

/** Index name → [table, columns], as the bootstrap creates them. */
const INDEXES: Record<string, [string, string[]]> = {
  idx_users_workspace: ['users', ['workspace_id']],
  idx_chat_sessions_user: ['chat_sessions', ['user_id']],
  idx_agent_registry_workspace: ['agent_registry', ['workspace_id']],
  idx_agent_registry_category: ['agent_registry', ['category']],
  idx_blocked_triggers_agent: ['blocked_trigger_contexts', ['agent_id', 'resolved']],
  idx_proposals_agent_status: ['agent_proposals', ['agent_id', 'status']],
  idx_training_agent_status: ['training_sessions', ['agent_id', 'status']],
  idx_training_proposal: ['training_sessions', ['proposal_id']],
  idx_supervision_agent_status: ['supervision_sessions', ['agent_id', 'status']],
  idx_episodes_agent: ['agent_episodes', ['agent_id', 'status']],
  idx_rules_workspace: ['constitutional_rules', ['workspace_id']],
  idx_exams_agent: ['graduation_exams', ['agent_id']],
  idx_audit_agent: ['audit_log', ['agent_id', 'created_at']],
  idx_audit_action: ['audit_log', ['action']],
};

/** A database built by bootstrapSchema itself on an empty sql.js database. */
async function bootstrapped(): Promise<GovernanceDatabase> {
  const SQL = await loadSqlJs();
  const db = new GovernanceDatabase(new SQL.Database());
  bootstrapSchema(db);
  return db;
}

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

describe('governance schema bootstrap (spec table list)', () => {
  let db: GovernanceDatabase;
  beforeEach(async () => {
    db = await bootstrapped();
  });

  it('expectedSchema() names exactly the spec columns of the twelve tables, in order', () => {
    assert.deepEqual(expectedSchema(), SPEC_COLUMNS);
  });

  it('bootstrapSchema on an empty database creates exactly those tables and columns', () => {
    const tables = db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((r) => r.name);
    assert.deepEqual(tables, Object.keys(SPEC_COLUMNS).sort());
    for (const [table, columns] of Object.entries(SPEC_COLUMNS)) {
      assert.deepEqual(db.all<ColumnInfo>(`PRAGMA table_info(${table})`).map((c) => c.name), columns, table);
    }
    assert.deepEqual(checkSchema(db), { ok: true, missingTables: [], missingColumns: [], problems: [], message: '' });
  });

  it('creates the fourteen indexes on their tables and columns', () => {
    const found = db.all<{ name: string; tbl_name: string }>("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%' ORDER BY name");
    assert.deepEqual(found.map((i) => i.name), Object.keys(INDEXES).sort());
    for (const { name, tbl_name } of found) {
      const columns = db.all<{ name: string }>(`PRAGMA index_info(${name})`).map((c) => c.name);
      assert.deepEqual([tbl_name, columns], INDEXES[name], name);
    }
  });

  it('ids are TEXT primary keys and the score columns are REAL', () => {
    for (const table of Object.keys(SPEC_COLUMNS)) {
      const id = db.all<ColumnInfo>(`PRAGMA table_info(${table})`).find((c) => c.name === 'id')!;
      assert.deepEqual([id.type, id.pk], ['TEXT', 1], table);
    }
    const typeOf = (table: string, column: string) => db.all<ColumnInfo>(`PRAGMA table_info(${table})`).find((c) => c.name === column)!.type;
    assert.equal(typeOf('agent_registry', 'confidence_score'), 'REAL');
    assert.equal(typeOf('training_sessions', 'performance_score'), 'REAL');
    assert.equal(typeOf('agent_episodes', 'constitutional_score'), 'REAL');
    assert.equal(typeOf('blocked_trigger_contexts', 'resolved'), 'INTEGER');
  });

  it('foreign keys: the spec references with their delete rules', () => {
    const fks = (table: string) =>
      db
        .all<{ table: string; from: string; to: string; on_delete: string }>(`PRAGMA foreign_key_list(${table})`)
        .map((f) => `${f.from} → ${f.table}.${f.to} ON DELETE ${f.on_delete}`)
        .sort();
    assert.deepEqual(fks('users'), ['workspace_id → workspaces.id ON DELETE SET NULL']);
    assert.deepEqual(fks('chat_sessions'), ['user_id → users.id ON DELETE CASCADE', 'workspace_id → workspaces.id ON DELETE SET NULL']);
    assert.deepEqual(fks('agent_registry'), ['workspace_id → workspaces.id ON DELETE SET NULL']);
    assert.deepEqual(fks('training_sessions'), [
      'agent_id → agent_registry.id ON DELETE CASCADE',
      'proposal_id → agent_proposals.id ON DELETE CASCADE',
      'student_id → users.id ON DELETE SET NULL',
      'supervisor_id → users.id ON DELETE SET NULL',
    ]);
    assert.deepEqual(fks('audit_log'), ['agent_id → agent_registry.id ON DELETE SET NULL']);
    assert.deepEqual(fks('blocked_trigger_contexts'), ['agent_id → agent_registry.id ON DELETE CASCADE', 'proposal_id → agent_proposals.id ON DELETE SET NULL']);
  });

  describe('values the schema refuses or fills in', () => {
    it('an agent needs a confidence (NOT NULL) within [0, 1], and gets STUDENT, 0 and "general" by default', () => {
      const insert = (confidence: number | null) =>
        db.run("INSERT INTO agent_registry (id, name, confidence_score, created_at, updated_at) VALUES ('a', 'A', ?, 'x', 'x')", [confidence]);
      const missing = refusedWith('CONSTRAINT_NOT_NULL', () => insert(null));
      assert.deepEqual(missing.details.columns, ['confidence_score']);
      assert.equal(refusedWith('CONSTRAINT_CHECK', () => insert(-0.01)).details.rule, 'confidence_score IS NULL OR (confidence_score >= 0 AND confidence_score <= 1)');
      refusedWith('CONSTRAINT_CHECK', () => insert(1.01));
      insert(1);
      db.run("INSERT INTO agent_registry (id, name, created_at, updated_at) VALUES ('b', 'B', 'x', 'x')");
      assert.deepEqual(db.all('SELECT id, status, confidence_score, category FROM agent_registry ORDER BY id'), [
        { id: 'a', status: 'STUDENT', confidence_score: 1, category: 'general' },
        { id: 'b', status: 'STUDENT', confidence_score: 0, category: 'general' },
      ]);
    });

    it('a blocked trigger needs the confidence at block; resolved is 0/1 and defaults to 0', () => {
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.3 });
      const insert = (id: string, confidence: number | null, resolved?: number) =>
        db.run(
          `INSERT INTO blocked_trigger_contexts (id, agent_id, agent_name, agent_maturity_at_block, confidence_score_at_block, trigger_source, trigger_type, routing_decision, block_reason${resolved === undefined ? '' : ', resolved'}, created_at)
           VALUES (?, ?, 'A', 'STUDENT', ?, 'MANUAL', 't', 'BLOCK_AND_TRAIN', 'r'${resolved === undefined ? '' : ', ?'}, 'x')`,
          resolved === undefined ? [id, agent.id, confidence] : [id, agent.id, confidence, resolved],
        );
      assert.deepEqual(refusedWith('CONSTRAINT_NOT_NULL', () => insert('b0', null)).details.columns, ['confidence_score_at_block']);
      assert.equal(refusedWith('CONSTRAINT_CHECK', () => insert('b1', 0.3, 2)).details.rule, 'resolved IN (0, 1)');
      insert('b2', 0.3);
      assert.deepEqual(db.get('SELECT resolved, trigger_context FROM blocked_trigger_contexts'), { resolved: 0, trigger_context: '{}' });
    });

    it('a training session may have no performance score yet, but not one outside [0, 1]', () => {
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.3 });
      db.run("INSERT INTO agent_proposals (id, agent_id, agent_name, proposal_type, title, proposed_by, created_at) VALUES ('p', ?, 'A', 'TRAINING', 't', 'system', 'x')", [agent.id]);
      const insert = (id: string, score: number | null) =>
        db.run("INSERT INTO training_sessions (id, proposal_id, agent_id, agent_name, performance_score, created_at) VALUES (?, 'p', ?, 'A', ?, 'x')", [id, agent.id, score]);
      insert('t1', null);
      assert.equal(refusedWith('CONSTRAINT_CHECK', () => insert('t2', 1.5)).details.rule, 'performance_score IS NULL OR (performance_score >= 0 AND performance_score <= 1)');
      assert.deepEqual(db.get("SELECT status, tasks_completed, promoted_to_autonomous, capabilities_developed FROM training_sessions WHERE id = 't1'"), {
        status: 'SCHEDULED', tasks_completed: 0, promoted_to_autonomous: 0, capabilities_developed: '[]',
      });
    });

    it('supervisor ratings are 1 to 5; episode outcomes and maturity come from the spec lists', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
      const rate = (id: string, rating: number) =>
        db.run("INSERT INTO supervision_sessions (id, agent_id, agent_name, started_at, supervisor_rating) VALUES (?, ?, 'A', 'x', ?)", [id, agent.id, rating]);
      rate('s1', 1);
      rate('s5', 5);
      assert.equal(refusedWith('CONSTRAINT_CHECK', () => rate('s6', 6)).details.rule, 'supervisor_rating IS NULL OR supervisor_rating BETWEEN 1 AND 5');
      refusedWith('CONSTRAINT_CHECK', () => rate('s0', 0));
      const episode = (id: string, maturity: string, outcome: string) =>
        db.run("INSERT INTO agent_episodes (id, agent_id, maturity_at_time, outcome, started_at) VALUES (?, ?, ?, ?, 'x')", [id, agent.id, maturity, outcome]);
      episode('e1', 'INTERN', 'partial');
      assert.equal(refusedWith('CONSTRAINT_CHECK', () => episode('e2', 'PAUSED', 'success')).details.rule, "maturity_at_time IN ('STUDENT', 'INTERN', 'SUPERVISED', 'AUTONOMOUS')");
      assert.equal(refusedWith('CONSTRAINT_CHECK', () => episode('e3', 'INTERN', 'meh')).details.rule, "outcome IS NULL OR outcome IN ('success', 'failure', 'partial')");
    });

    it('users: role from the spec list (MEMBER by default), email unique; constitutional rule severities', () => {
      const ws = seedWorkspace(db);
      seedUser(db, { id: 'u1', email: 'a@x', workspaceId: ws });
      assert.equal(db.get<{ role: string }>("SELECT role FROM users WHERE id = 'u1'")!.role, 'MEMBER');
      refusedWith('CONSTRAINT_UNIQUE', () => seedUser(db, { id: 'u2', email: 'a@x' }));
      assert.equal(
        refusedWith('CONSTRAINT_CHECK', () => db.run("INSERT INTO users (id, email, name, role, created_at) VALUES ('u3', 'c@x', 'C', 'ROOT', 'x')")).details.rule,
        "role IN ('MEMBER', 'WORKSPACE_ADMIN', 'SUPER_ADMIN', 'GUEST')",
      );
      assert.equal(
        refusedWith('CONSTRAINT_CHECK', () => db.run("INSERT INTO constitutional_rules (id, code, description, severity, pattern) VALUES ('r', 'C', 'd', 'fatal', 'x')")).details.rule,
        "severity IN ('low', 'medium', 'high', 'critical')",
      );
    });

    it('deleting a workspace detaches its agents; deleting an agent removes its episodes and keeps its audit entries', () => {
      const ws = seedWorkspace(db, { id: 'w' });
      const agent = seedAgent(db, { id: 'a', workspaceId: ws });
      db.run("INSERT INTO agent_episodes (id, agent_id, maturity_at_time, started_at) VALUES ('e', 'a', 'STUDENT', 'x')");
      db.run("INSERT INTO audit_log (id, agent_id, actor, action, created_at) VALUES ('l', 'a', 'system', 'x', 'x')");
      db.run("DELETE FROM workspaces WHERE id = 'w'");
      assert.equal(db.get<{ w: string | null }>("SELECT workspace_id AS w FROM agent_registry WHERE id = 'a'")!.w, null);
      db.run('DELETE FROM agent_registry WHERE id = ?', [agent.id]);
      assert.deepEqual(db.all('SELECT id FROM agent_episodes'), []);
      assert.deepEqual(db.all('SELECT id, agent_id, details FROM audit_log'), [{ id: 'l', agent_id: null, details: '{}' }]);
    });
  });

  describe('checkSchema and the refusal message', () => {
    it('names every missing table and column in one sentence', async () => {
      db.exec('PRAGMA foreign_keys = OFF; DROP TABLE audit_log; ALTER TABLE workspaces DROP COLUMN status');
      const result = checkSchema(db);
      assert.deepEqual(result, {
        ok: false,
        missingTables: ['audit_log'],
        missingColumns: [{ table: 'workspaces', column: 'status' }],
        problems: ['missing table audit_log', 'missing column workspaces.status'],
        message: 'Governance schema is incomplete: missing table audit_log; missing column workspaces.status. Re-create the database with bootstrapSchema().',
      });
    });

    it('an empty database misses all twelve tables and no columns', async () => {
      const SQL = await loadSqlJs();
      const result = checkSchema(new GovernanceDatabase(new SQL.Database()));
      assert.deepEqual(result.missingTables, Object.keys(SPEC_COLUMNS));
      assert.deepEqual(result.missingColumns, []);
    });
  });
});
