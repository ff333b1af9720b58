/**
 * Runs the extension-host mocha suite (test/editor/suite, compiled to out/test/editor/suite)
 * inside code-server's real Node extension host, the offline counterpart of
 * `vscode-test --extensionTestsPath`: the workbench is opened with the web payload
 * `extensionDevelopmentPath` + `extensionTestsPath` (vscode-remote URIs), VS Code runs the
 * suite's `run()` and reports its exit code to `window.codeAutomationExit`, which the page
 * exposes to this process. The suite's reporter output is relayed from the page console.
 */
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import type { ConsoleMessage, Page } from 'playwright-core';
import { workbenchUrl } from '../suite/webHost';
import { REPO_ROOT, type CodeServer } from './codeServer';
import { HarnessTimeoutError } from './procs';

/** Compiled suite folder (its index.js exports `run()`). */
export const SUITE_DIR = path.join(REPO_ROOT, 'out', 'test', 'editor', 'suite');

/** Exit code of the suite and the reporter lines it printed. */
export interface HostSuiteResult {
  code: number;
  lines: string[];
}

/** Throws a clear error when the suite has not been compiled. */
export function assertSuiteBuilt(): void {
  if (!fs.existsSync(path.join(SUITE_DIR, 'index.js'))) {
    throw new Error(`${SUITE_DIR}/index.js is missing: run \`npm run build\` first (npm test does)`);
  }
}

/** The console message as the extension host printed it (VS Code prefixes `%c INFO`, a style). */
async function consoleText(msg: ConsoleMessage): Promise<string> {
  const args = await Promise.all(msg.args().map((a) => a.jsonValue().catch(() => String(a))));
  if (typeof args[0] === 'string' && args[0].startsWith('%c')) args.splice(0, 2);
  return args.length ? format(...(args as unknown[])) : msg.text();
}

/**
 * Opens the repository (or the `workspace` file) in `page` with the suite as `extensionTestsPath`
 * and resolves with its exit code once VS Code reports it (bounded by `timeoutMs`). Call once per page.
 */
export async function runHostSuite(page: Page, srv: CodeServer, timeoutMs: number, workspace?: string): Promise<HostSuiteResult> {
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
  await page.goto(workbenchUrl(srv.url, { folder: REPO_ROOT, extensionPath: REPO_ROOT, testsPath: SUITE_DIR, workspace }));
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exited,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HarnessTimeoutError('the extension-host suite to finish', timeoutMs, srv.output().slice(-4000))), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  return { code, lines };
}

/**
 * Keeps what explains a failure before the throwaway dirs go: code-server's output and VS Code's
 * server logs (extension host, file watcher, remote agent) under test-results/editor/<name>-logs.
 */
export function saveServerLogs(srv: CodeServer, name: string): string {
  const dest = path.join(REPO_ROOT, 'test-results', 'editor', `${name}-logs`);
  fs.mkdirSync(dest, { recursive: true });
  fs.writeFileSync(path.join(dest, 'code-server.log'), srv.output());
  const logs = path.join(srv.tempRoot, 'user-data', 'logs');
  if (fs.existsSync(logs)) fs.cpSync(logs, dest, { recursive: true });
  return dest;
}
