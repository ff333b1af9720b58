/**
 * AgentRepository: the refusals and audit entries of the rules it enforces (rule 2: levels are
 * crossed upward only through the criteria), with expected values written from the spec.
 */
import { strict as assert } from 'node:assert';
import { GovernanceError, type GovernanceDatabase } from '../../../src/governance';
import { freshDb, refusedWith, seedAgent, seedEpisodes, testDeps } from '../fixtures';

describe('AgentRepository (rule 2 refusals and audit)', () => {
  let db: GovernanceDatabase;
  let deps: ReturnType<typeof testDeps>;

  beforeEach(async () => {
    db = await freshDb();
    deps = testDeps(db);
  });
  afterEach(() => db.close());

  const refusal = (code: string, fn: () => unknown): [string, unknown] => {
    const err: GovernanceError = refusedWith(code, fn);
    return [err.message, err.details];
  };

  it('names the missing agent and the non-finite confidence', () => {
    assert.deepEqual(refusal('AGENT_NOT_FOUND', () => deps.agents.require('ghost')), ['No agent with id "ghost" is registered; register it in agent_registry first.', { agentId: 'ghost' }]);
    const agent = seedAgent(db, { status: 'INTERN' });
    assert.deepEqual(refusal('INVALID_ARGUMENT', () => deps.agents.setConfidence(agent.id, Number.NaN, { actor: 'a', reason: 'r' })), ['Confidence must be a finite number, got NaN.', { agentId: agent.id }]);
  });

  it('records the requested confidence on the change only when the criteria capped it', () => {
    const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.4 });
    deps.agents.adjustConfidence(agent.id, 0.05, { actor: 'trainer', reason: 'good week' });
    deps.agents.adjustConfidence(agent.id, 0.2, { actor: 'trainer', reason: 'great week' });
    const changes = deps.audit.list({ action: 'agent.confidence_changed' }).map((e) => [e.actor, e.details]);
    assert.deepEqual(changes, [
      ['trainer', { from: 0.4, to: 0.45, reason: 'good week' }],
      ['trainer', { from: 0.45, to: 0.499, requested: 0.65, reason: 'great week' }],
    ]);
    const [withheld] = deps.audit.list({ action: 'agent.promotion_withheld' });
    assert.deepEqual([withheld.actor, withheld.details], [
      'trainer',
      { from: 'STUDENT', to: 'INTERN', requested: 0.65, confidence: 0.499, unmetCriteria: ['needs 10 completed episodes, has 0', 'intervention rate 100% exceeds the maximum 50%', 'constitutional score 0.00 is below 0.70'], reason: 'great week' },
    ]);
  });

  it('promote: refusals name the agent, the levels and every unmet criterion', () => {
    const paused = seedAgent(db, { status: 'PAUSED', name: 'Idle' });
    assert.deepEqual(refusal('INVALID_STATUS', () => deps.agents.promote(paused.id, 'INTERN', { actor: 'g', reason: 'r' })), ['Agent "Idle" is PAUSED; reactivate it before promoting it.', { agentId: paused.id, status: 'PAUSED' }]);
    const student = seedAgent(db, { status: 'STUDENT', name: 'Learner' });
    assert.deepEqual(refusal('INVALID_TRANSITION', () => deps.agents.promote(student.id, 'SUPERVISED', { actor: 'g', reason: 'r' })), [
      'Cannot promote agent "Learner" from STUDENT to SUPERVISED: promotion moves exactly one maturity level upward.',
      { agentId: student.id, from: 'STUDENT', to: 'SUPERVISED' },
    ]);
    seedEpisodes(db, student.id, 4, { interventions: 1, constitutionalScore: 0.9 });
    assert.deepEqual(refusal('CRITERIA_NOT_MET', () => deps.agents.promote(student.id, 'INTERN', { actor: 'g', reason: 'r' }))[0], 'Cannot promote agent "Learner" to INTERN: needs 10 completed episodes, has 4; intervention rate 100% exceeds the maximum 50%.');
  });

  it('setStatus: an upward move is refused naming the agent, its level and confidence', () => {
    const intern = seedAgent(db, { status: 'INTERN', confidence: 0.6, name: 'Clerk' });
    assert.deepEqual(refusal('INVALID_TRANSITION', () => deps.agents.setStatus(intern.id, 'SUPERVISED', { actor: 'admin', reason: 'r' })), [
      'Cannot set agent "Clerk" (INTERN, confidence 0.6) to SUPERVISED: levels are crossed upward only through the graduation criteria.',
      { agentId: intern.id, from: 'INTERN', to: 'SUPERVISED' },
    ]);
  });
});
