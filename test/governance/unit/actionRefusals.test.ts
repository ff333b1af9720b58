/**
 * The exact refusals of action validation and of the default executors: the path named in each
 * INVALID_PAYLOAD message is how a human approver finds what to fix, so each is pinned as a
 * literal, as are the documented defaults (the deep-link allowlist).
 */
import { strict as assert } from 'node:assert';
import { GovernanceError } from '../../../src/governance';
import { UnavailableBrowserExecutor, UnavailableDeviceExecutor, parseProposedAction } from '../../../src/governance/executors';

function refusal(raw: unknown): { code: string; message: string } {
  try {
    parseProposedAction(raw);
  } catch (err) {
    assert.ok(err instanceof GovernanceError, `expected a GovernanceError, got ${String(err)}`);
    return { code: err.code, message: err.message };
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

function malformed(at: string, problem: string): { code: string; message: string } {
  return { code: 'INVALID_PAYLOAD', message: `Malformed action payload at ${at}: ${problem}.` };
}

const canvas = (payload: unknown): unknown => ({ type: 'canvas', payload });
const chart = (series: unknown): unknown => canvas({ kind: 'chart', chartType: 'line', series });

describe('action validation refusals and defaults (spec literals)', () => {
  it('names the path of the proposal itself and of a multi-step action without steps', () => {
    assert.deepEqual(refusal('open the form'), malformed('proposed_action', 'expected an object'));
    assert.deepEqual(refusal({ type: 'multi_step', steps: [] }), malformed('proposed_action.steps', 'expected a non-empty array'));
  });

  it('refuses a nested multi-step action and a step without a payload, naming the step', () => {
    const nested = { type: 'multi_step', steps: [{ type: 'multi_step', steps: [canvas({ kind: 'form', fields: [{ name: 'a' }] })] }] };
    assert.deepEqual(refusal(nested), malformed('proposed_action.steps[0].type', 'multi-step actions cannot be nested'));
    assert.deepEqual(refusal({ type: 'canvas' }), malformed('proposed_action.payload', 'expected an object'));
  });

  it('keeps a string canvas title and drops any other', () => {
    const form = (title: unknown): unknown => parseProposedAction(canvas({ kind: 'form', title, fields: [{ name: 'amount' }] }));
    assert.deepEqual(form('Expense'), { type: 'canvas', payload: { kind: 'form', title: 'Expense', fields: [{ name: 'amount' }] } });
    assert.deepEqual(form(42), { type: 'canvas', payload: { kind: 'form', title: undefined, fields: [{ name: 'amount' }] } });
  });

  it('refuses a blank field name as it refuses a missing one, with the same words', () => {
    const blank = canvas({ kind: 'form', fields: [{ name: '   ' }] });
    assert.deepEqual(refusal(blank), malformed('proposed_action.payload.fields[0].name', 'expected a non-empty string'));
    assert.deepEqual(refusal(canvas({ kind: 'form', fields: [{}] })), malformed('proposed_action.payload.fields[0].name', 'expected a non-empty string'));
  });

  it('names the sheet columns and each chart series it refuses', () => {
    assert.deepEqual(refusal(canvas({ kind: 'sheet', columns: ['a', ''], rows: [] })), malformed('proposed_action.payload.columns', 'every column needs a name'));
    assert.deepEqual(refusal(chart([7])), malformed('proposed_action.payload.series[0]', 'expected an object'));
    assert.deepEqual(refusal(chart([{ data: [1] }])), malformed('proposed_action.payload.series[0].name', 'expected a non-empty string'));
    assert.deepEqual(refusal(chart([{ name: 'a', data: [1] }, { name: 'b' }])), malformed('proposed_action.payload.series[1].data', 'expected a non-empty array'));
    assert.deepEqual(refusal(chart([{ name: 'a', data: [1, '2'] }])), malformed('proposed_action.payload.series[0].data', 'expected finite numbers'));
    assert.deepEqual(refusal(chart([{ name: 'a', data: [1, Infinity] }])), malformed('proposed_action.payload.series[0].data', 'expected finite numbers'));
  });

  it('accepts plain http and https navigation and names an unknown browser action', () => {
    const browse = (steps: unknown): unknown => parseProposedAction({ type: 'browser', payload: { steps } });
    assert.deepEqual(browse([{ action: 'navigate', url: 'http://intranet.local/a' }]), { type: 'browser', payload: { steps: [{ action: 'navigate', url: 'http://intranet.local/a' }] } });
    assert.deepEqual(browse([{ action: 'navigate', url: 'HTTPS://example.com' }]), { type: 'browser', payload: { steps: [{ action: 'navigate', url: 'HTTPS://example.com' }] } });
    assert.deepEqual(refusal({ type: 'browser', payload: { steps: [{ action: 'navigate', url: 'x' }, { action: 'scroll' }] } }), malformed('proposed_action.payload.steps[0].url', 'expected an http(s) URL'));
    assert.deepEqual(refusal({ type: 'browser', payload: { steps: [{ action: 'scroll' }] } }), malformed('proposed_action.payload.steps[0].action', 'expected navigate, fill or click'));
  });

  it('names an unknown device capability, bad params and a missing grant', () => {
    const device = (payload: unknown): unknown => ({ type: 'device', payload });
    assert.deepEqual(refusal(device({ capability: 'microphone' })), malformed('proposed_action.payload.capability', 'expected one of camera, screen_recording, location, notifications'));
    assert.deepEqual(refusal(device({ capability: 'location', params: 'precise' })), malformed('proposed_action.payload.params', 'expected an object'));
    assert.deepEqual(refusal(device({ capability: 'camera' })), {
      code: 'PERMISSION_REQUIRED',
      message: 'Device capability "camera" needs an explicit grant: approve the proposal with a grant for "camera" or set proposed_action.payload.grant.grantedBy to the user who allowed it.',
    });
  });

  it('accepts a deep link to each default resource type and names what it refuses', () => {
    for (const resourceType of ['agent', 'workflow', 'canvas', 'chat', 'proposal', 'workspace', 'episode', 'report']) {
      const url = `atom://${resourceType}/id-1`;
      assert.deepEqual(parseProposedAction({ type: 'deep_link', payload: { url } }), { type: 'deep_link', payload: { url, resourceType, id: 'id-1' } });
    }
    const link = (url: string): unknown => ({ type: 'deep_link', payload: { url } });
    assert.deepEqual(refusal(link('https://agent/1')), malformed('proposed_action.payload.url', 'expected atom://<resourceType>/<id>'));
    assert.deepEqual(
      refusal(link('atom://secrets/1')),
      malformed('proposed_action.payload.url', 'resource type "secrets" is not allowed (allowed: agent, workflow, canvas, chat, proposal, workspace, episode, report)'),
    );
    assert.deepEqual(refusal(link('atom://agent/-1')), malformed('proposed_action.payload.url', '"-1" is not a valid resource id'));
  });

  it('the default browser and device executors say which executor is missing and how to supply it', async () => {
    await assert.rejects(new UnavailableBrowserExecutor().run(), {
      code: 'EXECUTOR_UNAVAILABLE',
      message: 'No browser executor is configured; supply one to the ProposalService to run browser actions.',
    });
    await assert.rejects(new UnavailableDeviceExecutor().invoke(), {
      code: 'EXECUTOR_UNAVAILABLE',
      message: 'No device executor is configured; supply one to the ProposalService to run device actions.',
    });
  });
});
