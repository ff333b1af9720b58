/**
 * The audit_log writer every governance service uses: each routing decision, approval,
 * execution, promotion and intervention is one row. Rows are append-only.
 */
import type { GovernanceDatabase } from './db/database';
import type { AuditEntry, Clock, IdGenerator, Json } from './types';

/** Well-known audit actions (services may add more; these names are stable). */
export const AuditAction = {
  TRIGGER_RECEIVED: 'trigger.received',
  TRIGGER_BLOCKED: 'trigger.blocked',
  TRIGGER_PROPOSED: 'trigger.proposed',
  TRIGGER_SUPERVISED: 'trigger.supervised',
  TRIGGER_EXECUTED: 'trigger.executed',
  TRIGGER_EXECUTION_FAILED: 'trigger.execution_failed',
  MATURITY_MISMATCH: 'maturity.mismatch',
  PROPOSAL_CREATED: 'proposal.created',
  PROPOSAL_APPROVED: 'proposal.approved',
  PROPOSAL_REJECTED: 'proposal.rejected',
  PROPOSAL_EXECUTED: 'proposal.executed',
  PROPOSAL_EXECUTION_FAILED: 'proposal.execution_failed',
  AGENT_CONFIDENCE_CHANGED: 'agent.confidence_changed',
  AGENT_PROMOTED: 'agent.promoted',
  AGENT_DEMOTED: 'agent.demoted',
  AGENT_STATUS_CHANGED: 'agent.status_changed',
  /** A confidence gain would have crossed a level whose criteria do not hold; it was capped. */
  AGENT_PROMOTION_WITHHELD: 'agent.promotion_withheld',
  TRAINING_SCHEDULED: 'training.scheduled',
  TRAINING_STARTED: 'training.started',
  TRAINING_COMPLETED: 'training.completed',
  TRAINING_FAILED: 'training.failed',
  TRAINING_CANCELLED: 'training.cancelled',
  SUPERVISION_STARTED: 'supervision.started',
  SUPERVISION_ACTION: 'supervision.action',
  SUPERVISION_INTERVENTION: 'supervision.intervention',
  SUPERVISION_RESUMED: 'supervision.resumed',
  SUPERVISION_COMPLETED: 'supervision.completed',
  SUPERVISION_INTERRUPTED: 'supervision.interrupted',
  GRADUATION_EXAM: 'graduation.exam',
} as const;

/** What to record; `agentId` null for actions not about one agent. */
export interface AuditInput {
  agentId: string | null;
  actor: string;
  action: string;
  details?: Record<string, Json | undefined>;
}

interface AuditRow {
  id: string;
  agent_id: string | null;
  actor: string;
  action: string;
  details: string;
  created_at: string;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    agentId: row.agent_id,
    actor: row.actor,
    action: row.action,
    details: JSON.parse(row.details) as Json,
    createdAt: row.created_at,
  };
}

/** Appends to and reads audit_log. */
export class AuditLog {
  constructor(
    private readonly db: GovernanceDatabase,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** Writes one audit row and returns it. Undefined detail values are dropped. */
  record(input: AuditInput): AuditEntry {
    const entry: AuditEntry = {
      id: this.ids.next('audit'),
      agentId: input.agentId,
      actor: input.actor,
      action: input.action,
      details: JSON.parse(JSON.stringify(input.details ?? {})) as Json,
      createdAt: this.clock.now().toISOString(),
    };
    this.db.run('INSERT INTO audit_log (id, agent_id, actor, action, details, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      entry.id,
      entry.agentId,
      entry.actor,
      entry.action,
      JSON.stringify(entry.details),
      entry.createdAt,
    ]);
    return entry;
  }

  /** Audit rows, oldest first, optionally filtered by agent and/or action. */
  list(filter: { agentId?: string; action?: string } = {}): AuditEntry[] {
    const rows = this.db.all<AuditRow>(
      `SELECT * FROM audit_log
       WHERE (? IS NULL OR agent_id = ?) AND (? IS NULL OR action = ?)
       ORDER BY created_at, rowid`,
      [filter.agentId, filter.agentId, filter.action, filter.action],
    );
    return rows.map(toEntry);
  }
}
