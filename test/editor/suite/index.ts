/**
 * Extension-host test entry (`--extensionTestsPath=out/test/editor/suite`): runs mocha over the
 * compiled suite files next to this one. Used by @vscode/test-electron, the launch config
 * "Extension Tests" and the offline route (VS Code server / code-server, where the test output
 * is not on a terminal): a JSON report is always written to $GOVERNANCE_EDITOR_TEST_REPORT or
 * `test-results/editor-suite.json` at the repository root, updated after every test.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** Plain result of the editor suite (see the file comment for where it is written). */
export interface EditorSuiteReport {
  passed: string[];
  failed: Array<{ title: string; error: string }>;
  pending: string[];
  durationMs: number;
  done: boolean;
}

/** Runs every `*.test.js` in this folder; rejects when a test fails. */
export function run(): Promise<void> {
  const reportFile =
    process.env.GOVERNANCE_EDITOR_TEST_REPORT ?? path.resolve(__dirname, '..', '..', '..', '..', 'test-results', 'editor-suite.json');
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.GOVERNANCE_EDITOR_TEST_TIMEOUT ?? 180_000),
    reporter: process.env.GOVERNANCE_EDITOR_TEST_REPORTER ?? 'spec',
  });
  const grep = process.env.GOVERNANCE_EDITOR_TEST_GREP;
  if (grep) mocha.grep(grep);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const report: EditorSuiteReport = { passed: [], failed: [], pending: [], durationMs: 0, done: false };
  const started = Date.now();
  const save = () => {
    report.durationMs = Date.now() - started;
    fs.mkdirSync(path.dirname(reportFile), { recursive: true });
    fs.writeFileSync(reportFile, JSON.stringify(report, null, 2));
  };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        report.done = true;
        save();
        if (failures > 0) reject(new Error(`${failures} editor test(s) failed`));
        else resolve();
      });
      runner.on('pass', (t) => {
        report.passed.push(t.fullTitle());
        save();
      });
      runner.on('fail', (t, err: Error) => {
        report.failed.push({ title: t.fullTitle(), error: String(err?.stack ?? err) });
        save();
      });
      runner.on('pending', (t) => report.pending.push(t.fullTitle()));
    } catch (err) {
      report.failed.push({ title: '(loading the suite)', error: String((err as Error).stack ?? err) });
      save();
      reject(err);
    }
  });
}
