/**
 * How a browser-driven VS Code server (VS Code 1.99's `server-main.js` as shipped inside the
 * code-server package) runs this suite: the server ignores `--extensionDevelopmentPath` and
 * `--extensionTestsPath` on its command line, but the web workbench accepts both through its
 * `payload` query parameter as `vscode-remote://<host:port>/<path>` URIs. The remote extension
 * host then loads the extension from the repository, calls `run()` from `index.ts`, and ends
 * itself when mocha is done; the results are in the JSON report `index.ts` writes.
 *
 * Plain Node (no `vscode` import): the offline harness imports it.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { EditorSuiteReport } from './index';

/** Where `index.ts` writes the report by default, for a repository root. */
export function suiteReportFile(repoRoot: string): string {
  return path.join(repoRoot, 'test-results', 'editor-suite.json');
}

/**
 * The workbench URL that opens `folder` with the extension at `extensionPath` loaded as a
 * development extension and, when `testsPath` is given (e.g. `<repo>/out/test/editor/suite/index`),
 * runs the suite in the remote extension host.
 */
export function workbenchUrl(serverUrl: string, opts: { folder: string; extensionPath: string; testsPath?: string; workspace?: string }): string {
  const base = new URL(serverUrl);
  const remote = (p: string) => `vscode-remote://${base.host}${p.split(path.sep).join('/')}`;
  const payload: Array<[string, string]> = [['extensionDevelopmentPath', remote(opts.extensionPath)]];
  if (opts.testsPath) payload.push(['extensionTestsPath', remote(opts.testsPath)]);
  // A `.code-workspace` file (multi-root) instead of the folder, when given.
  if (opts.workspace) base.searchParams.set('workspace', opts.workspace);
  else base.searchParams.set('folder', opts.folder);
  base.searchParams.set('payload', JSON.stringify(payload));
  return base.toString();
}

/** The report if it exists and parses (it is rewritten after every test, `done` at the end). */
export function readSuiteReport(file: string): EditorSuiteReport | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as EditorSuiteReport;
  } catch {
    return undefined;
  }
}
