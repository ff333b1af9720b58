/**
 * Mocha's spec reporter plus one plain closing line, `<label>: N passed, N failed, N skipped`,
 * so every suite of `npm test` ends with the same machine-readable summary the CLI prints.
 * The label comes from `--reporter-option label=NAME` (default "mocha").
 */
'use strict';
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SpecWithTotals extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const opts = (options && (options.reporterOption || options.reporterOptions)) || {};
    const label = opts.label || 'mocha';
    runner.once(EVENT_RUN_END, () => {
      const s = this.stats;
      // Printed after the spec epilogue (which is also bound to EVENT_RUN_END).
      process.nextTick(() =>
        console.log(`${label}: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`),
      );
    });
  }
}

module.exports = SpecWithTotals;
