/**
 * Governance Coverage in a real VS Code (code-server 4.99 / VS Code 1.99), offline, seen through
 * headless Chromium: what a person sees when running the governance suite from the command
 * palette, reading the Test Explorer, and hovering an uncovered line of proposalService.ts.
 * Assertions are on the page's DOM text. Screenshots go to test-results/editor/.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { startChromium, type HeadlessBrowser } from './chromium';
import { REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';
import { stopHarness } from './procs';
import { explorerRows, explorerSummary, rowContextAction, showTestExplorer, waitForRunResults } from './testExplorer';
import * as wb from './workbench';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'editor');
const TARGET_FILE = 'src/governance/proposalService.ts';
/** A test file that reaches proposalService only partly, so a coverage run of it alone leaves gaps. */
const SUBSET_TEST = 'test/governance/integration/proposalExecution.test.ts';
const RUN_TIMEOUT = 150_000;

/** The governance test files git tracks, repository-relative with forward slashes. */
function trackedGovernanceTests(): string[] {
  const res = spawnSync('git', ['ls-files', '--', 'test/governance/*.test.ts', 'test/governance/**/*.test.ts'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`git ls-files failed: ${res.stderr || res.error?.message}`);
  return [...new Set(res.stdout.split('\n').filter(Boolean))].sort();
}

describe('Governance Coverage in code-server (offline, headless Chromium)', function () {
  this.timeout(RUN_TIMEOUT);
  let started = Date.now();
  let server: CodeServer | undefined;
  let browser: HeadlessBrowser | undefined;
  let page: HeadlessBrowser['page'];
  let hoverText = '';

  before(async function () {
    this.timeout(240_000);
    started = Date.now();
    fs.rmSync(SHOTS, { recursive: true, force: true });
    server = await startCodeServer();
    browser = await startChromium();
    page = browser.page;
    await wb.openWorkbench(page, server.folderUrl(REPO_ROOT), 'package.json');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && browser) {
      const name = `FAILED-${(this.currentTest.title || 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`;
      await wb.screenshot(page, SHOTS, name).catch(() => undefined);
      if (server) fs.writeFileSync(path.join(SHOTS, `${name}.code-server.log`), server.output());
    }
  });

  after(async function () {
    this.timeout(60_000);
    await stopHarness(browser, server, { label: 'scenario', started });
  });

  it('opens the repository as the workspace and lists the Governance commands in the palette', async function () {
    const titles = await wb.paletteCommands(page, 'Governance:');
    for (const t of ['Governance: Run governance tests', 'Governance: Run governance tests with coverage', 'Governance: Show gap-closure plan']) {
      assert.ok(titles.includes(t), `palette lacks "${t}"; shows ${JSON.stringify(titles)}`);
    }
  });

  it('runs "Governance: Run governance tests" and the Test Explorer shows every committed test file passed', async function () {
    await wb.runCommand(page, 'Governance: Run governance tests');
    await showTestExplorer(page);
    const summary = await waitForRunResults(page, undefined, RUN_TIMEOUT - 10_000);
    const rows = await explorerRows(page);
    await wb.screenshot(page, SHOTS, '01-test-explorer');
    assert.ok(summary.total > 0, `summary shows ${summary.text}`);
    // The committed governance test files (other sessions may add scratch files meanwhile).
    const committed = trackedGovernanceTests();
    assert.ok(committed.includes(SUBSET_TEST), `${SUBSET_TEST} is a committed test file`);
    const shown = committed.map((file) => rows.find((r) => r.label === file) ?? { label: file, state: 'missing from the tree' });
    assert.deepEqual(shown.filter((r) => r.state !== 'passed'), [], 'every committed governance test file shows the passed icon');
    // Anything short of "N/N" must come from files outside the repository (scratch files of
    // another session working in the same tree), never from a committed test.
    const foreign = rows.filter((r) => r.state !== 'passed' && r.state !== 'unset' && !committed.includes(r.label));
    assert.ok(summary.passed === summary.total || foreign.length > 0, `summary shows ${summary.text} with every committed file passed`);
  });

  it('shows Governance Coverage among the running extensions', async function () {
    await wb.runCommand(page, 'Developer: Show Running Extensions');
    const names = page.locator('.runtime-extensions-editor .extension .name');
    await names.first().waitFor({ timeout: 15_000 });
    const list = (await names.allInnerTexts()).map((n) => n.trim());
    assert.ok(list.includes('Governance Coverage'), `running extensions: ${JSON.stringify(list)}`);
    await page.keyboard.press('Control+W').catch(() => undefined);
  });

  it(`after a coverage run of ${path.basename(SUBSET_TEST)} alone, marks gaps in ${path.basename(TARGET_FILE)} and explains them on hover`, async function () {
    await showTestExplorer(page);
    const before = (await explorerSummary(page))?.text;
    await rowContextAction(page, SUBSET_TEST, /^Run Test with Coverage$/);
    const summary = await waitForRunResults(page, before, RUN_TIMEOUT - 30_000);
    assert.ok(summary.total > 0 && summary.passed === summary.total, `subset run summary: ${summary.text}`);

    const status = await wb.poll('governed coverage in the status bar', 15_000, async () =>
      (await wb.statusBarTexts(page)).find((t) => /^Gov \d+(\.\d+)?% \/ \d+%$/.test(t)));
    assert.match(status, /^Gov \d+(\.\d+)?% \/ \d+%$/);

    await wb.hidePanel(page);
    await wb.openFile(page, TARGET_FILE);
    const marked = await wb.poll('gap marks in the gutter', 30_000, async () => {
      const lines = await wb.scrollToGutterMarks(page);
      return lines.length ? lines : undefined;
    }, 1_000);
    const line = marked[0];
    await wb.goToLine(page, line);
    const inline = await wb.afterTextOfLine(page, line);
    await page.keyboard.press('Escape');
    await wb.screenshot(page, SHOTS, '02-gutter-marks');
    assert.match(inline, /gap:/, `line ${line} shows the inline gap hint`);

    const hover = await wb.hoverLineText(page, line);
    await page.waitForTimeout(600); // let the hover finish fading in before the picture (not an assertion)
    await wb.screenshot(page, SHOTS, '03-hover-hint');
    assert.match(hover, /Gap-closure hint/);
    const figures = /proposalService\.ts: lines (\d+(?:\.\d)?)% \/ target (\d+)%/.exec(hover);
    assert.ok(figures, `the hint shows the file's line coverage against its target:\n${hover}`);
    assert.ok(Number(figures[1]) < Number(figures[2]), `a decorated file is below target: ${figures[0]}`);
    assert.match(hover, /Untested:/);
    assert.match(hover, /Still needed for the target:/);
    assert.match(hover, /Suggested test/);
    assert.match(hover, /Add the suggested test/, 'the hover links "Add suggested test" (issue 9, point 4)');
    assert.match(hover, new RegExp(`Never run: lines? [^\\n]*\\b${line}\\b|line ${line}:`), `the hint names line ${line}`);
    hoverText = hover;
  });

  it('renders the hover hint as text, without stray markdown escape backslashes', function () {
    assert.ok(hoverText, 'the previous test read a hover');
    // The prose part (the suggested test's code block after "Suggested test" may hold backslashes).
    const prose = hoverText.split(/\n(?=Suggested test)/)[0];
    const stray = prose.split('\n').filter((l) => /\\[\\`*_{}[\]<>#|]/.test(l));
    assert.deepEqual(stray, [], 'hint lines show backslash escapes to the reader');
  });
});
