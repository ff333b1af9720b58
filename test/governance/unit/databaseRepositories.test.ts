/**
 * The shared repositories over the governance database: agents (status follows confidence,
 * status cache, episodes), audit log, proposals, and the maturity helpers they rely on.
 */
import { strict as assert } from 'node:assert';
import {
  AgentRepository,
  AuditLog,
  CONFIDENCE_FLOOR,
  TRANSITION_CRITERIA,
  clampConfidence,
  criteriaFailures,
  getProposal,
  insertProposal,
  isMaturityLevel,
  listProposals,
  maturityRank,
  maxComplexity,
  nextMaturity,
  requireProposal,
  resolveDeps,
  sequentialIds,
  statusForConfidence,
  systemClock,
  updateProposalFields,
  type GovernanceDatabase,
} from '../../../src/governance';
import { countRows, freshDb, refusedWith, seedAgent, seedEpisodes, seedWorkspace, snapshotRows, testDeps } from '../fixtures';

describe('governance repositories', () => {
  let db: GovernanceDatabase;
  let deps: ReturnType<typeof testDeps>;

  beforeEach(async () => {
    db = await freshDb();
    deps = testDeps(db);
  });

  describe('maturity helpers', () => {
    it('maps confidence to maturity at the spec boundaries', () => {
      const cases: Array<[number, string]> = [[0, 'STUDENT'], [0.4999, 'STUDENT'], [0.5, 'INTERN'], [0.6999, 'INTERN'], [0.7, 'SUPERVISED'], [0.8999, 'SUPERVISED'], [0.9, 'AUTONOMOUS'], [1, 'AUTONOMOUS']];
      for (const [confidence, status] of cases) assert.equal(statusForConfidence(confidence), status, String(confidence));
      for (const level of ['STUDENT', 'INTERN', 'SUPERVISED', 'AUTONOMOUS'] as const) assert.equal(statusForConfidence(CONFIDENCE_FLOOR[level]), level);
    });

    it('gives each status its highest action complexity, rank and next level', () => {
      assert.deepEqual((['STUDENT', 'INTERN', 'SUPERVISED', 'AUTONOMOUS', 'PAUSED', 'DEPRECATED'] as const).map(maxComplexity), [1, 2, 3, 4, 0, 0]);
      assert.deepEqual((['STUDENT', 'AUTONOMOUS', 'PAUSED'] as const).map(maturityRank), [0, 3, -1]);
      assert.deepEqual((['STUDENT', 'SUPERVISED', 'AUTONOMOUS', 'DEPRECATED'] as const).map(nextMaturity), ['INTERN', 'AUTONOMOUS', undefined, undefined]);
      assert.deepEqual(['INTERN', 'PAUSED', 'nonsense'].map(isMaturityLevel), [true, false, false]);
      assert.deepEqual([-0.2, 0.1 + 0.2, 1.7].map(clampConfidence), [0, 0.3, 1]);
    });

    it('generates sequential ids per kind, and the system clock tells the real time', () => {
      const ids = sequentialIds();
      assert.deepEqual([ids.next('a'), ids.next('b'), ids.next('a')], ['a-1', 'b-1', 'a-2']);
      const before = Date.now();
      const now = systemClock.now().getTime();
      assert.ok(now >= before && now <= Date.now());
    });

    it('reports each unmet graduation criterion, and none when all hold', () => {
      const failing = criteriaFailures({ episodeCount: 20, totalInterventions: 6, episodesWithIntervention: 6, interventionRate: 0.3, scoredEpisodes: 20, constitutionalScore: 0.8 }, TRANSITION_CRITERIA.SUPERVISED);
      assert.deepEqual(failing, ['needs 25 completed episodes, has 20', 'intervention rate 30% exceeds the maximum 20%', 'constitutional score 0.80 is below 0.85']);
      assert.deepEqual(criteriaFailures({ episodeCount: 50, totalInterventions: 0, episodesWithIntervention: 0, interventionRate: 0, scoredEpisodes: 50, constitutionalScore: 0.95 }, TRANSITION_CRITERIA.AUTONOMOUS), []);
    });
  });

  describe('resolveDeps', () => {
    it('fills in a system clock, UUID ids, an audit log and an agent repository over the same database', () => {
      const resolved = resolveDeps({ db });
      assert.equal(resolved.clock, systemClock);
      const agent = resolved.agents.insert({ name: 'Defaulted' });
      assert.match(agent.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const entry = resolved.audit.record({ agentId: agent.id, actor: 'test', action: 'x' });
      assert.match(entry.id, /^[0-9a-f-]{36}$/);
      assert.equal(countRows(db, 'audit_log'), 1);
    });

    it('keeps injected collaborators', () => {
      const resolved = resolveDeps(deps);
      assert.equal(resolved.agents, deps.agents);
      assert.equal(resolved.audit, deps.audit);
      assert.equal(resolved.ids, deps.ids);
    });
  });

  describe('AgentRepository', () => {
    it('registers an agent with its status following its confidence, or an explicit status', () => {
      const ws = seedWorkspace(db);
      const a = deps.agents.insert({ name: 'Analyst', confidence: 0.72, category: 'finance', workspaceId: ws });
      assert.deepEqual(a, { id: 'agent-1', name: 'Analyst', category: 'finance', workspaceId: ws, status: 'SUPERVISED', confidenceScore: 0.72, createdAt: '2026-01-01T09:00:00.000Z', updatedAt: '2026-01-01T09:00:00.000Z' });
      const b = deps.agents.insert({ id: 'fixed', name: 'Paused', status: 'PAUSED' });
      assert.deepEqual([b.id, b.status, b.confidenceScore, b.category, b.workspaceId], ['fixed', 'PAUSED', 0, 'general', null]);
      assert.equal(deps.agents.get('missing'), undefined);
      assert.match(refusedWith('AGENT_NOT_FOUND', () => deps.agents.require('missing')).message, /No agent with id "missing"/);
    });

    it('caches nothing: a raw SQL write and a write through another repository are seen on the next read (rule 1)', () => {
      const agent = seedAgent(db, { status: 'INTERN', confidence: 0.6 });
      assert.equal(deps.agents.require(agent.id).status, 'INTERN');
      db.run("UPDATE agent_registry SET status = 'SUPERVISED', confidence_score = 0.8 WHERE id = ?", [agent.id]);
      assert.deepEqual([deps.agents.require(agent.id).status, deps.agents.require(agent.id).confidenceScore], ['SUPERVISED', 0.8]);
      const other = new AgentRepository(db, deps.clock, sequentialIds(), deps.audit);
      other.setStatus(agent.id, 'PAUSED', { actor: 'admin', reason: 'incident' });
      assert.equal(deps.agents.require(agent.id).status, 'PAUSED');
    });

    it('clamps confidence to [0, 1], demotes as it falls, and audits change and demotion', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
      const down = deps.agents.setConfidence(agent.id, -3, { actor: 'admin', reason: 'incident' });
      assert.deepEqual([down.agent.confidenceScore, down.agent.status, down.previousStatus, down.previousConfidence, down.statusChanged], [0, 'STUDENT', 'SUPERVISED', 0.8, true]);
      const up = deps.agents.adjustConfidence(agent.id, 5, { actor: 'admin', reason: 'review' });
      assert.deepEqual([up.agent.confidenceScore, up.agent.status, up.withheldPromotion], [0.499, 'STUDENT', 'INTERN'], 'no episodes: the gain stops below INTERN');
      assert.deepEqual(deps.audit.list({ agentId: agent.id }).map((e) => e.action), ['agent.confidence_changed', 'agent.demoted', 'agent.confidence_changed', 'agent.promotion_withheld']);
    });

    it('keeps the status of PAUSED / DEPRECATED agents whatever their confidence', () => {
      const paused = seedAgent(db, { status: 'PAUSED', confidence: 0.6 });
      assert.equal(deps.agents.setConfidence(paused.id, 0.95, { actor: 't', reason: 'r' }).agent.status, 'PAUSED');
      const deprecated = seedAgent(db, { status: 'DEPRECATED', confidence: 0.6 });
      assert.deepEqual([deps.agents.setConfidence(deprecated.id, 0.1, { actor: 't', reason: 'r' }).agent.status, deps.agents.require(deprecated.id).confidenceScore], ['DEPRECATED', 0.1]);
      assert.equal(deps.audit.list({ action: 'agent.promoted' }).length + deps.audit.list({ action: 'agent.demoted' }).length, 0);
    });

    it('refuses a non-finite confidence and changes nothing', () => {
      const agent = seedAgent(db, { status: 'INTERN' });
      const before = snapshotRows(db);
      refusedWith('INVALID_ARGUMENT', () => deps.agents.setConfidence(agent.id, Number.NaN, { actor: 't', reason: 'r' }));
      refusedWith('INVALID_ARGUMENT', () => deps.agents.adjustConfidence(agent.id, Number.POSITIVE_INFINITY, { actor: 't', reason: 'r' }));
      assert.deepEqual(snapshotRows(db), before);
    });

    it('promotes upward, raising confidence to the new floor but never lowering it', () => {
      const a = seedAgent(db, { status: 'STUDENT', confidence: 0.2 });
      seedEpisodes(db, a.id, 10, { interventions: 0, constitutionalScore: 0.7 });
      assert.deepEqual([deps.agents.promote(a.id, 'INTERN', { actor: 'g', reason: 'exam' })].map((x) => [x.status, x.confidenceScore])[0], ['INTERN', 0.5]);
      const b = seedAgent(db, { status: 'INTERN', confidence: 0.95 });
      seedEpisodes(db, b.id, 25, { interventions: 0, constitutionalScore: 0.85 });
      assert.equal(deps.agents.promote(b.id, 'SUPERVISED', { actor: 'g', reason: 'exam' }).confidenceScore, 0.95);
      const [audit] = deps.audit.list({ agentId: a.id, action: 'agent.promoted' });
      assert.deepEqual(audit.details, { from: 'STUDENT', to: 'INTERN', reason: 'exam' });
    });

    it('refuses a sideways or downward promotion, and promoting a PAUSED agent, changing nothing', () => {
      const a = seedAgent(db, { status: 'SUPERVISED' });
      const p = seedAgent(db, { status: 'PAUSED' });
      const before = snapshotRows(db);
      refusedWith('INVALID_TRANSITION', () => deps.agents.promote(a.id, 'SUPERVISED', { actor: 'g', reason: 'r' }));
      refusedWith('INVALID_TRANSITION', () => deps.agents.promote(a.id, 'INTERN', { actor: 'g', reason: 'r' }));
      assert.match(refusedWith('INVALID_STATUS', () => deps.agents.promote(p.id, 'INTERN', { actor: 'g', reason: 'r' })).message, /is PAUSED; reactivate it/);
      assert.deepEqual(snapshotRows(db), before);
    });

    it('sets administrative statuses with an audit entry', () => {
      const a = seedAgent(db, { status: 'AUTONOMOUS' });
      assert.equal(deps.agents.setStatus(a.id, 'PAUSED', { actor: 'admin', reason: 'incident review' }).status, 'PAUSED');
      assert.equal(db.get<{ status: string }>('SELECT status FROM agent_registry WHERE id = ?', [a.id])!.status, 'PAUSED');
      assert.deepEqual(deps.audit.list({ action: 'agent.status_changed' })[0].details, { from: 'AUTONOMOUS', to: 'PAUSED', reason: 'incident review' });
    });

    it('records episodes and computes graduation inputs from completed ones only', () => {
      const ws = seedWorkspace(db);
      const agent = seedAgent(db, { status: 'INTERN', workspaceId: ws });
      assert.deepEqual(deps.agents.episodeStats(agent.id), { episodeCount: 0, totalInterventions: 0, episodesWithIntervention: 0, interventionRate: 1, scoredEpisodes: 0, constitutionalScore: 0 });
      const id = deps.agents.recordEpisode({ agentId: agent.id, maturityAtTime: 'INTERN', outcome: 'success', startedAt: 's', completedAt: 'c' });
      const row = db.get<Record<string, unknown>>('SELECT * FROM agent_episodes WHERE id = ?', [id])!;
      assert.deepEqual([row.workspace_id, row.status, row.human_intervention_count, row.constitutional_score], [ws, 'completed', 0, null]);
      seedEpisodes(db, agent.id, 3, { interventions: 2, constitutionalScore: 0.6 });
      seedEpisodes(db, agent.id, 5, { status: 'running', interventions: 9, constitutionalScore: 0 });
      assert.deepEqual(deps.agents.episodeStats(agent.id), { episodeCount: 4, totalInterventions: 6, episodesWithIntervention: 3, interventionRate: 0.75, scoredEpisodes: 3, constitutionalScore: 0.6 });
      refusedWith('AGENT_NOT_FOUND', () => deps.agents.recordEpisode({ agentId: 'ghost', maturityAtTime: 'INTERN', outcome: 'success', startedAt: 's', completedAt: 'c' }));
    });
  });

  describe('AuditLog', () => {
    it('appends rows with JSON details (undefined values dropped) and filters by agent and action', () => {
      const a = seedAgent(db);
      const log = new AuditLog(db, deps.clock, sequentialIds());
      const first = log.record({ agentId: a.id, actor: 'u', action: 'x.one', details: { keep: 1, drop: undefined } });
      assert.deepEqual(first, { id: 'audit-1', agentId: a.id, actor: 'u', action: 'x.one', details: { keep: 1 }, createdAt: '2026-01-01T09:00:00.000Z' });
      log.record({ agentId: null, actor: 'system', action: 'x.two' });
      assert.deepEqual(JSON.parse(db.get<{ details: string }>("SELECT details FROM audit_log WHERE action = 'x.two'")!.details), {});
      assert.deepEqual(log.list().map((e) => e.action), ['x.one', 'x.two']);
      assert.deepEqual(log.list({ agentId: a.id }).map((e) => e.id), ['audit-1']);
      assert.deepEqual(log.list({ action: 'x.two' }).map((e) => e.agentId), [null]);
      assert.deepEqual(log.list({ agentId: a.id, action: 'x.two' }), []);
    });
  });

  describe('proposals repository', () => {
    it('inserts a PROPOSED proposal with every field and maps it back', () => {
      const a = seedAgent(db, { status: 'INTERN' });
      const p = insertProposal(db, deps.clock, deps.ids, {
        agentId: a.id,
        agentName: a.name,
        proposalType: 'TRAINING',
        title: 'Train',
        proposedBy: 'system',
        description: 'd',
        proposedAction: { type: 'canvas', canvas: 'chart' },
        reasoning: 'r',
        learningObjectives: ['o1'],
        capabilityGaps: ['g1'],
        trainingScenarioTemplate: 's',
        estimatedDurationHours: 6,
        durationEstimationConfidence: 0.4,
        durationEstimationReasoning: 'because',
        hoursPerDayLimit: 2,
      });
      assert.deepEqual(p, {
        id: 'proposal-1', agentId: a.id, agentName: a.name, proposalType: 'TRAINING', title: 'Train', description: 'd',
        proposedAction: { type: 'canvas', canvas: 'chart' }, reasoning: 'r', learningObjectives: ['o1'], capabilityGaps: ['g1'],
        trainingScenarioTemplate: 's', estimatedDurationHours: 6, durationEstimationConfidence: 0.4, durationEstimationReasoning: 'because',
        userOverrideDurationHours: null, hoursPerDayLimit: 2, status: 'PROPOSED', proposedBy: 'system', approvedBy: null, approvedAt: null,
        modifications: null, executionResult: null, completedAt: null, createdAt: '2026-01-01T09:00:00.000Z',
      });
      assert.deepEqual(getProposal(db, p.id), p);
      assert.equal(getProposal(db, 'missing'), undefined);
      refusedWith('NOT_FOUND', () => requireProposal(db, 'missing'));
    });

    it('refuses a proposal for an unknown agent (foreign key) and stores nothing', () => {
      const err = refusedWith('CONSTRAINT_FOREIGN_KEY', () => insertProposal(db, deps.clock, deps.ids, { agentId: 'ghost', agentName: 'g', proposalType: 'TRAINING', title: 't', proposedBy: 'x' }));
      assert.equal(err.details.table, 'agent_proposals');
      assert.equal(countRows(db, 'agent_proposals'), 0);
    });

    it('lists by agent, type and status', () => {
      const a = seedAgent(db, { status: 'INTERN' });
      const b = seedAgent(db, { status: 'INTERN' });
      const base = { agentName: 'n', title: 't', proposedBy: 'x' };
      const p1 = insertProposal(db, deps.clock, deps.ids, { ...base, agentId: a.id, proposalType: 'ACTION' });
      const p2 = insertProposal(db, deps.clock, deps.ids, { ...base, agentId: a.id, proposalType: 'TRAINING' });
      const p3 = insertProposal(db, deps.clock, deps.ids, { ...base, agentId: b.id, proposalType: 'ACTION' });
      updateProposalFields(db, p3.id, { status: 'REJECTED' });
      assert.deepEqual(listProposals(db).map((p) => p.id), [p1.id, p2.id, p3.id]);
      assert.deepEqual(listProposals(db, { agentId: a.id }).map((p) => p.id), [p1.id, p2.id]);
      assert.deepEqual(listProposals(db, { proposalType: 'ACTION' }).map((p) => p.id), [p1.id, p3.id]);
      assert.deepEqual(listProposals(db, { status: 'REJECTED' }).map((p) => p.id), [p3.id]);
    });

    it('updates fields (json encoded), guarded by the expected status', () => {
      const a = seedAgent(db, { status: 'INTERN' });
      const p = insertProposal(db, deps.clock, deps.ids, { agentId: a.id, agentName: a.name, proposalType: 'ACTION', title: 't', proposedBy: 'x' });
      const approved = updateProposalFields(db, p.id, { status: 'APPROVED', approvedBy: 'u', modifications: { note: 'smaller' }, executionResult: undefined }, 'PROPOSED');
      assert.deepEqual([approved.status, approved.approvedBy, approved.modifications, approved.executionResult], ['APPROVED', 'u', { note: 'smaller' }, null]);
      assert.equal(db.get<{ modifications: string }>('SELECT modifications FROM agent_proposals')!.modifications, '{"note":"smaller"}');
      const before = snapshotRows(db);
      const err = refusedWith('INVALID_STATUS', () => updateProposalFields(db, p.id, { status: 'EXECUTED' }, 'PROPOSED'));
      assert.match(err.message, /is APPROVED, expected PROPOSED/);
      assert.deepEqual(snapshotRows(db), before);
      assert.deepEqual(updateProposalFields(db, p.id, {}), approved);
      refusedWith('NOT_FOUND', () => updateProposalFields(db, 'missing', { status: 'CANCELLED' }));
    });
  });

  it('a repository built by hand sees a promotion made through another one (rule 1)', () => {
    const agent = seedAgent(db, { status: 'INTERN' });
    seedEpisodes(db, agent.id, 25, { interventions: 0, constitutionalScore: 0.9 });
    const other = new AgentRepository(db, deps.clock, sequentialIds(), deps.audit);
    assert.equal(other.require(agent.id).status, 'INTERN');
    deps.agents.promote(agent.id, 'SUPERVISED', { actor: 'g', reason: 'r' });
    assert.deepEqual([other.require(agent.id).status, other.require(agent.id).confidenceScore], ['SUPERVISED', 0.7]);
  });
});
