/** Shared helpers for the engine's unit tests: fixture paths and a run that records events. */
import * as path from 'path';
import { loadConfig, startRun } from '../../../src/coverage/index';
import type { RunEvent, RunOptions, RunResult } from '../../../src/coverage/model';

/** Absolute path of a fixture project under test/fixtures. */
export function fixture(name: string): string {
  return path.resolve(__dirname, '..', '..', 'fixtures', name);
}

/** Run a fixture project and collect every event in order. */
export async function runFixture(
  name: string,
  options: Partial<RunOptions> = {},
  onEvent?: (e: RunEvent, cancel: () => void) => void,
): Promise<{ result: RunResult; events: RunEvent[] }> {
  const config = await loadConfig(fixture(name));
  const handle = startRun({ config, ...options });
  const events: RunEvent[] = [];
  handle.onEvent((e) => {
    events.push(e);
    onEvent?.(e, () => handle.cancel());
  });
  const result = await handle.result;
  return { result, events };
}
