import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { GovernanceError, insertProposal, updateProposalFields, type GovernanceDatabase, type Json } from '../../../src/governance';
import {
  ACTION_TYPES,
  CHART_TYPES,
  DEEP_LINK_ID,
  DEFAULT_DEEP_LINK_RESOURCES,
  DEVICE_CAPABILITIES,
  GRANT_REQUIRED,
  RecordingCanvasExecutor,
  RecordingDeepLinkExecutor,
  UnavailableBrowserExecutor,
  UnavailableDeviceExecutor,
  defaultExecutors,
  parseProposedAction,
  type CanvasExecutor,
  type ExecutorOutput,
} from '../../../src/governance/executors';
import { ProposalService } from '../../../src/governance/proposalService';
import { allRows, codeOf, codeOfAsync, countRows, refusedWith, freshDb, seedAgent, snapshotRows, testDeps } from '../fixtures';

const FORM = { type: 'canvas', payload: { kind: 'form', title: 'Expense', fields: [{ name: 'amount', type: 'number', required: true }] } };
const CHART = { type: 'canvas', payload: { kind: 'chart', chartType: 'bar', series: [{ name: 'Q1', data: [1, 2, 3] }] } };
const SHEET = { type: 'canvas', payload: { kind: 'sheet', columns: ['a', 'b'], rows: [[1, 2], ['x', 'y']] } };

describe('action payload validation (parseProposedAction)', () => {
  it('publishes the action vocabulary it validates against', () => {
    assert.deepEqual(ACTION_TYPES, ['canvas', 'browser', 'device', 'deep_link', 'multi_step']);
    assert.deepEqual(CHART_TYPES, ['line', 'bar', 'pie', 'area', 'scatter']);
    assert.deepEqual(DEVICE_CAPABILITIES, ['camera', 'screen_recording', 'location', 'notifications']);
    assert.deepEqual(GRANT_REQUIRED, ['camera', 'screen_recording']);
    assert.ok(DEEP_LINK_ID.test('wf_1-a') && !DEEP_LINK_ID.test('-x') && !DEEP_LINK_ID.test('a'.repeat(129)));
  });

  it('accepts a form canvas with fields and returns it typed', () => {
    assert.deepEqual(parseProposedAction(FORM), {
      type: 'canvas',
      payload: { kind: 'form', title: 'Expense', fields: [{ name: 'amount', type: 'number', required: true }] },
    });
  });

  it('accepts a chart with a type and data series and a sheet with matching rows', () => {
    assert.deepEqual(parseProposedAction(CHART), { type: 'canvas', payload: { kind: 'chart', title: undefined, chartType: 'bar', series: [{ name: 'Q1', data: [1, 2, 3] }] } });
    assert.deepEqual(parseProposedAction(SHEET), { type: 'canvas', payload: { kind: 'sheet', title: undefined, columns: ['a', 'b'], rows: [[1, 2], ['x', 'y']] } });
  });

  const malformedCanvas: Array<[string, unknown, RegExp]> = [
    ['a form without fields', { kind: 'form', fields: [] }, /payload\.fields: expected a non-empty array/],
    ['a form field without a name', { kind: 'form', fields: [{ label: 'x' }] }, /fields\[0\]\.name/],
    ['a form field that is not an object', { kind: 'form', fields: ['amount'] }, /fields\[0\]: expected an object/],
    ['a chart without a type', { kind: 'chart', series: [{ name: 's', data: [1] }] }, /chartType: expected one of line, bar/],
    ['a chart without series', { kind: 'chart', chartType: 'line', series: [] }, /series: expected a non-empty array/],
    ['a chart series with non-numeric data', { kind: 'chart', chartType: 'pie', series: [{ name: 's', data: [1, 'x'] }] }, /series\[0\]\.data: expected finite numbers/],
    ['a sheet without columns', { kind: 'sheet', rows: [] }, /columns: expected a non-empty array/],
    ['a sheet with an unnamed column', { kind: 'sheet', columns: ['a', ''], rows: [] }, /every column needs a name/],
    ['a sheet without rows', { kind: 'sheet', columns: ['a'] }, /rows: expected an array of rows/],
    ['a sheet row of the wrong width', { kind: 'sheet', columns: ['a', 'b'], rows: [[1]] }, /rows\[0\]: expected an array of 2 cells/],
    ['an unknown canvas kind', { kind: 'slides' }, /kind: expected form, sheet or chart/],
  ];
  for (const [what, payload, message] of malformedCanvas) {
    it(`refuses ${what} with INVALID_PAYLOAD naming the path`, () => {
      assert.throws(() => parseProposedAction({ type: 'canvas', payload }), (err: GovernanceError) => err.code === 'INVALID_PAYLOAD' && message.test(err.message));
    });
  }

  it('accepts navigate, fill and click browser steps', () => {
    const action = parseProposedAction({
      type: 'browser',
      payload: { steps: [{ action: 'navigate', url: 'https://example.test/form' }, { action: 'fill', selector: '#a', value: '' }, { action: 'click', selector: 'button' }] },
    });
    assert.deepEqual(action, {
      type: 'browser',
      payload: { steps: [{ action: 'navigate', url: 'https://example.test/form' }, { action: 'fill', selector: '#a', value: '' }, { action: 'click', selector: 'button' }] },
    });
  });

  const malformedBrowser: Array<[string, unknown, RegExp]> = [
    ['no steps', { steps: [] }, /steps: expected a non-empty array/],
    ['a non-http navigation', { steps: [{ action: 'navigate', url: 'file:///etc/passwd' }] }, /steps\[0\]\.url: expected an http\(s\) URL/],
    ['a javascript: URL embedding an http one (the check is anchored)', { steps: [{ action: 'navigate', url: 'javascript:fetch("https://evil.test")' }] }, /steps\[0\]\.url: expected an http\(s\) URL/],
    ['a URL with a scheme prefix', { steps: [{ action: 'navigate', url: 'xhttps://example.test' }] }, /steps\[0\]\.url: expected an http\(s\) URL/],
    ['a fill without a value', { steps: [{ action: 'fill', selector: '#a' }] }, /steps\[0\]\.value: expected a string/],
    ['a click without a selector', { steps: [{ action: 'click' }] }, /steps\[0\]\.selector/],
    ['an unknown step', { steps: [{ action: 'hover', selector: 'a' }] }, /expected navigate, fill or click/],
  ];
  for (const [what, payload, message] of malformedBrowser) {
    it(`refuses browser automation with ${what}`, () => {
      assert.throws(() => parseProposedAction({ type: 'browser', payload }), (err: GovernanceError) => err.code === 'INVALID_PAYLOAD' && message.test(err.message));
    });
  }

  it('lets location and notifications run without a grant', () => {
    assert.deepEqual(parseProposedAction({ type: 'device', payload: { capability: 'location' } }), {
      type: 'device',
      payload: { capability: 'location', grant: undefined, params: undefined },
    });
    assert.deepEqual(parseProposedAction({ type: 'device', payload: { capability: 'notifications', params: { text: 'hi' } } }), {
      type: 'device',
      payload: { capability: 'notifications', grant: undefined, params: { text: 'hi' } },
    });
  });

  it('refuses camera and screen recording without an explicit grant (PERMISSION_REQUIRED)', () => {
    assert.equal(codeOf(() => parseProposedAction({ type: 'device', payload: { capability: 'camera' } })), 'PERMISSION_REQUIRED');
    assert.equal(codeOf(() => parseProposedAction({ type: 'device', payload: { capability: 'screen_recording', grant: { grantedBy: '' } } })), 'PERMISSION_REQUIRED');
  });

  it('accepts camera with a grant in the payload or from the approval, and drafts without one', () => {
    assert.deepEqual(parseProposedAction({ type: 'device', payload: { capability: 'camera', grant: { grantedBy: 'u1' } } }), {
      type: 'device',
      payload: { capability: 'camera', grant: { grantedBy: 'u1' }, params: undefined },
    });
    const fromApproval = parseProposedAction({ type: 'device', payload: { capability: 'screen_recording' } }, { grants: { screen_recording: 'admin' } });
    assert.deepEqual(fromApproval, { type: 'device', payload: { capability: 'screen_recording', grant: { grantedBy: 'admin' }, params: undefined } });
    assert.equal(parseProposedAction({ type: 'device', payload: { capability: 'camera' } }, { checkGrants: false }).type, 'device');
  });

  it('refuses an unknown capability and non-object params', () => {
    assert.equal(codeOf(() => parseProposedAction({ type: 'device', payload: { capability: 'microphone' } })), 'INVALID_PAYLOAD');
    assert.equal(codeOf(() => parseProposedAction({ type: 'device', payload: { capability: 'location', params: [1] } })), 'INVALID_PAYLOAD');
  });

  it('parses an allowed atom:// deep link into resource type and id', () => {
    assert.deepEqual(parseProposedAction({ type: 'deep_link', payload: { url: 'atom://workflow/wf_42-a' } }), {
      type: 'deep_link',
      payload: { url: 'atom://workflow/wf_42-a', resourceType: 'workflow', id: 'wf_42-a' },
    });
    assert.ok(DEFAULT_DEEP_LINK_RESOURCES.includes('agent'));
  });

  const badLinks: Array<[string, string, RegExp]> = [
    ['another scheme', 'https://workflow/1', /expected atom:\/\/<resourceType>\/<id>/],
    ['a path with extra segments', 'atom://workflow/1/2', /expected atom:\/\//],
    ['a scheme prefix before atom:// (the check is anchored at the start)', 'javascript:atom://agent/a1', /expected atom:\/\/<resourceType>\/<id>/],
    ['a query after the id (the check is anchored at the end)', 'atom://agent/a1?next=https://evil.test', /expected atom:\/\/<resourceType>\/<id>/],
    ['a resource type outside the allowlist', 'atom://billing/1', /resource type "billing" is not allowed/],
    ['an id with forbidden characters', 'atom://agent/..%2F', /is not a valid resource id/],
  ];
  for (const [what, url, message] of badLinks) {
    it(`refuses a deep link with ${what}`, () => {
      assert.throws(() => parseProposedAction({ type: 'deep_link', payload: { url } }), (err: GovernanceError) => err.code === 'INVALID_PAYLOAD' && message.test(err.message));
    });
  }

  it('honours a configured deep-link allowlist', () => {
    assert.equal(parseProposedAction({ type: 'deep_link', payload: { url: 'atom://billing/7' } }, { deepLinkResources: ['billing'] }).type, 'deep_link');
    assert.equal(codeOf(() => parseProposedAction({ type: 'deep_link', payload: { url: 'atom://agent/7' } }, { deepLinkResources: ['billing'] })), 'INVALID_PAYLOAD');
  });

  it('validates every step of a multi-step action and names the failing step', () => {
    const ok = parseProposedAction({ type: 'multi_step', steps: [FORM, { type: 'deep_link', payload: { url: 'atom://agent/a1' } }] });
    assert.equal(ok.type, 'multi_step');
    assert.deepEqual(ok.type === 'multi_step' && ok.steps.map((s) => s.type), ['canvas', 'deep_link']);
    assert.throws(
      () => parseProposedAction({ type: 'multi_step', steps: [FORM, { type: 'canvas', payload: { kind: 'form', fields: [] } }] }),
      (err: GovernanceError) => err.code === 'INVALID_PAYLOAD' && /proposed_action\.steps\[1\]\.payload\.fields/.test(err.message),
    );
  });

  it('refuses nested multi-step actions, empty step lists and missing payloads', () => {
    assert.equal(codeOf(() => parseProposedAction({ type: 'multi_step', steps: [{ type: 'multi_step', steps: [FORM] }] })), 'INVALID_PAYLOAD');
    assert.equal(codeOf(() => parseProposedAction({ type: 'multi_step', steps: [] })), 'INVALID_PAYLOAD');
    assert.equal(codeOf(() => parseProposedAction({ type: 'canvas' })), 'INVALID_PAYLOAD');
    assert.equal(codeOf(() => parseProposedAction(null)), 'INVALID_PAYLOAD');
    assert.equal(codeOf(() => parseProposedAction('canvas')), 'INVALID_PAYLOAD');
  });

  it('refuses an unknown action type with UNKNOWN_ACTION_TYPE, also inside a multi-step action', () => {
    assert.throws(() => parseProposedAction({ type: 'email', payload: {} }), (err: GovernanceError) => err.code === 'UNKNOWN_ACTION_TYPE' && /^Unknown action type "email" at proposed_action\.type/.test(err.message));
    assert.equal(codeOf(() => parseProposedAction({ type: 'multi_step', steps: [FORM, { type: 'sms', payload: {} }] })), 'UNKNOWN_ACTION_TYPE');
  });
});

describe('default executors', () => {
  const ctx = { proposalId: 'p1', agentId: 'a1', stepIndex: 0 };

  it('the default canvas executor records what it presents and withdraws it on undo', async () => {
    const canvas = new RecordingCanvasExecutor();
    const first = await canvas.present({ kind: 'form', fields: [{ name: 'a' }] }, ctx);
    const second = await canvas.present({ kind: 'sheet', columns: ['a'], rows: [] }, { ...ctx, proposalId: 'p2' });
    assert.deepEqual(first, { canvasId: 'canvas-1', kind: 'form' });
    assert.deepEqual(canvas.presented.map((c) => [c.id, c.proposalId]), [['canvas-1', 'p1'], ['canvas-2', 'p2']]);
    await canvas.undo(first);
    await canvas.undo({ canvasId: 'canvas-99' });
    assert.deepEqual(canvas.presented.map((c) => c.id), [second.canvasId]);
  });

  it('the default deep-link executor records opened links and forgets them on undo', async () => {
    const links = new RecordingDeepLinkExecutor();
    const out = await links.open({ url: 'atom://agent/a', resourceType: 'agent', id: 'a' });
    assert.deepEqual(out, { opened: 'atom://agent/a' });
    await links.undo({ opened: 'atom://agent/zzz' });
    assert.equal(links.opened.length, 1);
    await links.undo(out);
    assert.equal(links.opened.length, 0);
  });

  it('the default browser and device executors refuse with EXECUTOR_UNAVAILABLE', async () => {
    const browser = new UnavailableBrowserExecutor();
    const device = new UnavailableDeviceExecutor();
    assert.equal(browser.available(), false);
    assert.equal(device.available(), false);
    assert.equal(await codeOfAsync(() => browser.run()), 'EXECUTOR_UNAVAILABLE');
    assert.equal(await codeOfAsync(() => device.invoke()), 'EXECUTOR_UNAVAILABLE');
    const defaults = defaultExecutors();
    assert.ok(defaults.canvas instanceof RecordingCanvasExecutor);
    assert.ok(defaults.deepLink instanceof RecordingDeepLinkExecutor);
  });
});

describe('ProposalService', () => {
  let db: GovernanceDatabase;
  let deps: ReturnType<typeof testDeps>;
  let canvas: RecordingCanvasExecutor;
  let service: ProposalService;
  let agentId: string;

  beforeEach(async () => {
    db = await freshDb();
    deps = testDeps(db);
    canvas = new RecordingCanvasExecutor();
    service = new ProposalService({ ...deps, executors: { canvas } });
    agentId = seedAgent(db, { status: 'INTERN', name: 'Clerk' }).id;
  });

  describe('create', () => {
    it('creates a PROPOSED ACTION proposal with its action and audits it', () => {
      const p = service.createActionProposal({ agentId, title: 'Show expense form', action: FORM, proposedBy: 'interceptor', reasoning: 'user asked' });
      assert.equal(p.status, 'PROPOSED');
      assert.equal(p.proposalType, 'ACTION');
      assert.equal(p.agentName, 'Clerk');
      assert.deepEqual(p.proposedAction, FORM);
      const row = db.get<{ status: string; proposed_action: string; reasoning: string }>('SELECT * FROM agent_proposals WHERE id = ?', [p.id])!;
      assert.deepEqual([row.status, JSON.parse(row.proposed_action), row.reasoning], ['PROPOSED', FORM, 'user asked']);
      assert.deepEqual(deps.audit.list({ action: 'proposal.created' }).map((e) => [e.actor, e.details]), [['interceptor', { proposalId: p.id, proposalType: 'ACTION' }]]);
    });

    it('creates a camera action as a draft (the grant comes at approval)', () => {
      const p = service.createActionProposal({ agentId, title: 'Scan receipt', action: { type: 'device', payload: { capability: 'camera' } }, proposedBy: 'u1' });
      assert.equal(p.status, 'PROPOSED');
    });

    it('creates a TRAINING proposal with objectives, gaps and estimates', () => {
      const p = service.createTrainingProposal({
        agentId,
        title: 'Learn invoices',
        learningObjectives: ['read invoices'],
        capabilityGaps: ['ocr'],
        proposedBy: 'trainer',
        estimatedDurationHours: 4,
        hoursPerDayLimit: 2,
        trainingScenarioTemplate: 'invoice-basics',
      });
      assert.equal(p.proposalType, 'TRAINING');
      const row = db.get<Record<string, unknown>>('SELECT * FROM agent_proposals WHERE id = ?', [p.id])!;
      assert.deepEqual(
        [row.learning_objectives, row.capability_gaps, row.estimated_duration_hours, row.hours_per_day_limit, row.training_scenario_template],
        ['["read invoices"]', '["ocr"]', 4, 2, 'invoice-basics'],
      );
    });

    it('refuses a malformed action, an unknown type, a missing title or proposer, and changes nothing', () => {
      const before = snapshotRows(db);
      assert.equal(codeOf(() => service.createActionProposal({ agentId, title: 'x', action: { type: 'canvas', payload: { kind: 'form', fields: [] } }, proposedBy: 'u' })), 'INVALID_PAYLOAD');
      assert.equal(codeOf(() => service.createActionProposal({ agentId, title: 'x', action: { type: 'telepathy', payload: {} }, proposedBy: 'u' })), 'UNKNOWN_ACTION_TYPE');
      assert.equal(codeOf(() => service.createActionProposal({ agentId, title: ' ', action: FORM, proposedBy: 'u' })), 'INVALID_ARGUMENT');
      assert.equal(codeOf(() => service.createActionProposal({ agentId, title: 'x', action: FORM, proposedBy: '' })), 'INVALID_ARGUMENT');
      assert.equal(codeOf(() => service.createTrainingProposal({ agentId, title: 'x', learningObjectives: [], capabilityGaps: [], proposedBy: 'u' })), 'INVALID_ARGUMENT');
      assert.deepEqual(snapshotRows(db), before);
    });

    it('refuses proposals for an unknown, PAUSED or DEPRECATED agent', () => {
      const paused = seedAgent(db, { status: 'PAUSED' }).id;
      const deprecated = seedAgent(db, { status: 'DEPRECATED' }).id;
      assert.equal(codeOf(() => service.createActionProposal({ agentId: 'ghost', title: 'x', action: FORM, proposedBy: 'u' })), 'AGENT_NOT_FOUND');
      assert.equal(codeOf(() => service.createActionProposal({ agentId: paused, title: 'x', action: FORM, proposedBy: 'u' })), 'AGENT_NOT_ROUTABLE');
      assert.equal(codeOf(() => service.createTrainingProposal({ agentId: deprecated, title: 'x', learningObjectives: ['a'], capabilityGaps: [], proposedBy: 'u' })), 'AGENT_NOT_ROUTABLE');
      assert.equal(countRows(db, 'agent_proposals'), 0);
    });
  });

  describe('approve', () => {
    it('records the approver and time on a PROPOSED proposal and audits it', () => {
      const p = service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      deps.clock.advance(60_000);
      const approved = service.approve(p.id, 'manager');
      assert.deepEqual([approved.status, approved.approvedBy, approved.approvedAt], ['APPROVED', 'manager', '2026-01-01T09:01:00.000Z']);
      const row = db.get<{ status: string; approved_by: string; approved_at: string }>('SELECT * FROM agent_proposals WHERE id = ?', [p.id])!;
      assert.deepEqual([row.status, row.approved_by, row.approved_at], ['APPROVED', 'manager', '2026-01-01T09:01:00.000Z']);
      assert.deepEqual(deps.audit.list({ action: 'proposal.approved' }).map((e) => e.details), [{ proposalId: p.id, grants: [] }]);
    });

    it('stores device grants given at approval', () => {
      const p = service.createActionProposal({ agentId, title: 't', action: { type: 'device', payload: { capability: 'camera' } }, proposedBy: 'u' });
      const approved = service.approve(p.id, 'admin', { grants: ['camera'] });
      assert.deepEqual(approved.modifications, { grants: [{ capability: 'camera', grantedBy: 'admin', grantedAt: '2026-01-01T09:00:00.000Z' }] });
    });

    it('keeps earlier modifications when approving, adding grants only when some are given', () => {
      const p = service.createActionProposal({ agentId, title: 't', action: { type: 'device', payload: { capability: 'camera' } }, proposedBy: 'u' });
      updateProposalFields(db, p.id, { modifications: { note: 'amount lowered to 40', grants: [] } });
      const q = service.createActionProposal({ agentId, title: 'q', action: FORM, proposedBy: 'u' });
      updateProposalFields(db, q.id, { modifications: { note: 'title shortened' } });
      deps.clock.advance(1000);
      assert.deepEqual(service.approve(p.id, 'admin', { grants: ['camera'] }).modifications, {
        note: 'amount lowered to 40',
        grants: [{ capability: 'camera', grantedBy: 'admin', grantedAt: '2026-01-01T09:00:01.000Z' }],
      });
      assert.deepEqual(service.approve(q.id, 'admin', { grants: [] }).modifications, { note: 'title shortened' });
      const [audit] = deps.audit.list({ action: 'proposal.approved' });
      assert.deepEqual([audit.actor, audit.agentId, audit.details], ['admin', agentId, { proposalId: p.id, grants: ['camera'] }]);
    });

    it('approves a TRAINING proposal without an action', () => {
      const p = service.createTrainingProposal({ agentId, title: 't', learningObjectives: ['a'], capabilityGaps: [], proposedBy: 'u' });
      assert.equal(service.approve(p.id, 'trainer').status, 'APPROVED');
    });

    it('refuses to approve an APPROVED, REJECTED or unknown proposal, without an approver, or by an agent or system actor', () => {
      const a = service.createActionProposal({ agentId, title: 'a', action: FORM, proposedBy: 'u' });
      const r = service.createActionProposal({ agentId, title: 'r', action: FORM, proposedBy: 'u' });
      service.approve(a.id, 'm');
      service.reject(r.id, 'm', 'not needed');
      const before = snapshotRows(db);
      assert.equal(codeOf(() => service.approve(a.id, 'm')), 'INVALID_STATUS');
      assert.equal(codeOf(() => service.approve(r.id, 'm')), 'INVALID_STATUS');
      assert.equal(codeOf(() => service.approve('nope', 'm')), 'NOT_FOUND');
      assert.equal(codeOf(() => service.approve(a.id, '')), 'INVALID_ARGUMENT');
      assert.equal(codeOf(() => service.approve(r.id, `agent:${agentId}`)), 'PERMISSION_REQUIRED');
      assert.equal(codeOf(() => service.approve(r.id, 'system:auto-approver')), 'PERMISSION_REQUIRED');
      assert.throws(() => service.approve(a.id, 'm', { grants: ['microphone' as 'camera'] }), (err: GovernanceError) => err.code === 'INVALID_ARGUMENT' && /microphone/.test(err.message));
      assert.deepEqual(snapshotRows(db), before);
    });

    it('refuses to approve an ACTION proposal whose stored action is malformed', () => {
      const p = insertProposal(db, deps.clock, deps.ids, { agentId, agentName: 'Clerk', proposalType: 'ACTION', title: 'raw', proposedBy: 'x', proposedAction: { type: 'canvas', payload: { kind: 'chart' } } });
      assert.equal(codeOf(() => service.approve(p.id, 'm')), 'INVALID_PAYLOAD');
      assert.equal(service.get(p.id).status, 'PROPOSED');
    });
  });

  describe('reject', () => {
    it('rejects a PROPOSED proposal with its reason, keeping earlier modifications', () => {
      const p = service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      const rejected = service.reject(p.id, 'manager', 'out of scope');
      assert.equal(rejected.status, 'REJECTED');
      assert.deepEqual(rejected.modifications, { rejection: { reason: 'out of scope', rejectedBy: 'manager', rejectedAt: '2026-01-01T09:00:00.000Z' } });
      assert.equal(rejected.completedAt, '2026-01-01T09:00:00.000Z');
      assert.deepEqual(deps.audit.list({ action: 'proposal.rejected' }).map((e) => e.details), [{ proposalId: p.id, reason: 'out of scope', previousStatus: 'PROPOSED' }]);
    });

    it('revokes an APPROVED proposal before it executes, and it can no longer execute', async () => {
      const p = service.createActionProposal({ agentId, title: 't', action: { type: 'device', payload: { capability: 'camera' } }, proposedBy: 'u' });
      service.approve(p.id, 'admin', { grants: ['camera'] });
      const rejected = service.reject(p.id, 'admin', 'changed my mind');
      assert.deepEqual(Object.keys(rejected.modifications as object).sort(), ['grants', 'rejection']);
      assert.equal(await codeOfAsync(() => service.execute(p.id)), 'INVALID_STATUS');
      assert.equal(canvas.presented.length, 0);
      assert.equal(service.get(p.id).executionResult, null);
    });

    it('refuses to reject without a reason or rejecting user, or an EXECUTED proposal', async () => {
      const p = service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      assert.equal(codeOf(() => service.reject(p.id, 'm', '  ')), 'INVALID_ARGUMENT');
      assert.equal(codeOf(() => service.reject(p.id, '', 'why')), 'INVALID_ARGUMENT');
      service.approve(p.id, 'm');
      await service.execute(p.id);
      assert.equal(codeOf(() => service.reject(p.id, 'm', 'too late')), 'INVALID_STATUS');
      assert.equal(service.get(p.id).status, 'EXECUTED');
    });
  });

  describe('execute guards', () => {
    it('refuses a TRAINING proposal: training runs through the training service', async () => {
      const p = service.createTrainingProposal({ agentId, title: 't', learningObjectives: ['a'], capabilityGaps: [], proposedBy: 'u' });
      service.approve(p.id, 'm');
      assert.equal(await codeOfAsync(() => service.execute(p.id)), 'INVALID_ARGUMENT');
      assert.equal(service.get(p.id).status, 'APPROVED');
    });

    it('refuses a PROPOSED (unapproved) proposal and calls no executor', async () => {
      const p = service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      assert.equal(await codeOfAsync(() => service.execute(p.id)), 'INVALID_STATUS');
      assert.equal(canvas.presented.length, 0);
    });

    it('refuses when the agent was paused after approval', async () => {
      const p = service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      service.approve(p.id, 'm');
      deps.agents.setStatus(agentId, 'PAUSED', { actor: 'admin', reason: 'incident' });
      assert.equal(await codeOfAsync(() => service.execute(p.id)), 'AGENT_NOT_ROUTABLE');
      assert.equal(service.get(p.id).status, 'APPROVED');
      assert.equal(canvas.presented.length, 0);
    });

    it('refuses a second execution of the same proposal while the first is running', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const slow: CanvasExecutor = {
        async present(): Promise<ExecutorOutput> {
          await gate;
          return { shown: true };
        },
      };
      const s = new ProposalService({ ...deps, executors: { canvas: slow } });
      const p = s.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      s.approve(p.id, 'm');
      const first = s.execute(p.id);
      assert.equal(await codeOfAsync(() => s.execute(p.id)), 'INVALID_STATUS');
      release();
      const outcome = await first;
      assert.equal(outcome.success, true);
      assert.equal(countRows(db, 'audit_log', 'action = ?', ['proposal.executed']), 1);
    });

    it('an EXECUTING proposal can be neither rejected nor approved; its execution completes once (rule 7)', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const real = new RecordingCanvasExecutor();
      const gated: CanvasExecutor = {
        present: async (c, ctx) => {
          const out = await real.present(c, ctx);
          await gate;
          return out;
        },
        undo: (o) => real.undo(o),
      };
      const s = new ProposalService({ ...deps, executors: { canvas: gated } });
      const p = s.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      s.approve(p.id, 'm');
      const running = s.execute(p.id);
      await new Promise((r) => setImmediate(r));
      assert.equal(s.get(p.id).status, 'EXECUTING');
      assert.match(refusedWith('INVALID_STATUS', () => s.reject(p.id, 'm', 'stop it')).message, /is EXECUTING; only PROPOSED or APPROVED proposals can be rejected/);
      refusedWith('INVALID_STATUS', () => s.approve(p.id, 'm'));
      release();
      assert.equal((await running).success, true);
      assert.equal(real.presented.length, 1);
      assert.equal(s.get(p.id).status, 'EXECUTED');
      assert.equal(countRows(db, 'audit_log', 'action = ?', ['proposal.executed']), 1);
    });

    it('a status change that lands between the read and the claim is caught by the conditional claim (rule 7)', async () => {
      const other = new ProposalService({ db, clock: deps.clock });
      const p = service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      service.approve(p.id, 'm');
      let presented = 0;
      const racing: CanvasExecutor = {
        available: () => (other.reject(p.id, 'm', 'withdrawn meanwhile'), true),
        present: async () => (presented++, { shown: true }),
      };
      const s = new ProposalService({ ...deps, executors: { canvas: racing } });
      await assert.rejects(() => s.execute(p.id), (e: GovernanceError) => e.code === 'INVALID_STATUS' && /already being executed \(or changed meanwhile\); it runs at most once per approval/.test(e.message) && (e.details as { proposalId: string }).proposalId === p.id);
      assert.equal(presented, 0);
      assert.equal(s.get(p.id).status, 'REJECTED');
    });

    it('undoes the completed steps of a failed multi-step action in reverse order', async () => {
      const log: string[] = [];
      const executors = {
        canvas: { present: async (c: { title?: string }) => { if (c.title === 'boom') throw new Error('boom'); log.push(`do ${c.title}`); return { name: c.title }; }, undo: async (o: ExecutorOutput) => { log.push(`undo ${String(o.name)}`); } },
      };
      const s = new ProposalService({ ...deps, executors });
      const titled = (title: string) => ({ type: 'canvas', payload: { kind: 'form', title, fields: [{ name: 'x' }] } });
      const p = s.createActionProposal({ agentId, title: 't', action: { type: 'multi_step', steps: [titled('first'), titled('second'), titled('third'), titled('boom'), titled('never')] }, proposedBy: 'u' });
      s.approve(p.id, 'm');
      const outcome = await s.execute(p.id);
      assert.deepEqual(log, ['do first', 'do second', 'do third', 'undo third', 'undo second', 'undo first']);
      assert.deepEqual(outcome.result.steps.map((r) => [r.step, r.status]), [[0, 'rolled_back'], [1, 'rolled_back'], [2, 'rolled_back'], [3, 'failed']]);
      assert.deepEqual([outcome.result.failedStep, outcome.result.error, outcome.proposal.status], [3, { code: 'EXECUTION_FAILED', message: 'boom' }, 'APPROVED']);
    });

    it('undoes the executed steps and rethrows when the success cannot be recorded', async () => {
      const p = service.createActionProposal({ agentId, title: 't', action: { type: 'multi_step', steps: [FORM, CHART] }, proposedBy: 'u' });
      service.approve(p.id, 'm');
      db.exec("CREATE TRIGGER no_execute BEFORE UPDATE OF status ON agent_proposals WHEN NEW.status = 'EXECUTED' BEGIN SELECT RAISE(ABORT, 'storage refused'); END");
      await assert.rejects(() => service.execute(p.id), /storage refused/);
      assert.equal(canvas.presented.length, 0);
      const row = service.get(p.id);
      assert.deepEqual([row.status, row.executionResult], ['APPROVED', null]);
      assert.equal(countRows(db, 'audit_log', "action LIKE 'proposal.execut%'"), 0);
    });

    it('lists proposals by agent, type and status', () => {
      const a = service.createActionProposal({ agentId, title: 'a', action: FORM, proposedBy: 'u' });
      service.createTrainingProposal({ agentId, title: 'b', learningObjectives: ['x'], capabilityGaps: [], proposedBy: 'u' });
      service.approve(a.id, 'm');
      assert.deepEqual(service.list({ agentId }).map((p) => p.title), ['a', 'b']);
      assert.deepEqual(service.list({ status: 'APPROVED' }).map((p) => p.id), [a.id]);
      assert.deepEqual(service.list({ proposalType: 'TRAINING' }).map((p) => p.title), ['b']);
      assert.equal(service.list().length, 2);
    });
  });

  describe('invariant: a rejected or failed proposal never leaves a partial execution behind', () => {
    const stepArb = fc.constantFrom<Json>(FORM, CHART, SHEET, { type: 'deep_link', payload: { url: 'atom://agent/a1' } });

    it('holds for any sequence of steps, failing step and rejection (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(stepArb, { minLength: 1, maxLength: 5 }),
          fc.nat(6),
          fc.boolean(),
          async (steps, failAt, rejectFirst) => {
            const pdb = await freshDb();
            const pdeps = testDeps(pdb);
            const canvasX = new RecordingCanvasExecutor();
            const links = new RecordingDeepLinkExecutor();
            let calls = 0;
            const failing = (): void => {
              if (calls++ === failAt) throw new Error(`step ${failAt} broke`);
            };
            const s = new ProposalService({
              ...pdeps,
              executors: {
                canvas: { present: (c, ctx) => (failing(), canvasX.present(c, ctx)), undo: (o) => canvasX.undo(o) },
                deepLink: { open: (l) => (failing(), links.open(l)), undo: (o) => links.undo(o) },
              },
            });
            const agent = seedAgent(pdb, { status: 'INTERN' }).id;
            const p = s.createActionProposal({ agentId: agent, title: 't', action: { type: 'multi_step', steps }, proposedBy: 'u' });
            if (rejectFirst) {
              s.reject(p.id, 'm', 'no');
              await assert.rejects(() => s.execute(p.id));
              assert.equal(calls, 0);
            } else {
              s.approve(p.id, 'm');
              const outcome = await s.execute(p.id);
              const willFail = failAt < steps.length;
              assert.equal(outcome.success, !willFail);
              if (willFail) {
                assert.equal(outcome.result.failedStep, failAt);
                assert.deepEqual(outcome.result.steps.map((r) => r.status), [...Array(failAt).fill('rolled_back'), 'failed']);
              }
            }
            const row = pdb.get<{ status: string; execution_result: string | null }>('SELECT status, execution_result FROM agent_proposals WHERE id = ?', [p.id])!;
            if (row.status !== 'EXECUTED') {
              assert.notEqual(row.execution_result && JSON.parse(row.execution_result).success, true);
              assert.equal(canvasX.presented.length + links.opened.length, 0, 'no side effect survives');
              assert.equal(allRows(pdb, 'audit_log').filter((r) => r.action === 'proposal.executed').length, 0);
            } else {
              assert.equal(canvasX.presented.length + links.opened.length, steps.length);
            }
            pdb.close();
          },
        ),
        { numRuns: 60 },
      );
    });

    it('a proposal whose state is tampered to APPROVED with an unknown action never reaches an executor', async () => {
      const p = insertProposal(db, deps.clock, deps.ids, { agentId, agentName: 'Clerk', proposalType: 'ACTION', title: 'raw', proposedBy: 'x', proposedAction: { type: 'teleport', payload: {} } });
      updateProposalFields(db, p.id, { status: 'APPROVED', approvedBy: 'm' });
      const before = snapshotRows(db);
      assert.equal(await codeOfAsync(() => service.execute(p.id)), 'UNKNOWN_ACTION_TYPE');
      assert.deepEqual(snapshotRows(db), before);
      assert.equal(canvas.presented.length, 0);
    });
  });

  describe('refusal messages, actors and executor context (spec literals)', () => {
    const message = (fn: () => unknown): [string, string, unknown] => {
      try {
        fn();
      } catch (err) {
        const e = err as GovernanceError;
        return [e.code, e.message, e.details];
      }
      return assert.fail('expected a refusal');
    };

    it('names each missing text field and refuses a non-string one', () => {
      assert.deepEqual(message(() => service.createActionProposal({ agentId, title: ' ', action: FORM, proposedBy: 'u' })), ['INVALID_ARGUMENT', 'A proposal title is required (a non-empty string).', {}]);
      assert.deepEqual(message(() => service.createTrainingProposal({ agentId, title: '', learningObjectives: ['a'], capabilityGaps: [], proposedBy: 'u' }))[1], 'A proposal title is required (a non-empty string).');
      assert.deepEqual(message(() => service.createTrainingProposal({ agentId, title: 't', learningObjectives: [], capabilityGaps: [], proposedBy: 'u' }))[1], 'A training proposal needs at least one learning objective.');
      assert.deepEqual(message(() => service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: '' }))[1], 'proposedBy is required (a non-empty string).');
      const p = service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      assert.deepEqual(message(() => service.approve(p.id, 42 as unknown as string)), ['INVALID_ARGUMENT', 'The approver is required (a non-empty string).', {}]);
      assert.deepEqual(message(() => service.reject(p.id, '', 'r'))[1], 'The rejecting user is required (a non-empty string).');
      assert.deepEqual(message(() => service.reject(p.id, 'm', ''))[1], 'A rejection reason is required (a non-empty string).');
    });

    it('refuses agent and system approvers by the form of their id only, naming them', () => {
      const p = service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      assert.deepEqual(message(() => service.approve(p.id, 'system:auto')), ['PERMISSION_REQUIRED', 'Proposals must be approved by a human; "system:auto" is an agent or system actor.', { proposalId: p.id, approvedBy: 'system:auto' }]);
      assert.equal(service.approve(p.id, 'ops-system:eu').approvedBy, 'ops-system:eu', 'a human id that merely contains "system:" is a human');
    });

    it('names unknown grants, wrong statuses, wrong proposal types and unavailable executors', async () => {
      const p = service.createActionProposal({ agentId, title: 't', action: FORM, proposedBy: 'u' });
      assert.deepEqual(message(() => service.approve(p.id, 'm', { grants: ['microphone', 'radar'] as unknown as Array<'camera'> })), [
        'INVALID_ARGUMENT', 'Unknown device capability grant(s): microphone, radar; grants name one of camera, screen_recording, location, notifications.', { proposalId: p.id },
      ]);
      service.approve(p.id, 'm');
      assert.deepEqual(message(() => service.approve(p.id, 'm')), ['INVALID_STATUS', `Proposal "${p.id}" is APPROVED; only PROPOSED proposals can be approved.`, { proposalId: p.id, status: 'APPROVED', allowed: ['PROPOSED'] }]);
      const t = service.createTrainingProposal({ agentId, title: 't', learningObjectives: ['a'], capabilityGaps: [], proposedBy: 'u' });
      service.approve(t.id, 'm');
      const training = await service.execute(t.id).catch((e: GovernanceError) => e);
      assert.deepEqual([(training as GovernanceError).message, (training as GovernanceError).details], [
        `Proposal "${t.id}" is a TRAINING proposal; only ACTION proposals are executed (training runs through the student training service).`, { proposalId: t.id },
      ]);
      const b = service.createActionProposal({ agentId, title: 'b', action: { type: 'browser', payload: { steps: [{ action: 'click', selector: '#go' }] } }, proposedBy: 'u' });
      service.approve(b.id, 'm');
      const unavailable = await service.execute(b.id).catch((e: GovernanceError) => e);
      assert.deepEqual([(unavailable as GovernanceError).code, (unavailable as GovernanceError).details], ['EXECUTOR_UNAVAILABLE', { proposalId: b.id, actionType: 'browser' }]);
    });

    it('refuses a TRAINING proposal for a PAUSED agent, naming the agent and its status', () => {
      const paused = seedAgent(db, { status: 'PAUSED', name: 'Idle' });
      assert.deepEqual(message(() => service.createTrainingProposal({ agentId: paused.id, title: 't', learningObjectives: ['a'], capabilityGaps: [], proposedBy: 'u' })), [
        'AGENT_NOT_ROUTABLE', 'Agent "Idle" is PAUSED; reactivate it before it proposes or executes actions.', { agentId: paused.id, status: 'PAUSED' },
      ]);
    });

    it('records "system" as the actor when none is given, and tells undo which step it undoes', async () => {
      const undone: unknown[] = [];
      let calls = 0;
      const s = new ProposalService({
        ...deps,
        executors: {
          canvas: {
            present: async () => {
              if (++calls === 2) throw new Error('second failed');
              return { n: calls };
            },
            undo: async (_o, ctx) => {
              undone.push(ctx);
            },
          },
        },
      });
      const p = s.createActionProposal({ agentId, title: 't', action: { type: 'multi_step', steps: [FORM, FORM] }, proposedBy: 'u' });
      s.approve(p.id, 'm');
      const outcome = await s.execute(p.id);
      assert.equal(outcome.result.actor, 'system');
      assert.deepEqual(deps.audit.list({ action: 'proposal.execution_failed' }).map((e) => e.actor), ['system']);
      assert.deepEqual(undone, [{ proposalId: p.id, agentId, stepIndex: 0 }]);
    });
  });
});
