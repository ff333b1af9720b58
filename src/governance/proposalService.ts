/**
 * Proposal service: creates ACTION and TRAINING proposals, approves and rejects them, and
 * executes approved ACTION proposals through injectable executors (see ./executors.ts).
 *
 * Lifecycle: PROPOSED → APPROVED → EXECUTING → EXECUTED (or back to APPROVED with the failure),
 * PROPOSED/APPROVED → REJECTED. Rules (the cross-service rules of the spec, then the choices
 * made where it is silent):
 * - Only INTERN or above may propose (rule 3): creating, approving or executing an ACTION
 *   proposal for a STUDENT agent is refused with INVALID_STATUS, for a PAUSED or DEPRECATED
 *   agent with AGENT_NOT_ROUTABLE — whoever asks (`insertProposal` enforces it too).
 * - Every stored proposal can be approved (rule 4): an ACTION proposal's action is validated
 *   on creation with exactly the validation approval applies (`validateAction`).
 * - Exactly-once execution (rule 7): `execute` claims the proposal with one conditional write
 *   (APPROVED → EXECUTING, `WHERE status = 'APPROVED'`) before the first executor runs; a
 *   second claim — from this or any other service instance over the same database — finds it
 *   EXECUTING and is refused with INVALID_STATUS. The attempt ends EXECUTED or back to
 *   APPROVED with the failure. An EXECUTING proposal cannot be approved or rejected.
 * - Work leaves evidence (rule 5): every finished attempt, success or failure, records one
 *   agent_episodes row (outcome success/failure, the agent's maturity, 0 human interventions —
 *   approval is the normal path of a proposal, not a correction — and the constitutional score
 *   of `{ proposalId, action, steps }`), in the same transaction as the attempt's record.
 * - Only PROPOSED can be approved, and only by a human: approver ids of the form `agent:<id>`
 *   or `system:<name>` (the actor conventions of the other services) are refused with
 *   PERMISSION_REQUIRED. Approval may carry device grants (camera, screen recording), stored in
 *   `modifications.grants`; earlier modifications are kept.
 * - PROPOSED and APPROVED (not yet executing) proposals can be rejected; a reason is required
 *   and stored in `modifications.rejection`.
 * - `execute` runs only APPROVED ACTION proposals. Everything is validated (action type,
 *   payload, grants, executor availability) before the claim; such refusals throw a
 *   GovernanceError and change nothing.
 * - Failure (an executor threw): completed steps of a multi-step action are undone in reverse
 *   order through the executors' `undo`, so no partial execution is left behind; the result
 *   records the failing step and the results so far. Both outcomes are audited.
 * - If recording the outcome fails (database error), the executed steps are undone, the claim
 *   is released (back to APPROVED) and the error is rethrown: the database never disagrees
 *   with the world.
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
import { recordWorkEpisode } from './evidence';
import { assertMayPropose, insertProposal, listProposals, requireProposal, updateProposalFields, type NewProposal } from './proposals';
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

  constructor(deps: ProposalServiceDeps) {
    this.deps = resolveDeps(deps);
    this.executors = { ...defaultExecutors(), ...deps.executors };
    this.deepLinkResources = deps.deepLinkResources;
  }

  /**
   * Validates an action exactly as approval will (device grants are not required yet); throws
   * UNKNOWN_ACTION_TYPE or INVALID_PAYLOAD naming the path. The interceptor uses it too.
   */
  validateAction(action: unknown): ProposedAction {
    return parseProposedAction(action, { deepLinkResources: this.deepLinkResources, checkGrants: false });
  }

  /** Creates a PROPOSED ACTION proposal (INTERN or above) after validating its action; audited. */
  createActionProposal(input: NewActionProposal): Proposal {
    const agent = this.proposingAgent(input.agentId);
    this.validateAction(input.action);
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
      this.proposingAgent(proposal.agentId);
      this.validateAction(proposal.proposedAction);
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
    this.proposingAgent(proposal.agentId);
    const grants = Object.fromEntries((proposal.modifications as Modifications | null)?.grants?.map((g) => [g.capability, g.grantedBy]) ?? []);
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
    this.claim(proposalId);
    try {
      return await this.run(proposal, action, steps, actor);
    } catch (err) {
      this.deps.db.run("UPDATE agent_proposals SET status = 'APPROVED' WHERE id = ? AND status = 'EXECUTING'", [proposalId]);
      throw err;
    }
  }

  /** Rule 7: APPROVED → EXECUTING in one conditional write; INVALID_STATUS when it is not APPROVED any more. */
  private claim(proposalId: string): void {
    const { changes } = this.deps.db.run("UPDATE agent_proposals SET status = 'EXECUTING' WHERE id = ? AND status = 'APPROVED'", [proposalId]);
    if (changes !== 1) {
      throw new GovernanceError('INVALID_STATUS', `Proposal "${proposalId}" is already being executed (or changed meanwhile); it runs at most once per approval.`, { proposalId });
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
    const startedAt = this.now();
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
    }
    try {
      return this.record(proposal, record, failure ? AuditAction.PROPOSAL_EXECUTION_FAILED : AuditAction.PROPOSAL_EXECUTED, startedAt);
    } catch (err) {
      await this.undo(steps, results, proposal); // idempotent: a failed attempt's steps are already undone
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

  /** Ends the claim (EXECUTED, or APPROVED on failure), records the episode and audits; one transaction. */
  private record(proposal: Proposal, record: ExecutionRecord, action: string, startedAt: string): ExecutionOutcome {
    const status = record.success ? 'EXECUTED' : 'APPROVED';
    const updated = this.deps.db.transaction(() => {
      const row = updateProposalFields(
        this.deps.db,
        proposal.id,
        { status, executionResult: record as unknown as Json, completedAt: record.success ? record.executedAt : undefined },
        'EXECUTING',
      );
      const subject = { proposalId: proposal.id, action: proposal.proposedAction, steps: record.steps } as unknown as Json;
      const work = { agentId: proposal.agentId, outcome: record.success ? 'success' : 'failure', humanInterventionCount: 0, subject, startedAt, completedAt: record.executedAt } as const;
      const episode = recordWorkEpisode(this.deps, work);
      this.deps.audit.record({
        agentId: proposal.agentId,
        actor: record.actor,
        action,
        details: { proposalId: proposal.id, actionType: record.actionType, attempt: record.attempt, failedStep: record.failedStep, error: record.error, episodeId: episode.episodeId },
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

  /** Rule 3: the agent of an ACTION proposal must be INTERN or above. */
  private proposingAgent(agentId: string): Agent {
    const agent = this.deps.agents.require(agentId);
    assertMayPropose(agent);
    return agent;
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
