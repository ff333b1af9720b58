/**
 * Rule 8 of the domain spec, for what goes into the database: every constraint SQLite enforces
 * surfaces as a GovernanceError with a stable CONSTRAINT_* code (never SQLite's own "… constraint
 * failed" text), and text SQLite would alter (a NUL character, a lone surrogate) is refused with
 * INVALID_TEXT instead of being stored changed. Issue 11's cases: raw "CHECK constraint failed",
 * "\0nul" stored as "".
 */
import { strict as assert } from 'node:assert';
import { AgentRepository, AuditLog, GovernanceDatabase, GovernanceError, sequentialIds } from '../../../src/governance';
import { countRows, fixedClock, freshDb, refusedWith, seedAgent, seedWorkspace } from '../fixtures';

/** Asserts the refusal is ours: no SQLite wording in the message, SQLite's text only as the cause. */
function typed(err: GovernanceError, sqlite: RegExp): void {
  assert.doesNotMatch(err.message, /constraint failed/i);
  assert.ok(err.cause instanceof Error, 'the SQLite error is kept as the cause');
  assert.match(err.cause.message, sqlite);
}

const AGENT_INSERT = 'INSERT INTO agent_registry (id, name, workspace_id, status, confidence_score, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)';

describe('GovernanceDatabase refusals (rule 8: typed, input never altered)', () => {
  let db: GovernanceDatabase;
  beforeEach(async () => {
    db = await freshDb();
  });

  describe('CHECK constraints', () => {
    it('an unknown agent status is CONSTRAINT_CHECK naming the table and the rule, and nothing is stored', () => {
      const err = refusedWith('CONSTRAINT_CHECK', () => db.run(AGENT_INSERT, ['a', 'A', null, 'GENIUS', 0.5, 'x', 'x']));
      assert.deepEqual(err.details, {
        constraint: 'CHECK',
        table: 'agent_registry',
        rule: "status IN ('STUDENT', 'INTERN', 'SUPERVISED', 'AUTONOMOUS', 'PAUSED', 'DEPRECATED')",
      });
      assert.equal(
        err.message,
        `agent_registry refused the row: a value breaks the rule "status IN ('STUDENT', 'INTERN', 'SUPERVISED', 'AUTONOMOUS', 'PAUSED', 'DEPRECATED')". Use a value the rule allows.`,
      );
      typed(err, /^CHECK constraint failed: status IN/);
      assert.equal(countRows(db, 'agent_registry'), 0);
    });

    it('a confidence above 1 breaks the [0, 1] range rule', () => {
      const err = refusedWith('CONSTRAINT_CHECK', () => db.run(AGENT_INSERT, ['a', 'A', null, 'INTERN', 1.5, 'x', 'x']));
      assert.equal(err.details.rule, 'confidence_score IS NULL OR (confidence_score >= 0 AND confidence_score <= 1)');
    });

    it('an UPDATE that breaks a rule names the updated table', () => {
      const agent = seedAgent(db, { status: 'INTERN', confidence: 0.6 });
      const err = refusedWith('CONSTRAINT_CHECK', () => db.run('UPDATE agent_registry SET confidence_score = ? WHERE id = ?', [-0.25, agent.id]));
      assert.equal(err.details.table, 'agent_registry');
      assert.equal(db.get<{ c: number }>('SELECT confidence_score AS c FROM agent_registry WHERE id = ?', [agent.id])!.c, 0.6);
    });

    it('a table-level rule (a constitutional rule needs a pattern or a predicate) is typed too', () => {
      const err = refusedWith('CONSTRAINT_CHECK', () =>
        db.run("INSERT INTO constitutional_rules (id, code, description, severity) VALUES ('r', 'C1', 'd', 'high')"),
      );
      assert.deepEqual(err.details, { constraint: 'CHECK', table: 'constitutional_rules', rule: 'pattern IS NOT NULL OR predicate IS NOT NULL' });
    });

    it('a rule broken by exec() of several statements is typed and names the table written to', () => {
      const err = refusedWith('CONSTRAINT_CHECK', () =>
        db.exec("INSERT INTO users (id, email, name, role, created_at) VALUES ('u', 'e@x', 'n', 'KING', 'x')"),
      );
      assert.equal(err.details.table, 'users');
      assert.equal(err.details.rule, "role IN ('MEMBER', 'WORKSPACE_ADMIN', 'SUPER_ADMIN', 'GUEST')");
    });

    it('through the public AgentRepository, an unknown status is refused typed', () => {
      const agents = new AgentRepository(db, fixedClock(), sequentialIds(), new AuditLog(db, fixedClock(), sequentialIds()));
      refusedWith('CONSTRAINT_CHECK', () => agents.insert({ name: 'A', status: 'GENIUS' as never }));
      assert.equal(countRows(db, 'agent_registry'), 0);
    });
  });

  describe('NOT NULL, UNIQUE and FOREIGN KEY constraints', () => {
    it('a missing required column is CONSTRAINT_NOT_NULL naming table and column', () => {
      const err = refusedWith('CONSTRAINT_NOT_NULL', () => db.run('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)', ['w', null, 'x']));
      assert.deepEqual(err.details, { constraint: 'NOT NULL', table: 'workspaces', columns: ['name'] });
      assert.equal(err.message, 'workspaces.name is required but was missing (NULL). Provide a value.');
      typed(err, /^NOT NULL constraint failed: workspaces\.name$/);
    });

    it('a NOT NULL failure inside a query with RETURNING (all()) is typed as well', () => {
      const err = refusedWith('CONSTRAINT_NOT_NULL', () => db.all("INSERT INTO workspaces (id, name, created_at) VALUES ('w', NULL, 'x') RETURNING id"));
      assert.deepEqual(err.details.columns, ['name']);
    });

    it('a second user with the same email is CONSTRAINT_UNIQUE naming table and column', () => {
      db.run("INSERT INTO users (id, email, name, created_at) VALUES ('u1', 'ada@example.org', 'Ada', 'x')");
      const err = refusedWith('CONSTRAINT_UNIQUE', () => db.run("INSERT INTO users (id, email, name, created_at) VALUES ('u2', 'ada@example.org', 'Ada 2', 'x')"));
      assert.deepEqual(err.details, { constraint: 'UNIQUE', table: 'users', columns: ['email'] });
      assert.equal(err.message, 'users already has a row with the same email; it must be unique. Use another value or update the existing row.');
      typed(err, /^UNIQUE constraint failed: users\.email$/);
      assert.equal(countRows(db, 'users'), 1);
    });

    it('a duplicate primary key is CONSTRAINT_UNIQUE on id', () => {
      seedWorkspace(db, { id: 'w1' });
      const err = refusedWith('CONSTRAINT_UNIQUE', () => seedWorkspace(db, { id: 'w1' }));
      assert.deepEqual(err.details, { constraint: 'UNIQUE', table: 'workspaces', columns: ['id'] });
    });

    it('a unique pair names both columns', () => {
      db.exec('CREATE TABLE pairs (a TEXT, b TEXT, UNIQUE (a, b))');
      db.run("INSERT INTO pairs VALUES ('x', 'y')");
      const err = refusedWith('CONSTRAINT_UNIQUE', () => db.run("INSERT INTO pairs VALUES ('x', 'y')"));
      assert.deepEqual(err.details, { constraint: 'UNIQUE', table: 'pairs', columns: ['a', 'b'] });
      assert.equal(err.message, 'pairs already has a row with the same a and b; it must be unique. Use another value or update the existing row.');
    });

    it('a reference to a missing workspace is CONSTRAINT_FOREIGN_KEY naming the table written to', () => {
      const err = refusedWith('CONSTRAINT_FOREIGN_KEY', () => db.run(AGENT_INSERT, ['a', 'A', 'no-such-ws', 'INTERN', 0.5, 'x', 'x']));
      assert.deepEqual(err.details, { constraint: 'FOREIGN KEY', table: 'agent_registry' });
      assert.equal(
        err.message,
        'The write to agent_registry refers to a row that does not exist (or removes a row still referred to). Create the referenced row first or correct the id.',
      );
      typed(err, /^FOREIGN KEY constraint failed$/);
    });

    it('a transaction that hits a constraint rolls back whole and rethrows the typed error', () => {
      seedWorkspace(db, { id: 'before' });
      refusedWith('CONSTRAINT_UNIQUE', () =>
        db.transaction(() => {
          seedWorkspace(db, { id: 'w1' });
          seedWorkspace(db, { id: 'w1' });
        }),
      );
      assert.deepEqual(db.all('SELECT id FROM workspaces'), [{ id: 'before' }]);
      assert.equal(db.inTransaction, false);
    });
  });

  describe('other statement failures', () => {
    it('a statement on a missing table is DATABASE_ERROR naming the table and keeping the statement', () => {
      const err = refusedWith('DATABASE_ERROR', () => db.run('INSERT INTO no_such_table (x) VALUES (?)', [1]));
      assert.deepEqual(err.details, { table: 'no_such_table', statement: 'INSERT INTO no_such_table (x) VALUES (?)' });
      assert.match(err.message, /^The governance database could not run a statement on no_such_table: no such table: no_such_table\. /);
    });

    it('a malformed query is DATABASE_ERROR without a table, from all(), get() and exec()', () => {
      for (const attempt of [() => db.all('SELEC 1'), () => db.get('SELEC 1'), () => db.exec('SELEC 1')]) {
        const err = refusedWith('DATABASE_ERROR', attempt);
        assert.deepEqual(err.details, { table: undefined, statement: 'SELEC 1' });
        assert.match(err.message, /^The governance database could not run a statement: near "SELEC": syntax error\. This is a defect/);
      }
    });

    it('keeps only the first 200 characters of a long failing statement', () => {
      const sql = `SELECT * FROM missing_table WHERE x = '${'y'.repeat(300)}'`;
      const err = refusedWith('DATABASE_ERROR', () => db.all(sql));
      assert.equal(err.details.statement, sql.slice(0, 200));
    });

    it('a closed database still says DATABASE_CLOSED, not DATABASE_ERROR', () => {
      db.close();
      refusedWith('DATABASE_CLOSED', () => db.run('SELECT 1'));
      refusedWith('DATABASE_CLOSED', () => db.all('SELECT 1'));
      refusedWith('DATABASE_CLOSED', () => db.exec('SELECT 1'));
    });
  });

  describe('text SQLite would alter is refused, never stored changed', () => {
    it('"\\0nul" is INVALID_TEXT (not stored as ""), naming parameter and position', () => {
      const err = refusedWith('INVALID_TEXT', () => db.run('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)', ['w', '\0nul', 'x']));
      assert.deepEqual(err.details, { parameter: 1, position: 0, problem: 'NUL' });
      assert.equal(err.message, 'Parameter 2 holds a NUL character at position 0; SQLite would keep only the text before it. Remove the NUL character (or store the data as bytes).');
      assert.equal(countRows(db, 'workspaces'), 0);
    });

    it('a NUL in the middle of the first parameter names position and parameter 1', () => {
      const err = refusedWith('INVALID_TEXT', () => db.get('SELECT ? AS v', ['ab\0c']));
      assert.deepEqual(err.details, { parameter: 0, position: 2, problem: 'NUL' });
    });

    it('a lone high surrogate and a lone low surrogate are INVALID_TEXT, also in queries', () => {
      const high = refusedWith('INVALID_TEXT', () => db.run('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)', ['w', 'x\uD83D', 'x']));
      assert.deepEqual(high.details, { parameter: 1, problem: 'LONE_SURROGATE' });
      assert.equal(high.message, 'Parameter 2 holds a lone UTF-16 surrogate; SQLite would store U+FFFD instead. Send well-formed Unicode text.');
      const low = refusedWith('INVALID_TEXT', () => db.all('SELECT ? AS v', ['\uDE00y']));
      assert.deepEqual(low.details, { parameter: 0, problem: 'LONE_SURROGATE' });
      assert.equal(countRows(db, 'workspaces'), 0);
    });

    it('well-formed text of every plane round-trips exactly', () => {
      const names = ["O'Brien", 'é ✓ 中文', 'emoji \uD83D\uDE00 pair', 'line\u2028separator', ''];
      names.forEach((name, i) => seedWorkspace(db, { id: `w${i}`, name }));
      assert.deepEqual(db.all<{ name: string }>('SELECT name FROM workspaces ORDER BY id').map((r) => r.name), names);
    });

    it('through the public AgentRepository, a name with a NUL is refused and nothing is stored', () => {
      const clock = fixedClock();
      const agents = new AgentRepository(db, clock, sequentialIds(), new AuditLog(db, clock, sequentialIds()));
      refusedWith('INVALID_TEXT', () => agents.insert({ name: 'Planner\0hidden' }));
      assert.equal(countRows(db, 'agent_registry'), 0);
    });
  });
});
