/** Helpers for the mutation tests: a throwaway copy of the mutation fixture, and a run that records its events. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../../src/coverage/config';
import type { MutationEvent, MutationOptions, MutationRunResult } from '../../../src/mutation/model';
import { startMutation } from '../../../src/mutation/run';

const FIXTURE = path.resolve(__dirname, '..', '..', 'fixtures', 'mutation');

/** A fresh copy of test/fixtures/mutation (its reports and edits never touch the checked-in fixture). */
export function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gov-mutation-fixture-'));
  fs.cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}coverage`) });
  return fs.realpathSync(dir);
}

/** Run StrykerJS (for real) through the engine on `root`, collecting every event but the log lines. */
export async function mutate(
  root: string,
  options: Partial<MutationOptions> = {},
  onEvent?: (e: MutationEvent, cancel: () => void) => void,
): Promise<{ result: MutationRunResult; events: MutationEvent[]; pid?: number }> {
  const config = await loadConfig(root);
  const handle = startMutation({ config, concurrency: 1, ...options });
  const events: MutationEvent[] = [];
  handle.onEvent((e) => {
    if (e.type !== 'output') events.push(e);
    onEvent?.(e, () => handle.cancel());
  });
  return { result: await handle.result, events, pid: handle.pid };
}
