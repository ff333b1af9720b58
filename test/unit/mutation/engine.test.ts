import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../../src/coverage/config';
import { analyzeMutation } from '../../../src/mutation/analyze';
import type { MutationEvent } from '../../../src/mutation/model';
import { copyFixture, mutate } from './helpers';

/** True once no process is left in the group (its killed members are reaped within moments). */
async function groupGone(pgid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(-pgid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * The engine with real StrykerJS on test/fixtures/mutation: two files, 9 mutants, one deliberate
 * survivor (`RATING_BOOST[1]`'s sign: its test reads the expected value back from the constant).
 */
describe('mutation engine (StrykerJS on the fixture)', function () {
  this.timeout(180_000);
  let root: string;
  let first: Awaited<ReturnType<typeof mutate>>;

  before(async () => {
    root = copyFixture();
    first = await mutate(root);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('streams start, dry run, plan, one event per mutant, end — and writes the schema JSON, the HTML and the incremental file', () => {
    const { result, events } = first;
    assert.equal(result.error, undefined);
    assert.deepEqual(events[0], { type: 'start', mutate: ['src/outcome.ts', 'src/ratings.ts'] });
    assert.deepEqual(events.find((e) => e.type === 'dryRun'), { type: 'dryRun', tests: 5 });
    assert.deepEqual(events.find((e) => e.type === 'plan'), { type: 'plan', total: 9, run: 9, early: 0 });
    const mutants = events.filter((e): e is Extract<MutationEvent, { type: 'mutant' }> => e.type === 'mutant');
    assert.deepEqual(mutants.map((m) => m.done), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(mutants.filter((m) => m.status === 'Survived').map((m) => [path.relative(root, m.file), m.line, m.mutatorName, m.replacement]),
      [['src/ratings.ts', 3, 'UnaryOperator', '+0.1']]);
    assert.deepEqual(events[events.length - 1], { type: 'end', cancelled: false });
    const dir = path.join(root, 'coverage', 'mutation');
    assert.deepEqual(result.reportFiles, ['mutation.json', 'mutation.html', 'stryker-incremental.json'].map((f) => path.join(dir, f)));
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'mutation.json'), 'utf8'));
    assert.equal(typeof json.schemaVersion, 'string');
    assert.deepEqual(Object.keys(json.files).sort(), ['src/outcome.ts', 'src/ratings.ts']);
    assert.match(fs.readFileSync(path.join(dir, 'mutation.html'), 'utf8'), /<mutation-test-report-app/);
    assert.equal(fs.existsSync(path.join(root, '.stryker-tmp')), false, 'its sandbox and staged reports are gone');
  });

  it('holds the report against the mutation target: the survivor is a gap with its hint, tests, assertion and diff', async () => {
    const analysis = analyzeMutation(first.result.report!, await loadConfig(root));
    assert.deepEqual(analysis.files.map((f) => [f.relative, f.score.detected, f.score.valid, f.target, f.meetsTarget, f.needed]),
      [['src/outcome.ts', 5, 5, 90, true, 0], ['src/ratings.ts', 3, 4, 90, false, 1]]);
    assert.equal(analysis.totals.pct.toFixed(2), '88.89');
    assert.equal(analysis.allTargetsMet, false);
    const [gap] = analysis.files[1].gaps;
    assert.equal(gap.qualifiedName, 'RATING_BOOST');
    assert.equal(gap.hint.summary, '`RATING_BOOST`: no test fails when `-0.1` becomes `+0.1` in `RATING_BOOST[1]`');
    const [m] = gap.mutants;
    assert.deepEqual([m.status, m.subject, m.static, m.assert, m.original, m.replacement], ['Survived', 'RATING_BOOST[1]', true, 'exact value', '-0.1', '+0.1']);
    assert.deepEqual(m.range, { start: { line: 3, column: 5 }, end: { line: 3, column: 9 } });
    assert.deepEqual(m.ranBy, ['ratings the best rating adds 0.1', 'ratings the worst rating gives its boost', 'ratings a rating without a boost gives 0']);
    assert.equal(m.diff, '-   1: -0.1,\n+   1: +0.1,');
    assert.equal(gap.hint.suggestedTest.file, path.join(root, 'test', 'ratings.test.ts'));
    assert.ok(gap.hint.assert[0].startsWith('the exact value, written as a literal from the spec'));
  });

  it('discounts survivors listed as equivalent (with a reason), and fails on a stale entry', async () => {
    const list = path.join(root, 'equivalent-mutants.json');
    const entry = { file: 'src/ratings.ts', mutator: 'UnaryOperator', line: 3, column: 6, replacement: '+0.1', reason: 'test of the listing' };
    fs.writeFileSync(list, JSON.stringify([entry]));
    const config = { ...(await loadConfig(root)), equivalentMutants: list };
    const discounted = analyzeMutation(first.result.report!, config);
    assert.deepEqual([discounted.files[1].score.pct, discounted.files[1].score.equivalent, discounted.files[1].gaps.length, discounted.allTargetsMet], [100, 1, 0, true]);
    fs.writeFileSync(list, JSON.stringify([{ ...entry, line: 4 }]));
    const stale = analyzeMutation(first.result.report!, config);
    assert.deepEqual(stale.staleEquivalents, ['src/ratings.ts UnaryOperator 4:6 → "+0.1" matches no mutant of this run (the code moved or changed: update the entry\'s line and column, or remove it)']);
    assert.equal(stale.allTargetsMet, false);
    // an entry whose mutant a test killed (a cost-only mutant can time out on a loaded machine) is reported, counted as killed, and fails nothing
    fs.writeFileSync(list, JSON.stringify([entry, { ...entry, file: 'src/outcome.ts', mutator: 'ConditionalExpression', line: 3, column: 10, replacement: 'true' }]));
    const killed = analyzeMutation(first.result.report!, config);
    assert.deepEqual(killed.staleEquivalents, []);
    assert.deepEqual(killed.killedEquivalents, ['src/outcome.ts ConditionalExpression 3:10 → "true" was Killed in this run (counted so)']);
    assert.deepEqual([killed.files[0].score.detected, killed.files[0].score.valid, killed.files[0].score.equivalent], [5, 5, 0]);
    assert.equal(killed.allTargetsMet, true);
    fs.writeFileSync(list, JSON.stringify([{ ...entry, reason: '' }]));
    assert.throws(() => analyzeMutation(first.result.report!, config), /entry 0 needs file, mutator, line, column, replacement and a one-line reason/);
    fs.rmSync(list);
  });

  it('incremental: a rerun reuses every result; after editing one function only its mutants are tested', async () => {
    const again = await mutate(root, { incremental: true });
    assert.deepEqual(again.events.find((e) => e.type === 'plan'), { type: 'plan', total: 9, run: 0, early: 9 });
    assert.equal(again.result.report!.files['src/ratings.ts'].mutants.filter((m) => m.status === 'Survived').length, 1);
    const file = path.join(root, 'src', 'outcome.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('return score >= 0.7;', 'return score >= 0.7 && score <= 1;'));
    const edited = await mutate(root, { incremental: true });
    const plan = edited.events.find((e) => e.type === 'plan') as Extract<MutationEvent, { type: 'plan' }>;
    // 4 mutants of the untouched ratings.ts and the 3 of `score >= 0.7` keep their results; the edited expression's 7 are tested
    assert.deepEqual(plan, { type: 'plan', total: 14, run: 7, early: 7 });
    const tested = edited.events.filter((e): e is Extract<MutationEvent, { type: 'mutant' }> => e.type === 'mutant').slice(7);
    assert.deepEqual([...new Set(tested.map((m) => path.relative(root, m.file)))], ['src/outcome.ts']);
    assert.deepEqual(tested.filter((m) => m.status === 'Survived').map((m) => m.replacement), ['true', 'score < 1']);
  });

  it('--files limits the run to the files asked for', async () => {
    const only = await mutate(root, { files: ['src/rat*.ts'], incremental: true });
    assert.deepEqual(only.result.mutate, ['src/ratings.ts']);
    assert.deepEqual(Object.keys(only.result.report!.files), ['src/ratings.ts']);
  });

  it("publishes its reports under the report folder's lock: a coverage run replacing coverage/ meanwhile loses none of them", async () => {
    const coverage = path.join(root, 'coverage');
    const lock = path.join(root, '.coverage.lock');
    fs.writeFileSync(lock, String(process.pid)); // a coverage run of this (live) process is writing coverage/
    let lockSeen = false;
    const run = mutate(root, { incremental: true }, (e) => {
      if (e.type !== 'end') return;
      lockSeen = fs.existsSync(lock);
    });
    await new Promise((r) => setTimeout(r, 3000)); // StrykerJS ends (nothing to test) and waits for the lock
    // the coverage run swaps in its new folder: the old one goes, with whatever is in it now
    const fresh = fs.mkdtempSync(path.join(root, '.coverage.tmp-'));
    fs.writeFileSync(path.join(fresh, 'coverage-summary.json'), '{}');
    fs.rmSync(coverage, { recursive: true, force: true });
    fs.renameSync(fresh, coverage);
    fs.rmSync(lock);
    const { result } = await run;
    assert.equal(result.error, undefined);
    assert.equal(lockSeen, false, 'the run ended only after the lock was released');
    assert.deepEqual(fs.readdirSync(coverage).sort(), ['coverage-summary.json', 'mutation']);
    assert.deepEqual(fs.readdirSync(path.join(coverage, 'mutation')).sort(), ['mutation.html', 'mutation.json', 'stryker-incremental.json']);
  });

  it('cancel ends the worker and every StrykerJS test runner, and keeps the previous reports whole', async () => {
    const before = fs.readFileSync(path.join(root, 'coverage', 'mutation', 'mutation.json'), 'utf8');
    const run = await mutate(root, {}, (e, cancel) => {
      if (e.type === 'dryRun') cancel();
    });
    assert.equal(run.result.cancelled, true);
    assert.equal(run.result.report, undefined);
    assert.deepEqual(run.events[run.events.length - 1], { type: 'end', cancelled: true });
    assert.equal(await groupGone(run.pid!), true, 'no process of the group survives');
    assert.equal(fs.readFileSync(path.join(root, 'coverage', 'mutation', 'mutation.json'), 'utf8'), before);
  });
});
