/**
 * Extension-host test entry (`--extensionTestsPath=out/test/editor/suite`): runs mocha over the
 * compiled suite files next to this one. Used by @vscode/test-electron, the launch config
 * "Extension Tests" and the offline code-server route.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** Runs every `*.test.js` in this folder; rejects when a test fails. */
export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.GOVERNANCE_EDITOR_TEST_TIMEOUT ?? 180_000),
    reporter: process.env.GOVERNANCE_EDITOR_TEST_REPORTER ?? 'spec',
  });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} editor test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}
