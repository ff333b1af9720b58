/**
 * The agent_proposals repository (proposals.ts): rule 3 at the lowest level (`insertProposal`
 * refuses ACTION proposals of agents below INTERN), JSON columns, guarded updates.
 */
import { strict as assert } from 'node:assert';
import { assertMayPropose, insertProposal, requireProposal, updateProposalFields, type GovernanceDatabase } from '../../../src/governance';
import { freshDb, refusalOf, seedAgent, testDeps } from '../fixtures';

describe('proposals repository (rule 3, JSON columns, guarded updates)', () => {
  let db: GovernanceDatabase;
  let deps: ReturnType<typeof testDeps>;

  beforeEach(async () => {
    db = await freshDb();
    deps = testDeps(db);
  });
  afterEach(() => db.close());

  it('refuses an ACTION proposal below INTERN with messages naming the agent, its status and what is required', () => {
    const base = { agentName: 'n', proposalType: 'ACTION' as const, title: 't', proposedBy: 'x' };
    const student = seedAgent(db, { status: 'STUDENT', name: 'Learner' });
    assert.deepEqual(refusalOf(() => insertProposal(db, deps.clock, deps.ids, { ...base, agentId: student.id })), [
      'INVALID_STATUS',
      'Agent "Learner" is a STUDENT; only INTERN or above may propose actions (a STUDENT\'s triggers go to training).',
      { agentId: student.id, status: 'STUDENT', required: 'INTERN' },
    ]);
    const deprecated = seedAgent(db, { status: 'DEPRECATED', name: 'Old' });
    assert.deepEqual(refusalOf(() => assertMayPropose(deprecated)), [
      'AGENT_NOT_ROUTABLE',
      'Agent "Old" is DEPRECATED; reactivate it before it proposes or executes actions.',
      { agentId: deprecated.id, status: 'DEPRECATED' },
    ]);
    assert.deepEqual(refusalOf(() => insertProposal(db, deps.clock, deps.ids, { ...base, agentId: 'ghost' })), [
      'AGENT_NOT_FOUND',
      'No agent with id "ghost" is registered; register it in agent_registry first.',
      { agentId: 'ghost' },
    ]);
    for (const status of ['INTERN', 'SUPERVISED', 'AUTONOMOUS'] as const) assert.doesNotThrow(() => assertMayPropose({ id: 'a', name: 'A', status }));
  });

  it('stores an absent action and modifications as SQL NULL and list columns as empty arrays', () => {
    const agent = seedAgent(db, { status: 'INTERN' });
    const p = insertProposal(db, deps.clock, deps.ids, { agentId: agent.id, agentName: 'n', proposalType: 'ACTION', title: 't', proposedBy: 'x', proposedAction: null });
    updateProposalFields(db, p.id, { modifications: null });
    const row = db.get<Record<string, unknown>>('SELECT proposed_action, modifications, learning_objectives, capability_gaps FROM agent_proposals WHERE id = ?', [p.id])!;
    assert.deepEqual(row, { proposed_action: null, modifications: null, learning_objectives: '[]', capability_gaps: '[]' });
    assert.deepEqual([p.proposedAction, p.learningObjectives, p.capabilityGaps], [null, [], []]);
  });

  it('an update leaves fields given as undefined untouched, and a status guard names both statuses', () => {
    const agent = seedAgent(db, { status: 'INTERN' });
    const p = insertProposal(db, deps.clock, deps.ids, { agentId: agent.id, agentName: 'n', proposalType: 'ACTION', title: 't', proposedBy: 'x' });
    updateProposalFields(db, p.id, { status: 'APPROVED', approvedBy: 'lead' });
    const rejected = updateProposalFields(db, p.id, { status: 'REJECTED', approvedBy: undefined });
    assert.deepEqual([rejected.status, rejected.approvedBy], ['REJECTED', 'lead']);
    assert.deepEqual(refusalOf(() => updateProposalFields(db, p.id, { status: 'EXECUTED' }, 'APPROVED'))[2], { proposalId: p.id, status: 'REJECTED', expected: 'APPROVED' });
    assert.deepEqual(refusalOf(() => requireProposal(db, 'missing')), ['NOT_FOUND', 'No proposal with id "missing".', { proposalId: 'missing' }]);
  });
});
