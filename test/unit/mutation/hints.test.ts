import { strict as assert } from 'assert';
import * as ts from 'typescript';
import { assertKind, mutantDiff, mutantSentence, valuePathAt } from '../../../src/mutation/hints';
import { spliceSection, STRENGTH_END, STRENGTH_START } from '../../../src/mutation/plan';
import { mutantsNeeded, scoreOf } from '../../../src/mutation/analyze';
import type { SchemaMutant } from '../../../src/mutation/model';
import { embeddedConfig } from '../../../src/coverage/config';
import { strykerOptions } from '../../../src/mutation/options';

const sf = (text: string) => ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true);

describe('mutation hints', () => {
  it('says what no test checks, and what a mutant outside any test run means', () => {
    assert.equal(mutantSentence('Survived', '-0.1', '+0.1', 'RATING_BOOST[1]'), 'no test fails when `-0.1` becomes `+0.1` in `RATING_BOOST[1]`');
    assert.equal(mutantSentence('NoCoverage', 'a  <\n b', 'a <= b', 'limit'), 'no test runs `limit`, so nothing fails when `a < b` becomes `a <= b`');
  });

  it('chooses the assertion from the mutator and the code: boundary, both outcomes, refusal, order, exact text, pattern', () => {
    assert.equal(assertKind('EqualityOperator', 'score >= 0.7', 'score > 0.7'), 'boundary');
    assert.equal(assertKind('EqualityOperator', 'a === b', 'a !== b'), 'both outcomes');
    assert.equal(assertKind('BlockStatement', "{ throw new GovernanceError('X') }", '{}'), 'refusal');
    assert.equal(assertKind('BlockStatement', '{ total += 1; }', '{}'), 'effect');
    assert.equal(assertKind('MethodExpression', 'steps.reverse()', 'steps'), 'order');
    assert.equal(assertKind('StringLiteral', "'approved'", '""'), 'exact text');
    assert.equal(assertKind('Regex', '/^https:\\/\\//', '/https:\\/\\//'), 'pattern');
    assert.equal(assertKind('UnaryOperator', '-0.1', '+0.1'), 'exact value');
  });

  it('names a module-level value by its path in the object literal, and nothing inside a function', () => {
    const text = 'export const RATING_BOOST = { 1: -0.1, best: { "x y": 2 } };\nfunction f() { const local = 3; }';
    assert.equal(valuePathAt(sf(text), text.indexOf('-0.1')), 'RATING_BOOST[1]');
    assert.equal(valuePathAt(sf(text), text.indexOf('2 }')), 'RATING_BOOST.best["x y"]');
    assert.equal(valuePathAt(sf(text), text.indexOf('3;')), undefined);
  });

  it('renders the mutant as a diff of the lines it changes', () => {
    const src = 'a\n  if (x >= 1) {\nb';
    const s = src.indexOf('x >= 1');
    assert.equal(mutantDiff(src, s, s + 6, 'x > 1'), '-   if (x >= 1) {\n+   if (x > 1) {');
  });

  it("scores like StrykerJS: killed and timed out over valid mutants; errors and ignored don't count", () => {
    const m = (status: string) => ({ status }) as SchemaMutant;
    const score = scoreOf(['Killed', 'Killed', 'Timeout', 'Survived', 'NoCoverage', 'CompileError', 'Ignored'].map(m));
    assert.deepEqual([score.detected, score.valid, score.pct, score.errors, score.ignored], [3, 5, 60, 1, 1]);
    assert.equal(mutantsNeeded(score, 90), 2);
    assert.equal(scoreOf([]).pct, 100);
  });

  it('a listed equivalent mutant leaves the score whether it survived or timed out (it cannot be killed)', () => {
    const m = (status: string, id: string) => ({ status, id }) as SchemaMutant;
    const mutants = [m('Killed', 'a'), m('Killed', 'b'), m('Survived', 'eq1'), m('Timeout', 'eq2'), m('Timeout', 'c'), m('Survived', 'd')];
    const score = scoreOf(mutants, (x) => x.id.startsWith('eq'));
    assert.deepEqual([score.killed, score.timeout, score.survived, score.equivalent, score.detected, score.valid, score.pct], [2, 1, 1, 2, 3, 4, 75]);
  });

  it('splices the test-strength section into a plan, replacing the previous one', () => {
    const section = (n: number) => `${STRENGTH_START}\n## Test strength ${n}\n${STRENGTH_END}`;
    const once = spliceSection('# Gap-closure plan\n\nTask 1\n', section(1));
    assert.equal(once, `# Gap-closure plan\n\nTask 1\n\n${section(1)}\n`);
    assert.equal(spliceSection(once, section(2)), `# Gap-closure plan\n\nTask 1\n\n${section(2)}\n`);
  });
});

describe('mutation options', () => {
  it("configures StrykerJS with the project's mocha setup, perTest coverage, incremental mode and our reporters", () => {
    const config = embeddedConfig();
    const paths = { reportDir: '/r/coverage/mutation', stagingDir: '/r/coverage/mutation/.staging-x', incrementalFile: '/r/coverage/mutation/stryker-incremental.json', sandboxParent: '/r/.stryker-tmp/governance-x' };
    const full = strykerOptions(config, ['src/governance/audit.ts'], paths, {});
    assert.equal(full.testRunner, 'mocha');
    assert.equal(full.coverageAnalysis, 'perTest');
    assert.deepEqual(full.mutate, ['src/governance/audit.ts']);
    assert.deepEqual((full.mochaOptions as { spec: string[] }).spec, ['test/governance/**/*.test.ts']);
    assert.match((full.mochaOptions as { require: string[] }).require[0], /tsx[\\/]dist[\\/]cjs/);
    assert.deepEqual(full.reporters, ['json', 'html', 'governance-progress']);
    assert.deepEqual([full.incremental, full.force, full.incrementalFile, full.tempDirName], [true, true, paths.incrementalFile, paths.sandboxParent]);
    assert.equal(strykerOptions(config, [], paths, { incremental: true }).force, false);
  });

  it('keeps the report folder, its lock and its staging folders out of the sandboxes (they come and go while a coverage run writes)', () => {
    const paths = { reportDir: '/r/x/mutation', stagingDir: '/r/x/mutation/.staging-x', incrementalFile: '/r/x/mutation/inc.json', sandboxParent: '/r/.stryker-tmp/g' };
    const ignored = (reportDir: string) => strykerOptions({ ...embeddedConfig(), reportDir }, [], paths, {}).ignorePatterns as string[];
    assert.deepEqual(ignored('coverage').slice(0, 3), ['/coverage', '/.coverage.lock', '/.coverage.tmp-*']);
    assert.deepEqual(ignored('reports/cov').slice(0, 3), ['/reports/cov', '/reports/.cov.lock', '/reports/.cov.tmp-*']);
  });
});
