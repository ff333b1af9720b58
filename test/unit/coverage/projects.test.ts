/**
 * Any mocha project as it is (issue 10): each fixture reproduces one shape of public project —
 * CommonJS with .mocharc.json, TypeScript importing `describe`/`it` from its own mocha, ESM with
 * top-level await, ESM TypeScript through `--import=tsx`, the tdd ui with `file`, a root hook
 * plugin in a `.mocharc.js`, a monorepo of two packages, a folder with nothing — run through the
 * engine and the CLI. Expected line figures are istanbul's for the same fixture: the lines a statement starts on
 * (istanbul-lib-instrument's statementMap of the file), covered where the tests run them (issue 9:
 * lines count only lines that hold code; c8 counts every physical line).
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findRoots, loadConfig, startRun } from '../../../src/coverage/index';
import type { FileCoverageData, ResolvedConfig, RunResult } from '../../../src/coverage/model';
import { defaultMochaSetup } from '../../../src/coverage/mochaSetup';
import libCoverage from 'istanbul-lib-coverage';
import { fixture } from './helpers';
import { cliArgs } from '../cliArgs';

const repo = path.resolve(__dirname, '..', '..', '..');
const runCli = (...args: string[]) => spawnSync(process.execPath, [...cliArgs(), ...args], { encoding: 'utf8', cwd: repo });

async function run(config: ResolvedConfig): Promise<RunResult> {
  return startRun({ config }).result;
}

/** Lines "covered/total pct" of one file of a run (path relative to the root), as istanbul and c8 print them. */
function lines(result: RunResult, root: string, rel: string): string {
  const data = result.coverage[path.join(root, rel)] as FileCoverageData | undefined;
  if (!data) return 'absent';
  const s = libCoverage.createFileCoverage(data).toSummary().lines;
  return `${s.covered}/${s.total} ${s.pct}`;
}

/** The TypeScript fixture's own mocha: a copy of ours, so it is a different module instance. */
function installFixtureMocha(): string {
  const dir = path.join(fixture('mocha-ts-import'), 'node_modules', 'mocha');
  if (!fs.existsSync(path.join(dir, 'package.json'))) fs.cpSync(path.join(repo, 'node_modules', 'mocha'), dir, { recursive: true });
  return fs.realpathSync(dir);
}

describe('any mocha project, as it is', function () {
  this.timeout(120_000);

  it('CommonJS: follows .mocharc.json (spec, require, check-leaks, timeout) with no config of ours; lines as istanbul counts them', async () => {
    const root = fixture('mocha-cjs');
    const config = await loadConfig(root);
    assert.deepEqual([config.testGlobs, config.timeout, config.mocha.checkLeaks, config.embedded], [['spec/**/*.spec.js'], 5000, true, false]);
    assert.deepEqual(config.sourceGlobs, [
      '*.{js,cjs,mjs,jsx,ts,cts,mts,tsx}', 'lib/**/*.{js,cjs,mjs,jsx,ts,cts,mts,tsx}',
      '!**/__tests__/**', '!**/*{.,-}{test,spec}.*', '!**/*.config.*', '!**/.mocharc.*', '!**/*.d.ts',
    ]);
    assert.deepEqual(config.require, [path.join(root, 'spec', 'setup.js')]);
    assert.equal(config.source, '.mocharc.json, npm script "test"');
    const result = await run(config);
    // As bare mocha: "4 passing, 1 failing" (the leak is reported after the test passed).
    assert.deepEqual([result.stats.passed, result.stats.failed], [4, 1]);
    assert.equal(lines(result, root, 'lib/calc.js'), '4/5 80'); // istanbul: statement lines 4, 8, 9, 11, 14; the throw on 9 never runs
    assert.deepEqual(Object.keys(result.coverage).map((f) => path.relative(root, f)), ['lib/calc.js']);
  });

  it('check-leaks from the mocha setup fails the test that leaks a global', async () => {
    const events: string[] = [];
    const handle = startRun({ config: await loadConfig(fixture('mocha-cjs')), coverage: false });
    handle.onEvent((e) => e.type === 'testFail' && events.push(`${e.titlePath.join(' ')}: ${e.failure.message}`));
    await handle.result;
    assert.deepEqual(events, ["leaks leaks a global: global leak(s) detected: 'leakedByTest'"]);
  });

  it('TypeScript importing describe/it from its own mocha: drives the project\'s mocha, so the files load', async () => {
    const own = installFixtureMocha();
    const root = fixture('mocha-ts-import');
    const config = await loadConfig(root);
    assert.deepEqual([config.mocha.mochaDir, config.mocha.projectMocha], [own, true]);
    assert.deepEqual(config.testGlobs, ['test/**/*.ts']);
    const result = await run(config);
    assert.deepEqual([result.stats.passed, result.stats.failed, result.loadErrors.length], [2, 0, 0]);
    assert.equal(lines(result, root, 'src/stack.ts'), '6/7 85.71'); // istanbul: lines 2, 5, 9, 10, 11, 13, 17; the throw on 11 never runs
  });

  it('TypeScript importing from mocha: driving another mocha than the project\'s fails each file (what the issue saw)', async () => {
    installFixtureMocha();
    const config = await loadConfig(fixture('mocha-ts-import'));
    const result = await run({ ...config, mocha: { ...config.mocha, mochaDir: defaultMochaSetup(repo).mochaDir } });
    assert.equal(result.loadErrors.length, 2);
    assert.match(result.loadErrors[0].error.message, /Cannot read properties of undefined \(reading 'describe'\)/);
  });

  it('ESM sources loaded by Node\'s own loader have per-test coverage: each test names the functions it ran', async () => {
    const root = fixture('mocha-esm');
    const result = await startRun({ config: await loadConfig(root), perTest: true }).result;
    assert.equal(result.stats.passed, 2);
    // Functions each test ran, by file and name: formatting runs format and pad; labelling runs label only.
    const ran = (title: string) => {
      const id = Object.keys(result.perTest ?? {}).find((t) => t.endsWith(title));
      assert.ok(id, `per-test coverage of "${title}"`);
      return Object.entries(result.perTest![id]).flatMap(([file, d]) => d.f.map((f) => `${path.basename(file)} ${result.coverage[file].fnMap[f].name}`)).sort();
    };
    assert.deepEqual(ran('formats a time of day'), ['clock.js format', 'pad.cjs pad']);
    assert.deepEqual(ran('labels with the zone'), ['zone.mjs label']);
  });

  it('ESM package with top-level await: test files load through mocha\'s async loader; ESM sources (.js, .mjs) and .cjs measured as istanbul counts them', async () => {
    const root = fixture('mocha-esm');
    const config = await loadConfig(root);
    assert.deepEqual([config.testGlobs, config.source], [['test/**/*.test.js'], 'package.json#mocha']);
    const result = await run(config);
    assert.deepEqual([result.stats.passed, result.stats.failed, result.loadErrors.length, result.error], [2, 0, 0, undefined]);
    // istanbul: clock.js lines 4, 5, 7, 11 (the throw on 5 and unused() on 11 never run), pad.cjs 2, 3, zone.mjs 1, 4
    assert.deepEqual(['src/clock.js', 'src/pad.cjs', 'src/zone.mjs'].map((f) => lines(result, root, f)), ['2/4 50', '2/2 100', '2/2 100']);
  });

  it('ESM, a test file\'s top-level await importing a source again under a query string (esmock\'s ?esmk= instances): both instances count', async () => {
    const root = fixture('mocha-esm-query');
    for (const perTest of [true, false]) {
      const result = await startRun({ config: await loadConfig(root), perTest }).result;
      // As bare mocha: "2 passing"
      assert.deepEqual([result.stats.passed, result.stats.failed, result.loadErrors.length], [2, 0, 0]);
      // istanbul: statement lines 2, 3, 5, 9, 10, 12; net() ran in one instance (2, 5), label() in the
      // other (9, 10); the throw on 3 and the return on 12 never ran (c8, counting physical lines: 76.92)
      assert.equal(lines(result, root, 'src/price.js'), '4/6 66.66', `perTest ${perTest}`);
      assert.deepEqual(Object.keys(result.coverage).map((f) => path.relative(root, f)), ['src/price.js']);
    }
  });

  it('ESM TypeScript through node-option import=tsx: .mts tests and sources, with top-level await', async () => {
    const root = fixture('mocha-esm-ts');
    const config = await loadConfig(root);
    assert.deepEqual([config.mocha.nodeOptions, config.testGlobs], [['--import=tsx'], ['test/*.{mts,ts}']]);
    const result = await run(config);
    assert.deepEqual([result.stats.passed, result.loadErrors.length], [1, 0]);
    assert.equal(lines(result, root, 'src/shape.mts'), '2/3 66.66'); // istanbul: lines 7, 8, 10; the throw on 8 never runs
  });

  it('tdd ui and "file" from .mocharc.yml: suite/test/setup work and the file entry loads first', async () => {
    const root = fixture('mocha-tdd');
    const config = await loadConfig(root);
    assert.deepEqual([config.mocha.ui, config.mocha.slow, config.mocha.files], ['tdd', 500, [path.join(root, 'test', 'first.js')]]);
    const result = await run(config);
    assert.deepEqual([result.stats.passed, result.stats.failed], [2, 0]);
  });

  it('root hook plugin and global setup fixture from a .mocharc.js require', async () => {
    const result = await run(await loadConfig(fixture('mocha-root-hooks')));
    assert.deepEqual([result.stats.passed, result.stats.failed, result.loadErrors.length], [2, 0, 0]);
  });

  it('untrusted: a code config (.mocharc.js) is not read and the project\'s own mocha is not loaded', async () => {
    installFixtureMocha();
    const hooks = await loadConfig(fixture('mocha-root-hooks'), { trusted: false });
    assert.deepEqual([hooks.testGlobs, hooks.require, hooks.mocha.sources, hooks.source], [['test/*.{js,cjs,mjs}'], [], ['mocha defaults'], 'mocha defaults']);
    const ts = await loadConfig(fixture('mocha-ts-import'), { trusted: false });
    assert.deepEqual([ts.mocha.projectMocha, ts.testGlobs], [false, ['test/**/*.ts']]);
  });

  it('a source loaded twice (require.cache cleared) counts what ran in either copy', async () => {
    const root = fixture('reloaded');
    const result = await run(await loadConfig(root));
    assert.deepEqual([result.stats.passed, result.stats.failed], [1, 0]);
    const data = result.coverage[path.join(root, 'src', 'pair.ts')] as FileCoverageData;
    assert.deepEqual(Object.values(data.fnMap).map((f, i) => [f.name, data.f[i] > 0]), [['first', true], ['second', true]]);
    assert.equal(lines(result, root, 'src/pair.ts'), '2/2 100'); // istanbul: the two return lines, each run by one copy
  });

  it('monorepo: one root per package with a mocha setup (npm script, package.json key), none for the bare root or a package without', async () => {
    const root = fixture('monorepo');
    const roots = await findRoots(root);
    assert.deepEqual(roots.map((r) => path.relative(root, r)), ['packages/alpha', 'packages/beta']);
    const alpha = await loadConfig(roots[0]);
    assert.deepEqual([alpha.testGlobs, alpha.timeout, alpha.source], [['test/**/*.test.js'], 4000, 'npm script "test"']);
    const results = await Promise.all(roots.map(async (r) => (await run(await loadConfig(r))).stats.passed));
    assert.deepEqual(results, [1, 1]);
    assert.deepEqual(await findRoots(repo), [repo]); // this project: its fixtures are not roots
  });

  it('CLI: a folder with nothing to run exits 2 with the ways forward; a monorepo root names its packages', () => {
    const none = runCli('run', '--root', fixture('no-setup'));
    assert.equal(none.status, 2);
    assert.match(none.stderr, /No mocha setup and no governance-coverage config in .*no-setup\. Ways forward:/);
    const mono = runCli('run', '--root', fixture('monorepo'));
    assert.equal(mono.status, 2);
    assert.match(mono.stderr, /run each with --root:\n {2}--root test\/fixtures\/monorepo\/packages\/alpha\n {2}--root test\/fixtures\/monorepo\/packages\/beta/);
  });

  it('CLI: no silent success — zero tests, zero test files and a failing require exit 1 with a message', () => {
    const empty = runCli('run', '--root', fixture('mocha-empty'), '--hints', '0');
    assert.equal(empty.status, 1);
    assert.match(empty.stdout, /ERROR no tests were found in 1 test file\(s\): nothing ran/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-silent-'));
    try {
      fs.writeFileSync(path.join(dir, '.mocharc.json'), JSON.stringify({ spec: 'nothing/*.spec.js' }));
      const noFiles = runCli('run', '--root', dir, '--hints', '0');
      assert.equal(noFiles.status, 1);
      assert.match(noFiles.stdout, /ERROR the run could not start: no test files match "nothing\/\*\.spec\.js"/);
      fs.writeFileSync(path.join(dir, '.mocharc.json'), JSON.stringify({ spec: 'a.spec.js', require: './missing-setup.js' }));
      fs.writeFileSync(path.join(dir, 'a.spec.js'), "it('passes', () => {});\n");
      const badRequire = runCli('run', '--root', dir, '--hints', '0');
      assert.equal(badRequire.status, 1);
      assert.match(badRequire.stdout, /ERROR cannot load required module .*missing-setup\.js: Cannot find module/);
      fs.writeFileSync(path.join(dir, '.mocharc.json'), JSON.stringify({ spec: 'a.spec.js', 'fail-zero': false }));
      fs.writeFileSync(path.join(dir, 'a.spec.js'), '// no tests, and the setup allows it\n');
      assert.equal(runCli('run', '--root', dir, '--hints', '0').status, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CLI: paths in a --config file outside the project resolve from --root, not from the file\'s folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-config-'));
    try {
      const file = path.join(dir, 'elsewhere.json');
      fs.writeFileSync(file, JSON.stringify({ sourceGlobs: ['lib/**/*.js'], targets: [{ glob: 'lib/**', lines: 80 }] }));
      const r = runCli('run', '--config', file, '--root', fixture('mocha-cjs'), '--json');
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(doc.files.map((f: { file: string; target: unknown }) => [f.file, f.target]), [['lib/calc.js', { lines: 80 }]]);
      assert.deepEqual([doc.summary.passed, doc.summary.failed], [4, 1]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
