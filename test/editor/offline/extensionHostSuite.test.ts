/**
 * Runs the extension-host mocha suite (test/editor/suite, compiled to out/test/editor/suite)
 * inside code-server's real Node extension host, the offline counterpart of
 * `vscode-test --extensionTestsPath`: the workbench is opened with the web payload
 * `extensionDevelopmentPath` + `extensionTestsPath` (vscode-remote URIs), VS Code runs the
 * suite's `run()` and reports its exit code to `window.codeAutomationExit`, which the page
 * exposes to this process. The suite's reporter output is relayed from the page console.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import type { ConsoleMessage } from 'playwright-core';
import { startChromium, type HeadlessBrowser } from './chromium';
import { REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';
import { HarnessTimeoutError, processesMentioning } from './procs';

const SUITE_DIR = path.join(REPO_ROOT, 'out', 'test', 'editor', 'suite');
const SUITE_TIMEOUT = 240_000;

/** The console message as the extension host printed it (VS Code prefixes `%c INFO`, a style). */
async function consoleText(msg: ConsoleMessage): Promise<string> {
  const args = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => String(a))));
  if (typeof args[0] === 'string' && args[0].startsWith('%c')) args.splice(0, 2);
  return args.length ? format(...(args as unknown[])) : msg.text();
}

describe('Extension-host suite (test/editor/suite) in code-server\'s extension host', function () {
  this.timeout(SUITE_TIMEOUT + 60_000);
  let server: CodeServer | undefined;
  let browser: HeadlessBrowser | undefined;

  before(async function () {
    this.timeout(120_000);
    if (!fs.existsSync(path.join(SUITE_DIR, 'index.js'))) {
      throw new Error(`${SUITE_DIR}/index.js is missing: run \`npm run build\` first (npm test does)`);
    }
    server = await startCodeServer({ installExtension: false });
    browser = await startChromium();
  });

  after(async function () {
    this.timeout(60_000);
    const markers = [server?.tempRoot, browser?.profileDir].filter((m): m is string => !!m);
    try {
      await browser?.stop();
    } finally {
      await server?.stop();
    }
    const left = markers.flatMap((m) => processesMentioning(m));
    assert.deepEqual(left, [], `processes left behind: ${left.join(', ')}`);
  });

  it('passes with exit code 0 (run() resolved, no failing test)', async function () {
    const srv = server as CodeServer;
    const page = (browser as HeadlessBrowser).page;
    let report: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => { report = resolve; });
    await page.exposeFunction('codeAutomationExit', (code: number) => report(code));
    const lines: string[] = [];
    page.on('console', (msg) => {
      void consoleText(msg).then((text) => {
        // Only the extension host's own output: the suite's reporter lines and its errors.
        if (/^(\s{2,}|\s*[✔✓✗✖]|\s*\d+ (passing|failing|pending))/.test(text) || /editor test\(s\) failed/.test(text)) {
          lines.push(text);
          console.log(`      | ${text}`);
        }
      });
    });
    const authority = `127.0.0.1:${srv.port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${REPO_ROOT}`],
      ['extensionTestsPath', `vscode-remote://${authority}${SUITE_DIR}`],
    ];
    await page.goto(`${srv.folderUrl(REPO_ROOT)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HarnessTimeoutError('the extension-host suite to finish', SUITE_TIMEOUT, srv.output().slice(-4000))), SUITE_TIMEOUT);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(code, 0, `extension-host suite exit code ${code}\n${lines.join('\n')}`);
    assert.ok(lines.some((l) => /\d+ passing/.test(l)), `the suite reported passing tests:\n${lines.join('\n')}`);
  });
});
