/**
 * The trigger interceptor: every trigger an agent receives is routed by the agent's maturity.
 *
 * | status     | decision        | what is created                                          |
 * |------------|-----------------|----------------------------------------------------------|
 * | STUDENT    | BLOCK_AND_TRAIN | blocked_trigger_contexts row + TRAINING proposal          |
 * | INTERN     | PROPOSE         | ACTION proposal (PROPOSED) a human must approve           |
 * | SUPERVISED | SUPERVISE       | supervision session (RUNNING)                             |
 * | AUTONOMOUS | EXECUTE         | executed by the injected TriggerExecutor, plus an episode |
 *
 * Rules (spec, with the choices made where it is silent):
 * - The agent's stored status wins over its confidence when they disagree; the disagreement
 *   is audited as `maturity.mismatch`.
 * - An action above the agent's maximum complexity (`context.actionComplexity`, 1–4) is never
 *   executed by that agent: a SUPERVISED agent's complexity-4 action becomes a proposal.
 * - Every proposal the interceptor stores can be approved (rule 4): a trigger routed to PROPOSE
 *   must carry the action to propose in `context.action`, validated exactly as approval
 *   validates it (`ProposalService.validateAction`). Without one it is refused with
 *   INVALID_PAYLOAD naming `context.action` (details.missing); a malformed one with the code
 *   approval would give (INVALID_PAYLOAD / UNKNOWN_ACTION_TYPE, naming the path). Nothing is
 *   written. The proposal is created through `ProposalService.createActionProposal`.
 * - MANUAL triggers go through the same maturity path (they are never refused because of their
 *   source, and they are audited like every trigger, with `manual: true`). The maturity path of
 *   a STUDENT is blocking, so a STUDENT agent's trigger never executes, whatever its source.
 * - PAUSED / DEPRECATED agents are refused with AGENT_NOT_ROUTABLE, unknown agents with
 *   AGENT_NOT_FOUND; malformed input with INVALID_ARGUMENT / INVALID_PAYLOAD. A refusal writes
 *   nothing. All rows of one routing decision are written in one transaction.
 * - One truth for status (rule 1): routing reads the agent from the database on every call
 *   (no cache), so a pause or promotion made through any service is seen by the next trigger.
 * - Without an injected executor, EXECUTE records the trigger as dispatched to the caller
 *   (`execution.output = { dispatched: true }`): the host application runs it. Either way the
 *   execution leaves one episode (rule 5, see evidence.ts) scored against the constitutional
 *   rules on `{ triggerType, source, context, output, error }`.
 */
import { AuditAction } from './audit';
import { resolveDeps, type ResolvedDeps } from './agents';
import { GovernanceError } from './errors';
import { recordWorkEpisode } from './evidence';
import { ProposalService } from './proposalService';
import { StudentTrainingService } from './studentTrainingService';
import { SupervisionService } from './supervisionService';
import {
  TRIGGER_SOURCES,
  maxComplexity,
  statusForConfidence,
  type Agent,
  type AgentStatus,
  type GovernanceDeps,
  type Json,
  type RoutingDecision,
  type TriggerSource,
} from './types';

/** Executes an AUTONOMOUS agent's trigger (browser, workflow, API call ... supplied by the host). */
export interface TriggerExecutor {
  execute(request: { triggerId: string; agent: Agent; source: TriggerSource; triggerType: string; context: Record<string, Json> }): Promise<Json>;
}

/** The outcome of routing one trigger. */
export interface RoutingResult {
  triggerId: string;
  decision: RoutingDecision;
  agentId: string;
  agentStatus: AgentStatus;
  confidenceScore: number;
  reason: string;
  /** True when stored status and confidence disagreed (status was used). */
  maturityMismatch: boolean;
  blockedTriggerId?: string;
  proposalId?: string;
  supervisionSessionId?: string;
  episodeId?: string;
  execution?: { ok: boolean; output?: Json; error?: string };
}

/**
 * The pure routing rule for an agent's status and an action's complexity (no I/O).
 * Throws AGENT_NOT_ROUTABLE for PAUSED and DEPRECATED.
 */
export function routeByMaturity(status: AgentStatus, complexity: number): { decision: RoutingDecision; reason: string } {
  const max = maxComplexity(status);
  if (max === 0) {
    throw new GovernanceError('AGENT_NOT_ROUTABLE', `Agent is ${status}; it receives no triggers until it is reactivated.`, { status });
  }
  if (status === 'STUDENT') return { decision: 'BLOCK_AND_TRAIN', reason: 'STUDENT agents may not act on triggers; routed to training' };
  if (status === 'INTERN' || complexity > max) {
    return { decision: 'PROPOSE', reason: status === 'INTERN' ? 'INTERN agents act only after human approval' : `action complexity ${complexity} exceeds ${status} maximum ${max}; needs human approval` };
  }
  if (status === 'SUPERVISED') return { decision: 'SUPERVISE', reason: 'SUPERVISED agents act under a live supervision session' };
  return { decision: 'EXECUTE', reason: 'AUTONOMOUS agents execute directly' };
}

function validate(source: TriggerSource, triggerType: string, context: Record<string, Json>): number {
  if (!TRIGGER_SOURCES.includes(source)) {
    throw new GovernanceError('INVALID_ARGUMENT', `Unknown trigger source "${String(source)}"; use one of ${TRIGGER_SOURCES.join(', ')}.`, { source });
  }
  if (typeof triggerType !== 'string' || triggerType.trim() === '') {
    throw new GovernanceError('INVALID_ARGUMENT', 'triggerType must be a non-empty string.', { triggerType });
  }
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    throw new GovernanceError('INVALID_PAYLOAD', 'Trigger context must be a JSON object.', { triggerType });
  }
  const complexity = context.actionComplexity ?? 1;
  if (!(Number.isInteger(complexity) && (complexity as number) >= 1 && (complexity as number) <= 4)) {
    throw new GovernanceError('INVALID_PAYLOAD', `context.actionComplexity must be an integer from 1 to 4, got ${JSON.stringify(complexity)}.`, { triggerType });
  }
  return complexity as number;
}

/** Routes triggers by maturity; see the module comment. */
export class TriggerInterceptor {
  private readonly deps: ResolvedDeps;
  private readonly training: StudentTrainingService;
  private readonly supervision: SupervisionService;
  private readonly proposals: ProposalService;
  private readonly executor?: TriggerExecutor;

  constructor(deps: GovernanceDeps & { training?: StudentTrainingService; supervision?: SupervisionService; proposals?: ProposalService; executor?: TriggerExecutor }) {
    this.deps = resolveDeps(deps);
    this.training = deps.training ?? new StudentTrainingService(this.deps);
    this.supervision = deps.supervision ?? new SupervisionService(this.deps);
    this.proposals = deps.proposals ?? new ProposalService(this.deps);
    this.executor = deps.executor;
  }

  /**
   * Routes one trigger and records everything the decision creates.
   * @gap trigger routing: decides whether an agent may act on the real world at all
   */
  async intercept(agentId: string, source: TriggerSource, triggerType: string, context: Record<string, Json> = {}): Promise<RoutingResult> {
    const complexity = validate(source, triggerType, context);
    const agent = this.deps.agents.require(agentId);
    const { decision, reason } = routeByMaturity(agent.status, complexity);
    if (decision === 'PROPOSE') this.requireAction(context);
    const triggerId = this.deps.ids.next('trigger');
    const result: RoutingResult = {
      triggerId,
      decision,
      agentId,
      agentStatus: agent.status,
      confidenceScore: agent.confidenceScore,
      reason,
      maturityMismatch: statusForConfidence(agent.confidenceScore) !== agent.status,
    };
    const base = { triggerId, source, triggerType, manual: source === 'MANUAL', reason, status: agent.status };
    this.deps.db.transaction(() => {
      if (result.maturityMismatch) {
        this.deps.audit.record({ agentId, actor: 'system:trigger-interceptor', action: AuditAction.MATURITY_MISMATCH, details: { status: agent.status, confidence: agent.confidenceScore, impliedStatus: statusForConfidence(agent.confidenceScore) } });
      }
      if (decision === 'BLOCK_AND_TRAIN') {
        const blocked = this.training.recordBlockedTrigger({ agent, source, triggerType, context, routingDecision: decision, blockReason: reason });
        result.blockedTriggerId = blocked.id;
        result.proposalId = this.training.createTrainingProposal(blocked.id).id;
        this.deps.audit.record({ agentId, actor: 'system:trigger-interceptor', action: AuditAction.TRIGGER_BLOCKED, details: { ...base, blockedTriggerId: blocked.id, proposalId: result.proposalId } });
      } else if (decision === 'PROPOSE') {
        result.proposalId = this.propose(agent, source, triggerType, context, reason).id;
        this.deps.audit.record({ agentId, actor: 'system:trigger-interceptor', action: AuditAction.TRIGGER_PROPOSED, details: { ...base, proposalId: result.proposalId } });
      } else if (decision === 'SUPERVISE') {
        result.supervisionSessionId = this.supervision.startSession(agentId, { triggerId, triggerContext: { source, triggerType, ...context } }).id;
        this.deps.audit.record({ agentId, actor: 'system:trigger-interceptor', action: AuditAction.TRIGGER_SUPERVISED, details: { ...base, supervisionSessionId: result.supervisionSessionId } });
      }
    });
    if (decision === 'EXECUTE') await this.execute(agent, source, triggerType, context, result, base);
    return result;
  }

  /** Rule 4: a trigger that becomes a proposal must carry an approvable action. */
  private requireAction(context: Record<string, Json>): void {
    if (context.action === undefined || context.action === null) {
      throw new GovernanceError(
        'INVALID_PAYLOAD',
        'This trigger becomes a proposal a human must approve, but its context has no action: set context.action to the proposed action ({ "type": "canvas" | "browser" | "device" | "deep_link" | "multi_step", ... }).',
        { missing: 'context.action' },
      );
    }
    this.proposals.validateAction(context.action);
  }

  private propose(agent: Agent, source: TriggerSource, triggerType: string, context: Record<string, Json>, reason: string) {
    return this.proposals.createActionProposal({
      agentId: agent.id,
      title: `${triggerType} (${source}) by ${agent.name}`,
      description: `Trigger ${triggerType} from ${source} awaiting human approval.`,
      action: context.action,
      reasoning: reason,
      proposedBy: `agent:${agent.id}`,
    });
  }

  private async execute(agent: Agent, source: TriggerSource, triggerType: string, context: Record<string, Json>, result: RoutingResult, base: Record<string, Json>): Promise<void> {
    const startedAt = this.deps.clock.now().toISOString();
    let execution: { ok: boolean; output?: Json; error?: string };
    try {
      const output = this.executor ? await this.executor.execute({ triggerId: result.triggerId, agent, source, triggerType, context }) : { dispatched: true };
      execution = { ok: true, output };
    } catch (err) {
      execution = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    result.execution = execution;
    this.deps.db.transaction(() => {
      const subject: Json = { triggerType, source, context, output: execution.output ?? null, error: execution.error ?? null };
      const work = { agentId: agent.id, outcome: execution.ok ? 'success' : 'failure', humanInterventionCount: 0, subject, startedAt, completedAt: this.deps.clock.now().toISOString() } as const;
      result.episodeId = recordWorkEpisode(this.deps, work).episodeId;
      this.deps.audit.record({
        agentId: agent.id,
        actor: 'system:trigger-interceptor',
        action: execution.ok ? AuditAction.TRIGGER_EXECUTED : AuditAction.TRIGGER_EXECUTION_FAILED,
        details: { ...base, episodeId: result.episodeId, output: execution.output, error: execution.error },
      });
    });
  }
}
