/**
 * Live supervision of SUPERVISED agents.
 *
 * A session starts RUNNING for a SUPERVISED agent's trigger. While it runs the agent's actions
 * and outcomes are appended (`monitor`). A supervisor intervenes: `pause` (RUNNING → PAUSED),
 * `correct` (guidance recorded, stays RUNNING), `terminate` (RUNNING/PAUSED → TERMINATED);
 * `resume` continues a paused session. `complete` (from RUNNING) records a 1–5 rating and
 * feedback. `interrupt` stops a session for a system reason (e.g. the agent was paused).
 *
 * Outcomes feed confidence and graduation (choices where the spec is silent):
 * - Completion boost = RATING_BOOST[rating] − 0.01 per intervention, so interventions always
 *   reduce it; termination applies −0.1. Falling below the agent's level floor demotes it at
 *   once; a rating never crosses a level upward unless that transition's criteria hold
 *   (rule 2): otherwise confidence stops just below the threshold (0.899 below AUTONOMOUS),
 *   and the unmet criteria are returned in `unmetCriteria` and audited
 *   (`agent.promotion_withheld`) by the agent repository.
 * - Completion and termination each record exactly one `agent_episodes` row (rule 5), before
 *   the confidence change so the criteria count it: maturity = the agent's level at the time,
 *   human interventions = the session's intervention count, constitutional score from
 *   validating `{ sessionId, triggerContext, agentActions, outcomes }` against the rules (see
 *   evidence.ts) — that is how interventions reach the intervention rate the graduation
 *   service reads. Outcome: rating ≥ 4 success, 3 partial, ≤ 2 failure; termination is a
 *   failure. Interruption records nothing toward graduation and leaves confidence unchanged.
 */
import { AuditAction } from './audit';
import { resolveDeps, type ResolvedDeps } from './agents';
import type { SqlParam } from './db/database';
import { GovernanceError } from './errors';
import { recordWorkEpisode } from './evidence';
import {
  INTERVENTION_TYPES,
  type Agent,
  type GovernanceDeps,
  type Intervention,
  type InterventionType,
  type Json,
  type SupervisionSession,
  type SupervisionStatus,
} from './types';

/** Confidence change for each supervisor rating, before the intervention penalty. */
export const RATING_BOOST: Readonly<Record<1 | 2 | 3 | 4 | 5, number>> = { 1: -0.1, 2: -0.05, 3: 0, 4: 0.05, 5: 0.1 };
/** Subtracted from the completion boost per intervention. */
export const INTERVENTION_PENALTY = 0.01;
/** Confidence change when a supervisor terminates a session. */
export const TERMINATION_PENALTY = -0.1;

/** Options for starting a session. */
export interface StartSupervision {
  triggerId?: string | null;
  triggerContext?: Record<string, Json>;
  supervisorId?: string | null;
}

/** Result of completing or terminating a session. */
export interface SupervisionResult {
  session: SupervisionSession;
  agent: Agent;
  confidenceBoost: number;
  statusChanged: boolean;
  /** Why the boost did not cross the next level (empty when nothing was withheld). */
  unmetCriteria: string[];
  episodeId: string;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** Live supervision sessions; see the module comment. */
export class SupervisionService {
  private readonly deps: ResolvedDeps;

  constructor(deps: GovernanceDeps) {
    this.deps = resolveDeps(deps);
  }

  /**
   * Starts a RUNNING session for a SUPERVISED agent (INVALID_STATUS for any other status).
   * @gap supervised execution: a SUPERVISED agent acts while a human watches
   */
  startSession(agentId: string, opts: StartSupervision = {}): SupervisionSession {
    return this.deps.db.transaction(() => {
      const agent = this.deps.agents.require(agentId);
      if (agent.status !== 'SUPERVISED') {
        throw new GovernanceError('INVALID_STATUS', `Agent "${agent.name}" is ${agent.status}; only SUPERVISED agents run under supervision sessions.`, { agentId, status: agent.status });
      }
      const id = this.deps.ids.next('supervision');
      this.deps.db.run(
        `INSERT INTO supervision_sessions (id, agent_id, agent_name, workspace_id, trigger_id, trigger_context, status, supervisor_id, started_at)
         VALUES (?, ?, ?, ?, ?, ?, 'RUNNING', ?, ?)`,
        [id, agentId, agent.name, agent.workspaceId, opts.triggerId, JSON.stringify(opts.triggerContext ?? {}), opts.supervisorId, this.now()],
      );
      this.deps.audit.record({ agentId, actor: opts.supervisorId ?? 'system:supervision', action: AuditAction.SUPERVISION_STARTED, details: { sessionId: id, triggerId: opts.triggerId } });
      return this.requireSession(id);
    });
  }

  /** Appends an agent action and/or an outcome to a RUNNING session. */
  monitor(sessionId: string, entry: { action?: Json; outcome?: Json }): SupervisionSession {
    if (entry.action === undefined && entry.outcome === undefined) {
      throw new GovernanceError('INVALID_ARGUMENT', 'monitor() needs an action or an outcome to record.', { sessionId });
    }
    return this.deps.db.transaction(() => {
      const session = this.expect(sessionId, ['RUNNING'], 'record agent activity');
      const actions = entry.action === undefined ? session.agentActions : [...session.agentActions, entry.action];
      const outcomes = entry.outcome === undefined ? session.outcomes : [...session.outcomes, entry.outcome];
      this.deps.db.run('UPDATE supervision_sessions SET agent_actions = ?, outcomes = ? WHERE id = ?', [JSON.stringify(actions), JSON.stringify(outcomes), sessionId]);
      this.deps.audit.record({ agentId: session.agentId, actor: `agent:${session.agentId}`, action: AuditAction.SUPERVISION_ACTION, details: { sessionId, action: entry.action, outcome: entry.outcome } });
      return this.requireSession(sessionId);
    });
  }

  /**
   * A supervisor intervention: pause (RUNNING → PAUSED), correct (stays RUNNING), terminate
   * (RUNNING/PAUSED → TERMINATED, −0.1 confidence, failure episode). Each one counts.
   * @gap human intervention: a supervisor stops or corrects a live agent
   */
  intervene(sessionId: string, type: InterventionType, guidance: string, supervisorId: string | null = null): SupervisionSession {
    if (!INTERVENTION_TYPES.includes(type)) {
      throw new GovernanceError('INVALID_ARGUMENT', `Unknown intervention type "${String(type)}"; use one of ${INTERVENTION_TYPES.join(', ')}.`, { sessionId });
    }
    return this.deps.db.transaction(() => {
      const from: SupervisionStatus[] = type === 'terminate' ? ['RUNNING', 'PAUSED'] : ['RUNNING'];
      const session = this.expect(sessionId, from, type);
      const intervention: Intervention = { type, timestamp: this.now(), guidance, supervisorId };
      const status: SupervisionStatus = type === 'pause' ? 'PAUSED' : type === 'terminate' ? 'TERMINATED' : 'RUNNING';
      this.deps.db.run('UPDATE supervision_sessions SET status = ?, intervention_count = ?, interventions = ? WHERE id = ?', [
        status,
        session.interventionCount + 1,
        JSON.stringify([...session.interventions, intervention]),
        sessionId,
      ]);
      this.deps.audit.record({ agentId: session.agentId, actor: supervisorId ?? 'supervisor', action: AuditAction.SUPERVISION_INTERVENTION, details: { sessionId, type, guidance } });
      if (type === 'terminate') this.close(sessionId, TERMINATION_PENALTY, 'failure', `supervision session ${sessionId} terminated`, supervisorId);
      return this.requireSession(sessionId);
    });
  }

  /** PAUSED → RUNNING. */
  resume(sessionId: string, supervisorId: string | null = null): SupervisionSession {
    return this.deps.db.transaction(() => {
      const session = this.expect(sessionId, ['PAUSED'], 'resume');
      this.deps.db.run("UPDATE supervision_sessions SET status = 'RUNNING' WHERE id = ?", [sessionId]);
      this.deps.audit.record({ agentId: session.agentId, actor: supervisorId ?? 'supervisor', action: AuditAction.SUPERVISION_RESUMED, details: { sessionId } });
      return this.requireSession(sessionId);
    });
  }

  /**
   * RUNNING → COMPLETED with a 1–5 rating; applies the confidence boost (status follows) and
   * records the episode. A paused session must be resumed first.
   * @gap confidence update: a supervisor's rating moves the agent's maturity
   */
  complete(sessionId: string, review: { rating: number; feedback?: string; supervisorId?: string | null }): SupervisionResult {
    if (!(Number.isInteger(review.rating) && review.rating >= 1 && review.rating <= 5)) {
      throw new GovernanceError('INVALID_ARGUMENT', `Supervisor rating must be an integer from 1 to 5, got ${review.rating}.`, { sessionId });
    }
    return this.deps.db.transaction(() => {
      const session = this.expect(sessionId, ['RUNNING'], 'complete');
      const rating = review.rating as 1 | 2 | 3 | 4 | 5;
      const boost = round3(RATING_BOOST[rating] - INTERVENTION_PENALTY * session.interventionCount);
      this.deps.db.run("UPDATE supervision_sessions SET status = 'COMPLETED', supervisor_rating = ?, supervisor_feedback = ? WHERE id = ?", [rating, review.feedback, sessionId]);
      const outcome = rating >= 4 ? 'success' : rating === 3 ? 'partial' : 'failure';
      return this.close(sessionId, boost, outcome, `supervision session ${sessionId} rated ${rating}`, review.supervisorId ?? null);
    });
  }

  /** RUNNING/PAUSED → INTERRUPTED for a system reason; no confidence change, no episode. */
  interrupt(sessionId: string, reason: string): SupervisionSession {
    return this.deps.db.transaction(() => {
      const session = this.expect(sessionId, ['RUNNING', 'PAUSED'], 'interrupt');
      const now = this.now();
      this.deps.db.run("UPDATE supervision_sessions SET status = 'INTERRUPTED', completed_at = ?, duration_seconds = ?, supervisor_feedback = ? WHERE id = ?", [now, this.elapsed(session, now), reason, sessionId]);
      this.deps.audit.record({ agentId: session.agentId, actor: 'system:supervision', action: AuditAction.SUPERVISION_INTERRUPTED, details: { sessionId, reason } });
      return this.requireSession(sessionId);
    });
  }

  /** Sessions, oldest first, optionally of one agent and/or status. */
  listSessions(filter: { agentId?: string; status?: SupervisionStatus } = {}): SupervisionSession[] {
    return this.deps.db
      .all<Record<string, SqlParam>>('SELECT * FROM supervision_sessions WHERE (? IS NULL OR agent_id = ?) AND (? IS NULL OR status = ?) ORDER BY started_at, rowid', [filter.agentId, filter.agentId, filter.status, filter.status])
      .map(mapSession);
  }

  /** The session, or NOT_FOUND. */
  requireSession(sessionId: string): SupervisionSession {
    const row = this.deps.db.get<Record<string, SqlParam>>('SELECT * FROM supervision_sessions WHERE id = ?', [sessionId]);
    if (!row) throw new GovernanceError('NOT_FOUND', `No supervision session with id "${sessionId}".`, { sessionId });
    return mapSession(row);
  }

  /** Finishes a session: timing, boost, confidence (status follows), episode. */
  private close(sessionId: string, boost: number, outcome: 'success' | 'partial' | 'failure', reason: string, supervisorId: string | null): SupervisionResult {
    const session = this.requireSession(sessionId);
    const now = this.now();
    this.deps.db.run('UPDATE supervision_sessions SET completed_at = ?, duration_seconds = ?, confidence_boost = ? WHERE id = ?', [now, this.elapsed(session, now), boost, sessionId]);
    const subject = { sessionId, triggerContext: session.triggerContext, agentActions: session.agentActions, outcomes: session.outcomes };
    const { episodeId } = recordWorkEpisode(this.deps, { agentId: session.agentId, outcome, humanInterventionCount: session.interventionCount, subject, startedAt: session.startedAt, completedAt: now });
    const change = this.deps.agents.adjustConfidence(session.agentId, boost, { actor: supervisorId ?? 'supervisor', reason });
    this.deps.audit.record({ agentId: session.agentId, actor: supervisorId ?? 'supervisor', action: AuditAction.SUPERVISION_COMPLETED, details: { sessionId, status: session.status, confidenceBoost: boost, outcome, episodeId } });
    return { session: this.requireSession(sessionId), agent: change.agent, confidenceBoost: boost, statusChanged: change.statusChanged, unmetCriteria: change.unmetCriteria, episodeId };
  }

  private expect(sessionId: string, from: readonly SupervisionStatus[], what: string): SupervisionSession {
    const session = this.requireSession(sessionId);
    if (!from.includes(session.status)) {
      throw new GovernanceError('INVALID_TRANSITION', `Supervision session "${sessionId}" is ${session.status}; cannot ${what} (allowed only when ${from.join(' or ')}).`, { sessionId, status: session.status });
    }
    return session;
  }

  private elapsed(session: SupervisionSession, now: string): number {
    return (Date.parse(now) - Date.parse(session.startedAt)) / 1000;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** A supervision_sessions row as the service returns it (JSON columns parsed). */
function mapSession(row: Record<string, SqlParam>): SupervisionSession {
  return {
    id: row.id as string,
    agentId: row.agent_id as string,
    agentName: row.agent_name as string,
    workspaceId: row.workspace_id as string | null,
    triggerId: row.trigger_id as string | null,
    triggerContext: JSON.parse(row.trigger_context as string) as Json,
    status: row.status as SupervisionStatus,
    supervisorId: row.supervisor_id as string | null,
    startedAt: row.started_at as string,
    completedAt: row.completed_at as string | null,
    durationSeconds: row.duration_seconds as number | null,
    interventionCount: row.intervention_count as number,
    interventions: JSON.parse(row.interventions as string) as Intervention[],
    agentActions: JSON.parse(row.agent_actions as string) as Json[],
    outcomes: JSON.parse(row.outcomes as string) as Json[],
    supervisorRating: row.supervisor_rating as number | null,
    supervisorFeedback: row.supervisor_feedback as string | null,
    confidenceBoost: row.confidence_boost as number | null,
  };
}
