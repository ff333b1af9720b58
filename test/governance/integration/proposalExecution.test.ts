/**
 * Proposal execution end to end on a real sql.js database: every action type, success and
 * failure, approval rules. Only the external executors (browser automation, devices) are
 * replaced by recording fakes; the canvas and deep-link executors are the real defaults.
 */
import { strict as assert } from 'node:assert';
import { GovernanceError, TriggerInterceptor, type GovernanceDatabase, type Json } from '../../../src/governance';
import {
  RecordingCanvasExecutor,
  RecordingDeepLinkExecutor,
  type BrowserExecutor,
  type BrowserStep,
  type DevicePayload,
  type DeviceExecutor,
  type ExecutionContext,
  type ExecutorOutput,
} from '../../../src/governance/executors';
import { ProposalService, type ExecutionRecord } from '../../../src/governance/proposalService';
import { countRows, freshDb, seedAgent, snapshotRows, testDeps } from '../fixtures';

/** A fake browser: records the steps it ran; fails on a click of `failSelector`. */
class FakeBrowser implements BrowserExecutor {
  readonly runs: BrowserStep[][] = [];
  failSelector?: string;
  async run(steps: BrowserStep[]): Promise<ExecutorOutput> {
    const bad = steps.find((s) => s.action === 'click' && s.selector === this.failSelector);
    if (bad) throw new Error(`element ${this.failSelector} not found`);
    this.runs.push(steps);
    return { stepsRun: steps.length, finalUrl: 'https://example.test/done' };
  }
  async undo(): Promise<void> {
    this.runs.pop();
  }
}

/** A fake device: records invocations; `denied` capabilities fail like a user denial. No undo. */
class FakeDevice implements DeviceExecutor {
  readonly calls: Array<{ request: DevicePayload; ctx: ExecutionContext }> = [];
  denied = new Set<string>();
  async invoke(request: DevicePayload, ctx: ExecutionContext): Promise<ExecutorOutput> {
    if (this.denied.has(request.capability)) throw new GovernanceError('PERMISSION_REQUIRED', `the OS denied ${request.capability}`);
    this.calls.push({ request, ctx });
    return { capability: request.capability, captured: request.capability === 'camera' ? 'photo-1.jpg' : null };
  }
}

const FORM: Json = { type: 'canvas', payload: { kind: 'form', fields: [{ name: 'amount' }] } };
const SHEET: Json = { type: 'canvas', payload: { kind: 'sheet', columns: ['item', 'cost'], rows: [['pen', 2]] } };
const CHART: Json = { type: 'canvas', payload: { kind: 'chart', chartType: 'line', series: [{ name: 'cost', data: [1, 2] }] } };
const BROWSER: Json = {
  type: 'browser',
  payload: { steps: [{ action: 'navigate', url: 'https://example.test' }, { action: 'fill', selector: '#q', value: 'pens' }, { action: 'click', selector: '#go' }] },
};
const LINK: Json = { type: 'deep_link', payload: { url: 'atom://workflow/wf-1' } };

describe('proposal execution (integration)', () => {
  let db: GovernanceDatabase;
  let deps: ReturnType<typeof testDeps>;
  let canvas: RecordingCanvasExecutor;
  let links: RecordingDeepLinkExecutor;
  let browser: FakeBrowser;
  let device: FakeDevice;
  let service: ProposalService;
  let agentId: string;

  beforeEach(async () => {
    db = await freshDb();
    deps = testDeps(db);
    canvas = new RecordingCanvasExecutor();
    links = new RecordingDeepLinkExecutor();
    browser = new FakeBrowser();
    device = new FakeDevice();
    service = new ProposalService({ ...deps, executors: { canvas, deepLink: links, browser, device } });
    agentId = seedAgent(db, { status: 'INTERN', name: 'Buyer' }).id;
  });
  afterEach(() => db.close());

  function approved(action: Json, grants?: Array<'camera' | 'screen_recording'>): string {
    const p = service.createActionProposal({ agentId, title: 'do it', action, proposedBy: 'interceptor' });
    service.approve(p.id, 'manager', { grants });
    return p.id;
  }

  function stored(id: string): { status: string; result: ExecutionRecord | null; completedAt: string | null } {
    const row = db.get<{ status: string; execution_result: string | null; completed_at: string | null }>('SELECT * FROM agent_proposals WHERE id = ?', [id])!;
    return { status: row.status, result: row.execution_result ? (JSON.parse(row.execution_result) as ExecutionRecord) : null, completedAt: row.completed_at };
  }

  for (const [kind, action] of [['form', FORM], ['sheet', SHEET], ['chart', CHART]] as const) {
    it(`presents a ${kind} canvas through the default executor and marks the proposal EXECUTED`, async () => {
      const id = approved(action);
      deps.clock.advance(5000);
      const outcome = await service.execute(id, { actor: 'manager' });
      assert.equal(outcome.success, true);
      assert.deepEqual(canvas.presented.map((c) => [c.proposalId, c.canvas.kind]), [[id, kind]]);
      const row = stored(id);
      assert.equal(row.status, 'EXECUTED');
      assert.equal(row.completedAt, '2026-01-01T09:00:05.000Z');
      assert.deepEqual(row.result, {
        success: true,
        actionType: 'canvas',
        attempt: 1,
        executedAt: '2026-01-01T09:00:05.000Z',
        actor: 'manager',
        steps: [{ step: 0, type: 'canvas', status: 'succeeded', output: { canvasId: 'canvas-1', kind } }],
      });
      assert.deepEqual(deps.audit.list({ action: 'proposal.executed' }).map((e) => [e.actor, e.details]), [
        ['manager', { proposalId: id, actionType: 'canvas', attempt: 1, episodeId: 'episode-1' }],
      ]);
      const episode = db.get<Record<string, unknown>>('SELECT * FROM agent_episodes')!;
      assert.deepEqual(
        [episode.id, episode.agent_id, episode.status, episode.maturity_at_time, episode.outcome, episode.human_intervention_count, episode.constitutional_score, episode.started_at, episode.completed_at],
        ['episode-1', agentId, 'completed', 'INTERN', 'success', 0, 1, '2026-01-01T09:00:05.000Z', '2026-01-01T09:00:05.000Z'],
      );
    });
  }

  it('records a canvas executor failure and leaves the proposal APPROVED', async () => {
    const s = new ProposalService({ ...deps, executors: { canvas: { present: async () => { throw new Error('editor closed'); } } } });
    const id = approved(FORM);
    const outcome = await s.execute(id);
    assert.equal(outcome.success, false);
    const row = stored(id);
    assert.equal(row.status, 'APPROVED');
    assert.equal(row.completedAt, null);
    assert.deepEqual([row.result!.success, row.result!.failedStep, row.result!.error], [false, 0, { code: 'EXECUTION_FAILED', message: 'editor closed' }]);
    assert.deepEqual(deps.audit.list({ action: 'proposal.execution_failed' }).map((e) => e.details), [
      { proposalId: id, actionType: 'canvas', attempt: 1, failedStep: 0, error: { code: 'EXECUTION_FAILED', message: 'editor closed' }, episodeId: 'episode-1' },
    ]);
    assert.deepEqual(db.all('SELECT outcome, maturity_at_time, human_intervention_count, constitutional_score FROM agent_episodes'), [
      { outcome: 'failure', maturity_at_time: 'INTERN', human_intervention_count: 0, constitutional_score: 1 },
    ]);
  });

  it('runs browser automation steps in order through the browser executor', async () => {
    const id = approved(BROWSER);
    const outcome = await service.execute(id);
    assert.equal(outcome.success, true);
    assert.deepEqual(browser.runs, [[{ action: 'navigate', url: 'https://example.test' }, { action: 'fill', selector: '#q', value: 'pens' }, { action: 'click', selector: '#go' }]]);
    assert.deepEqual(stored(id).result!.steps[0].output, { stepsRun: 3, finalUrl: 'https://example.test/done' });
    assert.equal(stored(id).status, 'EXECUTED');
  });

  it('records a browser failure, stays APPROVED and succeeds on retry as attempt 2', async () => {
    browser.failSelector = '#go';
    const id = approved(BROWSER);
    const first = await service.execute(id);
    assert.equal(first.success, false);
    assert.deepEqual(stored(id).result!.error, { code: 'EXECUTION_FAILED', message: 'element #go not found' });
    assert.equal(stored(id).status, 'APPROVED');
    browser.failSelector = undefined;
    deps.clock.advance(1000);
    const second = await service.execute(id);
    assert.equal(second.success, true);
    assert.deepEqual([stored(id).status, stored(id).result!.attempt], ['EXECUTED', 2]);
    assert.equal(countRows(db, 'audit_log', 'action = ?', ['proposal.execution_failed']), 1);
    assert.equal(countRows(db, 'audit_log', 'action = ?', ['proposal.executed']), 1);
  });

  it('refuses browser and device actions with EXECUTOR_UNAVAILABLE when none is configured, changing nothing', async () => {
    const bare = new ProposalService({ ...deps });
    const b = approved(BROWSER);
    const d = approved({ type: 'device', payload: { capability: 'notifications' } });
    const before = snapshotRows(db);
    for (const id of [b, d]) {
      await assert.rejects(() => bare.execute(id), (err: GovernanceError) => err.code === 'EXECUTOR_UNAVAILABLE' && /supply one/.test(err.message));
    }
    assert.deepEqual(snapshotRows(db), before);
  });

  it('uses location and notifications without a grant', async () => {
    for (const capability of ['location', 'notifications']) {
      const id = approved({ type: 'device', payload: { capability } });
      assert.equal((await service.execute(id)).success, true);
      assert.equal(stored(id).status, 'EXECUTED');
    }
    assert.deepEqual(device.calls.map((c) => c.request.capability), ['location', 'notifications']);
  });

  it('uses the camera only with the grant given at approval, and passes the grant to the device', async () => {
    const withGrant = approved({ type: 'device', payload: { capability: 'camera' } }, ['camera']);
    const outcome = await service.execute(withGrant);
    assert.equal(outcome.success, true);
    assert.deepEqual(device.calls[0].request.grant, { grantedBy: 'manager' });
    assert.deepEqual(stored(withGrant).result!.steps[0].output, { capability: 'camera', captured: 'photo-1.jpg' });
  });

  it('refuses screen recording approved without a grant before any device call, changing nothing', async () => {
    const id = approved({ type: 'device', payload: { capability: 'screen_recording' } });
    const before = snapshotRows(db);
    await assert.rejects(() => service.execute(id), (err: GovernanceError) => err.code === 'PERMISSION_REQUIRED');
    assert.deepEqual(snapshotRows(db), before);
    assert.equal(device.calls.length, 0);
  });

  it('records a device failure (OS denial) with its code and stays APPROVED', async () => {
    device.denied.add('location');
    const id = approved({ type: 'device', payload: { capability: 'location' } });
    const outcome = await service.execute(id);
    assert.equal(outcome.success, false);
    assert.deepEqual(stored(id).result!.error, { code: 'PERMISSION_REQUIRED', message: 'the OS denied location' });
    assert.equal(stored(id).status, 'APPROVED');
  });

  it('opens an allowed deep link through the default deep-link executor', async () => {
    const id = approved(LINK);
    assert.equal((await service.execute(id)).success, true);
    assert.deepEqual(links.opened, [{ url: 'atom://workflow/wf-1', resourceType: 'workflow', id: 'wf-1' }]);
    assert.deepEqual(stored(id).result!.steps[0].output, { opened: 'atom://workflow/wf-1' });
  });

  it('records a deep-link failure and stays APPROVED', async () => {
    const s = new ProposalService({ ...deps, executors: { deepLink: { open: async () => { throw new Error('workflow wf-1 was deleted'); } } } });
    const id = approved(LINK);
    const outcome = await s.execute(id);
    assert.deepEqual([outcome.success, outcome.proposal.status, outcome.result.error!.message], [false, 'APPROVED', 'workflow wf-1 was deleted']);
  });

  it('runs a multi-step action in order and records every step result', async () => {
    const id = approved({ type: 'multi_step', steps: [FORM, BROWSER, LINK, { type: 'device', payload: { capability: 'notifications' } }] });
    const outcome = await service.execute(id);
    assert.equal(outcome.success, true);
    assert.deepEqual(outcome.result.steps.map((s) => [s.step, s.type, s.status]), [
      [0, 'canvas', 'succeeded'],
      [1, 'browser', 'succeeded'],
      [2, 'deep_link', 'succeeded'],
      [3, 'device', 'succeeded'],
    ]);
    assert.deepEqual(device.calls.map((c) => c.ctx.stepIndex), [3]);
    assert.equal(stored(id).result!.actionType, 'multi_step');
    assert.equal(stored(id).status, 'EXECUTED');
  });

  it('stops a multi-step action at the first failing step, records it and rolls back the steps before it', async () => {
    browser.failSelector = '#go';
    const id = approved({ type: 'multi_step', steps: [FORM, LINK, BROWSER, CHART] });
    const outcome = await service.execute(id);
    assert.equal(outcome.success, false);
    const result = stored(id).result!;
    assert.equal(result.failedStep, 2);
    assert.deepEqual(result.steps.map((s) => [s.step, s.status]), [[0, 'rolled_back'], [1, 'rolled_back'], [2, 'failed']]);
    assert.deepEqual(result.steps[0].output, { canvasId: 'canvas-1', kind: 'form' });
    assert.equal(canvas.presented.length, 0, 'the chart after the failure never ran and the form was withdrawn');
    assert.equal(links.opened.length, 0);
    assert.equal(stored(id).status, 'APPROVED');
  });

  it('marks completed steps it cannot undo as not_undone, with the reason', async () => {
    const s = new ProposalService({
      ...deps,
      executors: {
        device,
        canvas: { present: async () => { throw new Error('canvas crashed'); } },
        deepLink: { open: async () => ({ opened: 'x' }), undo: async () => { throw new Error('history is read-only'); } },
      },
    });
    const id = approved({ type: 'multi_step', steps: [{ type: 'device', payload: { capability: 'notifications' } }, LINK, FORM] });
    const outcome = await s.execute(id);
    assert.deepEqual(outcome.result.steps.map((r) => [r.status, r.error?.message]), [
      ['not_undone', 'the device executor cannot undo'],
      ['not_undone', 'history is read-only'],
      ['failed', 'canvas crashed'],
    ]);
    assert.equal(stored(id).status, 'APPROVED');
  });

  it('stores a missing executor output as an empty object', async () => {
    const s = new ProposalService({ ...deps, executors: { deepLink: { open: async () => undefined as unknown as ExecutorOutput } } });
    const id = approved(LINK);
    const outcome = await s.execute(id);
    assert.deepEqual(outcome.result.steps[0].output, {});
    assert.equal(stored(id).status, 'EXECUTED');
  });

  it('records an executor that throws a non-Error value as EXECUTION_FAILED with its text', async () => {
    const s = new ProposalService({ ...deps, executors: { deepLink: { open: async () => { throw 'socket hang up'; } } } });
    const id = approved(LINK);
    const outcome = await s.execute(id);
    assert.deepEqual(stored(id).result!.error, { code: 'EXECUTION_FAILED', message: 'socket hang up' });
    assert.equal(outcome.success, false);
  });

  it('approval rules: only PROPOSED is approved, only APPROVED executes, EXECUTED never runs twice', async () => {
    const p = service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
    await assert.rejects(() => service.execute(p.id), (err: GovernanceError) => err.code === 'INVALID_STATUS');
    service.approve(p.id, 'manager');
    assert.throws(() => service.approve(p.id, 'manager'), (err: GovernanceError) => err.code === 'INVALID_STATUS');
    await service.execute(p.id);
    await assert.rejects(() => service.execute(p.id), (err: GovernanceError) => err.code === 'INVALID_STATUS' && /EXECUTED/.test(err.message));
    assert.equal(canvas.presented.length, 1);
    assert.deepEqual(deps.audit.list({ agentId }).map((e) => e.action), ['proposal.created', 'proposal.approved', 'proposal.executed']);
  });

  it('never executes a rejected proposal', async () => {
    const p = service.createActionProposal({ agentId, title: 't', action: BROWSER, proposedBy: 'u' });
    service.reject(p.id, 'manager', 'too risky');
    await assert.rejects(() => service.execute(p.id), (err: GovernanceError) => err.code === 'INVALID_STATUS');
    assert.equal(browser.runs.length, 0);
    assert.deepEqual([stored(p.id).status, stored(p.id).result], ['REJECTED', null]);
  });

  it('executes the action of a proposal the trigger interceptor created for an INTERN agent, once approved', async () => {
    const interceptor = new TriggerInterceptor(deps);
    const routed = await interceptor.intercept(agentId, 'WORKFLOW_ENGINE', 'expense.submitted', { action: SHEET, actionComplexity: 1 });
    assert.equal(routed.decision, 'PROPOSE');
    const id = routed.proposalId!;
    assert.equal(canvas.presented.length, 0, 'nothing acts before approval');
    service.approve(id, 'manager');
    const outcome = await service.execute(id, { actor: 'manager' });
    assert.equal(outcome.success, true);
    assert.deepEqual(canvas.presented.map((c) => [c.proposalId, c.canvas.kind]), [[id, 'sheet']]);
    assert.equal(stored(id).status, 'EXECUTED');
  });

  it('every proposal the interceptor stores can be approved and executed; one without an executable action is never stored (rule 4)', async () => {
    const interceptor = new TriggerInterceptor({ ...deps, proposals: service });
    const before = snapshotRows(db);
    await assert.rejects(
      () => interceptor.intercept(agentId, 'DATA_SYNC', 'crm.updated', { record: 42, action: { payload: { kind: 'form', fields: [{ name: 'a' }] } } }),
      (err: GovernanceError) => err.code === 'UNKNOWN_ACTION_TYPE' && /^Missing action type at proposed_action\.type; expected one of canvas, browser/.test(err.message),
    );
    assert.deepEqual(snapshotRows(db), before);
    const routed = await interceptor.intercept(agentId, 'DATA_SYNC', 'crm.updated', { record: 42, action: FORM });
    assert.equal(service.approve(routed.proposalId!, 'manager').status, 'APPROVED');
    assert.equal((await service.execute(routed.proposalId!)).success, true);
    assert.equal(stored(routed.proposalId!).status, 'EXECUTED');
  });
});
