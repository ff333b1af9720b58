import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
    GovernanceDatabase,
  GovernanceError,
  assertSchema,
  checkSchema,
  expectedSchema,
  isGovernanceError,
  loadSqlJs,
} from '../../../src/governance';
import { countRows, freshDb, seedAgent, seedWorkspace } from '../fixtures';

const SPEC_TABLES = [
  'workspaces',
  'users',
  'chat_sessions',
  'agent_registry',
  'blocked_trigger_contexts',
  'agent_proposals',
  'training_sessions',
  'supervision_sessions',
  'agent_episodes',
  'constitutional_rules',
  'graduation_exams',
  'audit_log',
];

function codeOf(err: unknown): string {
  assert.ok(err instanceof GovernanceError, `expected a GovernanceError, got ${String(err)}`);
  return err.code;
}

describe('GovernanceDatabase', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gov-db-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('schema bootstrap and check', () => {
    it('creates every table of the spec with foreign keys on, and the schema check passes', async () => {
      const db = await freshDb();
      const tables = db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => r.name);
      for (const t of SPEC_TABLES) assert.ok(tables.includes(t), `table ${t} exists`);
      assert.deepEqual(Object.keys(expectedSchema()).sort(), [...SPEC_TABLES].sort());
      assert.equal(db.get<{ foreign_keys: number }>('PRAGMA foreign_keys')!.foreign_keys, 1);
      const result = checkSchema(db);
      assert.deepEqual(result, { ok: true, missingTables: [], missingColumns: [], problems: [], message: '' });
      assert.equal(db.checkSchema().ok, true);
      assert.doesNotThrow(() => assertSchema(db));
    });

    it('lists the columns of each table, including json and boolean columns', () => {
      assert.ok(expectedSchema().agent_registry.includes('confidence_score'));
      assert.ok(expectedSchema().blocked_trigger_contexts.includes('resolved'));
      assert.ok(expectedSchema().supervision_sessions.includes('interventions'));
      assert.ok(expectedSchema().training_sessions.includes('promoted_to_autonomous'));
      assert.ok(!expectedSchema().constitutional_rules.includes('CHECK'));
    });

    it('fails naming the table when one is dropped', async () => {
      const db = await freshDb();
      db.exec('PRAGMA foreign_keys = OFF; DROP TABLE supervision_sessions');
      const result = checkSchema(db);
      assert.equal(result.ok, false);
      assert.deepEqual(result.missingTables, ['supervision_sessions']);
      assert.match(result.message, /missing table supervision_sessions/);
      assert.throws(() => assertSchema(db), (err: unknown) => codeOf(err) === 'SCHEMA_MISSING' && /supervision_sessions/.test((err as Error).message));
    });

    it('fails naming table and column when a column is missing', async () => {
      const db = await freshDb();
      db.exec('ALTER TABLE audit_log DROP COLUMN details');
      db.exec('PRAGMA foreign_keys = OFF; DROP TABLE graduation_exams');
      const result = checkSchema(db);
      assert.deepEqual(result.missingColumns, [{ table: 'audit_log', column: 'details' }]);
      assert.deepEqual(result.problems, ['missing table graduation_exams', 'missing column audit_log.details']);
    });

    it('enforces enum CHECK constraints and foreign keys', async () => {
      const db = await freshDb();
      assert.throws(
        () => db.run("INSERT INTO agent_registry (id, name, status, confidence_score, created_at, updated_at) VALUES ('a', 'A', 'GENIUS', 0.5, 'x', 'x')"),
        (err: unknown) => codeOf(err) === 'CONSTRAINT_CHECK',
      );
      assert.throws(
        () => db.run("INSERT INTO agent_registry (id, name, status, confidence_score, created_at, updated_at) VALUES ('a', 'A', 'INTERN', 1.5, 'x', 'x')"),
        (err: unknown) => codeOf(err) === 'CONSTRAINT_CHECK',
      );
      assert.throws(() => db.run("INSERT INTO agent_registry (id, name, workspace_id, created_at, updated_at) VALUES ('a', 'A', 'no-such-ws', 'x', 'x')"), (err: unknown) => codeOf(err) === 'CONSTRAINT_FOREIGN_KEY');
      assert.equal(countRows(db, 'agent_registry'), 0);
    });
  });

  describe('fresh databases', () => {
    it('are clones of one template: independent and each complete', async () => {
      const a = await freshDb();
      const b = await freshDb();
      seedAgent(a, { id: 'only-in-a' });
      assert.equal(countRows(a, 'agent_registry'), 1);
      assert.equal(countRows(b, 'agent_registry'), 0);
      assert.deepEqual(Buffer.from(a.export()).subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
      assert.equal(b.checkSchema().ok, true);
    });

    it('are byte-identical to each other before any write (cloned, not re-bootstrapped)', async () => {
      const a = await freshDb();
      const b = await freshDb();
      assert.deepEqual(Buffer.from(a.export()), Buffer.from(b.export()));
    });
  });

  describe('parameterised helpers', () => {
    it('binds parameters, maps booleans and undefined, and reports changes', async () => {
      const db = await freshDb();
      const ws = seedWorkspace(db, { name: "O'Brien; DROP TABLE users" });
      assert.equal(db.get<{ name: string }>('SELECT name FROM workspaces WHERE id = ?', [ws])!.name, "O'Brien; DROP TABLE users");
      const agent = seedAgent(db, { status: 'STUDENT' });
      db.run(
        `INSERT INTO blocked_trigger_contexts (id, agent_id, agent_name, agent_maturity_at_block, confidence_score_at_block, trigger_source,
          trigger_type, routing_decision, block_reason, resolved, resolved_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ['b1', agent.id, agent.name, 'STUDENT', 0.3, 'MANUAL', 't', 'BLOCK_AND_TRAIN', 'r', true, undefined, 'now'],
      );
      assert.deepEqual(db.get('SELECT resolved, resolved_at FROM blocked_trigger_contexts'), { resolved: 1, resolved_at: null });
      assert.deepEqual(db.run('UPDATE agent_registry SET name = ? WHERE id = ?', ['renamed', agent.id]), { changes: 1 });
      assert.equal(db.get('SELECT * FROM agent_registry WHERE id = ?', ['missing']), undefined);
      assert.deepEqual(db.all('SELECT id FROM workspaces WHERE id = ?', ['missing']), []);
    });
  });

  describe('transactions', () => {
    it('commits all statements when the callback returns', async () => {
      const db = await freshDb();
      const out = db.transaction(() => {
        seedWorkspace(db, { id: 'w1' });
        seedWorkspace(db, { id: 'w2' });
        return 'done';
      });
      assert.equal(out, 'done');
      assert.equal(countRows(db, 'workspaces'), 2);
      assert.equal(db.inTransaction, false);
    });

    it('rolls back whole when the callback throws, and rethrows the error', async () => {
      const db = await freshDb();
      seedWorkspace(db, { id: 'before' });
      assert.throws(
        () =>
          db.transaction(() => {
            seedWorkspace(db, { id: 'w1' });
            assert.equal(db.inTransaction, true);
            seedWorkspace(db, { id: 'w1' }); // duplicate primary key
          }),
        (err: unknown) => codeOf(err) === 'CONSTRAINT_UNIQUE',
      );
      assert.deepEqual(db.all('SELECT id FROM workspaces'), [{ id: 'before' }]);
      assert.equal(db.inTransaction, false);
    });

    it('nests with savepoints: a caught inner failure undoes only the inner part', async () => {
      const db = await freshDb();
      db.transaction(() => {
        seedWorkspace(db, { id: 'outer' });
        assert.throws(() =>
          db.transaction(() => {
            seedWorkspace(db, { id: 'inner' });
            throw new Error('inner failure');
          }),
        );
        db.transaction(() => seedWorkspace(db, { id: 'inner-ok' }));
      });
      assert.deepEqual(db.all<{ id: string }>('SELECT id FROM workspaces ORDER BY id').map((r) => r.id), ['inner-ok', 'outer']);
    });

    it('an outer failure after a committed inner savepoint rolls back everything', async () => {
      const db = await freshDb();
      assert.throws(() =>
        db.transaction(() => {
          db.transaction(() => seedWorkspace(db, { id: 'inner' }));
          throw new Error('outer failure');
        }),
      );
      assert.equal(countRows(db, 'workspaces'), 0);
    });

    it('refuses an async callback and rolls back what it did synchronously', async () => {
      const db = await freshDb();
      let caught: unknown;
      try {
        db.transaction(async () => {
          seedWorkspace(db, { id: 'sync-part' });
        });
      } catch (err) {
        caught = err;
      }
      assert.equal(codeOf(caught), 'INVALID_ARGUMENT');
      assert.equal(countRows(db, 'workspaces'), 0);
    });
  });

  describe('save and open', () => {
    it('keeps the rollback journal in memory on a new, a saved and a reopened database, and still rolls back', async () => {
      const journal = (d: GovernanceDatabase) => d.get<{ journal_mode: string }>('PRAGMA journal_mode')!.journal_mode;
      const db = await freshDb();
      assert.equal(journal(db), 'memory');
      const file = path.join(dir, 'journal.db');
      db.save(file);
      assert.equal(journal(db), 'memory');
      const reopened = await GovernanceDatabase.open(file);
      assert.equal(journal(reopened), 'memory');
      assert.throws(() => reopened.transaction(() => {
        seedWorkspace(reopened, { id: 'rolled-back' });
        throw new Error('abort');
      }), /abort/);
      assert.deepEqual(reopened.all("SELECT id FROM workspaces WHERE id = 'rolled-back'"), []);
    });

    it('round-trips a database through a file and keeps foreign keys on after saving', async () => {
      const db = await freshDb();
      seedWorkspace(db, { id: 'persisted' });
      const file = path.join(dir, 'roundtrip.db');
      db.save(file);
      assert.equal(db.get<{ foreign_keys: number }>('PRAGMA foreign_keys')!.foreign_keys, 1);
      assert.throws(() => db.run("INSERT INTO users (id, email, name, workspace_id, created_at) VALUES ('u', 'e', 'n', 'missing', 'x')"), (err: unknown) => codeOf(err) === 'CONSTRAINT_FOREIGN_KEY');
      const reopened = await GovernanceDatabase.open(file);
      assert.deepEqual(reopened.all('SELECT id FROM workspaces'), [{ id: 'persisted' }]);
      assert.equal(reopened.get<{ foreign_keys: number }>('PRAGMA foreign_keys')!.foreign_keys, 1);
      assert.equal(reopened.checkSchema().ok, true);
    });

    it('saves atomically: replaces the old file whole and leaves no temp file behind', async () => {
      const file = path.join(dir, 'atomic.db');
      const first = await freshDb();
      seedWorkspace(first, { id: 'v1' });
      first.save(file);
      const second = await freshDb();
      seedWorkspace(second, { id: 'v2' });
      second.save(file);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('atomic')), ['atomic.db']);
      assert.deepEqual(Buffer.from(fs.readFileSync(file)), Buffer.from(second.export()));
      assert.deepEqual((await GovernanceDatabase.open(file)).all('SELECT id FROM workspaces'), [{ id: 'v2' }]);
    });

    it('a failed save leaves the existing file unchanged and no temp file behind', async () => {
      const file = path.join(dir, 'keep.db');
      const db = await freshDb();
      db.save(file);
      const before = fs.readFileSync(file);
      const target = path.join(dir, 'is-a-dir');
      fs.mkdirSync(target);
      seedWorkspace(db, { id: 'new' });
      assert.throws(() => db.save(target), (err: unknown) => codeOf(err) === 'SAVE_FAILED');
      assert.deepEqual(fs.readFileSync(file), before);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
      assert.throws(() => db.save(path.join(dir, 'no-such-dir', 'x.db')), (err: unknown) => codeOf(err) === 'FOLDER_NOT_FOUND');
    });

    it('refuses to save inside a transaction', async () => {
      const db = await freshDb();
      db.transaction(() => {
        assert.throws(() => db.save(path.join(dir, 'inside.db')), (err: unknown) => codeOf(err) === 'INVALID_STATUS');
      });
      assert.equal(fs.existsSync(path.join(dir, 'inside.db')), false);
    });

    it('opening a non-SQLite file gives CORRUPT_DATABASE and leaves the file byte-identical', async () => {
      const file = path.join(dir, 'notes.db');
      fs.writeFileSync(file, 'these are my notes, not a database\n'.repeat(20));
      const before = fs.readFileSync(file);
      const stat = fs.statSync(file);
      await assert.rejects(GovernanceDatabase.open(file), (err: unknown) => codeOf(err) === 'CORRUPT_DATABASE' && /not a SQLite database/.test((err as Error).message) && (err as Error).message.includes(file));
      assert.deepEqual(fs.readFileSync(file), before);
      assert.equal(fs.statSync(file).mtimeMs, stat.mtimeMs);
    });

    it('opening a truncated (damaged) governance database gives CORRUPT_DATABASE and leaves it byte-identical', async () => {
      const db = await freshDb();
      seedWorkspace(db);
      const bytes = Buffer.from(db.export());
      const file = path.join(dir, 'damaged.db');
      const damaged = Buffer.concat([bytes.subarray(0, 100), Buffer.alloc(4096 * 3, 0xab)]);
      fs.writeFileSync(file, damaged);
      await assert.rejects(GovernanceDatabase.open(file), (err: unknown) => codeOf(err) === 'CORRUPT_DATABASE' && /damaged/.test((err as Error).message));
      assert.deepEqual(fs.readFileSync(file), damaged);
    });

    it('opening a database whose structure fails the integrity check gives CORRUPT_DATABASE naming the problem', async () => {
      const db = await freshDb();
      seedWorkspace(db);
      const damaged = Buffer.from(db.export());
      damaged.writeUInt32BE(5, 36); // header claims 5 free pages; there are none
      const file = path.join(dir, 'bad-freelist.db');
      fs.writeFileSync(file, damaged);
      await assert.rejects(GovernanceDatabase.open(file), (err: unknown) => codeOf(err) === 'CORRUPT_DATABASE' && /Freelist: size is 0 but should be 5/.test((err as Error).message));
      assert.deepEqual(fs.readFileSync(file), damaged);
    });

    it('opening a foreign SQLite database names the missing governance tables and leaves it byte-identical', async () => {
      const SQL = await loadSqlJs();
      const foreign = new SQL.Database();
      foreign.exec("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO recipes (title) VALUES ('soup')");
      const file = path.join(dir, 'recipes.db');
      fs.writeFileSync(file, foreign.export());
      const before = fs.readFileSync(file);
      let caught: unknown;
      await GovernanceDatabase.open(file).catch((err: unknown) => {
        caught = err;
      });
      assert.equal(codeOf(caught), 'SCHEMA_MISSING');
      assert.match((caught as Error).message, /is not a governance database: .*missing table agent_registry/);
      assert.deepEqual((caught as GovernanceError).details.missingTables, Object.keys(expectedSchema()));
      assert.deepEqual(fs.readFileSync(file), before);
    });

    it('opening a missing file gives FILE_NOT_FOUND and creates nothing', async () => {
      const file = path.join(dir, 'missing.db');
      await assert.rejects(GovernanceDatabase.open(file), (err: unknown) => isGovernanceError(err, 'FILE_NOT_FOUND'));
      assert.equal(fs.existsSync(file), false);
    });

    it('an empty file is refused as corrupt', async () => {
      const file = path.join(dir, 'empty.db');
      fs.writeFileSync(file, '');
      await assert.rejects(GovernanceDatabase.open(file), (err: unknown) => codeOf(err) === 'CORRUPT_DATABASE');
      assert.equal(fs.statSync(file).size, 0);
    });
  });

  describe('close', () => {
    it('makes later calls fail with DATABASE_CLOSED and is idempotent', async () => {
      const db = await freshDb();
      assert.equal(db.isOpen, true);
      db.close();
      db.close();
      assert.equal(db.isOpen, false);
      assert.throws(() => db.all('SELECT 1'), (err: unknown) => codeOf(err) === 'DATABASE_CLOSED');
    });
  });

  describe('GovernanceError', () => {
    it('carries a stable code, a message and details, and is recognised by isGovernanceError', () => {
      const err = new GovernanceError('NOT_FOUND', 'No such thing.', { id: 'x' });
      assert.equal(err.name, 'GovernanceError');
      assert.equal(err.code, 'NOT_FOUND');
      assert.deepEqual(err.details, { id: 'x' });
      assert.ok(isGovernanceError(err));
      assert.ok(isGovernanceError(err, 'NOT_FOUND'));
      assert.ok(!isGovernanceError(err, 'AGENT_NOT_FOUND'));
      assert.ok(!isGovernanceError(new Error('plain')));
      assert.deepEqual(new GovernanceError('INVALID_ARGUMENT', 'm').details, {});
    });
  });
});
