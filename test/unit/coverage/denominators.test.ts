import { strict as assert } from 'assert';
import fc from 'fast-check';
import { analyze, loadConfig } from '../../../src/coverage/index';
import type { RunOptions } from '../../../src/coverage/model';
import { fixture, runFixture } from './helpers';

/** Per file: the totals of the four metrics (the denominators). */
async function totals(name: string, options: Partial<RunOptions>): Promise<Record<string, number[]>> {
  const { result } = await runFixture(name, options);
  const analysis = await analyze(result, await loadConfig(fixture(name)));
  const out: Record<string, number[]> = {};
  for (const f of analysis.files) out[f.relative] = [f.figures.statements.total, f.figures.branches.total, f.figures.functions.total, f.figures.lines.total];
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('static denominators', function () {
  this.timeout(120000);
  const fixtures = ['basic', 'branches', 'cjs', 'esm', 'ts'] as const;
  const full: Record<string, Record<string, number[]>> = {};
  const titles: Record<string, string[]> = {};

  before(async () => {
    for (const name of fixtures) {
      const { result } = await runFixture(name);
      titles[name] = Object.values(result.testTitles).sort();
      full[name] = await totals(name, {});
    }
  });

  it('are the ones istanbul counts for the fixture sources', () => {
    // [statements, branches, functions, lines] as istanbul-lib-instrument counts them.
    assert.deepEqual(full.basic, { 'src/ledger.ts': [16, 12, 7, 14], 'src/unused.ts': [3, 2, 1, 3] });
    assert.deepEqual(full.branches, { 'src/rules.ts': [23, 13, 8, 22] });
  });

  it('do not move when no test runs, per test, or under a --grep (property over the fixtures)', async () => {
    for (const name of fixtures) {
      assert.deepEqual(await totals(name, { grep: '^a title no test has$' }), full[name], `${name}: no test ran`);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fixtures).chain((name) => fc.tuple(fc.constant(name), fc.subarray(titles[name], { minLength: 1 }), fc.boolean())),
        async ([name, chosen, perTest]) => {
          const grep = `^(${chosen.map(escape).join('|')})$`;
          assert.deepEqual(await totals(name, { grep, perTest }), full[name], `${name} --grep ${grep}${perTest ? ' --per-test' : ''}`);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('do not move once a test calls a function that never ran', async () => {
    // fixture `ts`: Executor.undo never runs; the same totals with a test that reaches it.
    const { result } = await runFixture('ts', {});
    assert.ok(Object.values(result.coverage).some((d) => Object.values(d.f).includes(0)));
    assert.deepEqual(await totals('ts', { grep: 'applies every step' }), full.ts);
  });
});
