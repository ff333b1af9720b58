import { strict as assert } from 'node:assert';
import {
  ProposalService,
  StudentTrainingService,
  deriveTrainingPlan,
  insertProposal,
  updateProposalFields,
  type Agent,
  type GovernanceDatabase,
  type Json,
  type Proposal,
  type TrainingSession,
} from '../../../src/governance';
import { allRows, countRows, freshDb, refusedWith, seedAgent, seedEpisodes, seedUser, snapshotRows, testDeps } from '../fixtures';

const HOUR = 3_600_000;

describe('StudentTrainingService', () => {
  let db: GovernanceDatabase;
  let deps: ReturnType<typeof testDeps>;
  let training: StudentTrainingService;
  let supervisor: string;

  beforeEach(async () => {
    db = await freshDb();
    deps = testDeps(db);
    training = new StudentTrainingService(deps);
    supervisor = seedUser(db, { role: 'WORKSPACE_ADMIN' });
  });

  function block(agent: Agent, context: Record<string, Json> = {}, triggerType = 'crm.sync') {
    return training.recordBlockedTrigger({ agent, source: 'DATA_SYNC', triggerType, context, routingDecision: 'BLOCK_AND_TRAIN', blockReason: 'STUDENT agents may not act' });
  }

  function proposalFor(agent: Agent, context: Record<string, Json> = {}): Proposal {
    return training.createTrainingProposal(block(agent, context).id);
  }

  /** An IN_PROGRESS session for a fresh training proposal of `agent`. */
  function inProgress(agent: Agent, context: Record<string, Json> = {}): TrainingSession {
    const { session } = training.approveTrainingProposal(proposalFor(agent, context).id, supervisor);
    return training.startSession(session.id);
  }

  describe('training proposals from blocked triggers', () => {
    it('records a blocked trigger and reads it back', () => {
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.2 });
      const blocked = block(agent, { k: 'v' });
      assert.deepEqual(training.requireBlockedTrigger(blocked.id), {
        id: blocked.id,
        agentId: agent.id,
        agentName: agent.name,
        agentMaturityAtBlock: 'STUDENT',
        confidenceScoreAtBlock: 0.2,
        triggerSource: 'DATA_SYNC',
        triggerType: 'crm.sync',
        triggerContext: { k: 'v' },
        routingDecision: 'BLOCK_AND_TRAIN',
        blockReason: 'STUDENT agents may not act',
        proposalId: null,
        resolved: false,
        resolvedAt: null,
        resolutionOutcome: null,
        createdAt: '2026-01-01T09:00:00.000Z',
      });
      refusedWith('NOT_FOUND', () => training.requireBlockedTrigger('nope'));
    });

    it('derives objectives and capability gaps from the trigger', () => {
      const plan = deriveTrainingPlan('WORKFLOW_ENGINE', 'invoice.create', { requiredCapabilities: ['billing.write', 7, 'billing.write'], actionComplexity: 3 });
      assert.deepEqual(plan.capabilityGaps, ['handling invoice.create triggers', 'billing.write', 'actions of complexity 3']);
      assert.deepEqual(plan.learningObjectives, [
        'Respond to WORKFLOW_ENGINE invoice.create triggers within governance rules',
        'Demonstrate handling invoice.create triggers under supervision without errors',
        'Demonstrate billing.write under supervision without errors',
        'Demonstrate actions of complexity 3 under supervision without errors',
      ]);
      assert.match(plan.scenario, /invoice\.create trigger from WORKFLOW_ENGINE/);
      assert.deepEqual(deriveTrainingPlan('MANUAL', 'x', { actionComplexity: 1, requiredCapabilities: 'not-a-list' }).capabilityGaps, ['handling x triggers']);
    });

    it('creates a PROPOSED TRAINING proposal linked to the blocked trigger, with a default duration estimate', () => {
      const agent = seedAgent(db, { status: 'STUDENT' });
      const blocked = block(agent, { requiredCapabilities: ['crm.read'] });
      const proposal = training.createTrainingProposal(blocked.id, supervisor);
      assert.equal(proposal.proposalType, 'TRAINING');
      assert.equal(proposal.status, 'PROPOSED');
      assert.equal(proposal.proposedBy, supervisor);
      assert.deepEqual(proposal.capabilityGaps, ['handling crm.sync triggers', 'crm.read']);
      assert.equal(proposal.learningObjectives.length, 3);
      assert.equal(proposal.estimatedDurationHours, 8);
      assert.equal(proposal.durationEstimationConfidence, 0.3);
      assert.match(proposal.durationEstimationReasoning!, /default of 4 h plus 2 h for each of 2 capability gap/);
      assert.equal(training.requireBlockedTrigger(blocked.id).proposalId, proposal.id);
      const [audit] = deps.audit.list({ action: 'proposal.created' });
      assert.deepEqual(audit.details, { proposalId: proposal.id, proposalType: 'TRAINING', blockedTriggerId: blocked.id });
    });

    it('refuses a second proposal for the same blocked trigger and changes nothing', () => {
      const agent = seedAgent(db);
      const blocked = block(agent);
      const first = training.createTrainingProposal(blocked.id);
      const before = snapshotRows(db);
      const err = refusedWith('INVALID_STATUS', () => training.createTrainingProposal(blocked.id));
      assert.match(err.message, new RegExp(`linked to proposal ${first.id}`));
      assert.deepEqual(snapshotRows(db), before);
    });

    it('refuses a proposal for a resolved blocked trigger, and for an unknown one', () => {
      const agent = seedAgent(db);
      const blocked = block(agent);
      db.run("UPDATE blocked_trigger_contexts SET resolved = 1, resolution_outcome = 'dismissed' WHERE id = ?", [blocked.id]);
      assert.match(refusedWith('INVALID_STATUS', () => training.createTrainingProposal(blocked.id)).message, /already resolved/);
      refusedWith('NOT_FOUND', () => training.createTrainingProposal('missing'));
      assert.equal(countRows(db, 'agent_proposals'), 0);
    });
  });

  describe('duration estimates', () => {
    it('falls back to 4 h + 2 h per gap, capped at 40 h, with low confidence', () => {
      const agent = seedAgent(db);
      assert.deepEqual(training.estimateDuration(agent.id), { hours: 4, confidence: 0.3, basis: 'default', sampleSize: 0, reasoning: 'No completed training history; default of 4 h plus 2 h for each of 0 capability gap(s).' });
      assert.equal(training.estimateDuration(agent.id, Array.from({ length: 30 }, (_, i) => `gap${i}`)).hours, 40);
      refusedWith('AGENT_NOT_FOUND', () => training.estimateDuration('ghost'));
    });

    it('uses the mean of the agent\'s own completed sessions first, then its category\'s', () => {
      const agent = seedAgent(db, { category: 'finance' });
      for (const hours of [2, 4]) {
        const session = inProgress(agent);
        deps.clock.advance(hours * HOUR);
        training.completeSession(session.id, { performanceScore: 0.5 });
      }
      const own = training.estimateDuration(agent.id);
      assert.deepEqual({ hours: own.hours, confidence: own.confidence, basis: own.basis, sampleSize: own.sampleSize }, { hours: 3, confidence: 0.7, basis: 'agent', sampleSize: 2 });

      const peer = seedAgent(db, { category: 'finance' });
      const byCategory = training.estimateDuration(peer.id);
      assert.deepEqual({ hours: byCategory.hours, confidence: byCategory.confidence, basis: byCategory.basis }, { hours: 3, confidence: 0.5, basis: 'category' });
      assert.match(byCategory.reasoning, /other "finance" agents/);

      const stranger = seedAgent(db, { category: 'marketing' });
      assert.equal(training.estimateDuration(stranger.id).basis, 'default');
      assert.equal(proposalFor(peer).estimatedDurationHours, 3);
    });

    it('never estimates less than a quarter hour', () => {
      const agent = seedAgent(db);
      const session = inProgress(agent);
      training.completeSession(session.id, { performanceScore: 0.1 });
      assert.equal(training.estimateDuration(agent.id).hours, 0.25);
    });
  });

  describe('approval and scheduling', () => {
    it('approves with a duration override and daily limit, and schedules a session supervised by the approver', () => {
      const agent = seedAgent(db);
      const proposal = proposalFor(agent, { requiredCapabilities: ['a', 'b'] });
      const { proposal: approved, session } = training.approveTrainingProposal(proposal.id, supervisor, { overrideDurationHours: 12, hoursPerDayLimit: 3 });
      assert.equal(approved.status, 'APPROVED');
      assert.equal(approved.approvedBy, supervisor);
      assert.equal(approved.approvedAt, '2026-01-01T09:00:00.000Z');
      assert.equal(approved.userOverrideDurationHours, 12);
      assert.equal(approved.hoursPerDayLimit, 3);
      assert.equal(session.status, 'SCHEDULED');
      assert.equal(session.supervisorId, supervisor);
      assert.equal(session.totalTasks, 4);
      assert.deepEqual(session.capabilityGapsRemaining, ['handling crm.sync triggers', 'a', 'b']);
      assert.deepEqual(deps.audit.list({ agentId: agent.id }).map((e) => e.action), ['proposal.created', 'proposal.approved', 'training.scheduled']);
    });

    it('approves without options; an approver who is not a registered user supervises nobody', () => {
      const agent = seedAgent(db);
      const { proposal, session } = training.approveTrainingProposal(proposalFor(agent).id, 'ops-bot');
      assert.equal(proposal.userOverrideDurationHours, null);
      assert.equal(proposal.hoursPerDayLimit, null);
      assert.equal(session.supervisorId, null);
    });

    it('refuses to approve a proposal that is not PROPOSED, and changes nothing', () => {
      const agent = seedAgent(db);
      const proposal = proposalFor(agent);
      training.approveTrainingProposal(proposal.id, supervisor);
      const before = snapshotRows(db);
      assert.match(refusedWith('INVALID_STATUS', () => training.approveTrainingProposal(proposal.id, supervisor)).message, /is APPROVED/);
      assert.deepEqual(snapshotRows(db), before);
    });

    it('refuses to approve a REJECTED training proposal: no session is scheduled', () => {
      const agent = seedAgent(db);
      const proposal = proposalFor(agent);
      new ProposalService(deps).reject(proposal.id, supervisor, 'not now');
      const before = snapshotRows(db);
      const err = refusedWith('INVALID_STATUS', () => training.approveTrainingProposal(proposal.id, supervisor));
      assert.equal(err.message, `Only a PROPOSED training proposal can be approved; "${proposal.id}" is REJECTED.`);
      assert.deepEqual(err.details, { proposalId: proposal.id, status: 'REJECTED' });
      assert.deepEqual(snapshotRows(db), before);
    });

    it('refuses an ACTION proposal, an unknown proposal and invalid hour values', () => {
      const agent = seedAgent(db, { status: 'INTERN' });
      const action = insertProposal(db, deps.clock, deps.ids, { agentId: agent.id, agentName: agent.name, proposalType: 'ACTION', title: 'a', proposedBy: 'x' });
      const before = snapshotRows(db);
      refusedWith('INVALID_ARGUMENT', () => training.approveTrainingProposal(action.id, supervisor));
      refusedWith('NOT_FOUND', () => training.approveTrainingProposal('missing', supervisor));
      const training2 = proposalFor(seedAgent(db));
      const mid = snapshotRows(db);
      refusedWith('INVALID_ARGUMENT', () => training.approveTrainingProposal(training2.id, supervisor, { overrideDurationHours: 0 }));
      refusedWith('INVALID_ARGUMENT', () => training.approveTrainingProposal(training2.id, supervisor, { hoursPerDayLimit: 25 }));
      refusedWith('INVALID_ARGUMENT', () => training.approveTrainingProposal(training2.id, supervisor, { overrideDurationHours: 'ten' as unknown as number }));
      assert.deepEqual(snapshotRows(db), mid);
      assert.equal(countRows(db, 'training_sessions'), 0);
      assert.notDeepEqual(before, mid);
    });

    it('reschedules a failed training, but never two active sessions at once', () => {
      const agent = seedAgent(db);
      const session = inProgress(agent);
      const before = snapshotRows(db);
      assert.match(refusedWith('INVALID_STATUS', () => training.scheduleSession(session.proposalId)).message, /still active/);
      assert.deepEqual(snapshotRows(db), before);
      training.failSession(session.id, 'froze on step 2', 3);
      const retry = training.scheduleSession(session.proposalId);
      assert.equal(retry.status, 'SCHEDULED');
      assert.equal(retry.supervisorId, null);
      assert.equal(countRows(db, 'training_sessions', 'proposal_id = ?', [session.proposalId]), 2);
    });

    it('refuses to schedule a PROPOSED (unapproved) proposal', () => {
      const proposal = proposalFor(seedAgent(db));
      assert.match(refusedWith('INVALID_STATUS', () => training.scheduleSession(proposal.id)).message, /it is PROPOSED; it must be APPROVED/);
      assert.equal(countRows(db, 'training_sessions'), 0);
    });
  });

  describe('session lifecycle', () => {
    it('starts a SCHEDULED session and refuses to start it twice', () => {
      const agent = seedAgent(db);
      const { session } = training.approveTrainingProposal(proposalFor(agent).id, supervisor);
      deps.clock.advance(HOUR);
      const started = training.startSession(session.id);
      assert.equal(started.status, 'IN_PROGRESS');
      assert.equal(started.startedAt, '2026-01-01T10:00:00.000Z');
      const err = refusedWith('INVALID_TRANSITION', () => training.startSession(session.id));
      assert.match(err.message, /is IN_PROGRESS; it can move to IN_PROGRESS only from SCHEDULED/);
      refusedWith('NOT_FOUND', () => training.startSession('missing'));
    });

    it('fails an IN_PROGRESS session with a reason, leaving confidence and the APPROVED proposal alone', () => {
      const agent = seedAgent(db, { confidence: 0.3 });
      const session = inProgress(agent);
      const failed = training.failSession(session.id, 'could not parse CRM payloads', 4);
      assert.equal(failed.status, 'FAILED');
      assert.equal(failed.supervisorFeedback, 'could not parse CRM payloads');
      assert.equal(failed.errorsCount, 4);
      assert.equal(deps.agents.require(agent.id).confidenceScore, 0.3);
      assert.equal(db.get<{ status: string }>('SELECT status FROM agent_proposals WHERE id = ?', [session.proposalId])!.status, 'APPROVED');
      assert.equal(deps.audit.list({ action: 'training.failed' }).length, 1);
      refusedWith('INVALID_TRANSITION', () => training.failSession(session.id, 'again'));
    });

    it('cancels a SCHEDULED or an IN_PROGRESS session, but not a finished one', () => {
      const agent = seedAgent(db);
      const { session: scheduled } = training.approveTrainingProposal(proposalFor(agent).id, supervisor);
      assert.equal(training.cancelSession(scheduled.id, 'supervisor on leave').status, 'CANCELLED');
      const running = inProgress(agent);
      assert.equal(training.cancelSession(running.id, 'replanned').status, 'CANCELLED');
      refusedWith('INVALID_TRANSITION', () => training.cancelSession(running.id, 'again'));
      assert.equal(countRows(db, 'training_sessions', "status = 'CANCELLED'"), 2);
    });
  });

  describe('completion and promotion', () => {
    it('applies the boost, records the outcome and an episode, resolves the trigger, but keeps a low-confidence STUDENT', () => {
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.2 });
      const session = inProgress(agent, { requiredCapabilities: ['crm.read', 'crm.write'] });
      deps.clock.advance(2 * HOUR);
      const result = training.completeSession(session.id, { performanceScore: 0.8, errorsCount: 1, tasksCompleted: 3, supervisorFeedback: 'solid', capabilitiesDeveloped: ['crm.read'] });

      assert.equal(result.confidenceBoost, 0.14);
      assert.equal(result.promoted, false);
      assert.deepEqual(result.unmetCriteria, []);
      assert.equal(result.agent.status, 'STUDENT');
      assert.equal(result.agent.confidenceScore, 0.34);
      const s = result.session;
      assert.deepEqual(
        [s.status, s.tasksCompleted, s.performanceScore, s.errorsCount, s.supervisorFeedback, s.durationSeconds, s.promotedToAutonomous],
        ['COMPLETED', 3, 0.8, 1, 'solid', 7200, false],
      );
      assert.deepEqual(s.capabilitiesDeveloped, ['crm.read']);
      assert.deepEqual(s.capabilityGapsRemaining, ['handling crm.sync triggers', 'crm.write']);
      const proposal = db.get<{ status: string; execution_result: string; completed_at: string }>('SELECT * FROM agent_proposals WHERE id = ?', [s.proposalId])!;
      assert.equal(proposal.status, 'EXECUTED');
      assert.equal(proposal.completed_at, '2026-01-01T11:00:00.000Z');
      assert.deepEqual(JSON.parse(proposal.execution_result), { sessionId: s.id, performanceScore: 0.8, confidenceBoost: 0.14, promoted: false, unmetCriteria: [], episodeId: 'episode-1' });
      const blocked = db.get<{ resolved: number; resolution_outcome: string }>('SELECT * FROM blocked_trigger_contexts')!;
      assert.deepEqual([blocked.resolved, blocked.resolution_outcome], [1, 'trained']);
      const episode = db.get<Record<string, unknown>>('SELECT * FROM agent_episodes')!;
      assert.deepEqual([episode.id, episode.maturity_at_time, episode.outcome, episode.human_intervention_count, episode.constitutional_score], [result.episodeId, 'STUDENT', 'success', 1, 1]);
    });

    it('does not promote when confidence would pass 0.5 but the STUDENT → INTERN criteria fail: stops at 0.499 and says why (rule 2)', () => {
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.45 });
      seedEpisodes(db, agent.id, 3, { interventions: 2, constitutionalScore: 0.4 });
      const result = training.completeSession(inProgress(agent).id, { performanceScore: 1 });
      assert.equal(result.promoted, false);
      assert.equal(result.agent.status, 'STUDENT');
      assert.equal(result.agent.confidenceScore, 0.499);
      assert.equal(result.confidenceBoost, 0.2);
      const unmet = [
        'needs 10 completed episodes, has 4',
        'intervention rate 75% exceeds the maximum 50%',
        'constitutional score 0.55 is below 0.70',
      ];
      assert.deepEqual(result.unmetCriteria, unmet, "this session's own clean episode counts");
      assert.equal(deps.audit.list({ action: 'agent.promoted' }).length, 0);
      const [withheld] = deps.audit.list({ action: 'agent.promotion_withheld' });
      assert.equal(withheld.actor, 'system:student-training');
      assert.deepEqual(withheld.details, { from: 'STUDENT', to: 'INTERN', requested: 0.65, confidence: 0.499, unmetCriteria: unmet, reason: `training session ${result.session.id} completed` });
      assert.equal(result.session.promotedToAutonomous, false);
    });

    it('promotes STUDENT → INTERN when confidence passes 0.5 and the criteria hold', () => {
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.4 });
      seedEpisodes(db, agent.id, 10, { interventions: 0, constitutionalScore: 0.9 });
      const result = training.completeSession(inProgress(agent).id, { performanceScore: 0.9 });
      assert.equal(result.promoted, true);
      assert.equal(result.agent.status, 'INTERN');
      assert.equal(result.agent.confidenceScore, 0.58);
      assert.equal(result.session.promotedToAutonomous, true);
      assert.equal(db.get<{ status: string }>('SELECT status FROM agent_registry WHERE id = ?', [agent.id])!.status, 'INTERN');
      assert.equal(db.get<{ resolution_outcome: string }>('SELECT resolution_outcome FROM blocked_trigger_contexts')!.resolution_outcome, 'trained_and_promoted');
      const [promotion] = deps.audit.list({ action: 'agent.promoted' });
      assert.deepEqual((promotion.details as Record<string, Json>).to, 'INTERN');
    });

    it('caps confidence at 1.0 and floors the boost at 0 when errors outweigh performance', () => {
      const high = seedAgent(db, { status: 'AUTONOMOUS', confidence: 0.95 });
      const capped = training.completeSession(inProgress(high).id, { performanceScore: 1, supervisorFeedback: undefined });
      assert.equal(capped.agent.confidenceScore, 1);
      assert.equal(capped.confidenceBoost, 0.2);
      const low = seedAgent(db, { status: 'STUDENT', confidence: 0.1 });
      const none = training.completeSession(inProgress(low).id, { performanceScore: 0.3, errorsCount: 9 });
      assert.equal(none.confidenceBoost, 0);
      assert.equal(none.agent.confidenceScore, 0.1);
      assert.deepEqual(db.all<{ outcome: string }>('SELECT outcome FROM agent_episodes ORDER BY rowid').map((r) => r.outcome), ['success', 'failure']);
    });

    it('records a partial outcome for middling performance and never re-checks promotion for a non-STUDENT', () => {
      const intern = seedAgent(db, { status: 'INTERN', confidence: 0.6 });
      const custom = new StudentTrainingService(deps);
      const blocked = custom.recordBlockedTrigger({ agent: intern, source: 'MANUAL', triggerType: 't', context: {}, routingDecision: 'BLOCK_AND_TRAIN', blockReason: 'manual retraining' });
      const { session } = custom.approveTrainingProposal(custom.createTrainingProposal(blocked.id).id, supervisor);
      const result = custom.completeSession(custom.startSession(session.id).id, { performanceScore: 0.5 });
      assert.equal(result.agent.status, 'INTERN');
      assert.equal(result.promoted, false);
      assert.equal(db.get<{ outcome: string }>('SELECT outcome FROM agent_episodes')!.outcome, 'partial');
    });

    it('classifies the episode outcome at the spec boundaries: ≥ 0.7 success, ≥ 0.4 partial, below failure', () => {
      const outcomes: Array<[number, string]> = [];
      for (const perf of [0.7, 0.69, 0.4, 0.39, 0, 1]) {
        const result = training.completeSession(inProgress(seedAgent(db, { confidence: 0.1 })).id, { performanceScore: perf });
        outcomes.push([perf, db.get<{ outcome: string }>('SELECT outcome FROM agent_episodes WHERE id = ?', [result.episodeId])!.outcome]);
      }
      assert.deepEqual(outcomes, [[0.7, 'success'], [0.69, 'partial'], [0.4, 'partial'], [0.39, 'failure'], [0, 'failure'], [1, 'success']]);
    });

    it('computes the boost as 0.2·performance − 0.02·errors within [0, 0.2], and audits completion with actor and details', () => {
      const boosts: number[] = [];
      for (const [perf, errors] of [[0.5, 0], [0.5, 2], [1, 1], [0.05, 1]] as const) {
        boosts.push(training.completeSession(inProgress(seedAgent(db, { confidence: 0.1 })).id, { performanceScore: perf, errorsCount: errors }).confidenceBoost);
      }
      assert.deepEqual(boosts, [0.1, 0.06, 0.18, 0]);
      const completed = deps.audit.list({ action: 'training.completed' });
      assert.equal(completed.length, 4);
      assert.deepEqual(completed.map((e) => e.actor), Array(4).fill('system:student-training'));
      const [first] = completed;
      assert.deepEqual(first.details, { sessionId: (first.details as { sessionId: string }).sessionId, performanceScore: 0.5, confidenceBoost: 0.1, promoted: false, unmetCriteria: [], episodeId: 'episode-1' });
      const started = deps.audit.list({ action: 'training.started' })[0];
      assert.deepEqual([started.actor, started.details], ['system:student-training', { sessionId: (first.details as { sessionId: string }).sessionId }]);
      const scheduled = deps.audit.list({ action: 'training.scheduled' })[0];
      assert.equal(scheduled.actor, supervisor);
    });

    it('refuses invalid outcomes and illegal transitions, changing nothing', () => {
      const agent = seedAgent(db, { confidence: 0.3 });
      const session = inProgress(agent);
      const before = snapshotRows(db);
      for (const outcome of [{ performanceScore: 1.5 }, { performanceScore: Number.NaN }, { performanceScore: -0.1 }, { performanceScore: '0.8' as unknown as number }, { performanceScore: null as unknown as number }, { performanceScore: 0.5, errorsCount: -1 }, { performanceScore: 0.5, errorsCount: 1.5 }, { performanceScore: 0.5, tasksCompleted: 99 }, { performanceScore: 0.5, tasksCompleted: -1 }]) {
        refusedWith('INVALID_ARGUMENT', () => training.completeSession(session.id, outcome));
      }
      refusedWith('NOT_FOUND', () => training.completeSession('missing', { performanceScore: 0.5 }));
      assert.deepEqual(snapshotRows(db), before);
      const { session: scheduled } = training.approveTrainingProposal(proposalFor(agent).id, supervisor);
      const mid = snapshotRows(db);
      refusedWith('INVALID_TRANSITION', () => training.completeSession(scheduled.id, { performanceScore: 0.5 }));
      assert.deepEqual(snapshotRows(db), mid);
      training.completeSession(session.id, { performanceScore: 0.5 });
      refusedWith('INVALID_TRANSITION', () => training.completeSession(session.id, { performanceScore: 0.5 }));
      assert.equal(allRows(db, 'agent_episodes').length, 1);
    });
  });

  describe('records, audit trail and refusal messages (spec literals)', () => {
    it('a training proposal from a blocked trigger: ids, title, description, reasoning and its audit', () => {
      const agent = seedAgent(db, { status: 'STUDENT', confidence: 0.2, name: 'Reporter' });
      const blocked = block(agent);
      assert.equal(blocked.id, 'blocked-1');
      const proposal = training.createTrainingProposal(blocked.id);
      assert.deepEqual([proposal.title, proposal.description, proposal.reasoning], [
        'Training: crm.sync for Reporter',
        'Reporter was blocked: STUDENT agents may not act',
        'A STUDENT agent (confidence 0.2) may not act on DATA_SYNC triggers; training closes the capability gaps.',
      ]);
      const [created] = deps.audit.list({ action: 'proposal.created' });
      assert.deepEqual([created.actor, created.agentId], ['system:student-training', agent.id]);
      const again = refusedWith('INVALID_STATUS', () => training.createTrainingProposal(blocked.id));
      assert.deepEqual(again.details, { blockedTriggerId: blocked.id });
      const missing = refusedWith('NOT_FOUND', () => training.requireBlockedTrigger('nope'));
      assert.deepEqual([missing.message, missing.details], ['No blocked trigger context with id "nope".', { blockedTriggerId: 'nope' }]);
    });

    it('a numeric-string complexity adds no capability gap', () => {
      assert.deepEqual(deriveTrainingPlan('MANUAL', 'x', { actionComplexity: '3' }).capabilityGaps, ['handling x triggers']);
    });

    it('explains an estimate from the agent\'s own history by name', () => {
      const agent = seedAgent(db, { name: 'Scribe' });
      const session = inProgress(agent);
      deps.clock.advance(2 * HOUR);
      training.completeSession(session.id, { performanceScore: 0.5 });
      assert.equal(training.estimateDuration(agent.id).reasoning, 'Mean of 1 completed training session(s) of Scribe.');
    });

    it('accepts hour values at their limits (24 h a day, 1000 h, an override above 24 h) and ignores options left undefined', () => {
      const agent = seedAgent(db);
      const limits = training.approveTrainingProposal(proposalFor(agent).id, supervisor, { overrideDurationHours: 1000, hoursPerDayLimit: 24 });
      assert.deepEqual([limits.proposal.userOverrideDurationHours, limits.proposal.hoursPerDayLimit], [1000, 24]);
      const long = training.approveTrainingProposal(proposalFor(agent).id, supervisor, { overrideDurationHours: 100, hoursPerDayLimit: undefined });
      assert.deepEqual([long.proposal.userOverrideDurationHours, long.proposal.hoursPerDayLimit], [100, null]);
      const fromProposalService = new ProposalService(deps).createTrainingProposal({ agentId: agent.id, title: 't', learningObjectives: ['a'], capabilityGaps: [], proposedBy: 'lead', hoursPerDayLimit: 2 });
      assert.equal(training.approveTrainingProposal(fromProposalService.id, supervisor).proposal.hoursPerDayLimit, 2, 'an earlier daily limit is kept');
      const approvals = deps.audit.list({ action: 'proposal.approved' });
      assert.deepEqual(approvals.map((e) => [e.actor, e.details]), [
        [supervisor, { proposalId: limits.proposal.id, overrideDurationHours: 1000 }],
        [supervisor, { proposalId: long.proposal.id, overrideDurationHours: 100 }],
        [supervisor, { proposalId: fromProposalService.id }],
      ]);
      const bad = refusedWith('INVALID_ARGUMENT', () => training.approveTrainingProposal(proposalFor(agent).id, supervisor, { overrideDurationHours: '10' as unknown as number }));
      assert.deepEqual([bad.message, (bad.details as { proposalId: string }).proposalId !== undefined], ['overrideDurationHours must be a positive number of hours, got 10.', true]);
      refusedWith('INVALID_ARGUMENT', () => training.approveTrainingProposal(proposalFor(agent).id, supervisor, { overrideDurationHours: 1000.5 }));
    });

    it('schedules with ids, audits scheduling by system:student-training when nobody supervises, and names the refusal', () => {
      const agent = seedAgent(db);
      const proposal = proposalFor(agent);
      updateProposalFields(db, proposal.id, { status: 'APPROVED' });
      const session = training.scheduleSession(proposal.id);
      assert.equal(session.id, 'training-1');
      const [scheduled] = deps.audit.list({ action: 'training.scheduled' });
      assert.deepEqual([scheduled.actor, scheduled.details], ['system:student-training', { sessionId: 'training-1', proposalId: proposal.id }]);
      const err = refusedWith('INVALID_STATUS', () => training.scheduleSession(proposal.id));
      assert.deepEqual(err.details, { proposalId: proposal.id });
      const action = new ProposalService(deps).createActionProposal({ agentId: seedAgent(db, { status: 'INTERN' }).id, title: 'a', action: { type: 'canvas', payload: { kind: 'form', fields: [{ name: 'x' }] } }, proposedBy: 'u' });
      const notTraining = refusedWith('INVALID_ARGUMENT', () => training.scheduleSession(action.id));
      assert.deepEqual([notTraining.message, notTraining.details], [`Proposal "${action.id}" is an ACTION proposal, not a TRAINING proposal.`, { proposalId: action.id }]);
    });

    it('completes with no task done and no capabilities developed; refusal messages name the values', () => {
      const agent = seedAgent(db);
      const session = inProgress(agent);
      const bad = refusedWith('INVALID_ARGUMENT', () => training.completeSession(session.id, { performanceScore: 2, errorsCount: 1 }));
      assert.deepEqual([bad.message, bad.details], ['performanceScore must be within [0, 1] and errorsCount a non-negative integer (got 2, 1).', { sessionId: session.id }]);
      const tasks = refusedWith('INVALID_ARGUMENT', () => training.completeSession(session.id, { performanceScore: 0.5, tasksCompleted: 9 }));
      assert.deepEqual([tasks.message, tasks.details], [`tasksCompleted must be an integer between 0 and ${session.totalTasks}, got 9.`, { sessionId: session.id }]);
      const done = training.completeSession(session.id, { performanceScore: 0.5, tasksCompleted: 0 });
      assert.deepEqual([done.session.tasksCompleted, done.session.capabilitiesDeveloped], [0, []]);
      const missing = refusedWith('NOT_FOUND', () => training.requireSession('missing'));
      assert.deepEqual([missing.message, missing.details], ['No training session with id "missing".', { sessionId: 'missing' }]);
    });

    it('audits failure and cancellation as system:student-training with the reason; refuses an illegal move naming both states', () => {
      const agent = seedAgent(db);
      const running = inProgress(agent);
      training.failSession(running.id, 'froze');
      const { session: scheduled } = training.approveTrainingProposal(proposalFor(agent).id, supervisor);
      training.cancelSession(scheduled.id, 'on leave');
      const trail = [...deps.audit.list({ action: 'training.failed' }), ...deps.audit.list({ action: 'training.cancelled' })].map((e) => [e.actor, e.details]);
      assert.deepEqual(trail, [
        ['system:student-training', { sessionId: running.id, reason: 'froze' }],
        ['system:student-training', { sessionId: scheduled.id, reason: 'on leave' }],
      ]);
      const err = refusedWith('INVALID_TRANSITION', () => training.cancelSession(running.id, 'again'));
      assert.deepEqual([err.message, err.details], [`Training session "${running.id}" is FAILED; it can move to CANCELLED only from SCHEDULED or IN_PROGRESS.`, { sessionId: running.id, from: 'FAILED', to: 'CANCELLED' }]);
    });
  });
});
