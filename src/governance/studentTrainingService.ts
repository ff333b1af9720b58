/**
 * Student training: where a STUDENT agent's blocked triggers go.
 *
 * Lifecycle: blocked trigger context → TRAINING proposal (objectives and capability gaps
 * derived from the trigger, duration estimated from history) → approved (optional user
 * override of the duration) → training session SCHEDULED → IN_PROGRESS → COMPLETED (or
 * FAILED / CANCELLED). Completion records the session's episode (rule 5: one agent_episodes
 * row, scored against the constitutional rules on what the session did, see evidence.ts),
 * then applies the confidence boost (capped at 1.0) through the agent repository, marks the
 * proposal EXECUTED and resolves its blocked triggers. The boost crosses a level only through
 * the criteria (rule 2): a STUDENT whose confidence reaches 0.5 becomes INTERN only when the
 * STUDENT → INTERN criteria hold — counting this session's episode — otherwise its confidence
 * stops at 0.499 and the unmet criteria are returned (and audited as
 * `agent.promotion_withheld`). The same holds for an agent of any level being trained.
 *
 * Choices where the spec is silent (documented here as the contract):
 * - Duration estimate: mean duration of this agent's completed sessions (confidence
 *   0.5 + 0.1·n, at most 0.9); else of completed sessions of agents in the same category
 *   (0.4 + 0.05·n, at most 0.75); else 4 h + 2 h per capability gap, at most 40 h (0.3).
 *   Estimates are at least 0.25 h.
 * - Confidence boost on completion: 0.2·performance − 0.02·errors, within [0, 0.2].
 * - The completion episode's outcome: success at performance ≥ 0.7, partial at ≥ 0.4, else
 *   failure; its human interventions are the session's errors; its maturity is the agent's
 *   level when the session completed (before the boost).
 * - A FAILED or CANCELLED session leaves the proposal APPROVED; `scheduleSession` retries it.
 */
import { AuditAction } from './audit';
import { resolveDeps, type ResolvedDeps } from './agents';
import { recordWorkEpisode } from './evidence';
import type { SqlParam } from './db/database';
import { GovernanceError } from './errors';
import { insertProposal, requireProposal, updateProposalFields } from './proposals';
import {
  maturityRank,
  maxComplexity,
  type Agent,
  type BlockedTriggerContext,
  type GovernanceDeps,
  type Json,
  type Proposal,
  type RoutingDecision,
  type TrainingSession,
  type TrainingStatus,
  type TriggerSource,
} from './types';

/** How long a training is expected to take, and how sure the estimate is. */
export interface DurationEstimate {
  hours: number;
  confidence: number;
  basis: 'agent' | 'category' | 'default';
  sampleSize: number;
  reasoning: string;
}

/** A trigger to record as blocked. */
export interface BlockedTriggerInput {
  agent: Agent;
  source: TriggerSource;
  triggerType: string;
  context: Record<string, Json>;
  routingDecision: RoutingDecision;
  blockReason: string;
}

/** What happened in a training session. */
export interface TrainingOutcome {
  /** In [0, 1]. */
  performanceScore: number;
  /** Defaults to every task of the session. */
  tasksCompleted?: number;
  errorsCount?: number;
  supervisorFeedback?: string;
  capabilitiesDeveloped?: string[];
}

/** Result of completing a session. */
export interface CompletionResult {
  session: TrainingSession;
  agent: Agent;
  confidenceBoost: number;
  promoted: boolean;
  /** Why the boost did not cross the next level (empty when it did not reach it, or crossed). */
  unmetCriteria: string[];
  /** The episode this session left. */
  episodeId: string;
}

const ACTIVE: readonly TrainingStatus[] = ['SCHEDULED', 'IN_PROGRESS'];
const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Objectives, capability gaps and scenario derived from a blocked trigger. */
export function deriveTrainingPlan(source: TriggerSource, triggerType: string, context: Record<string, Json>): {
  capabilityGaps: string[];
  learningObjectives: string[];
  scenario: string;
} {
  const gaps = [`handling ${triggerType} triggers`];
  const required = context.requiredCapabilities;
  if (Array.isArray(required)) gaps.push(...required.filter((c): c is string => typeof c === 'string'));
  const complexity = context.actionComplexity;
  if (typeof complexity === 'number' && complexity > maxComplexity('STUDENT')) gaps.push(`actions of complexity ${complexity}`);
  const capabilityGaps = [...new Set(gaps)];
  return {
    capabilityGaps,
    learningObjectives: [
      `Respond to ${source} ${triggerType} triggers within governance rules`,
      ...capabilityGaps.map((g) => `Demonstrate ${g} under supervision without errors`),
    ],
    scenario: `Replay the blocked ${triggerType} trigger from ${source} in a sandbox`,
  };
}

/** Training of STUDENT agents; see the module comment. */
export class StudentTrainingService {
  private readonly deps: ResolvedDeps;

  constructor(deps: GovernanceDeps) {
    this.deps = resolveDeps(deps);
  }

  /** Records a blocked trigger (called by the trigger interceptor). Not audited here. */
  recordBlockedTrigger(input: BlockedTriggerInput): BlockedTriggerContext {
    const id = this.deps.ids.next('blocked');
    this.deps.db.run(
      `INSERT INTO blocked_trigger_contexts (id, agent_id, agent_name, agent_maturity_at_block, confidence_score_at_block,
         trigger_source, trigger_type, trigger_context, routing_decision, block_reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, input.agent.id, input.agent.name, input.agent.status, input.agent.confidenceScore, input.source, input.triggerType,
        JSON.stringify(input.context), input.routingDecision, input.blockReason, this.now()],
    );
    return this.requireBlockedTrigger(id);
  }

  /** The blocked trigger context, or NOT_FOUND. */
  requireBlockedTrigger(id: string): BlockedTriggerContext {
    const row = this.deps.db.get<Record<string, SqlParam>>('SELECT * FROM blocked_trigger_contexts WHERE id = ?', [id]);
    if (!row) throw new GovernanceError('NOT_FOUND', `No blocked trigger context with id "${id}".`, { blockedTriggerId: id });
    return {
      id: row.id as string,
      agentId: row.agent_id as string,
      agentName: row.agent_name as string,
      agentMaturityAtBlock: row.agent_maturity_at_block as BlockedTriggerContext['agentMaturityAtBlock'],
      confidenceScoreAtBlock: row.confidence_score_at_block as number,
      triggerSource: row.trigger_source as TriggerSource,
      triggerType: row.trigger_type as string,
      triggerContext: JSON.parse(row.trigger_context as string) as Json,
      routingDecision: row.routing_decision as RoutingDecision,
      blockReason: row.block_reason as string,
      proposalId: row.proposal_id as string | null,
      resolved: row.resolved === 1,
      resolvedAt: row.resolved_at as string | null,
      resolutionOutcome: row.resolution_outcome as string | null,
      createdAt: row.created_at as string,
    };
  }

  /**
   * Creates the TRAINING proposal for an unresolved blocked trigger that has none yet, and
   * links it. Refuses (INVALID_STATUS) a resolved trigger or one that already has a proposal.
   */
  createTrainingProposal(blockedTriggerId: string, proposedBy = 'system:student-training'): Proposal {
    return this.deps.db.transaction(() => {
      const blocked = this.requireBlockedTrigger(blockedTriggerId);
      if (blocked.resolved || blocked.proposalId !== null) {
        throw new GovernanceError('INVALID_STATUS', `Blocked trigger "${blockedTriggerId}" is already ${blocked.resolved ? 'resolved' : `linked to proposal ${blocked.proposalId}`}; no new training proposal was created.`, { blockedTriggerId });
      }
      const plan = deriveTrainingPlan(blocked.triggerSource, blocked.triggerType, blocked.triggerContext as Record<string, Json>);
      const estimate = this.estimateDuration(blocked.agentId, plan.capabilityGaps);
      const proposal = insertProposal(this.deps.db, this.deps.clock, this.deps.ids, {
        agentId: blocked.agentId,
        agentName: blocked.agentName,
        proposalType: 'TRAINING',
        title: `Training: ${blocked.triggerType} for ${blocked.agentName}`,
        description: `${blocked.agentName} was blocked: ${blocked.blockReason}`,
        reasoning: `A ${blocked.agentMaturityAtBlock} agent (confidence ${blocked.confidenceScoreAtBlock}) may not act on ${blocked.triggerSource} triggers; training closes the capability gaps.`,
        learningObjectives: plan.learningObjectives,
        capabilityGaps: plan.capabilityGaps,
        trainingScenarioTemplate: plan.scenario,
        estimatedDurationHours: estimate.hours,
        durationEstimationConfidence: estimate.confidence,
        durationEstimationReasoning: estimate.reasoning,
        proposedBy,
      });
      this.deps.db.run('UPDATE blocked_trigger_contexts SET proposal_id = ? WHERE id = ?', [proposal.id, blockedTriggerId]);
      this.deps.audit.record({ agentId: blocked.agentId, actor: proposedBy, action: AuditAction.PROPOSAL_CREATED, details: { proposalId: proposal.id, proposalType: 'TRAINING', blockedTriggerId } });
      return proposal;
    });
  }

  /** Estimates training hours from the agent's, then its category's, completed sessions. */
  estimateDuration(agentId: string, capabilityGaps: readonly string[] = []): DurationEstimate {
    const agent = this.deps.agents.require(agentId);
    const own = this.history('s.agent_id = ?', [agentId]);
    if (own.n > 0) {
      const hours = round2(Math.max(0.25, own.mean / 3600));
      return { hours, confidence: round2(Math.min(0.9, 0.5 + 0.1 * own.n)), basis: 'agent', sampleSize: own.n, reasoning: `Mean of ${own.n} completed training session(s) of ${agent.name}.` };
    }
    const peers = this.history('a.category = ? AND s.agent_id <> ?', [agent.category, agentId]);
    if (peers.n > 0) {
      const hours = round2(Math.max(0.25, peers.mean / 3600));
      return { hours, confidence: round2(Math.min(0.75, 0.4 + 0.05 * peers.n)), basis: 'category', sampleSize: peers.n, reasoning: `Mean of ${peers.n} completed training session(s) of other "${agent.category}" agents.` };
    }
    const hours = Math.min(40, 4 + 2 * capabilityGaps.length);
    return { hours, confidence: 0.3, basis: 'default', sampleSize: 0, reasoning: `No completed training history; default of 4 h plus 2 h for each of ${capabilityGaps.length} capability gap(s).` };
  }

  /**
   * Approves a PROPOSED training proposal (optionally overriding its duration and daily limit)
   * and schedules its session.
   * @gap training approval: a human commits an agent to a training plan
   */
  approveTrainingProposal(proposalId: string, approverId: string, opts: { overrideDurationHours?: number; hoursPerDayLimit?: number } = {}): { proposal: Proposal; session: TrainingSession } {
    for (const [name, value] of Object.entries(opts)) {
      if (value !== undefined && !(typeof value === 'number' && value > 0 && value <= (name === 'hoursPerDayLimit' ? 24 : 1000))) {
        throw new GovernanceError('INVALID_ARGUMENT', `${name} must be a positive number of hours, got ${String(value)}.`, { proposalId });
      }
    }
    return this.deps.db.transaction(() => {
      const proposal = this.requireTraining(proposalId);
      if (proposal.status !== 'PROPOSED') {
        throw new GovernanceError('INVALID_STATUS', `Only a PROPOSED training proposal can be approved; "${proposalId}" is ${proposal.status}.`, { proposalId, status: proposal.status });
      }
      updateProposalFields(this.deps.db, proposalId, { status: 'APPROVED', approvedBy: approverId, approvedAt: this.now(), userOverrideDurationHours: opts.overrideDurationHours ?? null });
      if (opts.hoursPerDayLimit !== undefined) this.deps.db.run('UPDATE agent_proposals SET hours_per_day_limit = ? WHERE id = ?', [opts.hoursPerDayLimit, proposalId]);
      this.deps.audit.record({ agentId: proposal.agentId, actor: approverId, action: AuditAction.PROPOSAL_APPROVED, details: { proposalId, overrideDurationHours: opts.overrideDurationHours } });
      const session = this.scheduleSession(proposalId, approverId);
      return { proposal: requireProposal(this.deps.db, proposalId), session };
    });
  }

  /** Schedules a session for an APPROVED training proposal that has no active session. */
  scheduleSession(proposalId: string, supervisorId: string | null = null): TrainingSession {
    return this.deps.db.transaction(() => {
      const proposal = this.requireTraining(proposalId);
      const active = this.deps.db.get<{ id: string }>(`SELECT id FROM training_sessions WHERE proposal_id = ? AND status IN ('SCHEDULED', 'IN_PROGRESS')`, [proposalId]);
      if (proposal.status !== 'APPROVED' || active) {
        throw new GovernanceError('INVALID_STATUS', `Cannot schedule training for proposal "${proposalId}": it is ${proposal.status}${active ? ` and session ${active.id} is still active` : ''}; it must be APPROVED with no active session.`, { proposalId });
      }
      const id = this.deps.ids.next('training');
      const supervisor = supervisorId && this.deps.db.get('SELECT id FROM users WHERE id = ?', [supervisorId]) ? supervisorId : null;
      this.deps.db.run(
        `INSERT INTO training_sessions (id, proposal_id, agent_id, agent_name, supervisor_id, status, total_tasks, capability_gaps_remaining, created_at)
         VALUES (?, ?, ?, ?, ?, 'SCHEDULED', ?, ?, ?)`,
        [id, proposalId, proposal.agentId, proposal.agentName, supervisor, proposal.learningObjectives.length, JSON.stringify(proposal.capabilityGaps), this.now()],
      );
      this.deps.audit.record({ agentId: proposal.agentId, actor: supervisorId ?? 'system:student-training', action: AuditAction.TRAINING_SCHEDULED, details: { sessionId: id, proposalId } });
      return this.requireSession(id);
    });
  }

  /** SCHEDULED → IN_PROGRESS. */
  startSession(sessionId: string): TrainingSession {
    return this.deps.db.transaction(() => {
      const session = this.transition(sessionId, ['SCHEDULED'], 'IN_PROGRESS');
      this.deps.db.run('UPDATE training_sessions SET started_at = ? WHERE id = ?', [this.now(), sessionId]);
      this.deps.audit.record({ agentId: session.agentId, actor: 'system:student-training', action: AuditAction.TRAINING_STARTED, details: { sessionId } });
      return this.requireSession(sessionId);
    });
  }

  /**
   * IN_PROGRESS → COMPLETED with the outcome; applies the confidence boost and promotes
   * STUDENT → INTERN when confidence ≥ 0.5 and the criteria hold. All in one transaction.
   * @gap agent promotion: completing training can promote a STUDENT to act with approval
   */
  completeSession(sessionId: string, outcome: TrainingOutcome): CompletionResult {
    const { performanceScore: perf, errorsCount: errors = 0 } = outcome;
    if (!(typeof perf === 'number' && perf >= 0 && perf <= 1) || !(Number.isInteger(errors) && errors >= 0)) {
      throw new GovernanceError('INVALID_ARGUMENT', `performanceScore must be within [0, 1] and errorsCount a non-negative integer (got ${perf}, ${errors}).`, { sessionId });
    }
    return this.deps.db.transaction(() => {
      const before = this.requireSession(sessionId);
      const tasks = outcome.tasksCompleted ?? before.totalTasks;
      if (!(Number.isInteger(tasks) && tasks >= 0 && tasks <= before.totalTasks)) {
        throw new GovernanceError('INVALID_ARGUMENT', `tasksCompleted must be an integer between 0 and ${before.totalTasks}, got ${tasks}.`, { sessionId });
      }
      this.transition(sessionId, ['IN_PROGRESS'], 'COMPLETED');
      const now = this.now();
      const developed = outcome.capabilitiesDeveloped ?? [];
      const proposal = requireProposal(this.deps.db, before.proposalId);
      const remaining = proposal.capabilityGaps.filter((g) => !developed.includes(g));
      const boost = round2(Math.min(0.2, Math.max(0, 0.2 * perf - 0.02 * errors)));
      const actor = 'system:student-training';
      const subject: Json = { sessionId, scenario: proposal.trainingScenarioTemplate, tasksCompleted: tasks, totalTasks: before.totalTasks, performanceScore: perf, errorsCount: errors, supervisorFeedback: outcome.supervisorFeedback ?? null, capabilitiesDeveloped: developed };
      const outcomeOf = perf >= 0.7 ? 'success' : perf >= 0.4 ? 'partial' : 'failure';
      const episode = recordWorkEpisode(this.deps, { agentId: before.agentId, outcome: outcomeOf, humanInterventionCount: errors, subject, startedAt: before.startedAt!, completedAt: now });
      const change = this.deps.agents.adjustConfidence(before.agentId, boost, { actor, reason: `training session ${sessionId} completed` });
      const promoted = maturityRank(change.agent.status) > maturityRank(change.previousStatus);
      const unmetCriteria = change.unmetCriteria;
      this.deps.db.run(
        `UPDATE training_sessions SET tasks_completed = ?, performance_score = ?, supervisor_feedback = ?, errors_count = ?,
           capabilities_developed = ?, capability_gaps_remaining = ?, confidence_boost = ?, promoted_to_autonomous = ?,
           completed_at = ?, duration_seconds = ? WHERE id = ?`,
        [tasks, perf, outcome.supervisorFeedback, errors, JSON.stringify(developed), JSON.stringify(remaining), boost, promoted, now,
          (Date.parse(now) - Date.parse(before.startedAt!)) / 1000, sessionId],
      );
      const result: Json = { sessionId, performanceScore: perf, confidenceBoost: boost, promoted, unmetCriteria, episodeId: episode.episodeId };
      updateProposalFields(this.deps.db, proposal.id, { status: 'EXECUTED', executionResult: result, completedAt: now });
      this.deps.db.run('UPDATE blocked_trigger_contexts SET resolved = 1, resolved_at = ?, resolution_outcome = ? WHERE proposal_id = ?', [now, promoted ? 'trained_and_promoted' : 'trained', proposal.id]);
      this.deps.audit.record({ agentId: before.agentId, actor, action: AuditAction.TRAINING_COMPLETED, details: result });
      return { session: this.requireSession(sessionId), agent: this.deps.agents.require(before.agentId), confidenceBoost: boost, promoted, unmetCriteria, episodeId: episode.episodeId };
    });
  }

  /** IN_PROGRESS → FAILED with a reason; confidence unchanged, proposal stays APPROVED. */
  failSession(sessionId: string, reason: string, errorsCount = 0): TrainingSession {
    return this.finish(sessionId, ['IN_PROGRESS'], 'FAILED', reason, errorsCount, AuditAction.TRAINING_FAILED);
  }

  /** SCHEDULED or IN_PROGRESS → CANCELLED; proposal stays APPROVED. */
  cancelSession(sessionId: string, reason: string): TrainingSession {
    return this.finish(sessionId, ACTIVE, 'CANCELLED', reason, 0, AuditAction.TRAINING_CANCELLED);
  }

  /** The session, or NOT_FOUND. */
  requireSession(sessionId: string): TrainingSession {
    const row = this.deps.db.get<Record<string, SqlParam>>('SELECT * FROM training_sessions WHERE id = ?', [sessionId]);
    if (!row) throw new GovernanceError('NOT_FOUND', `No training session with id "${sessionId}".`, { sessionId });
    return {
      id: row.id as string,
      proposalId: row.proposal_id as string,
      agentId: row.agent_id as string,
      agentName: row.agent_name as string,
      studentId: row.student_id as string | null,
      supervisorId: row.supervisor_id as string | null,
      status: row.status as TrainingStatus,
      tasksCompleted: row.tasks_completed as number,
      totalTasks: row.total_tasks as number,
      performanceScore: row.performance_score as number | null,
      supervisorFeedback: row.supervisor_feedback as string | null,
      errorsCount: row.errors_count as number,
      capabilitiesDeveloped: JSON.parse(row.capabilities_developed as string) as string[],
      capabilityGapsRemaining: JSON.parse(row.capability_gaps_remaining as string) as string[],
      confidenceBoost: row.confidence_boost as number | null,
      promotedToAutonomous: row.promoted_to_autonomous === 1,
      startedAt: row.started_at as string | null,
      completedAt: row.completed_at as string | null,
      durationSeconds: row.duration_seconds as number | null,
      createdAt: row.created_at as string,
    };
  }

  private finish(sessionId: string, from: readonly TrainingStatus[], to: TrainingStatus, reason: string, errors: number, action: string): TrainingSession {
    return this.deps.db.transaction(() => {
      const session = this.transition(sessionId, from, to);
      this.deps.db.run('UPDATE training_sessions SET supervisor_feedback = ?, errors_count = ?, completed_at = ? WHERE id = ?', [reason, errors, this.now(), sessionId]);
      this.deps.audit.record({ agentId: session.agentId, actor: 'system:student-training', action, details: { sessionId, reason } });
      return this.requireSession(sessionId);
    });
  }

  private transition(sessionId: string, from: readonly TrainingStatus[], to: TrainingStatus): TrainingSession {
    const session = this.requireSession(sessionId);
    if (!from.includes(session.status)) {
      throw new GovernanceError('INVALID_TRANSITION', `Training session "${sessionId}" is ${session.status}; it can move to ${to} only from ${from.join(' or ')}.`, { sessionId, from: session.status, to });
    }
    this.deps.db.run('UPDATE training_sessions SET status = ? WHERE id = ?', [to, sessionId]);
    return session;
  }

  private requireTraining(proposalId: string): Proposal {
    const proposal = requireProposal(this.deps.db, proposalId);
    if (proposal.proposalType !== 'TRAINING') {
      throw new GovernanceError('INVALID_ARGUMENT', `Proposal "${proposalId}" is an ${proposal.proposalType} proposal, not a TRAINING proposal.`, { proposalId });
    }
    return proposal;
  }

  private history(where: string, params: SqlParam[]): { n: number; mean: number } {
    return this.deps.db.get<{ n: number; mean: number }>(
      `SELECT COUNT(*) AS n, COALESCE(AVG(s.duration_seconds), 0) AS mean FROM training_sessions s
       JOIN agent_registry a ON a.id = s.agent_id WHERE s.status = 'COMPLETED' AND s.duration_seconds IS NOT NULL AND ${where}`,
      params,
    )!;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
