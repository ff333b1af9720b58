/**
 * Test strength in a real VS Code (code-server + headless Chromium), on a copy of
 * test/fixtures/mutation, whose ratings test reads its expected value back from the constant under
 * test — a survivor introduced on purpose: "Governance: Check test strength" from the palette runs
 * StrykerJS through the engine, the status bar shows the mutation score beside coverage, the
 * surviving mutant in src/ratings.ts gets its own gutter mark, its hover shows the mutant's diff,
 * the tests that let it live and the hint, and the Problems panel lists it. Then the same check
 * from the Test Explorer: "Execute Using Profile…" → "Check test strength (mutation)" on the
 * ratings test file (after a coverage run of it: only src/ratings.ts, the file its tests ran, is
 * mutated) fails its tests, which all ran the (module-level) surviving mutant, and on the outcome
 * test file (no per-test data: every file with a mutation target) passes both.
 * Screenshot: test-results/editor/04-mutant-hover.png (the README's docs/images/editor-mutant-hover.png).
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startChromium, type HeadlessBrowser } from './chromium';
import { REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';
import { stopHarness } from './procs';
import { explorerRows, rowContextAction, showTestExplorer, waitForRunResults } from './testExplorer';
import * as wb from './workbench';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'editor');
const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'mutation');
const RUN_TIMEOUT = 180_000;

describe('Test strength in code-server (offline, headless Chromium)', function () {
  this.timeout(RUN_TIMEOUT);
  let started = Date.now();
  let server: CodeServer | undefined;
  let browser: HeadlessBrowser | undefined;
  let page: HeadlessBrowser['page'];
  let root = '';

  before(async function () {
    this.timeout(240_000);
    started = Date.now();
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gov-editor-mutation-')));
    fs.cpSync(FIXTURE, root, { recursive: true, filter: (src) => !src.includes(`${path.sep}coverage`) });
    // A user project that has StrykerJS: the installed .vsix never carries it (an optional peer
    // dependency, resolved from the project), so the copy gets this repository's node_modules.
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'mutation-fixture', private: true, devDependencies: { '@stryker-mutator/core': '9.6.1', '@stryker-mutator/mocha-runner': '9.6.1', mocha: '*' } }));
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    server = await startCodeServer();
    browser = await startChromium();
    page = browser.page;
    await wb.openWorkbench(page, server.folderUrl(root), 'governance-coverage.config.json');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && browser) {
      const name = `FAILED-mutation-${(this.currentTest.title || 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`;
      await wb.screenshot(page, SHOTS, name).catch(() => undefined);
      if (server) fs.writeFileSync(path.join(SHOTS, `${name}.code-server.log`), server.output());
    }
  });

  after(async function () {
    this.timeout(60_000);
    await stopHarness(browser, server, { label: 'mutation', started });
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs "Governance: Check test strength" from the palette; the status bar shows the mutation score beside coverage', async function () {
    const titles = await wb.paletteCommands(page, 'Governance:');
    assert.ok(titles.includes('Governance: Check test strength'), `palette shows ${JSON.stringify(titles)}`);
    await wb.runCommand(page, 'Governance: Check test strength');
    const status = await wb.poll('the mutation score in the status bar', RUN_TIMEOUT - 20_000, async () =>
      (await wb.statusBarTexts(page)).find((t) => /^Mut \d+% \/ \d+%$/.test(t)), 1_000);
    // 8 of the fixture's 9 mutants are killed (88.9%, floored) against its mutation target of 90%.
    assert.equal(status, 'Mut 88% / 90%');
    const texts = await wb.statusBarTexts(page);
    assert.ok(texts.some((t) => /^Gov\b/.test(t)), `the coverage item stays beside it: ${JSON.stringify(texts)}`);
  });

  it('marks the surviving mutant in src/ratings.ts; the hover shows its diff, the tests that let it live and the hint', async function () {
    await wb.openFile(page, 'src/ratings.ts');
    const marked = await wb.poll('the mutant mark in the gutter', 30_000, async () => {
      const lines = await wb.gutterDecoratedLines(page);
      return lines.includes(3) ? lines : undefined;
    }, 500);
    assert.deepEqual(marked, [3], 'only the line of the surviving mutant is marked');
    // appendText writes spaces as &nbsp; (U+00A0): read them as spaces
    const hover = (await wb.hoverLineText(page, 3)).replace(/\u00a0/g, ' ');
    await page.waitForTimeout(600); // let the hover finish fading in before the picture (not an assertion)
    await wb.screenshot(page, SHOTS, '04-mutant-hover');
    assert.match(hover, /Surviving mutant — UnaryOperator in RATING_BOOST\[1\]/);
    assert.match(hover, /-\s+1: -0\.1,/);
    assert.match(hover, /\+\s+1: \+0\.1,/);
    assert.match(hover, /no test fails when -0\.1 becomes \+0\.1 in RATING_BOOST\[1\]|no test fails when `-0\.1` becomes `\+0\.1` in `RATING_BOOST\[1\]`/);
    assert.match(hover, /Tests that ran it and still passed \(\d+\): [^\n]*ratings the worst rating gives its boost/);
    assert.match(hover, /Assert: the exact value, written as a literal from the spec/);
    assert.match(hover, /Where: test\/ratings\.test\.ts/);
  });

  it('lists the mutant in the Problems panel as information', async function () {
    await page.keyboard.press('Escape');
    await wb.runCommand(page, 'View: Toggle Problems');
    const text = await wb.poll('the mutant in the Problems panel', 20_000, async () => {
      const t = (await page.locator('.markers-panel').first().innerText().catch(() => '')).replace(/[\s\u00a0]+/g, ' ');
      return /Surviving mutant/.test(t) ? t : undefined;
    }, 500);
    assert.match(text, /Surviving mutant: no test fails when `-0\.1` becomes `\+0\.1` in `RATING_BOOST\[1\]`/);
    assert.match(text, /Governance test strength/);
  });

  it('the Test Explorer profile "Check test strength (mutation)": tests that ran the surviving mutant fail with it, the others pass', async function () {
    await page.keyboard.press('Escape');
    await showTestExplorer(page);
    const runProfile = async (label: string) => {
      await rowContextAction(page, label, /^Execute Using Profile/);
      const profile = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'Check test strength (mutation)' }).first();
      await profile.waitFor({ state: 'visible', timeout: 15_000 });
      await profile.click();
    };
    // A coverage run of the ratings tests records which files each of them ran (per-test coverage).
    await rowContextAction(page, 'test/ratings.test.ts', /^Run Test with Coverage$/);
    const covered = await waitForRunResults(page, undefined, RUN_TIMEOUT / 3);
    assert.deepEqual([covered.passed, covered.total], [3, 3], covered.text);
    // So the profile mutates only src/ratings.ts (3 of its 4 mutants killed: 75%), and the
    // survivor is module-level (RATING_BOOST[1]): every test of ratings.test.ts ran it and passed.
    await runProfile('test/ratings.test.ts');
    const ratings = await waitForRunResults(page, covered.text, RUN_TIMEOUT / 3);
    await wb.screenshot(page, SHOTS, '09-strength-profile');
    assert.deepEqual([ratings.passed, ratings.total], [0, 3], ratings.text);
    assert.ok((await wb.statusBarTexts(page)).includes('Mut 75% / 90%'), JSON.stringify(await wb.statusBarTexts(page)));
    const results = (await page.locator('.test-results-tree, .pane-body').filter({ hasText: 'Check test strength (mutation)' }).first().innerText()).replace(/\s+/g, ' ');
    assert.match(results, /Surviving mutant: no test fails when `-0\.1` becomes `\+0\.1` in `RATING_BOOST\[1\]`/);
    // outcome.test.ts kills every mutant it runs; with no per-test data for its tests, every file
    // with a mutation target is mutated again (8 of 9 killed: 88%).
    await runProfile('test/outcome.test.ts');
    const outcome = await waitForRunResults(page, ratings.text, RUN_TIMEOUT / 3);
    assert.deepEqual([outcome.passed, outcome.total], [2, 2], outcome.text);
    assert.ok((await wb.statusBarTexts(page)).includes('Mut 88% / 90%'), JSON.stringify(await wb.statusBarTexts(page)));
    const rows = await explorerRows(page);
    assert.deepEqual(rows.filter((r) => r.label.startsWith('test/')).map((r) => [r.label, r.state]), [
      ['test/outcome.test.ts', 'passed'],
      ['test/ratings.test.ts', 'failed'],
    ]);
  });
});
