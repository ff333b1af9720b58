/**
 * Mocha root hooks for the offline editor suite: prints its total wall time (browser and
 * code-server start-up included), which must stay well under five minutes.
 */
let started = 0;

/** Root hook plugin picked up by mocha through `--require` (see .mocharc.json). */
export const mochaHooks = {
  beforeAll(): void {
    started = Date.now();
  },
  afterAll(): void {
    console.log(`\n  offline editor suite: total wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  },
};
