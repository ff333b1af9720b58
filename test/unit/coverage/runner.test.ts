import { strict as assert } from 'assert';
import * as path from 'path';
import { loadConfig, startRun, testId } from '../../../src/coverage/index';
import type { RunEvent } from '../../../src/coverage/model';
import { fixture, runFixture } from './helpers';

const strip = (events: RunEvent[]) =>
  events
    .filter((e) => e.type !== 'output')
    .map((e) => {
      switch (e.type) {
        case 'start':
          return `start ${e.total} ${e.files.map((f) => path.basename(f)).join(',')}`;
        case 'fileLoaded':
        case 'fileError':
          return `${e.type} ${path.basename(e.file)}`;
        case 'end':
          return `end ${e.stats.passed}/${e.stats.failed}/${e.stats.skipped} of ${e.stats.total}`;
        default:
          return `${e.type} ${e.titlePath.join(' > ')}`;
      }
    });

describe('coverage runner', function () {
  this.timeout(30000);

  it('streams file, suite and test events in order, with failures, timeouts and import errors', async () => {
    const { result, events } = await runFixture('runner');
    assert.deepEqual(strip(events), [
      'fileLoaded a-pass.test.ts',
      'fileError b-broken.test.ts',
      'fileLoaded c-timeout.test.ts',
      'start 4 a-pass.test.ts,c-timeout.test.ts',
      'suiteStart math',
      'testStart math > adds',
      'testPass math > adds',
      'testStart math > compares objects',
      'testFail math > compares objects',
      'suiteEnd math',
      'suiteStart slow',
      'testStart slow > never calls done',
      'testFail slow > never calls done',
      'testStart slow > runs after the timeout',
      'testPass slow > runs after the timeout',
      'suiteEnd slow',
      'end 2/2/0 of 4',
    ]);
    const root = fixture('runner');
    const fail = events.find((e) => e.type === 'testFail' && e.titlePath[1] === 'compares objects');
    assert.ok(fail && fail.type === 'testFail');
    assert.equal(fail.id, testId(path.join(root, 'test', 'a-pass.test.ts'), ['math', 'compares objects']));
    assert.equal(fail.failure.expected, '{\n  "sum": 3\n}');
    assert.equal(fail.failure.actual, '{\n  "sum": 2\n}');
    assert.deepEqual(fail.failure.location, { file: path.join(root, 'test', 'a-pass.test.ts'), line: 9, column: 11 });
    assert.equal(fail.timedOut, undefined);
    const timeout = events.find((e) => e.type === 'testFail' && e.titlePath[1] === 'never calls done');
    assert.ok(timeout && timeout.type === 'testFail');
    assert.equal(timeout.timedOut, true);
    assert.match(timeout.failure.message, /^Timeout of 300ms exceeded/);
    assert.deepEqual(result.loadErrors.map((l) => [path.basename(l.file), l.error.message]), [['b-broken.test.ts', 'boom at import']]);
    assert.equal(result.loadErrors[0].error.location?.line, 1);
    assert.deepEqual(result.stats, { ...result.stats, total: 4, passed: 2, failed: 2, skipped: 0 });
    assert.equal(result.cancelled, false);
    assert.equal(result.timedOut, false);
    assert.equal(result.error, undefined);
    assert.deepEqual(Object.values(result.testTitles).sort(), ['math adds', 'math compares objects', 'slow never calls done', 'slow runs after the timeout']);
  });

  it('runs a subset by grep on full titles and by files', async () => {
    const byGrep = await runFixture('runner', { grep: '^math add' });
    assert.deepEqual(strip(byGrep.events), [
      'fileLoaded a-pass.test.ts',
      'fileError b-broken.test.ts',
      'fileLoaded c-timeout.test.ts',
      'start 1 a-pass.test.ts,c-timeout.test.ts',
      'suiteStart math',
      'testStart math > adds',
      'testPass math > adds',
      'suiteEnd math',
      'end 1/0/0 of 1',
    ]);
    assert.deepEqual(byGrep.result.stats, { ...byGrep.result.stats, total: 1, passed: 1, failed: 0, skipped: 0 });
    const byFile = await runFixture('runner', { files: [path.join(fixture('runner'), 'test', 'c-timeout.test.ts')], coverage: false });
    assert.deepEqual(strip(byFile.events).slice(0, 2), ['fileLoaded c-timeout.test.ts', 'start 2 c-timeout.test.ts']);
    assert.deepEqual(byFile.result.coverage, {});
  });

  it('cancels: kills the child and keeps the partial results', async () => {
    const { result, events } = await runFixture('hang', {}, (e, cancel) => {
      if (e.type === 'testStart' && e.titlePath[1] === 'loops forever') cancel();
    });
    assert.equal(result.cancelled, true);
    assert.equal(result.timedOut, false);
    assert.deepEqual([result.stats.total, result.stats.passed, result.stats.failed], [2, 1, 0]);
    const end = events[events.length - 1];
    assert.deepEqual(end.type === 'end' && [end.cancelled, end.timedOut], [true, false]);
  });

  it('stops a run that exceeds the whole-run watchdog and marks it timed out', async () => {
    const { result } = await runFixture('hang');
    assert.equal(result.timedOut, true);
    assert.equal(result.cancelled, false);
    assert.equal(result.error, 'the whole run exceeded 8000 ms and was stopped');
    assert.deepEqual([result.stats.passed, result.stats.failed], [1, 0]);
  });

  it('collects istanbul coverage of the TypeScript sources, including files never loaded', async () => {
    const { result } = await runFixture('basic');
    const root = fixture('basic');
    assert.deepEqual(Object.keys(result.coverage).sort(), [path.join(root, 'src', 'ledger.ts'), path.join(root, 'src', 'unused.ts')]);
    for (const [key, data] of Object.entries(result.coverage)) assert.equal(data.path, key);
    const unused = result.coverage[path.join(root, 'src', 'unused.ts')];
    // istanbul's statements: the `if` (line 3), `return x` (4) and `return -x` (6).
    assert.deepEqual(Object.values(unused.statementMap).map((l) => l.start.line), [3, 4, 6]);
    assert.deepEqual(Object.values(unused.s), [0, 0, 0]);
    assert.deepEqual(Object.values(unused.fnMap).map((f) => f.name), ['neverLoaded']);
    const ledger = result.coverage[path.join(root, 'src', 'ledger.ts')];
    assert.deepEqual(Object.values(ledger.fnMap).map((f) => f.name).sort(), ['Ledger.balance', 'Ledger.balance.<anonymous@L28>', 'Ledger.deposit', 'Ledger.describe', 'Ledger.describe.<anonymous@L36>', 'Ledger.withdraw', 'fee']);
    const zeroLines = Object.entries(ledger.s).filter(([, c]) => c === 0).map(([id]) => ledger.statementMap[id].start.line);
    // the two `throw`s, and `case 'long'`'s return with the arrow body it maps over.
    assert.deepEqual(zeroLines, [12, 21, 36, 36]);
  });

  it('records per-test coverage: which functions each test executed', async () => {
    const { result } = await runFixture('basic', { perTest: true });
    const file = path.join(fixture('basic'), 'src', 'ledger.ts');
    const data = result.coverage[file];
    const fnsOf = (title: string) => {
      const id = Object.keys(result.testTitles).find((k) => result.testTitles[k] === title)!;
      return (result.perTest?.[id]?.[file]?.f ?? []).map((f) => data.fnMap[f].name).sort();
    };
    assert.deepEqual(fnsOf('Ledger withdraws'), ['Ledger.balance', 'Ledger.balance.<anonymous@L28>', 'Ledger.deposit', 'Ledger.withdraw']);
    assert.deepEqual(fnsOf('fee is small for small amounts'), ['fee']);
    assert.deepEqual(fnsOf('Ledger describes briefly'), ['Ledger.balance', 'Ledger.balance.<anonymous@L28>', 'Ledger.deposit', 'Ledger.describe']);
  });

  it('starts the child with --inspect-brk and reports the inspector port when debugging', async () => {
    const config = await loadConfig(fixture('passing'));
    const handle = startRun({ config, debugPort: 0 });
    const port = await handle.debugPort!;
    assert.ok(port > 0);
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
    assert.equal(targets.length, 1);
    assert.match(targets[0].webSocketDebuggerUrl, new RegExp(`^ws://127\\.0\\.0\\.1:${port}/`));
    handle.cancel();
    const result = await handle.result;
    assert.deepEqual([result.cancelled, result.stats.passed], [true, 0]);
  });
});
