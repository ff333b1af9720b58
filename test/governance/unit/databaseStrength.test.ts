/**
 * GovernanceDatabase behaviour the other database tests leave loose: the exact refusal texts a
 * user sees, which table a refusal names for every statement form, first use in a fresh process
 * (sql.js and the template loaded once), symlink limits like the kernel's, and temp files of a
 * process owned by someone else.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GovernanceDatabase, loadSqlJs } from '../../../src/governance';
import { freshDb, refusedWith, seedAgent } from '../fixtures';

const IS_ROOT = process.getuid?.() === 0;

/** A second, never-used instance of the database module (its own sql.js and template caches). */
function freshDatabaseModule(): typeof import('../../../src/governance/db/database') {
  const id = require.resolve('../../../src/governance/db/database');
  const cached = require.cache[id];
  delete require.cache[id];
  try {
    return require(id);
  } finally {
    require.cache[id] = cached;
  }
}

describe('GovernanceDatabase strength (exact texts, statement forms, first use)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gov-strength-'));
    fs.chmodSync(dir, 0o755);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('which table a refusal names', () => {
    let db: GovernanceDatabase;
    beforeEach(async () => {
      db = await freshDb();
      seedAgent(db, { id: 'a', status: 'INTERN', confidence: 0.6 });
      db.exec('CREATE TABLE parent (id TEXT PRIMARY KEY); CREATE TABLE child (p TEXT REFERENCES parent(id))');
      db.exec("INSERT INTO parent VALUES ('p'); INSERT INTO child VALUES ('p')");
    });
    const tableOfCheck = (sql: string): unknown => refusedWith('CONSTRAINT_CHECK', () => db.run(sql)).details.table;

    it('INSERT, INSERT OR …, REPLACE and UPDATE [OR …], whatever the spacing and case', () => {
      const row = "(id, name, status, confidence_score, created_at, updated_at) VALUES ('b', 'B', 'GENIUS', 0.5, 'x', 'x')";
      assert.equal(tableOfCheck(`INSERT INTO agent_registry ${row}`), 'agent_registry');
      assert.equal(tableOfCheck(`\n      insert into agent_registry ${row}`), 'agent_registry');
      assert.equal(tableOfCheck(`INSERT  OR  ABORT  INTO  agent_registry ${row}`), 'agent_registry');
      assert.equal(tableOfCheck(`INSERT OR ABORT INTO agent_registry ${row}`), 'agent_registry');
      assert.equal(tableOfCheck(`REPLACE  INTO  agent_registry ${row}`), 'agent_registry');
      assert.equal(tableOfCheck("UPDATE  OR  FAIL  agent_registry SET status = 'GENIUS'"), 'agent_registry');
      assert.equal(tableOfCheck("UPDATE OR FAIL agent_registry SET status = 'GENIUS'"), 'agent_registry');
      assert.equal(tableOfCheck("UPDATE agent_registry SET status = 'GENIUS'"), 'agent_registry');
    });

    it('DELETE FROM a row still referred to', () => {
      for (const sql of ["DELETE FROM parent WHERE id = 'p'", "DELETE  FROM  parent WHERE id = 'p'"]) {
        assert.equal(refusedWith('CONSTRAINT_FOREIGN_KEY', () => db.run(sql)).details.table, 'parent');
      }
    });

    it('a statement that does not start with its verb (a CTE) names no table, and says "the table"', () => {
      const err = refusedWith('CONSTRAINT_CHECK', () =>
        db.run("WITH v(s) AS (SELECT 'GENIUS') INSERT INTO agent_registry (id, name, status, confidence_score, created_at, updated_at) SELECT 'c', 'C', s, 0.5, 'x', 'x' FROM v"),
      );
      assert.equal(err.details.table, undefined);
      assert.match(err.message, /^the table refused the row: a value breaks the rule "status IN \(/);
      const fk = refusedWith('CONSTRAINT_FOREIGN_KEY', () => db.run("WITH v(p) AS (SELECT 'nope') INSERT INTO child SELECT p FROM v"));
      assert.equal(fk.message, 'The write to the table refers to a row that does not exist (or removes a row still referred to). Create the referenced row first or correct the id.');
    });
  });

  describe('first use in a process', () => {
    it('loads sql.js once: every call gives the same module', async () => {
      assert.equal(await loadSqlJs(), await loadSqlJs());
    });

    it('a never-used module instance loads sql.js and bootstraps its template on first create()', async () => {
      const fresh = freshDatabaseModule();
      const SQL = await fresh.loadSqlJs();
      assert.equal(typeof SQL.Database, 'function');
      const db = await fresh.GovernanceDatabase.create();
      assert.deepEqual(db.checkSchema().missingTables, []);
      assert.equal(db.get<{ foreign_keys: number }>('PRAGMA foreign_keys')!.foreign_keys, 1);
      const again = await fresh.GovernanceDatabase.create();
      assert.deepEqual(Buffer.from(again.export()), Buffer.from(db.export()));
    });
  });

  describe('exact texts', () => {
    it('a closed database says so and what to do', async () => {
      const db = await freshDb();
      db.close();
      const err = refusedWith('DATABASE_CLOSED', () => db.get('SELECT 1'));
      assert.equal(err.message, 'The governance database is closed; open or create a new one.');
      assert.equal(db.isOpen, false);
      db.close();
    });

    it('export or save inside a transaction is INVALID_STATUS with the reason', async () => {
      const db = await freshDb();
      db.transaction(() => {
        const err = refusedWith('INVALID_STATUS', () => db.export());
        assert.equal(err.message, 'Cannot export or save inside a transaction; commit first.');
      });
      assert.equal(Buffer.from(db.export()).subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
    });

    it('an async transaction callback is refused with the reason, and the transaction ends', async () => {
      const db = await freshDb();
      const err = refusedWith('INVALID_ARGUMENT', () => db.transaction(async () => undefined));
      assert.equal(err.message, 'transaction() callbacks must be synchronous; do async work before or after the transaction.');
      assert.equal(db.inTransaction, false);
      db.transaction(() => assert.equal(db.inTransaction, true));
    });

    it('a non-SQLite file and a damaged one are told apart, naming the label', async () => {
      const notSqlite = await GovernanceDatabase.fromBytes(Buffer.from('hello, not a database at all'), 'notes.db').then(() => assert.fail('expected a refusal'), (e: unknown) => e as Error);
      assert.equal(
        notSqlite.message,
        'notes.db is not a SQLite database (bad or missing header); it was left untouched. Restore it from a backup or create a new database.',
      );
      const headerOnly = await GovernanceDatabase.fromBytes(Buffer.from('SQLite format 3\0', 'latin1'), 'header.db').then(() => assert.fail('expected a refusal'), (e: unknown) => e as Error);
      assert.match(headerOnly.message, /^header\.db is a damaged SQLite database \(.+\); it was left untouched\. Restore it from a backup or create a new database\.$/s);
      const short = await GovernanceDatabase.fromBytes(Buffer.from('SQLite format'), undefined).then(() => assert.fail('expected a refusal'), (e: unknown) => e as Error);
      assert.match(short.message, /^database is not a SQLite database/);
    });

    it('a foreign SQLite database is SCHEMA_MISSING naming the label in message and details', async () => {
      const SQL = await loadSqlJs();
      const foreign = new SQL.Database();
      foreign.exec('CREATE TABLE recipes (id INTEGER PRIMARY KEY)');
      const err = (await GovernanceDatabase.fromBytes(foreign.export(), 'recipes.db').catch((e: unknown) => e)) as { code: string; message: string; details: Record<string, unknown> };
      assert.equal(err.code, 'SCHEMA_MISSING');
      assert.match(err.message, /^recipes\.db is not a governance database: Governance schema is incomplete: missing table workspaces; /);
      assert.equal(err.details.label, 'recipes.db');
      assert.deepEqual(err.details.missingColumns, []);
    });
  });

  describe('symlinks and temp files', () => {
    let n = 0;
    let caseDir: string;
    beforeEach(() => {
      caseDir = path.join(dir, `case-${++n}`);
      fs.mkdirSync(caseDir);
      fs.chmodSync(caseDir, 0o777);
    });

    it('follows 40 symlinks like the kernel, and refuses the 41st', async () => {
      const db = await freshDb();
      const chain = (length: number, name: string): string => {
        for (let i = 0; i < length; i++) fs.symlinkSync(i + 1 < length ? `${name}${i + 1}` : `${name}.db`, path.join(caseDir, `${name}${i}`));
        return path.join(caseDir, `${name}0`);
      };
      db.save(chain(40, 'ok'));
      assert.equal(fs.lstatSync(path.join(caseDir, 'ok.db')).isFile(), true);
      const err = refusedWith('SAVE_FAILED', () => db.save(chain(41, 'long')));
      assert.equal(err.message, `Cannot save the governance database to ${path.join(caseDir, 'long0')}: more than 40 symbolic links (a loop?). Point it at a real file.`);
      assert.deepEqual(err.details, { file: path.join(caseDir, 'long0'), errno: 'ELOOP' });
      assert.equal(fs.existsSync(path.join(caseDir, 'long.db')), false);
    });

    it("a temp file of a live process owned by someone else (pid 1) is kept, even by an unprivileged open", async () => {
      const file = path.join(caseDir, 'gov.db');
      (await freshDb()).save(file);
      const foreign = '.gov.db.1.0123abcd.tmp';
      fs.writeFileSync(path.join(caseDir, foreign), 'in progress');
      const opening = IS_ROOT ? unprivilegedOpen(file) : GovernanceDatabase.open(file);
      await opening;
      assert.deepEqual(fs.readdirSync(caseDir).sort(), [foreign, 'gov.db'].sort());
    });
  });
});

/** Opens `file` with the effective uid of `nobody` (so signalling pid 1 is EPERM), then restores root. */
function unprivilegedOpen(file: string): Promise<GovernanceDatabase> {
  process.setegid!(65534);
  process.seteuid!(65534);
  try {
    return GovernanceDatabase.open(file);
  } finally {
    process.seteuid!(0);
    process.setegid!(0);
  }
}
