/**
 * The embedded governance suite (src/governance, test/governance) as it was when the unit suite
 * loaded its spec files. `npm test` runs the unit and editor suites side by side, and the editor
 * suite edits files of this repository for a few seconds (its continuous-run test
 * src/governance/graduationService.ts, its "Add suggested test" test
 * test/governance/integration/proposalExecution.test.ts; both restored byte for byte); unit tests that run the embedded suite run this copy, taken before any test runs
 * (mocha requires every spec file first), so they never see that edit. Under the repository's
 * `.tmp/` so modules still resolve from its node_modules; removed when the process exits.
 */
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');

function snapshot(): string {
  const dir = path.join(REPO, '.tmp', 'embedded-snapshot', String(process.pid));
  fs.rmSync(dir, { recursive: true, force: true });
  for (const part of ['src/governance', 'test/governance', 'tsconfig.json']) fs.cpSync(path.join(REPO, part), path.join(dir, part), { recursive: true });
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return fs.realpathSync(dir);
}

/** Root of the copy. */
export const EMBEDDED_SNAPSHOT = snapshot();
