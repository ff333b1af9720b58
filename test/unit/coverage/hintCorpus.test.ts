/**
 * The hint corpus: for each gap scenario of the TypeScript, CommonJS and ESM fixtures (and the
 * embedded governance suite with test/governance/unit/supervisionService.test.ts removed), the hint
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
import { EMBEDDED_SNAPSHOT } from '../embeddedSnapshot';

interface Scenario {
  fixture: 'ts' | 'cjs' | 'esm' | 'embedded';
  gap: string;
  snippet: string;
  /** source file (relative) and the lines the hinted test makes run (none: the whole gap closes) */
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
  // The embedded suite without test/governance/unit/supervisionService.test.ts: a private check
  // reached only through public methods, and a public method no other test calls.
  { fixture: 'embedded', gap: 'SupervisionService.expect', snippet: 'monitor-finished-session', source: 'src/governance/supervisionService.ts', lines: [207] },
  { fixture: 'embedded', gap: 'SupervisionService.listSessions', snippet: 'list-sessions', source: 'src/governance/supervisionService.ts', lines: [180] },
];

const REPO = path.resolve(__dirname, '..', '..', '..');

/** The embedded governance suite copied with its targets, without the unit tests of SupervisionService. */
function copyEmbedded(): string {
  const dir = path.join(REPO, '.tmp', 'hint-corpus', 'embedded');
  fs.rmSync(dir, { recursive: true, force: true });
  for (const part of ['src/governance', 'test/governance']) fs.cpSync(path.join(EMBEDDED_SNAPSHOT, part), path.join(dir, part), { recursive: true });
  fs.rmSync(path.join(dir, 'test/governance/unit/supervisionService.test.ts'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'governance-suite-copy', private: true }));
  const targets = [{ glob: 'src/governance/**/*.ts', lines: 90, branches: 80 }];
  fs.writeFileSync(path.join(dir, 'governance-coverage.config.json'), JSON.stringify({ testGlobs: ['test/governance/**/*.test.ts'], sourceGlobs: ['src/governance/**/*.ts'], targets }));
  return dir;
}

/** The closing test of a scenario, written from its hint. */
function closingTest(s: Scenario): string {
  return fs.readFileSync(path.join(fixture(s.fixture), 'closing', `${s.snippet}.snippet`), 'utf8');
}

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

describe('hint corpus (fixtures ts, cjs, esm; the embedded suite without the SupervisionService unit tests)', function () {
  this.timeout(180000);
  const roots: Record<string, string> = {};
  const analyses: Record<string, Analysis> = {};
  const results: Record<string, RunResult> = {};

  before(async () => {
    for (const name of [...new Set(SCENARIOS.map((s) => s.fixture))]) {
      roots[name] = name === 'embedded' ? copyEmbedded() : copyFixture(name);
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
      const snippet = closingTest(s);
      const original = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
      const file = path.join(root, s.source);
      const covered = (r: RunResult) => libCoverage.createFileCoverage(r.coverage[file]).getLineCoverage();
      const was = covered(results[s.fixture]);
      assert.ok(s.lines.every((l) => was[l] === 0), `lines ${s.lines} already ran before the test was added`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, original === undefined ? snippet : original + snippet);
      try {
        const after = await runIn(root);
        const now = covered(after.result);
        assert.deepEqual(s.lines.filter((l) => !(now[l] > 0)), [], `lines still not run after adding the hinted test to ${path.relative(root, target)}`);
        const left = after.analysis.files.flatMap((f) => f.gaps).find((g) => g.qualifiedName === s.gap);
        // A gap of branch sides only (no lines): closed when the gap is gone.
        if (!s.lines.length) assert.equal(left, undefined, `${s.gap} still has a gap: ${left?.hint.summary}`);
      } finally {
        if (original === undefined) fs.rmSync(target);
        else fs.writeFileSync(target, original);
      }
    });
  }
});
