import { strict as assert } from 'assert';
import * as path from 'path';
import type { MutantGap, MutationAnalysis, MutationGap } from '../../../src/mutation/model';
import { filesRunBy, hoverPlainText, mutantHover, mutantProblems, mutantRanges, mutationStatusInfo, survivorsByTest } from '../../../src/editor/mutationView';

const root = path.resolve('/ws');
const file = path.join(root, 'src', 'ratings.ts');
const mutant: MutantGap = {
  id: '6', status: 'Survived', mutatorName: 'UnaryOperator',
  range: { start: { line: 3, column: 5 }, end: { line: 3, column: 9 } },
  original: '-0.1', replacement: '+0.1', subject: 'RATING_BOOST[1]', static: true,
  ranBy: ['ratings the worst rating gives its boost <img src=x onerror=alert(1)> [link](command:evil)'], testsRan: 5,
  sentence: 'no test fails when `-0.1` becomes `+0.1` in `RATING_BOOST[1]`',
  assert: 'exact value', advice: 'the exact value, written as a literal from the spec', diff: '-   1: -0.1,\n+   1: +0.1,',
};
const gap: MutationGap = {
  id: `${file}#mutation#RATING_BOOST`, file, qualifiedName: 'RATING_BOOST', functionRange: mutant.range, mutants: [mutant], gain: 1,
  hint: { summary: 's', assert: [], suggestedTest: { file: path.join(root, 'test', 'ratings.test.ts'), title: 'RATING_BOOST[1] — the exact value', outline: [] }, text: '' },
};
const score = { killed: 3, timeout: 0, survived: 1, noCoverage: 0, equivalent: 0, errors: 0, ignored: 0, valid: 4, detected: 3, pct: 75 };
const analysis: MutationAnalysis = {
  root, files: [{ file, relative: 'src/ratings.ts', score, target: 90, meetsTarget: false, needed: 1, gaps: [gap] }],
  totals: score, staleEquivalents: [], killedEquivalents: [], overallTarget: 90, allTargetsMet: false, durationMs: 1,
};

describe('editor: mutation view', () => {
  it('decorates the mutated code itself (0-based lines, the mutant columns)', () => {
    assert.deepEqual([...mutantRanges(analysis)], [[file, [{ startLine: 2, startColumn: 5, endLine: 2, endColumn: 9, gapId: gap.id, mutantId: '6', status: 'Survived' }]]]);
  });

  it('builds the hover from fixed labels, workspace text as text parts and the diff as a code block', () => {
    const parts = mutantHover(gap, mutant, { pct: 75, target: 90 }, root, false);
    assert.deepEqual(parts.find((p) => p.kind === 'code'), { kind: 'code', value: '-   1: -0.1,\n+   1: +0.1,', language: 'diff' });
    // every test title / source fragment is a text part: the editor appends it with appendText, never as markdown
    const labels = parts.filter((p) => p.kind === 'label').map((p) => (p as { value: string }).value).join('');
    assert.ok(!labels.includes('onerror') && !labels.includes('command:evil') && !labels.includes('RATING_BOOST'));
    assert.ok(parts.some((p) => p.kind === 'text' && p.value.includes('<img src=x onerror=alert(1)> [link](command:evil)')));
    assert.equal(hoverPlainText(parts), [
      'Surviving mutant — UnaryOperator in RATING_BOOST[1]',
      'Mutation score 75% / target 90%',
      '-   1: -0.1,',
      '+   1: +0.1,',
      'Untested: no test fails when `-0.1` becomes `+0.1` in `RATING_BOOST[1]`',
      'Tests that ran it and still passed (5): ratings the worst rating gives its boost <img src=x onerror=alert(1)> [link](command:evil)',
      'Assert: the exact value, written as a literal from the spec',
      'Where: test/ratings.test.ts — it("RATING_BOOST[1] — the exact value")',
    ].join('\n'));
  });

  it('lists each mutant as a Problems entry and shows the score beside coverage in the status bar', () => {
    assert.deepEqual(mutantProblems(analysis), [{
      file, range: { startLine: 2, startColumn: 5, endLine: 2, endColumn: 9 }, code: 'UnaryOperator',
      message: 'Surviving mutant: no test fails when `-0.1` becomes `+0.1` in `RATING_BOOST[1]`. Assert the exact value, written as a literal from the spec.',
    }]);
    assert.deepEqual([mutationStatusInfo(analysis).text, mutationStatusInfo(analysis).belowTarget], ['Mut 75% / 90%', true]);
    assert.equal(mutationStatusInfo(analysis, { done: 3, total: 9 }).text, '$(sync~spin) Mut 3/9');
    assert.equal(mutationStatusInfo(undefined).text, '$(beaker) Mut –');
  });

  it('test strength profile: mutates the files the selected tests ran (per-test coverage), nothing known without data', () => {
    const a = path.join(root, 'src', 'a.ts');
    const b = path.join(root, 'src', 'b.ts');
    const perTest = {
      't1': { [b]: { s: [0], b: [], f: [] }, [a]: { s: [], b: [], f: [1] } },
      't2': { [a]: { s: [2], b: [], f: [] } },
      't3': { [path.join(root, 'src', 'c.ts')]: { s: [], b: [], f: [] } },
    };
    assert.deepEqual(filesRunBy(['t1', 't2'], perTest), [a, b]);
    assert.deepEqual(filesRunBy(['t2'], perTest), [a]);
    assert.equal(filesRunBy(['t3'], perTest), undefined, 'a file with nothing executed is not mutated');
    assert.equal(filesRunBy(['unknown'], perTest), undefined);
    assert.equal(filesRunBy(['t1'], undefined), undefined);
  });

  it('test strength profile: the surviving mutants each test ran and still passed, by full title; killed or uncovered ones are not', () => {
    const uncovered: MutantGap = { ...mutant, id: '7', status: 'NoCoverage', ranBy: ['ratings the best rating adds 0.1'] };
    const withBoth: MutationAnalysis = { ...analysis, files: [{ ...analysis.files[0], gaps: [{ ...gap, mutants: [mutant, uncovered] }] }] };
    const byTitle = survivorsByTest(withBoth);
    assert.deepEqual([...byTitle.keys()], [mutant.ranBy[0]]);
    assert.deepEqual(byTitle.get(mutant.ranBy[0]), [{ file, mutant }]);
  });
});
