import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, loadConfig, startRun } from '../../../src/coverage/index';
import type { Analysis } from '../../../src/coverage/model';
import { applyInsertion, insertionFor, newFileFor } from '../../../src/editor/suggestedTest';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** A fixture copied under .tmp (node_modules resolves from there). */
function copy(name: string): string {
  const dir = path.join(REPO, '.tmp', 'suggested-test', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.join(REPO, 'test', 'fixtures', name), dir, { recursive: true, filter: (s) => !s.includes(`${path.sep}coverage`) });
  return dir;
}

async function analysisOf(root: string): Promise<{ analysis: Analysis }> {
  const config = await loadConfig(root);
  return { analysis: await analyze(await startRun({ config }).result, config) };
}

describe('Add suggested test (editor, pure part)', function () {
  this.timeout(120000);

  it('inserts a pending it() with the outline as comments into the describe of the right test file', async () => {
    const root = copy('ts');
    const { analysis } = await analysisOf(root);
    const gap = analysis.files.flatMap((f) => f.gaps).find((g) => g.qualifiedName === 'Executor.execute')!;
    const file = gap.hint.suggestedTest.file;
    assert.equal(path.relative(root, file), 'src/execution/__tests__/execute-test.ts');
    const before = fs.readFileSync(file, 'utf8');
    const ins = insertionFor(gap, file, before);
    const after = applyInsertion(before, ins);
    assert.equal(after.slice(0, before.lastIndexOf('});')), before.slice(0, before.lastIndexOf('});')));
    assert.equal(after.slice(before.lastIndexOf('});')), [
      '',
      '  // Act: call `new Executor().execute(steps)` when `steps.length` is 0',
      "  // Assert: `assert.throws(() => new Executor().execute(steps), { code: 'EMPTY_PLAN' })` and that nothing changed",
      "  it('execute throws EMPTY_PLAN when steps.length is 0');",
      '});',
      '',
    ].join('\n'));
    assert.equal(after.slice(ins.itOffset, ins.itOffset + 4), "it('");
  });

  it('writes a new test file with the project\'s own imports, in its style', async () => {
    const root = copy('cjs');
    const { analysis } = await analysisOf(root);
    const gap = analysis.files.flatMap((f) => f.gaps).find((g) => g.qualifiedName === 'text')!;
    const ins = newFileFor(gap, gap.hint.suggestedTest.file);
    assert.equal(path.relative(root, ins.file), 'test/text.js');
    assert.equal(applyInsertion('', ins), [
      "'use strict'",
      "var assert = require('assert')",
      "var bodyParser = require('..')",
      '',
      "describe('text', function () {",
      '  // Act: call `bodyParser.text(options)(body, contentType)` when `contentType` is `type` (path: text → textParser)',
      '  // Assert: `assert.deepEqual(result, …)` with the value the code returns there (`String(body)`)',
      "  it('text returns String(body) when contentType is type');",
      '});',
      '',
    ].join('\n'));
  });

  it('compiles and shows as pending: the run reports the added tests skipped (ts, cjs new file, esm)', async () => {
    for (const [name, gapName] of [['ts', 'Executor.execute'], ['cjs', 'text'], ['esm', 'Headers.raw']] as const) {
      const root = copy(name);
      const { analysis } = await analysisOf(root);
      const gap = analysis.files.flatMap((f) => f.gaps).find((g) => g.qualifiedName === gapName)!;
      const file = gap.hint.suggestedTest.file;
      const exists = fs.existsSync(file);
      const ins = exists ? insertionFor(gap, file, fs.readFileSync(file, 'utf8')) : newFileFor(gap, file);
      fs.writeFileSync(file, applyInsertion(exists ? fs.readFileSync(file, 'utf8') : '', ins));
      const config = await loadConfig(root);
      const result = await startRun({ config }).result;
      assert.deepEqual([result.loadErrors, result.stats.failed, result.stats.skipped], [[], 0, 1], `${name}: ${JSON.stringify(result.loadErrors)}`);
      assert.ok(Object.values(result.testTitles).some((t) => t.endsWith(gap.hint.suggestedTest.title)), `${name}: ${gap.hint.suggestedTest.title}`);
    }
  });

  it('follows the tdd interface (suite/test): a pending test(), and the file still loads and reports it skipped', async () => {
    const root = copy('mocha-tdd');
    // A method no test calls, so the fixture has a gap.
    const lib = path.join(root, 'lib', 'queue.js');
    fs.writeFileSync(lib, fs.readFileSync(lib, 'utf8').replace('take() {', 'peek() { return items[0]; },\n    take() {'));
    const { analysis } = await analysisOf(root);
    const gap = analysis.files.flatMap((f) => f.gaps).find((g) => g.qualifiedName === 'queue.peek')!;
    const file = gap.hint.suggestedTest.file;
    assert.equal(path.relative(root, file), path.join('test', 'queue.js'));
    const before = fs.readFileSync(file, 'utf8');
    const ins = insertionFor(gap, file, before);
    const after = applyInsertion(before, ins);
    const close = before.lastIndexOf('});');
    assert.equal(after.slice(0, close), before.slice(0, close));
    assert.equal(after.slice(close), [
      '',
      '  // Act: call `queue.peek()`',
      '  // Assert: `assert.deepEqual(result, …)` with the value the code returns there (`items[0]`)',
      "  test('peek returns items[0]');",
      '});',
      '',
    ].join('\n'));
    assert.equal(after.slice(ins.itOffset, ins.itOffset + 6), "test('");
    fs.writeFileSync(file, after);
    const result = await startRun({ config: await loadConfig(root) }).result;
    assert.deepEqual([result.loadErrors, result.stats.passed, result.stats.failed, result.stats.skipped], [[], 2, 0, 1]);
  });

  it('places the cursor on the inserted it(, not on an `it(` inside the outline comments above it', async () => {
    const root = copy('ts');
    const { analysis } = await analysisOf(root);
    const real = analysis.files.flatMap((f) => f.gaps).find((g) => g.qualifiedName === 'Executor.execute')!;
    const st = real.hint.suggestedTest;
    const gap = { ...real, hint: { ...real.hint, suggestedTest: { ...st, outline: ['Act: call `emitter.emit(event)` then `form.submit()`', ...st.outline] } } };
    const file = st.file;
    const before = fs.readFileSync(file, 'utf8');
    const ins = insertionFor(gap, file, before);
    const after = applyInsertion(before, ins);
    assert.equal(after.slice(ins.itOffset, after.indexOf('\n', ins.itOffset)), "it('execute throws EMPTY_PLAN when steps.length is 0');");
  });
});
