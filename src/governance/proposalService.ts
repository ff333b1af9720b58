/**
 * Proposal service: creates ACTION and TRAINING proposals, approves and rejects them, and
 * executes approved ACTION proposals through injectable executors (see ./executors.ts).
 *
 * Lifecycle: PROPOSED → APPROVED → EXECUTED, PROPOSED/APPROVED → REJECTED. Rules chosen where
 * the spec is silent:
 * - Only PROPOSED can be approved, and only by a human: approver ids of the form `agent:<id>`
 *   or `system:<name>` (the actor conventions of the other services) are refused with
 *   PERMISSION_REQUIRED. An ACTION proposal's action is validated on approval (a
 *   malformed one cannot be approved). Approval may carry device grants (camera, screen
 *   recording), stored in `modifications.grants`.
 * - PROPOSED and APPROVED (not yet executed) proposals can be rejected; a reason is required and
 *   stored in `modifications.rejection`.
 * - `execute` runs only APPROVED ACTION proposals of a routable agent. Everything is validated
 *   (action type, payload, grants, executor availability) before the first executor is called;
 *   such refusals throw a GovernanceError and change nothing.
 * - Success: EXECUTED with `execution_result` ({success: true, steps, ...}) and `completed_at`.
 *   Failure (an executor threw): the proposal stays APPROVED (retryable) with
 *   `execution_result.success = false`, the failing step and the results so far. Completed steps
 *   of a multi-step action are undone in reverse order through the executors' `undo`, so no
 *   partial execution is left behind. Both outcomes are audited.
 * - If recording a success fails (database error), the executed steps are undone too and the
 *   error is rethrown: the database never disagrees with the world.
 * - A second `execute` of a proposal while one is in flight is refused (INVALID_STATUS); the
 *   guard lives in the instance, so use one ProposalService per database. Writes are guarded by
 *   the expected status too, so a proposal rejected mid-execution is never marked EXECUTED.
 */
import { AuditAction } from './audit';
import { resolveDeps, type ResolvedDeps } from './agents';
import { GovernanceError, isGovernanceError } from './errors';
import {
  DEVICE_CAPABILITIES,
  defaultExecutors,
  parseProposedAction,
  type DeviceCapability,
  type ExecutionContext,
  type ExecutorBase,
  type ExecutorOutput,
  type Executors,
  type ProposedAction,
  type StepAction,
  type StepActionType,
} from './executors';
import { insertProposal, listProposals, requireProposal, updateProposalFields, type NewProposal } from './proposals';
import { isMaturityLevel, type Agent, type GovernanceDeps, type Json, type Proposal, type ProposalStatus, type ProposalType } from './types';

/** Constructor dependencies: the shared ones plus executors (missing ones use the defaults). */
export interface ProposalServiceDeps extends GovernanceDeps {
  executors?: Partial<Executors>;
  /** Resource types deep links may name (default: DEFAULT_DEEP_LINK_RESOURCES). */
  deepLinkResources?: readonly string[];
}

/** Input of {@link ProposalService.createActionProposal}. */
export interface NewActionProposal {
  agentId: string;
  title: string;
  /** The `proposed_action` (see executors.ts for its shape); validated before insert. */
  action: Json;
  proposedBy: string;
  description?: string;
  reasoning?: string;
}

/** Input of {@link ProposalService.createTrainingProposal}. */
export interface NewTrainingProposal {
  agentId: string;
  title: string;
  learningObjectives: string[];
  capabilityGaps: string[];
  proposedBy: string;
  description?: string;
  reasoning?: string;
  trainingScenarioTemplate?: string;
  estimatedDurationHours?: number;
  hoursPerDayLimit?: number;
}

/** Outcome of one step of an execution. */
export interface StepResult {
  step: number;
  type: StepActionType;
  /** `rolled_back`: succeeded, then undone after a later step failed; `not_undone`: no undo possible. */
  status: 'succeeded' | 'failed' | 'rolled_back' | 'not_undone';
  output?: ExecutorOutput;
  error?: { code: string; message: string };
}

/** What `execution_result` holds after an attempt. */
export interface ExecutionRecord {
  success: boolean;
  actionType: ProposedAction['type'];
  attempt: number;
  executedAt: string;
  actor: string;
  steps: StepResult[];
  /** Index of the step that failed (failures only). */
  failedStep?: number;
  error?: { code: string; message: string };
}

/** Returned by {@link ProposalService.execute}. */
export interface ExecutionOutcome {
  success: boolean;
  proposal: Proposal;
  result: ExecutionRecord;
}

interface Modifications {
  grants?: Array<{ capability: DeviceCapability; grantedBy: string; grantedAt: string }>;
  [key: string]: unknown;
}

const EXECUTOR_OF: Record<StepActionType, keyof Executors> = {
  canvas: 'canvas',
  browser: 'browser',
  device: 'device',
  deep_link: 'deepLink',
};

function errorInfo(err: unknown): { code: string; message: string } {
  if (isGovernanceError(err)) return { code: err.code, message: err.message };
  return { code: 'EXECUTION_FAILED', message: err instanceof Error ? err.message : String(err) };
}

function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new GovernanceError('INVALID_ARGUMENT', `${what} is required (a non-empty string).`);
  }
  return value;
}

/** Creates, approves, rejects and executes agent proposals. */
export class ProposalService {
  private readonly deps: ResolvedDeps;
  private readonly executors: Executors;
  private readonly deepLinkResources?: readonly string[];
  private readonly inFlight = new Set<string>();

  constructor(deps: ProposalServiceDeps) {
    this.deps = resolveDeps(deps);
    this.executors = { ...defaultExecutors(), ...deps.executors };
    this.deepLinkResources = deps.deepLinkResources;
  }

  /** Creates a PROPOSED ACTION proposal after validating its action; audited. */
  createActionProposal(input: NewActionProposal): Proposal {
    const agent = this.routableAgent(input.agentId);
    parseProposedAction(input.action, { deepLinkResources: this.deepLinkResources, checkGrants: false });
    return this.insert(agent, 'ACTION', input.proposedBy, {
      title: requireText(input.title, 'A proposal title'),
      description: input.description,
      reasoning: input.reasoning,
      proposedAction: input.action,
    });
  }

  /** Creates a PROPOSED TRAINING proposal (learning objectives required); audited. */
  createTrainingProposal(input: NewTrainingProposal): Proposal {
    const agent = this.routableAgent(input.agentId);
    if (!Array.isArray(input.learningObjectives) || input.learningObjectives.length === 0) {
      throw new GovernanceError('INVALID_ARGUMENT', 'A training proposal needs at least one learning objective.');
    }
    return this.insert(agent, 'TRAINING', input.proposedBy, {
      title: requireText(input.title, 'A proposal title'),
      description: input.description,
      reasoning: input.reasoning,
      learningObjectives: input.learningObjectives,
      capabilityGaps: input.capabilityGaps,
      trainingScenarioTemplate: input.trainingScenarioTemplate,
      estimatedDurationHours: input.estimatedDurationHours,
      hoursPerDayLimit: input.hoursPerDayLimit,
    });
  }

  /**
   * Approves a PROPOSED proposal, recording approver and time (and device grants, if any).
   * @gap approval rules: only a human-approved proposal may act on the world
   */
  approve(proposalId: string, approvedBy: string, opts: { grants?: DeviceCapability[] } = {}): Proposal {
    requireText(approvedBy, 'The approver');
    if (/^(agent|system):/.test(approvedBy)) {
      throw new GovernanceError('PERMISSION_REQUIRED', `Proposals must be approved by a human; "${approvedBy}" is an agent or system actor.`, { proposalId, approvedBy });
    }
    const unknown = (opts.grants ?? []).filter((g) => !DEVICE_CAPABILITIES.includes(g));
    if (unknown.length > 0) {
      throw new GovernanceError('INVALID_ARGUMENT', `Unknown device capability grant(s): ${unknown.join(', ')}; grants name one of ${DEVICE_CAPABILITIES.join(', ')}.`, { proposalId });
    }
    const proposal = this.inStatus(proposalId, ['PROPOSED'], 'approved');
    if (proposal.proposalType === 'ACTION') {
      parseProposedAction(proposal.proposedAction, { deepLinkResources: this.deepLinkResources, checkGrants: false });
    }
    const now = this.now();
    const modifications: Modifications = { ...((proposal.modifications as Modifications | null) ?? {}) };
    if (opts.grants?.length) {
      modifications.grants = opts.grants.map((capability) => ({ capability, grantedBy: approvedBy, grantedAt: now }));
    }
    return this.deps.db.transaction(() => {
      const updated = updateProposalFields(
        this.deps.db,
        proposalId,
        { status: 'APPROVED', approvedBy, approvedAt: now, modifications: modifications as Json },
        'PROPOSED',
      );
      this.deps.audit.record({
        agentId: proposal.agentId,
        actor: approvedBy,
        action: AuditAction.PROPOSAL_APPROVED,
        details: { proposalId, grants: opts.grants ?? [] },
      });
      return updated;
    });
  }

  /** Rejects a PROPOSED or APPROVED (not yet executed) proposal with a reason; audited. */
  reject(proposalId: string, rejectedBy: string, reason: string): Proposal {
    requireText(rejectedBy, 'The rejecting user');
    requireText(reason, 'A rejection reason');
    const proposal = this.inStatus(proposalId, ['PROPOSED', 'APPROVED'], 'rejected');
    const now = this.now();
    const modifications = { ...((proposal.modifications as Modifications | null) ?? {}), rejection: { reason, rejectedBy, rejectedAt: now } };
    return this.deps.db.transaction(() => {
      const updated = updateProposalFields(
        this.deps.db,
        proposalId,
        { status: 'REJECTED', modifications: modifications as Json, completedAt: now },
        proposal.status,
      );
      this.deps.audit.record({
        agentId: proposal.agentId,
        actor: rejectedBy,
        action: AuditAction.PROPOSAL_REJECTED,
        details: { proposalId, reason, previousStatus: proposal.status },
      });
      return updated;
    });
  }

  /**
   * Executes an APPROVED ACTION proposal through the executor(s) for its action type.
   * Refusals (wrong status, unknown type, malformed payload, missing grant, unavailable
   * executor) throw before any executor runs; an executor failure is recorded and returned.
   * @gap action execution: an approved proposal acts on the real world
   */
  async execute(proposalId: string, opts: { actor?: string } = {}): Promise<ExecutionOutcome> {
    const actor = opts.actor ?? 'system';
    const proposal = this.inStatus(proposalId, ['APPROVED'], 'executed');
    if (proposal.proposalType !== 'ACTION') {
      throw new GovernanceError(
        'INVALID_ARGUMENT',
        `Proposal "${proposalId}" is a ${proposal.proposalType} proposal; only ACTION proposals are executed (training runs through the student training service).`,
        { proposalId },
      );
    }
    if (this.inFlight.has(proposalId)) {
      throw new GovernanceError('INVALID_STATUS', `Proposal "${proposalId}" is already being executed; wait for that attempt to finish.`, { proposalId });
    }
    this.routableAgent(proposal.agentId);
    const grants = Object.fromEntries(((proposal.modifications as Modifications | null)?.grants ?? []).map((g) => [g.capability, g.grantedBy]));
    const action = parseProposedAction(proposal.proposedAction, { deepLinkResources: this.deepLinkResources, grants });
    const steps = action.type === 'multi_step' ? action.steps : [action];
    for (const step of steps) {
      const executor = this.executors[EXECUTOR_OF[step.type]] as ExecutorBase;
      if (executor.available?.() === false) {
        throw new GovernanceError(
          'EXECUTOR_UNAVAILABLE',
          `No ${step.type} executor is configured; supply one to the ProposalService before executing proposal "${proposalId}".`,
          { proposalId, actionType: step.type },
        );
      }
    }
    this.inFlight.add(proposalId);
    try {
      return await this.run(proposal, action, steps, actor);
    } finally {
      this.inFlight.delete(proposalId);
    }
  }

  /** The proposal, or NOT_FOUND. */
  get(proposalId: string): Proposal {
    return requireProposal(this.deps.db, proposalId);
  }

  /** Proposals, oldest first, filtered by agent, type and/or status. */
  list(filter: { agentId?: string; proposalType?: ProposalType; status?: ProposalStatus } = {}): Proposal[] {
    return listProposals(this.deps.db, filter);
  }

  private async run(proposal: Proposal, action: ProposedAction, steps: StepAction[], actor: string): Promise<ExecutionOutcome> {
    const previous = proposal.executionResult as { attempt?: number } | null;
    const results: StepResult[] = [];
    let failure: { step: number; error: { code: string; message: string } } | undefined;
    for (let i = 0; i < steps.length && !failure; i++) {
      const ctx: ExecutionContext = { proposalId: proposal.id, agentId: proposal.agentId, stepIndex: i };
      try {
        const output = JSON.parse(JSON.stringify((await this.invoke(steps[i], ctx)) ?? {})) as ExecutorOutput;
        results.push({ step: i, type: steps[i].type, status: 'succeeded', output });
      } catch (err) {
        failure = { step: i, error: errorInfo(err) };
        results.push({ step: i, type: steps[i].type, status: 'failed', error: failure.error });
      }
    }
    const record: ExecutionRecord = {
      success: !failure,
      actionType: action.type,
      attempt: (previous?.attempt ?? 0) + 1,
      executedAt: this.now(),
      actor,
      steps: results,
    };
    if (failure) {
      await this.undo(steps, results, proposal);
      record.failedStep = failure.step;
      record.error = failure.error;
      return this.record(proposal, record, 'APPROVED', AuditAction.PROPOSAL_EXECUTION_FAILED);
    }
    try {
      return this.record(proposal, record, 'EXECUTED', AuditAction.PROPOSAL_EXECUTED);
    } catch (err) {
      await this.undo(steps, results, proposal);
      throw err;
    }
  }

  private invoke(step: StepAction, ctx: ExecutionContext): Promise<ExecutorOutput> {
    switch (step.type) {
      case 'canvas':
        return this.executors.canvas.present(step.payload, ctx);
      case 'browser':
        return this.executors.browser.run(step.payload.steps, ctx);
      case 'device':
        return this.executors.device.invoke(step.payload, ctx);
      case 'deep_link':
        return this.executors.deepLink.open(step.payload, ctx);
    }
  }

  /** Undoes succeeded steps in reverse order, marking each rolled_back or not_undone. */
  private async undo(steps: StepAction[], results: StepResult[], proposal: Proposal): Promise<void> {
    for (const result of [...results].reverse()) {
      if (result.status !== 'succeeded') continue;
      const executor = this.executors[EXECUTOR_OF[steps[result.step].type]] as ExecutorBase;
      const ctx: ExecutionContext = { proposalId: proposal.id, agentId: proposal.agentId, stepIndex: result.step };
      try {
        if (!executor.undo) throw new Error(`the ${result.type} executor cannot undo`);
        await executor.undo(result.output!, ctx);
        result.status = 'rolled_back';
      } catch (err) {
        result.status = 'not_undone';
        result.error = errorInfo(err);
      }
    }
  }

  private record(proposal: Proposal, record: ExecutionRecord, status: 'APPROVED' | 'EXECUTED', action: string): ExecutionOutcome {
    const updated = this.deps.db.transaction(() => {
      const row = updateProposalFields(
        this.deps.db,
        proposal.id,
        { status, executionResult: record as unknown as Json, completedAt: status === 'EXECUTED' ? record.executedAt : undefined },
        'APPROVED',
      );
      this.deps.audit.record({
        agentId: proposal.agentId,
        actor: record.actor,
        action,
        details: { proposalId: proposal.id, actionType: record.actionType, attempt: record.attempt, failedStep: record.failedStep, error: record.error },
      });
      return row;
    });
    return { success: record.success, proposal: updated, result: record };
  }

  private inStatus(proposalId: string, allowed: ProposalStatus[], verb: string): Proposal {
    const proposal = requireProposal(this.deps.db, proposalId);
    if (!allowed.includes(proposal.status)) {
      throw new GovernanceError(
        'INVALID_STATUS',
        `Proposal "${proposalId}" is ${proposal.status}; only ${allowed.join(' or ')} proposals can be ${verb}.`,
        { proposalId, status: proposal.status, allowed },
      );
    }
    return proposal;
  }

  private routableAgent(agentId: string): Agent {
    const agent = this.deps.agents.require(agentId);
    if (!isMaturityLevel(agent.status)) {
      throw new GovernanceError('AGENT_NOT_ROUTABLE', `Agent "${agent.name}" is ${agent.status}; reactivate it before it proposes or executes actions.`, { agentId, status: agent.status });
    }
    return agent;
  }

  private insert(agent: Agent, proposalType: ProposalType, proposedBy: string, fields: Partial<NewProposal>): Proposal {
    requireText(proposedBy, 'proposedBy');
    return this.deps.db.transaction(() => {
      const proposal = insertProposal(this.deps.db, this.deps.clock, this.deps.ids, {
        ...fields,
        agentId: agent.id,
        agentName: agent.name,
        proposalType,
        title: fields.title!,
        proposedBy,
      });
      this.deps.audit.record({
        agentId: agent.id,
        actor: proposedBy,
        action: AuditAction.PROPOSAL_CREATED,
        details: { proposalId: proposal.id, proposalType },
      });
      return proposal;
    });
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
