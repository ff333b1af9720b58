/**
 * The hint corpus: for each gap scenario of the TypeScript, CommonJS and ESM fixtures, the hint
 * is pinned word for word, and a test written by following that hint to the letter (checked in
 * as `test/fixtures/<fixture>/closing/<scenario>.snippet`) is put where the hint says — appended
 * to the named test file, or as the new file — and shown to close the gap: the lines the hint
 * aims at run.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import libCoverage from 'istanbul-lib-coverage';
import { analyze, loadConfig, startRun } from '../../../src/coverage/index';
import type { Analysis, RunResult } from '../../../src/coverage/model';
import { fixture } from './helpers';
import { HINTS } from './hintCorpus.expected';

interface Scenario {
  fixture: 'ts' | 'cjs' | 'esm';
  gap: string;
  snippet: string;
  /** source file (relative) and the lines the hinted test makes run */
  source: string;
  lines: number[];
}

const SCENARIOS: Scenario[] = [
  { fixture: 'ts', gap: 'Executor.execute', snippet: 'execute-empty-plan', source: 'src/execution/execute.ts', lines: [33] },
  { fixture: 'ts', gap: 'Executor.run', snippet: 'execute-step-fails', source: 'src/execution/execute.ts', lines: [19, 49, 50, 58, 59, 60, 61] },
  { fixture: 'ts', gap: 'invariant', snippet: 'invariant', source: 'src/jsutils/invariant.ts', lines: [2, 3] },
  { fixture: 'cjs', gap: 'read', snippet: 'read-limit', source: 'lib/read.js', lines: [15] },
  { fixture: 'cjs', gap: 'text', snippet: 'text', source: 'lib/types/text.js', lines: [11, 12, 14, 15, 18] },
  { fixture: 'esm', gap: 'validHeaderName', snippet: 'header-name', source: 'src/headers.js', lines: [9, 10, 11] },
  { fixture: 'esm', gap: 'Headers.raw', snippet: 'raw', source: 'src/headers.js', lines: [43, 47] },
  { fixture: 'esm', gap: 'isRedirect', snippet: 'is-redirect', source: 'src/utils/is-redirect.js', lines: [10] },
];

/** A copy of a fixture under the repository's .tmp (node_modules resolves from there), without reports. */
function copyFixture(name: string): string {
  const dir = path.resolve(__dirname, '..', '..', '..', '.tmp', 'hint-corpus', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(fixture(name), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}coverage`) });
  return dir;
}

async function runIn(root: string): Promise<{ result: RunResult; analysis: Analysis }> {
  const config = await loadConfig(root);
  const result = await startRun({ config }).result;
  assert.equal(result.stats.failed, 0, `a test failed in ${root}`);
  return { result, analysis: await analyze(result, config) };
}

describe('hint corpus (fixtures ts, cjs, esm)', function () {
  this.timeout(180000);
  const roots: Record<string, string> = {};
  const analyses: Record<string, Analysis> = {};
  const results: Record<string, RunResult> = {};

  before(async () => {
    for (const name of ['ts', 'cjs', 'esm']) {
      roots[name] = copyFixture(name);
      ({ analysis: analyses[name], result: results[name] } = await runIn(roots[name]));
    }
  });

  it('pins each hint word for word', () => {
    for (const s of SCENARIOS) {
      const gap = analyses[s.fixture].files.flatMap((f) => f.gaps).find((g) => g.qualifiedName === s.gap);
      assert.ok(gap, `${s.fixture}: no gap ${s.gap}`);
      assert.equal(gap.hint.text, HINTS[`${s.fixture}:${s.gap}`], `${s.fixture}: ${s.gap}`);
    }
  });

  for (const s of SCENARIOS) {
    it(`${s.fixture}: the test written from the hint on ${s.gap} closes it`, async () => {
      const root = roots[s.fixture];
      const gap = analyses[s.fixture].files.flatMap((f) => f.gaps).find((g) => g.qualifiedName === s.gap)!;
      const target = gap.hint.suggestedTest.file;
      const snippet = fs.readFileSync(path.join(fixture(s.fixture), 'closing', `${s.snippet}.snippet`), 'utf8');
      const original = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
      const file = path.join(root, s.source);
      const covered = (r: RunResult) => libCoverage.createFileCoverage(r.coverage[file]).getLineCoverage();
      const was = covered(results[s.fixture]);
      assert.ok(s.lines.every((l) => was[l] === 0), `lines ${s.lines} already ran before the test was added`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, original === undefined ? snippet : original + snippet);
      try {
        const now = covered((await runIn(root)).result);
        assert.deepEqual(s.lines.filter((l) => !(now[l] > 0)), [], `lines still not run after adding the hinted test to ${path.relative(root, target)}`);
      } finally {
        if (original === undefined) fs.rmSync(target);
        else fs.writeFileSync(target, original);
      }
    });
  }
});
