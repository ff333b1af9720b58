/**
 * "Rules that hold across services" (governance-domain.md, rules 1–7), tried through the public
 * exports only, with every service constructed separately over one real sql.js database (each
 * resolves its own repositories: nothing is shared but the database), and across save/reopen.
 * Expected values are literals from the spec.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AgentRepository,
  AuditLog,
  ConstitutionalValidator,
  GovernanceDatabase,
  GraduationService,
  ProposalService,
  StudentTrainingService,
  SupervisionService,
  TriggerInterceptor,
  insertProposal,
  uuidIds,
  type CanvasExecutor,
  type ExecutorOutput,
  type Json,
} from '../../../src/governance';
import { codeOf, codeOfAsync, fixedClock, freshDb, seedAgent, seedEpisodes, snapshotRows, type FixedClock } from '../fixtures';

const FORM: Json = { type: 'canvas', payload: { kind: 'form', fields: [{ name: 'amount' }] } };

/** Every service, each built on its own from `db` alone (plus the shared clock). */
function services(db: GovernanceDatabase, clock: FixedClock) {
  return {
    agents: new AgentRepository(db, clock, uuidIds, new AuditLog(db, clock, uuidIds)),
    audit: new AuditLog(db, clock, uuidIds),
    interceptor: new TriggerInterceptor({ db, clock }),
    proposals: new ProposalService({ db, clock }),
    training: new StudentTrainingService({ db, clock }),
    supervision: new SupervisionService({ db, clock }),
    graduation: new GraduationService({ db, clock }),
  };
}

/** A canvas executor whose calls wait for `release()`; counts calls. */
function gatedCanvas(): CanvasExecutor & { calls: number; release(): void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const executor = {
    calls: 0,
    release: () => open(),
    async present(): Promise<ExecutorOutput> {
      executor.calls++;
      await gate;
      return { shown: true };
    },
  };
  return executor;
}

describe('rules that hold across services (integration, public exports only)', () => {
  let db: GovernanceDatabase;
  let clock: FixedClock;
  let tmp: string | undefined;

  beforeEach(async () => {
    db = await freshDb();
    clock = fixedClock();
  });
  afterEach(() => {
    if (db.isOpen) db.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  async function saveAndReopen(): Promise<GovernanceDatabase> {
    tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'gov-rules-'));
    const file = path.join(tmp, 'governance.sqlite');
    db.save(file);
    db.close();
    db = await GovernanceDatabase.open(file);
    return db;
  }

  describe('rule 1: one truth for status', () => {
    it('a pause through one repository is seen on the next call of every separately built service, also after save/reopen', async () => {
      const s = services(db, clock);
      const agent = s.agents.insert({ name: 'Clerk', confidence: 0.6 });
      const routed = await s.interceptor.intercept(agent.id, 'DATA_SYNC', 'form.request', { action: FORM });
      s.proposals.approve(routed.proposalId!, 'lead');
      const pending = s.proposals.createActionProposal({ agentId: agent.id, title: 'pending', action: FORM, proposedBy: 'lead' });
      const admin = new AgentRepository(db, clock, uuidIds, new AuditLog(db, clock, uuidIds));
      admin.setStatus(agent.id, 'PAUSED', { actor: 'admin', reason: 'incident' });

      const check = async (t: ReturnType<typeof services>): Promise<void> => {
        assert.equal(await codeOfAsync(() => t.interceptor.intercept(agent.id, 'DATA_SYNC', 'x', { action: FORM })), 'AGENT_NOT_ROUTABLE');
        assert.equal(await codeOfAsync(() => t.proposals.execute(routed.proposalId!)), 'AGENT_NOT_ROUTABLE');
        assert.equal(codeOf(() => t.proposals.approve(pending.id, 'lead')), 'AGENT_NOT_ROUTABLE');
        assert.equal(codeOf(() => t.graduation.readiness(agent.id)), 'INVALID_STATUS');
        assert.equal(codeOf(() => t.supervision.startSession(agent.id)), 'INVALID_STATUS');
      };
      await check(s);
      const before = snapshotRows(db);
      await check(services(await saveAndReopen(), clock));
      assert.deepEqual(snapshotRows(db), before, 'the refusals wrote nothing');
    });

    it('a confidence change through the supervision service moves routing in an interceptor built before it', async () => {
      const s = services(db, clock);
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.72 });
      const first = await s.interceptor.intercept(agent.id, 'WORKFLOW_ENGINE', 'ticket.update');
      assert.equal(first.decision, 'SUPERVISE');
      new SupervisionService({ db, clock }).complete(first.supervisionSessionId!, { rating: 2 });
      const second = await s.interceptor.intercept(agent.id, 'WORKFLOW_ENGINE', 'ticket.update', { action: FORM });
      assert.deepEqual([second.decision, second.agentStatus, second.confidenceScore], ['PROPOSE', 'INTERN', 0.67]);
    });
  });

  describe('rule 2: levels are crossed upward only through the criteria', () => {
    it('promote refuses with CRITERIA_NOT_MET naming each unmet criterion, and changes nothing', () => {
      const agents = services(db, clock).agents;
      const agent = seedAgent(db, { status: 'INTERN', confidence: 0.69 });
      seedEpisodes(db, agent.id, 24, { interventions: 0, constitutionalScore: 0.9 });
      const before = snapshotRows(db);
      let err: unknown;
      try {
        agents.promote(agent.id, 'SUPERVISED', { actor: 'admin', reason: 'looks good' });
      } catch (e) {
        err = e;
      }
      assert.equal((err as { code: string }).code, 'CRITERIA_NOT_MET');
      assert.deepEqual((err as { details: unknown }).details, { agentId: agent.id, from: 'INTERN', to: 'SUPERVISED', unmetCriteria: ['needs 25 completed episodes, has 24'] });
      assert.deepEqual(snapshotRows(db), before);
      assert.equal(codeOf(() => agents.promote(agent.id, 'AUTONOMOUS', { actor: 'admin', reason: 'skip' })), 'INVALID_TRANSITION');
    });

    it('setStatus never moves a level upward; restoring a paused agent is capped by its confidence and lowers confidence to the level', () => {
      const agents = services(db, clock).agents;
      const intern = seedAgent(db, { status: 'INTERN', confidence: 0.6 });
      assert.equal(codeOf(() => agents.setStatus(intern.id, 'SUPERVISED', { actor: 'admin', reason: 'r' })), 'INVALID_TRANSITION');
      const paused = seedAgent(db, { status: 'PAUSED', confidence: 0.6 });
      assert.equal(codeOf(() => agents.setStatus(paused.id, 'SUPERVISED', { actor: 'admin', reason: 'r' })), 'INVALID_TRANSITION');
      const restored = agents.setStatus(paused.id, 'INTERN', { actor: 'admin', reason: 'incident closed' });
      assert.deepEqual([restored.status, restored.confidenceScore], ['INTERN', 0.6]);
      const auto = seedAgent(db, { status: 'AUTONOMOUS', confidence: 0.95 });
      const lowered = agents.setStatus(auto.id, 'INTERN', { actor: 'admin', reason: 'demoted by review' });
      assert.deepEqual([lowered.status, lowered.confidenceScore], ['INTERN', 0.699]);
      const student = agents.setStatus(auto.id, 'STUDENT', { actor: 'admin', reason: 'retrain' });
      assert.deepEqual([student.status, student.confidenceScore], ['STUDENT', 0.499]);
      const top = seedAgent(db, { status: 'PAUSED', confidence: 0.97 });
      const back = agents.setStatus(top.id, 'AUTONOMOUS', { actor: 'admin', reason: 'incident closed' });
      assert.deepEqual([back.status, back.confidenceScore], ['AUTONOMOUS', 0.97]);
    });

    it('a confidence gain spanning two levels climbs only as far as the criteria allow', () => {
      const agents = services(db, clock).agents;
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.3 });
      seedEpisodes(db, agent.id, 30, { interventions: 0, constitutionalScore: 0.9 });
      const change = agents.setConfidence(agent.id, 0.97, { actor: 'admin', reason: 'review' });
      assert.deepEqual([change.agent.status, change.agent.confidenceScore, change.withheldPromotion], ['SUPERVISED', 0.899, 'AUTONOMOUS']);
      assert.deepEqual(change.unmetCriteria, ['needs 50 completed episodes, has 30', 'constitutional score 0.90 is below 0.95']);
      const audit = new AuditLog(db, clock, uuidIds).list({ agentId: agent.id }).map((e) => [e.action, e.details]);
      assert.deepEqual(audit.map(([a]) => a), ['agent.confidence_changed', 'agent.promoted', 'agent.promotion_withheld']);
      assert.deepEqual(audit[1][1], { from: 'STUDENT', to: 'SUPERVISED', reason: 'review' });
    });
  });

  describe('rule 3: only INTERN or above may propose', () => {
    it('refuses an ACTION proposal for a STUDENT (INVALID_STATUS), PAUSED or DEPRECATED agent (AGENT_NOT_ROUTABLE), whoever asks, writing nothing', () => {
      const proposals = new ProposalService({ db, clock });
      const student = seedAgent(db, { status: 'STUDENT', confidence: 0.3 });
      const paused = seedAgent(db, { status: 'PAUSED' });
      const deprecated = seedAgent(db, { status: 'DEPRECATED' });
      const before = snapshotRows(db);
      let err: unknown;
      try {
        proposals.createActionProposal({ agentId: student.id, title: 't', action: FORM, proposedBy: 'lead' });
      } catch (e) {
        err = e;
      }
      assert.equal((err as { code: string }).code, 'INVALID_STATUS');
      assert.match((err as Error).message, /is a STUDENT; only INTERN or above may propose actions/);
      assert.equal(codeOf(() => proposals.createActionProposal({ agentId: paused.id, title: 't', action: FORM, proposedBy: 'lead' })), 'AGENT_NOT_ROUTABLE');
      assert.equal(codeOf(() => proposals.createActionProposal({ agentId: deprecated.id, title: 't', action: FORM, proposedBy: 'lead' })), 'AGENT_NOT_ROUTABLE');
      const raw = { agentName: 'n', proposalType: 'ACTION' as const, title: 't', proposedBy: 'x', proposedAction: FORM };
      assert.equal(codeOf(() => insertProposal(db, clock, uuidIds, { ...raw, agentId: student.id })), 'INVALID_STATUS');
      assert.equal(codeOf(() => insertProposal(db, clock, uuidIds, { ...raw, agentId: paused.id })), 'AGENT_NOT_ROUTABLE');
      assert.equal(codeOf(() => insertProposal(db, clock, uuidIds, { ...raw, agentId: 'ghost' })), 'AGENT_NOT_FOUND');
      assert.deepEqual(snapshotRows(db), before);
    });

    it('an ACTION proposal of an agent demoted to STUDENT can be neither approved nor executed, and no executor runs', async () => {
      let presented = 0;
      const proposals = new ProposalService({ db, clock, executors: { canvas: { present: async () => (presented++, { shown: true }) } } });
      const agent = seedAgent(db, { status: 'INTERN', confidence: 0.55 });
      const a = proposals.createActionProposal({ agentId: agent.id, title: 'a', action: FORM, proposedBy: 'lead' });
      const b = proposals.createActionProposal({ agentId: agent.id, title: 'b', action: FORM, proposedBy: 'lead' });
      proposals.approve(a.id, 'lead');
      new AgentRepository(db, clock, uuidIds, new AuditLog(db, clock, uuidIds)).adjustConfidence(agent.id, -0.1, { actor: 'supervisor', reason: 'errors' });
      const before = snapshotRows(db);
      assert.equal(codeOf(() => proposals.approve(b.id, 'lead')), 'INVALID_STATUS');
      assert.equal(await codeOfAsync(() => proposals.execute(a.id)), 'INVALID_STATUS');
      assert.deepEqual(snapshotRows(db), before);
      assert.equal(presented, 0);
    });
  });

  describe('rule 5: work leaves evidence, scored against the constitutional rules', () => {
    it('one episode per executed proposal (success and failure), completed supervision and completed training, each scored', async () => {
      const rules = new ConstitutionalValidator({ db });
      rules.addRule({ code: 'NO_SSN', description: 'never collect social security numbers', severity: 'high', pattern: 'ssn', predicate: null });
      const intern = seedAgent(db, { status: 'INTERN', confidence: 0.6 });
      let fail = true;
      const proposals = new ProposalService({ db, clock, executors: { canvas: { present: async () => { if (fail) throw new Error('editor closed'); return { shown: true }; } } } });
      const p = proposals.createActionProposal({ agentId: intern.id, title: 'ask', action: { type: 'canvas', payload: { kind: 'form', fields: [{ name: 'ssn' }] } }, proposedBy: 'lead' });
      proposals.approve(p.id, 'lead');
      assert.equal((await proposals.execute(p.id)).success, false);
      fail = false;
      assert.equal((await proposals.execute(p.id)).success, true);

      const supervised = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
      const supervision = new SupervisionService({ db, clock });
      const session = supervision.startSession(supervised.id);
      supervision.monitor(session.id, { action: { typed: 'hello' } });
      supervision.intervene(session.id, 'correct', 'greet properly');
      supervision.complete(session.id, { rating: 4 });
      const interrupted = supervision.startSession(supervised.id);
      supervision.interrupt(interrupted.id, 'shutdown');

      const student = seedAgent(db, { status: 'STUDENT', confidence: 0.2 });
      const interceptor = new TriggerInterceptor({ db, clock });
      const blocked = await interceptor.intercept(student.id, 'DATA_SYNC', 'crm.sync');
      const training = new StudentTrainingService({ db, clock });
      const { session: ts } = training.approveTrainingProposal(blocked.proposalId!, 'lead');
      training.startSession(ts.id);
      training.completeSession(ts.id, { performanceScore: 0.5, errorsCount: 2, supervisorFeedback: 'asked for the SSN again' });

      const episodes = db.all<Record<string, Json>>('SELECT agent_id, maturity_at_time, outcome, human_intervention_count, constitutional_score FROM agent_episodes ORDER BY rowid');
      assert.deepEqual(episodes, [
        { agent_id: intern.id, maturity_at_time: 'INTERN', outcome: 'failure', human_intervention_count: 0, constitutional_score: 0.65 },
        { agent_id: intern.id, maturity_at_time: 'INTERN', outcome: 'success', human_intervention_count: 0, constitutional_score: 0.65 },
        { agent_id: supervised.id, maturity_at_time: 'SUPERVISED', outcome: 'success', human_intervention_count: 1, constitutional_score: 1 },
        { agent_id: student.id, maturity_at_time: 'STUDENT', outcome: 'partial', human_intervention_count: 2, constitutional_score: 0.65 },
      ]);
    });
  });

  it('rule 5: a session completed after its agent was paused still leaves one episode, at the level its confidence implies; the agent stays PAUSED', () => {
    const supervision = new SupervisionService({ db, clock });
    const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
    const session = supervision.startSession(agent.id);
    new AgentRepository(db, clock, uuidIds, new AuditLog(db, clock, uuidIds)).setStatus(agent.id, 'PAUSED', { actor: 'admin', reason: 'incident' });
    const result = supervision.complete(session.id, { rating: 4 });
    assert.deepEqual([result.agent.status, result.agent.confidenceScore], ['PAUSED', 0.85]);
    assert.deepEqual(db.all('SELECT maturity_at_time, outcome FROM agent_episodes'), [{ maturity_at_time: 'SUPERVISED', outcome: 'success' }]);
  });

  describe('rule 6: missing evidence is not perfect evidence', () => {
    it('no scored episode: constitutional component 0 and its criterion unmet; interventions are a share of episodes', () => {
      const graduation = new GraduationService({ db, clock });
      const agent = seedAgent(db, { status: 'STUDENT' });
      seedEpisodes(db, agent.id, 8, { interventions: 0, constitutionalScore: null });
      seedEpisodes(db, agent.id, 2, { interventions: 3, constitutionalScore: null });
      const r = graduation.readiness(agent.id);
      assert.deepEqual(r.criteria, [
        { name: 'episodes', required: 10, actual: 10, met: true },
        { name: 'interventionRate', required: 0.5, actual: 0.2, met: true },
        { name: 'constitutionalScore', required: 0.7, actual: 0, met: false },
      ]);
      assert.deepEqual([r.constitutionalScore, r.interventionScore, r.episodesScore, r.score, r.ready], [0, 60, 100, 58, false]);
    });

    it('the constitutional component is the mean of the episodes that carry a score only', () => {
      const graduation = new GraduationService({ db, clock });
      const agent = seedAgent(db, { status: 'STUDENT' });
      seedEpisodes(db, agent.id, 6, { constitutionalScore: null });
      seedEpisodes(db, agent.id, 2, { constitutionalScore: 0.9 });
      seedEpisodes(db, agent.id, 2, { constitutionalScore: 0.5 });
      const r = graduation.readiness(agent.id);
      assert.deepEqual(r.criteria[2], { name: 'constitutionalScore', required: 0.7, actual: 0.7, met: true });
      assert.equal(r.score, 91);
    });

    it('an agent with no episodes at all scores 0 and fails every criterion', () => {
      const r = new GraduationService({ db, clock }).readiness(seedAgent(db, { status: 'INTERN' }).id);
      assert.deepEqual([r.score, r.failing.map((c) => c.name)], [0, ['episodes', 'interventionRate', 'constitutionalScore']]);
    });
  });

  describe('rule 7: exactly-once execution', () => {
    it('two ProposalService instances over one database never both run the executors', async () => {
      const agent = seedAgent(db, { status: 'INTERN' });
      const one = gatedCanvas();
      const two = gatedCanvas();
      const a = new ProposalService({ db, clock, executors: { canvas: one } });
      const b = new ProposalService({ db, clock, executors: { canvas: two } });
      const p = a.createActionProposal({ agentId: agent.id, title: 't', action: FORM, proposedBy: 'lead' });
      b.approve(p.id, 'lead');
      const first = a.execute(p.id);
      const second = b.execute(p.id);
      await assert.rejects(second, (err: { code: string; message: string }) => err.code === 'INVALID_STATUS' && /is EXECUTING; only APPROVED proposals can be executed/.test(err.message));
      assert.equal(b.get(p.id).status, 'EXECUTING');
      one.release();
      two.release();
      assert.equal((await first).success, true);
      assert.deepEqual([one.calls, two.calls], [1, 0]);
      assert.equal(b.get(p.id).status, 'EXECUTED');
      assert.equal(await codeOfAsync(() => b.execute(p.id)), 'INVALID_STATUS');
      assert.equal(db.all('SELECT id FROM agent_episodes').length, 1);
    });

    it('a failed attempt returns the proposal to APPROVED; another instance retries it once; a claim survives save/reopen', async () => {
      const agent = seedAgent(db, { status: 'INTERN' });
      const failing = new ProposalService({ db, clock, executors: { canvas: { present: async () => { throw new Error('editor closed'); } } } });
      const p = failing.createActionProposal({ agentId: agent.id, title: 't', action: FORM, proposedBy: 'lead' });
      failing.approve(p.id, 'lead');
      const failed = await failing.execute(p.id);
      assert.deepEqual([failed.success, failed.proposal.status, failed.result.attempt], [false, 'APPROVED', 1]);
      db.run("UPDATE agent_proposals SET status = 'EXECUTING' WHERE id = ?", [p.id]);
      const reopened = await saveAndReopen();
      const retry = new ProposalService({ db: reopened, clock });
      assert.equal(await codeOfAsync(() => retry.execute(p.id)), 'INVALID_STATUS');
      reopened.run("UPDATE agent_proposals SET status = 'APPROVED' WHERE id = ?", [p.id]);
      const done = await retry.execute(p.id);
      assert.deepEqual([done.success, done.proposal.status, done.result.attempt], [true, 'EXECUTED', 2]);
      assert.deepEqual(reopened.all('SELECT outcome FROM agent_episodes ORDER BY rowid'), [{ outcome: 'failure' }, { outcome: 'success' }]);
    });
  });

  it('journey: blocked STUDENT trains to INTERN, earns its 25 episodes by executed proposals, is paused midway (seen everywhere, also after save/reopen), passes its exam and is SUPERVISED', async () => {
    let s = services(db, clock);
    const student = s.agents.insert({ name: 'Buyer', confidence: 0.45 });

    // Training: each completed session leaves one episode; the boost is held below 0.5 until 10 episodes.
    const trainOnce = async (t: ReturnType<typeof services>) => {
      const blocked = await t.interceptor.intercept(student.id, 'DATA_SYNC', 'crm.sync');
      assert.equal(blocked.decision, 'BLOCK_AND_TRAIN');
      const { session } = t.training.approveTrainingProposal(blocked.proposalId!, 'lead');
      t.training.startSession(session.id);
      clock.advance(60_000);
      return t.training.completeSession(session.id, { performanceScore: 1 });
    };
    const firstTraining = await trainOnce(s);
    assert.deepEqual([firstTraining.promoted, firstTraining.agent.status, firstTraining.agent.confidenceScore], [false, 'STUDENT', 0.499]);
    assert.deepEqual(firstTraining.unmetCriteria, ['needs 10 completed episodes, has 1']);
    for (let i = 2; i <= 9; i++) assert.equal((await trainOnce(s)).promoted, false);
    const tenth = await trainOnce(s);
    assert.deepEqual([tenth.promoted, tenth.agent.status, tenth.agent.confidenceScore], [true, 'INTERN', 0.699]);

    // INTERN: trigger → proposal → approval → execution → episode, through separately built services.
    const workOnce = async (t: ReturnType<typeof services>) => {
      const routed = await t.interceptor.intercept(student.id, 'WORKFLOW_ENGINE', 'purchase.form', { action: FORM, actionComplexity: 2 });
      assert.equal(routed.decision, 'PROPOSE');
      const approvedBy = new ProposalService({ db, clock }).approve(routed.proposalId!, 'lead');
      assert.equal(approvedBy.approvedBy, 'lead');
      clock.advance(1000);
      const outcome = await t.proposals.execute(routed.proposalId!, { actor: 'lead' });
      assert.equal(outcome.success, true);
      return routed.proposalId!;
    };
    for (let i = 0; i < 7; i++) await workOnce(s);
    const midway = s.graduation.readiness(student.id);
    assert.deepEqual([midway.to, midway.ready, midway.failing.map((c) => [c.name, c.actual])], ['SUPERVISED', false, [['episodes', 17]]]);

    // Paused midway through another repository: every service refuses on its next call, also after save/reopen.
    const approvedBeforePause = s.proposals.createActionProposal({ agentId: student.id, title: 'queued', action: FORM, proposedBy: `agent:${student.id}` });
    s.proposals.approve(approvedBeforePause.id, 'lead');
    new AgentRepository(db, clock, uuidIds, new AuditLog(db, clock, uuidIds)).setStatus(student.id, 'PAUSED', { actor: 'admin', reason: 'audit' });
    assert.equal(await codeOfAsync(() => s.interceptor.intercept(student.id, 'WORKFLOW_ENGINE', 'purchase.form', { action: FORM })), 'AGENT_NOT_ROUTABLE');
    assert.equal(await codeOfAsync(() => s.proposals.execute(approvedBeforePause.id)), 'AGENT_NOT_ROUTABLE');
    assert.equal(codeOf(() => s.graduation.readiness(student.id)), 'INVALID_STATUS');
    s = services(await saveAndReopen(), clock);
    assert.equal(await codeOfAsync(() => s.interceptor.intercept(student.id, 'WORKFLOW_ENGINE', 'purchase.form', { action: FORM })), 'AGENT_NOT_ROUTABLE');
    assert.equal(await codeOfAsync(() => s.graduation.runExam(student.id, 'SUPERVISED')), 'INVALID_STATUS');
    s.agents.setStatus(student.id, 'INTERN', { actor: 'admin', reason: 'audit closed' });

    // Back at work on the reopened database: the queued proposal and 7 more reach 25 episodes.
    assert.equal((await s.proposals.execute(approvedBeforePause.id)).success, true);
    for (let i = 0; i < 7; i++) await workOnce(s);
    const ready = s.graduation.readiness(student.id);
    assert.deepEqual([ready.ready, ready.score, ready.criteria.map((c) => c.actual)], [true, 100, [25, 0, 1]]);

    const exam = await s.graduation.runExam(student.id, 'SUPERVISED', { actor: 'examiner' });
    assert.equal(exam.passed, true);
    const fresh = services(db, clock);
    assert.deepEqual([fresh.agents.require(student.id).status, fresh.agents.require(student.id).confidenceScore], ['SUPERVISED', 0.7]);
    assert.equal((await s.interceptor.intercept(student.id, 'WORKFLOW_ENGINE', 'purchase.form', { actionComplexity: 3 })).decision, 'SUPERVISE');
    const promotions = fresh.audit.list({ agentId: student.id, action: 'agent.promoted' }).map((e) => [e.actor, e.details]);
    assert.deepEqual(promotions, [
      ['system:student-training', { from: 'STUDENT', to: 'INTERN', reason: `training session ${tenth.session.id} completed` }],
      ['examiner', { from: 'INTERN', to: 'SUPERVISED', reason: `passed graduation exam ${exam.id}` }],
    ]);
    assert.deepEqual(
      fresh.audit.list({ agentId: student.id, action: 'agent.status_changed' }).map((e) => [e.actor, e.details]),
      [['admin', { from: 'INTERN', to: 'PAUSED', reason: 'audit' }], ['admin', { from: 'PAUSED', to: 'INTERN', reason: 'audit closed' }]],
    );
    assert.deepEqual(
      db.all('SELECT maturity_at_time, COUNT(*) AS n FROM agent_episodes GROUP BY maturity_at_time ORDER BY maturity_at_time'),
      [{ maturity_at_time: 'INTERN', n: 15 }, { maturity_at_time: 'STUDENT', n: 10 }],
    );
  });
});
