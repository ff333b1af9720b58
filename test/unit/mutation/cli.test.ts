import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { copyFixture } from './helpers';
import { cliArgs } from '../cliArgs';

const run = (...args: string[]) => spawnSync(process.execPath, [...cliArgs(), ...args], { encoding: 'utf8' });

describe('governance-coverage mutate (real StrykerJS on the fixture)', function () {
  this.timeout(240_000);
  let root: string;
  before(() => {
    root = copyFixture();
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('exits 0 when the files asked for meet their mutation target, and prints one JSON document', () => {
    const r = run('mutate', '--root', root, '--files', 'src/outcome.ts', '--json', '--concurrency', '1');
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['summary', 'staleEquivalents', 'killedEquivalents', 'files', 'reports']);
    assert.deepEqual(doc.summary.mutate, ['src/outcome.ts']);
    assert.deepEqual(doc.files.map((f: { file: string; score: { pct: number }; target: number; meetsTarget: boolean }) => [f.file, f.score.pct, f.target, f.meetsTarget]),
      [['src/outcome.ts', 100, 90, true]]);
  });

  it('exits 1 below the mutation target, with the table, the survivor\'s hint, the reports and the plan\'s test-strength section', () => {
    const r = run('mutate', '--root', root, '--incremental', '--concurrency', '1');
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 5), [
      'File             Score  Killed  Survived  NoCov  Target  Status  Mutants needed',
      '--------------  ------  ------  --------  -----  ------  ------  --------------',
      'src/outcome.ts  100.0%       5         0      0     90%  ok                   0',
      'src/ratings.ts   75.0%       3         1      0     90%  BELOW                1',
      'All files        88.8%       8         1      0     90%  BELOW',
    ]);
    assert.ok(lines.includes('  Survived: line 3: no test fails when `-0.1` becomes `+0.1` in `RATING_BOOST[1]` [UnaryOperator]'), r.stdout);
    assert.ok(lines.includes("  Why:   supervision ratings move an agent's confidence"));
    assert.ok(lines.includes('  Write: test/ratings.test.ts — it("RATING_BOOST[1] — the exact value")'));
    assert.equal(lines[lines.length - 1], '9 mutants: 8 killed, 1 survived, 0 not covered — score 88.8% (tested 4, earlier results 5)');
    for (const f of ['mutation.json', 'mutation.html', 'stryker-incremental.json', 'test-strength.md']) assert.ok(fs.existsSync(path.join(root, 'coverage', 'mutation', f)), f);
    const plan = fs.readFileSync(path.join(root, 'coverage', 'gap-closure-plan.md'), 'utf8');
    assert.match(plan, /## Test strength \(mutation testing\)\n\nMutation score 88\.8% \(8 of 9 mutants killed; 1 survived, 0 not covered\)/);
    assert.match(plan, /### Strength task 1: src\/ratings\.ts\n\n- \*\*Now:\*\* 75\.0% \(3\/4\); \*\*target:\*\* 90%; \*\*still to kill:\*\* 1 mutant/);
  });

  it('a coverage run rewrites the plan and keeps its test-strength section', () => {
    const r = run('run', '--root', root, '--hints', '0');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const plan = fs.readFileSync(path.join(root, 'coverage', 'gap-closure-plan.md'), 'utf8');
    assert.match(plan, /# Gap-closure plan[\s\S]*## Test strength \(mutation testing\)/);
    assert.equal(plan.split('<!-- test-strength:start -->').length, 2);
  });

  it('exits 2 on usage errors and on --files matching nothing, naming the pattern', () => {
    const bogus = run('mutate', '--bogus');
    assert.equal(bogus.status, 2);
    assert.match(bogus.stderr, /^governance-coverage: unknown option "--bogus"\n\nUsage: governance-coverage mutate/);
    const none = run('mutate', '--root', root, '--files', 'src/nothing*.ts');
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--files "src\/nothing\*\.ts" matches no file under /);
    assert.equal(none.stdout, '');
  });
});
