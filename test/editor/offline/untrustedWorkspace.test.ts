/**
 * Restricted mode, for real: code-server started WITH workspace trust (fresh user-data dir, fresh
 * browser context, no startup prompt), so the repository opens untrusted. Two checks:
 *  1. the extension-host suite runs there through the same `extensionTestsPath` route; in an
 *     untrusted host it declares only its restricted-mode tests (tree by parsing, run refused
 *     with a "Manage Workspace Trust" action), and exactly those must pass;
 *  2. what a person sees: "Governance: Run governance tests" from the palette shows the clear
 *     warning with the trust action on the page, and the action opens the Workspace Trust editor.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { EditorSuiteReport } from '../suite/index';
import { readSuiteReport, workbenchUrl } from '../suite/webHost';
import { startChromium, type HeadlessBrowser } from './chromium';
import { REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';
import { assertSuiteBuilt, runHostSuite, saveServerLogs } from './hostSuite';
import { stopHarness } from './procs';
import * as wb from './workbench';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'editor');
const REPORT = path.join(REPO_ROOT, 'test-results', 'editor-suite-untrusted.json');
const SUITE_TIMEOUT = 90_000;
/** The titles untrusted.test.ts declares (describeIf(!trusted, ...)). */
const RESTRICTED_TESTS = [
  'Untrusted workspace (restricted mode) activates and discovers the tree by parsing',
  'Untrusted workspace (restricted mode) refuses to run, with a message offering to manage workspace trust',
];
const REFUSAL = /Governance tests execute workspace code, so they only run in a trusted workspace/;

describe('Untrusted workspace in code-server (workspace trust on, restricted mode)', function () {
  this.timeout(SUITE_TIMEOUT + 30_000);
  let started = Date.now();
  let server: CodeServer | undefined;
  let browser: HeadlessBrowser | undefined;
  /** The page the current test drives (for the failure screenshot). */
  let current: HeadlessBrowser['page'] | undefined;

  before(async function () {
    this.timeout(120_000);
    started = Date.now();
    assertSuiteBuilt();
    fs.rmSync(REPORT, { force: true });
    server = await startCodeServer({
      installExtension: false,
      workspaceTrust: true,
      // Only the restricted-mode tests, and their own report: a trusted host would then run nothing and fail below.
      env: { GOVERNANCE_EDITOR_TEST_GREP: 'restricted mode', GOVERNANCE_EDITOR_TEST_REPORT: REPORT },
    });
    browser = await startChromium();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && browser) {
      const name = `FAILED-untrusted-${(this.currentTest.title || 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`;
      await wb.screenshot(current ?? browser.page, SHOTS, name).catch(() => undefined);
      if (server) saveServerLogs(server, name);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await stopHarness(browser, server, { label: 'untrusted pass', started });
  });

  it('runs exactly the restricted-mode tests of test/editor/suite in the untrusted extension host, and they pass', async function () {
    const { code, lines } = await runHostSuite((browser as HeadlessBrowser).page, server as CodeServer, SUITE_TIMEOUT);
    assert.equal(code, 0, `extension-host suite exit code ${code}\n${lines.join('\n')}`);
    const report = readSuiteReport(REPORT) as EditorSuiteReport | undefined;
    assert.ok(report?.done, `the suite wrote its report to ${REPORT}`);
    assert.deepEqual(report.failed, []);
    assert.deepEqual([...report.passed].sort(), [...RESTRICTED_TESTS].sort(), 'the host was untrusted: only the restricted-mode tests were declared');
  });

  it('shows the refusal with a "Manage Workspace Trust" action when a person runs the tests from the palette', async function () {
    const srv = server as CodeServer;
    // A fresh page of the same (still untrusted) window state: the test host above has ended.
    const page = (current = await (browser as HeadlessBrowser).context.newPage());
    page.setDefaultTimeout(15_000);
    await wb.openWorkbench(page, workbenchUrl(srv.url, { folder: REPO_ROOT, extensionPath: REPO_ROOT }), 'package.json');
    await wb.poll('the "Restricted Mode" status bar item', 30_000, async () =>
      ((await wb.statusBarTexts(page)).some((t) => /Restricted Mode/.test(t)) ? true : undefined));

    await wb.runCommand(page, 'Governance: Run governance tests');
    const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: REFUSAL }).first();
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    const message = (await toast.locator('.notification-list-item-message').innerText()).replace(/\s+/g, ' ').trim();
    assert.match(message, /only run in a trusted workspace\. Trust this folder to run them\./);
    const buttons = (await toast.locator('.notification-list-item-buttons-container .monaco-button').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(buttons, ['Manage Workspace Trust']);
    await wb.screenshot(page, SHOTS, '04-untrusted-run-refused');

    await toast.locator('.notification-list-item-buttons-container .monaco-button', { hasText: 'Manage Workspace Trust' }).click();
    // The action opens the Workspace Trust editor, in restricted mode, with nothing trusted yet (fresh profile).
    const trustEditor = page.locator('.workspace-trust-editor', { hasText: 'You are in Restricted Mode' });
    await trustEditor.waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.workspace-trust-editor', { hasText: /You haven.t trusted any folders/ }).waitFor({ state: 'visible', timeout: 15_000 });
    const tab = (await page.locator('.tabs-container .tab.active').innerText()).trim();
    assert.equal(tab, 'Workspace Trust');
    await page.close();
  });
});
