/**
 * The multi-root pass of the extension-host suite: code-server opens a `.code-workspace` with
 * four folders — this repository, a folder with only a `.mocharc.json` (its own lib/ and test/),
 * a JavaScript folder with nothing to run, and a monorepo (npm workspaces) whose two packages
 * each have their own mocha setup (`.mocharc.json` in alpha, package.json "mocha" in beta) — and
 * the suite's multi-root tests (test/editor/suite/roots.test.ts) run in that host. The extra
 * folders are written to a temporary directory and removed.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { EditorSuiteReport } from '../suite/index';
import { readSuiteReport } from '../suite/webHost';
import { startChromium, type HeadlessBrowser } from './chromium';
import { REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';
import { assertSuiteBuilt, runHostSuite, saveServerLogs } from './hostSuite';
import { stopHarness } from './procs';

const REPORT = path.join(REPO_ROOT, 'test-results', 'editor-suite-multiroot.json');
const SUITE_TIMEOUT = 180_000;
const TESTS = [
  'Roots: a multi-root workspace one root per folder with something to run, grouped by root; the .mocharc folder shows its own tests',
  'Roots: a multi-root workspace runs the .mocharc root alone, with coverage of its own sources and reports in its own folder',
  'Roots: a multi-root workspace the folder with nothing to run is listed with the ways forward, never given the governance suite',
  'Roots: a multi-root workspace a monorepo folder: each package with its own mocha setup is a root of its own in the Test Explorer',
  'Roots: a multi-root workspace the status bar follows the active editor\'s root: each package\'s figure, none for a root not yet run',
];

/** A monorepo (npm workspaces) with two packages, each with its own mocha setup, sources and tests. */
function writeMonorepo(dir: string): void {
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  write('package.json', JSON.stringify({ name: 'mono', private: true, workspaces: ['packages/*'] }));
  write('packages/alpha/package.json', JSON.stringify({ name: 'alpha', version: '1.0.0' }));
  write('packages/alpha/.mocharc.json', JSON.stringify({ spec: 'test/*.test.js' }));
  write('packages/alpha/lib/inc.js', "'use strict';\nexports.inc = (n) => n + 1;\n");
  write('packages/alpha/test/inc.test.js', "'use strict';\nconst assert = require('assert');\nconst { inc } = require('../lib/inc');\ndescribe('inc', () => {\n  it('adds one', () => assert.equal(inc(1), 2));\n});\n");
  write('packages/beta/package.json', JSON.stringify({ name: 'beta', version: '1.0.0', mocha: { spec: 'test/*.test.js' } }));
  // lib/sign.js: 3 of its 4 statement lines run (75%; c8, counting physical lines, says 71.42%): `return -1` never runs.
  write('packages/beta/lib/sign.js', "'use strict';\nexports.sign = (n) => {\n  if (n < 0) {\n    return -1;\n  }\n  return 1;\n};\n");
  write('packages/beta/test/sign.test.js', "'use strict';\nconst assert = require('assert');\nconst { sign } = require('../lib/sign');\ndescribe('sign', () => {\n  it('is 1 for a positive number', () => assert.equal(sign(2), 1));\n});\n");
}

function writeFolders(tmp: string): string {
  const own = path.join(tmp, 'with-mocharc');
  fs.mkdirSync(path.join(own, 'lib'), { recursive: true });
  fs.mkdirSync(path.join(own, 'test'), { recursive: true });
  fs.writeFileSync(path.join(own, '.mocharc.json'), JSON.stringify({ spec: 'test/*.spec.js' }));
  fs.writeFileSync(path.join(own, 'lib', 'half.js'), "'use strict';\nexports.half = (n) => {\n  if (n % 2) {\n    return (n - 1) / 2;\n  }\n  return n / 2;\n};\n");
  fs.writeFileSync(
    path.join(own, 'test', 'half.spec.js'),
    "'use strict';\nconst assert = require('assert');\nconst { half } = require('../lib/half');\ndescribe('half', () => {\n  it('halves even numbers', () => assert.equal(half(4), 2));\n  it('rounds odd numbers down', () => assert.equal(half(5), 2));\n});\n",
  );
  const nothing = path.join(tmp, 'nothing');
  fs.mkdirSync(nothing);
  fs.writeFileSync(path.join(nothing, 'package.json'), JSON.stringify({ name: 'nothing', version: '1.0.0' }));
  const mono = path.join(tmp, 'monorepo');
  writeMonorepo(mono);
  const file = path.join(tmp, 'four.code-workspace');
  fs.writeFileSync(file, JSON.stringify({ folders: [{ path: REPO_ROOT }, { path: own }, { path: nothing }, { path: mono }] }));
  return file;
}

describe('Multi-root workspace in code-server (this repository + a .mocharc folder + a folder with nothing + a monorepo of two packages)', function () {
  this.timeout(SUITE_TIMEOUT + 60_000);
  let server: CodeServer | undefined;
  let browser: HeadlessBrowser | undefined;
  let tmp: string;

  before(async function () {
    this.timeout(120_000);
    assertSuiteBuilt();
    fs.rmSync(REPORT, { force: true });
    tmp = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'govcov-multiroot-'));
    server = await startCodeServer({
      installExtension: false,
      env: { GOVERNANCE_EDITOR_TEST_GREP: 'Roots: a multi-root workspace', GOVERNANCE_EDITOR_TEST_REPORT: REPORT },
    });
    browser = await startChromium();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && server) console.log(`      server logs kept in ${saveServerLogs(server, 'FAILED-multi-root')}`);
  });

  after(async function () {
    this.timeout(60_000);
    await stopHarness(browser, server);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the suite\'s multi-root tests pass there: every root shown, each runs on its own, the empty folder gets the ways forward, the status bar follows the active root', async function () {
    const workspace = writeFolders(tmp);
    const { code, lines } = await runHostSuite((browser as HeadlessBrowser).page, server as CodeServer, SUITE_TIMEOUT, workspace);
    const report = readSuiteReport(REPORT) as EditorSuiteReport | undefined;
    assert.equal(code, 0, `multi-root suite exit code ${code}\n${lines.join('\n')}`);
    assert.deepEqual(report?.passed, TESTS, JSON.stringify(report, null, 2));
  });
});
