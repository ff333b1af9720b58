import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  GovernanceError,
  ProposalService,
  StudentTrainingService,
  SupervisionService,
  TRIGGER_SOURCES,
  TriggerInterceptor,
  resolveDeps,
  routeByMaturity,
  type GovernanceDatabase,
  type Json,
  type TriggerExecutor,
  type TriggerSource,
} from '../../../src/governance';
import { allRows, countRows, freshDb, seedAgent, seedEpisodes, seedRule, snapshotRows, testDeps } from '../fixtures';

function codeOf(err: unknown): string {
  assert.ok(err instanceof GovernanceError, `expected a GovernanceError, got ${String(err)}`);
  return err.code;
}

async function refusal(p: Promise<unknown>): Promise<GovernanceError> {
  let caught: unknown;
  await p.then(
    () => assert.fail('expected a refusal'),
    (err: unknown) => {
      caught = err;
    },
  );
  codeOf(caught);
  return caught as GovernanceError;
}

/** A recording executor: returns what it was asked, or fails on demand. */
function recordingExecutor(fail?: unknown): TriggerExecutor & { calls: Array<{ triggerType: string; context: Record<string, Json> }> } {
  const calls: Array<{ triggerType: string; context: Record<string, Json> }> = [];
  return {
    calls,
    async execute(req) {
      calls.push({ triggerType: req.triggerType, context: req.context });
      if (fail !== undefined) throw fail;
      return { done: req.triggerType, by: req.agent.id };
    },
  };
}

/** A valid action a proposal can carry (the spec's canvas form). */
const FORM = { type: 'canvas', payload: { kind: 'form', fields: [{ name: 'email' }] } };

describe('TriggerInterceptor', () => {
  let db: GovernanceDatabase;
  let deps: ReturnType<typeof testDeps>;

  beforeEach(async () => {
    db = await freshDb();
    deps = testDeps(db);
  });

  describe('routing by maturity', () => {
    it('blocks a STUDENT agent, records a blocked-trigger context and a TRAINING proposal', async () => {
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.3, name: 'Reporter' });
      const interceptor = new TriggerInterceptor(deps);
      const result = await interceptor.intercept(agent.id, 'DATA_SYNC', 'crm.sync', { requiredCapabilities: ['crm.read'] });

      assert.equal(result.decision, 'BLOCK_AND_TRAIN');
      assert.equal(result.agentStatus, 'STUDENT');
      assert.equal(result.maturityMismatch, false);
      assert.equal(result.execution, undefined);
      const [blocked] = allRows<Record<string, unknown>>(db, 'blocked_trigger_contexts');
      assert.equal(blocked.id, result.blockedTriggerId);
      assert.equal(blocked.agent_maturity_at_block, 'STUDENT');
      assert.equal(blocked.confidence_score_at_block, 0.3);
      assert.equal(blocked.trigger_source, 'DATA_SYNC');
      assert.equal(blocked.routing_decision, 'BLOCK_AND_TRAIN');
      assert.equal(blocked.proposal_id, result.proposalId);
      assert.equal(blocked.resolved, 0);
      assert.deepEqual(JSON.parse(blocked.trigger_context as string), { requiredCapabilities: ['crm.read'] });
      const [proposal] = allRows<Record<string, unknown>>(db, 'agent_proposals');
      assert.equal(proposal.proposal_type, 'TRAINING');
      assert.equal(proposal.status, 'PROPOSED');
      assert.deepEqual(JSON.parse(proposal.capability_gaps as string), ['handling crm.sync triggers', 'crm.read']);
      const actions = deps.audit.list({ agentId: agent.id }).map((e) => e.action);
      assert.deepEqual(actions, ['proposal.created', 'trigger.blocked']);
    });

    it('turns an INTERN agent\'s trigger into a PROPOSED ACTION proposal carrying the action', async () => {
      const agent = seedAgent(db, { status: 'INTERN', confidence: 0.6 });
      const action = FORM;
      const result = await new TriggerInterceptor(deps).intercept(agent.id, 'WORKFLOW_ENGINE', 'form.request', { action, actionComplexity: 2 });

      assert.equal(result.decision, 'PROPOSE');
      assert.match(result.reason, /human approval/);
      const [proposal] = allRows<Record<string, unknown>>(db, 'agent_proposals');
      assert.equal(proposal.id, result.proposalId);
      assert.equal(proposal.proposal_type, 'ACTION');
      assert.equal(proposal.status, 'PROPOSED');
      assert.equal(proposal.proposed_by, `agent:${agent.id}`);
      assert.deepEqual(JSON.parse(proposal.proposed_action as string), action);
      assert.equal(countRows(db, 'blocked_trigger_contexts'), 0);
      assert.equal(countRows(db, 'supervision_sessions'), 0);
      assert.deepEqual(deps.audit.list({ action: 'trigger.proposed' }).map((e) => (e.details as Record<string, Json>).proposalId), [result.proposalId]);
    });

    it('refuses an INTERN trigger without an action, naming context.action, and writes nothing (rule 4)', async () => {
      const agent = seedAgent(db, { status: 'INTERN' });
      const before = snapshotRows(db);
      const err = await refusal(new TriggerInterceptor(deps).intercept(agent.id, 'AI_COORDINATOR', 'summarise', { doc: 'd1' }));
      assert.equal(err.code, 'INVALID_PAYLOAD');
      assert.deepEqual(err.details, { missing: 'context.action' });
      assert.match(err.message, /context has no action: set context\.action/);
      assert.deepEqual(snapshotRows(db), before);
    });

    it('refuses an INTERN trigger whose action approval would refuse, with approval\'s code and path, writing nothing (rule 4)', async () => {
      const agent = seedAgent(db, { status: 'INTERN', confidence: 0.95 });
      const before = snapshotRows(db);
      const bad = await refusal(new TriggerInterceptor(deps).intercept(agent.id, 'MANUAL', 'form', { action: { type: 'canvas', payload: { kind: 'form', fields: [] } } }));
      assert.equal(bad.code, 'INVALID_PAYLOAD');
      assert.match(bad.message, /proposed_action\.payload\.fields: expected a non-empty array/);
      const unknown = await refusal(new TriggerInterceptor(deps).intercept(agent.id, 'MANUAL', 'x', { action: { type: 'teleport', payload: {} } }));
      assert.equal(unknown.code, 'UNKNOWN_ACTION_TYPE');
      const nullAction = await refusal(new TriggerInterceptor(deps).intercept(agent.id, 'MANUAL', 'x', { action: null }));
      assert.deepEqual(nullAction.details, { missing: 'context.action' });
      assert.deepEqual(snapshotRows(db), before, 'not even the maturity mismatch is audited');
    });

    it('honours the injected proposal service\'s deep-link allowlist when validating the action', async () => {
      const agent = seedAgent(db, { status: 'INTERN' });
      const proposals = new ProposalService({ ...deps, deepLinkResources: ['report'] });
      const interceptor = new TriggerInterceptor({ ...deps, proposals });
      const err = await refusal(interceptor.intercept(agent.id, 'MANUAL', 'open', { action: { type: 'deep_link', payload: { url: 'atom://agent/a1' } } }));
      assert.match(err.message, /resource type "agent" is not allowed \(allowed: report\)/);
      const ok = await interceptor.intercept(agent.id, 'MANUAL', 'open', { action: { type: 'deep_link', payload: { url: 'atom://report/r1' } } });
      assert.equal(proposals.approve(ok.proposalId!, 'lead').status, 'APPROVED');
    });

    it('runs a SUPERVISED agent\'s trigger under a RUNNING supervision session', async () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.8 });
      const result = await new TriggerInterceptor(deps).intercept(agent.id, 'DATA_SYNC', 'invoice.update', { actionComplexity: 3 });

      assert.equal(result.decision, 'SUPERVISE');
      const [session] = allRows<Record<string, unknown>>(db, 'supervision_sessions');
      assert.equal(session.id, result.supervisionSessionId);
      assert.equal(session.status, 'RUNNING');
      assert.equal(session.trigger_id, result.triggerId);
      assert.deepEqual(JSON.parse(session.trigger_context as string), { source: 'DATA_SYNC', triggerType: 'invoice.update', actionComplexity: 3 });
      assert.equal(countRows(db, 'agent_proposals'), 0);
      assert.equal(deps.audit.list({ action: 'trigger.supervised' }).length, 1);
    });

    it('turns a SUPERVISED agent\'s critical (complexity 4) action into a proposal instead of running it', async () => {
      const agent = seedAgent(db, { status: 'SUPERVISED' });
      const result = await new TriggerInterceptor(deps).intercept(agent.id, 'WORKFLOW_ENGINE', 'payment.send', { actionComplexity: 4, action: FORM });
      assert.equal(result.decision, 'PROPOSE');
      assert.match(result.reason, /complexity 4 exceeds SUPERVISED maximum 3/);
      assert.equal(countRows(db, 'supervision_sessions'), 0);
      assert.equal(db.get<{ proposal_type: string }>('SELECT proposal_type FROM agent_proposals')!.proposal_type, 'ACTION');
    });

    it('executes an AUTONOMOUS agent\'s trigger through the executor, audits it and records a success episode', async () => {
      const agent = seedAgent(db, { status: 'AUTONOMOUS', confidence: 0.95 });
      const executor = recordingExecutor();
      const result = await new TriggerInterceptor({ ...deps, executor }).intercept(agent.id, 'AI_COORDINATOR', 'record.delete', { actionComplexity: 4, id: 7 });

      assert.equal(result.decision, 'EXECUTE');
      assert.deepEqual(result.execution, { ok: true, output: { done: 'record.delete', by: agent.id } });
      assert.deepEqual(executor.calls, [{ triggerType: 'record.delete', context: { actionComplexity: 4, id: 7 } }]);
      const episode = db.get<Record<string, unknown>>('SELECT * FROM agent_episodes WHERE id = ?', [result.episodeId!])!;
      assert.equal(episode.outcome, 'success');
      assert.equal(episode.maturity_at_time, 'AUTONOMOUS');
      const [executed] = deps.audit.list({ action: 'trigger.executed' });
      assert.deepEqual((executed.details as Record<string, Json>).output, { done: 'record.delete', by: agent.id });
      assert.equal(countRows(db, 'agent_proposals') + countRows(db, 'supervision_sessions') + countRows(db, 'blocked_trigger_contexts'), 0);
    });

    it('records a failed execution with the error and a failure episode, without throwing', async () => {
      const agent = seedAgent(db, { status: 'AUTONOMOUS' });
      const result = await new TriggerInterceptor({ ...deps, executor: recordingExecutor(new Error('endpoint down')) }).intercept(agent.id, 'DATA_SYNC', 'push');
      assert.deepEqual(result.execution, { ok: false, error: 'endpoint down' });
      assert.equal(db.get<{ outcome: string }>('SELECT outcome FROM agent_episodes')!.outcome, 'failure');
      const [failed] = deps.audit.list({ action: 'trigger.execution_failed' });
      assert.equal((failed.details as Record<string, Json>).error, 'endpoint down');
      assert.equal(deps.audit.list({ action: 'trigger.executed' }).length, 0);
    });

    it('reports a non-Error executor failure by its string form', async () => {
      const agent = seedAgent(db, { status: 'AUTONOMOUS' });
      const result = await new TriggerInterceptor({ ...deps, executor: recordingExecutor('quota exceeded') }).intercept(agent.id, 'MANUAL', 'push');
      assert.deepEqual(result.execution, { ok: false, error: 'quota exceeded' });
    });

    it('without an executor, records the AUTONOMOUS trigger as dispatched to the host', async () => {
      const agent = seedAgent(db, { status: 'AUTONOMOUS' });
      const result = await new TriggerInterceptor(deps).intercept(agent.id, 'MANUAL', 'report.publish');
      assert.deepEqual(result.execution, { ok: true, output: { dispatched: true } });
      const [executed] = deps.audit.list({ action: 'trigger.executed' });
      assert.equal((executed.details as Record<string, Json>).manual, true);
    });
  });

  describe('confidence rules', () => {
    it('lets the stored status win over a disagreeing confidence, and audits the mismatch', async () => {
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.95 });
      const result = await new TriggerInterceptor(deps).intercept(agent.id, 'DATA_SYNC', 'sync');
      assert.equal(result.decision, 'BLOCK_AND_TRAIN');
      assert.equal(result.maturityMismatch, true);
      const [mismatch] = deps.audit.list({ action: 'maturity.mismatch' });
      assert.deepEqual(mismatch.details, { status: 'STUDENT', confidence: 0.95, impliedStatus: 'AUTONOMOUS' });
    });

    it('routes by the new status after a promotion or confidence change made through another repository (no cache, rule 1)', async () => {
      const agent = seedAgent(db, { status: 'INTERN', confidence: 0.6 });
      seedEpisodes(db, agent.id, 50, { interventions: 0, constitutionalScore: 1 });
      const interceptor = new TriggerInterceptor(deps);
      assert.equal((await interceptor.intercept(agent.id, 'DATA_SYNC', 'a', { action: FORM })).decision, 'PROPOSE');
      const elsewhere = resolveDeps({ db, clock: deps.clock });
      elsewhere.agents.promote(agent.id, 'SUPERVISED', { actor: 'admin', reason: 'graduated' });
      const after = await interceptor.intercept(agent.id, 'DATA_SYNC', 'b');
      assert.equal(after.decision, 'SUPERVISE');
      assert.equal(after.confidenceScore, 0.7);
      elsewhere.agents.adjustConfidence(agent.id, 0.25, { actor: 'admin', reason: 'excellent' });
      assert.equal((await interceptor.intercept(agent.id, 'DATA_SYNC', 'c')).decision, 'EXECUTE');
      db.run("UPDATE agent_registry SET status = 'PAUSED' WHERE id = ?", [agent.id]);
      assert.equal((await refusal(interceptor.intercept(agent.id, 'DATA_SYNC', 'd'))).code, 'AGENT_NOT_ROUTABLE');
    });

    it('routing rule: every maturity and complexity maps to the documented decision', () => {
      assert.equal(routeByMaturity('STUDENT', 1).decision, 'BLOCK_AND_TRAIN');
      assert.equal(routeByMaturity('INTERN', 1).decision, 'PROPOSE');
      assert.equal(routeByMaturity('SUPERVISED', 3).decision, 'SUPERVISE');
      assert.equal(routeByMaturity('SUPERVISED', 4).decision, 'PROPOSE');
      assert.equal(routeByMaturity('AUTONOMOUS', 4).decision, 'EXECUTE');
      assert.throws(() => routeByMaturity('DEPRECATED', 1), (err: unknown) => codeOf(err) === 'AGENT_NOT_ROUTABLE');
    });
  });

  describe('maturity journey through the shared services', () => {
    it('a blocked STUDENT trains, is promoted to INTERN, and its next trigger becomes a proposal', async () => {
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.3 });
      seedEpisodes(db, agent.id, 9, { interventions: 0, constitutionalScore: 0.9 });
      const training = new StudentTrainingService(deps);
      const interceptor = new TriggerInterceptor({ ...deps, training });
      const blocked = await interceptor.intercept(agent.id, 'DATA_SYNC', 'crm.sync');
      const { session } = training.approveTrainingProposal(blocked.proposalId!, 'lead');
      training.startSession(session.id);
      const done = training.completeSession(session.id, { performanceScore: 1 });
      assert.equal(done.promoted, true);
      const next = await interceptor.intercept(agent.id, 'DATA_SYNC', 'crm.sync', { action: FORM });
      assert.equal(next.decision, 'PROPOSE');
      assert.equal(next.agentStatus, 'INTERN');
      assert.equal(db.get<{ resolved: number }>('SELECT resolved FROM blocked_trigger_contexts WHERE id = ?', [blocked.blockedTriggerId!])!.resolved, 1);
    });

    it('a poorly rated supervised session demotes the agent, and its next trigger is proposed instead of supervised', async () => {
      const agent = seedAgent(db, { status: 'SUPERVISED', confidence: 0.72 });
      const supervision = new SupervisionService(deps);
      const interceptor = new TriggerInterceptor({ ...deps, supervision });
      const first = await interceptor.intercept(agent.id, 'WORKFLOW_ENGINE', 'ticket.update');
      supervision.intervene(first.supervisionSessionId!, 'correct', 'wrong ticket');
      const result = supervision.complete(first.supervisionSessionId!, { rating: 2 });
      assert.equal(result.agent.status, 'INTERN');
      const second = await interceptor.intercept(agent.id, 'WORKFLOW_ENGINE', 'ticket.update', { action: FORM });
      assert.equal(second.decision, 'PROPOSE');
      assert.equal(countRows(db, 'supervision_sessions'), 1);
    });
  });

  describe('refusals change nothing', () => {
    it('refuses an unknown agent with AGENT_NOT_FOUND', async () => {
      seedAgent(db, { status: 'AUTONOMOUS' });
      const before = snapshotRows(db);
      const err = await refusal(new TriggerInterceptor(deps).intercept('ghost', 'MANUAL', 'x'));
      assert.equal(err.code, 'AGENT_NOT_FOUND');
      assert.deepEqual(snapshotRows(db), before);
    });

    for (const status of ['PAUSED', 'DEPRECATED'] as const) {
      it(`refuses a ${status} agent with AGENT_NOT_ROUTABLE`, async () => {
        const agent = seedAgent(db, { status, confidence: 0.95 });
        const before = snapshotRows(db);
        const err = await refusal(new TriggerInterceptor(deps).intercept(agent.id, 'MANUAL', 'x'));
        assert.equal(err.code, 'AGENT_NOT_ROUTABLE');
        assert.match(err.message, new RegExp(status));
        assert.deepEqual(snapshotRows(db), before);
      });
    }

    const bad: Array<[string, TriggerSource, string, unknown, string, string, Record<string, unknown>]> = [
      ['an unknown source', 'CRON' as TriggerSource, 't', {}, 'INVALID_ARGUMENT', 'Unknown trigger source "CRON"; use one of MANUAL, DATA_SYNC, WORKFLOW_ENGINE, AI_COORDINATOR.', { source: 'CRON' }],
      ['an empty trigger type', 'MANUAL', '  ', {}, 'INVALID_ARGUMENT', 'triggerType must be a non-empty string.', { triggerType: '  ' }],
      ['a non-string trigger type', 'MANUAL', 42 as unknown as string, {}, 'INVALID_ARGUMENT', 'triggerType must be a non-empty string.', { triggerType: 42 }],
      ['an array context', 'MANUAL', 't', [], 'INVALID_PAYLOAD', 'Trigger context must be a JSON object.', { triggerType: 't' }],
      ['a null context', 'MANUAL', 't', null, 'INVALID_PAYLOAD', 'Trigger context must be a JSON object.', { triggerType: 't' }],
      ['a string context', 'MANUAL', 't', 'do it', 'INVALID_PAYLOAD', 'Trigger context must be a JSON object.', { triggerType: 't' }],
      ['a complexity of 5', 'MANUAL', 't', { actionComplexity: 5 }, 'INVALID_PAYLOAD', 'context.actionComplexity must be an integer from 1 to 4, got 5.', { triggerType: 't' }],
      ['a complexity of 0', 'MANUAL', 't', { actionComplexity: 0 }, 'INVALID_PAYLOAD', 'context.actionComplexity must be an integer from 1 to 4, got 0.', { triggerType: 't' }],
      ['a fractional complexity', 'MANUAL', 't', { actionComplexity: 1.5 }, 'INVALID_PAYLOAD', 'context.actionComplexity must be an integer from 1 to 4, got 1.5.', { triggerType: 't' }],
      ['a string complexity', 'MANUAL', 't', { actionComplexity: 'high' }, 'INVALID_PAYLOAD', 'context.actionComplexity must be an integer from 1 to 4, got "high".', { triggerType: 't' }],
      ['a numeric-string complexity', 'MANUAL', 't', { actionComplexity: '3' }, 'INVALID_PAYLOAD', 'context.actionComplexity must be an integer from 1 to 4, got "3".', { triggerType: 't' }],
    ];
    for (const [label, source, type, context, code, message, details] of bad) {
      it(`refuses ${label} with ${code}`, async () => {
        const agent = seedAgent(db, { status: 'AUTONOMOUS' });
        const executor = recordingExecutor();
        const before = snapshotRows(db);
        const err = await refusal(new TriggerInterceptor({ ...deps, executor }).intercept(agent.id, source, type, context as Record<string, Json>));
        assert.deepEqual([err.code, err.message, err.details], [code, message, details]);
        assert.deepEqual(snapshotRows(db), before);
        assert.equal(executor.calls.length, 0);
      });
    }

    it('rolls back the blocked context when storing the training proposal fails', async () => {
      const agent = seedAgent(db, { status: 'STUDENT' });
      db.exec("CREATE TRIGGER proposals_read_only BEFORE INSERT ON agent_proposals BEGIN SELECT RAISE(ABORT, 'proposal store is read-only'); END");
      const before = snapshotRows(db);
      await assert.rejects(new TriggerInterceptor(deps).intercept(agent.id, 'DATA_SYNC', 't'), /proposal store is read-only/);
      assert.deepEqual(snapshotRows(db), before);
      assert.equal(countRows(db, 'blocked_trigger_contexts'), 0);
    });

    it('uses injected training and supervision services', async () => {
      const agent = seedAgent(db, { status: 'SUPERVISED' });
      const supervision = new SupervisionService(deps);
      const interceptor = new TriggerInterceptor({ ...deps, training: new StudentTrainingService(deps), supervision });
      const result = await interceptor.intercept(agent.id, 'DATA_SYNC', 't');
      assert.equal(supervision.requireSession(result.supervisionSessionId!).status, 'RUNNING');
    });
  });

  describe('audit trail, reasons and records (spec literals)', () => {
    it('states the documented reason for every decision', async () => {
      const interceptor = new TriggerInterceptor(deps);
      const reasons: string[] = [];
      for (const [status, complexity] of [['STUDENT', 1], ['INTERN', 1], ['SUPERVISED', 3], ['SUPERVISED', 4], ['AUTONOMOUS', 4]] as const) {
        const agent = seedAgent(db, { status });
        reasons.push((await interceptor.intercept(agent.id, 'DATA_SYNC', 'sync', { actionComplexity: complexity, action: FORM })).reason);
      }
      assert.deepEqual(reasons, [
        'STUDENT agents may not act on triggers; routed to training',
        'INTERN agents act only after human approval',
        'SUPERVISED agents act under a live supervision session',
        'action complexity 4 exceeds SUPERVISED maximum 3; needs human approval',
        'AUTONOMOUS agents execute directly',
      ]);
      assert.deepEqual(routeByMaturity('INTERN', 2), { decision: 'PROPOSE', reason: 'INTERN agents act only after human approval' });
      const err = (() => { try { routeByMaturity('PAUSED', 1); } catch (e) { return e as GovernanceError; } })()!;
      assert.deepEqual([err.code, err.message, err.details], ['AGENT_NOT_ROUTABLE', 'Agent is PAUSED; it receives no triggers until it is reactivated.', { status: 'PAUSED' }]);
    });

    it('audits every decision as system:trigger-interceptor with the trigger\'s details', async () => {
      const interceptor = new TriggerInterceptor(deps);
      const student = seedAgent(db, { status: 'STUDENT', confidence: 0.6 });
      const intern = seedAgent(db, { status: 'INTERN', name: 'Clerk' });
      const supervised = seedAgent(db, { status: 'SUPERVISED' });
      const autonomous = seedAgent(db, { status: 'AUTONOMOUS' });
      const blocked = await interceptor.intercept(student.id, 'DATA_SYNC', 'crm.sync');
      const proposed = await interceptor.intercept(intern.id, 'WORKFLOW_ENGINE', 'form.request', { action: FORM });
      const watched = await interceptor.intercept(supervised.id, 'MANUAL', 'ticket.update');
      const executed = await interceptor.intercept(autonomous.id, 'AI_COORDINATOR', 'report.publish');
      assert.deepEqual([blocked.triggerId, proposed.triggerId, watched.triggerId, executed.triggerId], ['trigger-1', 'trigger-2', 'trigger-3', 'trigger-4']);
      const byAction = (action: string) => deps.audit.list({ action }).map((e) => [e.actor, e.agentId, e.details]);
      assert.deepEqual(byAction('maturity.mismatch'), [['system:trigger-interceptor', student.id, { status: 'STUDENT', confidence: 0.6, impliedStatus: 'INTERN' }]]);
      const base = (triggerId: string, source: string, triggerType: string, status: string, reason: string) => ({ triggerId, source, triggerType, manual: source === 'MANUAL', reason, status });
      assert.deepEqual(byAction('trigger.blocked'), [['system:trigger-interceptor', student.id, { ...base('trigger-1', 'DATA_SYNC', 'crm.sync', 'STUDENT', blocked.reason), blockedTriggerId: blocked.blockedTriggerId!, proposalId: blocked.proposalId! }]]);
      assert.deepEqual(byAction('trigger.proposed'), [['system:trigger-interceptor', intern.id, { ...base('trigger-2', 'WORKFLOW_ENGINE', 'form.request', 'INTERN', proposed.reason), proposalId: proposed.proposalId! }]]);
      assert.deepEqual(byAction('trigger.supervised'), [['system:trigger-interceptor', supervised.id, { ...base('trigger-3', 'MANUAL', 'ticket.update', 'SUPERVISED', watched.reason), supervisionSessionId: watched.supervisionSessionId! }]]);
      assert.deepEqual(byAction('trigger.executed'), [['system:trigger-interceptor', autonomous.id, { ...base('trigger-4', 'AI_COORDINATOR', 'report.publish', 'AUTONOMOUS', executed.reason), episodeId: executed.episodeId!, output: { dispatched: true } }]]);
      const proposal = db.get<{ title: string; description: string; reasoning: string }>('SELECT title, description, reasoning FROM agent_proposals WHERE id = ?', [proposed.proposalId!])!;
      assert.deepEqual(proposal, { title: 'form.request (WORKFLOW_ENGINE) by Clerk', description: 'Trigger form.request from WORKFLOW_ENGINE awaiting human approval.', reasoning: 'INTERN agents act only after human approval' });
    });

    it('scores the execution episode against the constitutional rules on what was done: the executor output or its error', async () => {
      seedRule(db, { code: 'NO_SECRETS', severity: 'medium', pattern: 'secret' });
      const agent = seedAgent(db, { status: 'AUTONOMOUS' });
      const leaking: TriggerExecutor = { execute: async () => ({ posted: 'the secret plan' }) };
      const ok = await new TriggerInterceptor({ ...deps, executor: leaking }).intercept(agent.id, 'MANUAL', 'post');
      const failed = await new TriggerInterceptor({ ...deps, executor: recordingExecutor(new Error('secret store locked')) }).intercept(agent.id, 'MANUAL', 'post');
      const clean = await new TriggerInterceptor({ ...deps, executor: recordingExecutor() }).intercept(agent.id, 'MANUAL', 'post');
      const score = (id: string) => db.get<{ constitutional_score: number }>('SELECT constitutional_score FROM agent_episodes WHERE id = ?', [id])!.constitutional_score;
      assert.deepEqual([score(ok.episodeId!), score(failed.episodeId!), score(clean.episodeId!)], [0.85, 0.85, 1]);
      assert.deepEqual(db.all('SELECT maturity_at_time, outcome, human_intervention_count FROM agent_episodes ORDER BY rowid'), [
        { maturity_at_time: 'AUTONOMOUS', outcome: 'success', human_intervention_count: 0 },
        { maturity_at_time: 'AUTONOMOUS', outcome: 'failure', human_intervention_count: 0 },
        { maturity_at_time: 'AUTONOMOUS', outcome: 'success', human_intervention_count: 0 },
      ]);
    });
  });

  describe('property: a STUDENT agent\'s trigger never executes', () => {
    it('for any source, trigger type, context and confidence: BLOCK_AND_TRAIN, no execution, every trigger audited', async () => {
      const json = fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== 'actionComplexity' && k !== '__proto__'), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 4 });
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...TRIGGER_SOURCES),
          fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
          json,
          fc.integer({ min: 1, max: 4 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          async (source, triggerType, context, complexity, confidence) => {
            const pdb = await freshDb();
            const pdeps = testDeps(pdb);
            const agent = seedAgent(pdb, { status: 'STUDENT', confidence });
            const executor = recordingExecutor();
            const result = await new TriggerInterceptor({ ...pdeps, executor }).intercept(agent.id, source, triggerType, { ...context, actionComplexity: complexity });
            assert.equal(result.decision, 'BLOCK_AND_TRAIN');
            assert.equal(result.execution, undefined);
            assert.equal(executor.calls.length, 0);
            assert.equal(countRows(pdb, 'audit_log', "action IN ('trigger.executed', 'trigger.execution_failed', 'proposal.executed')"), 0);
            assert.equal(countRows(pdb, 'agent_episodes'), 0);
            assert.equal(countRows(pdb, 'supervision_sessions'), 0);
            assert.equal(countRows(pdb, 'agent_proposals', "proposal_type = 'ACTION'"), 0);
            assert.equal(countRows(pdb, 'blocked_trigger_contexts', 'agent_id = ? AND trigger_source = ?', [agent.id, source]), 1);
            const [blocked] = pdeps.audit.list({ action: 'trigger.blocked' });
            assert.equal((blocked.details as Record<string, Json>).manual, source === 'MANUAL');
            pdb.close();
          },
        ),
        { numRuns: 60 },
      );
    });
  });
});
