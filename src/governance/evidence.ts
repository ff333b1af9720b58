/**
 * Work leaves evidence (rule 5 of "Rules that hold across services"): every executed proposal
 * (success or failure), every completed or terminated supervision session, every completed
 * training session and every AUTONOMOUS execution records exactly one agent_episodes row, in
 * the same transaction as the work's own record. The row carries the outcome, the agent's
 * maturity at the time, the human intervention count, and a constitutional score from
 * validating what was done (`subject`) against the constitutional rules of the agent's
 * workspace (`ConstitutionalValidator.validate(...).score`; 1 when no rule applies).
 *
 * The maturity at the time is the agent's status when the work finished; an agent that was
 * paused or deprecated meanwhile is recorded at the level its confidence implies (the column
 * admits maturity levels only).
 */
import type { ResolvedDeps } from './agents';
import { isMaturityLevel, statusForConfidence, type EpisodeOutcome, type Json, type MaturityLevel } from './types';

/** One finished piece of work. */
export interface WorkDone {
  agentId: string;
  outcome: EpisodeOutcome;
  humanInterventionCount: number;
  /** What the agent did, validated against the constitutional rules. */
  subject: Json;
  startedAt: string;
  completedAt: string;
}

/** The episode a piece of work left. */
export interface WorkEpisode {
  episodeId: string;
  maturityAtTime: MaturityLevel;
  constitutionalScore: number;
  /** Codes of the constitutional rules the work broke. */
  violations: string[];
}

/** Records the one episode `work` leaves (see the module comment); returns it. */
export function recordWorkEpisode(deps: ResolvedDeps, work: WorkDone): WorkEpisode {
  const agent = deps.agents.require(work.agentId);
  const maturityAtTime = isMaturityLevel(agent.status) ? agent.status : statusForConfidence(agent.confidenceScore);
  const validation = deps.constitution.validate(work.subject, { workspaceId: agent.workspaceId });
  const episodeId = deps.agents.recordEpisode({
    agentId: work.agentId,
    maturityAtTime,
    outcome: work.outcome,
    humanInterventionCount: work.humanInterventionCount,
    constitutionalScore: validation.score,
    startedAt: work.startedAt,
    completedAt: work.completedAt,
  });
  return { episodeId, maturityAtTime, constitutionalScore: validation.score, violations: validation.violations.map((v) => v.ruleCode) };
}
