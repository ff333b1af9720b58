/**
 * A database saved by the first release (before rule 7 added the EXECUTING claim) still works:
 * opened, its approved proposals execute exactly once; the file itself changes only when saved.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GovernanceDatabase, type GovernanceDatabase as Db } from '../../../src/governance';
import { RecordingCanvasExecutor } from '../../../src/governance/executors';
import { ProposalService } from '../../../src/governance/proposalService';
import { upgradeSchema } from '../../../src/governance/db/schema';
import { codeOf, freshDb, seedAgent, testDeps } from '../fixtures';

/** agent_proposals.status's CHECK as the first release wrote it, and as it reads now. */
const V1_CHECK = "status IN ('PROPOSED', 'APPROVED', 'REJECTED', 'EXECUTED', 'CANCELLED')";
const CURRENT_CHECK = "status IN ('PROPOSED', 'APPROVED', 'EXECUTING', 'REJECTED', 'EXECUTED', 'CANCELLED')";
const FORM = { type: 'canvas', payload: { kind: 'form', title: 'Expense', fields: [{ name: 'amount' }] } };

const schemaVersion = (db: Db): number => db.get<{ schema_version: number }>('PRAGMA schema_version')!.schema_version;
const proposalsDdl = (db: Db): string => db.get<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'agent_proposals'")!.sql;

/** Writes the table definition back to the first release's, as a file saved by it holds it. */
function asFirstRelease(db: Db): void {
  const version = db.get<{ schema_version: number }>('PRAGMA schema_version')!.schema_version;
  db.exec('PRAGMA writable_schema = ON');
  db.run("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'agent_proposals'", [proposalsDdl(db).replace(CURRENT_CHECK, V1_CHECK)]);
  db.exec(`PRAGMA schema_version = ${version + 1}`);
  db.exec('PRAGMA writable_schema = OFF');
}

describe('GovernanceDatabase upgrade of a database saved by the first release', () => {
  let dir: string;
  let file: string;
  let proposalId: string;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gov-upgrade-'));
    file = path.join(dir, 'v1.db');
    const db = await freshDb();
    const service = new ProposalService({ ...testDeps(db), executors: { canvas: new RecordingCanvasExecutor() } });
    const agentId = seedAgent(db, { status: 'INTERN', name: 'Clerk' }).id;
    proposalId = service.createActionProposal({ agentId, title: 'Expense form', action: FORM, proposedBy: 'interceptor' }).id;
    service.approve(proposalId, 'user-1');
    asFirstRelease(db);
    assert.ok(proposalsDdl(db).includes(V1_CHECK));
    assert.equal(codeOf(() => db.run("UPDATE agent_proposals SET status = 'EXECUTING' WHERE id = ?", [proposalId])), 'CONSTRAINT_CHECK', 'the first release refuses the claim');
    db.save(file);
    db.close();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('opens it with the EXECUTING claim allowed, and leaves the file as it was until saved', async () => {
    const before = fs.readFileSync(file);
    const version = before.readUInt32BE(40); // the schema cookie of the file's header
    const db = await GovernanceDatabase.open(file);
    assert.ok(proposalsDdl(db).includes(CURRENT_CHECK), proposalsDdl(db));
    assert.equal(schemaVersion(db), version + 1, 'the schema version is bumped, as SQLite requires after a definition is rewritten');
    assert.equal(codeOf(() => db.run("UPDATE sqlite_master SET sql = sql WHERE name = 'agent_proposals'")), 'DATABASE_ERROR', 'the schema is read-only again');
    assert.deepEqual(db.all('PRAGMA quick_check'), [{ quick_check: 'ok' }]);
    assert.deepEqual(fs.readFileSync(file), before, 'opening never writes');
    db.save(file);
    db.close();
    const reopened = await GovernanceDatabase.open(file);
    assert.ok(proposalsDdl(reopened).includes(CURRENT_CHECK));
    reopened.close();
  });

  it('executes the proposal the first release approved, once, and still refuses an unknown status', async () => {
    const db = await GovernanceDatabase.open(file);
    const canvas = new RecordingCanvasExecutor();
    const service = new ProposalService({ db, executors: { canvas } }); // default ids: the file's audit rows came from the fixture's sequence
    const outcome = await service.execute(proposalId);
    assert.equal(outcome.proposal.status, 'EXECUTED');
    assert.equal(canvas.presented.length, 1);
    assert.equal(codeOf(() => db.run("UPDATE agent_proposals SET status = 'DONE' WHERE id = ?", [proposalId])), 'CONSTRAINT_CHECK');
    db.close();
  });

  it('says what it upgraded, and changes nothing in a database of this release', async () => {
    const v1 = await freshDb();
    asFirstRelease(v1);
    assert.deepEqual(upgradeSchema(v1), ['agent_proposals.status accepts EXECUTING']);
    assert.deepEqual(upgradeSchema(v1), [], 'once upgraded, there is nothing left to do');
    const db = await freshDb();
    const [ddl, version] = [proposalsDdl(db), schemaVersion(db)];
    db.save(file);
    const reopened = await GovernanceDatabase.open(file);
    assert.deepEqual([proposalsDdl(reopened), schemaVersion(reopened)], [ddl, version]);
    assert.deepEqual(upgradeSchema(reopened), []);
    for (const d of [v1, db, reopened]) d.close();
  });
});
