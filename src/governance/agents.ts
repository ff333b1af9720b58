/**
 * Agent repository (agent_registry) and agent episodes (agent_episodes), shared by every
 * governance service. The rules of "Rules that hold across services" it enforces:
 *
 * - One truth for status (rule 1): nothing is cached. Every read goes to the database, so a
 *   change made through any service or repository (or raw SQL) is seen by every service over
 *   the same database on its next call. A primary-key read costs a few microseconds on sql.js,
 *   far below the interceptor's 5 ms budget, so a cache would buy nothing and could go stale
 *   (another instance's write, a rolled-back transaction).
 * - Levels are crossed upward only through the criteria (rule 2): `setConfidence` /
 *   `adjustConfidence` move a maturity-level agent down at once when its confidence falls below
 *   its level's floor, but up only one level at a time and only while that transition's
 *   criteria (TRANSITION_CRITERIA over `episodeStats`) hold. When they do not, confidence stops
 *   `PROMOTION_HOLD_MARGIN` (0.001) below the next level's threshold (0.499, 0.699, 0.899), and
 *   the unmet criteria are returned and audited as `agent.promotion_withheld`. PAUSED and
 *   DEPRECATED agents keep their status whatever their confidence.
 * - `promote` (the graduation exam's path) moves one level up, raises confidence to that level's
 *   floor, and refuses with CRITERIA_NOT_MET when the criteria do not hold.
 * - `setStatus` pauses, deprecates or restores; it never moves a maturity level upward.
 * - `episodeStats` is the single definition of the graduation inputs (rule 6): episode count;
 *   intervention rate = share of completed episodes with at least one human intervention (1 when
 *   there are none: no evidence is not evidence of unaided work); constitutional score = mean of
 *   the episodes that carry one, 0 when none does.
 */
import type { GovernanceDatabase } from './db/database';
import { AuditAction, AuditLog } from './audit';
import { ConstitutionalValidator } from './constitution';
import { GovernanceError } from './errors';
import {
  CONFIDENCE_FLOOR,
  clampConfidence,
  isMaturityLevel,
  maturityRank,
  nextMaturity,
  statusForConfidence,
  TRANSITION_CRITERIA,
  systemClock,
  uuidIds,
  type Agent,
  type AgentStatus,
  type Clock,
  type EpisodeOutcome,
  type GovernanceDeps,
  type IdGenerator,
  type MaturityLevel,
  type TransitionCriteria,
} from './types';

interface AgentRow {
  id: string;
  name: string;
  category: string;
  workspace_id: string | null;
  status: AgentStatus;
  confidence_score: number;
  created_at: string;
  updated_at: string;
}

function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    workspaceId: row.workspace_id,
    status: row.status,
    confidenceScore: row.confidence_score,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Fields of a new agent; status defaults to the level its confidence implies. */
export interface NewAgent {
  id?: string;
  name: string;
  category?: string;
  workspaceId?: string | null;
  status?: AgentStatus;
  confidence?: number;
}

/** Result of a confidence change. */
export interface ConfidenceChange {
  agent: Agent;
  previousConfidence: number;
  previousStatus: AgentStatus;
  statusChanged: boolean;
  /** Why a level was not crossed (empty when nothing was withheld). */
  unmetCriteria: string[];
  /** The level the confidence would have reached but whose criteria do not hold, or null. */
  withheldPromotion: 'INTERN' | 'SUPERVISED' | 'AUTONOMOUS' | null;
}

/** Graduation inputs computed from completed episodes. */
export interface EpisodeStats {
  episodeCount: number;
  totalInterventions: number;
  /** Completed episodes with at least one human intervention. */
  episodesWithIntervention: number;
  /** Share of completed episodes with at least one intervention (1 when there are none). */
  interventionRate: number;
  /** Completed episodes that carry a constitutional score. */
  scoredEpisodes: number;
  /** Mean constitutional score of the scored episodes in [0, 1]; 0 when none is scored. */
  constitutionalScore: number;
}

/** A new agent_episodes row. */
export interface NewEpisode {
  agentId: string;
  maturityAtTime: MaturityLevel;
  outcome: EpisodeOutcome;
  humanInterventionCount?: number;
  constitutionalScore?: number | null;
  startedAt: string;
  completedAt: string;
}

/** How far below the next level's threshold a withheld promotion leaves confidence. */
export const PROMOTION_HOLD_MARGIN = 0.001;

/** Reads and writes agent_registry; see the module comment for the rules. */
export class AgentRepository {
  constructor(
    private readonly db: GovernanceDatabase,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly audit: AuditLog,
  ) {}

  /** Registers an agent. */
  insert(input: NewAgent): Agent {
    const confidence = clampConfidence(input.confidence ?? 0);
    const now = this.clock.now().toISOString();
    const id = input.id ?? this.ids.next('agent');
    this.db.run(
      `INSERT INTO agent_registry (id, name, category, workspace_id, status, confidence_score, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, input.name, input.category ?? 'general', input.workspaceId, input.status ?? statusForConfidence(confidence), confidence, now, now],
    );
    return this.require(id);
  }

  /** The agent, read from the database, or undefined. */
  get(id: string): Agent | undefined {
    const row = this.db.get<AgentRow>('SELECT * FROM agent_registry WHERE id = ?', [id]);
    return row && toAgent(row);
  }

  /** The agent, or `AGENT_NOT_FOUND`. */
  require(id: string): Agent {
    const agent = this.get(id);
    if (!agent) throw new GovernanceError('AGENT_NOT_FOUND', `No agent with id "${id}" is registered; register it in agent_registry first.`, { agentId: id });
    return agent;
  }

  /**
   * Sets confidence (clamped to [0, 1]). A maturity-level agent is demoted at once below its
   * level's floor and promoted only through the criteria (see the module comment). Audits the
   * change, any status move and any withheld promotion.
   */
  setConfidence(id: string, confidence: number, opts: { actor: string; reason: string }): ConfidenceChange {
    if (!Number.isFinite(confidence)) {
      throw new GovernanceError('INVALID_ARGUMENT', `Confidence must be a finite number, got ${confidence}.`, { agentId: id });
    }
    const before = this.require(id);
    const requested = clampConfidence(confidence);
    const { status, confidence: next, withheld } = this.gate(before, requested);
    this.write(id, status, next);
    this.audit.record({
      agentId: id,
      actor: opts.actor,
      action: AuditAction.AGENT_CONFIDENCE_CHANGED,
      details: { from: before.confidenceScore, to: next, requested: next === requested ? undefined : requested, reason: opts.reason },
    });
    if (status !== before.status) this.auditStatusMove(id, before.status, status, opts.actor, opts.reason);
    if (withheld) {
      this.audit.record({
        agentId: id,
        actor: opts.actor,
        action: AuditAction.AGENT_PROMOTION_WITHHELD,
        details: { from: status, to: withheld.to, requested, confidence: next, unmetCriteria: withheld.unmet, reason: opts.reason },
      });
    }
    return {
      agent: this.require(id),
      previousConfidence: before.confidenceScore,
      previousStatus: before.status,
      statusChanged: status !== before.status,
      unmetCriteria: withheld?.unmet ?? [],
      withheldPromotion: withheld?.to ?? null,
    };
  }

  /** Adds `delta` to the agent's confidence; see `setConfidence`. */
  adjustConfidence(id: string, delta: number, opts: { actor: string; reason: string }): ConfidenceChange {
    return this.setConfidence(id, this.require(id).confidenceScore + delta, opts);
  }

  /** The unmet criteria (sentences) of the agent's transition to `to`; empty when they hold. */
  unmetCriteria(id: string, to: 'INTERN' | 'SUPERVISED' | 'AUTONOMOUS'): string[] {
    return criteriaFailures(this.episodeStats(id), TRANSITION_CRITERIA[to]);
  }

  /**
   * Promotes a maturity-level agent one level up, to `to`, and raises its confidence to at least
   * that level's floor; audited as `agent.promoted`. Refuses a move that is not one level up
   * (INVALID_TRANSITION), a non-maturity agent (INVALID_STATUS) and a transition whose criteria
   * do not hold (CRITERIA_NOT_MET, naming them). Demotion follows confidence instead.
   */
  promote(id: string, to: MaturityLevel, opts: { actor: string; reason: string }): Agent {
    const before = this.require(id);
    if (!isMaturityLevel(before.status)) {
      throw new GovernanceError('INVALID_STATUS', `Agent "${before.name}" is ${before.status}; reactivate it before promoting it.`, { agentId: id, status: before.status });
    }
    if (to !== nextMaturity(before.status)) {
      throw new GovernanceError('INVALID_TRANSITION', `Cannot promote agent "${before.name}" from ${before.status} to ${to}: promotion moves exactly one maturity level upward.`, { agentId: id, from: before.status, to });
    }
    const unmet = this.unmetCriteria(id, to as 'INTERN' | 'SUPERVISED' | 'AUTONOMOUS');
    if (unmet.length > 0) {
      throw new GovernanceError('CRITERIA_NOT_MET', `Cannot promote agent "${before.name}" to ${to}: ${unmet.join('; ')}.`, { agentId: id, from: before.status, to, unmetCriteria: unmet });
    }
    this.write(id, to, Math.max(CONFIDENCE_FLOOR[to], before.confidenceScore));
    this.auditStatusMove(id, before.status, to, opts.actor, opts.reason);
    return this.require(id);
  }

  /**
   * Pauses or deprecates an agent, or restores a maturity level, audited. Never an upward move:
   * a maturity-level agent may only be set to its level or a lower one, and a PAUSED or
   * DEPRECATED agent restored at most to the level its confidence implies (INVALID_TRANSITION
   * otherwise). Setting a lower level lowers confidence to just below the next level's
   * threshold, so status and confidence agree.
   */
  setStatus(id: string, status: AgentStatus, opts: { actor: string; reason: string }): Agent {
    const before = this.require(id);
    let confidence = before.confidenceScore;
    if (isMaturityLevel(status)) {
      const ceiling = isMaturityLevel(before.status) ? before.status : statusForConfidence(before.confidenceScore);
      if (maturityRank(status) > maturityRank(ceiling)) {
        throw new GovernanceError('INVALID_TRANSITION', `Cannot set agent "${before.name}" (${before.status}, confidence ${before.confidenceScore}) to ${status}: levels are crossed upward only through the graduation criteria.`, { agentId: id, from: before.status, to: status });
      }
      confidence = Math.min(confidence, capBelow(nextMaturity(status)));
    }
    this.write(id, status, confidence);
    this.audit.record({ agentId: id, actor: opts.actor, action: AuditAction.AGENT_STATUS_CHANGED, details: { from: before.status, to: status, reason: opts.reason } });
    return this.require(id);
  }

  /** Records a finished episode (the graduation service's input); returns its id. */
  recordEpisode(input: NewEpisode): string {
    const id = this.ids.next('episode');
    const agent = this.require(input.agentId);
    this.db.run(
      `INSERT INTO agent_episodes (id, agent_id, workspace_id, status, maturity_at_time, human_intervention_count,
         constitutional_score, outcome, started_at, completed_at) VALUES (?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?)`,
      [id, input.agentId, agent.workspaceId, input.maturityAtTime, input.humanInterventionCount ?? 0, input.constitutionalScore, input.outcome, input.startedAt, input.completedAt],
    );
    return id;
  }

  /** Graduation inputs over the agent's completed episodes (see the module comment). */
  episodeStats(agentId: string): EpisodeStats {
    const row = this.db.get<{ n: number; interventions: number | null; intervened: number | null; scored: number; constitutional: number | null }>(
      `SELECT COUNT(*) AS n, SUM(human_intervention_count) AS interventions,
         SUM(CASE WHEN human_intervention_count > 0 THEN 1 ELSE 0 END) AS intervened,
         COUNT(constitutional_score) AS scored, AVG(constitutional_score) AS constitutional
       FROM agent_episodes WHERE agent_id = ? AND status = 'completed'`,
      [agentId],
    )!;
    const intervened = row.intervened ?? 0;
    return {
      episodeCount: row.n,
      totalInterventions: row.interventions ?? 0,
      episodesWithIntervention: intervened,
      interventionRate: row.n === 0 ? 1 : intervened / row.n,
      scoredEpisodes: row.scored,
      constitutionalScore: row.constitutional ?? 0,
    };
  }

  /** The status and confidence a requested confidence leads to under rule 2. */
  private gate(before: Agent, requested: number): { status: AgentStatus; confidence: number; withheld?: { to: 'INTERN' | 'SUPERVISED' | 'AUTONOMOUS'; unmet: string[] } } {
    if (!isMaturityLevel(before.status)) return { status: before.status, confidence: requested };
    let status: MaturityLevel = before.status;
    if (requested < CONFIDENCE_FLOOR[status]) return { status: statusForConfidence(requested), confidence: requested };
    for (let to = nextMaturity(status); to && requested >= CONFIDENCE_FLOOR[to]; to = nextMaturity(status)) {
      const target = to as 'INTERN' | 'SUPERVISED' | 'AUTONOMOUS';
      const unmet = this.unmetCriteria(before.id, target);
      if (unmet.length > 0) return { status, confidence: capBelow(target), withheld: { to: target, unmet } };
      status = target;
    }
    return { status, confidence: requested };
  }

  private write(id: string, status: AgentStatus, confidence: number): void {
    this.db.run('UPDATE agent_registry SET status = ?, confidence_score = ?, updated_at = ? WHERE id = ?', [
      status,
      confidence,
      this.clock.now().toISOString(),
      id,
    ]);
  }

  private auditStatusMove(id: string, from: AgentStatus, to: AgentStatus, actor: string, reason: string): void {
    const up = maturityRank(to) > maturityRank(from);
    this.audit.record({ agentId: id, actor, action: up ? AuditAction.AGENT_PROMOTED : AuditAction.AGENT_DEMOTED, details: { from, to, reason } });
  }
}

/** Highest confidence that stays below `level`'s threshold (1 when there is no next level). */
function capBelow(level: MaturityLevel | undefined): number {
  return level === undefined ? 1 : clampConfidence(CONFIDENCE_FLOOR[level] - PROMOTION_HOLD_MARGIN);
}

/**
 * The criteria of `criteria` that `stats` fails, as human sentences (empty = all hold).
 * Shared by the student training service and the graduation service.
 */
export function criteriaFailures(stats: EpisodeStats, criteria: TransitionCriteria): string[] {
  const failures: string[] = [];
  if (stats.episodeCount < criteria.minEpisodes) {
    failures.push(`needs ${criteria.minEpisodes} completed episodes, has ${stats.episodeCount}`);
  }
  if (stats.interventionRate > criteria.maxInterventionRate) {
    failures.push(`intervention rate ${pct(stats.interventionRate)} exceeds the maximum ${pct(criteria.maxInterventionRate)}`);
  }
  if (stats.constitutionalScore < criteria.minConstitutionalScore) {
    failures.push(`constitutional score ${stats.constitutionalScore.toFixed(2)} is below ${criteria.minConstitutionalScore.toFixed(2)}`);
  }
  return failures;
}

const pct = (rate: number): string => `${Math.round(rate * 100)}%`;

/** Fully resolved service dependencies. */
export interface ResolvedDeps {
  db: GovernanceDatabase;
  clock: Clock;
  ids: IdGenerator;
  audit: AuditLog;
  agents: AgentRepository;
  constitution: ConstitutionalValidator;
}

/**
 * Fills in defaults (system clock, UUID ids, an audit log, agent repository and constitutional
 * validator over `db`). Services built with different deps over one database still agree:
 * nothing about an agent is held in memory.
 */
export function resolveDeps(deps: GovernanceDeps): ResolvedDeps {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? uuidIds;
  const audit = deps.audit ?? new AuditLog(deps.db, clock, ids);
  const agents = deps.agents ?? new AgentRepository(deps.db, clock, ids, audit);
  const constitution = deps.constitution ?? new ConstitutionalValidator({ db: deps.db, ids });
  return { db: deps.db, clock, ids, audit, agents, constitution };
}
