/**
 * Mocha root hooks for the offline editor suite (loaded through `--require`, see
 * .mocharc.json): installs the editor host first when it is missing, with a timeout fit for
 * the native builds, and prints the suite's total wall time, which must stay well under five
 * minutes (browser and code-server start-ups included; a first host install is not counted).
 */
import type { Context } from 'mocha';
import { ensureHostInstalled } from './codeServer';

let started = 0;

/** Root hook plugin picked up by mocha. */
export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    this.timeout(20 * 60_000);
    await ensureHostInstalled();
    started = Date.now();
  },
  afterAll(): void {
    console.log(`\n  offline editor suite: total wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  },
};
