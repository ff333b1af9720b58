/**
 * Workspaces that are not this project, in a real VS Code (code-server, headless Chromium):
 *  1. a folder with only a `.mocharc.json` (and its own lib/ and test/): the Test Explorer shows
 *     its own test file — never the governance suite — and "Run governance tests" passes them;
 *  2. a JavaScript project (a package.json) with nothing to run: nothing activates the extension
 *     at startup (installedPackage.test.ts checks that); once a Governance command has, the
 *     Testing view shows the welcome content with the ways forward (Create .mocharc.json, Open the
 *     governance demo, Load coverage report);
 *  3. "Governance: Create .mocharc.json" there (once the project has tests under test/unit/, which
 *     mocha's default spec test/*.js does not reach) writes the starting setup, opens it, and the
 *     folder's tests appear in the Test Explorer;
 *  4. "Governance: Open the governance demo" opens the demo shipped in the installed .vsix as a
 *     workspace of its own (a new window: a new browser page here) whose Test Explorer lists it.
 * The folders are written to a temporary directory and removed.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startChromium, type HeadlessBrowser } from './chromium';
import { REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';
import { stopHarness } from './procs';
import { explorerRows, showTestExplorer, waitForRunResults } from './testExplorer';
import * as wb from './workbench';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'editor');

function writeMocharcProject(dir: string): void {
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'test'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.mocharc.json'), JSON.stringify({ spec: 'test/*.spec.js' }));
  fs.writeFileSync(path.join(dir, 'lib', 'twice.js'), "'use strict';\nexports.twice = (n) => n * 2;\n");
  fs.writeFileSync(
    path.join(dir, 'test', 'twice.spec.js'),
    "'use strict';\nconst assert = require('assert');\nconst { twice } = require('../lib/twice');\ndescribe('twice', () => {\n  it('doubles', () => assert.equal(twice(2), 4));\n  it('doubles zero', () => assert.equal(twice(0), 0));\n});\n",
  );
}

/** Tests under test/unit/ with a source in lib/: mocha's default spec (test/*.js) misses them. */
function writeNestedTests(dir: string): void {
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'test', 'unit'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'lib', 'sum.js'), "'use strict';\nexports.sum = (a, b) => a + b;\n");
  fs.writeFileSync(
    path.join(dir, 'test', 'unit', 'sum.test.js'),
    "'use strict';\nconst assert = require('assert');\nconst { sum } = require('../../lib/sum');\ndescribe('sum', () => {\n  it('adds', () => assert.equal(sum(2, 3), 5));\n});\n",
  );
}

describe('Workspaces that are not this project, in code-server', function () {
  this.timeout(150_000);
  let server: CodeServer | undefined;
  let browser: HeadlessBrowser | undefined;
  let tmp: string;

  before(async function () {
    this.timeout(240_000);
    tmp = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'govcov-foreign-'));
    writeMocharcProject(path.join(tmp, 'with-mocharc'));
    fs.mkdirSync(path.join(tmp, 'nothing'));
    fs.writeFileSync(path.join(tmp, 'nothing', 'notes.txt'), 'no tests here\n');
    // A JavaScript project (it activates the extension) without any mocha setup.
    fs.writeFileSync(path.join(tmp, 'nothing', 'package.json'), JSON.stringify({ name: 'nothing', version: '1.0.0' }));
    server = await startCodeServer();
    browser = await startChromium();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && browser) {
      const name = `FAILED-foreign-${(this.currentTest.title || 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`;
      await wb.screenshot(browser.page, SHOTS, name).catch(() => undefined);
      if (server) fs.writeFileSync(path.join(SHOTS, `${name}.code-server.log`), server.output());
    }
  });

  after(async function () {
    this.timeout(60_000);
    await stopHarness(browser, server);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a folder with only a .mocharc.json shows its own tests, not the governance suite, and runs them', async function () {
    const page = (browser as HeadlessBrowser).page;
    await wb.openWorkbench(page, (server as CodeServer).folderUrl(path.join(tmp, 'with-mocharc')), '.mocharc.json');
    await showTestExplorer(page);
    const rows = await wb.poll('the folder\'s own test file in the Test Explorer', 60_000, async () => {
      const r = await explorerRows(page);
      return r.some((x) => x.label === 'test/twice.spec.js') ? r : undefined;
    }, 1_000);
    assert.deepEqual(rows.filter((r) => /governance/.test(r.label)), [], 'no governance test file is listed');
    await wb.runCommand(page, 'Governance: Run governance tests');
    const summary = await waitForRunResults(page, undefined, 90_000);
    await wb.screenshot(page, SHOTS, '05-mocharc-workspace');
    assert.deepEqual([summary.passed, summary.total], [2, 2], summary.text);
  });

  it('a folder with nothing to run shows the ways forward in the Testing view', async function () {
    const page = (browser as HeadlessBrowser).page;
    await wb.openWorkbench(page, (server as CodeServer).folderUrl(path.join(tmp, 'nothing')), 'notes.txt');
    await wb.runCommand(page, 'Governance: Show gap-closure plan');
    await wb.runCommand(page, 'Testing: Focus on Test Explorer View');
    const text = await wb.poll('the welcome content of the Testing view', 60_000, async () => {
      const t = await page.locator('.welcome-view-content').allInnerTexts().catch(() => [] as string[]);
      const joined = t.join('\n');
      return /Governance Coverage found no mocha setup/.test(joined) ? joined : undefined;
    }, 1_000);
    await wb.screenshot(page, SHOTS, '06-nothing-to-run');
    for (const action of ['Create .mocharc.json', 'Open the governance demo', 'Load coverage report']) assert.ok(text.includes(action), `${action} in:\n${text}`);
  });

  it('"Create .mocharc.json" writes the starting setup, opens it, and the folder then shows its tests', async function () {
    const page = (browser as HeadlessBrowser).page;
    const dir = path.join(tmp, 'nothing');
    writeNestedTests(dir);
    const file = path.join(dir, '.mocharc.json');
    assert.ok(!fs.existsSync(file), 'no .mocharc.json before the command');
    await wb.runCommand(page, 'Governance: Create .mocharc.json');
    await page.locator('.tabs-container .tab.active[data-resource-name=".mocharc.json"]').waitFor({ timeout: 30_000 });
    assert.equal(fs.readFileSync(file, 'utf8'), '{\n  "spec": [\n    "test/**/*.test.{js,mjs,cjs}"\n  ]\n}\n');
    await showTestExplorer(page);
    const rows = await wb.poll('the folder\'s test file in the Test Explorer', 60_000, async () => {
      const r = await explorerRows(page);
      return r.some((x) => x.label === 'test/unit/sum.test.js') ? r : undefined;
    }, 1_000);
    await wb.screenshot(page, SHOTS, '07-mocharc-created');
    assert.deepEqual(rows.filter((r) => /governance/.test(r.label)), [], 'no governance test file is listed');
  });

  it('"Open the governance demo" opens the demo inside the installed .vsix as a workspace that lists its tests', async function () {
    const page = (browser as HeadlessBrowser).page;
    const demo = path.join((server as CodeServer).installedExtension as string, 'dist', 'embedded');
    const opened = (browser as HeadlessBrowser).context.waitForEvent('page', { timeout: 60_000 });
    await wb.runCommand(page, 'Governance: Open the governance demo');
    // A new window is a new tab in the browser; when Chromium blocks the pop-up, VS Code asks first.
    const allow = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ });
    const demoPage = await Promise.race([
      opened,
      allow.waitFor({ state: 'visible', timeout: 60_000 }).then(async () => {
        await allow.click();
        return opened;
      }),
    ]);
    await demoPage.waitForURL((u) => u.searchParams.get('folder') === demo, { timeout: 30_000 });
    try {
      await demoPage.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
      await wb.explorerRow(demoPage, 'test').waitFor({ state: 'visible', timeout: 90_000 });
      await showTestExplorer(demoPage);
      await wb.poll('the demo\'s test files in its Test Explorer', 90_000, async () =>
        ((await explorerRows(demoPage)).some((r) => r.label === 'test/governance/unit/proposalService.test.ts') ? true : undefined), 1_000);
      await wb.screenshot(demoPage, SHOTS, '08-demo-opened');
    } finally {
      await demoPage.close().catch(() => undefined);
    }
  });
});
