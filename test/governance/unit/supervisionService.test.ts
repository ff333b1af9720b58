import { strict as assert } from 'node:assert';
import {
  INTERVENTION_PENALTY,
  RATING_BOOST,
  TERMINATION_PENALTY,
  SupervisionService,
  type GovernanceDatabase,
  type InterventionType,
} from '../../../src/governance';
import { countRows, freshDb, refusedWith, seedAgent, seedEpisodes, seedRule, seedUser, seedWorkspace, snapshotRows, testDeps } from '../fixtures';

describe('SupervisionService', () => {
  let db: GovernanceDatabase;
  let deps: ReturnType<typeof testDeps>;
  let supervision: SupervisionService;
  let supervisor: string;

  beforeEach(async () => {
    db = await freshDb();
    deps = testDeps(db);
    supervision = new SupervisionService(deps);
    supervisor = seedUser(db, { role: 'WORKSPACE_ADMIN' });
  });

  describe('start', () => {
    it('starts a RUNNING session for a SUPERVISED agent with its trigger and workspace', () => {
      const ws = seedWorkspace(db);
      const agent = seedAgent(db, { status: 'SUPERVISED', workspaceId: ws, name: 'Invoicer' });
      const session = supervision.startSession(agent.id, { triggerId: 'trigger-9', triggerContext: { invoice: 12 }, supervisorId: supervisor });
      assert.deepEqual(session, {
        id: 'supervision-1',
        agentId: agent.id,
        agentName: 'Invoicer',
        workspaceId: ws,
        triggerId: 'trigger-9',
        triggerContext: { invoice: 12 },
        status: 'RUNNING',
        supervisorId: supervisor,
        startedAt: '2026-01-01T09:00:00.000Z',
        completedAt: null,
        durationSeconds: null,
        interventionCount: 0,
        interventions: [],
        agentActions: [],
        outcomes: [],
        supervisorRating: null,
        supervisorFeedback: null,
        confidenceBoost: null,
      });
      assert.deepEqual(deps.audit.list({ action: 'supervision.started' }).map((e) => e.actor), [supervisor]);
    });

    it('starts with defaults when no options are given', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED' });
      const session = supervision.startSession(agent.id);
      assert.deepEqual([session.triggerId, session.triggerContext, session.supervisorId], [null, {}, null]);
      assert.equal(deps.audit.list({ action: 'supervision.started' })[0].actor, 'system:supervision');
    });

    for (const status of ['STUDENT', 'INTERN', 'AUTONOMOUS', 'PAUSED'] as const) {
      it(`refuses a ${status} agent and creates nothing`, () => {
        const agent = seedAgent(db, { status });
        const before = snapshotRows(db);
        assert.match(refusedWith('INVALID_STATUS', () => supervision.startSession(agent.id)).message, new RegExp(`is ${status}; only SUPERVISED`));
        assert.deepEqual(snapshotRows(db), before);
      });
    }

    it('refuses an unknown agent', () => {
      refusedWith('AGENT_NOT_FOUND', () => supervision.startSession('ghost'));
      assert.equal(countRows(db, 'supervision_sessions'), 0);
    });
  });

  describe('monitor', () => {
    it('appends agent actions and outcomes in order while RUNNING', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED' });
      const { id } = supervision.startSession(agent.id);
      supervision.monitor(id, { action: { step: 'open invoice' } });
      supervision.monitor(id, { action: { step: 'update total' }, outcome: { total: 120 } });
      const session = supervision.monitor(id, { outcome: 'saved' });
      assert.deepEqual(session.agentActions, [{ step: 'open invoice' }, { step: 'update total' }]);
      assert.deepEqual(session.outcomes, [{ total: 120 }, 'saved']);
      assert.equal(deps.audit.list({ action: 'supervision.action' }).length, 3);
    });

    it('refuses an empty entry, a paused session and an unknown session, changing nothing', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED' });
      const { id } = supervision.startSession(agent.id);
      refusedWith('INVALID_ARGUMENT', () => supervision.monitor(id, {}));
      supervision.intervene(id, 'pause', 'hold on');
      const before = snapshotRows(db);
      assert.match(refusedWith('INVALID_TRANSITION', () => supervision.monitor(id, { action: 'x' })).message, /is PAUSED; cannot record agent activity \(allowed only when RUNNING\)/);
      refusedWith('NOT_FOUND', () => supervision.monitor('missing', { action: 'x' }));
      assert.deepEqual(snapshotRows(db), before);
    });
  });

  describe('interventions', () => {
    it('pause moves RUNNING → PAUSED, resume back to RUNNING, and each intervention counts', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED' });
      const { id } = supervision.startSession(agent.id);
      deps.clock.advance(60_000);
      const paused = supervision.intervene(id, 'pause', 'check the amount first', supervisor);
      assert.equal(paused.status, 'PAUSED');
      assert.equal(paused.interventionCount, 1);
      assert.deepEqual(paused.interventions, [{ type: 'pause', timestamp: '2026-01-01T09:01:00.000Z', guidance: 'check the amount first', supervisorId: supervisor }]);
      const resumed = supervision.resume(id, supervisor);
      assert.equal(resumed.status, 'RUNNING');
      assert.equal(resumed.interventionCount, 1);
      refusedWith('INVALID_TRANSITION', () => supervision.resume(id));
      assert.deepEqual(deps.audit.list({ action: 'supervision.resumed' }).map((e) => e.actor), [supervisor]);
    });

    it('correct records guidance and stays RUNNING; it is refused on a paused session', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED' });
      const { id } = supervision.startSession(agent.id);
      const corrected = supervision.intervene(id, 'correct', 'use the net amount');
      assert.equal(corrected.status, 'RUNNING');
      assert.equal(corrected.interventions[0].supervisorId, null);
      supervision.intervene(id, 'pause', 'wait');
      const before = snapshotRows(db);
      refusedWith('INVALID_TRANSITION', () => supervision.intervene(id, 'correct', 'x'));
      refusedWith('INVALID_TRANSITION', () => supervision.intervene(id, 'pause', 'x'));
      assert.deepEqual(snapshotRows(db), before);
      assert.equal(supervision.resume(id).status, 'RUNNING');
      assert.equal(deps.audit.list({ action: 'supervision.resumed' })[0].actor, 'supervisor');
    });

    it('terminate ends a PAUSED session: −0.1 confidence, failure episode with every intervention', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.75 });
      const { id } = supervision.startSession(agent.id);
      supervision.intervene(id, 'correct', 'a');
      supervision.intervene(id, 'pause', 'b');
      deps.clock.advance(90_000);
      const terminated = supervision.intervene(id, 'terminate', 'unsafe', supervisor);
      assert.equal(terminated.status, 'TERMINATED');
      assert.equal(terminated.interventionCount, 3);
      assert.equal(terminated.completedAt, '2026-01-01T09:01:30.000Z');
      assert.equal(terminated.durationSeconds, 90);
      assert.equal(terminated.confidenceBoost, -0.1);
      assert.equal(TERMINATION_PENALTY, -0.1);
      const stored = deps.agents.require(agent.id);
      assert.equal(stored.confidenceScore, 0.65);
      assert.equal(stored.status, 'INTERN', 'status follows confidence down');
      const episode = db.get<Record<string, unknown>>('SELECT * FROM agent_episodes')!;
      assert.deepEqual([episode.outcome, episode.human_intervention_count, episode.maturity_at_time], ['failure', 3, 'SUPERVISED']);
      assert.deepEqual(deps.audit.list({ agentId: agent.id, action: 'agent.demoted' }).map((e) => (e.details as Record<string, string>).to), ['INTERN']);
      refusedWith('INVALID_TRANSITION', () => supervision.intervene(id, 'terminate', 'again'));
    });

    it('refuses an unknown intervention type and changes nothing', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED' });
      const { id } = supervision.startSession(agent.id);
      const before = snapshotRows(db);
      assert.match(refusedWith('INVALID_ARGUMENT', () => supervision.intervene(id, 'shout' as InterventionType, 'x')).message, /use one of pause, correct, terminate/);
      assert.deepEqual(snapshotRows(db), before);
    });
  });

  describe('completion', () => {
    it('maps every rating to the spec\'s boost when there were no interventions: 1 → −0.1, 2 → −0.05, 3 → 0, 4 → +0.05, 5 → +0.1', () => {
      const seen: Array<[number, number, number, string]> = [];
      for (const rating of [1, 2, 3, 4, 5] as const) {
        const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
        const { id } = supervision.startSession(agent.id);
        const result = supervision.complete(id, { rating, feedback: `rated ${rating}` });
        seen.push([rating, result.confidenceBoost, result.agent.confidenceScore, result.agent.status]);
        assert.equal(result.session.supervisorRating, rating);
        assert.equal(result.session.supervisorFeedback, `rated ${rating}`);
      }
      assert.deepEqual(seen, [
        [1, -0.1, 0.7, 'SUPERVISED'],
        [2, -0.05, 0.75, 'SUPERVISED'],
        [3, 0, 0.8, 'SUPERVISED'],
        [4, 0.05, 0.85, 'SUPERVISED'],
        [5, 0.1, 0.899, 'SUPERVISED'],
      ], 'a 5 would reach 0.9, but one episode does not meet SUPERVISED → AUTONOMOUS: confidence stops at 0.899');
      assert.deepEqual(RATING_BOOST, { 1: -0.1, 2: -0.05, 3: 0, 4: 0.05, 5: 0.1 });
      assert.deepEqual(db.all<{ outcome: string }>('SELECT outcome FROM agent_episodes ORDER BY rowid').map((r) => r.outcome), ['failure', 'failure', 'partial', 'success', 'success']);
    });

    it('the worst rating demotes at once when it takes confidence below the SUPERVISED floor', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.75 });
      const { id } = supervision.startSession(agent.id);
      const result = supervision.complete(id, { rating: 1 });
      assert.deepEqual([result.confidenceBoost, result.agent.confidenceScore, result.agent.status, result.statusChanged], [-0.1, 0.65, 'INTERN', true]);
      const [demoted] = deps.audit.list({ action: 'agent.demoted' });
      assert.deepEqual([demoted.actor, demoted.details], ['supervisor', { from: 'SUPERVISED', to: 'INTERN', reason: `supervision session ${id} rated 1` }]);
    });

    it('ratings alone never make AUTONOMOUS: two sessions with an intervention each stop at 0.899 with the unmet criteria (rule 2)', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.85 });
      let result!: ReturnType<SupervisionService['complete']>;
      for (const guidance of ['a', 'b']) {
        const { id } = supervision.startSession(agent.id, { supervisorId: supervisor });
        supervision.intervene(id, 'correct', guidance);
        deps.clock.advance(30_000);
        result = supervision.complete(id, { rating: 5, feedback: 'great', supervisorId: supervisor });
      }
      assert.equal(result.confidenceBoost, 0.09);
      assert.deepEqual([result.agent.status, result.agent.confidenceScore, result.statusChanged], ['SUPERVISED', 0.899, false]);
      const unmet = ['needs 50 completed episodes, has 2', 'intervention rate 100% exceeds the maximum 0%'];
      assert.deepEqual(result.unmetCriteria, unmet);
      const withheld = deps.audit.list({ action: 'agent.promotion_withheld' });
      assert.equal(withheld.length, 2);
      assert.deepEqual([withheld[1].actor, withheld[1].details], [supervisor, { from: 'SUPERVISED', to: 'AUTONOMOUS', requested: 0.989, confidence: 0.899, unmetCriteria: unmet, reason: `supervision session ${result.session.id} rated 5` }]);
      assert.equal(deps.audit.list({ action: 'agent.promoted' }).length, 0);
      assert.deepEqual(deps.agents.episodeStats(agent.id), { episodeCount: 2, totalInterventions: 2, episodesWithIntervention: 2, interventionRate: 1, scoredEpisodes: 2, constitutionalScore: 1 });
    });

    it('reduces the boost by 0.01 per intervention and promotes to AUTONOMOUS when the criteria hold', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.85 });
      seedEpisodes(db, agent.id, 49, { interventions: 0, constitutionalScore: 1, maturity: 'SUPERVISED' });
      const { id } = supervision.startSession(agent.id, { supervisorId: supervisor });
      deps.clock.advance(30_000);
      const result = supervision.complete(id, { rating: 5, feedback: 'great', supervisorId: supervisor });
      assert.deepEqual([result.confidenceBoost, result.agent.status, result.agent.confidenceScore, result.statusChanged, result.unmetCriteria], [0.1, 'AUTONOMOUS', 0.95, true, []]);
      assert.equal(result.session.status, 'COMPLETED');
      assert.equal(result.session.durationSeconds, 30);
      assert.equal(result.session.confidenceBoost, 0.1);
      assert.equal(db.get<{ n: number }>('SELECT COUNT(*) AS n FROM agent_episodes WHERE id = ?', [result.episodeId])!.n, 1);
      assert.deepEqual(deps.audit.list({ action: 'supervision.completed' }).map((e) => e.actor), [supervisor]);
      const other = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
      const s2 = supervision.startSession(other.id);
      supervision.intervene(s2.id, 'correct', 'a');
      supervision.intervene(s2.id, 'correct', 'b');
      supervision.intervene(s2.id, 'correct', 'c');
      assert.equal(supervision.complete(s2.id, { rating: 4 }).confidenceBoost, 0.02);
      assert.equal(deps.agents.require(other.id).confidenceScore, 0.82);
    });

    it('refuses to complete a PAUSED session or with an invalid rating, changing nothing', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
      const { id } = supervision.startSession(agent.id);
      for (const rating of [0, 6, 3.5, Number.NaN]) refusedWith('INVALID_ARGUMENT', () => supervision.complete(id, { rating }));
      supervision.intervene(id, 'pause', 'p');
      const before = snapshotRows(db);
      assert.match(refusedWith('INVALID_TRANSITION', () => supervision.complete(id, { rating: 5 })).message, /is PAUSED; cannot complete/);
      assert.deepEqual(snapshotRows(db), before);
      assert.equal(deps.agents.require(agent.id).confidenceScore, 0.8);
    });
  });

  describe('interrupt and listing', () => {
    it('interrupts RUNNING or PAUSED sessions without touching confidence or episodes', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
      const a = supervision.startSession(agent.id);
      const b = supervision.startSession(agent.id);
      supervision.intervene(b.id, 'pause', 'p');
      deps.clock.advance(10_000);
      const ia = supervision.interrupt(a.id, 'agent paused by admin');
      assert.deepEqual([ia.status, ia.durationSeconds, ia.supervisorFeedback], ['INTERRUPTED', 10, 'agent paused by admin']);
      assert.equal(supervision.interrupt(b.id, 'shutdown').status, 'INTERRUPTED');
      refusedWith('INVALID_TRANSITION', () => supervision.interrupt(a.id, 'again'));
      assert.equal(countRows(db, 'agent_episodes'), 0);
      assert.equal(deps.agents.require(agent.id).confidenceScore, 0.8);
      assert.equal(deps.audit.list({ action: 'supervision.interrupted' }).length, 2);
    });

    it('lists sessions by agent and status', () => {
      const one = seedAgent(db, { status: 'SUPERVISED' });
      const two = seedAgent(db, { status: 'SUPERVISED' });
      const s1 = supervision.startSession(one.id);
      const s2 = supervision.startSession(two.id);
      supervision.complete(s2.id, { rating: 3 });
      assert.deepEqual(supervision.listSessions().map((s) => s.id), [s1.id, s2.id]);
      assert.deepEqual(supervision.listSessions({ agentId: one.id }).map((s) => s.id), [s1.id]);
      assert.deepEqual(supervision.listSessions({ status: 'COMPLETED' }).map((s) => s.id), [s2.id]);
      assert.deepEqual(supervision.listSessions({ agentId: one.id, status: 'COMPLETED' }), []);
      refusedWith('NOT_FOUND', () => supervision.requireSession('missing'));
    });
  });

  describe('audit trail, refusal messages and episode evidence (spec literals)', () => {
    it('audits start, activity, interventions, resume, completion and interruption with actor and details', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
      const a = supervision.startSession(agent.id, { triggerId: 'trigger-7' });
      supervision.monitor(a.id, { action: { click: '#save' }, outcome: 'saved' });
      supervision.intervene(a.id, 'pause', 'hold');
      supervision.resume(a.id);
      supervision.intervene(a.id, 'correct', 'use net', supervisor);
      const done = supervision.complete(a.id, { rating: 3 });
      const b = supervision.startSession(agent.id);
      supervision.interrupt(b.id, 'agent paused by admin');
      const trail = deps.audit.list({ agentId: agent.id }).filter((e) => e.action.startsWith('supervision.')).map((e) => [e.action, e.actor, e.details]);
      assert.deepEqual(trail, [
        ['supervision.started', 'system:supervision', { sessionId: a.id, triggerId: 'trigger-7' }],
        ['supervision.action', `agent:${agent.id}`, { sessionId: a.id, action: { click: '#save' }, outcome: 'saved' }],
        ['supervision.intervention', 'supervisor', { sessionId: a.id, type: 'pause', guidance: 'hold' }],
        ['supervision.resumed', 'supervisor', { sessionId: a.id }],
        ['supervision.intervention', supervisor, { sessionId: a.id, type: 'correct', guidance: 'use net' }],
        ['supervision.completed', 'supervisor', { sessionId: a.id, status: 'COMPLETED', confidenceBoost: -0.02, outcome: 'partial', episodeId: done.episodeId }],
        ['supervision.started', 'system:supervision', { sessionId: b.id }],
        ['supervision.interrupted', 'system:supervision', { sessionId: b.id, reason: 'agent paused by admin' }],
      ]);
      const [change] = deps.audit.list({ action: 'agent.confidence_changed' });
      assert.deepEqual([change.actor, change.details], ['supervisor', { from: 0.8, to: 0.78, reason: `supervision session ${a.id} rated 3` }]);
    });

    it('terminates a RUNNING session too, with the termination reason on the confidence change', () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.85 });
      const { id } = supervision.startSession(agent.id);
      assert.equal(supervision.intervene(id, 'terminate', 'unsafe').status, 'TERMINATED');
      const [change] = deps.audit.list({ action: 'agent.confidence_changed' });
      assert.deepEqual([change.actor, change.details], ['supervisor', { from: 0.85, to: 0.75, reason: `supervision session ${id} terminated` }]);
      assert.deepEqual((deps.audit.list({ action: 'supervision.completed' })[0].details as { status: string; outcome: string }).status, 'TERMINATED');
      const err = refusedWith('INVALID_TRANSITION', () => supervision.intervene(id, 'terminate', 'again'));
      assert.equal(err.message, `Supervision session "${id}" is TERMINATED; cannot terminate (allowed only when RUNNING or PAUSED).`);
      assert.deepEqual(err.details, { sessionId: id, status: 'TERMINATED' });
    });

    it('refuses with messages and details that name the session, the agent and what was wrong', () => {
      const student = seedAgent(db, { status: 'STUDENT', name: 'Learner' });
      const start = refusedWith('INVALID_STATUS', () => supervision.startSession(student.id));
      assert.deepEqual([start.message, start.details], ['Agent "Learner" is STUDENT; only SUPERVISED agents run under supervision sessions.', { agentId: student.id, status: 'STUDENT' }]);
      const agent = seedAgent(db, { status: 'SUPERVISED' });
      const { id } = supervision.startSession(agent.id);
      const empty = refusedWith('INVALID_ARGUMENT', () => supervision.monitor(id, {}));
      assert.deepEqual([empty.message, empty.details], ['monitor() needs an action or an outcome to record.', { sessionId: id }]);
      const shout = refusedWith('INVALID_ARGUMENT', () => supervision.intervene(id, 'shout' as InterventionType, 'x'));
      assert.deepEqual(shout.details, { sessionId: id });
      const rating = refusedWith('INVALID_ARGUMENT', () => supervision.complete(id, { rating: 7 }));
      assert.deepEqual([rating.message, rating.details], ['Supervisor rating must be an integer from 1 to 5, got 7.', { sessionId: id }]);
      const resume = refusedWith('INVALID_TRANSITION', () => supervision.resume(id));
      assert.equal(resume.message, `Supervision session "${id}" is RUNNING; cannot resume (allowed only when PAUSED).`);
      supervision.complete(id, { rating: 4 });
      const interrupt = refusedWith('INVALID_TRANSITION', () => supervision.interrupt(id, 'late'));
      assert.equal(interrupt.message, `Supervision session "${id}" is COMPLETED; cannot interrupt (allowed only when RUNNING or PAUSED).`);
      const missing = refusedWith('NOT_FOUND', () => supervision.requireSession('missing'));
      assert.deepEqual([missing.message, missing.details], ['No supervision session with id "missing".', { sessionId: 'missing' }]);
    });

    it('scores the session episode against the constitutional rules on its trigger, actions and outcomes', () => {
      seedRule(db, { code: 'NO_DELETE', severity: 'high', pattern: 'drop table' });
      const score = (entry: { action?: string; outcome?: string; triggerContext?: Record<string, string> }): number => {
        const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
        const { id } = supervision.startSession(agent.id, { triggerContext: entry.triggerContext });
        if (entry.action !== undefined || entry.outcome !== undefined) supervision.monitor(id, { action: entry.action, outcome: entry.outcome });
        const { episodeId } = supervision.complete(id, { rating: 4 });
        return db.get<{ constitutional_score: number }>('SELECT constitutional_score FROM agent_episodes WHERE id = ?', [episodeId])!.constitutional_score;
      };
      assert.deepEqual(
        [score({ action: 'DROP TABLE invoices' }), score({ outcome: 'ran drop table' }), score({ triggerContext: { sql: 'drop table x' } }), score({ action: 'select 1' })],
        [0.65, 0.65, 0.65, 1],
      );
    });
  });
});
