/**
 * Shared agent_proposals repository: row mapping, insert and read.
 *
 * NOTE FOR ENGINEER B (ProposalService): this module is the one place that knows the
 * agent_proposals column layout. The trigger interceptor (ACTION proposals for INTERN agents)
 * and the student training service (TRAINING proposals from blocked triggers) insert through
 * `insertProposal`; ProposalService should use `insertProposal`, `getProposal`,
 * `requireProposal`, `listProposals` and `updateProposalFields` too rather than its own SQL, so
 * both sides agree on JSON encoding (json columns hold JSON text; arrays default to []).
 * `insertProposal` does not audit: callers record `proposal.created` with their own actor.
 */
import type { GovernanceDatabase, SqlParam } from './db/database';
import { GovernanceError } from './errors';
import type { Agent, AgentStatus, Clock, IdGenerator, Json, Proposal, ProposalStatus, ProposalType } from './types';

/** The raw agent_proposals row. */
export interface ProposalRow {
  id: string;
  agent_id: string;
  agent_name: string;
  proposal_type: ProposalType;
  title: string;
  description: string | null;
  proposed_action: string | null;
  reasoning: string | null;
  learning_objectives: string;
  capability_gaps: string;
  training_scenario_template: string | null;
  estimated_duration_hours: number | null;
  duration_estimation_confidence: number | null;
  duration_estimation_reasoning: string | null;
  user_override_duration_hours: number | null;
  hours_per_day_limit: number | null;
  status: ProposalStatus;
  proposed_by: string;
  approved_by: string | null;
  approved_at: string | null;
  modifications: string | null;
  execution_result: string | null;
  completed_at: string | null;
  created_at: string;
}

const parseJson = (text: string | null): Json | null => (text === null ? null : (JSON.parse(text) as Json));
const toJson = (value: Json | null | undefined): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/** Maps a row to the camelCase `Proposal`. */
export function mapProposalRow(row: ProposalRow): Proposal {
  return {
    id: row.id,
    agentId: row.agent_id,
    agentName: row.agent_name,
    proposalType: row.proposal_type,
    title: row.title,
    description: row.description,
    proposedAction: parseJson(row.proposed_action),
    reasoning: row.reasoning,
    learningObjectives: JSON.parse(row.learning_objectives) as string[],
    capabilityGaps: JSON.parse(row.capability_gaps) as string[],
    trainingScenarioTemplate: row.training_scenario_template,
    estimatedDurationHours: row.estimated_duration_hours,
    durationEstimationConfidence: row.duration_estimation_confidence,
    durationEstimationReasoning: row.duration_estimation_reasoning,
    userOverrideDurationHours: row.user_override_duration_hours,
    hoursPerDayLimit: row.hours_per_day_limit,
    status: row.status,
    proposedBy: row.proposed_by,
    approvedBy: row.approved_by,
    approvedAt: row.approved_at,
    modifications: parseJson(row.modifications),
    executionResult: parseJson(row.execution_result),
    completedAt: row.completed_at,
    createdAt: row.created_at,
  };
}

/** Fields of a new proposal (status starts PROPOSED). */
export interface NewProposal {
  agentId: string;
  agentName: string;
  proposalType: ProposalType;
  title: string;
  proposedBy: string;
  description?: string | null;
  proposedAction?: Json | null;
  reasoning?: string | null;
  learningObjectives?: string[];
  capabilityGaps?: string[];
  trainingScenarioTemplate?: string | null;
  estimatedDurationHours?: number | null;
  durationEstimationConfidence?: number | null;
  durationEstimationReasoning?: string | null;
  hoursPerDayLimit?: number | null;
}

/**
 * Rule 3 ("only INTERN or above may propose"): refuses an ACTION proposal's agent when it is a
 * STUDENT (INVALID_STATUS) or PAUSED / DEPRECATED (AGENT_NOT_ROUTABLE).
 */
export function assertMayPropose(agent: Pick<Agent, 'id' | 'name' | 'status'>): void {
  if (agent.status === 'PAUSED' || agent.status === 'DEPRECATED') {
    throw new GovernanceError('AGENT_NOT_ROUTABLE', `Agent "${agent.name}" is ${agent.status}; reactivate it before it proposes or executes actions.`, { agentId: agent.id, status: agent.status });
  }
  if (agent.status === 'STUDENT') {
    throw new GovernanceError('INVALID_STATUS', `Agent "${agent.name}" is a STUDENT; only INTERN or above may propose actions (a STUDENT's triggers go to training).`, { agentId: agent.id, status: agent.status, required: 'INTERN' });
  }
}

/**
 * Inserts a PROPOSED proposal and returns it. Not audited (see module comment). An ACTION
 * proposal's agent must exist and be INTERN or above ({@link assertMayPropose}).
 */
export function insertProposal(db: GovernanceDatabase, clock: Clock, ids: IdGenerator, input: NewProposal): Proposal {
  if (input.proposalType === 'ACTION') {
    const agent = db.get<{ id: string; name: string; status: AgentStatus }>('SELECT id, name, status FROM agent_registry WHERE id = ?', [input.agentId]);
    if (!agent) throw new GovernanceError('AGENT_NOT_FOUND', `No agent with id "${input.agentId}" is registered; register it in agent_registry first.`, { agentId: input.agentId });
    assertMayPropose(agent);
  }
  const id = ids.next('proposal');
  db.run(
    `INSERT INTO agent_proposals (id, agent_id, agent_name, proposal_type, title, description, proposed_action, reasoning,
       learning_objectives, capability_gaps, training_scenario_template, estimated_duration_hours,
       duration_estimation_confidence, duration_estimation_reasoning, hours_per_day_limit, status, proposed_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PROPOSED', ?, ?)`,
    [
      id,
      input.agentId,
      input.agentName,
      input.proposalType,
      input.title,
      input.description,
      toJson(input.proposedAction),
      input.reasoning,
      JSON.stringify(input.learningObjectives ?? []),
      JSON.stringify(input.capabilityGaps ?? []),
      input.trainingScenarioTemplate,
      input.estimatedDurationHours,
      input.durationEstimationConfidence,
      input.durationEstimationReasoning,
      input.hoursPerDayLimit,
      input.proposedBy,
      clock.now().toISOString(),
    ],
  );
  return requireProposal(db, id);
}

/** The proposal, or undefined. */
export function getProposal(db: GovernanceDatabase, id: string): Proposal | undefined {
  const row = db.get<ProposalRow>('SELECT * FROM agent_proposals WHERE id = ?', [id]);
  return row && mapProposalRow(row);
}

/** The proposal, or `NOT_FOUND`. */
export function requireProposal(db: GovernanceDatabase, id: string): Proposal {
  const proposal = getProposal(db, id);
  if (!proposal) throw new GovernanceError('NOT_FOUND', `No proposal with id "${id}".`, { proposalId: id });
  return proposal;
}

/** Proposals, oldest first, optionally filtered by agent, type and status. */
export function listProposals(db: GovernanceDatabase, filter: { agentId?: string; proposalType?: ProposalType; status?: ProposalStatus } = {}): Proposal[] {
  return db
    .all<ProposalRow>(
      `SELECT * FROM agent_proposals WHERE (? IS NULL OR agent_id = ?) AND (? IS NULL OR proposal_type = ?)
       AND (? IS NULL OR status = ?) ORDER BY created_at, rowid`,
      [filter.agentId, filter.agentId, filter.proposalType, filter.proposalType, filter.status, filter.status],
    )
    .map(mapProposalRow);
}

/** Updatable proposal columns (json values are encoded here). */
export interface ProposalUpdate {
  status?: ProposalStatus;
  approvedBy?: string | null;
  approvedAt?: string | null;
  userOverrideDurationHours?: number | null;
  modifications?: Json | null;
  executionResult?: Json | null;
  completedAt?: string | null;
}

const UPDATE_COLUMNS: Record<keyof ProposalUpdate, { column: string; json: boolean }> = {
  status: { column: 'status', json: false },
  approvedBy: { column: 'approved_by', json: false },
  approvedAt: { column: 'approved_at', json: false },
  userOverrideDurationHours: { column: 'user_override_duration_hours', json: false },
  modifications: { column: 'modifications', json: true },
  executionResult: { column: 'execution_result', json: true },
  completedAt: { column: 'completed_at', json: false },
};

/**
 * Updates the given fields of a proposal, optionally only if it is still in `expectedStatus`
 * (optimistic guard: `INVALID_STATUS` when another change got there first). Returns the row.
 */
export function updateProposalFields(db: GovernanceDatabase, id: string, update: ProposalUpdate, expectedStatus?: ProposalStatus): Proposal {
  const entries = (Object.keys(update) as Array<keyof ProposalUpdate>).filter((k) => update[k] !== undefined);
  const sets = entries.map((k) => `${UPDATE_COLUMNS[k].column} = ?`);
  const params: SqlParam[] = entries.map((k) => (UPDATE_COLUMNS[k].json ? toJson(update[k] as Json) : (update[k] as SqlParam)));
  const current = requireProposal(db, id);
  if (expectedStatus !== undefined && current.status !== expectedStatus) {
    throw new GovernanceError('INVALID_STATUS', `Proposal "${id}" is ${current.status}, expected ${expectedStatus}.`, { proposalId: id, status: current.status, expected: expectedStatus });
  }
  if (sets.length > 0) db.run(`UPDATE agent_proposals SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  return requireProposal(db, id);
}
