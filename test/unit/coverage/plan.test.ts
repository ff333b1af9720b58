import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze, loadConfig, renderPlan, writeReports } from '../../../src/coverage/index';
import { verifyCommand } from '../../../src/coverage/reports';
import type { Analysis, ResolvedConfig, RunResult } from '../../../src/coverage/model';
import { fixture, runFixture } from './helpers';

describe('coverage reports and gap-closure plan', function () {
  this.timeout(30000);
  let result: RunResult;
  let analysis: Analysis;
  let config: ResolvedConfig;

  before(async () => {
    ({ result } = await runFixture('basic'));
    config = await loadConfig(fixture('basic'));
    analysis = await analyze(result, config);
  });

  it('generates the plan from the measured gaps: truths, artifacts, one task per file below target', () => {
    const plan = renderPlan(analysis, config).split('\n');
    assert.equal(plan[0], '---');
    assert.match(plan[1], /^generated: "\d{4}-\d\d-\d\dT/);
    assert.deepEqual(plan.slice(2, 18), [
      `config: ${JSON.stringify(path.join(fixture('basic'), 'governance-coverage.config.json'))}`,
      'must_haves:',
      '  truths:',
      '    - "src/ledger.ts meets lines ≥ 90%, branches ≥ 80% (now lines 78.6%, branches 50.0%, functions 85.7%, statements 75.0%)"',
      '    - "src/unused.ts meets lines ≥ 90%, branches ≥ 80% (now lines 0.0%, branches 0.0%, functions 0.0%, statements 0.0%)"',
      '  artifacts:',
      '    - path: "test/ledger.test.ts"',
      '      exists: true',
      '      min_tests: 2',
      '      covers: ["src/ledger.ts"]',
      '    - path: "test/unused.test.ts"',
      '      exists: false',
      '      min_tests: 1',
      '      covers: ["src/unused.ts"]',
      '---',
      '',
    ]);
    const tasks = plan.filter((l) => l.startsWith('## Task'));
    assert.deepEqual(tasks, ['## Task 1: src/ledger.ts', '## Task 2: src/unused.ts']);
    assert.ok(plan.includes('- **Target:** lines ≥ 90%, branches ≥ 80%; still needed: 2 lines, 4 branch sides (lines, branches)'));
    assert.ok(plan.includes('    - Write in `test/ledger.test.ts`: it("describe returns a string when kind is \'long\'")'));
    // The fixture's nearest package.json is this repository's (the CLI itself): the Verify line is the
    // CLI command (loaders.projectHasCli); the editor-only wording is loaders.test.ts's.
    assert.ok(plan.includes(`- **Verify:** \`${verifyCommand(config, analysis.files.find((f) => f.relative === 'src/unused.ts')!)}\``));
    // Where the project has the CLI, file names travel as single-quoted shell words, never inside the script (issue 11).
    assert.equal(
      verifyCommand(config, analysis.files.find((f) => f.relative === 'src/unused.ts')!),
      'npx governance-coverage run --config \'governance-coverage.config.json\' --json | node -e \'const f=process.argv[1];const r=JSON.parse(require("fs").readFileSync(0,"utf8")).files.find(x=>x.file===f);process.exit(r&&r.meetsTarget?0:1)\' \'src/unused.ts\'',
    );
    const beyond = plan.indexOf('## Beyond target');
    assert.deepEqual(plan.slice(beyond, beyond + 6), [
      '## Beyond target',
      '',
      'Not needed for the targets, still untested (most lines and branches first):',
      '',
      "- src/ledger.ts `Ledger.withdraw` (+1 lines, +1 branches): `Ledger.withdraw`: line 21 never ran; 1 branch side never taken (no test ran the case where `amount` is greater than `this.balance()`)",
      '  - Write in `test/ledger.test.ts`: it("withdraw throws Error when amount is greater than this.balance()")',
    ]);
    assert.ok(plan.includes('- **Done when:** src/unused.ts reports lines ≥ 90%, branches ≥ 80% and every test passes.'));
  });

  it('says there is nothing to close when every target is met', async () => {
    const { result: ok } = await runFixture('passing');
    const cfg = await loadConfig(fixture('passing'));
    const plan = renderPlan(await analyze(ok, cfg), cfg);
    assert.match(plan, /\n {2}artifacts:\n {4}\[\]\n---\n\n# Gap-closure plan\n\nEvery file meets its target\. Nothing to close\.\n$/);
  });

  it('writes lcov, final and summary JSON, HTML and the plan', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-reports-'));
    try {
      const written = await writeReports(result, analysis, { ...config, reportDir: dir });
      assert.deepEqual(written.map((f) => path.basename(f)), ['lcov.info', 'coverage-final.json', 'coverage-summary.json', 'index.html', 'gap-closure-plan.md']);
      for (const f of written) assert.ok(fs.statSync(f).size > 0, f);
      const summary = JSON.parse(fs.readFileSync(path.join(dir, 'coverage-summary.json'), 'utf8'));
      const ledger = summary[path.join(fixture('basic'), 'src', 'ledger.ts')];
      assert.deepEqual([ledger.lines.covered, ledger.lines.total], [11, 14]);
      const lcov = fs.readFileSync(path.join(dir, 'lcov.info'), 'utf8');
      assert.match(lcov, /^SF:.*ledger\.ts$/m);
      assert.match(lcov, /^DA:12,0$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
