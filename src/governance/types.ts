/**
 * Governance domain vocabulary: enums, domain records, maturity helpers and the injectable
 * clock / id-generator interfaces shared by every governance service.
 *
 * Enums are `as const` objects plus a union type of their values, so they are usable both as
 * values (`AgentStatus.STUDENT`) and as types (`AgentStatus`), and their value lists feed the
 * schema's CHECK constraints (one source of truth).
 */
import { randomUUID } from 'node:crypto';
import type { GovernanceDatabase } from './db/database';
import type { AuditLog } from './audit';
import type { AgentRepository } from './agents';
import type { ConstitutionalValidator } from './constitution';

/** Builds the value list of an `as const` enum object. */
function valuesOf<T extends Record<string, string>>(e: T): ReadonlyArray<T[keyof T]> {
  return Object.values(e) as Array<T[keyof T]>;
}

/** An agent's maturity level (plus the two non-routable administrative states). */
export const AgentStatus = {
  STUDENT: 'STUDENT',
  INTERN: 'INTERN',
  SUPERVISED: 'SUPERVISED',
  AUTONOMOUS: 'AUTONOMOUS',
  PAUSED: 'PAUSED',
  DEPRECATED: 'DEPRECATED',
} as const;
export type AgentStatus = (typeof AgentStatus)[keyof typeof AgentStatus];
export const AGENT_STATUSES = valuesOf(AgentStatus);

/** The four maturity levels, lowest first. */
export type MaturityLevel = 'STUDENT' | 'INTERN' | 'SUPERVISED' | 'AUTONOMOUS';
export const MATURITY_ORDER: readonly MaturityLevel[] = ['STUDENT', 'INTERN', 'SUPERVISED', 'AUTONOMOUS'];

/** Where a trigger came from. MANUAL is user-initiated; the others are automated. */
export const TriggerSource = {
  MANUAL: 'MANUAL',
  DATA_SYNC: 'DATA_SYNC',
  WORKFLOW_ENGINE: 'WORKFLOW_ENGINE',
  AI_COORDINATOR: 'AI_COORDINATOR',
} as const;
export type TriggerSource = (typeof TriggerSource)[keyof typeof TriggerSource];
export const TRIGGER_SOURCES = valuesOf(TriggerSource);

/** What the trigger interceptor decided. */
export const RoutingDecision = {
  BLOCK_AND_TRAIN: 'BLOCK_AND_TRAIN',
  PROPOSE: 'PROPOSE',
  SUPERVISE: 'SUPERVISE',
  EXECUTE: 'EXECUTE',
} as const;
export type RoutingDecision = (typeof RoutingDecision)[keyof typeof RoutingDecision];
export const ROUTING_DECISIONS = valuesOf(RoutingDecision);

export const ProposalType = { TRAINING: 'TRAINING', ACTION: 'ACTION', ANALYSIS: 'ANALYSIS' } as const;
export type ProposalType = (typeof ProposalType)[keyof typeof ProposalType];
export const PROPOSAL_TYPES = valuesOf(ProposalType);

/**
 * Proposal lifecycle. EXECUTING is the claim an execution holds on an APPROVED proposal while its
 * executors run (one conditional write, so two services over one database never both run it).
 */
export const ProposalStatus = {
  PROPOSED: 'PROPOSED',
  APPROVED: 'APPROVED',
  EXECUTING: 'EXECUTING',
  REJECTED: 'REJECTED',
  EXECUTED: 'EXECUTED',
  CANCELLED: 'CANCELLED',
} as const;
export type ProposalStatus = (typeof ProposalStatus)[keyof typeof ProposalStatus];
export const PROPOSAL_STATUSES = valuesOf(ProposalStatus);

export const TrainingStatus = {
  SCHEDULED: 'SCHEDULED',
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type TrainingStatus = (typeof TrainingStatus)[keyof typeof TrainingStatus];
export const TRAINING_STATUSES = valuesOf(TrainingStatus);

export const SupervisionStatus = {
  RUNNING: 'RUNNING',
  PAUSED: 'PAUSED',
  COMPLETED: 'COMPLETED',
  INTERRUPTED: 'INTERRUPTED',
  TERMINATED: 'TERMINATED',
} as const;
export type SupervisionStatus = (typeof SupervisionStatus)[keyof typeof SupervisionStatus];
export const SUPERVISION_STATUSES = valuesOf(SupervisionStatus);

export const InterventionType = { PAUSE: 'pause', CORRECT: 'correct', TERMINATE: 'terminate' } as const;
export type InterventionType = (typeof InterventionType)[keyof typeof InterventionType];
export const INTERVENTION_TYPES = valuesOf(InterventionType);

export const UserRole = {
  MEMBER: 'MEMBER',
  WORKSPACE_ADMIN: 'WORKSPACE_ADMIN',
  SUPER_ADMIN: 'SUPER_ADMIN',
  GUEST: 'GUEST',
} as const;
export type UserRole = (typeof UserRole)[keyof typeof UserRole];
export const USER_ROLES = valuesOf(UserRole);

export const Severity = { LOW: 'low', MEDIUM: 'medium', HIGH: 'high', CRITICAL: 'critical' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];
export const SEVERITIES = valuesOf(Severity);

export const EpisodeOutcome = { SUCCESS: 'success', FAILURE: 'failure', PARTIAL: 'partial' } as const;
export type EpisodeOutcome = (typeof EpisodeOutcome)[keyof typeof EpisodeOutcome];
export const EPISODE_OUTCOMES = valuesOf(EpisodeOutcome);

/** Lifecycle of an agent_episodes row; only `completed` episodes count toward graduation. */
export const EpisodeStatus = { RUNNING: 'running', COMPLETED: 'completed', FAILED: 'failed', CANCELLED: 'cancelled' } as const;
export type EpisodeStatus = (typeof EpisodeStatus)[keyof typeof EpisodeStatus];
export const EPISODE_STATUSES = valuesOf(EpisodeStatus);

// ---------------------------------------------------------------------------------------------
// Maturity helpers
// ---------------------------------------------------------------------------------------------

/** Lowest confidence of each maturity level (a promotion raises confidence to at least this). */
export const CONFIDENCE_FLOOR: Readonly<Record<MaturityLevel, number>> = {
  STUDENT: 0,
  INTERN: 0.5,
  SUPERVISED: 0.7,
  AUTONOMOUS: 0.9,
};

/** Maturity level a confidence score in [0, 1] corresponds to (<0.5, <0.7, <0.9, ≥0.9). */
export function statusForConfidence(confidence: number): MaturityLevel {
  if (confidence >= CONFIDENCE_FLOOR.AUTONOMOUS) return 'AUTONOMOUS';
  if (confidence >= CONFIDENCE_FLOOR.SUPERVISED) return 'SUPERVISED';
  if (confidence >= CONFIDENCE_FLOOR.INTERN) return 'INTERN';
  return 'STUDENT';
}

/** Action complexity: 1 present/read, 2 streaming/drafts, 3 state changes, 4 critical. */
export type ActionComplexity = 1 | 2 | 3 | 4;

/** Highest action complexity an agent of `status` may execute; 0 for PAUSED / DEPRECATED. */
export function maxComplexity(status: AgentStatus): 0 | ActionComplexity {
  switch (status) {
    case 'STUDENT':
      return 1;
    case 'INTERN':
      return 2;
    case 'SUPERVISED':
      return 3;
    case 'AUTONOMOUS':
      return 4;
    default:
      return 0;
  }
}

/** True for the four maturity levels (PAUSED and DEPRECATED are not). */
export function isMaturityLevel(status: string): status is MaturityLevel {
  return (MATURITY_ORDER as readonly string[]).includes(status);
}

/** Position of a maturity level in MATURITY_ORDER (STUDENT = 0), or -1 for other statuses. */
export function maturityRank(status: AgentStatus): number {
  return (MATURITY_ORDER as readonly string[]).indexOf(status);
}

/** The next maturity level, or undefined at AUTONOMOUS / for a non-maturity status. */
export function nextMaturity(status: AgentStatus): MaturityLevel | undefined {
  const rank = maturityRank(status);
  return rank < 0 ? undefined : MATURITY_ORDER[rank + 1];
}

/** Graduation criteria of one adjacent maturity transition. */
export interface TransitionCriteria {
  from: MaturityLevel;
  to: MaturityLevel;
  minEpisodes: number;
  /** Maximum interventions per episode (0.5 = 50%). */
  maxInterventionRate: number;
  minConstitutionalScore: number;
}

/** Per-transition graduation criteria of the spec, keyed by target level. */
export const TRANSITION_CRITERIA: Readonly<Record<'INTERN' | 'SUPERVISED' | 'AUTONOMOUS', TransitionCriteria>> = {
  INTERN: { from: 'STUDENT', to: 'INTERN', minEpisodes: 10, maxInterventionRate: 0.5, minConstitutionalScore: 0.7 },
  SUPERVISED: { from: 'INTERN', to: 'SUPERVISED', minEpisodes: 25, maxInterventionRate: 0.2, minConstitutionalScore: 0.85 },
  AUTONOMOUS: { from: 'SUPERVISED', to: 'AUTONOMOUS', minEpisodes: 50, maxInterventionRate: 0, minConstitutionalScore: 0.95 },
};

/** Clamps a confidence score to [0, 1] and rounds away float noise (6 decimals). */
export function clampConfidence(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 1e6) / 1e6;
}

// ---------------------------------------------------------------------------------------------
// Injectables
// ---------------------------------------------------------------------------------------------

/** Source of the current time (inject a fixed clock in tests). */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Generates primary keys; `kind` is a short entity name such as `proposal`. */
export interface IdGenerator {
  next(kind: string): string;
}

/** Random UUID ids (the production default). */
export const uuidIds: IdGenerator = { next: () => randomUUID() };

/** Deterministic ids `<kind>-1`, `<kind>-2`, ... (one counter per kind). */
export function sequentialIds(): IdGenerator {
  const counters = new Map<string, number>();
  return {
    next(kind: string): string {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      return `${kind}-${n}`;
    },
  };
}

/**
 * Dependencies every governance service takes by constructor injection. Only `db` is
 * required. Nothing about an agent is cached: every service reads status and confidence from
 * `db` on every call, so services built separately over one database always agree.
 */
export interface GovernanceDeps {
  db: GovernanceDatabase;
  clock?: Clock;
  ids?: IdGenerator;
  audit?: AuditLog;
  agents?: AgentRepository;
  /** Validates what an agent did; scores the episodes work leaves (default: over `db`). */
  constitution?: ConstitutionalValidator;
}

// ---------------------------------------------------------------------------------------------
// Domain records (camelCase views of the rows)
// ---------------------------------------------------------------------------------------------

/** A JSON value as stored in a json column. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Agent {
  id: string;
  name: string;
  category: string;
  workspaceId: string | null;
  status: AgentStatus;
  confidenceScore: number;
  createdAt: string;
  updatedAt: string;
}

export interface Proposal {
  id: string;
  agentId: string;
  agentName: string;
  proposalType: ProposalType;
  title: string;
  description: string | null;
  proposedAction: Json | null;
  reasoning: string | null;
  learningObjectives: string[];
  capabilityGaps: string[];
  trainingScenarioTemplate: string | null;
  estimatedDurationHours: number | null;
  durationEstimationConfidence: number | null;
  durationEstimationReasoning: string | null;
  userOverrideDurationHours: number | null;
  hoursPerDayLimit: number | null;
  status: ProposalStatus;
  proposedBy: string;
  approvedBy: string | null;
  approvedAt: string | null;
  modifications: Json | null;
  executionResult: Json | null;
  completedAt: string | null;
  createdAt: string;
}

export interface BlockedTriggerContext {
  id: string;
  agentId: string;
  agentName: string;
  agentMaturityAtBlock: AgentStatus;
  confidenceScoreAtBlock: number;
  triggerSource: TriggerSource;
  triggerType: string;
  triggerContext: Json;
  routingDecision: RoutingDecision;
  blockReason: string;
  proposalId: string | null;
  resolved: boolean;
  resolvedAt: string | null;
  resolutionOutcome: string | null;
  createdAt: string;
}

export interface TrainingSession {
  id: string;
  proposalId: string;
  agentId: string;
  agentName: string;
  studentId: string | null;
  supervisorId: string | null;
  status: TrainingStatus;
  tasksCompleted: number;
  totalTasks: number;
  performanceScore: number | null;
  supervisorFeedback: string | null;
  errorsCount: number;
  capabilitiesDeveloped: string[];
  capabilityGapsRemaining: string[];
  confidenceBoost: number | null;
  /** True when completing this session promoted the agent to its next maturity level. */
  promotedToAutonomous: boolean;
  startedAt: string | null;
  completedAt: string | null;
  durationSeconds: number | null;
  createdAt: string;
}

export interface Intervention {
  type: InterventionType;
  timestamp: string;
  guidance: string;
  supervisorId: string | null;
}

export interface SupervisionSession {
  id: string;
  agentId: string;
  agentName: string;
  workspaceId: string | null;
  triggerId: string | null;
  triggerContext: Json;
  status: SupervisionStatus;
  supervisorId: string | null;
  startedAt: string;
  completedAt: string | null;
  durationSeconds: number | null;
  interventionCount: number;
  interventions: Intervention[];
  agentActions: Json[];
  outcomes: Json[];
  supervisorRating: number | null;
  supervisorFeedback: string | null;
  confidenceBoost: number | null;
}

export interface AuditEntry {
  id: string;
  agentId: string | null;
  actor: string;
  action: string;
  details: Json;
  createdAt: string;
}
