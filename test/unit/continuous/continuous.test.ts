import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze, loadConfig, renderTable, startRun, startAffected } from '../../../src/coverage/index';
import type { ResolvedConfig, RunResult } from '../../../src/coverage/model';
import { lineEdit } from '../../../src/continuous/impact';
import { fixture } from '../coverage/helpers';

const ran = (d: RunResult['coverage'][string]) => ({
  s: Object.fromEntries(Object.entries(d.s).map(([k, v]) => [`${d.statementMap[k].start.line}`, v > 0])),
  f: Object.fromEntries(Object.entries(d.f).map(([k, v]) => [d.fnMap[k].name, v > 0])),
});

describe('continuous runs: affected tests only, merged into the last picture', function () {
  this.timeout(300000);
  let root: string;
  let config: ResolvedConfig;
  let previous: RunResult;
  const pricing = () => path.join(root, 'src', 'pricing.ts');
  const edit = (file: string, from: string, to: string) => {
    const before = fs.readFileSync(file, 'utf8');
    assert.ok(before.includes(from), `${from} in ${file}`);
    const after = before.replace(from, to);
    fs.writeFileSync(file, after);
    return { file, before, after };
  };

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-continuous-'));
    fs.cpSync(fixture('shards'), root, { recursive: true, filter: (src) => !src.includes(`${path.sep}.tmp`) });
    config = await loadConfig(root);
    previous = await startRun({ config }).result;
    assert.equal(previous.error, undefined);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds the changed lines of a save', () => {
    assert.deepEqual(lineEdit('a\nb\nc\n', 'a\nB\nc\n'), { start: 2, end: 2, delta: 0 });
    assert.deepEqual(lineEdit('a\nb\nc\n', 'a\nb\nx\ny\nc\n'), { start: 2, end: 3, delta: 2 });
    assert.deepEqual(lineEdit('a\nb\nc\n', 'a\nc\n'), { start: 2, end: 2, delta: -1 });
    assert.equal(lineEdit('same', 'same'), undefined);
  });

  it('reruns only the tests that executed an edited function body and merges their coverage', async () => {
    const change = edit(pricing(), 'return Math.round(n * 100) / 100;', 'const cents = Math.round(n * 100);\n  return cents / 100;');
    try {
      const run = startAffected(config, previous, [change], startRun);
      assert.deepEqual(run.selection.tests.map((id) => id.split('\u001f').slice(1).join(' ')), ['member pricing gives members 10%', 'staff pricing gives staff half']);
      const { fresh, picture } = await run.result;
      assert.deepEqual([fresh.stats.total, fresh.stats.passed], [2, 2]);
      // The merged picture is what a full run of the edited project gives.
      const full = await startRun({ config }).result;
      for (const file of Object.keys(full.coverage)) assert.deepEqual(ran(picture.coverage[file]), ran(full.coverage[file]), file);
      assert.equal(renderTable(await analyze(picture, config)), renderTable(await analyze(full, config)));
      // Kept tests' per-test data moved with the edit: `label` (below it) is still the member test's.
      const member = Object.keys(picture.perTest!).find((id) => id.endsWith('labels fair prices'))!;
      const data = picture.coverage[pricing()];
      assert.deepEqual(picture.perTest![member][pricing()].f.map((f) => data.fnMap[f].name), ['label']);
    } finally {
      fs.writeFileSync(change.file, change.before);
    }
  });

  it('reruns a changed test file whole and everything after a top-level change', async () => {
    const testFile = path.join(root, 'test', 'cart.test.ts');
    const t = edit(testFile, "it('summarises an empty cart'", "it('summarises an empty cart, again'");
    try {
      const run = startAffected(config, previous, [t], startRun);
      assert.deepEqual(run.selection.testFiles, [testFile]);
      const { fresh, picture } = await run.result;
      assert.deepEqual([fresh.stats.total, fresh.stats.passed], [3, 3]);
      assert.ok(Object.values(picture.testTitles).includes('cart summarises an empty cart, again'));
    } finally {
      fs.writeFileSync(t.file, t.before);
    }
    const top = { file: pricing(), before: fs.readFileSync(pricing(), 'utf8'), after: `// a comment on top\n${fs.readFileSync(pricing(), 'utf8')}` };
    const all = startAffected(config, previous, [top], startRun);
    assert.equal(all.selection.all, true);
    assert.match(all.selection.reason!, /pricing\.ts:1 is outside every function/);
    assert.equal((await all.result).fresh.stats.total, 7);
  });
});
