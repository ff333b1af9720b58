/**
 * Agent repository (agent_registry) and agent episodes (agent_episodes), shared by every
 * governance service.
 *
 * - Status follows confidence: `setConfidence` / `adjustConfidence` move a maturity-level
 *   agent to `statusForConfidence(newConfidence)` (promotion or demotion, both audited) unless
 *   `followStatus: false` is passed (the student training service does this, because leaving
 *   STUDENT also requires the graduation criteria). PAUSED and DEPRECATED agents keep their
 *   status whatever their confidence.
 * - `promote` sets a status and raises confidence to that level's floor.
 * - A status cache serves the trigger interceptor's hot path (`getCached`); every write
 *   through this repository invalidates the agent's entry, so share ONE repository between
 *   services (`resolveDeps` does this). Writes made with raw SQL must call `invalidate()`.
 * - `episodeStats` is the single definition of the graduation inputs (episode count,
 *   intervention rate = total human interventions / completed episodes, mean constitutional
 *   score over episodes that have one, 1 when none has). Engineer B's graduation service is
 *   expected to read these through it.
 */
import type { GovernanceDatabase } from './db/database';
import { AuditAction, AuditLog } from './audit';
import { GovernanceError } from './errors';
import {
  CONFIDENCE_FLOOR,
  clampConfidence,
  isMaturityLevel,
  maturityRank,
  statusForConfidence,
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
}

/** Graduation inputs computed from completed episodes. */
export interface EpisodeStats {
  episodeCount: number;
  totalInterventions: number;
  /** Interventions per completed episode (0 when there are none). */
  interventionRate: number;
  /** Mean constitutional score in [0, 1]; 1 when no episode carries a score. */
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

/** Reads and writes agent_registry; see the module comment for the rules. */
export class AgentRepository {
  private readonly cache = new Map<string, Agent>();

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

  /** The agent from the status cache (loaded on first use), or `AGENT_NOT_FOUND`. */
  getCached(id: string): Agent {
    let agent = this.cache.get(id);
    if (!agent) {
      agent = this.require(id);
      this.cache.set(id, agent);
    }
    return agent;
  }

  /** Drops one agent (or every agent) from the status cache. */
  invalidate(id?: string): void {
    if (id === undefined) this.cache.clear();
    else this.cache.delete(id);
  }

  /**
   * Sets confidence (clamped to [0, 1]); with `followStatus` (default true) a maturity-level
   * agent moves to the level the new confidence implies. Audits the change and any status move.
   */
  setConfidence(id: string, confidence: number, opts: { actor: string; reason: string; followStatus?: boolean }): ConfidenceChange {
    if (!Number.isFinite(confidence)) {
      throw new GovernanceError('INVALID_ARGUMENT', `Confidence must be a finite number, got ${confidence}.`, { agentId: id });
    }
    const before = this.require(id);
    const next = clampConfidence(confidence);
    const follow = (opts.followStatus ?? true) && isMaturityLevel(before.status);
    const status = follow ? statusForConfidence(next) : before.status;
    this.write(id, status, next);
    this.audit.record({
      agentId: id,
      actor: opts.actor,
      action: AuditAction.AGENT_CONFIDENCE_CHANGED,
      details: { from: before.confidenceScore, to: next, reason: opts.reason },
    });
    if (status !== before.status) this.auditStatusMove(id, before.status, status, opts.actor, opts.reason);
    return { agent: this.require(id), previousConfidence: before.confidenceScore, previousStatus: before.status, statusChanged: status !== before.status };
  }

  /** Adds `delta` to the agent's confidence; see `setConfidence`. */
  adjustConfidence(id: string, delta: number, opts: { actor: string; reason: string; followStatus?: boolean }): ConfidenceChange {
    return this.setConfidence(id, this.require(id).confidenceScore + delta, opts);
  }

  /**
   * Promotes a maturity-level agent to the higher level `to` and raises its confidence to at
   * least that level's floor. Audited as `agent.promoted`. Demotion is never done here: it
   * follows confidence (`setConfidence`). Refuses a non-upward move with INVALID_TRANSITION.
   */
  promote(id: string, to: MaturityLevel, opts: { actor: string; reason: string }): Agent {
    const before = this.require(id);
    if (maturityRank(to) <= maturityRank(before.status)) {
      throw new GovernanceError('INVALID_TRANSITION', `Cannot promote agent "${before.name}" from ${before.status} to ${to}: promotion only moves a maturity level upward.`, { agentId: id, from: before.status, to });
    }
    if (!isMaturityLevel(before.status)) {
      throw new GovernanceError('INVALID_STATUS', `Agent "${before.name}" is ${before.status}; reactivate it before promoting it.`, { agentId: id, status: before.status });
    }
    this.write(id, to, Math.max(CONFIDENCE_FLOOR[to], before.confidenceScore));
    this.auditStatusMove(id, before.status, to, opts.actor, opts.reason);
    return this.require(id);
  }

  /** Sets an administrative status (PAUSED, DEPRECATED) or restores a maturity level, audited. */
  setStatus(id: string, status: AgentStatus, opts: { actor: string; reason: string }): Agent {
    const before = this.require(id);
    this.write(id, status, before.confidenceScore);
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

  /** Graduation inputs over the agent's completed episodes. */
  episodeStats(agentId: string): EpisodeStats {
    const row = this.db.get<{ n: number; interventions: number | null; constitutional: number | null }>(
      `SELECT COUNT(*) AS n, SUM(human_intervention_count) AS interventions, AVG(constitutional_score) AS constitutional
       FROM agent_episodes WHERE agent_id = ? AND status = 'completed'`,
      [agentId],
    )!;
    const totalInterventions = row.interventions ?? 0;
    return {
      episodeCount: row.n,
      totalInterventions,
      interventionRate: row.n === 0 ? 0 : totalInterventions / row.n,
      constitutionalScore: row.constitutional ?? 1,
    };
  }

  private write(id: string, status: AgentStatus, confidence: number): void {
    this.db.run('UPDATE agent_registry SET status = ?, confidence_score = ?, updated_at = ? WHERE id = ?', [
      status,
      confidence,
      this.clock.now().toISOString(),
      id,
    ]);
    this.invalidate(id);
  }

  private auditStatusMove(id: string, from: AgentStatus, to: AgentStatus, actor: string, reason: string): void {
    const up = maturityRank(to) > maturityRank(from);
    this.audit.record({ agentId: id, actor, action: up ? AuditAction.AGENT_PROMOTED : AuditAction.AGENT_DEMOTED, details: { from, to, reason } });
  }
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
}

/**
 * Fills in defaults (system clock, UUID ids, an audit log and agent repository over `db`).
 * Pass the result (or the same `agents`) to every service so they share one status cache.
 */
export function resolveDeps(deps: GovernanceDeps): ResolvedDeps {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? uuidIds;
  const audit = deps.audit ?? new AuditLog(deps.db, clock, ids);
  const agents = deps.agents ?? new AgentRepository(deps.db, clock, ids, audit);
  return { db: deps.db, clock, ids, audit, agents };
}
