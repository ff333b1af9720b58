/**
 * Runs the extension-host mocha suite (test/editor/suite, compiled to out/test/editor/suite)
 * inside code-server's real Node extension host, the offline counterpart of
 * `vscode-test --extensionTestsPath`: the workbench is opened with the web payload
 * `extensionDevelopmentPath` + `extensionTestsPath` (vscode-remote URIs), VS Code runs the
 * suite's `run()` and reports its exit code to `window.codeAutomationExit`, which the page
 * exposes to this process. The suite's reporter output is relayed from the page console.
 */
import { strict as assert } from 'assert';
import { startChromium, type HeadlessBrowser } from './chromium';
import { startCodeServer, type CodeServer } from './codeServer';
import { assertSuiteBuilt, runHostSuite, saveServerLogs } from './hostSuite';
import { stopHarness } from './procs';

const SUITE_TIMEOUT = 360_000;

describe('Extension-host suite (test/editor/suite) in code-server\'s extension host', function () {
  this.timeout(SUITE_TIMEOUT + 60_000);
  let server: CodeServer | undefined;
  let browser: HeadlessBrowser | undefined;

  before(async function () {
    this.timeout(120_000);
    assertSuiteBuilt();
    server = await startCodeServer({ installExtension: false });
    browser = await startChromium();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && server) console.log(`      server logs kept in ${saveServerLogs(server, 'FAILED-extension-host-suite')}`);
  });

  after(async function () {
    this.timeout(60_000);
    await stopHarness(browser, server);
  });

  it('passes with exit code 0 (run() resolved, no failing test)', async function () {
    const { code, lines } = await runHostSuite((browser as HeadlessBrowser).page, server as CodeServer, SUITE_TIMEOUT);
    assert.equal(code, 0, `extension-host suite exit code ${code}\n${lines.join('\n')}`);
    assert.ok(lines.some((l) => /\d+ passing/.test(l)), `the suite reported passing tests:\n${lines.join('\n')}`);
  });
});
