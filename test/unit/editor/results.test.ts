import { strict as assert } from 'assert';
import { eventLogLine, eventToUpdate, failureToMessage } from '../../../src/editor/results';
import { testId } from '../../../src/coverage/model';

const file = '/ws/test/governance/unit/a.test.ts';
const tp = ['Suite', 'does it'];
const id = testId(file, tp);

describe('editor/results: engine events → test updates', () => {
  it('maps start/pass/skip with ids and durations', () => {
    assert.deepEqual(eventToUpdate({ type: 'testStart', id, file, titlePath: tp }), { kind: 'started', id, file, titlePath: tp });
    assert.deepEqual(eventToUpdate({ type: 'testPass', id, file, titlePath: tp, durationMs: 12 }), {
      kind: 'passed', id, file, titlePath: tp, durationMs: 12,
    });
    assert.equal(eventToUpdate({ type: 'testSkip', id, file, titlePath: tp })?.kind, 'skipped');
  });

  it('maps a failure with expected/actual to a diff message at the 0-based failing line', () => {
    const u = eventToUpdate({
      type: 'testFail', id, file, titlePath: tp, durationMs: 3,
      failure: { message: 'Expected values to be equal', expected: '2', actual: '3', location: { file, line: 10, column: 4 } },
    });
    assert.ok(u && u.kind === 'failed');
    assert.deepEqual(u.message, { message: 'Expected values to be equal', expected: '2', actual: '3', location: { file, line: 9, column: 4 } });
  });

  it('does not invent a diff when only one side exists, and flags timeouts', () => {
    const m = failureToMessage({ message: 'boom', expected: 'x' }, true);
    assert.deepEqual(m, { message: 'Timed out: boom' });
  });

  it('turns a file load error into an errored file item', () => {
    const u = eventToUpdate({ type: 'fileError', file, error: { message: 'Cannot find module x' } });
    assert.deepEqual(u, { kind: 'errored', id: file, file, titlePath: [], message: { message: 'Failed to load: Cannot find module x' } });
  });

  it('ignores events that touch no item and logs the end with stats', () => {
    assert.equal(eventToUpdate({ type: 'output', stream: 'stderr', text: 'x' }), undefined);
    assert.equal(eventToUpdate({ type: 'suiteStart', id, file, titlePath: tp }), undefined);
    const line = eventLogLine({ type: 'end', stats: { total: 3, passed: 2, failed: 1, skipped: 0, durationMs: 40 }, cancelled: true, timedOut: false });
    assert.equal(line, 'run ended: 2 passed, 1 failed, 0 skipped in 40 ms (cancelled)');
  });
});
